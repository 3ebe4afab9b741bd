"""The measurements behind "is MNIST too easy?": effect sizes, each with a 95% interval.

Intervals are percentile intervals of a paired bootstrap (:data:`METHOD`): every replicate
reweights the test images of a test set (one weight matrix per test set, shared by all models,
so comparisons between models are paired) and draws each model's seeds with replacement.
Models whose seeds agree exactly are one effective run; only the test images vary for them.
Without stored predictions or test labels a cell falls back to the analytic interval of
:func:`bench.stats.combined_interval` and derived measures that need replicates are skipped.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from bench.data import specs
from bench.reports.inputs import ReportInputs
from bench.reports.references import References
from bench.results.record import RunRecord
from bench.stats import (
    BOOTSTRAP_SEED,
    N_BOOTSTRAP,
    bootstrap_weights,
    combined_interval,
    crossing_size,
    percentile_interval,
    poisson_binomial_at_least,
    replicate_accuracies,
)

MNIST, FASHION = specs.MNIST.name, specs.FASHION_MNIST.name
METHOD = (f"95% percentile intervals from a paired bootstrap ({N_BOOTSTRAP:,} replicates, "
          "fixed seed): each replicate resamples the test images (the same resample for every "
          "model on a test set) and each model's seeds, with replacement")
PER_10K = 10_000
PIXEL_BARS = tuple(round(0.80 + 0.01 * i, 2) for i in range(20))
PIXEL_BAR = 0.90  # the bar the folklore is usually read at; the curve shows all of them


def _stable_seed(*parts: object) -> int:
    text = "/".join(str(p) for p in parts)
    return BOOTSTRAP_SEED + int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


@dataclass(frozen=True, eq=False)
class Estimate:
    """A point value with its 95% interval and (when bootstrapped) its replicates."""

    value: float
    low: float
    high: float
    replicates: np.ndarray | None = field(default=None, repr=False)


def estimate(replicates: np.ndarray, value: float) -> Estimate:
    low, high = percentile_interval(replicates)
    return Estimate(float(value), low, high, np.asarray(replicates, dtype=float))


@dataclass(frozen=True, eq=False)
class Cell:
    """One model on one dataset at one training size, over its seeds."""

    model: str
    dataset: str
    train_size: int
    accuracy: Estimate
    n_test: int
    seeds: int
    effective_runs: int
    fit_seconds: float
    correct: np.ndarray | None = field(default=None, repr=False)  # (seeds, images) or None
    digest: str | None = None
    params: dict = field(default_factory=dict)

    @property
    def errors(self) -> Estimate:
        """Test errors per 10,000 images."""
        a = self.accuracy
        reps = None if a.replicates is None else PER_10K * (1 - a.replicates)
        return Estimate(PER_10K * (1 - a.value), PER_10K * (1 - a.high), PER_10K * (1 - a.low),
                        reps)

    @property
    def gradient_steps(self) -> int | None:
        """Epochs × batches per epoch, when the parameters say (neural models)."""
        epochs, batch = self.params.get("epochs"), self.params.get("batch_size")
        if not isinstance(epochs, int) or not isinstance(batch, int) or batch <= 0:
            return None
        return epochs * math.ceil(self.train_size / batch)


def effective_runs(records: list[RunRecord]) -> int:
    """Distinct prediction vectors among the seeds (all seeds when predictions are absent)."""
    preds = [r.test_predictions for r in records]
    return len(records) if any(p is None for p in preds) else len(set(preds))


class Bootstrap:
    """Cells with bootstrap replicates; one weight matrix per (dataset, test-index set)."""

    def __init__(self, inputs: ReportInputs, n_boot: int = N_BOOTSTRAP):
        self.n_boot = n_boot
        self._weights: dict[tuple[str, str], np.ndarray] = {}
        groups: dict[tuple[str, str, int], list[RunRecord]] = defaultdict(list)
        for r in (*inputs.runs, *inputs.curve_runs):
            if r.test_accuracy is not None:
                groups[(r.model, r.dataset, r.train_size)].append(r)
        self.cells = {key: self._cell(inputs, key, sorted(recs, key=lambda r: r.seed))
                      for key, recs in sorted(groups.items())}
        self.full_size = {}
        for r in inputs.runs:
            self.full_size[(r.model, r.dataset)] = max(
                r.train_size, self.full_size.get((r.model, r.dataset), 0))

    def _weights_for(self, dataset: str, digest: str, n: int) -> np.ndarray:
        key = (dataset, digest)
        if key not in self._weights:
            rng = np.random.default_rng(_stable_seed("weights", dataset, digest))
            self._weights[key] = bootstrap_weights(n, self.n_boot, rng)
        return self._weights[key]

    def _cell(self, inputs: ReportInputs, key: tuple[str, str, int],
              records: list[RunRecord]) -> Cell:
        model, dataset, size = key
        accs = [float(r.test_accuracy) for r in records]
        n_test = max(r.test_size for r in records)
        fit = [r.fit_seconds for r in records if r.fit_seconds is not None]
        fit_seconds = float(np.mean(fit)) if fit else math.nan
        base = dict(model=model, dataset=dataset, train_size=size, n_test=n_test,
                    seeds=len(records), effective_runs=effective_runs(records),
                    fit_seconds=fit_seconds, params=dict(records[0].params or {}))
        correct, digest = self._correct(inputs, records)
        if correct is None:
            low, high = combined_interval(accs, n_test)
            return Cell(accuracy=Estimate(float(np.mean(accs)), low, high), **base)
        weights = self._weights_for(dataset, digest, correct.shape[1])
        rng = np.random.default_rng(_stable_seed("seeds", model, dataset, size))
        reps = replicate_accuracies(correct, weights, rng)
        return Cell(accuracy=estimate(reps, float(correct.mean())), correct=correct,
                    digest=digest, **base)

    @staticmethod
    def _correct(inputs: ReportInputs, records: list[RunRecord],
                 ) -> tuple[np.ndarray | None, str | None]:
        digests = {r.test_indices_digest for r in records}
        if len(digests) != 1 or None in digests:
            return None, None
        rows = []
        for r in records:
            truth, pred = inputs.truth(r), inputs.predictions(r)
            if truth is None or pred is None or truth.shape != pred.shape:
                return None, None
            rows.append(pred == truth)
        return np.asarray(rows, dtype=bool), digests.pop()

    def full(self, model: str, dataset: str) -> Cell | None:
        size = self.full_size.get((model, dataset))
        return None if size is None else self.cells.get((model, dataset, size))

    def full_cells(self, dataset: str) -> list[Cell]:
        return [c for (m, d), s in sorted(self.full_size.items())
                if d == dataset and (c := self.cells.get((m, d, s))) is not None]

    def curve(self, model: str, dataset: str) -> list[Cell]:
        """The model's cells on ``dataset`` by training size, up to its headline size."""
        top = self.full_size.get((model, dataset), 0)
        return sorted((c for (m, d, _), c in self.cells.items()
                       if m == model and d == dataset and c.train_size <= top),
                      key=lambda c: c.train_size)


