"""Accuracy per model, dataset and training size with a paired bootstrap (:data:`METHOD`); a cell
without stored predictions or test labels gets :func:`bench.stats.combined_interval` instead."""

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
    percentile_interval,
    replicate_accuracies,
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
class Measures:
    boot: Bootstrap
    datasets: tuple[str, ...]  # in DATASET_NAMES order
    refs: References


def measure(inputs: ReportInputs, refs: References, n_boot: int = N_BOOTSTRAP) -> Measures:
    return Measures(Bootstrap(inputs, n_boot), inputs.datasets, refs)
