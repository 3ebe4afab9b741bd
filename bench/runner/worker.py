"""Worker processes: warm, thread-limited, one job at a time, talking over a pipe.

This module is imported by freshly spawned workers, so it imports nothing heavy at the
top: thread limits must be in the environment before numpy or TensorFlow load.
"""

from __future__ import annotations

import os

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "BENCH_THREADS_PER_JOB")


def thread_environment(threads: int) -> dict[str, str]:
    """Environment that limits BLAS and OpenMP to ``threads`` threads per job.

    TensorFlow always gets one thread (see ``bench.estimators.KERAS_THREADS``): its results
    depend on the thread count, and a result must not depend on ``--jobs`` or the machine.
    """
    env = {name: str(threads) for name in THREAD_ENV}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"  # TensorFlow's C++ start-up chatter; Python errors still raise
    return env


def worker_main(conn, threads: int, results_dir: str | None, data_dir: str | None) -> None:
    """Serve jobs from ``conn`` until it closes: ("run", job) in; ("epoch", ...), ("done", dict) out."""
    os.environ.update(thread_environment(threads))
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor handles Ctrl-C
    from bench.results.store import save_record
    from bench.runner.job import execute_job

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

        record = execute_job(job, data_dir, on_epoch)
        if results_dir is not None:
            save_record(results_dir, record)  # written here so a dead supervisor loses nothing
        try:
            conn.send(("done", record.to_dict()))
        except OSError:
            return
