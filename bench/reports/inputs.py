"""What the reports read: the chosen profile's ok records, run info and cached analyses.

Everything is sorted (models by name, datasets in ``DATASET_ORDER`` then by name, records
by job key) so the same store always gives the same reports.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench import analysis as an
from bench.errors import ResultsError
from bench.reports.names import md
from bench.results.record import STATUS_OK, RunRecord
from bench.results.store import load_records
from bench.stats import digits_to_array

DATASET_ORDER = ("mnist", "fashion-mnist")
DEFAULT_PROFILE = "full"
RUN_INFO_FILE = "run-info.json"
N_SAMPLES = 24
N_MISTAKES = 8
SHORT_NAMES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
FALLBACK_CLASS_NAMES = {
    "mnist": tuple(str(d) for d in range(10)),
    "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                      "Sneaker", "Bag", "Ankle boot"),
}


def dataset_title(name: str) -> str:
    return SHORT_NAMES.get(name, name)


def class_names(name: str) -> tuple[str, ...]:
    """Class names from ``bench.data.DATASETS`` when importable, else the constants above."""
    try:
        from bench.data import DATASETS

        return tuple(DATASETS[name].class_names)
    except (ImportError, KeyError, AttributeError):
        return FALLBACK_CLASS_NAMES.get(name, tuple(str(d) for d in range(10)))


def dataset_sort_key(name: str) -> tuple[int, str]:
    return (DATASET_ORDER.index(name) if name in DATASET_ORDER else len(DATASET_ORDER), name)


def read_run_info(results_dir: str | os.PathLike) -> dict[str, Any] | None:
    """``<results>/run-info.json`` as a dict, or None when absent or unreadable."""
    path = Path(results_dir) / RUN_INFO_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def choose_profile(ok_profiles: Iterable[str], run_info: dict[str, Any] | None,
                   ) -> tuple[str, str]:
    """(profile, why): the run-all's profile if it has results, else ``full``, else the most
    common (ties by name)."""
    counts = Counter(ok_profiles)
    if run_info and run_info.get("profile") in counts:
        return str(run_info["profile"]), "the profile of the latest run-all (run-info.json)"
    if DEFAULT_PROFILE in counts:
        return DEFAULT_PROFILE, "the full profile"
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return best, "the profile with the most results in the store"


def latest_per_job(records: Iterable[RunRecord]) -> list[RunRecord]:
    """One record per (model, dataset, seed, train_size): the latest finished, sorted by key.

    Several records can share these (a rerun with other ``--param`` values); reports keep the
    most recent, ties broken by job key.
    """
    best: dict[tuple, RunRecord] = {}
    for rec in sorted(records, key=lambda r: (r.finished_at or "", r.key)):
        best[(rec.model, rec.dataset, rec.seed, rec.train_size)] = rec
    return sorted(best.values(), key=lambda r: r.key)


def runs_frame(records: Iterable[RunRecord]) -> pd.DataFrame:
    """One row per record with the numeric fields the tables aggregate."""
    rows = [{
        "key": r.key, "model": r.model, "dataset": r.dataset, "seed": r.seed,
        "train_size": r.train_size, "test_size": r.test_size,
        "train_accuracy": np.nan if r.train_accuracy is None else r.train_accuracy,
        "test_accuracy": np.nan if r.test_accuracy is None else r.test_accuracy,
        "fit_seconds": np.nan if r.fit_seconds is None else r.fit_seconds,
    } for r in records]
    columns = ["key", "model", "dataset", "seed", "train_size", "test_size", "train_accuracy",
               "test_accuracy", "fit_seconds"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True, eq=False)
class ReportInputs:
    """The material every report page draws on."""

    profile: str
    profile_reason: str
    profile_counts: dict[str, int]
    runs: tuple[RunRecord, ...]
    curve_runs: tuple[RunRecord, ...]
    sweep_runs: tuple[RunRecord, ...]
    unsuccessful: tuple[RunRecord, ...]
    superseded: int
    run_info: dict[str, Any] | None
    datasets: tuple[str, ...]
    models: tuple[str, ...]
    analyses: dict[str, an.DatasetAnalysis]
    notes: tuple[str, ...]

    @property
    def frame(self) -> pd.DataFrame:
        return runs_frame(self.runs)

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


def evaluated_indices(record: RunRecord, labels: np.ndarray) -> np.ndarray | None:
    """Indices into the full test set of the images ``record`` was evaluated on, in order.

    Rebuilt with the runner's own subset function from the full test ``labels`` and checked
    against the record's ``test_indices_digest``; None when they do not match.
    """
    try:
        from bench.data.subsets import indices_digest, test_indices
    except ImportError:
        return np.arange(len(labels)) if record.test_size == len(labels) else None
    indices = np.asarray(test_indices(labels, record.test_size, record.dataset), dtype=np.int64)
    if indices.size != record.test_size:
        return None
    if record.test_indices_digest and indices_digest(indices) != record.test_indices_digest:
        return None
    return indices


def best_model(runs: Iterable[RunRecord], dataset: str) -> str | None:
    """The model with the highest mean test accuracy on ``dataset`` (ties: by name)."""
    frame = runs_frame(r for r in runs if r.dataset == dataset)
    if frame.empty:
        return None
    means = frame.groupby("model")["test_accuracy"].mean().dropna()
    if means.empty:
        return None
    return sorted(means.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def sample_record(runs: Iterable[RunRecord], dataset: str) -> RunRecord | None:
    """The best model's record with the lowest seed: the one the sample grid shows."""
    runs = list(runs)
    model = best_model(runs, dataset)
    chosen = sorted((r for r in runs if r.dataset == dataset and r.model == model
                     and r.test_predictions), key=lambda r: (r.seed, r.key))
    return chosen[0] if chosen else None