def _ratio(num: np.ndarray | float, den: np.ndarray | float):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(num, dtype=float) / np.asarray(den, dtype=float)


@dataclass(frozen=True, eq=False)
class Saturation:
    """Errors left per model, and the Fashion/MNIST error ratio."""

    cells: dict[str, list[Cell]]
    ratios: dict[str, Estimate]  # model -> Fashion errors / MNIST errors
    published_errors: dict[str, float]  # dataset -> errors per 10,000 of the best published
    label_errors: dict[str, float]
    best_ratio: Estimate | None = None  # best Fashion model's errors / best MNIST model's


def saturation(boot: Bootstrap, refs: References, datasets: tuple[str, ...]) -> Saturation:
    cells = {d: boot.full_cells(d) for d in datasets}
    ratios = {cm.model: _error_ratio(cf, cm) for cm in cells.get(MNIST, [])
              if (cf := boot.full(cm.model, FASHION)) is not None}
    published = {d: PER_10K * (1 - r.value) for d, r in refs.best_published.items()}
    labels = {d: float(r.value) for d, r in refs.label_errors.items()}
    return Saturation(cells, ratios, published, labels, _best_ratio(cells))


def _best_ratio(cells: dict[str, list[Cell]]) -> Estimate | None:
    """The most accurate Fashion-MNIST model's errors over the most accurate MNIST model's."""
    if not cells.get(MNIST) or not cells.get(FASHION):
        return None
    bm, bf = (max(cells[d], key=lambda c: (c.accuracy.value, c.model)) for d in (MNIST, FASHION))
    return _error_ratio(bf, bm)


def _error_ratio(num: Cell, den: Cell) -> Estimate:
    """``num``'s errors over ``den``'s; replicates are paired by index when both have them
    (the two test sets are resampled independently)."""
    value = float(_ratio(1 - num.accuracy.value, 1 - den.accuracy.value))
    if num.accuracy.replicates is None or den.accuracy.replicates is None:
        return Estimate(value, math.nan, math.nan)
    reps = _ratio(1 - num.accuracy.replicates, 1 - den.accuracy.replicates)
    return estimate(reps[np.isfinite(reps)], value)


@dataclass(frozen=True, eq=False)
class Efficiency:
    """Training images a model needs on MNIST to reach its own full-data Fashion accuracy."""

    model: str
    target: float
    full_size: int
    images: float
    censor: str  # "", "<=" (the smallest size already reaches it) or ">" (never reaches it)
    low: float
    high: float
    low_censor: str
    high_censor: str
    min_steps: int | None  # fewest gradient steps among the curve points (neural models)


