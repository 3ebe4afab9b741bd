"""The harness's output contract: predict_proba columns aligned by classes_, shapes checked."""

import numpy as np
import pytest

from bench.errors import PluginError
from bench.plugins.contract import aligned_proba


def test_missing_classes_get_probability_zero():
    rng = np.random.default_rng(0)
    classes = np.array([0, 2, 3, 5, 9])
    proba = rng.dirichlet(np.ones(len(classes)), size=6)
    aligned = aligned_proba(proba, classes, 6, "m")
    expected = np.zeros((6, 10))
    for column, label in enumerate(classes):  # brute force, one column at a time
        expected[:, label] = proba[:, column]
    assert np.array_equal(aligned, expected)
    assert np.allclose(aligned.sum(axis=1), 1)


def test_columns_follow_classes_order_not_position():
    proba = np.array([[0.9, 0.1]])
    aligned = aligned_proba(proba, [7, 1], 1, "m")
    assert aligned[0, 7] == 0.9 and aligned[0, 1] == 0.1


@pytest.mark.parametrize(("proba", "classes", "reason"), [
    (np.full((5, 10), 0.1), None, "shape (5, 10) for 4 inputs"),
    (np.full(4, 0.1), None, "shape (4,)"),
    (np.full((4, 9), 1 / 9), None, "no classes_"),
    (np.full((4, 9), 1 / 9), np.arange(10), "9 columns but classes_ lists 10"),
    (np.full((4, 2), 0.5), np.array([3, 3]), "distinct labels"),
    (np.full((4, 2), 0.5), np.array([3, 10]), "distinct labels in 0..9"),
    (np.full((4, 2), 0.5), np.array(["a", "b"]), "integer labels"),
    (np.full((4, 10), np.nan), None, "non-finite"),
    (np.full((4, 10), 0.2), None, "must sum to 1"),
])
def test_broken_output_is_a_clear_error_naming_the_model(proba, classes, reason):
    with pytest.raises(PluginError, match="model 'my-plugin'") as info:
        aligned_proba(proba, classes, 4, "my-plugin")
    assert reason in str(info.value)


def test_train_size_below_the_number_of_classes_is_refused_up_front():
    from bench.errors import UsageError
    from bench.plan.jobs import build_plan
    from bench.plan.profiles import get_profile
    from bench.plugins.registry import get_model

    spec = get_model("logistic-regression")
    with pytest.raises(UsageError, match="between 10 .one image per class."):
        build_plan([spec], ["mnist"], [0], get_profile("smoke"), train_size=5)
    (job,) = build_plan([spec], ["mnist"], [0], get_profile("smoke"), train_size=10)
    assert job.train_size == 10