def confident_mistakes(runs: Iterable[RunRecord], dataset: str) -> list[dict[str, Any]]:
    """The most confident wrong predictions on ``dataset`` at each model's lowest seed.

    One entry per test image (its most confident mistake), highest confidence first.
    """
    runs = [r for r in runs if r.dataset == dataset]
    lowest = {}
    for rec in sorted(runs, key=lambda r: (r.seed, r.key)):
        lowest.setdefault(rec.model, rec)
    found: dict[int, dict[str, Any]] = {}
    for model, rec in sorted(lowest.items()):
        for m in rec.confident_mistakes or []:
            item = {**m, "model": model, "seed": rec.seed}
            old = found.get(int(m["index"]))
            if old is None or float(m["confidence"]) > float(old["confidence"]):
                found[int(m["index"])] = item
    ranked = sorted(found.values(), key=lambda m: (-float(m["confidence"]), int(m["index"])))
    return ranked[:N_MISTAKES]


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
    most confident mistakes)."""
    mistakes = {int(m["index"]) for m in confident_mistakes(runs, dataset)}
    rec = sample_record(runs, dataset)

    def wanted(labels: np.ndarray) -> set[int]:
        errors = best_model_errors(rec, labels) if rec is not None else []
        return mistakes | {i for i, _, _ in errors}

    return wanted


def record_checksums(runs: Iterable[RunRecord], dataset: str) -> dict[str, str] | None:
    """The dataset checksums most of ``dataset``'s records were made on."""
    counts = Counter(json.dumps(r.dataset_sha256, sort_keys=True) for r in runs
                     if r.dataset == dataset and r.dataset_sha256)
    if not counts:
        try:
            from bench.data import expected_checksums

            return dict(expected_checksums(dataset))
        except Exception:  # noqa: BLE001 - any failure means "unknown"
            return None
    text = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return json.loads(text)


def gather(results_dir: str | os.PathLike, data_dir: str | os.PathLike | None = None,
           ) -> ReportInputs:
    """Read the store, pick the profile and load (or compute) the analyses."""
    records = load_records(results_dir)
    ok = [r for r in records if r.status == STATUS_OK]
    if not ok:
        raise ResultsError(f"no results in {results_dir}; run `python -m bench run-all` first.")
    run_info = read_run_info(results_dir)
    profile_counts = dict(sorted(Counter(r.profile for r in ok).items()))
    profile, why = choose_profile((r.profile for r in ok), run_info)
    if run_info is not None and run_info.get("profile") != profile:
        run_info = None  # it describes a run of another profile
    chosen = [r for r in ok if r.profile == profile]
    runs, lost_main = _dedupe([r for r in chosen if not r.learning_curve])
    curve_runs, lost_curve = _dedupe([r for r in chosen if r.learning_curve])
    curve_runs, sweep_runs = split_sweeps(runs, curve_runs)
    datasets = tuple(sorted({r.dataset for r in runs + curve_runs}, key=dataset_sort_key))
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
            notes.append(f"{dataset_title(name)}: {result.note}")
    unmatched = [r for r in runs if r.dataset in analyses and r.test_predictions
                 and evaluated_indices(r, analyses[r.dataset].test_labels) is None]
    if unmatched:
        notes.append(f"{len(unmatched)} run(s) were evaluated on test images this harness "
                     "cannot reconstruct (their test_indices_digest does not match); they are "
                     "left out of the McNemar tests and sample grids.")
    notes.extend(seed_invariant_notes(runs))
    unsuccessful = tuple(sorted((r for r in records if r.status != STATUS_OK),
                                key=lambda r: r.key))
    return ReportInputs(profile, why, profile_counts, tuple(runs), tuple(curve_runs),
                        tuple(sweep_runs), unsuccessful, lost_main + lost_curve, run_info,
                        datasets, models, analyses, tuple(notes))


def split_sweeps(runs: list[RunRecord], curve_runs: list[RunRecord],
                 ) -> tuple[list[RunRecord], list[RunRecord]]:
    """(learning-curve points, epoch-sweep runs) of the cut-size records.

    A learning-curve-marked record at its model's headline training size (or larger) is not a
    curve point but an extra plan entry on the full data (the long per-epoch sweep).
    """
    top: dict[tuple[str, str], int] = {}
    for r in runs:
        top[(r.model, r.dataset)] = max(r.train_size, top.get((r.model, r.dataset), 0))
    points, sweeps = [], []
    for r in curve_runs:
        full = top.get((r.model, r.dataset))
        (sweeps if full is not None and r.train_size >= full else points).append(r)
    return points, sweeps


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


def _dedupe(records: list[RunRecord]) -> tuple[list[RunRecord], int]:
    kept = latest_per_job(records)
    return kept, len(records) - len(kept)
