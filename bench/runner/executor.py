"""Executing jobs: a local pool of warm worker processes, or a Dask cluster.

Both backends run each job in a warm worker process (:mod:`bench.runner.worker`): TensorFlow
and scikit-learn are imported once per worker, before its first job, and never inside a
job's ``--timeout``. The supervisor knows which job every worker holds, so a worker that dies
(segfault, ``os._exit``, out-of-memory kill) marks exactly that job ``crashed``, a job past
``timeout`` has its worker killed and is marked ``timeout``, and the others carry on.

- Local: up to ``n_workers`` workers on this machine; each saves its own records (a dead
  supervisor loses nothing) and the supervisor records timeouts and crashes, never over a
  record the worker committed first.
- Dask: each job is one task (``Client.submit``), consumed as it completes
  (``as_completed``); the task runs the job in a warm worker process that it keeps on the
  Dask worker, so a hung job is really stopped, and the job gets the same thread settings
  as in the local pool. Records come back to this process, which saves them.

Jobs are claimed in the results folder first (:mod:`bench.runner.claims`), so two runs on
one folder share the work.
"""

from __future__ import annotations

import dataclasses
import math
import os
import queue as queue_module
import threading
import time
import uuid
from collections.abc import Sequence
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Protocol

from bench.errors import BenchError, ResultsError, UsageError
from bench.files import output_dir_problem
from bench.plan.jobs import Job
from bench.results.record import STATUS_CRASHED, STATUS_TIMEOUT, RunRecord
from bench.results.store import read_record, record_path, runs_dir, save_record
from bench.runner.claims import WorkQueue, claims_dir
from bench.runner.execution import empty_record
from bench.runner.worker import (
    WorkerConfig,
    WorkerProcess,
    describe_exit,
    file_signature,
    stop_all,
)
from bench.threads import threads_for

POLL_SECONDS = 0.2
MAX_START_FAILURES = 3
WARM_UP_SECONDS = 600.0  # a worker still importing after this is stuck
CONNECT_TIMEOUT = 5.0
WORKERS_TIMEOUT = 60.0
PROGRESS_TOPIC = "bench-progress"


class ClusterError(BenchError):
    """The Dask scheduler cannot be reached or has no workers."""


class Events(Protocol):
    def on_start(self, job: Job) -> None: ...
    def on_epoch(self, job: Job, epoch: int, epochs: int, logs: dict) -> None: ...
    def on_finish(self, record: RunRecord) -> None: ...


def check_timeout(timeout: float | None) -> None:
    """``--timeout`` must be a positive, finite number of seconds (or absent)."""
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) \
            or not math.isfinite(timeout) or timeout <= 0:
        raise UsageError(f"--timeout must be a positive, finite number of seconds, got {timeout}.")


def check_results_dir(results_dir: str | os.PathLike) -> None:
    """Refuse a results folder that cannot take records, before anything trains."""
    for folder in (Path(results_dir), runs_dir(results_dir)):
        problem = output_dir_problem(folder)
        if problem:
            raise ResultsError(f"cannot write results to {folder}: {problem}. Nothing was run; "
                               "choose another --results-dir or fix the folder first.")
    claims = claims_dir(results_dir)
    if claims.is_symlink() or (os.path.lexists(claims) and not claims.is_dir()):
        raise ResultsError(f"cannot write results to {results_dir}: {claims}, where runs keep "
                           "their job claims, is a link or not a folder. Nothing was run; "
                           "remove it (the harness recreates it) or choose another --results-dir.")


def _settings(settings: Any) -> Any:
    """The settings to hand to workers: the given ones, else the supervisor's active ones."""
    if settings is not None:
        return settings
    from bench.settings import get_settings

    return get_settings()


def _timeout_error(timeout: float) -> str:
    return f"the job ran past --timeout {timeout:g} s and its worker process was killed."


def _crash_error(code: int | None) -> str:
    return (f"the worker process died ({describe_exit(code)}) while running this job: a hard "
            "crash such as a segfault, os._exit or a kill for lack of memory.")


# --------------------------------------------------------------------------- local pool


def run_local(jobs: Sequence[Job], results_dir: str, n_workers: int,
              timeout: float | None, events: Events, settings: Any = None) -> list[RunRecord]:
    """Run ``jobs`` on up to ``n_workers`` warm processes; every job ends with a saved record.

    ``settings`` (a :class:`bench.settings.Settings`, default: the active ones) is activated
    in every worker, its ``threads_per_job`` set to the job's share of the cores (the
    cores split between the workers, unless the settings fix it).
    """
    check_timeout(timeout)
    check_results_dir(results_dir)
    settings = _settings(settings)
    threads = getattr(settings, "threads_per_job", None) or threads_for(n_workers)
    config = WorkerConfig(threads, str(results_dir), settings,
                          warm_up=tuple(dict.fromkeys(job.model for job in jobs)))
    return _LocalPool(jobs, str(results_dir), n_workers, timeout, events, config).run()


