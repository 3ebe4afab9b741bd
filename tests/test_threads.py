"""Thread settings: one list of variables, one thread count per job."""

import os

from bench.settings import Settings, use_settings
from bench.threads import (
    BLAS_THREADS,
    KERAS_THREADS,
    THREAD_VARIABLES,
    thread_environment,
    threads_per_job,
)


def test_thread_environment_pins_every_blas_variable_whatever_the_share():
    for share in (1, 3):
        env = thread_environment(share)
        assert {name: env[name] for name in THREAD_VARIABLES} == dict.fromkeys(
            THREAD_VARIABLES, str(BLAS_THREADS))
    assert BLAS_THREADS == 1
    assert "OMP_NUM_THREADS" in THREAD_VARIABLES and KERAS_THREADS == 1


def test_threads_per_job_comes_from_the_settings(monkeypatch):
    monkeypatch.delenv("BENCH_THREADS_PER_JOB", raising=False)
    assert threads_per_job() == max(1, os.cpu_count() or 1)
    with use_settings(Settings(threads_per_job=2)):
        assert threads_per_job() == 2
    monkeypatch.setenv("BENCH_THREADS_PER_JOB", "5")
    assert threads_per_job() == 5


def test_provenance_records_the_thread_settings(monkeypatch):
    from bench.runner import provenance

    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    with use_settings(Settings(threads_per_job=4)):
        threads = provenance.collect()["threads"]
    assert threads["OMP_NUM_THREADS"] == "4" and threads["per_job"] == 4
    assert threads["keras"] == KERAS_THREADS
