"""Corrupted test images: label-preserving corruptions after MNIST-C (Mu & Gilmer, "MNIST-C: A
Robustness Benchmark for Computer Vision", arXiv:1906.02337), written from their descriptions at
the severity they chose, unless a docstring says why not.

Each is a pure ``f(images, seed) -> images`` on uint8 ``(n, H, W)`` arrays, its severity a
keyword whose neutral value (``degrees=0``) gives back the input. Randomness is drawn per image
from SplitMix64 keyed by ``blake2b(name, seed, the image's bytes)``, so an image's corruption
depends on neither its batch (``f(x[idx]) == f(x)[idx]``) nor numpy's generators.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bench.data.subsets import stratified_indices
from bench.errors import UsageError, did_you_mean

#: Bump when the output of any corruption changes (it is part of the identity of jobs).
CORRUPTION_VERSION = 1
#: The seed every evaluation corrupts with: each model sees the same corrupted test set.
CORRUPTION_SEED = 0
#: An expensive predictor (SVC, KNN: corruptions x its clean prediction's seconds over both
#: EXPENSIVE_SECONDS and EXPENSIVE_SHARE of its job so far) is evaluated on SUBSET_SIZE images.
SUBSET_SIZE, EXPENSIVE_SECONDS, EXPENSIVE_SHARE = 1_000, 60.0, 0.5

_GOLDEN, _MIX1, _MIX2 = (np.uint64(c) for c in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9,
                                                 0x94D049BB133111EB))  # SplitMix64


def _uniform(images: np.ndarray, seed: int, name: str, k: int) -> np.ndarray:
    """``(n, k)`` floats in [0, 1): draw j of image i is SplitMix64(key_i + (j + 1) * golden)."""
    prefix = hashlib.blake2b(f"{name}\0{int(seed)}\0".encode(), digest_size=8)
    keys = np.empty(len(images), dtype=np.uint64)
    for i, image in enumerate(images):
        h = prefix.copy()
        h.update(np.ascontiguousarray(image).tobytes())
        keys[i] = int.from_bytes(h.digest(), "little")
    z = np.arange(1, k + 1, dtype=np.uint64)[None, :] * _GOLDEN + keys[:, None]
    for shift, mix in ((30, _MIX1), (27, _MIX2)):
        z ^= z >> np.uint64(shift)
        z *= mix
    z ^= z >> np.uint64(31)
    z >>= np.uint64(11)
    return z.astype(np.float64) * 2.0**-53


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _affine(images: np.ndarray, matrices: np.ndarray, shifts: np.ndarray | None = None):
    """Warp about the centre: output pixel p (row, col) reads the input at ``matrices[i] @ p +
    shifts[i]``, bilinear, zero outside (fading over the pixel beyond the edge)."""
    n, h, w = images.shape
    shifts = np.zeros((n, 2)) if shifts is None else shifts
    rows, cols = np.meshgrid(np.arange(h) - (h - 1) / 2, np.arange(w) - (w - 1) / 2, indexing="ij")
    m, t = matrices[:, :, :, None, None], shifts[:, :, None, None]
    r = m[:, 0, 0] * rows + m[:, 0, 1] * cols + (t[:, 0] + (h - 1) / 2)
    c = m[:, 1, 0] * rows + m[:, 1, 1] * cols + (t[:, 1] + (w - 1) / 2)
    r, c = np.clip(r, -1.0, h) + 1.0, np.clip(c, -1.0, w) + 1.0  # in the zero-padded image
    r0, c0 = np.minimum(np.floor(r), h), np.minimum(np.floor(c), w)
    fr, fc = (r - r0).astype(np.float32), (c - c0).astype(np.float32)
    flat = np.pad(images.astype(np.float32), ((0, 0), (1, 1), (1, 1))).ravel()
    at = (np.arange(n)[:, None, None] * (h + 2) + r0.astype(np.intp)) * (w + 2) + c0.astype(np.intp)
    top = flat[at] * (1 - fc) + flat[at + 1] * fc
    bottom = flat[at + w + 2] * (1 - fc) + flat[at + w + 3] * fc
    return _to_uint8(top * (1 - fr) + bottom * fr)


def _sign(images: np.ndarray, seed: int, name: str) -> np.ndarray:
    """``(n,)`` of -1.0 or +1.0, each with probability one half."""
    return np.where(_uniform(images, seed, name, 1)[:, 0] < 0.5, -1.0, 1.0)


def shot_noise(images: np.ndarray, seed: int, *, photons: int = 3) -> np.ndarray:
    """Poisson noise as MNIST-C: a pixel of intensity v in [0, 1] becomes Poisson(v * photons)
    / photons; counts above ``photons`` saturate, so the draw (inverse CDF) stops there."""
    lam = images.astype(np.float64) * (photons / 255.0)
    u = _uniform(images, seed, "shot_noise", images[0].size).reshape(images.shape)
    term = np.exp(-lam)
    cdf, count = term.copy(), np.zeros_like(lam)
    for k in range(photons):
        count += u >= cdf
        term *= lam / (k + 1)
        cdf += term
    return _to_uint8(count * (255.0 / photons))


def impulse_noise(images: np.ndarray, seed: int, *, amount: float = 0.17) -> np.ndarray:
    """Salt and pepper as MNIST-C: a fraction ``amount`` of the pixels set to black or white
    (half each)."""
    u = _uniform(images, seed, "impulse_noise", images[0].size).reshape(images.shape)
    out = images.copy()
    out[u < amount] = 0
    out[u < amount / 2] = 255
    return out


def glass_blur(images: np.ndarray, seed: int, *, sigma: float = 0.7, delta: int = 1,
               rounds: int = 2) -> np.ndarray:
    """Gaussian blur, ``rounds`` local shuffles, the blur again (MNIST-C's parameters; its
    shuffle swaps pixels in a sequential scan, ours is a gather: each pixel, with probability
    one half, takes the value of a pixel up to ``delta`` rows and columns away)."""
    from scipy.ndimage import gaussian_filter

    n, h, w = images.shape
    values, side = gaussian_filter(images.astype(np.float64), (0, sigma, sigma)), 2 * delta + 1
    u = _uniform(images, seed, "glass_blur", rounds * h * w).reshape(n, rounds, h, w)
    pick = np.floor(u * (2 * side * side)).astype(np.intp)  # below side^2: move to pick
    moves = pick < side * side
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    for k in range(rounds):
        r = np.clip(rows + moves[:, k] * (pick[:, k] // side - delta), 0, h - 1)
        c = np.clip(cols + moves[:, k] * (pick[:, k] % side - delta), 0, w - 1)
        values = np.take_along_axis(values.reshape(n, -1), (r * w + c).reshape(n, -1), axis=1)
        values = values.reshape(n, h, w)
    return _to_uint8(gaussian_filter(values, (0, sigma, sigma)))


def motion_blur(images: np.ndarray, seed: int, *, sigma: float = 3.0) -> np.ndarray:
    """One-sided smear along a random direction within 45 degrees of horizontal: the mean of
    the image shifted by t = 0, 1, ..., 3 * sigma pixels, weighted exp(-t^2 / 2 sigma^2)
    (MNIST-C: ImageMagick's motion blur, radius 10, sigma 3, angle in +-45 degrees)."""
    n, h, w = images.shape
    angle = np.radians(90 * _uniform(images, seed, "motion_blur", 1)[:, 0] - 45)
    taps = np.arange(int(np.ceil(3 * sigma)) + 1)
    weights = np.exp(-(taps**2) / (2 * sigma**2)) if sigma > 0 else np.ones(1)
    pad = taps[-1] + 1  # every shifted read lands inside the zero border: no clipping
    flat = np.pad(images.astype(np.float32), ((0, 0), (pad, pad), (pad, pad))).ravel()
    wide = w + 2 * pad
    rows, cols = np.meshgrid(np.arange(pad, pad + h), np.arange(pad, pad + w), indexing="ij")
    base = np.arange(n)[:, None, None] * ((h + 2 * pad) * wide) + rows * wide + cols
    total = np.zeros(images.shape, dtype=np.float32)
    for t, weight in zip(taps, (weights / weights.sum()).astype(np.float32), strict=True):
        r, c = -t * np.sin(angle), -t * np.cos(angle)  # where output pixels read, per image
        r0, c0 = np.floor(r), np.floor(c)
        at = base + (r0 * wide + c0).astype(np.intp)[:, None, None]
        fr, fc = ((d - d0).astype(np.float32)[:, None, None] for d, d0 in ((r, r0), (c, c0)))
        top = flat[at] * (1 - fc) + flat[at + 1] * fc
        bottom = flat[at + wide] * (1 - fc) + flat[at + wide + 1] * fc
        total += weight * (top * (1 - fr) + bottom * fr)
    return _to_uint8(total)


def shear(images: np.ndarray, seed: int, *, factor: float = 0.4) -> np.ndarray:
    """Horizontal shear about the centre: a pixel moves +-``factor`` columns per row from the
    centre (random sign; MNIST-C shears by 0.4 rad with scikit-image, sin 0.4 = 0.39)."""
    s = factor * _sign(images, seed, "shear")
    one, zero = np.ones_like(s), np.zeros_like(s)
    return _affine(images, np.stack([np.stack([one, zero], 1), np.stack([s, one], 1)], 1))


def scale(images: np.ndarray, seed: int, *, factor: float = 0.7) -> np.ndarray:
    """Zoom about the centre by ``factor`` (0.7, as MNIST-C: the content shrinks to 70 %)."""
    return _affine(images, np.broadcast_to(np.eye(2) / factor, (len(images), 2, 2)))


def rotate(images: np.ndarray, seed: int, *, degrees: float = 23.0) -> np.ndarray:
    """Rotation about the centre by +-``degrees`` (random sign; MNIST-C: 0.4 rad = 23 deg)."""
    a = np.radians(degrees) * _sign(images, seed, "rotate")
    cos, sin = np.cos(a), np.sin(a)
    return _affine(images, np.stack([np.stack([cos, -sin], 1), np.stack([sin, cos], 1)], 1))


def translate(images: np.ndarray, seed: int, *, pixels: int = 3) -> np.ndarray:
    """Shift by ``pixels`` up, down, left or right, one at random (MNIST-C shifts 3 px along
    both axes, which leaves a clean linear model at chance on MNIST)."""
    way = np.floor(4 * _uniform(images, seed, "translate", 1)[:, 0]).astype(np.intp)
    shifts = pixels * np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])[way]
    return _affine(images, np.broadcast_to(np.eye(2), (len(images), 2, 2)), shifts)


