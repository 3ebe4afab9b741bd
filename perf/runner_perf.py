"""Benchmark: the reference run-all's cost, cached re-runs, ``bench report``, scaling and memory.

- the committed full run (``results/``) broken down per model and dataset, from its records;
- a fully cached ``run-all`` (report included) and ``bench report`` alone, on a copy of
  the committed results, each as a whole process;
- the smoke plan with ``--jobs 1``, ``--jobs 2`` and through a local Dask cluster;
- peak memory per job of the full run (resident memory of the worker, from the records).

    BENCH_DATA_DIR=../shared/data python perf/runner_perf.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import ROOT, default_data_dir, machine, summary, write_section


def bench(*args: str, env: dict) -> float:
    """Seconds taken by one ``python -m bench ...`` process (which must succeed)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def breakdown(results: Path) -> tuple[str, dict]:
    """Per model and dataset: jobs and summed job wall time of the committed full run."""
    import pandas as pd

    from bench.results import load_frame

    frame = load_frame(results)
    frame = frame[(frame.profile == "full") & (frame.status == "ok")]
    frame = frame.assign(kind=frame.learning_curve.map({False: "headline", True: "curve"}))
    table = (frame.groupby(["model", "dataset", "kind"])
             .agg(jobs=("key", "size"), total_s=("wall_seconds", "sum"),
                  median_fit_s=("fit_seconds", "median"), peak_mb=("peak_memory_mb", "max"))
             .reset_index())
    info = json.loads((results / "run-info.json").read_text())
    lines = [f"| {r.model} | {r.dataset} | {r.kind} | {r.jobs} | {r.total_s / 60:.1f} | "
             f"{r.median_fit_s:.1f} | {r.peak_mb:.0f} |" for r in table.itertuples()]
    headline = frame[~frame.learning_curve]
    metrics = {
        "run_wall_s": info["wall_seconds"],
        "run_jobs": info.get("jobs"),
        "job_sum_s": float(frame.wall_seconds.sum()),
        "headline_sum_s": float(headline.wall_seconds.sum()),
        "peak_mb": float(frame.peak_memory_mb.max()),
        "workers": int(info.get("provenance", {}).get("cpu_count") or 1),
        "command": info.get("command"),
    }
    text = "\n".join(lines)
    return text, metrics | {"per_model": pd.DataFrame(table).to_dict("records")}


def measure_cached(results: Path, data_dir: str, repeats: int) -> dict[str, list[float]]:
    env = {**os.environ, "BENCH_DATA_DIR": data_dir}
    out: dict[str, list[float]] = {"cached_run_all": [], "report": []}
    with tempfile.TemporaryDirectory(prefix="bench-cached-") as tmp:
        copy = Path(tmp) / "results"
        shutil.copytree(results, copy)
        info = json.loads((results / "run-info.json").read_text())
        seeds = str(len(info["seeds"]))
        for _ in range(repeats):
            out["cached_run_all"].append(bench(
                "run-all", "--profile", info["profile"], "--seeds", seeds, "--results-dir",
                str(copy), "--reports-dir", str(Path(tmp) / "reports"), "--quiet", env=env))
            out["report"].append(bench("report", "--results-dir", str(copy), "--reports-dir",
                                       str(Path(tmp) / "reports-2"), env=env))
    return out


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


def section(rows: str, metrics: dict, cached: dict, scaling: dict, repeats: int,
            scaling_repeats: int) -> str:
    med = {k: statistics.median(v) for k, v in {**cached, **scaling}.items()}
    return f"""## The reference run, cached re-runs and scaling

Measured {date.today().isoformat()} on {machine()}, with `python perf/runner_perf.py`.

### The full run-all, per model and dataset

From the committed records of `{metrics["command"] or "python -m bench run-all"}`
({metrics["run_jobs"]} jobs on {metrics["workers"]} worker processes): wall time
**{metrics["run_wall_s"] / 60:.1f} min**; the jobs' own wall times add up to
{metrics["job_sum_s"] / 60:.1f} min, of which {metrics["headline_sum_s"] / 60:.1f} min for the
4 models x 2 datasets x 3 seeds headline jobs and the rest for the learning-curve sweep.
Peak memory is the largest resident set of the worker process during a job.

| model | dataset | kind | jobs | job time, sum (min) | fit, median (s) | peak memory (MB) |
| --- | --- | --- | ---: | ---: | ---: | ---: |
{rows}

### Cached re-run and report

On a copy of the committed results (every job cached: nothing is trained, no dataset is
loaded, TensorFlow is not imported). Whole processes, seconds, median (min–max) of {repeats}:

| command | seconds |
| --- | ---: |
| `bench run-all` (all cached, reports regenerated) | {summary(cached["cached_run_all"], 1)} |
| `bench report` alone | {summary(cached["report"], 1)} |

### Scaling: the smoke plan (24 jobs)

Whole `bench run-all --profile smoke --no-report` processes on an empty result store, seconds,
median (min–max) of {scaling_repeats}. Dask: a `LocalCluster` of 2 single-threaded worker
processes on 127.0.0.1, started before the timing.

| execution | seconds | speed-up vs --jobs 1 |
| --- | ---: | ---: |
| `--jobs 1` | {summary(scaling["jobs1"], 1)} | 1.00 |
| `--jobs 2` | {summary(scaling["jobs2"], 1)} | {med["jobs1"] / med["jobs2"]:.2f} |
| `--backend dask` (2 workers) | {summary(scaling["dask"], 1)} | {med["jobs1"] / med["dask"]:.2f} |
"""


def run(args: argparse.Namespace) -> tuple[str, dict]:
    results = Path(args.results_dir)
    rows, metrics = breakdown(results)
    cached = measure_cached(results, args.data_dir, args.repeats)
    scaling = measure_scaling(args.data_dir, args.scaling_repeats)
    metrics |= {k: statistics.median(v) for k, v in {**cached, **scaling}.items()}
    return section(rows, metrics, cached, scaling, args.repeats, args.scaling_repeats), metrics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, default=5, help="cached run-all/report repeats")
    parser.add_argument("--scaling-repeats", type=int, default=3, help="smoke plan repeats")
    parser.add_argument("--results-dir", default=str(ROOT / "results"))
    parser.add_argument("--data-dir", default=default_data_dir())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    text, _ = run(args)
    print(text)
    if not args.no_write:
        write_section("runner", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
