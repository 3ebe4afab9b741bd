"""Running a batch of jobs: skip those with an ``ok`` result, execute the rest, summarise."""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.data.sources import require_data_dir
from bench.errors import ResultsError, UsageError
from bench.files import output_dir_problem, path_problem
from bench.plan.jobs import Job
from bench.results.record import STATUS_OK, STATUSES, RunRecord
from bench.results.store import ok_record, runs_dir
from bench.runner.claims import claims_dir
from bench.runner.dask import run_dask
from bench.runner.local import run_local
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
    reports: list[Path] = field(default_factory=list)  # filled by bench.api.run_all

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
        timeout = self.timeout
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)
                                    or not math.isfinite(timeout) or timeout <= 0):
            raise UsageError(f"--timeout must be a positive, finite number of seconds, got {timeout}.")
        if self.backend not in BACKENDS:
            raise UsageError(f"unknown backend {self.backend!r}; choose one of {', '.join(BACKENDS)}.")
        if self.backend == "dask" and not self.scheduler:
            raise UsageError("--backend dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786) "
                             "of a running Dask scheduler.")
        if self.scheduler and self.backend != "dask":
            raise UsageError(f"--scheduler {self.scheduler} is only used with --backend dask; add "
                             "--backend dask to run on that cluster, or drop --scheduler to run "
                             "locally.")


def check_results_dir(results_dir: str | os.PathLike) -> None:
    """Refuse a results folder that cannot take records, before anything trains: a bad name,
    or ``runs/`` or ``.claims/`` planted as a link or a file (writes would land elsewhere)."""
    problem = path_problem(str(results_dir))
    for folder in (runs_dir(results_dir), claims_dir(results_dir)):
        if not problem and (folder.is_symlink() or (os.path.lexists(folder)
                                                    and not folder.is_dir())):
            problem = f"{folder} is a link or not a folder (remove it; the harness recreates it)"
    for folder in (Path(results_dir), runs_dir(results_dir)):
        problem = problem or output_dir_problem(folder)
    if problem:
        raise ResultsError(f"cannot write results to --results-dir {str(results_dir)!r}: "
                           f"{problem}. Nothing was run; choose another --results-dir or fix "
                           "the folder first.")


def execute(jobs: Sequence[Job], results_dir: str | os.PathLike = "results",
            config: ExecutionConfig | None = None) -> RunSummary:
    """Run every job that has no ``ok`` result yet (all of them with ``force``), under the
    active settings (the workers receive them explicitly)."""
    config = config or ExecutionConfig()
    config.validate()
    results_dir = str(results_dir)
    if path_problem(results_dir):
        check_results_dir(results_dir)
    started = time.monotonic()
    unique = list({job.key: job for job in jobs}.values())
    cached = {} if config.force else {j.key: ok_record(results_dir, j.key) for j in unique}
    todo = [j for j in unique if cached.get(j.key) is None]
    if todo and config.backend != "dask":  # Dask workers may see folders the client does not
        require_data_dir()  # a typo is one error, not a failed record per job
    if todo:
        check_results_dir(results_dir)
    progress = Progress(len(todo), quiet=config.quiet)
    try:
        if todo and config.backend == "dask":
            fresh = run_dask(todo, results_dir, config.scheduler, config.timeout, progress)
        elif todo:
            fresh = run_local(todo, results_dir, min(config.jobs, len(todo)), config.timeout,
                              progress)
        else:
            fresh = []
    finally:
        progress.close()
    by_key = {**cached, **{r.key: r for r in fresh}}  # each result file is read once
    records = [by_key[j.key] for j in unique]
    return RunSummary(records, cached=len(unique) - len(todo), executed=len(todo),
                      wall_seconds=time.monotonic() - started, results_dir=results_dir)
