"""The local pool on synthetic data: statuses, isolation, timeouts, progress events, metrics."""

from __future__ import annotations

import fcntl
import os
import time

import numpy as np
import pytest
from sklearn import metrics

from bench.api import ExecutionConfig, plan_jobs, run_all
from bench.errors import ResultsError, UsageError
from bench.files import file_signature
from bench.results.record import STATUS_OK, STATUS_TIMEOUT
from bench.results.store import load_records, record_path
from bench.runner.batch import execute
from bench.runner.claims import WorkQueue, sweep_stale_claims
from bench.runner.execution import empty_record
from bench.runner.local import LocalPool, run_local
from bench.runner.worker import WorkerConfig, WorkerProcess
from bench.settings import Settings, use_settings
from bench.threads import BLAS_THREADS


class Recorder:
    """Events in the order they came: ("start", key), ("epoch", key), ("finish", key)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def on_start(self, job) -> None:
        self.events.append(("start", job.key))

    def on_epoch(self, job, epoch, epochs, logs) -> None:
        self.events.append(("epoch", job.key))

    def on_finish(self, record) -> None:
        self.events.append(("finish", record.key))


def jobs_for(models, datasets=("mnist",), seeds=(0,), **kwargs):
    return plan_jobs(models, datasets, seeds, "smoke", **kwargs)


def test_each_fault_gets_its_own_status_and_the_others_finish(synthetic):
    models = ["test-centroids", "test-raises", "test-exits", "test-sleeps", "test-build-exits"]
    summary = run_all(models, ["mnist", "fashion-mnist"], [0], "smoke",
                      results_dir=synthetic.results_dir, reports_dir=None,
                      config=ExecutionConfig(jobs=2, timeout=3, quiet=True))
    statuses = {(r.model, r.dataset): r.status for r in load_records(synthetic.results_dir)}
    expected = {"test-centroids": "ok", "test-raises": "failed", "test-exits": "crashed",
                "test-sleeps": "timeout", "test-build-exits": "crashed"}  # even in warm-up
    assert statuses == {(m, d): expected[m] for m in models for d in ("mnist", "fashion-mnist")}
    assert summary.counts == {"ok": 2, "failed": 2, "timeout": 2, "crashed": 4}
    records = {r.model: r for r in summary.records}
    assert "this plugin always fails in fit" in records["test-raises"].error
    assert "RuntimeError" in records["test-raises"].traceback
    assert "exit code 3" in records["test-exits"].error
    assert "--timeout 3" in records["test-sleeps"].error
    assert 3 <= records["test-sleeps"].wall_seconds < 10


def test_metrics_agree_with_scikit_learn(synthetic):
    from faulty_plugins import Centroids

    from bench.data.inputs import prepare_inputs

    (job,) = jobs_for(["test-centroids"])
    (record,) = run_local([job], str(synthetic.results_dir), 1, None,
                          Recorder())
    assert record.status == STATUS_OK, record.error
    arrays = synthetic.arrays["mnist"]
    y_train = arrays["train_labels"].astype(int)
    y_test = arrays["test_labels"].astype(int)  # the profile asks for more: the whole set
    model = Centroids().fit(prepare_inputs(arrays["train_images"], "flat"), y_train)
    proba_train = model.predict_proba(prepare_inputs(arrays["train_images"], "flat"))
    proba_test = model.predict_proba(prepare_inputs(arrays["test_images"], "flat"))
    predicted = np.array([int(c) for c in record.test_predictions])
    np.testing.assert_array_equal(predicted, proba_test.argmax(axis=1))
    assert record.test_accuracy == pytest.approx(metrics.accuracy_score(y_test, predicted))
    assert record.train_accuracy == pytest.approx(
        metrics.accuracy_score(y_train, proba_train.argmax(axis=1)))
    assert record.test_accuracy > 0.9  # the synthetic classes are learnable
    assert record.confusion_matrix == metrics.confusion_matrix(y_test, predicted).tolist()
    np.testing.assert_allclose(record.per_class_test_accuracy,
                               metrics.recall_score(y_test, predicted, average=None))
    assert record.test_loss == pytest.approx(metrics.log_loss(y_test, proba_test), rel=1e-9)
    assert record.train_loss == pytest.approx(metrics.log_loss(y_train, proba_train), rel=1e-9)
    mistakes = np.flatnonzero(predicted != y_test)
    assert {m["index"] for m in record.confident_mistakes} <= set(mistakes.tolist())
    assert len(record.confident_mistakes) == min(12, len(mistakes))


def test_on_start_fires_when_a_job_really_starts(synthetic):
    jobs = jobs_for(["test-slow-fit"], seeds=(0, 1, 2), overrides={"fit_seconds": "0.2"})
    events = Recorder()
    records = run_local(jobs, str(synthetic.results_dir), 1, None,
                        events)
    assert [r.status for r in records] == ["ok"] * 3
    kinds = [kind for kind, _ in events.events]
    assert kinds == ["start", "finish"] * 3  # one worker: each job starts after the last ended


def test_timeout_measures_the_job_not_the_worker_start_up(synthetic):
    """The framework import (4 s) exceeds --timeout 2.5, but only the job is timed; after the
    hung job's worker is killed, its replacement warms up before the next job's clock starts."""
    from slow_framework import IMPORT_SECONDS

    jobs = jobs_for(["test-sleeps", "test-slow-start"], seeds=(0, 1))
    timeout = 2.5
    assert IMPORT_SECONDS > timeout
    records = run_local(jobs, str(synthetic.results_dir), 1, timeout,
                        Recorder())
    statuses = {(r.model, r.seed): r.status for r in records}
    assert statuses == {("test-sleeps", 0): "timeout", ("test-sleeps", 1): "timeout",
                        ("test-slow-start", 0): "ok", ("test-slow-start", 1): "ok"}


def test_a_late_timeout_never_replaces_a_committed_ok_record(synthetic):
    """The worker saved its ok record but the supervisor had not read "done" when the
    timeout struck: the job keeps its ok record."""
    (job,) = jobs_for(["test-centroids"])
    results = str(synthetic.results_dir)
    config = WorkerConfig(1, Settings.from_environ(), results)
    pool = LocalPool([job], results, 1, 1.0, Recorder(), config)
    worker = WorkerProcess(config)
    pool.workers.append(worker)
    try:
        deadline = time.monotonic() + 120
        while not worker.ready and time.monotonic() < deadline:
            worker.messages()
            time.sleep(0.05)
        claimed = pool.queue.take()
        path = record_path(results, job.key)
        worker.committed = file_signature(path)
        worker.assign(claimed)
        while file_signature(path) is None and time.monotonic() < deadline:
            time.sleep(0.05)  # saved; "done" is left unread, as if the timeout came first
        worker.kill()
        pool._retire(worker, empty_record(claimed, STATUS_TIMEOUT, error="ran past --timeout"))
    finally:
        pool.queue.close()
        worker.kill()
    (record,) = pool.queue.records
    assert record.status == STATUS_OK
    assert {r.status for r in load_records(results)} == {STATUS_OK}


def test_timeout_must_be_positive_and_finite(synthetic):
    jobs = jobs_for(["test-centroids"])
    for bad in (float("nan"), float("inf"), -1.0, 0.0, True):
        with pytest.raises(UsageError, match="positive, finite"):
            execute(jobs, synthetic.results_dir, ExecutionConfig(jobs=1, timeout=bad))
    assert not synthetic.results_dir.exists()


@pytest.mark.parametrize("layout", ["file", "under-a-file", "runs-is-a-file", "claims-is-a-file",
                                    "claims-is-a-link"])
def test_a_bad_results_folder_is_refused_before_any_training(synthetic, layout):
    target = synthetic.results_dir
    outside = synthetic.root / "outside"
    outside.mkdir()
    (outside / "precious.claim").write_text("not the harness's")
    if layout == "file":
        target.write_text("not a folder")
    elif layout == "under-a-file":
        synthetic.results_dir.write_text("not a folder")
        target = synthetic.results_dir / "inner"
    elif layout == "runs-is-a-file":
        target.mkdir()
        (target / "runs").write_text("not a folder")
    elif layout == "claims-is-a-file":
        target.mkdir()
        (target / ".claims").write_text("not a folder")
    else:  # claims written or swept through the link would land outside the results folder
        target.mkdir()
        (target / ".claims").symlink_to(outside)
    jobs = jobs_for(["test-slow-fit"])
    with pytest.raises(ResultsError, match="cannot write results to"):
        execute(jobs, target, ExecutionConfig(jobs=1, quiet=True))
    assert synthetic.fits() == []
    assert sorted(p.name for p in outside.iterdir()) == ["precious.claim"]
    assert sweep_stale_claims(target) == 0
    assert (outside / "precious.claim").exists()


def test_claimed_jobs_are_skipped_until_released(synthetic):
    """The claim mechanism behind sharing a results folder between two runs."""
    jobs = jobs_for(["test-centroids"], seeds=(0, 1))
    mine = WorkQueue(jobs, synthetic.results_dir, Recorder())
    theirs = WorkQueue(jobs, synthetic.results_dir, Recorder())
    try:
        assert mine.take() == jobs[0]
        assert theirs.take() == jobs[1]  # jobs[0] is held: the other run moves on
        assert theirs.take() is None
        assert mine.take() is None
        mine.done(jobs[0])
        assert theirs.take() == jobs[0]
    finally:
        mine.close()
        theirs.close()
    assert not (synthetic.results_dir / ".claims").exists()


def test_a_run_sweeps_stale_claims_and_spares_held_ones_and_other_files(synthetic):
    """A run SIGKILLed between saving a record and releasing its claim leaves a stale claim
    for a job that is cached from then on; the next run deletes it, and nothing else."""
    config = ExecutionConfig(jobs=1, quiet=True)
    first = run_all(["test-centroids"], ["mnist"], [0], "smoke", results_dir=synthetic.results_dir,
                    reports_dir=None, config=config)
    claims = synthetic.results_dir / ".claims"
    claims.mkdir()
    stale = claims / f"{first.records[0].key}.claim"
    stale.write_text("12345\n")  # nobody holds it: its run was killed
    held = claims / "another-runs-job.claim"
    other = claims / "notes.txt"
    other.write_text("not a claim")
    fd = os.open(held, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a live run holds this one
    try:
        summary = run_all(["test-centroids"], ["mnist"], [0, 1], "smoke",
                          results_dir=synthetic.results_dir, reports_dir=None, config=config)
        assert (summary.cached, summary.executed) == (1, 1)
        assert not stale.exists()
        assert held.exists() and other.read_text() == "not a claim"
    finally:
        os.close(fd)
    assert sweep_stale_claims(synthetic.results_dir) == 1  # released: now stale, swept
    assert sorted(p.name for p in claims.iterdir()) == ["notes.txt"]
    assert sweep_stale_claims(synthetic.root / "nowhere") == 0


def test_workers_run_under_the_active_settings(synthetic):
    (job,) = jobs_for(["test-shows-settings"])
    given = Settings.from_environ().replace(mirrors=("https://mirror.test/",))
    with use_settings(given):
        (record,) = run_local([job], str(synthetic.results_dir), 2, None, Recorder())
    threads = max(1, (os.cpu_count() or 1) // 2)
    assert f"mirrors=('https://mirror.test/',) threads={threads}" in record.error
    # the worker's BLAS runs on the pinned thread count (set before numpy loaded it)
    assert record.provenance["threads"]["OMP_NUM_THREADS"] == str(BLAS_THREADS)
    assert {pool["num_threads"] for pool in record.provenance["blas"]} == {BLAS_THREADS}
    with use_settings(given.replace(threads_per_job=3)):
        (record,) = run_local([job], str(synthetic.results_dir), 2, None, Recorder())
    assert "threads=3" in record.error