class _LocalPool:
    def __init__(self, jobs: Sequence[Job], results_dir: str, n_workers: int,
                 timeout: float | None, events: Events, config: WorkerConfig) -> None:
        self.queue = WorkQueue(jobs, results_dir)
        self.results_dir, self.n_workers, self.timeout = results_dir, n_workers, timeout
        self.events, self.config = events, config
        self.workers: list[WorkerProcess] = []
        self.records: list[RunRecord] = []
        self.start_failures = 0

    def run(self) -> list[RunRecord]:
        try:
            while self.queue or self._busy():
                self._assign_and_spawn()
                if self.workers:
                    wait(self.workers, POLL_SECONDS)
                else:
                    time.sleep(POLL_SECONDS)
                for worker in list(self.workers):
                    self._check(worker)
        finally:
            self.queue.close()
            stop_all(self.workers)
        return self.records

    def _busy(self) -> list[WorkerProcess]:
        return [w for w in self.workers if w.job is not None]

    def _assign_and_spawn(self) -> None:
        for worker in self.workers:
            if not (worker.ready and worker.job is None and self.queue):
                continue
            finished, job = self.queue.take()
            for record in finished:
                self._finish(record)
            if job is None:
                break
            worker.committed = file_signature(record_path(self.results_dir, job.key))
            worker.assign(job)  # the worker is warm: its clock measures the job alone
            self.events.on_start(job)
        wanted = min(self.n_workers, len(self._busy()) + len(self.queue))
        while len(self.workers) < wanted:
            self.workers.append(WorkerProcess(self.config))

    def _check(self, worker: WorkerProcess) -> None:
        for message in worker.messages():
            if message[0] == "epoch" and worker.job is not None:
                self.events.on_epoch(worker.job, *message[2:])
            elif message[0] == "done":
                job, worker.job = worker.job, None
                self.queue.done(job)
                self._finish(RunRecord.from_dict(message[1]))
        if not worker.alive or worker.warming_too_long(WARM_UP_SECONDS):
            if worker.job is not None:
                self._retire(worker, STATUS_CRASHED, _crash_error(worker.exit_code))
                return
            self.workers.remove(worker)
            worker.kill()
            if not worker.ready:
                self._start_failed(worker)
        elif (worker.job is not None and self.timeout
              and time.monotonic() - worker.started > self.timeout):
            self._retire(worker, STATUS_TIMEOUT, _timeout_error(self.timeout))

    def _start_failed(self, worker: WorkerProcess) -> None:
        """A worker died or stuck while warming up: leave out the model it was importing
        (its jobs then fail, crash or time out on their own), or give up after a few."""
        if worker.warming is not None:
            rest = tuple(m for m in self.config.warm_up if m != worker.warming)
            self.config = dataclasses.replace(self.config, warm_up=rest)
            return
        self.start_failures += 1
        if self.start_failures >= MAX_START_FAILURES:
            raise BenchError(f"worker processes keep dying while starting "
                             f"({describe_exit(worker.exit_code)}); see the messages above. "
                             "Is the harness installed in this Python?")

    def _retire(self, worker: WorkerProcess, status: str, error: str) -> None:
        """Kill ``worker`` and record its job, unless it had committed a record first."""
        job, elapsed = worker.job, time.monotonic() - worker.started
        worker.kill()  # from here on nothing can write this job's record but us
        self.workers.remove(worker)
        record = self._committed(worker, job)
        if record is None:
            record = empty_record(job, status, error=error, wall_seconds=round(elapsed, 3))
            save_record(self.results_dir, record)
        self.queue.done(job)
        self._finish(record)

    def _committed(self, worker: WorkerProcess, job: Job) -> RunRecord | None:
        """The record ``worker`` saved for ``job`` before it was stopped, if it got that far."""
        path = record_path(self.results_dir, job.key)
        if file_signature(path) in (None, worker.committed):
            return None
        try:
            record = read_record(path)
        except ResultsError:
            return None
        return record if record.key == job.key else None

    def _finish(self, record: RunRecord) -> None:
        self.records.append(record)
        self.events.on_finish(record)


# --------------------------------------------------------------------------- Dask


