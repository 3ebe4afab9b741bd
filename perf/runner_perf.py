"""Benchmark: a fully cached ``run-all`` against ``bench list``, ``bench report``, and scaling.

- a fully cached ``run-all`` (the whole plan: built-ins and model zoo, reports up to date),
  ``bench list`` and
  ``bench report`` alone, each as a whole process on a copy of the committed ``results/``
  and ``reports/``, interleaved (section ``cached-run-all``);
- the smoke plan with ``--jobs 1``, ``--jobs 2`` and through a local Dask cluster
  (section ``runner``; it trains, minutes).

The reference run's own cost per part of the plan is in ``perf/reference_run.py``.

    BENCH_DATA_DIR=../shared/data python perf/runner_perf.py [--repeats 5] [--cached-only]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import ROOT, default_data_dir, machine, store_numbers, summary, write_section


def bench(*args: str, env: dict) -> float:
    """Seconds taken by one ``python -m bench ...`` process (which must succeed)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def measure_cached(results: Path, reports: Path, data_dir: str,
                   repeats: int) -> dict[str, list[float]]:
    """Whole-process seconds of a fully cached ``run-all``, ``bench list`` and ``bench report``
    on copies of ``results`` and ``reports``, interleaved, after one untimed round."""
    env = {**os.environ, "BENCH_DATA_DIR": data_dir}
    out: dict[str, list[float]] = {"cached_run_all": [], "list": [], "report": []}
    with tempfile.TemporaryDirectory(prefix="bench-cached-") as tmp:
        copy, report_copy = Path(tmp) / "results", Path(tmp) / "reports"
        shutil.copytree(results, copy)
        if reports.is_dir():
            shutil.copytree(reports, report_copy)
        commands = {
            "cached_run_all": ("run-all", "--results-dir", str(copy), "--reports-dir",
                               str(report_copy), "--quiet"),
            "list": ("list",),
            "report": ("report", "--results-dir", str(copy), "--reports-dir", str(report_copy)),
        }
        for round_ in range(repeats + 1):
            for name, command in commands.items():
                seconds = bench(*command, env=env)
                if round_:  # the first round only warms the caches (and redraws stale reports)
                    out[name].append(seconds)
    return out


def cached_ratio(cached: dict[str, list[float]]) -> float:
    return statistics.median(cached["cached_run_all"]) / statistics.median(cached["list"])


def cached_section(cached: dict[str, list[float]], repeats: int, note: str = "") -> str:
    return f"""## Fully cached run-all against `bench list`

On a copy of the committed `results/` and `reports/`: `bench run-all` (the whole plan, the
built-in models and the xiao2017 zoo, every job cached: nothing is trained, no dataset is
loaded, neither TensorFlow nor scikit-learn is imported — the zoo's classes are planned from
the declaration cache, `bench/declarations.py`; the reports are up to date, so they are checked,
not redrawn), `bench list` (start-up and the model registry) and `bench report`. Whole
processes, interleaved, after one untimed round (which fills the harness caches, as the first
run after installing or upgrading a library does); seconds, median (min–max) of {repeats}.
Target: run-all at most 4x `bench list`.

Measured {date.today().isoformat()} on {machine()}, with `python perf/runner_perf.py --cached-only`.
{note}

| command | seconds | ratio to `bench list` |
| --- | ---: | ---: |
| `bench run-all` (all cached) | {summary(cached["cached_run_all"], 1)} | {cached_ratio(cached):.2f} |
| `bench list` | {summary(cached["list"], 1)} | 1.00 |
| `bench report` (up to date) | {summary(cached["report"], 1)} | {statistics.median(cached["report"]) / statistics.median(cached["list"]):.2f} |
"""


