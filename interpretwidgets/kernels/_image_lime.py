"""LIME for images, batched: lime's ``LimeImageExplainer`` with its neighbourhood built and scored in bulk.

lime builds each of its perturbed images in Python (a deep copy of the image, then one mask per hidden
superpixel) and scores them ``batch_size=10`` at a time. Here the same random on/off draws become images in one
tensor operation per large batch, on the model's device, and the model scores each batch in one forward pass.
Everything else is lime's own code — its distances, kernel and surrogate fit — but for two parts computed here
with the same result: its default quickshift segmentation (:mod:`._quickshift`: the same segments, faster), and its
default surrogate, scikit-learn's ``Ridge(alpha=1)``, fitted by :class:`_Ridge` (the same algebra without
scikit-learn's checks of its arguments on every call). With the same seed the weights are lime's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._precision import exact_products
from ._progress import run_in_chunks
from .gradients import batch_rows

#: lime's ``SegmentationAlgorithm`` settings per name; "quickshift" is lime's own default (it passes None)
_SLIC = {"n_segments": 50, "compactness": 10, "start_label": 0}


@dataclass(frozen=True)
class Superpixels:
    """LIME's result for a batch: pixel values (n, H, W, k), each superpixel's weight spread over its pixels."""

    values: np.ndarray
    #: the surrogate's intercept per image and class, (n, k)
    intercepts: np.ndarray
    #: Σ of the superpixel weights per image and class, (n, k): the surrogate's prediction at the image, less
    #: the intercept
    weight_sums: np.ndarray
    #: segment id of each pixel, (n, H, W), ids 0..m-1
    segments: np.ndarray


def explain_superpixels(
    forward: Any,
    images: np.ndarray,
    x: Any,
    hidden: Any,
    targets: Sequence[int],
    n_samples: int,
    segmentation: str | Callable[[np.ndarray], np.ndarray],
    random_state: int | None,
    progress: bool | None,
) -> Superpixels:
    """LIME weights of every superpixel for each image and target class.

    Each image gets a fresh explainer seeded with ``random_state`` (so an image's explanation does not depend on
    the others); ``hidden`` (n, C, H, W) is what a hidden superpixel shows.
    """
    import sklearn

    segment_fn = _segmentation(segmentation, random_state)

    def one(index: np.ndarray) -> tuple[np.ndarray, ...]:
        i = int(index[0])
        explainer = _batched_lime_class()(forward, x[i], hidden[i], batch_rows(x, no_grad=True), random_state)
        # lime's distances as lime computes them, less scikit-learn's parameter validation; data_labels checks
        # the scores
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            explanation = explainer.explain_instance(
                _for_lime(images[i]), classifier_fn=None, labels=tuple(targets), hide_color=0, top_labels=None,
                num_samples=n_samples, segmentation_fn=segment_fn, random_seed=random_state,
                model_regressor=_Ridge(),
            )  # fmt: skip
        segments = np.asarray(explanation.segments)
        weights = np.zeros((int(segments.max()) + 1, len(targets)))
        for j, target in enumerate(targets):
            for segment, weight in explanation.local_exp[target]:
                weights[segment, j] = weight
        intercepts = np.array([explanation.intercept[t] for t in targets], dtype=float)
        return weights[segments][None], intercepts[None], weights.sum(axis=0)[None], segments[None]

    values, intercepts, sums, segments = run_in_chunks(one, np.arange(len(images)), 1, "LIME", progress, "image")
    return Superpixels(values, intercepts, sums, segments.astype(np.int32))


def _for_lime(image: np.ndarray) -> np.ndarray:
    """An (H, W, 3) or (H, W) image as lime takes it (it turns a 2-D one into RGB with ``gray2rgb``)."""
    return image[0] if image.shape[0] == 1 else np.transpose(image, (1, 2, 0))


def _segmentation(segmentation: str | Callable[[np.ndarray], np.ndarray], random_state: int | None) -> Any:
    """The ``segmentation_fn`` lime gets: its quickshift default (:func:`_quickshift.quickshift`: the same
    segments, faster), its SLIC wrapper, or the user's function with ids renumbered 0..m-1 (lime's superpixel i is
    the segment with id i)."""
    if segmentation == "quickshift":
        from lime.wrappers.scikit_image import SegmentationAlgorithm

        from . import _quickshift

        # lime's default, as lime builds it: its wrapper keeps the arguments that skimage's quickshift takes
        default = SegmentationAlgorithm("quickshift", kernel_size=4, max_dist=200, ratio=0.2, random_seed=random_state)
        if not set(default.target_params) <= _quickshift.PARAMETERS:
            return None  # a skimage whose quickshift takes arguments ours does not: lime's own call
        return functools.partial(_quickshift.quickshift, **default.target_params)
    if segmentation == "slic":
        from lime.wrappers.scikit_image import SegmentationAlgorithm

        return SegmentationAlgorithm("slic", **_SLIC)
    assert callable(segmentation)

    def renumbered(image: np.ndarray) -> np.ndarray:
        segments = np.asarray(segmentation(image))
        if segments.shape != image.shape[:2] or segments.dtype.kind not in "iu":
            raise ValueError(
                f"segmentation must return integer segment ids of shape (H, W) = {image.shape[:2]}; returned "
                f"{segments.dtype} of shape {segments.shape}"
            )
        return np.unique(segments, return_inverse=True)[1].reshape(segments.shape)

    return renumbered


@functools.cache
def _batched_lime_class() -> type:
    from lime.lime_image import LimeImageExplainer

    class BatchedLime(LimeImageExplainer):
        """lime's explainer whose ``data_labels`` makes the same draws and scores them in large batches."""

        def __init__(self, forward: Any, image: Any, hidden: Any, rows: int, random_state: int | None) -> None:
            # lime's "auto" selection keeps every superpixel here (num_features is its default, 100,000), ordered
            # by a first ridge fit that changes no weight: "none" keeps them all without that fit
            super().__init__(random_state=random_state, feature_selection="none")
            self._forward, self._image, self._hidden, self._rows = forward, image, hidden, rows

        def data_labels(
            self, image: Any, fudged_image: Any, segments: np.ndarray, classifier_fn: Any, num_samples: int,
            batch_size: int = 10,
        ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
            import torch

            n_features = np.unique(segments).shape[0]
            # exactly lime's draws, from the same generator, so that the neighbourhood is lime's
            data = self.random_state.randint(0, 2, num_samples * n_features).reshape((num_samples, n_features))
            data[0, :] = 1
            if segments.min() != 0 or segments.max() != n_features - 1:
                raise ValueError(
                    f"segment ids must be 0..{n_features - 1}; received {segments.min()}..{segments.max()}"
                )
            compose = _composer(self._image, self._hidden, segments, n_features)
            labels = []
            # one buffer for every batch: a fresh one each batch costs the memory allocator's page faults
            buffer = torch.empty((min(self._rows, num_samples), *self._image.shape), dtype=self._image.dtype,
                                 device=self._image.device)  # fmt: skip
            with torch.no_grad():
                for start in range(0, num_samples, self._rows):
                    shown = torch.as_tensor(data[start : start + self._rows], dtype=buffer.dtype, device=buffer.device)
                    labels.append(self._forward(compose(shown, buffer[: len(shown)])).double().cpu().numpy())
            scores = np.concatenate(labels)
            if not np.isfinite(scores).all():
                bad = int((~np.isfinite(scores)).any(axis=1).sum())
                raise ValueError(
                    f"LIME needs finite model outputs; the model returned NaN or infinity for {bad} of the "
                    f"{num_samples} perturbed images"
                )
            return data, scores

    return BatchedLime


class _Ridge:
    """lime's default surrogate, scikit-learn's ``Ridge(alpha=1)`` with an intercept, fitted on the weighted
    neighbourhood by the same algebra scikit-learn uses on dense data: the weighted means taken out, the rows
    scaled by √weight, the normal equations (XᵀX + αI)·w = Xᵀy solved by Cholesky (its ``"cholesky"`` solver, which
    ``"auto"`` picks here), or their dual w = Xᵀ·(XXᵀ + αI)⁻¹·y when there are more superpixels than samples, as
    it does, and the intercept from the means. Equal to ``Ridge`` up to float rounding (tested).

    Not ``Ridge`` itself: scikit-learn checks its arguments on every ``fit``, ``score`` and ``predict``, each check
    asking whether a numpy array is a dataframe of some library. Measured on 1,000 perturbed images with 12
    superpixels, lime's surrogate for one class (its "auto" feature selection's fit, then the fit, score and
    prediction) takes 1.58 ms with ``Ridge``, 0.15 ms with this (our whole LIME call on a 32×32 digit: about
    10 ms). lime calls ``fit``, ``score`` and ``predict`` and reads ``coef_`` and ``intercept_``.
    """

    alpha = 1.0

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray) -> _Ridge:
        from scipy import linalg

        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        weights = np.asarray(sample_weight, dtype=float)
        x_mean, y_mean = np.average(X, axis=0, weights=weights), np.average(y, weights=weights)
        root = np.sqrt(weights)
        centred, target = (X - x_mean) * root[:, None], (y - y_mean) * root
        samples, features = centred.shape
        # more superpixels than samples: the dual problem, n_samples², as scikit-learn solves it (the primal's
        # n_features² system would be far larger: a segmentation into single pixels)
        dual = features > samples
        gram = centred @ centred.T if dual else centred.T @ centred
        gram.flat[:: len(gram) + 1] += self.alpha
        if dual:
            self.coef_ = centred.T @ linalg.solve(gram, target, assume_a="pos", overwrite_a=True)
        else:
            self.coef_ = linalg.solve(gram, centred.T @ target, assume_a="pos", overwrite_a=True)
        self.intercept_ = float(y_mean - x_mean @ self.coef_)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=float) @ self.coef_ + self.intercept_

    def score(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray) -> float:
        """The weighted R² of the fit, as ``sklearn.metrics.r2_score`` computes it."""
        weights = np.asarray(sample_weight, dtype=float)
        residual = np.sum(weights * (np.asarray(y, dtype=float) - self.predict(X)) ** 2)
        spread = np.sum(weights * (y - np.average(y, weights=weights)) ** 2)
        if spread == 0:  # a constant target: scikit-learn's convention
            return 1.0 if residual == 0 else 0.0
        return float(1 - residual / spread)


