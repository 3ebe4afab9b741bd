"""The Dask backend against real ``dask scheduler`` / ``dask worker`` processes on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from test_executor import Recorder

from bench.errors import BenchError
from bench.plan.jobs import plan_jobs
from bench.results.store import load_records
from bench.runner.dask import run_dask

pytest.importorskip("distributed")
START_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """The process and everything it started (its own process group), TERM then KILL."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            os.killpg(process.pid, signal.SIGKILL)  # leftovers in the group
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


@pytest.fixture
def dask_cluster(synthetic, tmp_path):
    """A scheduler and ``dask worker --nworkers 2 --nthreads 1`` seeing the synthetic data."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = open(tmp_path / "dask.log", "w")  # noqa: SIM115 - closed below
    cli = [sys.executable, "-m"]
    processes = []
    try:
        processes.append(subprocess.Popen(
            [*cli, "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
             "--no-dashboard"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        processes.append(subprocess.Popen(
            [*cli, "distributed.cli.dask_worker", address, "--nworkers", "2", "--nthreads", "1",
             "--no-dashboard", "--host", "127.0.0.1", "--local-directory", str(tmp_path / "dw")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"the Dask cluster did not start: {(tmp_path / 'dask.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield address
    finally:
        for process in reversed(processes):
            stop(process)
        log.close()


def test_each_job_gets_its_own_status_on_a_real_cluster(synthetic, dask_cluster):
    models = ["test-centroids", "test-raises", "test-exits", "test-sleeps", "test-slow-start",
              "test-shows-settings"]
    jobs = plan_jobs(models, ["mnist"], [0], "smoke")
    events = Recorder()
    records = run_dask(jobs, str(synthetic.results_dir), dask_cluster,
                       3.0, events)
    expected = {"test-centroids": "ok", "test-raises": "failed", "test-exits": "crashed",
                "test-sleeps": "timeout", "test-slow-start": "ok",  # its 4 s import is untimed
                "test-shows-settings": "failed"}
    assert {r.model: r.status for r in records} == expected
    assert {r.model: r.status for r in load_records(synthetic.results_dir)} == expected
    by_model = {r.model: r for r in records}
    assert "this plugin always fails in fit" in by_model["test-raises"].error
    assert "exit code 3" in by_model["test-exits"].error
    assert "--timeout 3" in by_model["test-sleeps"].error
    assert by_model["test-centroids"].test_accuracy > 0.9
    # the local pool's thread split: this host's cores over its 2 Dask worker threads
    threads = max(1, (os.cpu_count() or 1) // 2)
    assert f"threads={threads}" in by_model["test-shows-settings"].error
    for job in jobs:  # one start per job, sent by the Dask worker as the job began
        starts = [i for i, event in enumerate(events.events) if event == ("start", job.key)]
        finishes = [i for i, event in enumerate(events.events) if event == ("finish", job.key)]
        assert len(starts) == 1 and len(finishes) == 1 and starts[0] < finishes[0], job.key
    assert not (synthetic.results_dir / ".claims").exists()


def test_an_unreachable_scheduler_is_one_quick_clear_error(synthetic):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    jobs = plan_jobs(["test-centroids"], ["mnist"], [0], "smoke")
    started = time.monotonic()
    with pytest.raises(BenchError, match="cannot reach the Dask scheduler"):
        run_dask(jobs, str(synthetic.results_dir), address, None, Recorder())
    assert time.monotonic() - started < 20
    done = synthetic.bench("run-all", "--profile", "smoke", "--models", "test-centroids",
                           "--datasets", "mnist", "--seed", "0", "--no-report",
                           "--backend", "dask", "--scheduler", address,
                           "--results-dir", str(synthetic.results_dir))
    assert done.returncode == 1
    assert "error: cannot reach the Dask scheduler" in done.stderr
    assert "Traceback" not in done.stderr
