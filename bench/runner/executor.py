"""Executing jobs: a local pool of warm worker processes, or a Dask cluster through joblib.

The local pool runs each job in a long-lived worker process (TensorFlow is imported once
per worker, not once per job). The supervisor knows which job every worker holds, so a
worker that dies (segfault, ``os._exit``, out-of-memory kill) marks exactly that job
``crashed``, a job past ``timeout`` has its worker killed and is marked ``timeout``, and
the other workers carry on. (joblib's own process pool cannot do this: one dead worker
breaks the whole pool and the failure cannot be tied to a job.)
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Protocol

from bench.results.record import STATUS_CRASHED, STATUS_TIMEOUT, RunRecord
from bench.results.store import save_record
from bench.runner.execution import empty_record
from bench.runner.plan import Job
from bench.runner.worker import worker_main
from bench.settings import Settings

POLL_SECONDS = 0.2


class Events(Protocol):
    def on_start(self, job: Job) -> None: ...
    def on_epoch(self, job: Job, epoch: int, epochs: int, logs: dict) -> None: ...
    def on_finish(self, record: RunRecord) -> None: ...


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: object
    job: Job | None = None
    started: float = 0.0


def threads_for(n_workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, n_workers))


def run_local(jobs: Sequence[Job], results_dir: str, settings: Settings, n_workers: int,
              timeout: float | None, events: Events) -> list[RunRecord]:
    """Run ``jobs`` on ``n_workers`` warm processes under ``settings``; every job ends with a
    saved record."""
    ctx = multiprocessing.get_context("spawn")
    worker_settings = settings.replace(threads_per_job=threads_for(n_workers))
    queue = deque(jobs)
    workers: list[_Worker] = []
    records: list[RunRecord] = []

    def start_worker() -> _Worker:
        parent, child = ctx.Pipe()
        process = ctx.Process(target=worker_main, args=(child, worker_settings, results_dir),
                              daemon=True, name="bench-worker")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        workers.append(worker)
        return worker

    def finish(worker: _Worker, record: RunRecord) -> None:
        worker.job = None
        records.append(record)
        events.on_finish(record)

    def retire(worker: _Worker, status: str, error: str) -> None:
        job, elapsed = worker.job, time.monotonic() - worker.started
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        worker.conn.close()
        workers.remove(worker)
        record = empty_record(job, status, error=error, wall_seconds=round(elapsed, 3))
        save_record(results_dir, record)
        finish(worker, record)

    try:
        while queue or any(w.job for w in workers):
            for worker in workers:
                if worker.job is None and queue:
                    _assign(worker, queue.popleft(), events)
            while queue and len(workers) < n_workers:
                _assign(start_worker(), queue.popleft(), events)
            busy = [w for w in workers if w.job is not None]
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], POLL_SECONDS)
            for worker in busy:
                if _drain(worker, events, finish):
                    continue
                if not worker.process.is_alive():
                    code = worker.process.exitcode
                    retire(worker, STATUS_CRASHED, f"the worker process died ({describe_exit(code)}) "
                           "while running this job: a hard crash such as a segfault, os._exit or "
                           "a kill for lack of memory.")
                elif timeout and time.monotonic() - worker.started > timeout:
                    retire(worker, STATUS_TIMEOUT, f"the job ran past --timeout {timeout:g} s and "
                           "its worker process was killed.")
    finally:
        _shutdown(workers)
    return records


def _assign(worker: _Worker, job: Job, events: Events) -> None:
    worker.job, worker.started = job, time.monotonic()
    events.on_start(job)
    worker.conn.send(("run", job))


def _drain(worker: _Worker, events: Events, finish) -> bool:
    """Handle every message the worker sent; True once its job is done."""
    try:
        while worker.conn.poll():
            message = worker.conn.recv()
            if message[0] == "epoch":
                _, _, epoch, epochs, logs = message
                events.on_epoch(worker.job, epoch, epochs, logs)
            elif message[0] == "done":
                finish(worker, RunRecord.from_dict(message[1]))
                return True
    except (EOFError, OSError):
        return False
    return False


def _shutdown(workers: list[_Worker]) -> None:
    for worker in workers:
        try:
            worker.conn.send(None)
        except OSError:
            pass
    deadline = time.monotonic() + 5
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()


def describe_exit(code: int | None) -> str:
    import signal

    if code is None:
        return "no exit code"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def run_dask(jobs: Sequence[Job], results_dir: str, settings: Settings, scheduler: str,
             timeout: float | None, events: Events) -> list[RunRecord]:
    """Send ``jobs`` to a Dask cluster through joblib's Dask backend; records come back here.

    A timed-out job is recorded as ``timeout`` (its computation cannot be stopped inside a
    Dask worker thread and finishes in the background); if the cluster loses a worker for
    good, the jobs that had not returned are recorded as ``crashed``.
    """
    import joblib
    from distributed import Client

    records: list[RunRecord] = []
    with Client(scheduler) as client, joblib.parallel_config(backend="dask"):
        client.wait_for_workers(1, timeout=60)
        parallel = joblib.Parallel(n_jobs=-1, return_as="generator_unordered")
        for job in jobs:
            events.on_start(job)
        remaining = {job.key: job for job in jobs}
        try:
            calls = (joblib.delayed(execute_with_timeout)(job, settings, timeout) for job in jobs)
            for data in parallel(calls):
                record = RunRecord.from_dict(data)
                save_record(results_dir, record)
                remaining.pop(record.key, None)
                records.append(record)
                events.on_finish(record)
        except Exception as exc:  # noqa: BLE001 - the cluster failed; keep what came back
            for job in remaining.values():
                record = empty_record(job, STATUS_CRASHED,
                                      error=f"the Dask cluster failed: {type(exc).__name__}: {exc}")
                save_record(results_dir, record)
                records.append(record)
                events.on_finish(record)
    return records


def execute_with_timeout(job: Job, settings: Settings, timeout: float | None) -> dict:
    """Run ``job`` in this process, giving up after ``timeout`` seconds (Dask workers)."""
    from bench.runner.execution import execute_job

    if not timeout:
        return execute_job(job, settings).to_dict()
    box: dict[str, RunRecord] = {}
    thread = threading.Thread(target=lambda: box.update(record=execute_job(job, settings)),
                              daemon=True)
    thread.start()
    thread.join(timeout)
    if "record" in box:
        return box["record"].to_dict()
    return empty_record(job, STATUS_TIMEOUT, error=f"the job ran past --timeout {timeout:g} s.",
                        wall_seconds=float(timeout)).to_dict()
