"""The local backend: up to ``n_workers`` warm worker processes on this machine. Workers save
their own records; the supervisor records timeouts and crashes, never over a record the worker
committed first."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from multiprocessing.connection import wait

from bench.errors import BenchError
from bench.files import file_signature
from bench.plan.jobs import Job
from bench.results.record import RunRecord
from bench.results.store import record_path
from bench.runner.claims import WorkQueue, committed_record
from bench.runner.progress import Events
from bench.runner.worker import (
    POLL_SECONDS,
    WARM_UP_SECONDS,
    WorkerConfig,
    WorkerProcess,
    describe_exit,
    save_or_fail,
    stop_all,
    stopped_record,
)
from bench.settings import get_settings
from bench.threads import threads_for

MAX_START_FAILURES = 3


def run_local(jobs: Sequence[Job], results_dir: str, n_workers: int,
              timeout: float | None, events: Events) -> list[RunRecord]:
    """Run ``jobs`` on up to ``n_workers`` warm processes; every job ends with a saved record.
    Workers get the active settings, ``threads_per_job`` (unless set) their share of the cores."""
    settings = get_settings()
    threads = settings.threads_per_job or threads_for(n_workers)
    config = WorkerConfig(threads, settings, str(results_dir),
                          warm_up=tuple(dict.fromkeys(job.model for job in jobs)))
    return LocalPool(jobs, str(results_dir), n_workers, timeout, events, config).run()


class LocalPool:
    def __init__(self, jobs: Sequence[Job], results_dir: str, n_workers: int,
                 timeout: float | None, events: Events, config: WorkerConfig) -> None:
        self.queue = WorkQueue(jobs, results_dir, events)
        self.results_dir, self.n_workers, self.timeout = results_dir, n_workers, timeout
        self.events, self.config = events, config
        self.workers: list[WorkerProcess] = []
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
        return self.queue.records

    def _busy(self) -> list[WorkerProcess]:
        return [w for w in self.workers if w.job is not None]

    def _assign_and_spawn(self) -> None:
        for worker in self.workers:
            if not (worker.ready and worker.job is None and self.queue):
                continue
            job = self.queue.take()
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
                self.queue.finish(job, RunRecord.from_dict(message[1]))
        if worker.job is not None:
            record = stopped_record(worker, self.timeout)
            if record is not None:
                self._retire(worker, record)
        elif not worker.alive or worker.warming_too_long(WARM_UP_SECONDS):
            self.workers.remove(worker)
            worker.kill()
            if not worker.ready:
                self._start_failed(worker)

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

    def _retire(self, worker: WorkerProcess, record: RunRecord) -> None:
        """Record the job of the killed ``worker``, unless it had committed a record first."""
        self.workers.remove(worker)
        committed = committed_record(self.results_dir, worker.job, worker.committed)
        if committed is None:
            record = save_or_fail(self.results_dir, record)
        self.queue.finish(worker.job, committed or record)
