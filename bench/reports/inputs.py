"""What the reports read: the chosen profile's ok records, run info and cached analyses, all
sorted so that the same store always gives the same reports."""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from bench.data.specs import DATASET_NAMES, DATASETS, N_CLASSES
from bench.errors import ResultsError, UsageError
from bench.reports import analysis as an
from bench.reports.safe import md
from bench.reports.tables import CellSummary, is_missing, summarise
from bench.results.codec import digits_to_array
from bench.results.record import (
    ROLE_CURVE,
    ROLE_HEADLINE,
    ROLE_SWEEP,
    STATUS_OK,
    RunRecord,
    canonical_json,
    evaluated_indices,
)
from bench.results.run_info import read_run_info
from bench.results.store import load_records

N_SAMPLES = 24
CORRUPTION_EXAMPLE = 0  # the test image the robustness page shows under every corruption


def dataset_title(name: str) -> str:
    """The dataset's short title from its spec (the escaped name for an unknown dataset)."""
    spec = DATASETS.get(name)
    return spec.label if spec is not None else md(name)


def class_names(name: str) -> tuple[str, ...]:
    """Class names from the dataset's spec (the digits 0-9 for an unknown dataset)."""
    spec = DATASETS.get(name)
    return tuple(spec.class_names) if spec is not None else tuple(str(d) for d in range(N_CLASSES))


def choose_profile(ok: Iterable[RunRecord], requested: str | None = None) -> str:
    """``requested`` if given, else the largest profile with results (by the largest training
    set among its records, then by number of results, then by name)."""
    ok = list(ok)
    counts = Counter(r.profile for r in ok)
    if requested is not None:
        if requested not in counts:
            held = ", ".join(f"{p} ({n})" for p, n in sorted(counts.items())) or "none"
            raise UsageError(f"no successful results of profile {requested!r} in the store "
                             f"(profiles with results: {held}).")
        return requested
    size = {p: max(r.train_size for r in ok if r.profile == p) for p in counts}
    return sorted(counts, key=lambda p: (-size[p], -counts[p], p))[0]


def choose_per_job(records: Iterable[RunRecord]) -> tuple[list[RunRecord], list[RunRecord]]:
    """(kept, left out), sorted by key: one record per (model, dataset, seed, train size, role),
    the one with the parameters most of the model's records share, then the latest finished
    (a future time counts as unknown), then the key."""
    records = list(records)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    params_count = Counter((r.model, canonical_json(r.params)) for r in records)
    groups: dict[tuple, list[RunRecord]] = {}
    for rec in records:
        groups.setdefault((rec.model, rec.dataset, rec.seed, rec.train_size, rec.role),
                          []).append(rec)
    kept, left = [], []
    for group in groups.values():
        ranked = sorted(group, key=lambda r: (
            params_count[(r.model, canonical_json(r.params))],
            r.finished_at if r.finished_at and r.finished_at[:19] <= now else "", r.key))
        kept.append(ranked[-1])
        left += ranked[:-1]
    return sorted(kept, key=lambda r: r.key), sorted(left, key=lambda r: r.key)


@dataclass(frozen=True, eq=False)
class ReportInputs:
    """The material every report page draws on."""

    profile: str
    runs: tuple[RunRecord, ...]
    curve_runs: tuple[RunRecord, ...]
    sweep_runs: tuple[RunRecord, ...]
    unsuccessful: tuple[RunRecord, ...]
    left_out: tuple[RunRecord, ...]
    run_info: dict[str, Any] | None
    datasets: tuple[str, ...]
    models: tuple[str, ...]
    analyses: dict[str, an.DatasetAnalysis]
    notes: tuple[str, ...]

    @functools.cached_property
    def summary(self) -> dict[tuple[str, str], CellSummary]:
        """The headline runs summarised over seeds: computed once, shared by every page."""
        return summarise(self.runs)

    def runs_of(self, model: str, dataset: str) -> list[RunRecord]:
        return [r for r in self.runs if r.model == model and r.dataset == dataset]

    def truth(self, record: RunRecord) -> np.ndarray | None:
        """True labels aligned with ``record.test_predictions``, or None when unknown."""
        found = self.analyses.get(record.dataset)
        if found is None:
            return None
        indices = evaluated_indices(record, found.test_labels)
        return None if indices is None else found.test_labels[indices]

    def predictions(self, record: RunRecord) -> np.ndarray | None:
        if not record.test_predictions or len(record.test_predictions) != record.test_size:
            return None
        return digits_to_array(record.test_predictions)


def sample_record(runs: Iterable[RunRecord], dataset: str) -> RunRecord | None:
    """The record the sample grid shows: the lowest seed of the best model (the highest mean
    test accuracy on ``dataset``, ties by name)."""
    runs = [r for r in runs if r.dataset == dataset]
    ranked = sorted((-c.test.mean, c.model) for c in summarise(runs).values()
                    if not is_missing(c.test.mean))
    chosen = sorted((r for r in runs if ranked and r.model == ranked[0][1]
                     and r.test_predictions), key=lambda r: (r.seed, r.key))
    return chosen[0] if chosen else None


