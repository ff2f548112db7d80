"""Small real image models, offline: a CNN trained in seconds on sklearn's digits (upsampled to 32×32), and a
randomly initialised colour CNN for photos. Both deterministic and built once per process."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

DIGITS_SIZE = 32


@functools.cache
def digits() -> tuple[np.ndarray, np.ndarray]:
    """sklearn's 8×8 digits as (n, 1, 32, 32) float32 images in [0, 1] (bilinear upsampling) and their labels."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    small = torch.from_numpy(bunch.images.astype(np.float32) / 16.0)[:, None]
    images = torch.nn.functional.interpolate(small, size=(DIGITS_SIZE, DIGITS_SIZE), mode="bilinear")
    return images.clamp(0, 1).numpy(), bunch.target.astype(np.int64)


def digits_net() -> torch.nn.Sequential:
    """Conv(1→8, stride 2) → ReLU → Conv(8→16, stride 2) → ReLU → Flatten → Linear(1024→10): layer types that
    captum's DeepLift and shap's DeepExplainer handle exactly, each activation module used once."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, stride=2, padding=1),
        torch.nn.ReLU(),
        torch.nn.Conv2d(8, 16, 3, stride=2, padding=1),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(16 * (DIGITS_SIZE // 4) ** 2, 10),
    )


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread: these models are too small to gain from more, and on cores shared with other
    work torch's threads wait on each other (ten times slower here)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@functools.cache
def trained_digits() -> tuple[torch.nn.Sequential, np.ndarray, np.ndarray, np.ndarray]:
    """The digits CNN trained for 8 epochs on 1,400 random digits (under a second), in eval mode with no
    gradients left; returns (model, images, labels, indices of the 397 held-out digits)."""
    images, labels = digits()
    order = np.random.default_rng(0).permutation(len(images))
    train, test = order[:1400], order[1400:]
    model = trained(digits_net, images[train], labels[train], epochs=8, lr=3e-3)
    return model, images, labels, np.sort(test)


def trained(make: Callable[[], torch.nn.Module], images: np.ndarray, labels: np.ndarray, epochs: int, lr: float) -> Any:
    """``make()`` trained by Adam on (images, labels) in shuffled batches of 64, seeded and on one thread; returned
    in eval mode with no gradients left."""
    x, y = torch.from_numpy(images), torch.from_numpy(labels)
    with one_thread():
        torch.manual_seed(0)
        model = make()
        optimiser = torch.optim.Adam(model.parameters(), lr=lr)
        generator = torch.Generator().manual_seed(0)
        for _ in range(epochs):
            for batch in torch.randperm(len(x), generator=generator).split(64):
                optimiser.zero_grad()
                torch.nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
                optimiser.step()
    model.zero_grad(set_to_none=True)
    return model.eval()


@functools.cache
def colour_net() -> torch.nn.Sequential:
    """A small randomly initialised 3-channel CNN for photos of any size (seeded): a 4×4 patch convolution, a
    strided convolution, global average pooling, 10 outputs (about 2 M multiply-adds on a 224×224 photo)."""
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 4, stride=4),
        torch.nn.ReLU(),
        torch.nn.Conv2d(8, 16, 3, stride=2, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(16, 10),
    )
    return model.eval()


@functools.cache
def mid_net() -> torch.nn.Sequential:
    """A randomly initialised 3-channel CNN of a real network's cost per pixel (seeded): four strided 3×3
    convolutions, 32 → 256 channels, about 185 million multiply-adds per 224×224 image (a ResNet-18 does 1.8
    billion; ``colour_net`` under 10 million)."""
    torch.manual_seed(2)
    layers: list[torch.nn.Module] = []
    for c_in, c_out in ((3, 32), (32, 64), (64, 128), (128, 256)):
        layers += [torch.nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(256, 10))
    return model.eval()


@functools.cache
def photo(size: int = 224) -> np.ndarray:
    """scikit-image's bundled cat photo (``chelsea``), resized to size × size, as a (3, size, size) float32 image
    in [0, 1]."""
    from skimage import data, transform

    image = transform.resize(data.chelsea(), (size, size), anti_aliasing=True)
    return np.ascontiguousarray(np.transpose(image, (2, 0, 1)), dtype=np.float32)
