"""Captum's gradient methods over a batch of images, one function per captum class.

Each runs over an (n, C, H, W) tensor on the model's device, once per explained class (``targets``: the classes
of the outputs axis), in chunks of images: a tqdm.auto bar advances and Ctrl-C lands between chunks. A chunk holds
as many images as keep one forward pass near :data:`BUDGET` input values for the device, so small images go in
large batches and big ones do not exhaust memory. Each returns numpy arrays with the outputs axis last. Integrated
gradients and GradientShap, which go in passes of their path steps or samples instead, are in
:mod:`._gradient_paths`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._progress import run_in_chunks

#: input values per forward pass, by device: 6 MB of float32 input on a CPU (~1,500 digits or 10 photos of
#: 224×224; measured with integrated gradients on 224×224 photos through a small CNN before
#: :func:`~._allocator.reuse_freed_memory`, passes of 24 photos were 1.2–1.6× slower than passes of 8, most of it
#: page faults), 64 MB on a GPU, which runs large passes best. Integrated gradients and GradientShap on a CPU go by
#: :func:`~._gradient_paths.gradient_rows` instead
BUDGET = {"cpu": 3 * 2**19}
GPU_BUDGET = 2**24

Forward = Callable[[Any], Any]


#: how many times larger a forward pass with no backward may be: it frees each layer's activations as it goes
#: (LIME's 1,000 perturbed 224×224 photos through a small CNN: 117 ms in passes of 40, 135 ms in passes of 10,
#: 181 ms in passes of 160)
NO_GRAD_FACTOR = 4


def batch_rows(x: Any, evaluations: int = 1, *, no_grad: bool = False) -> int:
    """Images per forward pass when each image costs ``evaluations`` model inputs (steps, samples...); on a CPU,
    passes with ``no_grad`` (no backward to follow) may be :data:`NO_GRAD_FACTOR` times larger (measured there
    only)."""
    pixels = int(np.prod(x.shape[1:]))
    budget = BUDGET.get(x.device.type, GPU_BUDGET) * (NO_GRAD_FACTOR if no_grad and x.device.type == "cpu" else 1)
    return max(1, budget // max(1, pixels * evaluations))


def scores(model: Any, targets: Sequence[int] | None = None) -> Any:
    """``model`` as a module with (n, k) output: its outputs reshaped to (n, -1), and only ``targets`` of them
    when given (so that libraries which explain every output, as shap does, explain only those)."""
    return _scores_class()(model, None if targets is None else list(targets))


def explained_module(forward: Any) -> Any:
    """The model a :func:`scores` wrapper explains, or ``forward`` itself."""
    return forward.model if isinstance(forward, _scores_class()) else forward


@functools.cache
def _scores_class() -> type:
    import torch

    class Scores(torch.nn.Module):
        def __init__(self, model: Any, targets: list[int] | None) -> None:
            super().__init__()
            self.model = model
            self.targets = targets

        def forward(self, x: Any) -> Any:
            out = self.model(x)
            out = getattr(out, "logits", out).reshape(len(x), -1)  # Hugging Face models return an output object
            return out if self.targets is None else out[:, self.targets]

    return Scores


def predict(forward: Forward, x: Any) -> np.ndarray:
    """The model's (n, k) outputs for ``x``, in batches, as float64."""
    import torch

    rows = batch_rows(x, no_grad=True)
    with torch.no_grad():
        parts = [forward(x[start : start + rows]) for start in range(0, len(x), rows)]
        parts = [part.reshape(len(part), -1) for part in parts]
    return torch.cat(parts).detach().cpu().double().numpy()


def _leaf(images: Any) -> Any:
    """Images as a new leaf that requires grad (captum warns when it has to switch that on itself)."""
    return images.detach().requires_grad_()


def _over_targets(
    compute: Callable[[slice, int], tuple[Any, ...]],
    n: int,
    targets: Sequence[int],
    rows: int,
    label: str,
    progress: bool | None,
) -> list[np.ndarray]:
    """Run ``compute(images, target)`` on chunks of ``rows`` images for each target; each returned tensor stacked
    over the targets on a new last axis and concatenated over the chunks."""

    def chunk(index: np.ndarray) -> tuple[np.ndarray, ...]:
        part = slice(int(index[0]), int(index[-1]) + 1)
        per_target = [compute(part, target) for target in targets]
        return tuple(
            np.stack([t[i].detach().cpu().double().numpy() for t in per_target], axis=-1)
            for i in range(len(per_target[0]))
        )

    return run_in_chunks(chunk, np.arange(n), rows, label, progress, unit="image")


