"""Estimator base classes: parameters with pass-through options, and Keras history."""

import numpy as np
import pytest

from bench.data.inputs import prepare_inputs
from bench.plugins import tiny_data


def test_pass_through_options_are_parameters_too():
    from bench.models.logistic_regression import StandardisedLogisticRegression
    from sklearn.base import clone

    estimator = StandardisedLogisticRegression(C=0.5, seed=2, fit_intercept=False)
    assert estimator.get_params() == {"C": 0.5, "max_iter": 1000, "tol": 5e-4, "seed": 2,
                                      "fit_intercept": False}
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params() and copy.options is not estimator.options
    estimator.set_params(penalty="l2", C=1.0)
    assert estimator.options == {"fit_intercept": False, "penalty": "l2"} and estimator.C == 1.0


@pytest.mark.slow
def test_keras_history_is_measured_in_evaluation_mode_without_changing_training():
    from bench.models.small_cnn import SmallCNN

    images, labels = tiny_data()
    X = prepare_inputs(images, "image")
    params = {"epochs": 3, "filters": (4, 4), "batch_size": 16, "dropout": 0.5, "seed": 1}
    running = SmallCNN(**params)
    running.train_eval_size = 0  # Keras' running means over the epoch, dropout on
    running.fit(X, labels)
    evaluated = SmallCNN(**params).fit(X, labels)
    # the extra evaluation does not disturb training: the same weights, the same predictions
    assert np.array_equal(running.predict_proba(X), evaluated.predict_proba(X))
    # the last epoch's figure is the training accuracy the result tables report
    accuracy = float(np.mean(evaluated.predict(X) == labels))
    assert evaluated.history_["accuracy"][-1] == pytest.approx(accuracy, abs=1e-6)
    assert len(evaluated.history_["loss"]) == 3


def test_train_eval_subset_is_seeded_and_capped():
    from bench.models.keras_mlp import KerasMLP

    model = KerasMLP(seed=4)
    subset = model._train_eval_subset(60000)
    assert len(subset) == model.train_eval_size == len(set(subset.tolist()))
    assert np.array_equal(subset, KerasMLP(seed=4)._train_eval_subset(60000))
    assert not np.array_equal(subset, KerasMLP(seed=5)._train_eval_subset(60000))
    assert np.array_equal(model._train_eval_subset(100), np.arange(100))
