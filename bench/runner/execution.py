"""Running one job in the current process: data, model, metrics, one RunRecord."""

from __future__ import annotations

import functools
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from bench.data import corruptions, load_dataset
from bench.data.inputs import prepare_inputs
from bench.data.specs import N_CLASSES
from bench.data.subsets import indices_digest, test_indices, train_indices
from bench.plan.jobs import Job
from bench.plugins.contract import estimator_proba
from bench.plugins.registry import get_model
from bench.results.codec import array_to_digits
from bench.results.record import STATUS_FAILED, STATUS_OK, RunRecord, correct_bits
from bench.runner import provenance

EpochHook = Callable[[int, int, dict[str, float]], None]
N_CONFIDENT_MISTAKES = 12


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def empty_record(job: Job, status: str, **fields: Any) -> RunRecord:
    """A record for ``job`` with no metrics (used for failures, timeouts and crashes), naming
    the plugin of its model when it can be found."""
    try:
        spec = get_model(job.model)
        fields = {"model_source": spec.source or None,
                  "model_distribution": spec.distribution or None, **fields}
    except Exception:  # noqa: BLE001, S110 - an unknown or broken model: the error says so
        pass
    return RunRecord.for_job(job, status, role=job.role, **fields)


class PeakMemory:
    """Samples this process's resident memory in a background thread; ``peak_mb`` after exit."""

    peak_mb = 0.0

    def _sample(self, stop: threading.Event) -> None:
        import psutil

        process = psutil.Process()
        while True:
            self.peak_mb = max(self.peak_mb, process.memory_info().rss / 2**20)
            if stop.wait(0.1):
                return

    def __enter__(self) -> PeakMemory:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(self._stop,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def execute_job(job: Job, on_epoch: EpochHook | None = None) -> RunRecord:
    """Train and evaluate ``job`` under the active settings; an exception becomes a
    ``failed`` record, never a raise."""
    started_at, wall0, cpu0 = now_iso(), time.perf_counter(), time.process_time()
    try:
        with PeakMemory() as memory:
            fields = _train_and_evaluate(job, on_epoch)
        record = empty_record(job, STATUS_OK, peak_memory_mb=round(memory.peak_mb, 1), **fields)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, the run goes on
        record = empty_record(job, STATUS_FAILED, error=f"{type(exc).__name__}: {exc}",
                              traceback=traceback.format_exc())
    record.started_at, record.finished_at = started_at, now_iso()
    record.wall_seconds = round(time.perf_counter() - wall0, 3)
    record.cpu_seconds = round(time.process_time() - cpu0, 3)
    record.provenance = provenance.collect()
    return record


def _train_and_evaluate(job: Job, on_epoch: EpochHook | None) -> dict:
    begun = time.perf_counter()
    spec = get_model(job.model)
    data = load_dataset(job.dataset)
    train_idx = train_indices(data.y_train, job.train_size, job.seed, job.dataset)
    test_idx = test_indices(data.y_test, job.test_size, job.dataset)
    x_train = prepare_inputs(data.x_train[train_idx], spec.input_kind)
    x_test = prepare_inputs(data.x_test[test_idx], spec.input_kind)
    y_train = np.asarray(data.y_train[train_idx], dtype=np.int64)
    y_test = np.asarray(data.y_test[test_idx], dtype=np.int64)

    estimator = spec.build(dict(job.params), job.seed)
    fit_kwargs: dict[str, Any] = {}
    if spec.trains_in_epochs:
        fit_kwargs = {"monitor": (x_test, y_test), "on_epoch_end": on_epoch}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        estimator.fit(x_train, y_train, **fit_kwargs)
        fit_seconds = time.perf_counter() - t0
        proba_train = estimator_proba(estimator, x_train, job.model)
        t0 = time.perf_counter()
        proba_test = estimator_proba(estimator, x_test, job.model)
        predict_seconds = time.perf_counter() - t0
    messages = sorted({f"{w.category.__name__}: {w.message}" for w in caught
                       if not issubclass(w.category, DeprecationWarning)})

    pred_test = proba_test.argmax(axis=1)
    history = getattr(estimator, "history_", None)
    names, t0 = job.corruptions or (), time.perf_counter()
    positions = corruptions.evaluated_positions(y_test, corruptions.evaluated_size(
        len(y_test), len(names) * predict_seconds, t0 - begun))
    corrupted = {name: _corrupted_result(estimator, job, name, spec.input_kind, y_test, positions)
                 for name in names}
    return {
        "corrupted": corrupted or None,
        "corruption_seconds": round(time.perf_counter() - t0, 3) if corrupted else None,
        "corruption_test_size": len(positions) if corrupted else None,
        "train_accuracy": float(np.mean(proba_train.argmax(axis=1) == y_train)),
        "test_accuracy": float(np.mean(pred_test == y_test)),
        "train_loss": log_loss(y_train, proba_train),
        "test_loss": log_loss(y_test, proba_test),
        "per_class_test_accuracy": per_class_accuracy(y_test, pred_test),
        "confusion_matrix": confusion(y_test, pred_test).tolist(),
        "history": rename_history(history) if history else None,
        "test_predictions": array_to_digits(pred_test),
        "test_indices_digest": indices_digest(test_idx),
        "confident_mistakes": confident_mistakes(y_test, proba_test, test_idx),
        "converged": getattr(estimator, "converged_", None),
        "warnings": messages[:20],
        "fit_seconds": round(fit_seconds, 3),
        "predict_seconds": round(predict_seconds, 3),
    }


@functools.lru_cache(maxsize=2 * len(corruptions.CORRUPTION_NAMES))  # a worker's, both datasets
def corrupted_test_set(dataset: str, name: str, test_size: int) -> np.ndarray:
    """The evaluated test images of ``dataset`` under corruption ``name``, made once per worker
    process (a corruption is per image: the same as the full test set's at these indices)."""
    data = load_dataset(dataset)
    images = data.x_test[test_indices(data.y_test, test_size, dataset)]
    return corruptions.corrupt(np.asarray(images), name, corruptions.CORRUPTION_SEED)


def _corrupted_result(estimator, job: Job, name: str, input_kind: str, y_test: np.ndarray,
                      positions: np.ndarray) -> dict[str, Any]:
    images = corrupted_test_set(job.dataset, name, job.test_size)[positions]
    correct = estimator_proba(estimator, prepare_inputs(images, input_kind),
                              job.model).argmax(axis=1) == y_test[positions]
    return {"accuracy": float(np.mean(correct)), "correct": correct_bits(correct)}


def log_loss(y: np.ndarray, proba: np.ndarray) -> float:
    picked = np.clip(proba[np.arange(len(y)), y], 1e-15, 1.0)
    return float(-np.mean(np.log(picked)))


def confusion(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Rows are true classes, columns predicted classes."""
    return np.bincount(y_true * N_CLASSES + y_pred, minlength=N_CLASSES**2).reshape(
        N_CLASSES, N_CLASSES)


def per_class_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> list[float]:
    matrix = confusion(y_true, y_pred)
    totals = matrix.sum(axis=1)
    return [float(matrix[c, c] / totals[c]) if totals[c] else float("nan")
            for c in range(len(matrix))]


def confident_mistakes(y_true: np.ndarray, proba: np.ndarray, indices: np.ndarray,
                       limit: int = N_CONFIDENT_MISTAKES) -> list[dict[str, Any]]:
    """The wrong predictions with the highest confidence; ``index`` is into the full test set."""
    pred = proba.argmax(axis=1)
    wrong = np.flatnonzero(pred != y_true)
    confidence = proba[wrong, pred[wrong]]
    order = wrong[np.lexsort((wrong, -confidence))][:limit]
    return [{"index": int(indices[i]), "true": int(y_true[i]), "pred": int(pred[i]),
             "confidence": round(float(proba[i, pred[i]]), 4)} for i in order]


def rename_history(history: dict[str, list[float]]) -> dict[str, list[float]]:
    """Keras names (loss, val_loss, ...) to record names (train_loss, test_loss, ...)."""
    names = {"loss": "train_loss", "accuracy": "train_accuracy",
             "val_loss": "test_loss", "val_accuracy": "test_accuracy"}
    return {names.get(k, k): [round(float(v), 6) for v in vals] for k, vals in history.items()}