def data_efficiency(boot: Bootstrap) -> list[Efficiency]:
    out = []
    for model in sorted(mo for mo, d in boot.full_size if d == MNIST):
        curve, target = boot.curve(model, MNIST), boot.full(model, FASHION)
        if target is None or len(curve) < 2:
            continue
        sizes = [c.train_size for c in curve]
        point, mark = crossing_size(sizes, [c.accuracy.value for c in curve],
                                    target.accuracy.value)
        low = high = math.nan
        low_mark = high_mark = ""
        reps = [c.accuracy.replicates for c in curve]
        if all(r is not None for r in reps) and target.accuracy.replicates is not None:
            found = (crossing_size(sizes, row, float(t)) for row, t in
                     zip(np.stack(reps, axis=1), target.accuracy.replicates, strict=True))
            values = np.asarray([v * (2.0 if mark == ">" else 1.0) for v, mark in found])
            tail = (1 - 0.95) / 2
            low, high = (float(np.quantile(values, q, method="inverted_cdf"))
                         for q in (tail, 1 - tail))
            low_mark = "<=" if low <= sizes[0] else (">" if low > sizes[-1] else "")
            high_mark = "<=" if high <= sizes[0] else (">" if high > sizes[-1] else "")
            low, high = min(max(low, sizes[0]), sizes[-1]), min(max(high, sizes[0]), sizes[-1])
        steps = [s for c in curve if (s := c.gradient_steps) is not None]
        out.append(Efficiency(model, target.accuracy.value, sizes[-1], point,
                              mark, low, high, low_mark, high_mark, min(steps) if steps else None))
    return out


@dataclass(frozen=True)
class PixelCurve:
    """Share of class pairs the best single pixel separates at each bar, and P(most)."""

    dataset: str
    n_pairs: int
    bars: tuple[float, ...]
    shares: tuple[float, ...]
    prob_most: tuple[float, ...]  # probability that more than half the pairs reach the bar

    def share_at(self, bar: float) -> float:
        return self.shares[self.bars.index(round(bar, 2))]

    def prob_at(self, bar: float) -> float:
        return self.prob_most[self.bars.index(round(bar, 2))]

    @property
    def highest_majority_bar(self) -> float | None:
        """The highest bar at which more than half the pairs reach it (None if none)."""
        found = [b for b, s in zip(self.bars, self.shares, strict=True) if s > 0.5]
        return max(found) if found else None


def pixel_curve(inputs: ReportInputs, dataset: str) -> PixelCurve | None:
    """The curve over :data:`PIXEL_BARS`; P(most) treats each pair's test accuracy as
    normal with its binomial standard error (independent pairs, Poisson-binomial count)."""
    from scipy.special import ndtr

    found = inputs.analyses.get(dataset)
    if found is None or not found.separability:
        return None
    pairs = found.separability
    acc = np.array([p.test_accuracy for p in pairs], dtype=float)
    count = np.array([max(1, p.test_count) for p in pairs], dtype=float)
    se = np.sqrt(acc * (1 - acc) / count)
    shares, probs = [], []
    need = len(pairs) // 2 + 1
    for bar in PIXEL_BARS:
        shares.append(float(np.mean(acc >= bar)))
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(se > 0, ndtr((acc - bar) / se), (acc >= bar).astype(float))
        probs.append(poisson_binomial_at_least(p, need))
    return PixelCurve(dataset, len(pairs), PIXEL_BARS, tuple(shares), tuple(probs))


@dataclass(frozen=True, eq=False)
class Headroom:
    """The best model's distance to the best published accuracy on one dataset."""

    dataset: str
    model: str
    accuracy: Estimate
    reference: float
    gap: Estimate  # reference − accuracy (fraction; shown in pp)
    error_ratio: Estimate  # model errors / reference errors


def versus_reference(a: Estimate, reference: float) -> tuple[Estimate, Estimate]:
    """(``reference − a``, ``a``'s errors over the reference's): both are monotone in ``a``,
    so their intervals are ``a``'s bounds transformed."""
    r = reference
    return (Estimate(r - a.value, r - a.high, r - a.low),
            Estimate(*((1 - v) / (1 - r) for v in (a.value, a.high, a.low))))


def headroom(boot: Bootstrap, refs: References, datasets: tuple[str, ...]) -> list[Headroom]:
    out = []
    for d in datasets:
        ref = refs.best_published.get(d)
        cells = boot.full_cells(d)
        if ref is None or not cells:
            continue
        best = sorted(cells, key=lambda c: (-c.accuracy.value, c.model))[0]
        out.append(Headroom(d, best.model, best.accuracy, float(ref.value),
                            *versus_reference(best.accuracy, float(ref.value))))
    return out


@dataclass(frozen=True, eq=False)
class Measures:
    boot: Bootstrap
    saturation: Saturation
    efficiency: list[Efficiency]
    pixels: dict[str, PixelCurve]
    headroom: list[Headroom]
    datasets: tuple[str, ...]
    refs: References


def measure(inputs: ReportInputs, refs: References, n_boot: int = N_BOOTSTRAP) -> Measures:
    boot = Bootstrap(inputs, n_boot)
    datasets = inputs.datasets  # in DATASET_NAMES order
    return Measures(
        boot, saturation(boot, refs, datasets),
        data_efficiency(boot),
        {d: c for d in datasets if (c := pixel_curve(inputs, d)) is not None},
        headroom(boot, refs, datasets), datasets, refs)