def connect(scheduler: str):
    """A ``distributed.Client`` on ``scheduler`` with at least one worker, or a ClusterError."""
    import logging

    import dask
    from distributed import Client

    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # the error below says it all; no retry chatter
    try:
        with dask.config.set({"distributed.comm.timeouts.connect": f"{CONNECT_TIMEOUT:g}s"}):
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = (str(exc).splitlines() or [""])[0][:200]
        raise ClusterError(
            f"cannot reach the Dask scheduler at {scheduler!r} within {CONNECT_TIMEOUT:g} s "
            f"({type(exc).__name__}: {reason}). Check the address (e.g. tcp://127.0.0.1:8786) "
            "and that `dask scheduler` is running there.") from None
    finally:
        quiet.setLevel(level)
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise ClusterError(f"the Dask scheduler at {scheduler!r} has no workers (waited "
                           f"{WORKERS_TIMEOUT:g} s): start some with `dask worker {scheduler}`."
                           ) from exc
    return client


def cluster_slots(client) -> dict[str, int]:
    """Dask worker threads per host: that many jobs share the host's cores at once."""
    slots: dict[str, int] = {}
    for info in client.scheduler_info(n_workers=-1)["workers"].values():
        slots[info["host"]] = slots.get(info["host"], 0) + int(info["nthreads"])
    return slots


def run_dask(jobs: Sequence[Job], results_dir: str, scheduler: str,
             timeout: float | None, events: Events, settings: Any = None) -> list[RunRecord]:
    """Run ``jobs`` on the Dask cluster at ``scheduler``, one task per job.

    The settings' ``data_dir`` must be a path valid on the Dask workers. Every job gets its own status: a
    failure, a crash or a timeout of one job (or a task the cluster lost) marks that job only.
    """
    check_timeout(timeout)
    check_results_dir(results_dir)
    client = connect(scheduler)
    try:
        return _DaskRun(client, jobs, str(results_dir), timeout, events,
                        _settings(settings)).run()
    finally:
        client.close()


class _DaskRun:
    def __init__(self, client, jobs: Sequence[Job], results_dir: str,
                 timeout: float | None, events: Events, settings: Any) -> None:
        self.client, self.results_dir = client, results_dir
        self.timeout, self.events, self.settings = timeout, events, settings
        self.queue = WorkQueue(jobs, results_dir)
        self.by_key = {job.key: job for job in jobs}
        self.records: list[RunRecord] = []
        self.progress: queue_module.SimpleQueue = queue_module.SimpleQueue()

    def run(self) -> list[RunRecord]:
        from distributed import as_completed

        slots = cluster_slots(self.client)
        models = tuple(dict.fromkeys(job.model for job in self.by_key.values()))
        self.client.gather([self.client.submit(prewarm_dask_worker, models,
                                               self.settings, slots, workers=[address],
                                               pure=False)
                            for address in self.client.scheduler_info(n_workers=-1)["workers"]],
                           errors="skip")
        self.client.subscribe_topic(PROGRESS_TOPIC, self.progress.put)
        running = as_completed(loop=self.client.loop)
        futures: dict[str, Job] = {}
        try:
            while self.queue or running.count():
                while self.queue:
                    finished, job = self.queue.take()
                    for record in finished:
                        self._finish(record)
                    if job is None:
                        break
                    future = self.client.submit(
                        run_on_dask_worker, job, self.timeout, self.settings,
                        slots, key=f"bench-{job.key}-{uuid.uuid4().hex[:8]}", pure=False)
                    futures[future.key] = job
                    running.add(future)
                self._relay_progress()
                if running.has_ready():
                    for future in running.next_batch(block=False):
                        job = futures.pop(future.key)
                        self._save(job, self._record(job, future))
                elif self.client.status in ("closing", "closed"):
                    raise ClusterError("the connection to the Dask scheduler was lost.")
                else:
                    time.sleep(POLL_SECONDS)
            self._relay_progress()
        finally:
            self.queue.close()
            self.client.unsubscribe_topic(PROGRESS_TOPIC)
        return self.records

    def _relay_progress(self) -> None:
        while not self.progress.empty():
            _, message = self.progress.get()
            job = self.by_key.get(message.get("key"))
            if job is None:
                continue
            if message.get("event") == "start":
                self.events.on_start(job)
            elif message.get("event") == "epoch":
                self.events.on_epoch(job, message["epoch"], message["epochs"], message["logs"])

    @staticmethod
    def _record(job: Job, future) -> RunRecord:
        """The job's record from its finished task; a task the cluster lost is ``crashed``."""
        try:
            return RunRecord.from_dict(future.result())
        except Exception as exc:  # noqa: BLE001 - this job's task failed; the others go on
            return empty_record(job, STATUS_CRASHED,
                                error=f"the Dask cluster could not run this job "
                                      f"({type(exc).__name__}: {exc}).")

    def _save(self, job: Job, record: RunRecord) -> None:
        save_record(self.results_dir, record)
        self.queue.done(job)
        self._finish(record)

    def _finish(self, record: RunRecord) -> None:
        self.records.append(record)
        self.events.on_finish(record)


