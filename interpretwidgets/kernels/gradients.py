"""Captum's gradient methods over a batch of images, one function per captum class.

Each runs over an (n, C, H, W) tensor on the model's device, once per explained class (``targets``: the classes
of the outputs axis), in chunks of images: a tqdm.auto bar advances and Ctrl-C lands between chunks. A chunk holds
as many images as keep one forward pass near :data:`BUDGET` input values for the device, so small images go in
large batches and big ones do not exhaust memory (GradientShap goes in passes of its samples instead, an image's
samples split over several when they exceed one). Each returns numpy arrays with the outputs axis last.
"""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._progress import run_in_chunks

#: input values per forward pass, by device: a CPU is fastest while a pass's activations stay in its caches (4 MB
#: of float32 input: ~1,000 digits or 7 photos of 224×224; measured on a small CNN, larger passes ran up to 4×
#: slower per image), a GPU with large passes (64 MB)
BUDGET = {"cpu": 2**20}
GPU_BUDGET = 2**24

Forward = Callable[[Any], Any]


def batch_rows(x: Any, evaluations: int = 1) -> int:
    """Images per forward pass when each image costs ``evaluations`` model inputs (steps, samples...)."""
    pixels = int(np.prod(x.shape[1:]))
    budget = BUDGET.get(x.device.type, GPU_BUDGET)
    return max(1, budget // max(1, pixels * evaluations))


def scores(model: Any, targets: Sequence[int] | None = None) -> Any:
    """``model`` as a module with (n, k) output: its outputs reshaped to (n, -1), and only ``targets`` of them
    when given (so that libraries which explain every output, as shap does, explain only those)."""
    return _scores_class()(model, None if targets is None else list(targets))


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

    rows = batch_rows(x)
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


def integrated_gradients(
    forward: Forward, x: Any, baselines: Any, targets: Sequence[int], n_steps: int, progress: bool | None
) -> tuple[np.ndarray, np.ndarray]:
    """captum ``IntegratedGradients`` from each image's baseline: values (n, C, H, W, k) and captum's convergence
    delta (n, k), Σ values − (f(x) − f(baseline))."""
    from captum.attr import IntegratedGradients

    method = IntegratedGradients(forward)
    rows = batch_rows(x, n_steps)
    # one image's n_steps points may themselves exceed the budget: captum then splits them into passes
    internal = batch_rows(x) if n_steps > batch_rows(x) else None

    def compute(part: slice, target: int) -> tuple[Any, Any]:
        return method.attribute(
            x[part], baselines=baselines[part], target=target, n_steps=n_steps, internal_batch_size=internal,
            return_convergence_delta=True,
        )  # fmt: skip

    values, delta = _over_targets(compute, len(x), targets, rows, "Integrated gradients", progress)
    return values, delta


def gradient_shap(
    forward: Forward,
    x: Any,
    references: Any,
    targets: Sequence[int],
    n_samples: int,
    progress: bool | None,
    *,
    per_image: bool,
) -> np.ndarray:
    """captum ``GradientShap`` (expected gradients, ``stdevs=0``): values (n, C, H, W, k). ``references`` is the
    set every image draws its baselines from or, with ``per_image``, one baseline per image.

    For each target in turn it equals ``GradientShap(forward).attribute(x, baselines=references, target=target,
    n_samples=n_samples)`` draw for draw under the same numpy seed (with ``per_image``: captum called image after
    image, each with its own baseline as the set). captum runs it as ``NoiseTunnel(InputBaselineXGradient)``,
    which with ``stdevs=0`` still draws and adds zero noise to every pixel of every sample; here captum's own
    ``InputBaselineXGradient`` runs on the same rows without it: the baseline indices
    ``np.random.choice(len(references), n * n_samples)`` drawn once (none for one baseline per image), each image
    repeated ``n_samples`` times (``repeat_interleave``), its path positions ``np.random.uniform(0, 1, rows)`` drawn
    by ``InputBaselineXGradient``, and the (n, n_samples, ...) attributions summed over the samples and divided by
    ``n_samples``, as NoiseTunnel's smoothgrad does. The rows go in consecutive passes that fit the device's
    budget (whole images while an image's samples fit one pass): numpy's uniform draws over consecutive passes are
    those of one call, so the values stay captum's. A tqdm.auto bar counts the samples; Ctrl-C lands between
    passes.
    """
    import torch
    from captum.attr._core.gradient_shap import InputBaselineXGradient
    from tqdm.auto import tqdm

    method = InputBaselineXGradient(forward)  # multiply_by_inputs=True, as GradientShap's default
    n, rows = len(x), len(x) * n_samples
    passes = _sample_passes(n, n_samples, batch_rows(x))
    values = np.empty((*x.shape, len(targets)))
    show = len(passes) > 1 if progress is None else progress  # as run_in_chunks: more than one pass a target
    with tqdm(total=rows * len(targets), desc="GradientShap", unit="sample", disable=not show) as bar:
        for k, target in enumerate(targets):
            drawn = None  # one baseline per image: nothing to draw
            if not per_image:  # captum's draw of the baseline indices, once for all the rows
                drawn = torch.as_tensor(np.random.choice(len(references), rows), device=x.device)  # noqa: NPY002
            sums = torch.empty_like(x)
            for start, stop in passes:
                first, last = start // n_samples, (stop - 1) // n_samples + 1
                with torch.no_grad():  # as NoiseTunnel: only InputBaselineXGradient's gradient needs a graph
                    attributions = method.attribute(
                        _repeated(x, first, last, stop - start),
                        baselines=(
                            _repeated(references, first, last, stop - start)
                            if drawn is None
                            else references.index_select(0, drawn[start:stop])
                        ),
                        target=target,
                    )
                    if start % n_samples == 0 and stop % n_samples == 0:  # whole images
                        sums[first:last] = attributions.view(last - first, n_samples, *x.shape[1:]).sum(dim=1)
                    elif start % n_samples == 0:  # an image's first pass
                        sums[first] = attributions.sum(dim=0)
                    else:
                        sums[first] += attributions.sum(dim=0)
                bar.update(stop - start)
            values[..., k] = (sums / n_samples).detach().cpu().double().numpy()
    return values


def _repeated(t: Any, first: int, last: int, count: int) -> Any:
    """Rows ``first:last`` of ``t``, each repeated for its samples (``repeat_interleave``) to ``count`` rows; one
    image's samples as a broadcast view of its row, not copies."""
    if last - first == 1:
        return t[first:last].expand(count, *t.shape[1:])
    return t[first:last].repeat_interleave(count // (last - first), dim=0)


def _sample_passes(n: int, n_samples: int, fits: int) -> list[tuple[int, int]]:
    """Consecutive (start, stop) rows of the n × n_samples expanded rows, each pass at most ``fits`` rows: as many
    whole images as fit, or, when one image's samples exceed a pass, each image's samples in near-equal parts."""
    if n_samples <= fits:
        step = fits // n_samples * n_samples
        return [(start, min(start + step, n * n_samples)) for start in range(0, n * n_samples, step)]
    parts = np.linspace(0, n_samples, -(-n_samples // fits) + 1).round().astype(int).tolist()
    return [(i * n_samples + a, i * n_samples + b) for i in range(n) for a, b in itertools.pairwise(parts)]


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
    rows = batch_rows(x, positions)
    per_eval = max(1, min(positions, batch_rows(x) // rows))

    def compute(part: slice, target: int) -> tuple[Any]:
        return (
            method.attribute(
                x[part], sliding_window_shapes=(channels, *window), strides=(channels, *stride),
                baselines=baselines[part], target=target, perturbations_per_eval=per_eval,
            ),
        )  # fmt: skip

    (values,) = _over_targets(compute, len(x), targets, rows, "Occlusion", progress)
    return values
