"""Our quickshift (interpretwidgets.kernels._quickshift) against scikit-image's, segment for segment."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data, transform
from skimage.segmentation import quickshift as skimage_quickshift

from interpretwidgets.kernels import _quickshift
from tests.image_models import photo

LIME_DEFAULT = {"kernel_size": 4, "max_dist": 200, "ratio": 0.2}


def _images() -> dict[str, np.ndarray]:
    return {
        "cat 224, float32": np.transpose(photo(224), (1, 2, 0)),
        "astronaut 96×128, float32": transform.resize(data.astronaut(), (96, 128)).astype(np.float32),
        "uniform noise 64×80, float32": np.random.default_rng(3).random((64, 80, 3)).astype(np.float32),
        "flat grey 60×60, float32": np.full((60, 60, 3), 0.5, np.float32),
    }


@pytest.mark.parametrize("name", list(_images()))
@pytest.mark.parametrize(
    "arguments",
    [LIME_DEFAULT, {"kernel_size": 2.5, "max_dist": 8, "ratio": 0.7, "sigma": 1, "rng": 3}],
    ids=["lime's default", "small kernel, smoothed, other seed"],
)
def test_the_same_segments_as_skimage(name, arguments):
    image = _images()[name]
    ours = _quickshift.quickshift(image, **arguments)
    expected = skimage_quickshift(image, **arguments)
    assert ours.shape == expected.shape
    np.testing.assert_array_equal(ours, expected)


def test_the_tensor_path_runs_on_a_photo_and_skimage_takes_the_rest(monkeypatch):
    """The vectorised core serves float32 images of at least SMALL pixels; float64, uint8 and small images go to
    skimage itself (where it is as fast), with the same result either way."""
    calls = []
    core = _quickshift._segments
    monkeypatch.setattr(_quickshift, "_segments", lambda *a: calls.append(a[0].shape) or core(*a))
    cat = np.transpose(photo(224), (1, 2, 0))
    _quickshift.quickshift(cat, **LIME_DEFAULT)
    assert calls == [(224, 224, 3)]
    for other in (cat.astype(np.float64), (cat * 255).astype(np.uint8), cat[:40, :40]):
        np.testing.assert_array_equal(
            _quickshift.quickshift(other, **LIME_DEFAULT), skimage_quickshift(other, **LIME_DEFAULT)
        )
    assert len(calls) == 1


def test_lime_on_a_photo_segments_as_lime_s_own_default():
    """explain_image's LIME segments with our quickshift and gets lime's own default segments."""
    import torch
    from lime.wrappers.scikit_image import SegmentationAlgorithm

    import interpretwidgets as iw
    from tests.image_models import colour_net

    cat = photo(96)
    with torch.no_grad():
        a = iw.explain_image(colour_net(), cat, "lime", target=0, n_samples=50, random_state=1, progress=False)
    lime_default = SegmentationAlgorithm("quickshift", random_seed=1, **LIME_DEFAULT)
    np.testing.assert_array_equal(a.segments[0], lime_default(np.transpose(cat, (1, 2, 0))))
