"""Integrated gradients and GradientShap over a batch of images: the model's gradients at points on paths from
baselines to the images, in passes of their path steps or samples (:func:`_passes`), an image's split over several
when they exceed one, sized on a CPU by what a pass holds (:func:`gradient_rows`). A tqdm.auto bar counts the
points and Ctrl-C lands between passes. Each returns numpy arrays with the outputs axis last.
"""

from __future__ import annotations

import functools
import itertools
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._allocator import reuse_freed_memory
from ._models import to_numpy
from ._precision import exact_products
from .gradients import Forward, batch_rows, explained_module

#: bytes a forward and backward pass may hold on a CPU for its inputs, as :func:`gradient_rows` counts them: the
#: activations autograd saves (a tensor saved by two layers counts twice) and the input gradients (32 MB: 23 photos
#: of 224×224 through a 2 M multiply-add CNN, 1.46 MB each; 4 through a 185 M one, 7.0 MB each, whose passes of 3
#: cost 3–4 % more). Larger passes cost less an input while their memory stays with the allocator from one pass to
#: the next (:func:`~._allocator.reuse_freed_memory`); past a few tens of MB it goes back to the system and every
#: pass faults it in again (before reuse_freed_memory, integrated gradients through the 185 M CNN: passes of 8
#: photos 370,000 minor faults and 1.30 s, passes of 2 under 10,000 and 0.95–1.04 s)
PASS_MEMORY = 2**25

#: values of the gradient sums GradientShap keeps for a group of images, one image's worth per pair of image and
#: reference drawn (64 MB of float32): groups hold as many images as fit, however few (a group of one image keeps
#: at most its samples' worth, one per reference it drew). The sums of 32 digits of 32×32 over 20 references take
#: 655,360
SUMS_BUDGET = 2**24


def gradient_rows(forward: Forward, x: Any, target: int) -> int:
    """Model inputs per forward and backward pass. On a CPU as many as keep what a pass holds for each input
    within :data:`PASS_MEMORY` bytes: the activations autograd saves, measured on a forward pass of one image and
    of two (their difference leaves out what any pass saves once, such as the weights, however they are computed),
    at least the input itself; and the input's gradient. Elsewhere :func:`batch_rows`'s.

    Measured once per model and input shape (:data:`_HELD`).

    Not :func:`batch_rows`'s input budget on a CPU: once :func:`~._allocator.reuse_freed_memory` keeps the
    memory of each pass for the next, larger passes cost less (4 photos of 224 px through a 2 M multiply-add CNN,
    50 samples each: GradientShap 1.20 times the model's own passes in passes of 8 photos, 1.06 in passes of 16).
    """
    if x.device.type != "cpu":
        return batch_rows(x)
    known = _HELD.setdefault(explained_module(forward), {})
    key = (tuple(x.shape[1:]), x.dtype)
    if key not in known:
        known[key] = _held(forward, x, target)
    return max(1, PASS_MEMORY // known[key])


#: bytes a pass holds for each model input (:func:`gradient_rows`), by model, then by input shape and dtype:
#: measured with three small forward passes at a model's first call (1.2 ms of a 90 ms call on 4 photos
#: of 224 px through a 2 M multiply-add CNN), kept while the model lives. What changes a model's saved tensors
#: but not the key — layers rebuilt in place, parameters' requires_grad switched, gradient checkpointing or another
#: attention implementation turned on — leaves the passes sized for the model as it was first measured: their
#: memory and speed change, never the values
_HELD: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], int]] = weakref.WeakKeyDictionary()


def _held(forward: Forward, x: Any, target: int) -> int:
    """What a pass holds for each input of ``x``'s shape: the saved activations (two images' less one's, at least
    the input) and the input's gradient, in bytes."""
    import torch

    def saved(images: Any) -> int:
        total = 0

        def pack(tensor: Any) -> Any:
            nonlocal total
            total += tensor.numel() * tensor.element_size()
            # detached: a layer's own output kept with its graph node would be a reference cycle in C++ that
            # Python's collector never frees (the pass's activations leaked with every call)
            return tensor.detach()

        with torch.autograd.graph.saved_tensors_hooks(pack, lambda packed: packed), torch.enable_grad():
            forward(images.detach().requires_grad_())[:, target].sum()
        return total

    one = x[:1]
    size = one.numel() * one.element_size()
    return max(saved(torch.cat([one, one])) - saved(one), size) + size


