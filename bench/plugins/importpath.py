"""Models named by import path (``--model sklearn.svm.LinearSVC --set C=0.1``): the class's
plain constructor defaults are its parameters, plus ``scale``; its ``version`` is the library's
(``scikit-learn 1.5.2``), so job keys change when the library does.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Annotated, Any, Literal

import numpy as np

from bench.errors import ModelWarning, UsageError
from bench.plugins.estimators import EstimatorBase
from bench.plugins.library import class_params, classifier_class, distribution, import_class
from bench.plugins.params import Param
from bench.plugins.spec import ModelSpec
from bench.threads import threads_per_job

Scale = Literal["none", "unit", "standard"]
SCALE_PARAM = Param(
    "scale", "unit", Scale,
    "input scaling: none (raw 0..255), unit (/255, in [0, 1]) or standard (per-pixel z-score "
    "fitted on the training data)")


@functools.cache
def import_path_spec(path: str) -> ModelSpec:
    """The :class:`ModelSpec` of the classifier class at ``path`` (UsageError if unusable)."""
    cls, messages = classifier_class(path)
    for message in messages:  # once per process: this function is cached
        warnings.warn(f"model {path}: {message}", ModelWarning, stacklevel=2)
    params = class_params(path)
    if any(p.name == SCALE_PARAM.name for p in params):
        raise UsageError(f"model {path!r} has its own 'scale' argument, which clashes with the "
                         "harness's input-scaling parameter; wrap it in a plugin instead.")
    dist, version = distribution(cls.__module__)
    library = f"{dist} {version}"
    return ModelSpec(name=path, description=f"{cls.__name__} from {library}, by import path",
                     family="imported", input_kind="flat", version=library,
                     params=(*params, SCALE_PARAM), build=functools.partial(_build, path),
                     source=path, distribution=library)


def _build(path: str, params: dict[str, Any], seed: int) -> ImportedClassifier:
    options = dict(params)
    scale = options.pop(SCALE_PARAM.name, SCALE_PARAM.default)
    return ImportedClassifier(path, options, scale=scale, seed=seed)


class ImportedClassifier(EstimatorBase):
    """Fits ``class_path(**params, random_state=seed)`` on scaled inputs. ``predict_proba`` is
    the estimator's own, else a softmax of ``decision_function`` (uncalibrated), else one-hot."""

    def __init__(self, class_path: str = "", params: dict | None = None,
                 scale: Annotated[Scale, "input scaling"] = "unit", seed: int = 0):
        self.class_path = class_path
        self.params = params
        self.scale = scale
        self.seed = seed

    def _inputs(self, X, fit: bool = False):
        X = np.asarray(X, dtype=np.float64)
        if self.scale == "none":
            return X * 255.0
        if self.scale == "standard":
            if fit:
                from sklearn.preprocessing import StandardScaler

                self.scaler_ = StandardScaler().fit(X)
            return self.scaler_.transform(X)
        return X

    def fit(self, X, y):
        cls = import_class(self.class_path)
        accepted = inspect.signature(cls.__init__).parameters
        kwargs = dict(self.params or {})
        if "random_state" in accepted:
            kwargs["random_state"] = int(self.seed)
        if "n_jobs" in accepted:
            kwargs["n_jobs"] = threads_per_job()
        self.scaler_ = None
        self.estimator_ = cls(**kwargs).fit(self._inputs(X, fit=True), np.asarray(y))
        self.classes_ = np.asarray(self.estimator_.classes_)
        return self

    def predict_proba(self, X):
        X = self._inputs(X)
        estimator = self.estimator_
        if getattr(estimator, "predict_proba", None) is not None:
            try:
                return np.asarray(estimator.predict_proba(X), dtype=np.float64)
            except AttributeError:  # e.g. SVC(probability=False) exposes it conditionally
                pass
        if getattr(estimator, "decision_function", None) is not None:
            scores = np.asarray(estimator.decision_function(X), dtype=np.float64)
            if scores.ndim == 1:
                scores = np.column_stack([-scores, scores])
            scores = np.exp(scores - scores.max(axis=1, keepdims=True))
            return scores / scores.sum(axis=1, keepdims=True)
        predicted = np.asarray(estimator.predict(X))
        return (predicted[:, None] == self.classes_[None, :]).astype(np.float64)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
