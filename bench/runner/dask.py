"""The Dask backend: each job is one task, run in a warm worker process
(:mod:`bench.runner.worker`) kept on the Dask worker, so a hung job is really stopped and
threads are split as in the local pool. Records come back here and are saved here."""

from __future__ import annotations

import logging
import queue as queue_module
import threading
import time
import uuid
from collections.abc import Sequence
from multiprocessing.connection import wait
from typing import Any

from bench.errors import BenchError
from bench.plan.jobs import Job
from bench.results.record import STATUS_CRASHED, RunRecord
from bench.runner.claims import WorkQueue
from bench.runner.execution import empty_record
from bench.runner.progress import Events
from bench.runner.worker import (
    POLL_SECONDS,
    WorkerConfig,
    WorkerProcess,
    crash_error,
    save_or_fail,
    stop_all,
    stopped_record,
    wait_ready,
)
from bench.settings import Settings, get_settings
from bench.threads import threads_for

CONNECT_TIMEOUT = 5.0
WORKERS_TIMEOUT = 60.0
PROGRESS_TOPIC = "bench-progress"


class ClusterError(BenchError):
    """The Dask scheduler cannot be reached or has no workers."""


def connect(scheduler: str):
    """A ``distributed.Client`` on ``scheduler`` with at least one worker, or a ClusterError."""
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
        _disarm_half_made_client(exc)
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


def _disarm_half_made_client(exc: BaseException) -> None:
    """Let a ``Client`` whose constructor failed be collected without closing again (that
    times out and prints a traceback): its ``__del__`` skips a client with no loop."""
    tb = exc.__traceback__
    while tb is not None:
        if type(tb.tb_frame.f_locals.get("self")).__name__ == "Client":
            tb.tb_frame.f_locals["self"]._Client__loop = None
        tb = tb.tb_next


def cluster_slots(client) -> dict[str, int]:
    """Dask worker threads per host: that many jobs share the host's cores at once."""
    slots: dict[str, int] = {}
    for info in client.scheduler_info(n_workers=-1)["workers"].values():
        slots[info["host"]] = slots.get(info["host"], 0) + int(info["nthreads"])
    return slots


def run_dask(jobs: Sequence[Job], results_dir: str, scheduler: str,
             timeout: float | None, events: Events) -> list[RunRecord]:
    """Run ``jobs`` on the Dask cluster at ``scheduler`` (the settings' ``data_dir`` must be
    valid on its workers); a failure, crash, timeout or lost task marks that job only."""
    from distributed import as_completed

    client = connect(scheduler)
    settings, by_key = get_settings(), {job.key: job for job in jobs}
    queue = WorkQueue(jobs, results_dir, events)
    progress: queue_module.SimpleQueue = queue_module.SimpleQueue()
    try:
        slots = cluster_slots(client)
        models = tuple(dict.fromkeys(job.model for job in jobs))
        client.gather([client.submit(prewarm_dask_worker, models, settings, slots,
                                     workers=[address], pure=False)
                       for address in client.scheduler_info(n_workers=-1)["workers"]],
                      errors="skip")
        client.subscribe_topic(PROGRESS_TOPIC, progress.put)
        running, futures = as_completed(loop=client.loop), {}
        while queue or running.count():
            while (job := queue.take() if queue else None) is not None:
                future = client.submit(run_on_dask_worker, job, timeout, settings, slots,
                                       key=f"bench-{job.key}-{uuid.uuid4().hex[:8]}", pure=False)
                futures[future.key] = job
                running.add(future)
            _relay_progress(progress, by_key, events)
            if running.has_ready():
                for future in running.next_batch(block=False):
                    job = futures.pop(future.key)
                    record = save_or_fail(results_dir, _task_record(job, future))
                    queue.finish(job, record)
            elif client.status in ("closing", "closed"):
                raise ClusterError("the connection to the Dask scheduler was lost.")
            else:
                time.sleep(POLL_SECONDS)
        _relay_progress(progress, by_key, events)
    finally:
        queue.close()
        client.close()
    return queue.records


def _relay_progress(progress: queue_module.SimpleQueue, by_key: dict[str, Job],
                    events: Events) -> None:
    """Pass on the start and epoch events the Dask workers logged."""
    while not progress.empty():
        _, message = progress.get()
        job = by_key.get(message.get("key"))
        if job is not None and message.get("event") == "start":
            events.on_start(job)
        elif job is not None and message.get("event") == "epoch":
            events.on_epoch(job, message["epoch"], message["epochs"], message["logs"])


def _task_record(job: Job, future) -> RunRecord:
    """The job's record from its finished task; a task the cluster lost is ``crashed``."""
    try:
        return RunRecord.from_dict(future.result())
    except Exception as exc:  # noqa: BLE001 - this job's task failed; the others go on
        return empty_record(job, STATUS_CRASHED, error=f"the Dask cluster could not run this "
                                                      f"job ({type(exc).__name__}: {exc}).")


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
    stop_all(stale, grace=1.0)
    return match or WorkerProcess(config)


def _checkin(worker: WorkerProcess) -> None:
    with _IDLE_LOCK:
        _IDLE.append(worker)


def _dask_worker_config(settings: Settings, slots: dict[str, int]) -> tuple[Any, WorkerConfig]:
    """This Dask worker and the config of its job processes: the local pool's thread split,
    over the Dask worker threads of this host."""
    from distributed import get_worker
    from distributed.comm import get_address_host

    dask_worker = get_worker()
    host = get_address_host(dask_worker.address)
    threads = settings.threads_per_job or threads_for(
        slots.get(host, dask_worker.state.nthreads))
    return dask_worker, WorkerConfig(threads, settings)


def prewarm_dask_worker(models: Sequence[str], settings: Settings,
                        slots: dict[str, int]) -> int:
    """A Dask task: start this Dask worker's job processes and import ``models``' frameworks,
    before any job, as the local pool does (so no job's fit shares the cores with a warm-up)."""
    dask_worker, config = _dask_worker_config(settings, slots)
    workers = [_checkout(config) for _ in range(dask_worker.state.nthreads)]
    for worker in workers:
        worker.warm(models)
    wait_ready(workers)
    for worker in workers:
        if worker.alive:
            _checkin(worker)
    return len(workers)


def run_on_dask_worker(job: Job, timeout: float | None, settings: Settings,
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
    wait_ready([worker])  # start-up and imports: outside the job's clock
    if not worker.alive:
        return empty_record(job, STATUS_CRASHED, error=crash_error(worker.exit_code)
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
        record = stopped_record(worker, timeout)
        if record is not None:
            return record.to_dict()
