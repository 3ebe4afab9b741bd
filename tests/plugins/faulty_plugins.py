"""Deliberately misbehaving model plugins for runner and conformance tests."""

from __future__ import annotations

import os
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neighbors import NearestCentroid

from bench.params import Param
from bench.registry import ModelSpec


class Centroids(ClassifierMixin, BaseEstimator):
    """A fast, well-behaved classifier: nearest class centroid with softmax scores."""

    def __init__(self, behaviour="ok", seed=0):
        self.behaviour = behaviour
        self.seed = seed

    def fit(self, X, y):
        if self.behaviour == "raise":
            raise RuntimeError("this plugin always fails in fit")
        if self.behaviour == "exit":
            os._exit(3)
        if self.behaviour == "sleep":
            time.sleep(600)
        self.model_ = NearestCentroid().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        distances = ((X[:, None, :] - self.model_.centroids_[None]) ** 2).sum(-1)
        scores = np.exp(-(distances - distances.min(axis=1, keepdims=True)))
        proba = scores / scores.sum(axis=1, keepdims=True)
        if self.behaviour == "bad-proba":
            proba = proba * 1.5
        return proba

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _spec(name: str, behaviour: str) -> ModelSpec:
    return ModelSpec(
        name=name, description=f"test plugin that behaves: {behaviour}", family="test",
        params=(Param("behaviour", behaviour, str),), input_kind="flat", version="1",
        build=lambda params, seed: Centroids(**params, seed=seed))


CENTROIDS = _spec("test-centroids", "ok")
RAISES = _spec("test-raises", "raise")
EXITS = _spec("test-exits", "exit")
SLEEPS = _spec("test-sleeps", "sleep")
BAD_PROBA = _spec("test-bad-proba", "bad-proba")
DUPLICATE = _spec("keras-mlp", "ok")
OTHER_CENTROIDS = _spec("test-centroids", "ok")  # a second plugin of the same name
SAME_CENTROIDS = CENTROIDS  # the same plugin under another attribute
NOT_A_SPEC = object()


def _malformed() -> ModelSpec:
    return ModelSpec(name="test-malformed", description="default does not fit its type",
                     family="test", params=(Param("epochs", "five", int),), input_kind="flat",
                     version="1", build=lambda params, seed: Centroids(seed=seed))


MALFORMED = _malformed()


class CentroidsWithoutClasses(Centroids):
    """Forgets classes_: its columns cannot be mapped when a class is missing."""

    def fit(self, X, y):
        super().fit(X, y)
        del self.classes_
        self.labels_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.labels_[self.predict_proba(X).argmax(axis=1)]


NO_CLASSES = ModelSpec(
    name="test-no-classes", description="forgets classes_", family="test", input_kind="flat",
    version="1", params=(), build=lambda params, seed: CentroidsWithoutClasses(seed=seed))