def stripe(images: np.ndarray, seed: int, *, width: int = 7) -> np.ndarray:
    """The ``width`` leftmost and rightmost columns inverted (as MNIST-C)."""
    cols = np.arange(images.shape[2])
    return np.where((cols < width) | (cols >= len(cols) - width), 255 - images, images)


def dotted_line(images: np.ndarray, seed: int, *, dash: int = 2) -> np.ndarray:
    """A dashed white line (``dash`` columns on, ``dash`` off) from the left edge to the right
    between two random rows, as MNIST-C, fading over about two pixels; ``dash=0``: no line."""
    if dash <= 0:
        return images.copy()
    n, h, w = images.shape
    ends = np.floor(_uniform(images, seed, "dotted_line", 2) * h)
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    centre = ends[:, :1, None] + (ends[:, 1:, None] - ends[:, :1, None]) * cols / (w - 1)
    ink = np.clip(1 - np.abs(rows - centre) / 1.75, 0, 1) * ((cols // dash) % 2 == 1)
    return _to_uint8(images + 255.0 * ink)


def brightness(images: np.ndarray, seed: int, *, levels: int = 102) -> np.ndarray:
    """Every pixel brighter by ``levels`` grey levels, clipped (MNIST-C adds 0.5 of the range
    to the HSV value, the intensity of a grey image; 0.4 keeps a linear model above chance)."""
    return np.minimum(images.astype(np.int16) + levels, 255).astype(np.uint8)


def inverse(images: np.ndarray, seed: int) -> np.ndarray:
    """Negative image (MNIST-C's ``inverse``, left out of its final set)."""
    return 255 - images


def edges(images: np.ndarray, seed: int, *, sigma: float = 1.0, threshold: float = 0.4):
    """Stand-in for MNIST-C's Canny edges (no thinning or hysteresis): white where the Sobel
    gradient magnitude of the smoothed image exceeds ``threshold`` times its peak."""
    from scipy.ndimage import correlate1d, gaussian_filter

    smooth = gaussian_filter(images.astype(np.float64), (0, sigma, sigma))
    sobel = [correlate1d(correlate1d(smooth, [-1, 0, 1], axis), [1, 2, 1], 3 - axis)
             for axis in (1, 2)]  # per image (scipy's sobel would smooth across the batch)
    magnitude = np.hypot(*sobel)
    peak = magnitude.max(axis=(1, 2), keepdims=True)
    return np.where(magnitude > threshold * peak, 255, 0).astype(np.uint8)


@dataclass(frozen=True)
class Corruption:
    """One corruption at its fixed severity: ``function(images, seed)`` does it."""

    name: str
    family: str  # noise, blur, affine, occlusion, intensity or edges
    severity: str
    function: Callable[[np.ndarray, int], np.ndarray]


CORRUPTIONS: tuple[Corruption, ...] = (
    Corruption("shot_noise", "noise", "Poisson, 3 photons at full intensity", shot_noise),
    Corruption("impulse_noise", "noise", "17 % of pixels set to black or white", impulse_noise),
    Corruption("glass_blur", "blur", "sigma 0.7 px, 2 shuffles within 1 px", glass_blur),
    Corruption("motion_blur", "blur", "one-sided, sigma 3 px, within 45 deg of level", motion_blur),
    Corruption("shear", "affine", "horizontal, factor +-0.4", shear),
    Corruption("scale", "affine", "zoom 0.7 about the centre", scale),
    Corruption("rotate", "affine", "+-23 deg (0.4 rad) about the centre", rotate),
    Corruption("translate", "affine", "3 px up, down, left or right (random)", translate),
    Corruption("stripe", "occlusion", "7 columns inverted at each side", stripe),
    Corruption("dotted_line", "occlusion", "side to side, 2 px dashes, random ends", dotted_line),
    Corruption("brightness", "intensity", "+102 grey levels (0.4 of the range)", brightness),
    Corruption("inverse", "intensity", "negative image", inverse),
    Corruption("edges", "edges", "Sobel magnitude > 40 % of its peak, sigma 1 px", edges),
)

CORRUPTION_NAMES: tuple[str, ...] = tuple(c.name for c in CORRUPTIONS)


def get_corruption(name: str) -> Corruption:
    """The registered corruption called ``name``."""
    for corruption in CORRUPTIONS:
        if corruption.name == name:
            return corruption
    raise UsageError(f"unknown corruption {name!r}. {did_you_mean(name, CORRUPTION_NAMES)}")


def parse_corruptions(value: str | Sequence[str]) -> tuple[str, ...]:
    """A corruption set: ``"none"``, ``"default"`` (all, in registry order) or names (a list
    or a comma-separated string), each checked against the registry."""
    if not isinstance(value, str | list | tuple):
        raise UsageError(f"corruptions must be none, default or corruption names, got {value!r}.")
    names = [str(n).strip() for n in (value.split(",") if isinstance(value, str) else value)]
    if names in (["none"], [""], ["default"]):
        return CORRUPTION_NAMES if names == ["default"] else ()
    for name in (n for n in names if n not in CORRUPTION_NAMES):
        raise UsageError(f"unknown corruption {name!r}: give none, default or names from `bench "
                         f"list --corruptions`. {did_you_mean(name, CORRUPTION_NAMES)}")
    return tuple(dict.fromkeys(names))


def corrupt(images: np.ndarray, name: str, seed: int) -> np.ndarray:
    """``images`` (uint8, ``(n, H, W)``) under the corruption ``name`` with ``seed``."""
    corruption = get_corruption(name)
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 3:
        got = f"{images.dtype} {images.shape}" if isinstance(images, np.ndarray) else type(images)
        raise UsageError(f"corruptions apply to uint8 images of shape (n, H, W), got {got}.")
    return corruption.function(images, seed) if len(images) else images.copy()


def evaluated_positions(labels: np.ndarray, size: int) -> np.ndarray:
    """Positions, among a job's test images (true ``labels``), of the ``size`` each corruption
    is evaluated on: stratified by class, fixed by the seed (all when ``size`` is no fewer)."""
    return stratified_indices(labels, size, CORRUPTION_SEED)


def evaluated_size(n_test: int, projected: float, job_seconds: float) -> int:
    """How many test images each corruption is evaluated on (see :data:`SUBSET_SIZE`)."""
    expensive = projected > max(EXPENSIVE_SECONDS, EXPENSIVE_SHARE * job_seconds)
    return min(n_test, SUBSET_SIZE) if expensive else n_test
