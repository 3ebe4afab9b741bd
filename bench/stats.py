"""Statistics behind the reports and ``bench compare``: intervals, paired tests, the bootstrap
(pure functions, checked against scipy / statsmodels in ``tests/test_stats.py``)."""

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
    mean = float(arr.mean()) if n else math.nan
    if n < 2:
        return MeanCI(mean, math.nan, math.nan, math.nan, n)
    std = float(arr.std(ddof=1))
    half = float(stdtrit(n - 1, (1 + confidence) / 2)) * std / math.sqrt(n)
    return MeanCI(mean, mean - half, mean + half, std, n)


@dataclass(frozen=True)
class McNemarResult:
    """Exact McNemar test: ``only_a`` = A right and B wrong, ``only_b`` = the reverse."""

    only_a: int
    only_b: int
    p_value: float


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
    right_a, right_b = pred_a == truth, pred_b == truth
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


N_BOOTSTRAP = 2000
BOOTSTRAP_SEED = 20170825  # fixed: the same results give the same intervals
POWER = 0.8


def bootstrap_weights(n_items: int, n_boot: int = N_BOOTSTRAP,
                      rng: np.random.Generator | None = None) -> np.ndarray:
    """``(n_boot, n_items)`` counts of each item in a resample with replacement; one matrix
    per test set, shared by its models, makes the bootstrap *paired* over test images."""
    rng = rng if rng is not None else np.random.default_rng(BOOTSTRAP_SEED)
    draws = rng.integers(0, n_items, size=(n_boot, n_items))
    flat = (np.arange(n_boot)[:, None] * n_items + draws).ravel()
    return np.bincount(flat, minlength=n_boot * n_items).reshape(n_boot, n_items).astype(
        np.float32)


def replicate_accuracies(correct: np.ndarray, weights: np.ndarray,
                         rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicates of a model's seed-mean accuracy: each reweights the images of
    ``correct`` (``(seeds, images)`` booleans) by a row of ``weights`` and draws the seeds with
    replacement."""
    correct = np.atleast_2d(np.asarray(correct, dtype=np.float32))
    n_seeds, n_items = correct.shape
    per_seed = (weights @ correct.T) / n_items  # (boot, seeds)
    picks = rng.integers(0, n_seeds, size=(weights.shape[0], n_seeds))
    return np.take_along_axis(per_seed, picks, axis=1).mean(axis=1).astype(float)


def percentile_interval(replicates: np.ndarray, confidence: float = CONFIDENCE,
                        ) -> tuple[float, float]:
    """The percentile bootstrap interval of ``replicates`` (NaNs dropped)."""
    arr = _clean(replicates)
    if arr.size == 0:
        return (math.nan, math.nan)
    tail = (1 - confidence) / 2
    low, high = np.quantile(arr, [tail, 1 - tail])
    return (float(low), float(high))


def combined_half_width(seed_accuracies: Sequence[float] | np.ndarray, n_test: int,
                        confidence: float = CONFIDENCE) -> float:
    """√((t · seed SE)² + (z · test-set SE)²) for the mean ``p`` of ``k`` seeds (t with k − 1
    degrees of freedom, zero for one seed), the analytic counterpart of
    :func:`replicate_accuracies`; NaN without values."""
    from scipy.special import ndtri, stdtrit

    arr = _clean(seed_accuracies)
    if arr.size == 0 or n_test <= 0:
        return math.nan
    p = float(arr.mean())
    tail = (1 + confidence) / 2
    seed = (float(stdtrit(arr.size - 1, tail)) * float(arr.std(ddof=1)) / math.sqrt(arr.size)
            if arr.size >= 2 else 0.0)
    return math.hypot(seed, float(ndtri(tail)) * math.sqrt(p * (1 - p) / n_test))


def combined_interval(seed_accuracies: Sequence[float] | np.ndarray, n_test: int,
                      confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Mean ± :func:`combined_half_width`, clipped to [0, 1]."""
    half = combined_half_width(seed_accuracies, n_test, confidence)
    if math.isnan(half):
        return (math.nan, math.nan)
    p = float(_clean(seed_accuracies).mean())
    return (max(0.0, p - half), min(1.0, p + half))


def mcnemar_min_detectable(n: int, disagreement: float, alpha: float = ALPHA,
                           power: float = POWER) -> float:
    """Smallest accuracy difference McNemar's test detects on ``n`` paired images where a share
    ψ = ``disagreement`` is right for exactly one model: Connor's (1987) sample-size formula
    ``n = (z_{α/2} √ψ + z_β √(ψ − δ²))² / δ²`` solved for δ; NaN when ψ <= 0."""
    from scipy.special import ndtri

    if n <= 0 or not disagreement > 0:
        return math.nan
    a, b, psi = float(ndtri(1 - alpha / 2)), float(ndtri(power)), float(disagreement)
    # (n + b²) δ² − 2 a √(ψ n) δ + (a² − b²) ψ = 0, positive root
    qa, qb, qc = n + b * b, -2 * a * math.sqrt(psi * n), (a * a - b * b) * psi
    delta = (-qb + math.sqrt(qb * qb - 4 * qa * qc)) / (2 * qa)
    return float(min(delta, math.sqrt(psi)))


def row_spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's ρ between each row of ``x`` and the same row of ``y`` (NaN for a constant
    row)."""
    from scipy.stats import rankdata

    rx, ry = rankdata(x, axis=-1), rankdata(y, axis=-1)
    rx -= rx.mean(axis=-1, keepdims=True)
    ry -= ry.mean(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (rx * ry).sum(-1) / np.sqrt((rx * rx).sum(-1) * (ry * ry).sum(-1))



def fit_line(x: Sequence[float], y: Sequence[float], confidence: float = CONFIDENCE):
    """Ordinary least squares of ``y`` on ``x`` as ``at(x0, new=False)``: (fitted value,
    half-width) at ``x0`` of the line's confidence band or, with ``new``, of the prediction
    interval of a new point there (t quantile, n - 2 degrees of freedom); None with fewer
    than 3 points or one x."""
    from scipy.special import stdtrit

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    sxx = float(np.sum((x - x.mean()) ** 2)) if x.size else 0.0
    if x.size < 3 or sxx == 0:
        return None
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * x.mean())
    t_s = stdtrit(x.size - 2, (1 + confidence) / 2) * math.sqrt(
        float(np.sum((y - intercept - slope * x) ** 2)) / (x.size - 2))

    def at(x0, new: bool = False):
        x0 = np.asarray(x0, dtype=float)
        return intercept + slope * x0, t_s * np.sqrt(new + 1 / x.size + (x0 - x.mean()) ** 2 / sxx)

    return at
