"""The numbers behind "is MNIST too easy?", computed from records and the cached analyses.

Pure functions returning typed dataclasses; :mod:`bench.reports.verdict` turns them into
sentences and :mod:`bench.reports.too_easy` into tables and figures.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from bench.analysis import PairSeparability
from bench.data import specs
from bench.reports.inputs import ReportInputs, dataset_sort_key
from bench.reports.tables import CellSummary
from bench.results.record import RunRecord
from bench.stats import ALPHA, error_rate_ratio, holm_adjust, mcnemar_exact, sample_std

# Reference accuracies the report compares against (fixed constants of this benchmark).
BEST_PUBLISHED = {"mnist": 0.9987, "fashion-mnist": 0.9691}
HUMAN = {"fashion-mnist": 0.835}
HIGH_ACCURACY = 0.97
PIXEL_GOOD = 0.90
MNIST, FASHION = specs.MNIST.name, specs.FASHION_MNIST.name


@dataclass(frozen=True)
class Spread:
    """How far apart the models' mean test accuracies are on one dataset."""

    dataset: str
    n_models: int
    above: int
    low: float
    high: float
    std: float
    best: str
    worst: str

    @property
    def range(self) -> float:
        return self.high - self.low


def spread(summary: dict[tuple[str, str], CellSummary], dataset: str) -> Spread | None:
    """Spread of the models' seed-mean accuracies on ``dataset`` (None without models)."""
    means = sorted(((c.test.mean, m) for (m, d), c in summary.items()
                    if d == dataset and not math.isnan(c.test.mean)), key=lambda t: (t[0], t[1]))
    if not means:
        return None
    values = [v for v, _ in means]
    top = sorted(means, key=lambda t: (-t[0], t[1]))[0]
    return Spread(dataset, len(values), sum(v > HIGH_ACCURACY for v in values), values[0],
                  values[-1], sample_std(values), top[1], means[0][1])


@dataclass(frozen=True)
class PairTest:
    """McNemar's exact test of two models on the same test images, one seed."""

    dataset: str
    seed: int
    model_a: str
    model_b: str
    only_a: int
    only_b: int
    p_value: float
    p_holm: float

    @property
    def significant(self) -> bool:
        return self.p_holm < ALPHA


def _paired(inputs: ReportInputs, recs: list[RunRecord]) -> list[tuple[RunRecord, RunRecord]]:
    """Pairs of records (models in name order) whose predictions are aligned."""
    usable = [r for r in sorted(recs, key=lambda r: r.model)
              if inputs.predictions(r) is not None and r.test_indices_digest]
    return [(a, b) for a, b in itertools.combinations(usable, 2)
            if a.test_indices_digest == b.test_indices_digest and a.train_size == b.train_size
            and a.profile == b.profile]


def pair_tests(inputs: ReportInputs, dataset: str) -> list[PairTest]:
    """Every model pair on every seed of ``dataset``; Holm over the pairs of each seed."""
    out = []
    for seed in sorted({r.seed for r in inputs.runs if r.dataset == dataset}):
        recs = [r for r in inputs.runs if r.dataset == dataset and r.seed == seed]
        raw = []
        for a, b in _paired(inputs, recs):
            truth = inputs.truth(a)
            if truth is None:
                continue
            res = mcnemar_exact(inputs.predictions(a), inputs.predictions(b), truth)
            raw.append((a.model, b.model, res))
        adjusted = holm_adjust([res.p_value for _, _, res in raw])
        out += [PairTest(dataset, seed, ma, mb, res.only_a, res.only_b, res.p_value, p)
                for (ma, mb, res), p in zip(raw, adjusted, strict=True)]
    return out


@dataclass(frozen=True)
class PairOutcome:
    """One model pair on one dataset over all its tested seeds."""

    dataset: str
    model_a: str
    model_b: str
    seeds: tuple[int, ...]
    significant_seeds: int
    only_a: int
    only_b: int
    max_p_holm: float

    @property
    def significant(self) -> bool:
        """The rule: significantly different after Holm on every seed tested."""
        return bool(self.seeds) and self.significant_seeds == len(self.seeds)


def pair_outcomes(tests: list[PairTest]) -> list[PairOutcome]:
    grouped: dict[tuple[str, str, str], list[PairTest]] = defaultdict(list)
    for t in tests:
        grouped[(t.dataset, t.model_a, t.model_b)].append(t)
    return [PairOutcome(d, a, b, tuple(t.seed for t in ts), sum(t.significant for t in ts),
                        sum(t.only_a for t in ts), sum(t.only_b for t in ts),
                        max(t.p_holm for t in ts))
            for (d, a, b), ts in sorted(grouped.items(),
                                        key=lambda kv: (dataset_sort_key(kv[0][0]), kv[0][1:]))]


