"""The output contract the harness enforces on every estimator: ``predict_proba`` columns follow
``classes_`` (fewer when a class was missing from training) and are mapped onto the classes
0..9; anything else is a ``PluginError`` naming the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.data.specs import N_CLASSES
from bench.errors import PluginError

SUM_TOLERANCE = 1e-3


def aligned_proba(proba: Any, classes: Any, n_rows: int, model: str) -> np.ndarray:
    """``proba`` as an ``(n_rows, N_CLASSES)`` float64 array with columns in class order."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2 or proba.shape[0] != n_rows:
        raise PluginError(f"model {model!r}: predict_proba returned shape {proba.shape} for "
                          f"{n_rows} inputs; expected ({n_rows}, n_classes).")
    if classes is None:
        if proba.shape[1] != N_CLASSES:
            raise PluginError(f"model {model!r}: predict_proba has {proba.shape[1]} columns and "
                              f"the estimator has no classes_ to say which classes they are.")
        labels = np.arange(N_CLASSES)
    else:
        labels = np.asarray(classes).ravel()
        if labels.size != proba.shape[1]:
            raise PluginError(f"model {model!r}: predict_proba has {proba.shape[1]} columns but "
                              f"classes_ lists {labels.size} classes.")
        if not np.issubdtype(labels.dtype, np.integer) and not (
                np.issubdtype(labels.dtype, np.floating) and np.all(labels == np.round(labels))):
            raise PluginError(f"model {model!r}: classes_ must be the integer labels 0..9, "
                              f"got {labels[:10].tolist()}.")
        labels = labels.astype(np.int64)
        if (labels.min(initial=0) < 0 or labels.max(initial=0) >= N_CLASSES
                or len(set(labels.tolist())) != labels.size):
            raise PluginError(f"model {model!r}: classes_ must be distinct labels in "
                              f"0..{N_CLASSES - 1}, got {labels.tolist()}.")
    if not np.all(np.isfinite(proba)) or np.any(proba < 0):
        raise PluginError(f"model {model!r}: predict_proba returned negative or non-finite "
                          "values.")
    sums = proba.sum(axis=1)
    if n_rows and float(np.max(np.abs(sums - 1))) > SUM_TOLERANCE:
        raise PluginError(f"model {model!r}: predict_proba rows must sum to 1; one sums to "
                          f"{sums[np.argmax(np.abs(sums - 1))]:.6f}.")
    aligned = np.zeros((n_rows, N_CLASSES), dtype=np.float64)
    aligned[:, labels] = proba
    return aligned


def estimator_proba(estimator: Any, X: Any, model: str) -> np.ndarray:
    """``estimator.predict_proba(X)`` checked and aligned onto the classes 0..9."""
    return aligned_proba(estimator.predict_proba(X), getattr(estimator, "classes_", None),
                         len(X), model)
