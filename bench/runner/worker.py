"""Worker processes: warm, thread-limited, one job at a time, talking over a pipe.

This module is imported by freshly spawned workers, so it imports nothing heavy at the
top: thread limits must be in the environment before numpy or TensorFlow load.
"""

from __future__ import annotations

import os

from bench.settings import Settings
from bench.threads import thread_environment


def worker_main(conn, settings: Settings, results_dir: str | None) -> None:
    """Serve jobs from ``conn`` until it closes: ("run", job) in; ("epoch", ...), ("done", dict) out.

    ``settings`` are the supervisor's (with this worker's ``threads_per_job``); jobs run
    under them, whatever this process's environment says.
    """
    os.environ.update(thread_environment(settings.threads_per_job or 1))
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor handles Ctrl-C
    from bench.results.store import save_record
    from bench.runner.execution import execute_job

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        _, job = message

        def on_epoch(epoch: int, epochs: int, logs: dict, _key: str = job.key) -> None:
            try:
                conn.send(("epoch", _key, epoch, epochs, logs))
            except OSError:
                pass

        record = execute_job(job, settings, on_epoch)
        if results_dir is not None:
            save_record(results_dir, record)  # written here so a dead supervisor loses nothing
        try:
            conn.send(("done", record.to_dict()))
        except OSError:
            return
