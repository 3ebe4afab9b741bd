"""The Python API behind ``python -m bench``: plan and run jobs, then write the reports.

The runner (``bench.runner``) executes jobs and saves their records in the results layer
(``bench.results``); the reports (``bench.reports``) read that layer. Neither imports the
other: "run, then report" is composed here, and the CLI is a thin layer over these functions::

    from bench.api import run_all
    from bench.results import load_frame
    summary = run_all(profile="smoke", results_dir="results-smoke", reports_dir=None)
    load_frame("results-smoke").groupby(["model", "dataset"]).test_accuracy.mean()

Each function runs under ``settings`` (default: the active ones, see ``bench.settings``).
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.plan.jobs import DEFAULT_SEEDS, Job, plan_jobs
from bench.results.record import STATUS_OK, RunRecord
from bench.results.run_info import save_run_info
from bench.runner.batch import ExecutionConfig, RunSummary, execute
from bench.runner.execution import now_iso
from bench.settings import Settings, get_settings, use_settings

__all__ = ["ExecutionConfig", "RunSummary", "plan_jobs", "report", "run_all", "run_jobs",
           "run_one", "run_suite"]


def run_all(models: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
            seeds: Sequence[int] = DEFAULT_SEEDS, profile: str = "full",
            overrides: dict[str, str] | None = None, train_size: int | None = None,
            results_dir: str | os.PathLike = "results",
            reports_dir: str | os.PathLike | None = "reports",
            config: ExecutionConfig | None = None, settings: Settings | None = None) -> RunSummary:
    """Every model x dataset x seed under ``profile`` (with its learning-curve and epoch sweeps
    and, for a plain full run, the model zoo: ``plan_run_all``), then the reports (none with
    ``reports_dir=None``); ``python -m bench run-all``."""
    from bench.plan import plan_run_all

    settings = settings or get_settings()
    with use_settings(settings):
        jobs = plan_run_all(models, datasets, seeds, profile, overrides, train_size)
        return run_jobs(jobs, profile, seeds, results_dir, reports_dir, config, settings)


def run_jobs(jobs: Sequence[Job], profile: str, seeds: Sequence[int],
             results_dir: str | os.PathLike = "results",
             reports_dir: str | os.PathLike | None = "reports",
             config: ExecutionConfig | None = None, settings: Settings | None = None) -> RunSummary:
    """Execute planned ``jobs`` (e.g. a suite's), record the run, then write the reports."""
    settings = settings or get_settings()
    started_at = now_iso()
    with use_settings(settings):
        if reports_dir is not None:  # a folder the reports may not fill is refused before training
            from bench.reports.writer import check_can_publish

            check_can_publish(reports_dir)
        summary = execute(jobs, results_dir, config, settings)
        save_run_info(results_dir, profile, lambda: run_info(summary, profile, seeds, started_at),
                      trained=summary.executed > 0)
        if reports_dir is not None and any(r.status == STATUS_OK for r in summary.records):
            summary.reports = report(results_dir, reports_dir)
    return summary


def run_suite(suite: str | os.PathLike, profile: str | None = None,
              datasets: Sequence[str] | None = None, seeds: Sequence[int] | None = None,
              overrides: dict[str, str] | None = None, include_heavy: bool = False,
              results_dir: str | os.PathLike = "results",
              reports_dir: str | os.PathLike | None = "reports",
              config: ExecutionConfig | None = None, settings: Settings | None = None) -> RunSummary:
    """A suite (built-in name or TOML file) with the usual caching, resume, parallelism and
    reports; ``python -m bench run-all --suite``."""
    from bench.plan import find_suite, plan_suite

    settings = settings or get_settings()
    with use_settings(settings):
        jobs = plan_suite(find_suite(suite), profile, datasets, seeds, overrides, None, None,
                          include_heavy)
        return run_jobs(jobs, jobs[0].profile, sorted({j.seed for j in jobs}), results_dir,
                        reports_dir, config, settings)


def run_one(model: str, dataset: str, seed: int = 0, profile: str = "full",
            overrides: dict[str, str] | None = None, train_size: int | None = None,
            results_dir: str | os.PathLike = "results", config: ExecutionConfig | None = None,
            settings: Settings | None = None) -> RunRecord:
    """One job through the same machinery as :func:`run_all` (cached unless ``force``);
    ``python -m bench run``."""
    settings = settings or get_settings()
    with use_settings(settings):
        jobs = plan_jobs([model], [dataset], [seed], profile, overrides, train_size,
                         learning_curve=False)
        return execute(jobs, results_dir, config, settings).records[0]


def report(results_dir: str | os.PathLike = "results",
           reports_dir: str | os.PathLike = "reports", profile: str | None = None,
           settings: Settings | None = None) -> list[Path]:
    """Write the reports of ``results_dir`` into ``reports_dir`` (trains nothing); the report
    files. ``profile`` defaults to the largest in the store. ``python -m bench report``."""
    from bench.reports import write_reports

    with use_settings(settings or get_settings()):
        return write_reports(results_dir, reports_dir, profile=profile)


def run_info(summary: RunSummary, profile: str, seeds: Sequence[int], started_at: str) -> dict:
    """How a run-all was made: command, profile, seeds, times, job counts, provenance."""
    from bench.runner import provenance

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
