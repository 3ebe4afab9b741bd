"""Estimator bases for model plugins: real scikit-learn classifiers (``EstimatorBase``) and a
Keras classifier base class. TensorFlow is imported only inside ``fit``.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from bench.data.specs import N_CLASSES
from bench.threads import KERAS_THREADS

EpochCallback = Callable[[int, int, dict[str, float]], None]

# Batch size for inference (predict_proba and the per-epoch test monitoring): large batches
# cost less per image than the training batch size; they do not change what is learnt.
INFERENCE_BATCH_SIZE = 2048


@contextlib.contextmanager
def quiet_stderr():
    """File descriptor 2 to /dev/null (TensorFlow's C++ start-up messages) when
    ``TF_CPP_MIN_LOG_LEVEL`` is 3, as the command line sets it without ``--verbose``."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") != "3":
        yield
        return
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _keras():
    """Import Keras and TensorFlow, pinned to ``KERAS_THREADS`` threads (checked every call)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with quiet_stderr():
        import keras
        import tensorflow as tf

    threading = tf.config.threading
    if (threading.get_intra_op_parallelism_threads(),
            threading.get_inter_op_parallelism_threads()) != (KERAS_THREADS, KERAS_THREADS):
        try:
            threading.set_intra_op_parallelism_threads(KERAS_THREADS)
            threading.set_inter_op_parallelism_threads(KERAS_THREADS)
        except RuntimeError as exc:  # TensorFlow was initialised elsewhere first
            raise RuntimeError("TensorFlow was initialised before the harness could pin it to "
                               f"{KERAS_THREADS} thread(s), so results would depend on the thread "
                               "count; start a fresh process (or set TF_NUM_INTRAOP_THREADS=1 and "
                               "TF_NUM_INTEROP_THREADS=1 before importing TensorFlow).") from exc
        tf.get_logger().setLevel("ERROR")
    return keras, tf


class EstimatorBase(ClassifierMixin, BaseEstimator):
    """A scikit-learn classifier whose parameters are its ``__init__`` arguments, stored
    unchanged; the entries of a ``**options`` catch-all (stored as one dict) are parameters too.
    """

    @classmethod
    def _catch_all(cls) -> str | None:
        """The name of ``__init__``'s ``**`` argument, if it has one."""
        parameters = inspect.signature(cls.__init__).parameters.values()
        return next((p.name for p in parameters if p.kind is p.VAR_KEYWORD), None)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params = super().get_params(deep)
        catch_all = self._catch_all()
        return {**(getattr(self, catch_all) or {}), **params} if catch_all else params

    def set_params(self, **params: Any):
        catch_all = self._catch_all()
        if catch_all:
            declared = self._get_param_names()
            options = getattr(self, catch_all)
            for name in [n for n in params if n.partition("__")[0] not in declared]:
                options[name] = params.pop(name)
        return super().set_params(**params)


class KerasClassifierBase(EstimatorBase):
    """Base for Keras classifiers: subclasses store their ``__init__`` arguments (``epochs``,
    ``batch_size`` and ``seed`` required) and build a compiled 10-way softmax ``keras.Model`` in
    ``build_network``. ``history_`` holds per-epoch ``loss``/``accuracy`` measured in evaluation
    mode on up to ``train_eval_size`` training images, and ``val_*`` given ``monitor`` data.
    """

    #: training images re-evaluated after each epoch for ``history_`` (0: Keras' running means)
    train_eval_size = 5000

    def build_network(self, keras, input_shape: tuple[int, ...]):  # pragma: no cover - abstract
        raise NotImplementedError

    def _train_eval_subset(self, n: int) -> np.ndarray:
        if n <= self.train_eval_size:
            return np.arange(n)
        rng = np.random.default_rng(int(self.seed))  # its own generator: training is unaffected
        return np.sort(rng.choice(n, size=self.train_eval_size, replace=False))

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
        epochs = int(self.epochs)
        train_metrics: dict[str, list[float]] = {"loss": [], "accuracy": []}
        subset = self._train_eval_subset(len(X)) if self.train_eval_size else None

        def epoch_end(epoch: int, logs: dict | None) -> None:
            logs = dict(logs or {})
            if subset is not None:
                scores = self.model_.evaluate(X[subset], y[subset], verbose=0, return_dict=True,
                                              batch_size=INFERENCE_BATCH_SIZE)
                logs["loss"], logs["accuracy"] = float(scores["loss"]), float(scores["accuracy"])
                train_metrics["loss"].append(logs["loss"])
                train_metrics["accuracy"].append(logs["accuracy"])
            if on_epoch_end is not None:
                on_epoch_end(epoch + 1, epochs, logs)

        validation = None if monitor is None else (np.asarray(monitor[0], dtype="float32"),
                                                   np.asarray(monitor[1]))
        history = self.model_.fit(
            X, y, epochs=epochs, batch_size=int(self.batch_size), validation_data=validation,
            validation_batch_size=INFERENCE_BATCH_SIZE, verbose=0, shuffle=True,
            callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=epoch_end)])
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        if subset is not None:
            self.history_.update(train_metrics)
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
