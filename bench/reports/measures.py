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
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np

from bench.data import specs
from bench.reports.inputs import ReportInputs
from bench.reports.references import References
from bench.results.record import RunRecord
from bench.stats import (
    ALPHA,
    BOOTSTRAP_SEED,
    N_BOOTSTRAP,
    POWER,
    bootstrap_weights,
    combined_interval,
    mcnemar_min_detectable,
    percentile_interval,
    rank_correlations,
    replicate_accuracies,
    smallest_spearman_p,
    spearman_permutation_method,
    spearman_permutation_p,
)

MNIST, FASHION = specs.MNIST.name, specs.FASHION_MNIST.name
METHOD = (f"95% percentile intervals from a paired bootstrap ({N_BOOTSTRAP:,} replicates, "
          "fixed seed): each replicate resamples the test images (the same resample for every "
          "model on a test set) and each model's seeds, with replacement")
PER_10K = 10_000


def stable_seed(*parts: object) -> int:
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
            rng = np.random.default_rng(stable_seed("weights", dataset, digest))
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
        rng = np.random.default_rng(stable_seed("seeds", model, dataset, size))
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

    def weights(self, cell: Cell) -> np.ndarray:
        """The test-image weights behind ``cell``'s replicates (one row per replicate)."""
        return self._weights_for(cell.dataset, cell.digest, cell.correct.shape[1])

    def full_cells(self, dataset: str) -> list[Cell]:
        return [c for (m, d), s in sorted(self.full_size.items())
                if d == dataset and (c := self.cells.get((m, d, s))) is not None]

    def curve(self, model: str, dataset: str) -> list[Cell]:
        """The model's cells on ``dataset`` by training size, up to its headline size."""
        top = self.full_size.get((model, dataset), 0)
        return sorted((c for (m, d, _), c in self.cells.items()
                       if m == model and d == dataset and c.train_size <= top),
                      key=lambda c: c.train_size)


def error_ratios(boot: Bootstrap) -> dict[str, Estimate]:
    """Per model run on both test sets: its Fashion-MNIST errors over its MNIST errors."""
    return {cm.model: error_ratio(cf, cm) for cm in boot.full_cells(MNIST)
            if (cf := boot.full(cm.model, FASHION)) is not None}