# What follows runs on the Dask workers: each keeps warm worker processes between tasks.

_IDLE: list[WorkerProcess] = []
_IDLE_LOCK = threading.Lock()


def _checkout(config: WorkerConfig) -> WorkerProcess:
    """An idle warm worker started with ``config``, or a new one (idle workers of an older
    config, from an earlier run with other settings, are stopped)."""
    with _IDLE_LOCK:
        stale = [w for w in _IDLE if w.config != config or not w.alive]
        _IDLE[:] = [w for w in _IDLE if w not in stale]
        match = _IDLE.pop() if _IDLE else None
    for worker in stale:
        worker.stop(grace=1.0)
    return match or WorkerProcess(config)


def _checkin(worker: WorkerProcess) -> None:
    with _IDLE_LOCK:
        _IDLE.append(worker)


def _dask_worker_config(settings: Any,
                        slots: dict[str, int]) -> tuple[Any, WorkerConfig]:
    """This Dask worker and the config of its job processes: the local pool's thread split,
    over the Dask worker threads of this host."""
    from distributed import get_worker
    from distributed.comm import get_address_host

    dask_worker = get_worker()
    host = get_address_host(dask_worker.address)
    threads = getattr(settings, "threads_per_job", None) or threads_for(
        slots.get(host, dask_worker.state.nthreads))
    return dask_worker, WorkerConfig(threads, None, settings)


def _wait_ready(workers: Sequence[WorkerProcess]) -> None:
    """Until every worker is ready or gone (one stuck warming up is killed)."""
    while any(w.alive and not w.ready for w in workers):
        wait([w for w in workers if not w.ready], POLL_SECONDS)
        for worker in workers:
            worker.messages()
            if worker.alive and worker.warming_too_long(WARM_UP_SECONDS):
                worker.kill()


def prewarm_dask_worker(models: Sequence[str], settings: Any,
                        slots: dict[str, int]) -> int:
    """A Dask task: start this Dask worker's job processes and import ``models``' frameworks,
    before any job, as the local pool does (so no job's fit shares the cores with a warm-up)."""
    dask_worker, config = _dask_worker_config(settings, slots)
    workers = [_checkout(config) for _ in range(dask_worker.state.nthreads)]
    for worker in workers:
        worker.warm(models)
    _wait_ready(workers)
    for worker in workers:
        if worker.alive:
            _checkin(worker)
    return len(workers)


def run_on_dask_worker(job: Job, timeout: float | None, settings: Any,
                       slots: dict[str, int]) -> dict:
    """A Dask task: run ``job`` in a warm worker process here; its record as a dict."""
    dask_worker, config = _dask_worker_config(settings, slots)

    def log(event: str, **fields: Any) -> None:
        try:
            dask_worker.log_event(PROGRESS_TOPIC, {"event": event, "key": job.key, **fields})
        except Exception:  # noqa: BLE001 - progress display only; never fail the job for it
            pass

    worker = _checkout(config)
    worker.warm((job.model,))
    _wait_ready([worker])  # start-up and imports: outside the job's clock
    if not worker.alive:
        return empty_record(job, STATUS_CRASHED, error=_crash_error(worker.exit_code)
                            + " (It died loading the model's libraries, before the job began.)"
                            ).to_dict()
    log("start")
    worker.assign(job)
    while True:
        wait([worker], POLL_SECONDS)
        for message in worker.messages():
            if message[0] == "epoch":
                _, _, epoch, epochs, logs = message
                log("epoch", epoch=int(epoch), epochs=int(epochs),
                    logs={str(k): float(v) for k, v in logs.items()})
            elif message[0] == "done":
                worker.job = None
                _checkin(worker)
                return message[1]
        elapsed = time.monotonic() - worker.started
        if not worker.alive:
            code = worker.exit_code
            worker.kill()
            return empty_record(job, STATUS_CRASHED, error=_crash_error(code),
                                wall_seconds=round(elapsed, 3)).to_dict()
        if timeout and elapsed > timeout:
            worker.kill()
            return empty_record(job, STATUS_TIMEOUT, error=_timeout_error(timeout),
                                wall_seconds=round(elapsed, 3)).to_dict()
