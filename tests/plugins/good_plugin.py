"""A well-behaved plugin in the v2 style: numpy only, parameters declared once."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from bench.estimators import EstimatorBase
from bench.params import Positive
from bench.registry import ModelSpec


class NearestMean(EstimatorBase):
    """Softmax over negative squared distances to the class means."""

    def __init__(self, temperature: Annotated[float, Positive, "softmax temperature"] = 1.0,
                 metric: Annotated[Literal["sq", "abs"], "distance"] = "sq", seed: int = 0):
        self.temperature = temperature
        self.metric = metric
        self.seed = seed

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.means_ = np.stack([X[y == c].mean(axis=0) for c in self.classes_])
        return self

    def predict_proba(self, X):
        diff = X[:, None, :] - self.means_[None]
        distance = (diff**2 if self.metric == "sq" else np.abs(diff)).sum(-1)
        scores = -(distance - distance.min(axis=1, keepdims=True)) / self.temperature
        proba = np.exp(scores)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


MODEL = ModelSpec(name="test-nearest-mean", description="nearest class mean", family="test",
                  input_kind="flat", version="1", estimator=NearestMean)