def error_ratio(num: Cell, den: Cell) -> Estimate:
    """``num``'s errors over ``den``'s; replicates are paired by index when both have them
    (the two test sets are resampled independently)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(np.float64(1 - num.accuracy.value) / (1 - den.accuracy.value))
        if num.accuracy.replicates is None or den.accuracy.replicates is None:
            return Estimate(value, math.nan, math.nan)
        reps = (1 - num.accuracy.replicates) / (1 - den.accuracy.replicates)
    return estimate(reps[np.isfinite(reps)], value)


@dataclass(frozen=True, eq=False)
class PairDifference:
    """Model A − model B accuracy on one test set, paired over images."""

    dataset: str
    model_a: str
    model_b: str
    difference: Estimate
    disagreement: float  # share of images exactly one of the two gets right (seed mean)
    min_detectable: float  # smallest difference McNemar detects at this disagreement

    @property
    def resolved(self) -> bool:
        return not (self.difference.low <= 0.0 <= self.difference.high)

    @property
    def flip_probability(self) -> float:
        """Bootstrap probability that the sign of the difference reverses."""
        reps = self.difference.replicates
        if reps is None:
            return math.nan
        sign = np.sign(self.difference.value)
        return float(np.mean(np.sign(reps) != sign)) if sign else 1.0


def pair_differences(boot: Bootstrap, dataset: str) -> list[PairDifference]:
    cells = sorted(boot.full_cells(dataset), key=lambda c: (-c.accuracy.value, c.model))
    out = []
    for a, b in itertools.combinations(cells, 2):
        if a.digest is None or a.digest != b.digest:  # not both paired over the same images
            continue
        reps = a.accuracy.replicates - b.accuracy.replicates
        k = min(a.correct.shape[0], b.correct.shape[0])
        psi = float(np.mean(a.correct[:k] != b.correct[:k]))
        n = a.correct.shape[1]
        out.append(PairDifference(dataset, a.model, b.model,
                                  estimate(reps, a.accuracy.value - b.accuracy.value), psi,
                                  mcnemar_min_detectable(n, psi, ALPHA, POWER)))
    return out


@dataclass(frozen=True, eq=False)
class Transfer:
    """Does the model ranking on MNIST predict the ranking on Fashion-MNIST?"""

    models: tuple[str, ...]
    spearman: Estimate
    kendall: float
    p_value: float  # permutation test of Spearman's rho (two-sided), see p_method
    smallest_p: float  # the smallest p-value this many models can give
    lowest_mnist: float = math.nan  # the lowest MNIST accuracy among these models
    top: Transfer | None = None  # the same over the better half by MNIST accuracy

    @property
    def p_method(self) -> str:
        return spearman_permutation_method(len(self.models))

    @property
    def too_few(self) -> bool:
        return len(self.models) < 3 or self.smallest_p >= ALPHA


def _row_spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    rx, ry = rankdata(x, axis=1), rankdata(y, axis=1)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    den = np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (rx * ry).sum(axis=1) / den


def transfer(boot: Bootstrap) -> Transfer | None:
    """Rank correlation over every model on both test sets, and (``Transfer.top``) over the
    better half of them by MNIST accuracy when there are at least 8 models."""
    pairs = [(cm, cf) for cm in boot.full_cells(MNIST)
             if (cf := boot.full(cm.model, FASHION)) is not None]
    if not pairs:
        return None
    found = _transfer_of(pairs)
    if len(pairs) >= 2 * TOP_HALF_MIN:
        ranked = sorted(pairs, key=lambda pair: (-pair[0].accuracy.value, pair[0].model))
        top = _transfer_of(ranked[:len(pairs) // 2])
        found = replace(found, top=top)
    return found


TOP_HALF_MIN = 4  # the better half is read when it holds at least this many models


def _transfer_of(pairs: list[tuple[Cell, Cell]]) -> Transfer:
    models = tuple(cm.model for cm, _ in pairs)
    xm = [cm.accuracy.value for cm, _ in pairs]
    xf = [cf.accuracy.value for _, cf in pairs]
    rho, tau = rank_correlations(xm, xf)
    p = spearman_permutation_p(xm, xf) if len(pairs) >= 3 else math.nan
    reps = [c.accuracy.replicates for pair in pairs for c in pair]
    if len(pairs) >= 3 and all(r is not None for r in reps) and not math.isnan(rho):
        rm = np.stack([cm.accuracy.replicates for cm, _ in pairs], axis=1)
        rf = np.stack([cf.accuracy.replicates for _, cf in pairs], axis=1)
        r = _row_spearman(rm, rf)
        spearman = estimate(r[np.isfinite(r)], rho)
    else:
        spearman = Estimate(rho, math.nan, math.nan)
    return Transfer(models, spearman, tau, p, smallest_spearman_p(len(pairs)),
                    min(xm) if xm else math.nan)


@dataclass(frozen=True, eq=False)
class Measures:
    boot: Bootstrap
    ratios: dict[str, Estimate]  # model -> Fashion-MNIST errors / MNIST errors
    pairs: dict[str, list[PairDifference]]
    transfer: Transfer | None
    datasets: tuple[str, ...]
    refs: References


def measure(inputs: ReportInputs, refs: References, n_boot: int = N_BOOTSTRAP) -> Measures:
    boot = Bootstrap(inputs, n_boot)
    datasets = inputs.datasets  # in DATASET_NAMES order
    return Measures(
        boot, error_ratios(boot),
        {d: pair_differences(boot, d) for d in datasets}, transfer(boot),
        datasets, refs)
