"""scikit-image's quickshift segmentation, the same segments, in whole-image tensor operations.

LIME's default segmentation is ``skimage.segmentation.quickshift(image, kernel_size=4, max_dist=200, ratio=0.2)``.
Its Cython core visits every pixel's (2w + 1)² window twice, one pixel at a time (w = ⌈3·kernel_size⌉): a
Parzen density Σ exp(−d²/2σ²) over the window, then the nearest pixel of higher density as the parent. On a
224×224 photo that is 0.28 s, two thirds of LIME's time once the perturbed images are scored in bulk. Here each
window offset is one vectorised operation over the whole image, and the colour-and-position distance of a pixel
pair is computed once for both pixels (it is symmetric, exactly), so the core runs about 1.8× faster. On a small
image (a 32×32 digit) most of those shared blocks would lie off the image; there each pixel's whole window is one
array instead (:func:`_small_segments`, 3.5 vs 4.2 ms).

The segments are skimage's, bit for bit on the tested images (x86-64; torch's exp may differ from libm's by an
ulp, which has not changed a segment): the same preprocessing (skimage's own functions), the same
tie-breaking noise from the same generator, the distances in float32 with skimage's order of operations, each
density summed in skimage's scan order with each step rounded as skimage's float32 accumulator rounds it, and
among equally near parents of higher density the first in scan order. What skimage computes in float64 (uint8 or
float64 images: there the symmetry saves less than the vectorisation costs), tiny images (under :data:`TINY`
pixels, where skimage's loop is the fastest) and images whose distances would not fit :data:`MEMORY_LIMIT` go to
skimage itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: below this many pixels skimage's loop is the fastest (lime's settings, 24×24: 2.1 ms, the whole window at once
#: 2.4 ms; 32×32: 4.2 vs 3.5 ms)
TINY = 28 * 28
#: below this many pixels the whole window at once (:func:`_small_segments`) is faster than the shared distance
#: blocks (:func:`_segments`; lime's settings, 48×48: 6.7 vs 10.3 ms, 64×64: 18.6 vs 15.1 ms)
SMALL = 60 * 60
#: bytes the distances may take: the whole window's with their terms, or the distance blocks and their flipped
#: copies (a 224×224 photo needs 160 MB)
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
    small = height * width < SMALL
    # bytes: the whole window's distances and their terms at once, or the distance blocks and flipped copies
    needed = window * window * height * width * 16 if small else (window // 2 + 1) * window * (height + window) * (
        width + window) * 8  # fmt: skip
    single = np.asarray(image).dtype in (np.float16, np.float32)  # skimage works in float32 for these, else float64
    if (not single or height * width < TINY or needed > MEMORY_LIMIT or kernel_size < 1
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
    return (_small_segments if small else _segments)(pixels, kernel_size, max_dist, rng)


def _segments(image: np.ndarray, kernel_size: float, max_dist: float, rng: Any) -> np.ndarray:
    """The core of ``skimage.segmentation._quickshift_cy._quickshift_cython`` on an (H, W, C) float32 image."""
    import torch

    height, width, channels = image.shape
    inverse, half, noise = _constants(kernel_size, rng, height, width)
    window = 2 * half + 1
    padded_h, padded_w = height + 2 * half, width + 2 * half
    plane = padded_h * padded_w

    channel_first, padded = _padded(image, half)
    dtype = torch.float32
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

    return _roots(parent.numpy().ravel(), closest.numpy().ravel(), max_dist, (height, width))


def _small_segments(image: np.ndarray, kernel_size: float, max_dist: float, rng: Any) -> np.ndarray:
    """:func:`_segments` for a small image, the whole window at once: each pixel's distances to all its window's
    offsets as one (offsets, pixels) array, computed both ways. On a small image most of the padded blocks that
    :func:`_segments` shares between a pair's two pixels lie off the image, and the per-offset operations cost more
    than their work (measured on a 32×32 image, lime's settings: 3.5 vs skimage's 4.2 ms)."""
    import torch

    height, width, channels = image.shape
    inverse, half, noise = _constants(kernel_size, rng, height, width)
    window = 2 * half + 1
    offsets, padded_w = window * window, width + 2 * half
    channel_first, padded = _padded(image, half)
    plane = padded[0].numel()

    # distance[(dr, dc), p]: the squared distance from p to p + (dr − half, dc − half), +inf off the image, in
    # skimage's order: channel by channel, then the row offset², then the column offset²
    distance = torch.empty((window, window, height, width))
    work = torch.empty_like(distance)
    for channel in range(channels):
        neighbours = padded.as_strided(distance.shape, (padded_w, 1, padded_w, 1), channel * plane)
        if channel == 0:
            torch.sub(channel_first[channel], neighbours, out=distance).square_()
        else:
            distance.add_(torch.sub(channel_first[channel], neighbours, out=work).square_())
    squares = torch.arange(-half, half + 1, dtype=torch.float32) ** 2
    distance.add_(squares.view(window, 1, 1, 1)).add_(squares.view(1, window, 1, 1))
    distance, work = distance.view(offsets, -1), work.view(offsets, -1)

    # densities: noise, then each term in scan order, added in double and rounded to float32 as skimage's float32
    # accumulator does (numpy's add with a float32 output computes in double and casts)
    terms = torch.mul(distance, inverse, out=work).double().exp_().numpy()
    density = noise.ravel()
    for term in terms:
        np.add(density, term, out=density, casting="unsafe")

    # parents: the nearest neighbour of higher density, the first in scan order among equally near ones; a
    # neighbour that is not higher is pushed out of reach by adding 3·10³⁸ (float32 distances of real images stay
    # far below; a pixel left with no neighbour in reach is a root)
    padded_density = torch.full((height + 2 * half, padded_w), -math.inf)
    density = torch.from_numpy(density).view(height, width)
    padded_density[half : half + height, half : half + width] = density
    neighbours = padded_density.as_strided((window, window, height, width), (padded_w, 1, padded_w, 1))
    torch.le(neighbours, density, out=work.view(window, window, height, width))
    reach = torch.add(distance, work, alpha=_OUT_OF_REACH, out=work)
    closest = reach.amin(dim=0)
    # the first offset at the least distance: (offset − offsets) where equal, 0 elsewhere, least of all
    first = torch.eq(reach, closest, out=distance).mul_(torch.arange(-offsets, 0, dtype=torch.float32).view(-1, 1))
    offset = first.amin(dim=0).long().numpy() + offsets
    rows, columns = np.divmod(np.arange(height * width), width)
    parent = (rows + offset // window - half) * width + columns + offset % window - half
    closest = closest.numpy()
    roots = closest >= _OUT_OF_REACH
    closest[roots], parent[roots] = math.inf, np.flatnonzero(roots)
    return _roots(parent, closest, max_dist, (height, width))


#: what :func:`_small_segments` adds to the distance of a neighbour that is not of higher density
_OUT_OF_REACH = 3e38


def _constants(kernel_size: float, rng: Any, height: int, width: int) -> tuple[float, int, np.ndarray]:
    """skimage's float32 −1/(2·kernel_size²), the window's half width ⌈3·kernel_size⌉, and its tie-breaking
    noise."""
    size = np.float32(kernel_size)
    inverse = float(np.float32(-0.5 / float(size * size)))
    half = math.ceil(float(np.float32(3) * size))
    noise = np.random.default_rng(rng).normal(scale=0.00001, size=(height, width)).astype(np.float32)
    return inverse, half, noise


def _padded(image: np.ndarray, half: int) -> tuple[Any, Any]:
    """The (H, W, C) image channels first, and padded by ``half`` pixels of +inf on every side (a neighbour off
    the image is infinitely far), both float32 tensors."""
    import torch

    height, width, channels = image.shape
    channel_first = torch.from_numpy(np.ascontiguousarray(np.moveaxis(image, -1, 0), dtype=np.float32))
    padded = torch.full((channels, height + 2 * half, width + 2 * half), math.inf, dtype=torch.float32)
    padded[:, half : half + height, half : half + width] = channel_first
    return channel_first, padded


def _roots(parent: np.ndarray, closest: np.ndarray, max_dist: float, shape: tuple[int, int]) -> np.ndarray:
    """skimage's own ending: cut links longer than ``max_dist``, follow each pixel to its root, number the roots.
    ``parent`` and ``closest`` (the squared link length, +inf for none) are per pixel, flattened."""
    link = np.sqrt(closest.astype(np.float64)).astype(np.float32)
    parents = parent.copy()
    too_far = link > max_dist
    parents[too_far] = np.flatnonzero(too_far)
    previous = np.zeros_like(parents)
    while (previous != parents).any():
        previous = parents
        parents = parents[parents]
    return np.unique(parents, return_inverse=True)[1].reshape(shape)
