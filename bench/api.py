"""The Python API behind ``python -m bench`` (the CLI is a thin layer over it): plan and run
jobs, then write the reports. The runner and the reports never import each other; "run, then
report" is composed here, under the active settings (``bench.settings.use_settings``)::

    from bench.api import run_all
    from bench.results import load_frame
    summary = run_all(profile="smoke", results_dir="results-smoke", reports_dir=None)
    load_frame("results-smoke").groupby(["model", "dataset"]).test_accuracy.mean()
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.data.specs import DATASET_NAMES
from bench.errors import ResultsError
from bench.plan import builtin_suites, find_suite, parse_grid_options, plan_jobs
from bench.plan.jobs import DEFAULT_SEEDS, Job
from bench.plan.profiles import PROFILES
from bench.plan.suite import Suite
from bench.plugins.params import parse_assignments
from bench.reports import write_reports
from bench.reports.experiment import write_experiment
from bench.reports.writer import check_can_publish
from bench.results.compare import compare_stores
from bench.results.record import (
    STATUS_OK,
    RunRecord,
    canonical_json,
    configuration_label,
    configuration_order,
    varying_params,
)
from bench.results.run_info import save_run_info
from bench.results.store import load_records, record_path
from bench.runner import provenance
from bench.runner.batch import ExecutionConfig, RunSummary, execute
from bench.runner.estimate import PlanPreview, preview_plan
from bench.runner.execution import now_iso

__all__ = ["DATASET_NAMES", "DEFAULT_SEEDS", "PROFILES", "ExecutionConfig", "PlanPreview",
           "RunSummary", "builtin_suites", "configuration_label", "configuration_order",
           "find_suite", "parse_assignments", "parse_grid_options", "plan_jobs", "preview",
           "record_path", "report", "report_suite", "run_all", "run_jobs", "run_one",
           "varying_params"]


def run_all(models: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
            seeds: Sequence[int] | None = None, profile: str | None = None,
            overrides: Mapping[str, Any] | None = None, train_size: int | None = None,
            results_dir: str | os.PathLike = "results",
            reports_dir: str | os.PathLike | None = "reports",
            config: ExecutionConfig | None = None, *, suite: str | Path | Suite | None = None,
            grid: Mapping[str, Sequence[Any]] | None = None,
            include_heavy: bool = False, corruptions: str | Sequence[str] | None = None,
            ) -> RunSummary:
    """The plan (:func:`plan_jobs`), then the reports (with a ``suite`` its own, none with
    ``reports_dir=None``); ``python -m bench run-all``."""
    jobs = plan_jobs(models, datasets, seeds, profile, overrides, train_size, suite=suite,
                     grid=grid, include_heavy=include_heavy, corruptions=corruptions)
    return run_jobs(jobs, results_dir, reports_dir, config, experiment=suite)


def run_jobs(jobs: Sequence[Job], results_dir: str | os.PathLike = "results",
             reports_dir: str | os.PathLike | None = "reports",
             config: ExecutionConfig | None = None,
             experiment: str | Path | Suite | None = None) -> RunSummary:
    """Execute planned ``jobs``, record the run (``run-info.json``), then write the reports when
    the run trained a job or there are none yet, or else the ``experiment`` suite's own."""
    started_at = now_iso()
    if reports_dir is not None:  # a folder the reports may not fill is refused before training
        check_can_publish(reports_dir)
    summary = execute(jobs, results_dir, config)
    profile, seeds = jobs[0].profile, sorted({job.seed for job in jobs})
    save_run_info(results_dir, profile, lambda: run_info(summary, profile, seeds, started_at),
                  trained=summary.executed > 0)
    if reports_dir is not None and any(r.status == STATUS_OK for r in summary.records):
        if experiment is not None:
            summary.reports = report_suite(experiment, results_dir, reports_dir, jobs=jobs)
        elif summary.executed or not (Path(reports_dir) / "README.md").exists():
            summary.reports = report(results_dir, reports_dir)
    return summary


def run_one(model: str, dataset: str, seed: int = 0, profile: str = "full",
            overrides: Mapping[str, Any] | None = None, train_size: int | None = None,
            results_dir: str | os.PathLike = "results",
            config: ExecutionConfig | None = None,
            corruptions: str | Sequence[str] | None = None) -> RunRecord:
    """One job through the same machinery as :func:`run_all`; ``python -m bench run``."""
    jobs = plan_jobs([model], [dataset], [seed], profile, overrides, train_size, one_off=True,
                     corruptions=corruptions)
    return execute(jobs, results_dir, config).records[0]


def preview(jobs: Sequence[Job], results_dir: str | os.PathLike = "results",
            force: bool = False) -> PlanPreview:
    """A dry run: which jobs are cached, and a time estimate for the others (trains nothing)."""
    return preview_plan(jobs, results_dir, force)


def report(results_dir: str | os.PathLike = "results",
           reports_dir: str | os.PathLike = "reports", profile: str | None = None) -> list[Path]:
    """The report files written from ``results_dir`` into ``reports_dir`` for ``profile``
    (default: the largest in the store); ``python -m bench report``."""
    return write_reports(results_dir, reports_dir, profile=profile)


def report_suite(suite: str | Path | Suite, results_dir: str | os.PathLike = "results",
                 reports_dir: str | os.PathLike = "reports", profile: str | None = None,
                 jobs: Sequence[Job] | None = None) -> list[Path]:
    """A suite's report in ``<reports_dir>/suites/<name>/`` from the ok records of its
    configurations (``jobs``', else planned under ``profile`` or the largest profile with any)
    at any seed and training size; ``python -m bench report --suite``."""
    chosen = suite if isinstance(suite, Suite) else find_suite(suite)
    ok = [r for r in load_records(results_dir) if r.status == STATUS_OK]
    names = [profile] if profile else sorted(PROFILES, key=lambda p: -PROFILES[p].train_size)
    for planned in [jobs] if jobs else (plan_jobs(suite=chosen, profile=n) for n in names):
        wanted = {_configuration_key(job) for job in planned}
        records = [r for r in ok if _configuration_key(r) in wanted]
        if records:  # and the planned jobs without one are counted
            return write_experiment(chosen.name, records, len({j.key for j in planned} - {
                r.key for r in records}), results_dir, reports_dir)
    raise ResultsError(f"no results of suite {chosen.name!r} in {results_dir}; run "
                       "`python -m bench run-all --suite ...` first.")


def _configuration_key(item: Job | RunRecord) -> str:
    """A job's (or a record's job's) identity apart from its seed and training-set size."""
    identity = getattr(item, "job", item).as_dict()
    return canonical_json({**identity, "seed": None, "train_size": None})


def run_info(summary: RunSummary, profile: str, seeds: Sequence[int], started_at: str) -> dict:
    """How a run-all was made: command, profile, seeds, times, job counts, provenance."""
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


def compare(a: str | os.PathLike, b: str | os.PathLike):
    """Results folder ``a`` against folder ``b``, or against ``a`` at git revision ``b``
    (a :class:`bench.results.compare.Comparison`); ``python -m bench compare``."""
    return compare_stores(a, b)
