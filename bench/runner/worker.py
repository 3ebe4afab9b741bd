"""Worker processes: warm, thread-limited, one job at a time, driven by both backends.

A worker is a fresh interpreter (``python -m bench.runner.worker FD``, so a daemonic Dask
worker can start one too) with its thread limits in its environment before numpy loads and the
supervisor's :class:`~bench.settings.Settings` sent explicitly. Messages (pickled tuples):

- in: one :class:`WorkerConfig`, then ``("run", job)`` per job, ``("warm", models)`` to
  import more frameworks, ``None`` to stop;
- out: ``("warming", model)``, ``("ready",)`` once frameworks are imported (so that no job's
  ``--timeout`` pays for them), then per job ``("epoch", key, epoch, epochs, logs)`` and
  ``("done", record_dict)``.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait

from bench.errors import ModelWarning, ResultsError
from bench.plan.jobs import Job
from bench.plugins.registry import PluginWarning, get_model
from bench.results.record import STATUS_CRASHED, STATUS_FAILED, STATUS_TIMEOUT, RunRecord
from bench.results.store import save_record
from bench.runner import provenance
from bench.runner.execution import empty_record, execute_job
from bench.settings import Settings, set_settings
from bench.threads import thread_environment

POLL_SECONDS = 0.2
WARM_UP_SECONDS = 600.0  # a worker still importing after this is stuck


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs besides its jobs: ``results_dir`` where it saves each record itself
    (a dead supervisor loses nothing; ``None``: the caller saves), ``warm_up`` the models whose
    frameworks it imports before it is ready."""

    threads: int
    settings: Settings  # the supervisor's: they cross the process boundary explicitly
    results_dir: str | None = None
    warm_up: tuple[str, ...] = field(default=())


class WorkerProcess:
    """The supervisor's handle on one worker: its process, its pipe, the job it holds."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.conn, child = Pipe(duplex=True)
        env = {**os.environ, **thread_environment(config.threads)}
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.runner.worker", str(child.fileno())],
                pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL,
                start_new_session=False)
        finally:
            child.close()
        self.conn.send(config)
        self._unanswered = 1  # warm-ups not yet answered with "ready"
        self.warming: str | None = None  # the model whose framework is being imported
        self.job: Job | None = None
        self.started = 0.0  # monotonic time the current job was handed over
        self.committed = None  # file_signature of the job's record when it was handed over
        self.warm_started = time.monotonic()

    def fileno(self) -> int:
        """For ``multiprocessing.connection.wait``: readable on a message or on the worker's exit."""
        return self.conn.fileno()

    @property
    def ready(self) -> bool:
        """Warmed up and waiting: a job handed over now starts at once."""
        return self._unanswered == 0

    def warm(self, models: Sequence[str]) -> None:
        """Have the worker import the frameworks of ``models`` (it is not ready until done)."""
        self._unanswered += 1
        self.warm_started = time.monotonic()
        self.conn.send(("warm", tuple(models)))

    def warming_too_long(self, limit: float) -> bool:
        """Still warming up (alive, not ready) ``limit`` seconds after it was asked to."""
        return not self.ready and time.monotonic() - self.warm_started > limit

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def exit_code(self) -> int | None:
        return self.process.poll()

    def assign(self, job: Job) -> None:
        self.job, self.started = job, time.monotonic()
        self.conn.send(("run", job))

    def messages(self) -> list[tuple]:
        """Every message waiting on the pipe (none once the worker is gone)."""
        received = []
        try:
            while self.conn.poll():
                message = self.conn.recv()
                if message[0] == "ready":
                    self._unanswered -= 1
                    self.warming = None
                elif message[0] == "warming":
                    self.warming = message[1]
                else:
                    received.append(message)
        except (EOFError, OSError):
            pass
        return received

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()
        self.conn.close()


def stop_all(workers: Sequence[WorkerProcess], grace: float = 5.0) -> None:
    for worker in workers:
        try:
            worker.conn.send(None)
        except OSError:
            pass
    deadline = time.monotonic() + grace
    for worker in workers:
        try:
            worker.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        worker.kill()


