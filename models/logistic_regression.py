"""Multinomial logistic regression on standardised pixels (scikit-learn, L-BFGS)."""

from __future__ import annotations

import warnings

import numpy as np

from bench.estimators import EstimatorBase
from bench.params import Param
from bench.registry import ModelSpec


class StandardisedLogisticRegression(EstimatorBase):
    """StandardScaler + multinomial LogisticRegression; records whether the solver converged.

    After ``fit``: ``pipeline_``, ``classes_``, ``n_iter_`` and ``converged_``
    (False when the solver stopped at ``max_iter``; the warning is recorded, not lost).
    """

    def __init__(self, C=0.01, max_iter=1000, tol=1e-3, seed=0):
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.seed = seed

    def fit(self, X, y):
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.pipeline_ = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=self.C, max_iter=self.max_iter, tol=self.tol,
                               random_state=self.seed),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.pipeline_.fit(X, y)
        classifier = self.pipeline_[-1]
        self.classes_ = classifier.classes_
        self.n_iter_ = int(np.max(classifier.n_iter_))
        self.converged_ = self.n_iter_ < self.max_iter
        return self

    def predict_proba(self, X):
        return self.pipeline_.predict_proba(X)

    def predict(self, X):
        return self.pipeline_.predict(X)


PARAMS = (
    Param("C", 0.01, float, "inverse L2 regularisation strength"),
    Param("max_iter", 1000, int, "L-BFGS iteration limit"),
    Param("tol", 1e-3, float, "stopping tolerance"),
)


def build(params: dict, seed: int) -> StandardisedLogisticRegression:
    return StandardisedLogisticRegression(**params, seed=seed)


MODEL = ModelSpec(
    name="logistic-regression",
    description="Multinomial logistic regression (L-BFGS, L2) on standardised pixels",
    family="linear",
    params=PARAMS,
    input_kind="flat",
    version="2",
    build=build,
    test_params={"max_iter": 200},
    learning_curve=True,
)
