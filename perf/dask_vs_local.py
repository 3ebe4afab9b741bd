"""Benchmark: a smoke job's fit time in the local pool against a real two-process Dask worker.

Starts ``dask scheduler`` and ``dask worker --nworkers 2 --nthreads 1`` on 127.0.0.1, runs
the same smoke jobs with ``--jobs 2`` locally and through ``--backend dask``, and writes the
per-job fit times (from the records) into the ``dask-vs-local`` section of
docs/performance.md. With ``--previous`` it also times the random forest the way the old
Dask path ran it (``execute_job`` inside the Dask worker, through joblib's Dask backend).

    BENCH_DATA_DIR=../shared/data python perf/dask_vs_local.py [--previous]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import default_data_dir, machine, store_numbers, write_section

MODELS = ("random-forest", "keras-mlp")
SEEDS = (0, 1)


class Quiet:
    def on_start(self, job) -> None: ...
    def on_epoch(self, job, epoch, epochs, logs) -> None: ...
    def on_finish(self, record) -> None: ...


def start_cluster(folder: Path) -> tuple[str, list[subprocess.Popen]]:
    from distributed import Client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    log = open(folder / "dask.log", "w")  # noqa: SIM115 - lives as long as the cluster
    common = dict(stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    processes = [
        subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                          "127.0.0.1", "--port", str(port), "--no-dashboard"], **common),
        subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                          "--nworkers", "2", "--nthreads", "1", "--no-dashboard", "--host",
                          "127.0.0.1", "--local-directory", str(folder / "dw")], **common),
    ]
    deadline = time.monotonic() + 180
    while True:
        try:
            with Client(address, timeout=5) as client:
                client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
            return address, processes
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def stop_cluster(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def previous_path(address: str, jobs, settings) -> list:
    """The old Dask path: ``execute_job`` in the Dask worker's thread, via joblib's backend."""
    import joblib
    from distributed import Client

    from bench.runner.execution import execute_job

    with Client(address) as client, joblib.parallel_config(backend="dask"):
        client.wait_for_workers(1)
        return joblib.Parallel(n_jobs=-1)(joblib.delayed(execute_job)(job, settings)
                                          for job in jobs)


def fit_times(records) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for record in records:
        assert record.status == "ok", (record.model, record.status, record.error)
        times.setdefault(record.model, []).append(record.fit_seconds)
    return times


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--previous", action="store_true",
                        help="also time the random forest through the old joblib Dask path")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each backend, alternating local and Dask (default 3)")
    parser.add_argument("--no-write", action="store_true", help="print, do not edit the doc")
    args = parser.parse_args()
    from bench.plan.jobs import plan_jobs
    from bench.settings import Settings, set_settings

    settings = Settings.from_environ(data_dir=default_data_dir())
    set_settings(settings)
    from bench.runner.executor import run_dask, run_local

    jobs = plan_jobs(list(MODELS), ["mnist"], list(SEEDS), "smoke", learning_curve=False)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        address, processes = start_cluster(tmp)
        local: dict[str, list[float]] = {}
        dask: dict[str, list[float]] = {}
        try:
            for repeat in range(args.repeats):  # alternating, so both see the same load
                for model, times in fit_times(run_local(
                        jobs, str(tmp / f"local{repeat}"), 2, None, Quiet(), settings)).items():
                    local.setdefault(model, []).extend(times)
                for model, times in fit_times(run_dask(
                        jobs, str(tmp / f"dask{repeat}"), address, None, Quiet(),
                        settings)).items():
                    dask.setdefault(model, []).extend(times)
            previous = {}
            if args.previous:
                rf = [j for j in jobs if j.model == "random-forest"]
                previous = fit_times(previous_path(address, rf, settings))
        finally:
            stop_cluster(processes)

    rows = ["| model (smoke, MNIST) | local pool, `--jobs 2` | Dask, 2 workers x 1 thread | "
            "Dask / local |", "| --- | --- | --- | --- |"]
    for model in MODELS:
        lo, da = statistics.median(local[model]), statistics.median(dask[model])
        rows.append(f"| {model} | {spread(local[model])} | {spread(dask[model])} | "
                    f"{da / lo:.2f}x |")
    if previous:
        rf = statistics.median(previous["random-forest"])
        rows.append(f"| random-forest, previous Dask path | | {spread(previous['random-forest'])} | "
                    f"{rf / statistics.median(local['random-forest']):.2f}x |")
    text = f"""## Local pool against a Dask cluster

Per-job fit time (`fit_seconds` of the records; median, min and max over seeds
{", ".join(map(str, SEEDS))} and {args.repeats} alternating runs of each backend) of the same
smoke jobs run with `--jobs 2` and on a real `dask scheduler` with
`dask worker --nworkers 2 --nthreads 1` on 127.0.0.1 (target: within 1.5x).
Measured {date.today().isoformat()} on {machine()}, a machine shared with other work, so
single figures vary by some tens of percent.

{chr(10).join(rows)}

Both backends run each job in a warm worker process of the harness with the same thread
limits (`bench.runner.worker`): on Dask the task starts that process on the Dask worker
and keeps it for the next task. The old Dask path ran `execute_job` in the Dask worker's
own thread through joblib's Dask backend; joblib hands its backend down to nested
`Parallel` calls, so the forest's `n_jobs` trees were shipped to the cluster as separate
Dask tasks, and the worker's thread limits were not the pool's.

Regenerate: `BENCH_DATA_DIR=../shared/data python perf/dask_vs_local.py --previous`.
"""
    print(text)
    if not args.no_write:
        write_section("dask-vs-local", text)
        ratios = {m: round(statistics.median(dask[m]) / statistics.median(local[m]), 3)
                  for m in MODELS}
        store_numbers("dask-vs-local", {"dask_over_local": ratios},
                      " ".join(["python perf/dask_vs_local.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