def deeplift(
    module: Any, x: Any, baselines: Any, targets: Sequence[int], progress: bool | None
) -> tuple[np.ndarray, np.ndarray]:
    """captum ``DeepLift`` (rescale rule) from each image's baseline: values (n, C, H, W, k) and its convergence
    delta (n, k). ``module`` must be an ``nn.Module`` (captum hooks its non-linear layers)."""
    from captum.attr import DeepLift

    method = DeepLift(module)

    def compute(part: slice, target: int) -> tuple[Any, Any]:
        with warnings.catch_warnings():  # the hooks it announces are removed by captum, and by borrowed()
            warnings.filterwarnings("ignore", message=".*forward, backward hooks and attributes.*")
            return method.attribute(
                _leaf(x[part]), baselines=baselines[part], target=target, return_convergence_delta=True
            )

    values, delta = _over_targets(compute, len(x), targets, batch_rows(x, 2), "DeepLift", progress)
    return values, delta


def saliency(forward: Forward, x: Any, targets: Sequence[int], progress: bool | None) -> np.ndarray:
    """captum ``Saliency`` with its default ``abs=True``: |∂f/∂x| per pixel and channel, (n, C, H, W, k)."""
    from captum.attr import Saliency

    method = Saliency(forward)

    def compute(part: slice, target: int) -> tuple[Any]:
        return (method.attribute(_leaf(x[part]), target=target, abs=True),)

    (values,) = _over_targets(compute, len(x), targets, batch_rows(x), "Saliency", progress)
    return values


def smoothgrad(
    forward: Forward, x: Any, targets: Sequence[int], n_samples: int, stdev: float, progress: bool | None
) -> np.ndarray:
    """captum ``NoiseTunnel(Saliency)`` with ``nt_type="smoothgrad"``: |∂f/∂x| averaged over ``n_samples`` copies
    with Gaussian noise of standard deviation ``stdev``, (n, C, H, W, k)."""
    from captum.attr import NoiseTunnel, Saliency

    method = NoiseTunnel(Saliency(forward))
    rows = batch_rows(x, n_samples)
    per_batch = max(1, min(n_samples, batch_rows(x) // rows))

    def compute(part: slice, target: int) -> tuple[Any]:
        return (
            method.attribute(
                _leaf(x[part]), nt_type="smoothgrad", nt_samples=n_samples, nt_samples_batch_size=per_batch,
                stdevs=stdev, target=target, abs=True,
            ),
        )  # fmt: skip

    (values,) = _over_targets(compute, len(x), targets, rows, "SmoothGrad", progress)
    return values


def gradcam(forward: Forward, layer: Any, x: Any, targets: Sequence[int], progress: bool | None) -> np.ndarray:
    """captum ``LayerGradCam`` on ``layer`` (signed: captum's ``relu_attributions=False``), upsampled to the image
    size with ``LayerAttribution.interpolate`` (bilinear): (n, H, W, k)."""
    from captum.attr import LayerAttribution, LayerGradCam

    method = LayerGradCam(forward, layer)
    size = tuple(int(s) for s in x.shape[2:])

    def compute(part: slice, target: int) -> tuple[Any]:
        cam = method.attribute(_leaf(x[part]), target=target)
        if cam.ndim != 4:
            raise ValueError(
                f"method='gradcam' needs a layer with (n, channels, h, w) output; this layer's Grad-CAM map has "
                f"shape {tuple(cam.shape)}. Name a convolutional layer with layer="
            )
        return (LayerAttribution.interpolate(cam, size, interpolate_mode="bilinear")[:, 0],)

    (values,) = _over_targets(compute, len(x), targets, batch_rows(x), "Grad-CAM", progress)
    return values


def occlusion(
    forward: Forward,
    x: Any,
    baselines: Any,
    targets: Sequence[int],
    window: tuple[int, int],
    stride: tuple[int, int],
    progress: bool | None,
) -> np.ndarray:
    """captum ``Occlusion``: the output drop when a ``window`` (all channels) is replaced by the baseline, slid by
    ``stride`` and averaged over the windows covering each pixel, (n, C, H, W, k)."""
    from captum.attr import Occlusion

    method = Occlusion(forward)
    channels, height, width = (int(s) for s in x.shape[1:])
    positions = ((height - window[0]) // stride[0] + 2) * ((width - window[1]) // stride[1] + 2)
    rows = batch_rows(x, positions, no_grad=True)
    per_eval = max(1, min(positions, batch_rows(x, no_grad=True) // rows))

    def compute(part: slice, target: int) -> tuple[Any]:
        return (
            method.attribute(
                x[part], sliding_window_shapes=(channels, *window), strides=(channels, *stride),
                baselines=baselines[part], target=target, perturbations_per_eval=per_eval,
            ),
        )  # fmt: skip

    (values,) = _over_targets(compute, len(x), targets, rows, "Occlusion", progress)
    return values
