"""Statistics behind every report number: intervals, paired tests, multiple comparisons.

Pure functions on plain numbers and arrays; each is checked against scipy / statsmodels
in ``tests/test_stats.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95
ALPHA = 0.05


@dataclass(frozen=True)
class MeanCI:
    """Mean of ``n`` values with a two-sided t confidence interval (NaN bounds when n < 2)."""

    mean: float
    low: float
    high: float
    std: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def has_interval(self) -> bool:
        return self.n >= 2 and not math.isnan(self.low)


def _clean(values: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr[~np.isnan(arr)]


def mean_ci(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> MeanCI:
    """Mean, sample std (ddof=1) and t interval; NaNs in ``values`` are dropped."""
    from scipy.special import stdtrit  # t quantile; scipy.stats costs a second to import

    arr = _clean(values)
    n = int(arr.size)
    if n == 0:
        return MeanCI(math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(arr.mean())
    if n == 1:
        return MeanCI(mean, math.nan, math.nan, math.nan, 1)
    std = float(arr.std(ddof=1))
    half = float(stdtrit(n - 1, (1 + confidence) / 2)) * std / math.sqrt(n)
    return MeanCI(mean, mean - half, mean + half, std, n)


def sample_std(values: Sequence[float] | np.ndarray) -> float:
    """Sample standard deviation (ddof=1); NaN for fewer than two values."""
    arr = _clean(values)
    return float(arr.std(ddof=1)) if arr.size >= 2 else math.nan


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n``; (NaN, NaN) when n == 0."""
    from scipy.special import ndtri  # normal quantile

    if n <= 0:
        return (math.nan, math.nan)
    z = float(ndtri((1 + confidence) / 2))
    p = successes / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, center - half), min(1.0, center + half))


@dataclass(frozen=True)
class McNemarResult:
    """Exact McNemar test: ``only_a`` = A right and B wrong, ``only_b`` = the reverse."""

    only_a: int
    only_b: int
    p_value: float

    @property
    def discordant(self) -> int:
        return self.only_a + self.only_b


def mcnemar_exact_counts(only_a: int, only_b: int) -> McNemarResult:
    """Two-sided exact binomial test (p = 0.5) on the discordant pairs."""
    from scipy.special import bdtr  # binomial CDF

    n = only_a + only_b
    if n == 0:
        return McNemarResult(only_a, only_b, 1.0)
    p = 2 * float(bdtr(min(only_a, only_b), n, 0.5))
    return McNemarResult(only_a, only_b, min(1.0, p))


def mcnemar_exact(pred_a: np.ndarray, pred_b: np.ndarray, truth: np.ndarray) -> McNemarResult:
    """McNemar's exact test of two classifiers' paired predictions against ``truth``."""
    pred_a, pred_b, truth = (np.asarray(v) for v in (pred_a, pred_b, truth))
    if not pred_a.shape == pred_b.shape == truth.shape:
        raise ValueError(f"paired vectors differ in shape: {pred_a.shape}, {pred_b.shape}, "
                         f"{truth.shape}")
    right_a = pred_a == truth
    right_b = pred_b == truth
    return mcnemar_exact_counts(int(np.sum(right_a & ~right_b)), int(np.sum(~right_a & right_b)))


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return [float(v) for v in adjusted]


def error_rate_ratio(accuracy_num: float, accuracy_den: float) -> float:
    """``(1 - accuracy_num) / (1 - accuracy_den)``: how many times more errors; inf if den is 1."""
    err_den = 1 - accuracy_den
    if err_den <= 0:
        return math.inf if accuracy_num < 1 else math.nan
    return (1 - accuracy_num) / err_den


def digits_to_array(digits: str) -> np.ndarray:
    """A string of class digits (``"7210"``) as a uint8 array."""
    arr = np.frombuffer(digits.encode("ascii"), dtype=np.uint8) - ord("0")
    if arr.size and arr.max() > 9:
        raise ValueError("prediction string holds non-digit characters")
    return arr


def array_to_digits(values: np.ndarray) -> str:
    """Inverse of :func:`digits_to_array` for classes 0-9."""
    return (np.asarray(values, dtype=np.uint8) + ord("0")).tobytes().decode("ascii")
