"""Thread settings, in one place: how many threads a job, its BLAS/OpenMP libraries and
TensorFlow may use (a plugin asks :func:`threads_per_job`, e.g. for scikit-learn's ``n_jobs``).
"""

from __future__ import annotations

import os

from bench.settings import get_settings

# TensorFlow's and BLAS's results change with their thread count (reductions are split per
# thread; logistic regression's smoke accuracy is 80.9% on one thread, 81.1% on two), so both
# run on one thread whatever --jobs and the machine; parallelism comes from running jobs side
# by side. The job's share of the cores goes to pools whose results do not depend on their size.
KERAS_THREADS = 1
BLAS_THREADS = 1

# Read by the BLAS and OpenMP runtimes when they load; recorded in each result's provenance.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def thread_environment(threads: int) -> dict[str, str]:
    """Environment for a job process: BLAS and OpenMP pinned to :data:`BLAS_THREADS` whatever
    ``threads``, the job's share of the cores."""
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
