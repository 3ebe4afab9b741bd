"""Thread settings, in one place: how many threads a job, its BLAS/OpenMP libraries and
TensorFlow may use.

The runner splits the machine's cores between the jobs it runs side by side and sets
:data:`THREAD_VARIABLES` in each worker before numpy loads (:func:`thread_environment`); a
plugin asks :func:`threads_per_job` (e.g. scikit-learn's ``n_jobs``).
"""

from __future__ import annotations

import os

from bench.settings import get_settings

# TensorFlow's CPU results change with its thread count (reductions are split per thread), so
# every Keras model runs on a fixed number of threads: the same seed then gives the same
# predictions whatever --jobs is and however many cores the machine has. Parallelism comes
# from running jobs side by side (``bench run-all --jobs N``).
KERAS_THREADS = 1

# Read by the BLAS and OpenMP runtimes when they load; recorded in each result's provenance.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


# BLAS and OpenMP get one thread per job for the same reason as TensorFlow: L-BFGS in logistic
# regression (and any BLAS reduction) gives slightly different floats with another thread
# count, e.g. 80.9% vs 81.1% smoke test accuracy at 1 and 2 threads. The job's share of the
# cores (``threads_per_job``) still goes to thread pools whose results do not depend on their
# size, such as a random forest's ``n_jobs``.
BLAS_THREADS = 1


def thread_environment(threads: int) -> dict[str, str]:
    """Environment for a job process: BLAS and OpenMP pinned to :data:`BLAS_THREADS`, and
    ``threads`` (the job's share of the cores) recorded for size-independent thread pools.

    TensorFlow always gets :data:`KERAS_THREADS`: a result must not depend on ``--jobs`` or
    the machine.
    """
    env = {name: str(BLAS_THREADS) for name in THREAD_VARIABLES}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"  # TensorFlow's C++ start-up chatter; Python errors still raise
    return env


def threads_for(n_jobs: int, cpus: int | None = None) -> int:
    """Threads per job when ``n_jobs`` jobs share ``cpus`` cores (default: this machine's)."""
    return max(1, (cpus or os.cpu_count() or 1) // max(1, n_jobs))


def threads_per_job() -> int:
    """Threads one job may use: the active settings' ``threads_per_job`` (set by the runner
    in each worker, or ``BENCH_THREADS_PER_JOB``), else all cores."""
    return get_settings().threads_per_job or max(1, os.cpu_count() or 1)