def integrated_gradients(
    forward: Forward, x: Any, baselines: Any, targets: Sequence[int], n_steps: int, progress: bool | None
) -> np.ndarray:
    """Integrated gradients from each image's baseline as captum's ``IntegratedGradients`` computes them:
    values (n, C, H, W, k).

    captum's own quadrature (``approximation_parameters("gausslegendre")``, its default: the path positions α and
    their weights), its path points baseline + α·(x − baseline) in its step-major order, and its sum
    (Σ weight·∂f/∂x at each point)·(x − baseline). The loop is ours (:func:`_passes`), and its backward does the
    sum: each pass's points are built from the baseline as a leaf of the graph, each point's score weighed by its
    step's weight (``grad_outputs``), so the gradient reaching the baseline is Σ weight·∂f/∂x over the pass's steps,
    reduced from the points' shape by autograd. A pass costs the model's forward and backward and one sum; captum's
    ``attribute`` materialises, reshapes, weighs and sums each chunk of points in several more passes over memory
    (measured: 1.5–1.9× the model's own forward and backward passes on 224×224 photos with a small CNN; this loop,
    each run right after those passes, 0.98–1.08, where a weighed addition per step measured 1.04–1.10). Equal to
    captum called directly up to float rounding (tested). A tqdm.auto bar counts the path points; Ctrl-C lands
    between passes.
    """
    import torch

    reuse_freed_memory(x.device)
    weights, positions = _gauss_legendre(n_steps)
    alphas = torch.tensor(positions, dtype=x.dtype, device=x.device)
    step_weights = torch.tensor(weights, dtype=x.dtype, device=x.device)
    passes = _passes(len(x), n_steps, gradient_rows(forward, x, targets[0]))
    spread = (1,) * x.dim()  # an α per step, broadcast over the images and their values
    values = np.empty((*x.shape, len(targets)))
    with _bar("Integrated gradients", len(x) * n_steps, targets, passes, progress) as bar:
        for k, target in enumerate(targets):
            # a group's path and sum at a time: a device holds the images and little more
            for images, group in itertools.groupby(passes, key=lambda p: p.images):
                start = baselines[images]
                path = x[images] - start
                leaf = start.detach().requires_grad_()  # the path's start: its gradient is the weighed sum
                total = torch.zeros_like(path)
                for p in group:
                    weight = step_weights[p.steps].repeat_interleave(len(path))  # step-major, as the points
                    # one step: points of the leaf's own shape, so that no sum over steps copies the gradient
                    alpha = alphas[p.steps].view(-1, *spread) if p.points > len(path) else alphas[p.steps].view(spread)
                    total.add_(_weighed_gradients(forward, leaf, alpha, path, weight, target))
                    bar.update(p.points)
                values[images, ..., k] = to_numpy(total.mul_(path))  # widened to float64 as it is copied
    return values


