"""The image methods' shared task: the images, baselines, classes and model outputs every registered method of
``explain_image`` receives, built and checked once while the model is borrowed, and the Attribution they return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Attribution
from . import gradients
from ._baselines import Baselines, baseline_images
from ._image_inputs import all_output_names, default_targets, explicit_targets

__all__ = ["ImageTask", "check_lime", "image_attribution", "make_task", "references_on_device"]

#: ``target=None`` explains every class of a model with at most this many outputs, else the predicted classes
ALL_CLASSES_UP_TO = 10

#: each sampling method's default budget (``n_samples``)
DEFAULT_SAMPLES = {"gradient_shap": 50, "smoothgrad": 25, "lime": 1000, "shap_gradient": 200}

#: superpixel algorithms for method='lime'
SEGMENTATIONS = ("quickshift", "slic")


@dataclass(frozen=True)
class ImageTask:
    """What every image method receives, validated, while the model is borrowed (in eval mode)."""

    model: Any
    #: the model as an ``nn.Module`` with (n, n_outputs) output
    forward: Any
    #: (n, C, H, W) floats in the model's range: the explained images, kept as the Attribution's ``data``
    images: np.ndarray
    #: the images as a tensor of the model's dtype on its device
    x: Any
    baselines: Baselines
    background: np.ndarray | None
    #: the explained classes (the outputs axis) and their names
    targets: tuple[int, ...]
    output_names: tuple[str, ...]
    #: the model's outputs for the images, every class: (n, n_outputs)
    outputs: np.ndarray
    output_space: str
    n_steps: int | None
    n_samples: int | None
    layer: tuple[str, Any] | None
    segmentation: Any
    window: tuple[int, int]
    stride: tuple[int, int]
    random_state: int | None
    progress: bool | None

    def tensor(self, array: np.ndarray) -> Any:
        """``array`` on the model's device in its dtype."""
        import torch

        array = np.ascontiguousarray(array)
        if not array.flags.writeable:  # a broadcast baseline: torch warns on read-only memory
            array = array.copy()
        return torch.as_tensor(array, dtype=self.x.dtype, device=self.x.device)

    def baseline_tensor(self) -> Any:
        """Each image's baseline, (n, C, H, W); one image expanded (no copy) when they are shared."""
        if self.baselines.shared:
            return self.tensor(self.baselines.images[:1]).expand_as(self.x)
        return self.tensor(self.baselines.images)

    def at_baselines(self) -> np.ndarray:
        """The explained outputs at each image's baseline, (n, k)."""
        if self.baselines.shared:
            one = gradients.predict(self.forward, self.tensor(self.baselines.images[:1]))[:, self.targets]
            return np.broadcast_to(one, (len(self.images), len(self.targets)))
        return gradients.predict(self.forward, self.tensor(self.baselines.images))[:, self.targets]

    @property
    def explained(self) -> np.ndarray:
        """The explained outputs for the images, (n, k)."""
        return self.outputs[:, self.targets]

    def samples(self, method: str) -> int:
        return self.n_samples or DEFAULT_SAMPLES[method]

    def gap(self, values: np.ndarray, base: np.ndarray) -> np.ndarray:
        """How far the attribution misses completeness, (n, k): Σ values + base − f(x) (captum's convergence
        delta, Σ values − (f(x) − f(baseline)), for a base at the baseline)."""
        return values.reshape(len(values), -1, values.shape[-1]).sum(axis=1) + base - self.explained


def check_lime(pixels: np.ndarray, segmentation: Any) -> None:
    if pixels.shape[1] not in (1, 3):
        raise ValueError(
            f"method='lime' segments RGB or grayscale images; received {pixels.shape[1]} channels (1 or 3 needed)"
        )
    if not (callable(segmentation) or segmentation in SEGMENTATIONS):
        raise ValueError(
            f"segmentation must be one of {', '.join(repr(s) for s in SEGMENTATIONS)} or a function of an "
            f"(H, W, 3) image returning segment ids; received {segmentation!r}"
        )


def make_task(
    model: Any,
    pixels: np.ndarray,
    baseline: Any,
    background: np.ndarray | None,
    target: Any,
    names: Sequence[str] | None,
    **settings: Any,
) -> ImageTask:
    """Check that the model runs on one image and the target fits its outputs, then score every image."""
    import torch

    from ._hf import model_device

    parameter = next(model.parameters(), None)
    dtype = parameter.dtype if parameter is not None else torch.float32
    device = model_device(model)
    x = torch.as_tensor(pixels, dtype=dtype, device=device)
    forward = gradients.scores(model)
    try:
        with torch.no_grad():
            first = model(x[:1])
        first = getattr(first, "logits", first)  # a Hugging Face image classifier's output
    except Exception as exc:
        raise ValueError(
            f"the model could not run on images of shape (n, C, H, W) = {pixels.shape} as {dtype} tensors on "
            f"{device}: {type(exc).__name__}: {exc}"
        ) from exc
    if not hasattr(first, "shape") or first.ndim > 2 or (first.ndim == 2 and first.shape[0] != 1):
        shape = tuple(getattr(first, "shape", ()))
        raise ValueError(f"the model must return scores of shape (n, n_classes); for one image it returned {shape}")
    n_outputs = int(first.reshape(1, -1).shape[1])
    all_names = all_output_names(names, n_outputs)
    targets = explicit_targets(target, n_outputs, all_names)
    # one image: the check's scores (a large model's forward pass is not run twice); more: in the batches the
    # methods run (a model's scores can differ in the last bits with the batch)
    outputs = first.reshape(1, -1).detach().cpu().double().numpy() if len(x) == 1 else gradients.predict(forward, x)
    if targets is None:
        targets = default_targets(n_outputs, outputs.argmax(axis=1), ALL_CLASSES_UP_TO)
    probabilities = n_outputs > 1 and outputs.min() >= 0 and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-4)
    return ImageTask(
        model, forward, pixels, x, baseline_images(baseline, pixels, background, settings["random_state"]),
        background, targets, tuple(all_names[t] for t in targets), outputs,
        "probability" if probabilities else "raw", **settings,
    )  # fmt: skip


def image_attribution(
    task: ImageTask,
    method: str,
    values: np.ndarray,
    base: np.ndarray,
    baseline: str,
    delta: np.ndarray | None = None,
    segments: np.ndarray | None = None,
) -> Attribution:
    return Attribution(
        values, base, data=task.images, output_names=task.output_names, method=method,
        output_space=task.output_space, baseline=baseline, convergence_delta=delta, segments=segments,
    )  # fmt: skip


def references_on_device(task: ImageTask, references: np.ndarray | None) -> tuple[Any, bool]:
    """The reference images as a tensor, and whether they are one per image (else one set for all)."""
    if references is None:
        return task.tensor(task.baselines.images), True
    return task.tensor(references), False
