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
        # small images: each pixel's whole window at once
        "astronaut 40×40, float32": transform.resize(data.astronaut(), (40, 40)).astype(np.float32),
        "noise 30×36, float32": np.random.default_rng(4).random((30, 36, 3)).astype(np.float32),
        "a digit 32×32, grey as RGB": np.repeat(_digit()[..., None], 3, axis=-1),
    }


def _digit() -> np.ndarray:
    from tests.image_models import digits

    return digits()[0][7, 0]


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


def test_each_path_takes_its_images_and_skimage_the_rest(monkeypatch):
    """The shared distance blocks serve float32 images of at least SMALL pixels, the whole window at once those of
    at least TINY; float64, uint8 and tiny images go to skimage itself, with the same result either way."""
    calls = []
    for path in ("_segments", "_small_segments"):
        core = getattr(_quickshift, path)
        monkeypatch.setattr(
            _quickshift, path, lambda *a, path=path, core=core: calls.append((path, a[0].shape)) or core(*a)
        )
    cat = np.transpose(photo(224), (1, 2, 0))
    _quickshift.quickshift(cat, **LIME_DEFAULT)
    _quickshift.quickshift(cat[:40, :40], **LIME_DEFAULT)
    assert calls == [("_segments", (224, 224, 3)), ("_small_segments", (40, 40, 3))]
    for other in (cat.astype(np.float64), (cat * 255).astype(np.uint8), cat[:20, :20]):
        np.testing.assert_array_equal(
            _quickshift.quickshift(other, **LIME_DEFAULT), skimage_quickshift(other, **LIME_DEFAULT)
        )
    assert len(calls) == 2


def test_a_pixel_with_no_denser_neighbour_is_a_root_whatever_max_dist():
    """With max_dist = inf no link is cut, so the roots are the pixels with no denser neighbour in reach."""
    image = np.random.default_rng(5).random((32, 32, 3)).astype(np.float32)
    arguments = {"kernel_size": 1, "max_dist": np.inf, "ratio": 0.5, "rng": 2}
    np.testing.assert_array_equal(_quickshift.quickshift(image, **arguments), skimage_quickshift(image, **arguments))


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