#: most superpixels for which the perturbed images are composed as one matrix product: its work grows with the
#: superpixels, the gather's does not (measured, product vs gather: 1,000 digits of 32×32 with 16 superpixels 0.11
#: vs 0.46 ms; 40 photos of 224×224 with 16, 0.95 vs 1.36 ms, with 32, 1.78 vs 1.34 ms)
PRODUCT_FEATURES = 16
#: most values the superpixel layers of the image (and of its hidden image) may take together
PRODUCT_VALUES = 2**24


def _composer(image: Any, hidden: Any, segments: np.ndarray, n_features: int) -> Callable[[Any, Any], Any]:
    """``compose(shown, out)``: the perturbed images for ``shown`` (b, n_features) on/off draws, written to ``out``
    (b, C, H, W): each pixel of a shown superpixel from ``image``, of a hidden one from ``hidden``, exactly (x·1 +
    h·0 is x).

    On a CPU with few superpixels (and float32 products in float32: :func:`~._precision.exact_products`), ``shown``
    times the image split into one layer per superpixel (zero elsewhere): a matrix product, which a CPU runs faster
    than a gather of each pixel's draw; otherwise the draws gathered per pixel.
    """
    import torch

    ids = torch.as_tensor(segments.ravel(), dtype=torch.long, device=image.device)
    blank = not hidden.any()
    # a GPU may run float32 products in TF32, a CPU's oneDNN in bfloat16 when asked: either would round the pixels
    if (exact_products(image.device) and n_features <= PRODUCT_FEATURES
            and n_features * image.numel() * (1 if blank else 2) <= PRODUCT_VALUES):  # fmt: skip
        member = (torch.arange(n_features, device=ids.device).view(-1, 1) == ids).to(image.dtype).unsqueeze(1)
        image_layers = (member * image.reshape(1, len(image), -1)).view(n_features, -1)
        hidden_layers = None if blank else (member * hidden.reshape(1, len(hidden), -1)).view(n_features, -1)

        def product(shown: Any, out: Any) -> Any:
            flat = torch.mm(shown, image_layers, out=out.view(len(shown), -1))
            if hidden_layers is not None:
                flat.addmm_(1 - shown, hidden_layers)
            return out

        return product

    def gather(shown: Any, out: Any) -> Any:
        # shown·image + (1 − shown)·hidden, each pixel's draw gathered: unlike torch.where broadcast over the
        # channels, this runs at memory speed on a CPU
        mask = shown.index_select(1, ids).view(len(shown), 1, *segments.shape)
        batch = torch.mul(mask, image, out=out)
        if not blank:
            batch.addcmul_(1 - mask, hidden)
        return batch

    return gather