@functools.cache
def _gauss_legendre(n_steps: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """captum's Gauss–Legendre quadrature for ``n_steps`` (its default for integrated gradients): the weights and
    the path positions α, computed once a step count (numpy's ``leggauss`` solves an eigenvalue problem each
    time: about a millisecond at 50 steps)."""
    from captum.attr._utils.approximation_methods import approximation_parameters

    weights_of, alphas_of = approximation_parameters("gausslegendre")
    return tuple(float(w) for w in weights_of(n_steps)), tuple(float(a) for a in alphas_of(n_steps))


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
    """captum's ``GradientShap`` (expected gradients, ``stdevs=0``), draw for draw: values (n, C, H, W, k).
    ``references`` is the set every image draws its baselines from or, with ``per_image``, one baseline per image.

    For each target in turn it equals ``GradientShap(forward).attribute(x, baselines=references, target=target,
    n_samples=n_samples)`` under the same numpy seed (with ``per_image``: captum called image after image, each
    with its own baseline as the set). captum runs it as ``NoiseTunnel(InputBaselineXGradient)``; the same draws
    in the same order are taken here: the baseline indices ``np.random.choice(len(references), n * n_samples)``
    (none for one baseline per image: captum's choice from one draws nothing), then the path positions
    ``np.random.uniform(0, 1, n * n_samples)``, both image-major. Sample j of image i is the gradient at
    b + α·(x − b) times (x − b); the mean over the samples is the value. NoiseTunnel's zero noise, drawn and added
    to every pixel of every sample, is left out.

    The loop is ours (:func:`_passes`): each pass's points mixed from the images and references as they are
    (:func:`_shap_points`: no copy of an image per sample), and the gradients summed per pair of image and
    reference drawn, each sum weighed by x − b once its group of images is done (:data:`SUMS_BUDGET` bounds a
    group's sums). captum's ``attribute`` copies, scales and multiplies every sample's image in several more passes
    over memory. Measured, this loop alone on 4 photos of 224×224 through a 2 M multiply-add CNN, 50 samples, in
    passes of 8: a difference and a product per sample, 1.23 times the model's own forward and backward passes; the
    sums per pair, 1.09; the points by a matrix product rather than a gather and a lerp, 1.16 → 1.08 in the same
    run. A tqdm.auto bar counts the samples; Ctrl-C lands between passes.
    """
    import torch

    reuse_freed_memory(x.device)
    n = len(x)
    pairs = 1 if per_image else min(len(references), n_samples)  # the most sums an image keeps
    passes = _passes(n, n_samples, gradient_rows(forward, x, targets[0]), SUMS_BUDGET // (pairs * x[0].numel()))
    values = np.empty((*x.shape, len(targets)))
    # one buffer for every pass's points (another for its baselines, when gathered): fresh ones cost page faults
    buffers = [torch.empty((max(p.points for p in passes), *x.shape[1:]), dtype=x.dtype, device=x.device)]
    with _bar("GradientShap", n * n_samples, targets, passes, progress) as bar:
        for k, target in enumerate(targets):
            drawn = None
            if not per_image:
                drawn = np.random.choice(len(references), n * n_samples).reshape(n, n_samples)  # noqa: NPY002
                drawn = torch.as_tensor(drawn.T.copy(), device=x.device)  # sample-major, as the passes go
            positions = np.random.uniform(0.0, 1.0, n * n_samples).reshape(n, n_samples)  # noqa: NPY002
            positions = torch.as_tensor(positions.T.copy(), dtype=x.dtype, device=x.device)
            for images, group in itertools.groupby(passes, key=lambda p: p.images):
                image = x[images]
                own = references[images] if per_image else references  # what ``chosen`` indexes
                local = torch.arange(len(image), device=x.device)
                chosen = local.expand(n_samples, -1) if drawn is None else drawn[:, images]
                # the pairs of image and reference drawn, numbered: a sum for each
                drawn_pairs, slot = torch.unique(local * len(own) + chosen, return_inverse=True)
                sums = torch.zeros((len(drawn_pairs), *x.shape[1:]), dtype=x.dtype, device=x.device)
                points_of = _shap_points(image, own, None if per_image else chosen, positions[:, images], buffers)
                for p in group:
                    _add_gradients(forward, points_of(p.steps), target, sums, slot[p.steps])
                    bar.update(p.points)
                which, reference = drawn_pairs // len(own), drawn_pairs % len(own)
                weighed = sums.mul_(image[which] - own[reference])
                # each image's pairs in a row (unique sorts them), summed in order: the same sum on any device
                counts = torch.bincount(which, minlength=len(image)).tolist()
                total = torch.stack([part.sum(0) for part in weighed.split(counts)])
                values[images, ..., k] = to_numpy(total.div_(n_samples))
    return values


#: most references and images a CPU mixes into GradientShap's points by one matrix product: its work grows with
#: them, a gather's and a lerp's do not (measured, 16 points a pass of 224×224 from 4 photos: with 6 terms 0.26 vs
#: 0.65 ms, 32 terms 0.56 vs 0.76 ms, 64 terms 1.23 vs 0.76 ms; 768 points of 32×32 from 32 digits, 34 terms 0.149
#: vs 0.143 ms)
MIX_TERMS = 32


def _shap_points(image: Any, references: Any, drawn: Any, alpha: Any, buffers: list[Any]) -> Callable[[slice], Any]:
    """``points(steps)``: for those samples s of each image i of ``image`` (g, C, H, W), the point b + α·(x − b)
    with α = ``alpha[s, i]`` and b = ``references[drawn[s, i]]`` (``drawn`` None: ``references`` holds one
    baseline an image, b = ``references[i]``), as an (s, g, C, H, W) view of ``buffers[0]``.

    With references drawn, at most :data:`MIX_TERMS` references and images, and :func:`exact_products`: the weights
    (1 − α, α) times the references and images stacked, one matrix product that writes each point once (rounded
    as (1 − α)·b + α·x, within a float's last bits of captum's b + α·(x − b)). Otherwise ``torch.lerp`` from the
    baselines, gathered into ``buffers[1]`` (added at first use) when drawn.
    """
    import torch

    g, spread = len(image), (1,) * (image.dim() - 1)

    def out(steps: slice) -> Any:
        return buffers[0][: (steps.stop - steps.start) * g].view(steps.stop - steps.start, *image.shape)

    if drawn is not None and len(references) + g <= MIX_TERMS and exact_products(image.device):
        stack = torch.cat([references, image]).view(len(references) + g, -1)
        weights = torch.zeros((*alpha.shape, len(stack)), dtype=alpha.dtype)
        weights.scatter_(2, drawn.unsqueeze(2), (1 - alpha).unsqueeze(2))
        weights[:, torch.arange(g), torch.arange(len(references), len(stack))] = alpha

        def product(steps: slice) -> Any:
            points = out(steps)
            torch.mm(weights[steps].view(-1, len(stack)), stack, out=points.view(len(points) * g, -1))
            return points

        return product

    def lerp(steps: slice) -> Any:
        points = out(steps)
        if drawn is None:
            base = references.expand(points.shape)
        else:
            if len(buffers) == 1:
                buffers.append(torch.empty_like(buffers[0]))
            chosen = drawn[steps].reshape(-1)
            base = torch.index_select(references, 0, chosen, out=buffers[1][: len(chosen)]).view(points.shape)
        weight = alpha[steps].view(*alpha[steps].shape, *spread)
        return torch.lerp(base, image.expand(points.shape), weight, out=points)

    return lerp


def _weighed_gradients(forward: Forward, leaf: Any, alpha: Any, path: Any, weight: Any, target: int) -> Any:
    """Σ weight·∂f_target/∂x over the points ``leaf`` + α·``path`` (one per α and image, ``weight`` one per
    point in that order): the gradient that reaches ``leaf`` when each point's score is weighed. A function of its
    own, as :func:`_add_gradients` is, so that nothing of a pass outlives it."""
    import torch

    with torch.enable_grad():
        points = torch.addcmul(leaf, alpha, path)
        scores = forward(points.view(-1, *path.shape[1:]))[:, target]
        (summed,) = torch.autograd.grad(scores, leaf, grad_outputs=weight)
    return summed


def _add_gradients(forward: Forward, points: Any, target: int, sums: Any, slots: Any) -> None:
    """Add ∂f_target/∂x at each of ``points`` (s, g, C, H, W) to ``sums`` at ``slots`` (s, g): each point's pair
    of image and reference. A function of its own so that the gradients are freed before the next pass makes its
    own: held in the loop, they lived on while the next pass ran, and a call's peak memory held two passes'
    (measured on 4 photos of 224 px: 49 MB, now 37)."""
    # reshape: autograd may hand back a broadcast gradient (a model that first sums pixels)
    grads = _input_gradients(forward, points.view(-1, *points.shape[2:]), target).reshape(points.shape)
    # one sample at a time: its images' pairs are distinct, so no two additions race on a GPU
    for grad, slot in zip(grads, slots, strict=True):
        sums.index_add_(0, slot, grad)


def _input_gradients(forward: Forward, points: Any, target: int) -> Any:
    """∂f_target/∂input at each of ``points`` (one backward pass of the summed scores, as captum's
    ``compute_gradients``)."""
    import torch

    points = points.detach().requires_grad_()
    with torch.enable_grad():
        (grads,) = torch.autograd.grad(forward(points)[:, target].sum(), points)
    return grads


def _groups(n: int, evaluations: int, fits: int, most: int | None = None) -> tuple[int, int]:
    """(images a group, evaluations a pass) when each of ``n`` images needs ``evaluations`` model inputs (path
    steps, samples) and a pass holds ``fits``: whole images' evaluations a pass while they fit, else as many
    images as fit, each pass taking a few of their evaluations; at most ``most`` images a group."""
    cap = n if most is None else max(1, min(n, most))
    if evaluations <= fits:
        return max(1, min(cap, fits // evaluations)), evaluations
    group = max(1, min(cap, fits))
    return group, max(1, min(evaluations, fits // group))


@dataclass(frozen=True)
class Pass:
    """One forward and backward pass: some ``steps`` (path steps, samples) of some ``images``."""

    images: slice
    steps: slice

    @property
    def points(self) -> int:
        """The model inputs of the pass."""
        return (self.images.stop - self.images.start) * (self.steps.stop - self.steps.start)


def _passes(n: int, evaluations: int, fits: int, most: int | None = None) -> list[Pass]:
    """The passes over ``n`` images' ``evaluations`` each, groups of images (at most ``most``) as :func:`_groups`
    makes them, each group's evaluations split over as few passes as hold them (a last, smaller group takes more a
    pass)."""
    group, _ = _groups(n, evaluations, fits, most)
    passes = []
    for first in range(0, n, group):
        images = slice(first, min(n, first + group))
        _, per_pass = _groups(images.stop - first, evaluations, fits)
        passes += [Pass(images, slice(s, min(evaluations, s + per_pass))) for s in range(0, evaluations, per_pass)]
    return passes


def _bar(label: str, points: int, targets: Sequence[int], passes: Sequence[Pass], progress: bool | None) -> Any:
    """A tqdm.auto bar over every target's ``points``; ``progress=None`` shows it when the work takes more than one
    pass (all targets' passes counted)."""
    from tqdm.auto import tqdm

    show = len(passes) * len(targets) > 1 if progress is None else progress
    return tqdm(total=points * len(targets), desc=label, unit="point", disable=not show)
