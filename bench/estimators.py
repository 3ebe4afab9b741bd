"""Estimator building blocks for model plugins: the scikit-learn protocol without its import
cost, and a Keras classifier base class.

scikit-learn and TensorFlow are imported only inside ``fit``/``predict``, so listing models,
planning and fully cached runs never pay for them.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

import numpy as np

EpochCallback = Callable[[int, int, dict[str, float]], None]

N_CLASSES = 10
# TensorFlow's CPU results change with its thread count (reductions are split per thread), so
# every Keras model runs on a fixed number of threads: the same seed then gives the same
# predictions whatever --jobs is and however many cores the machine has. Parallelism comes
# from running jobs side by side (``bench run-all --jobs N``).
KERAS_THREADS = 1
# Batch size for inference (predict_proba and the per-epoch test monitoring): large batches
# cost less per image than the training batch size; they do not change what is learnt.
INFERENCE_BATCH_SIZE = 2048


def threads_per_job() -> int:
    """Threads one job may use: ``BENCH_THREADS_PER_JOB`` (set by the runner) or all cores."""
    value = os.environ.get("BENCH_THREADS_PER_JOB")
    return max(1, int(value)) if value else max(1, os.cpu_count() or 1)


def _keras():
    """Import Keras and TensorFlow, pinned to ``KERAS_THREADS`` threads (checked every call)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    threading = tf.config.threading
    if (threading.get_intra_op_parallelism_threads(),
            threading.get_inter_op_parallelism_threads()) != (KERAS_THREADS, KERAS_THREADS):
        try:
            threading.set_intra_op_parallelism_threads(KERAS_THREADS)
            threading.set_inter_op_parallelism_threads(KERAS_THREADS)
        except RuntimeError as exc:  # TensorFlow was initialised elsewhere first
            raise RuntimeError(
                "TensorFlow was initialised before the harness could pin it to "
                f"{KERAS_THREADS} thread(s), so results would depend on the thread count; "
                "start a fresh process (or set TF_NUM_INTRAOP_THREADS=1 and "
                "TF_NUM_INTEROP_THREADS=1 before importing TensorFlow)."
            ) from exc
        tf.get_logger().setLevel("ERROR")
    return keras, tf


class EstimatorBase:
    """The scikit-learn estimator protocol for classifiers, without importing scikit-learn.

    Parameters are the keyword arguments of ``__init__``, stored unchanged as attributes;
    ``get_params``/``set_params`` read and write them (so ``sklearn.base.clone`` works),
    ``score`` is the accuracy of ``predict``.
    """

    _estimator_type = "classifier"

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(p.name for p in signature.parameters.values()
                      if p.name != "self" and p.kind is not p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any):
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; "
                                 f"valid parameters: {valid}")
            setattr(self, name, value)
        return self

    def score(self, X, y) -> float:
        return float(np.mean(np.asarray(self.predict(X)) == np.asarray(y)))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


class KerasClassifierBase(EstimatorBase):
    """Base for Keras classifiers keeping the scikit-learn estimator protocol.

    Subclasses store their hyper-parameters in ``__init__`` (including ``epochs``,
    ``batch_size`` and ``seed``) and implement ``build_network(keras, input_shape)``
    returning a compiled ``keras.Model`` with a softmax output over 10 classes.
    After ``fit``: ``model_``, ``classes_`` and ``history_`` (per-epoch ``loss`` and
    ``accuracy``; ``val_loss`` and ``val_accuracy`` when ``monitor`` data was given).
    """

    def build_network(self, keras, input_shape: tuple[int, ...]):  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, X, y, *, monitor: tuple[Any, Any] | None = None,
            on_epoch_end: EpochCallback | None = None):
        keras, tf = _keras()
        keras.backend.clear_session()
        keras.utils.set_random_seed(int(self.seed))
        tf.config.experimental.enable_op_determinism()
        X = np.asarray(X, dtype="float32")
        y = np.asarray(y)
        self.classes_ = np.arange(N_CLASSES)
        self.model_ = self.build_network(keras, X.shape[1:])
        callbacks = []
        if on_epoch_end is not None:
            epochs = int(self.epochs)
            callbacks.append(keras.callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: on_epoch_end(epoch + 1, epochs, dict(logs or {}))
            ))
        validation = None
        if monitor is not None:
            validation = (np.asarray(monitor[0], dtype="float32"), np.asarray(monitor[1]))
        history = self.model_.fit(
            X, y, epochs=int(self.epochs), batch_size=int(self.batch_size),
            validation_data=validation, validation_batch_size=INFERENCE_BATCH_SIZE,
            callbacks=callbacks, verbose=0, shuffle=True,
        )
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        return self

    def predict_proba(self, X):
        proba = self.model_.predict(np.asarray(X, dtype="float32"), batch_size=INFERENCE_BATCH_SIZE,
                                   verbose=0)
        proba = proba.astype("float64")
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("model_", None)  # Keras models are not pickled across processes
        return state
