"""The runner's Python API: plan, skip what is cached, execute the rest, summarise."""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.errors import UsageError
from bench.results.record import STATUS_OK, STATUSES, RunRecord
from bench.results.runinfo import RUN_INFO_FILE  # noqa: F401  (re-exported)
from bench.results.store import ok_record
from bench.runner.job import now_iso
from bench.runner.plan import DEFAULT_SEEDS, Job, build_plan
from bench.runner.profiles import get_profile
from bench.runner.progress import Progress

BACKENDS = ("local", "dask")


@dataclass
class RunSummary:
    """What a run did: one record per planned job, and how many were cached."""

    records: list[RunRecord]
    cached: int
    executed: int
    wall_seconds: float
    results_dir: str
    reports: list[Path] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.records)
        return {status: counts.get(status, 0) for status in STATUSES}

    @property
    def ok(self) -> bool:
        return all(r.status == STATUS_OK for r in self.records)

    def slowest(self, n: int = 3) -> list[RunRecord]:
        timed = [r for r in self.records if r.wall_seconds is not None]
        return sorted(timed, key=lambda r: -r.wall_seconds)[:n]


@dataclass
class ExecutionConfig:
    """How jobs are executed (not part of any job's identity)."""

    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    timeout: float | None = None
    backend: str = "local"
    scheduler: str | None = None
    force: bool = False
    quiet: bool = False

    def validate(self) -> None:
        if self.jobs < 1:
            raise UsageError(f"--jobs must be at least 1, got {self.jobs}.")
        if self.timeout is not None and self.timeout <= 0:
            raise UsageError(f"--timeout must be a positive number of seconds, got {self.timeout}.")
        if self.backend not in BACKENDS:
            raise UsageError(f"unknown backend {self.backend!r}; choose one of {', '.join(BACKENDS)}.")
        if self.backend == "dask" and not self.scheduler:
            raise UsageError("--backend dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786) "
                             "of a running Dask scheduler.")


def plan_jobs(models: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
              seeds: Sequence[int] = DEFAULT_SEEDS, profile: str = "full",
              overrides: dict[str, str] | None = None, train_size: int | None = None,
              learning_curve: bool | None = None) -> list[Job]:
    """The jobs of a run, without running anything (no data loaded, no framework imported)."""
    from bench.data import DATASET_NAMES
    from bench.registry import available_models, get_model

    specs = [get_model(m) for m in models] if models else available_models()
    if not specs:
        raise UsageError("no models to run: the registry is empty (is the harness installed? "
                         "run `pip install -e .`).")
    chosen = list(datasets) if datasets else list(DATASET_NAMES)
    for name in chosen:
        if name not in DATASET_NAMES:
            from bench.errors import did_you_mean

            raise UsageError(f"unknown dataset {name!r}. {did_you_mean(name, list(DATASET_NAMES))}")
    return build_plan(specs, chosen, seeds, get_profile(profile), overrides, train_size,
                      learning_curve)


def execute(jobs: Sequence[Job], results_dir: str | os.PathLike = "results",
            data_dir: str | None = None, config: ExecutionConfig | None = None) -> RunSummary:
    """Run every job that has no ``ok`` result yet (all of them with ``force``)."""
    from bench.runner.executor import run_dask, run_local

    config = config or ExecutionConfig()
    config.validate()
    results_dir = str(results_dir)
    started = time.monotonic()
    unique = list({job.key: job for job in jobs}.values())
    cached = {} if config.force else {j.key: ok_record(results_dir, j.key) for j in unique}
    todo = [j for j in unique if cached.get(j.key) is None]
    progress = Progress(len(todo), quiet=config.quiet)
    try:
        if todo and config.backend == "dask":
            fresh = run_dask(todo, results_dir, data_dir, config.scheduler, config.timeout, progress)
        elif todo:
            fresh = run_local(todo, results_dir, data_dir, min(config.jobs, len(todo)),
                              config.timeout, progress)
        else:
            fresh = []
    finally:
        progress.close()
    by_key = {**cached, **{r.key: r for r in fresh}}  # each result file is read once
    records = [by_key[j.key] for j in unique]
    return RunSummary(records, cached=len(unique) - len(todo), executed=len(todo),
                      wall_seconds=time.monotonic() - started, results_dir=results_dir)


def write_run_info(results_dir: str | os.PathLike, summary: RunSummary, profile: str,
                   seeds: Sequence[int], started_at: str) -> Path:
    """Record how this run-all was made (read by the reports); a run that trained nothing
    keeps the profile's earlier run-info, which still describes its results."""
    from bench.results.runinfo import save_run_info
    from bench.runner import provenance

    def info() -> dict:
        return {
            "command": "python -m bench " + shlex.join(sys.argv[1:]) if sys.argv[1:] else None,
            "profile": profile,
            "seeds": list(seeds),
            "started_at": started_at,
            "finished_at": now_iso(),
            "wall_seconds": round(summary.wall_seconds, 1),
            "jobs": len(summary.records),
            "jobs_executed": summary.executed,
            "provenance": provenance.collect(),
        }

    return save_run_info(results_dir, profile, info, trained=summary.executed > 0)


def run_all(models: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
            seeds: Sequence[int] = DEFAULT_SEEDS, profile: str = "full",
            overrides: dict[str, str] | None = None, train_size: int | None = None,
            results_dir: str | os.PathLike = "results",
            reports_dir: str | os.PathLike | None = "reports", data_dir: str | None = None,
            config: ExecutionConfig | None = None) -> RunSummary:
    """Every model x dataset x seed (and the learning-curve sweep) under ``profile``,
    then the reports; the Python twin of ``python -m bench run-all``."""
    started_at = now_iso()
    jobs = plan_jobs(models, datasets, seeds, profile, overrides, train_size)
    if reports_dir is not None:  # a folder the reports may not fill is refused before training
        from bench.reports.writer import check_can_publish

        check_can_publish(reports_dir)
    summary = execute(jobs, results_dir, data_dir, config)
    write_run_info(results_dir, summary, profile, seeds, started_at)
    if reports_dir is not None and any(r.status == STATUS_OK for r in summary.records):
        from bench.reports import write_reports

        summary.reports = write_reports(results_dir, reports_dir, data_dir=data_dir)
    return summary


def run_one(model: str, dataset: str, seed: int = 0, profile: str = "full",
            overrides: dict[str, str] | None = None, train_size: int | None = None,
            results_dir: str | os.PathLike = "results", data_dir: str | None = None,
            config: ExecutionConfig | None = None) -> RunRecord:
    """One job through the same machinery as ``run_all`` (cached unless ``force``)."""
    jobs = plan_jobs([model], [dataset], [seed], profile, overrides, train_size,
                     learning_curve=False)
    return execute(jobs, results_dir, data_dir, config).records[0]