def describe_exit(code: int | None) -> str:
    if code is None:
        return "no exit code"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def warm_up(models: Sequence[str], report: Callable[[str], None]) -> None:
    """Import the frameworks of ``models`` (calling ``report(name)`` before each) so that no
    job's clock pays for it; a model that cannot be built here fails in its job instead."""
    for name in models:
        report(name)
        try:
            spec = get_model(name)
            spec.build(spec.resolve({}), 0)  # builders import their library
            if spec.trains_in_epochs:
                from bench.plugins.estimators import _keras

                _keras()
        except Exception:  # noqa: BLE001, S112 - the job itself reports the error
            continue


def worker_main(conn: Connection) -> None:
    """Serve jobs from ``conn`` until it closes or sends ``None`` (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor handles Ctrl-C
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past `ulimit -f` a write fails (EFBIG)
    config = conn.recv()
    set_settings(config.settings.replace(threads_per_job=config.threads))  # the job's share
    # versions and the git commit as the worker starts (its code is loaded from here on),
    # not when its first job ends: a long job must not record a commit made while it ran
    provenance.collect()

    # the command's own process has already warned about a broken plugin or a model's
    # library (while planning), once; a job's own warnings go into its record
    warnings.simplefilter("ignore", PluginWarning)
    warnings.simplefilter("ignore", ModelWarning)

    def warming(name: str) -> None:
        conn.send(("warming", name))  # if this process dies now, the supervisor knows why

    warm_up(config.warm_up, warming)
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if message[0] == "warm":
            warm_up(message[1], warming)
            conn.send(("ready",))
            continue
        _, job = message

        def on_epoch(epoch: int, epochs: int, logs: dict, _key: str = job.key) -> None:
            try:
                conn.send(("epoch", _key, epoch, epochs, logs))
            except OSError:
                pass

        record = execute_job(job, on_epoch=on_epoch)
        if config.results_dir is not None:
            record = save_or_fail(config.results_dir, record)  # a late kill cannot undo it
        try:
            conn.send(("done", record.to_dict()))
        except OSError:
            return


def save_or_fail(results_dir: str, record: RunRecord) -> RunRecord:
    """Save ``record``; if it cannot be saved (disk full, file-size limit), the job's record
    is a ``failed`` one saying why (not saved: the job runs again on the next run)."""
    try:
        save_record(results_dir, record)
    except ResultsError as exc:
        return dataclasses.replace(record, status=STATUS_FAILED, error=str(exc), traceback=None)
    return record


def wait_ready(workers: Sequence[WorkerProcess]) -> None:
    """Until every worker is ready or gone (one stuck warming up is killed)."""
    while any(w.alive and not w.ready for w in workers):
        wait([w for w in workers if not w.ready], POLL_SECONDS)
        for worker in workers:
            worker.messages()
            if worker.alive and worker.warming_too_long(WARM_UP_SECONDS):
                worker.kill()


def crash_error(code: int | None) -> str:
    return (f"the worker process died ({describe_exit(code)}) while running this job: a hard "
            "crash such as a segfault, os._exit or a kill for lack of memory.")


def stopped_record(worker: WorkerProcess, timeout: float | None) -> RunRecord | None:
    """The ``crashed`` or ``timeout`` record of the job ``worker`` holds, after killing it;
    ``None`` while the job runs within its time."""
    job, elapsed = worker.job, time.monotonic() - worker.started
    if worker.alive and not (timeout and elapsed > timeout):
        return None
    code = worker.exit_code
    worker.kill()  # from here on nothing can write this job's record but the supervisor
    if code is not None:
        status, error = STATUS_CRASHED, crash_error(code)
    else:
        status = STATUS_TIMEOUT
        error = f"the job ran past --timeout {timeout:g} s and its worker process was killed."
    return empty_record(job, status, error=error, wall_seconds=round(elapsed, 3))


if __name__ == "__main__":
    worker_main(Connection(int(sys.argv[1])))