def measure_scaling(data_dir: str, repeats: int) -> dict[str, list[float]]:
    env = {**os.environ, "BENCH_DATA_DIR": data_dir}
    out: dict[str, list[float]] = {"jobs1": [], "jobs2": [], "dask": []}
    smoke = ["run-all", "--profile", "smoke", "--no-report", "--quiet"]
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
            out["jobs1"].append(bench(*smoke, "--jobs", "1", "--results-dir", f"{tmp}/1", env=env))
            out["jobs2"].append(bench(*smoke, "--jobs", "2", "--results-dir", f"{tmp}/2", env=env))
            out["dask"].append(dask_smoke(smoke, f"{tmp}/d", env))
    return out


def dask_smoke(smoke: list[str], results: str, env: dict) -> float:
    """The smoke plan through a local Dask cluster of 2 single-threaded worker processes."""
    from distributed import LocalCluster

    from bench.threads import thread_environment

    previous = dict(os.environ)
    os.environ.update(thread_environment(1))  # inherited by the cluster's worker processes
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None, processes=True) as cluster:
            return bench(*smoke, "--backend", "dask", "--scheduler", cluster.scheduler_address,
                         "--results-dir", results, env=env)
    finally:
        os.environ.clear()
        os.environ.update(previous)


def scaling_section(scaling: dict[str, list[float]], scaling_repeats: int) -> str:
    med = {k: statistics.median(v) for k, v in scaling.items()}
    return f"""## Scaling: the smoke plan (24 jobs)

Measured {date.today().isoformat()} on {machine()}, with `python perf/runner_perf.py`.

Whole `bench run-all --profile smoke --no-report` processes on an empty result store, seconds,
median (min–max) of {scaling_repeats}. Dask: a `LocalCluster` of 2 single-threaded worker
processes on 127.0.0.1, started before the timing.

| execution | seconds | speed-up vs --jobs 1 |
| --- | ---: | ---: |
| `--jobs 1` | {summary(scaling["jobs1"], 1)} | 1.00 |
| `--jobs 2` | {summary(scaling["jobs2"], 1)} | {med["jobs1"] / med["jobs2"]:.2f} |
| `--backend dask` (2 workers) | {summary(scaling["dask"], 1)} | {med["jobs1"] / med["dask"]:.2f} |
"""


def medians(values: dict[str, list[float]]) -> dict[str, float]:
    return {k: round(statistics.median(v), 3) for k, v in values.items()}


def run_cached(args: argparse.Namespace, write: bool) -> str:
    cached = measure_cached(Path(args.results_dir), Path(args.reports_dir), args.data_dir,
                            args.repeats)
    text = cached_section(cached, args.repeats, args.note)
    if write:
        write_section("cached-run-all", text)
        store_numbers("cached-run-all", {"median_s": medians(cached),
                                         "runs_s": {k: [round(x, 3) for x in v]
                                                    for k, v in cached.items()},
                                         "ratio": round(cached_ratio(cached), 3)},
                      f"python perf/runner_perf.py --cached-only --repeats {args.repeats}",
                      args.note)
    return text


def run_scaling(args: argparse.Namespace, write: bool) -> str:
    scaling = measure_scaling(args.data_dir, args.scaling_repeats)
    text = scaling_section(scaling, args.scaling_repeats)
    if write:
        write_section("runner", text)
        store_numbers("runner", {"median_s": medians(scaling)},
                      f"python perf/runner_perf.py --scaling-repeats {args.scaling_repeats}")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, default=5, help="cached run-all/list repeats")
    parser.add_argument("--scaling-repeats", type=int, default=3, help="smoke plan repeats")
    parser.add_argument("--results-dir", default=str(ROOT / "results"))
    parser.add_argument("--reports-dir", default=str(ROOT / "reports"))
    parser.add_argument("--data-dir", default=default_data_dir())
    parser.add_argument("--note", default="", help="a sentence on the machine's load, for the doc")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--cached-only", action="store_true",
                        help="only the cached run-all / list / report timings (seconds)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    print(run_cached(args, not args.no_write))
    if not args.cached_only:
        print(run_scaling(args, not args.no_write))
    return 0


if __name__ == "__main__":
    sys.exit(main())
