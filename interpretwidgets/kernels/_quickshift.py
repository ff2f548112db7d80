"""scikit-image's quickshift segmentation, the same segments, in whole-image tensor operations.

LIME's default segmentation is ``skimage.segmentation.quickshift(image, kernel_size=4, max_dist=200, ratio=0.2)``.
Its Cython core visits every pixel's (2w + 1)² window twice, one pixel at a time (w = ⌈3·kernel_size⌉): a
Parzen density Σ exp(−d²/2σ²) over the window, then the nearest pixel of higher density as the parent. On a
224×224 photo that is 0.28 s, two thirds of LIME's time once the perturbed images are scored in bulk. Here each
window offset is one vectorised operation over the whole image, and the colour-and-position distance of a pixel
pair is computed once for both pixels (it is symmetric, exactly), so the core runs about 1.8× faster.

The segments are skimage's, bit for bit on the tested images (x86-64; torch's exp may differ from libm's by an
ulp, which has not changed a segment): the same preprocessing (skimage's own functions), the same
tie-breaking noise from the same generator, the distances in float32 with skimage's order of operations, each
density summed in skimage's scan order with each step rounded as skimage's float32 accumulator rounds it, and
among equally near parents of higher density the first in scan order. What skimage computes in float64 (uint8 or
float64 images: there the symmetry saves less than the vectorisation costs), small images (where skimage's loop
is as fast) and images whose distance blocks would not fit :data:`MEMORY_LIMIT` go to skimage itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: below this many pixels skimage's loop is as fast as the tensor operations (measured: 64×64 0.020 vs 0.017 s)
SMALL = 48 * 48
#: bytes the distance blocks and their flipped copies may take (a 224×224 photo needs 160 MB)
MEMORY_LIMIT = 2**28
#: the parameters of skimage's ``quickshift`` that this computes; any other goes to skimage
PARAMETERS = frozenset({"ratio", "kernel_size", "max_dist", "sigma", "convert2lab", "rng"})


def quickshift(
    image: np.ndarray,
    ratio: float = 1.0,
    kernel_size: float = 5,
    max_dist: float = 10,
    sigma: float = 0,
    convert2lab: bool = True,
    rng: Any = 42,
) -> np.ndarray:
    """``skimage.segmentation.quickshift`` (channels last, no ``return_tree``): the same (H, W) segment ids."""
    from skimage.color import rgb2lab
    from skimage.filters import gaussian
    from skimage.segmentation import quickshift as reference
    from skimage.util import img_as_float

    arguments = {"ratio": ratio, "kernel_size": kernel_size, "max_dist": max_dist, "sigma": sigma,
                 "convert2lab": convert2lab, "rng": rng}  # fmt: skip
    height, width = np.shape(image)[:2]
    window = 2 * math.ceil(3 * kernel_size) + 1
    blocks = (window // 2 + 1) * window * (height + window) * (width + window) * 8
    single = np.asarray(image).dtype in (np.float16, np.float32)  # skimage works in float32 for these, else float64
    if (not single or height * width < SMALL or blocks > MEMORY_LIMIT or kernel_size < 1
            or isinstance(rng, np.random.Generator)):  # fmt: skip
        return reference(image, **arguments)
    # skimage's preprocessing, in its order
    pixels = img_as_float(np.atleast_3d(image)).astype(np.float32, copy=False)
    if convert2lab:
        if pixels.shape[-1] != 3:
            raise ValueError("Only RGB images can be converted to Lab space.")
        pixels = rgb2lab(pixels)
    pixels = gaussian(pixels, sigma=[sigma, sigma, 0], mode="reflect", channel_axis=-1)
    pixels = np.ascontiguousarray(pixels * ratio)
    return _segments(pixels, kernel_size, max_dist, rng)


def _segments(image: np.ndarray, kernel_size: float, max_dist: float, rng: Any) -> np.ndarray:
    """The core of ``skimage.segmentation._quickshift_cy._quickshift_cython`` on an (H, W, C) float32 image."""
    import torch

    height, width, channels = image.shape
    size = np.float32(kernel_size)
    inverse = float(np.float32(-0.5 / float(size * size)))
    half = math.ceil(float(np.float32(3) * size))
    window = 2 * half + 1
    padded_h, padded_w = height + 2 * half, width + 2 * half
    plane = padded_h * padded_w
    noise = np.random.default_rng(rng).normal(scale=0.00001, size=(height, width)).astype(np.float32)

    channel_first = torch.from_numpy(np.ascontiguousarray(np.moveaxis(image, -1, 0)))
    dtype = torch.float32
    padded = torch.full((channels, padded_h, padded_w), math.inf, dtype=dtype)
    padded[:, half : half + height, half : half + width] = channel_first
    column_offsets = (torch.arange(-half, half + 1, dtype=dtype) ** 2).view(window, 1, 1)
    inside = (slice(None), slice(half, half + height), slice(half, half + width))

    # blocks[dr][j] at pixel p: the squared distance from p to p + (dr, j − half), for dr ≥ 0, +inf off the image;
    # skimage's order: channel by channel, then the row offset², then the column offset²
    blocks, difference = [], torch.empty((window, height, width), dtype=dtype)
    for row in range(half + 1):
        block = torch.full((window, padded_h, padded_w), math.inf, dtype=dtype)
        distance = block[inside]
        for channel in range(channels):
            neighbours = padded[channel].as_strided(
                (window, height, width), (1, padded_w, 1), channel * plane + (half + row) * padded_w
            )
            torch.sub(channel_first[channel], neighbours, out=difference).square_()
            if channel == 0:
                distance.copy_(difference)
            else:
                distance.add_(difference)
        distance.add_(float(row * row)).add_(column_offsets)
        blocks.append(block)
    # the distance to p − (dr, dc) is the distance from there to p: block dr, column offset −dc, read at p − (dr, dc)
    flipped = [torch.flip(block, dims=[0]) for block in blocks]

    def distances(row: int) -> Any:
        """(window, H, W): the squared distance from each pixel to its neighbour at (row, j − half)."""
        if row >= 0:
            return blocks[row][inside]
        return flipped[-row].as_strided((window, height, width), (plane + 1, padded_w, 1), (half + row) * padded_w)

    # densities: noise first, then exp(d²·inverse) in scan order (row offset, then column offset), each term
    # taken as skimage's float32 accumulator takes it: the exp in double, added in double, rounded to float32
    density = torch.from_numpy(noise)
    wide = density.double()
    # reused buffers: fresh (window, H, W) tensors each row offset cost the memory allocator's page faults
    scaled, terms = torch.empty_like(difference), torch.empty(difference.shape, dtype=torch.float64)
    for row in range(-half, half + 1):
        torch.mul(distances(row), inverse, out=scaled)
        for term in terms.copy_(scaled).exp_():
            wide.add_(term)
            density.copy_(wide)
            wide.copy_(density)

    # parents: the nearest neighbour of higher density, the first in scan order among equally near ones
    padded_density = torch.full((padded_h, padded_w), -math.inf, dtype=dtype)
    padded_density[half : half + height, half : half + width] = density
    closest = torch.full((height, width), math.inf, dtype=dtype)
    parent = torch.arange(height * width).view(height, width)
    first_column = parent - half
    infinity = torch.tensor(math.inf, dtype=dtype)
    above = torch.empty(difference.shape, dtype=torch.bool)
    for row in range(-half, half + 1):
        neighbours = padded_density.as_strided((window, height, width), (1, padded_w, 1), (half + row) * padded_w)
        torch.gt(neighbours, density, out=above)
        nearest, column = torch.where(above, distances(row), infinity, out=scaled).min(dim=0)
        nearer = nearest < closest
        closest = torch.where(nearer, nearest, closest)
        parent = torch.where(nearer, first_column + row * width + column, parent)

    # skimage's own ending: cut links longer than max_dist, follow each pixel to its root, number the roots
    link = torch.sqrt(closest.double()).to(dtype).numpy().ravel()
    parents = parent.numpy().ravel().copy()
    too_far = link > max_dist
    parents[too_far] = np.arange(height * width)[too_far]
    previous = np.zeros_like(parents)
    while (previous != parents).any():
        previous = parents
        parents = parents[parents]
    return np.unique(parents, return_inverse=True)[1].reshape(height, width)