def best_model_errors(rec: RunRecord, labels: np.ndarray, limit: int = N_SAMPLES,
                      ) -> list[tuple[int, int, int]]:
    """(test index, true, predicted) of the first ``limit`` images ``rec`` gets wrong."""
    indices = evaluated_indices(rec, labels)
    if indices is None or not rec.test_predictions or len(rec.test_predictions) != len(indices):
        return []
    preds = digits_to_array(rec.test_predictions)
    truth = labels[indices]
    wrong = np.flatnonzero(preds != truth)[:limit]
    return [(int(indices[i]), int(truth[i]), int(preds[i])) for i in wrong]


def needed_images(runs: list[RunRecord], dataset: str) -> Callable[[np.ndarray], set[int]]:
    """``wanted(test_labels)``: the test images the figures show (best model's errors,
    the robustness page's example)."""
    example = {CORRUPTION_EXAMPLE} if any(r.corrupted for r in runs) else set()
    rec = sample_record(runs, dataset)

    def wanted(labels: np.ndarray) -> set[int]:
        errors = best_model_errors(rec, labels) if rec is not None else []
        return example | {i for i, _, _ in errors}

    return wanted


def record_checksums(runs: Iterable[RunRecord], dataset: str) -> dict[str, str] | None:
    """The dataset checksums most of ``dataset``'s records were made on."""
    counts = Counter(json.dumps(r.dataset_sha256, sort_keys=True) for r in runs
                     if r.dataset == dataset and r.dataset_sha256)
    if not counts:
        spec = DATASETS.get(dataset)
        return spec.checksums() if spec is not None else None
    text = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return json.loads(text)


def gather(results_dir: str | os.PathLike, data_dir: str | os.PathLike | None = None,
           profile: str | None = None) -> ReportInputs:
    """Read the store, pick the profile (only its records are reported) and load the analyses."""
    records = load_records(results_dir)
    ok = [r for r in records if r.status == STATUS_OK]
    if not ok:
        raise ResultsError(f"no results in {results_dir}; run `python -m bench run-all` first.")
    profile = choose_profile(ok, profile)
    run_info = read_run_info(results_dir, profile)
    chosen = [r for r in ok if r.profile == profile]
    runs, lost_main = choose_per_job(r for r in chosen if r.role == ROLE_HEADLINE)
    curve_runs, lost_curve = choose_per_job(r for r in chosen if r.role == ROLE_CURVE)
    sweep_runs, lost_sweep = choose_per_job(r for r in chosen if r.role == ROLE_SWEEP)
    datasets = tuple(sorted({r.dataset for r in runs + curve_runs}, key=lambda d: (
        DATASET_NAMES.index(d) if d in DATASET_NAMES else len(DATASET_NAMES), d)))
    models = tuple(sorted({r.model for r in runs}))
    analyses, notes = {}, []
    for name in datasets:
        checksums = record_checksums(runs + curve_runs, name)
        if checksums is None:
            notes.append(f"{dataset_title(name)}: no dataset checksums recorded; "
                         "data-derived evidence skipped.")
            continue
        result = an.load_or_compute(results_dir, name, checksums, needed_images(runs, name),
                                    data_dir)
        if result.analysis is not None:
            analyses[name] = result.analysis
        if result.note:
            notes.append(f"{dataset_title(name)}: {md(result.note)}")
    unmatched = [r for r in runs if r.dataset in analyses and r.test_predictions
                 and evaluated_indices(r, analyses[r.dataset].test_labels) is None]
    if unmatched:
        notes.append(f"{len(unmatched)} run(s) were evaluated on test images this harness "
                     "cannot reconstruct (their test_indices_digest does not match); they are "
                     "left out of the McNemar tests and sample grids.")
    notes.extend(seed_invariant_notes(runs))
    unsuccessful = tuple(sorted((r for r in records
                                 if r.status != STATUS_OK and r.profile == profile),
                                key=lambda r: r.key))
    left_out = tuple(sorted(lost_main + lost_curve + lost_sweep, key=lambda r: r.key))
    return ReportInputs(profile, tuple(runs), tuple(curve_runs),
                        tuple(sweep_runs), unsuccessful, left_out, run_info,
                        datasets, models, analyses, tuple(notes))


def seed_invariant_notes(runs: list[RunRecord]) -> list[str]:
    """A note for each model and dataset whose seeds all gave the very same predictions."""
    groups: dict[tuple[str, str], list[RunRecord]] = {}
    for r in runs:
        groups.setdefault((r.model, r.dataset), []).append(r)
    notes = []
    for (model, dataset), group in sorted(groups.items()):
        predictions = {r.test_predictions for r in group}
        if len(group) >= 2 and len(predictions) == 1 and None not in predictions:
            notes.append(f"{md(model)} gives identical predictions on every seed on "
                         f"{dataset_title(dataset)} (its training involves no randomness): "
                         "it counts as one effective run, and its intervals are the test-set "
                         "sampling error alone.")
    return notes