@dataclass(frozen=True)
class Discrimination:
    """How many model pairs a dataset tells apart."""

    dataset: str
    n_models: int
    n_pairs: int
    n_significant: int
    per_seed: tuple[tuple[int, int, int], ...]

    @property
    def possible(self) -> int:
        return self.n_models * (self.n_models - 1) // 2

    @property
    def share(self) -> float:
        return self.n_significant / self.n_pairs if self.n_pairs else math.nan


def discrimination(dataset: str, n_models: int, tests: list[PairTest]) -> Discrimination:
    mine = [t for t in tests if t.dataset == dataset]
    outcomes = pair_outcomes(mine)
    per_seed = tuple((s, sum(t.significant for t in mine if t.seed == s),
                      sum(1 for t in mine if t.seed == s))
                     for s in sorted({t.seed for t in mine}))
    return Discrimination(dataset, n_models, len(outcomes),
                          sum(o.significant for o in outcomes), per_seed)


@dataclass(frozen=True)
class Headroom:
    """A model's distance to the best published and human accuracy on one dataset."""

    model: str
    dataset: str
    accuracy: float
    reference: float
    human: float

    @property
    def gap(self) -> float:
        """Percentage points below the best published accuracy (as a fraction)."""
        return self.reference - self.accuracy

    @property
    def error_ratio(self) -> float:
        return error_rate_ratio(self.accuracy, self.reference)


def headroom(summary: dict[tuple[str, str], CellSummary]) -> list[Headroom]:
    keys = sorted(summary, key=lambda k: (k[0], dataset_sort_key(k[1])))
    return [Headroom(m, d, summary[(m, d)].test.mean, BEST_PUBLISHED[d], HUMAN.get(d, math.nan))
            for m, d in keys if d in BEST_PUBLISHED]


@dataclass(frozen=True)
class PixelSummary:
    """Single-pixel separability over the class pairs of one dataset."""

    dataset: str
    pairs: tuple[PairSeparability, ...]

    @property
    def test_accuracies(self) -> np.ndarray:
        return np.array([p.test_accuracy for p in self.pairs], dtype=float)

    @property
    def median(self) -> float:
        return float(np.median(self.test_accuracies))

    @property
    def good(self) -> int:
        return int(np.sum(self.test_accuracies >= PIXEL_GOOD))

    @property
    def hardest(self) -> PairSeparability:
        return min(self.pairs, key=lambda p: (p.test_accuracy, p.a, p.b))

    @property
    def easiest(self) -> PairSeparability:
        return max(self.pairs, key=lambda p: (p.test_accuracy, -p.a, -p.b))

    def matrix(self, n: int = 10) -> np.ndarray:
        """Symmetric n x n test accuracies with NaN on the diagonal."""
        out = np.full((n, n), np.nan)
        for p in self.pairs:
            out[p.a, p.b] = out[p.b, p.a] = p.test_accuracy
        return out


def pixel_summary(inputs: ReportInputs, dataset: str) -> PixelSummary | None:
    found = inputs.analyses.get(dataset)
    return PixelSummary(dataset, found.separability) if found and found.separability else None


@dataclass(frozen=True)
class CurvePoint:
    train_size: int
    mean: float
    seeds: int


def learning_points(inputs: ReportInputs) -> dict[str, dict[str, list[CurvePoint]]]:
    """``{dataset: {model: points}}`` for models with learning-curve runs, plus the main runs."""
    curve_models = {(r.model, r.dataset) for r in inputs.curve_runs}
    values: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    for r in (*inputs.curve_runs, *inputs.runs):
        if (r.model, r.dataset) in curve_models and r.test_accuracy is not None:
            values[(r.dataset, r.model, r.train_size)].append(r.test_accuracy)
    out: dict[str, dict[str, list[CurvePoint]]] = {}
    for (d, m, size), accs in sorted(values.items()):
        out.setdefault(d, {}).setdefault(m, []).append(
            CurvePoint(size, float(np.mean(accs)), len(accs)))
    return {d: out[d] for d in inputs.datasets if d in out}


@dataclass(frozen=True)
class Evidence:
    """Everything the verdict reads."""

    summary: dict[tuple[str, str], CellSummary]
    spreads: dict[str, Spread]
    tests: list[PairTest]
    discrimination: dict[str, Discrimination]
    headroom: list[Headroom]
    pixels: dict[str, PixelSummary]
    curves: dict[str, dict[str, list[CurvePoint]]]


def collect(inputs: ReportInputs) -> Evidence:
    summary = inputs.summary
    spreads = {d: s for d in inputs.datasets if (s := spread(summary, d)) is not None}
    tests = [t for d in inputs.datasets for t in pair_tests(inputs, d)]
    disc = {d: discrimination(d, spreads[d].n_models if d in spreads else 0, tests)
            for d in inputs.datasets}
    pixels = {d: p for d in inputs.datasets if (p := pixel_summary(inputs, d)) is not None}
    return Evidence(summary, spreads, tests, disc, headroom(summary), pixels,
                    learning_points(inputs))
