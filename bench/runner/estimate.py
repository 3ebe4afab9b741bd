"""Dry runs: which planned jobs are cached, and how long the others should take, from earlier
``ok`` records (:func:`estimate_seconds`). Rough by design: fits that grow faster than linearly
(SVC) are underestimated. Nothing is trained, loaded or imported.
"""

from __future__ import annotations

import math
import os
import statistics
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bench.errors import ResultsWarning
from bench.plan.jobs import Job
from bench.results.record import STATUS_OK, RunRecord, canonical_json
from bench.results.store import load_records


@dataclass(frozen=True)
class JobEstimate:
    """A planned job: ``cached`` when its ok result exists; else ``seconds`` (``None`` when no
    earlier record helps) and ``basis``, how the estimate was made."""

    job: Job
    cached: bool
    seconds: float | None = None
    basis: str = ""


@dataclass(frozen=True)
class PlanPreview:
    """What ``run-all --dry-run`` prints."""

    estimates: list[JobEstimate]

    @property
    def to_run(self) -> list[JobEstimate]:
        return [e for e in self.estimates if not e.cached]

    @property
    def cached(self) -> int:
        return len(self.estimates) - len(self.to_run)

    @property
    def known_seconds(self) -> float:
        return sum(e.seconds for e in self.to_run if e.seconds is not None)

    @property
    def unknown(self) -> int:
        return sum(e.seconds is None for e in self.to_run)


def estimate_seconds(job: Job, history: Iterable[RunRecord]) -> tuple[float | None, str]:
    """The median earlier wall time of ``job``'s model on its dataset, scaled to its size
    (:func:`scaled_seconds`): of the records with the same parameters if any, else any
    parameters, and among them those of the nearest training-set size."""
    similar = [r for r in history if r.model == job.model and r.dataset == job.dataset
               and r.train_size > 0]
    if not similar:
        return None, "no earlier run of this model on this dataset"
    same = [r for r in similar if canonical_json(r.params) == canonical_json(job.params)]
    pool, kind = (same, "same parameters") if same else (similar, "other parameters")
    nearest = min(abs(math.log(r.train_size / job.train_size)) for r in pool)
    chosen = [r for r in pool if abs(math.log(r.train_size / job.train_size)) == nearest]
    seconds = statistics.median(scaled_seconds(r, job.train_size, job.test_size) for r in chosen)
    sizes = {r.train_size for r in chosen}
    scaled = "" if sizes == {job.train_size} else f", scaled from n={','.join(map(str, sorted(sizes)))}"
    runs = "run" if len(chosen) == 1 else "runs"
    return seconds, f"{len(chosen)} earlier {runs}, {kind}{scaled}"


def scaled_seconds(record: RunRecord, train_size: int, test_size: int) -> float:
    """``record``'s wall time moved to another training/test size.

    With fit and predict times on record, the wall time splits into the fit (scaled with the
    training size), predictions (the same time per image, for the training and test images a
    job predicts) and the rest (start-up, data loading: kept as is). Without them, the whole
    wall time scales with the training size.
    """
    ratio = train_size / record.train_size
    if record.fit_seconds is None or record.predict_seconds is None or not record.test_size:
        return record.wall_seconds * ratio
    per_image = record.predict_seconds / record.test_size
    predicting = per_image * (record.train_size + record.test_size)
    rest = max(0.0, record.wall_seconds - record.fit_seconds - predicting)
    return rest + record.fit_seconds * ratio + per_image * (train_size + test_size)


def preview_plan(jobs: Sequence[Job], results_dir: str | os.PathLike,
                 force: bool = False) -> PlanPreview:
    """Cached or not (never cached with ``force``), and an estimate for each job to run."""
    with warnings.catch_warnings():  # a dry run only reads: invalid files are skipped silently
        warnings.simplefilter("ignore", ResultsWarning)
        history = [r for r in load_records(results_dir)
                   if r.status == STATUS_OK and r.wall_seconds is not None]
    by_model: dict[tuple[str, str], list[RunRecord]] = defaultdict(list)
    for record in history:
        by_model[(record.model, record.dataset)].append(record)
    done = set() if force else {r.key for r in history}
    estimates = []
    for job in {j.key: j for j in jobs}.values():
        if job.key in done:
            estimates.append(JobEstimate(job, cached=True, basis="cached"))
            continue
        seconds, basis = estimate_seconds(job, by_model[(job.model, job.dataset)])
        estimates.append(JobEstimate(job, cached=False, seconds=seconds, basis=basis))
    return PlanPreview(estimates)
