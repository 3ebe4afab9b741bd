"""The conformance kit on every registered model, one pytest id per (model, check)."""

import pytest

from bench.registry import available_models
from bench.testing import check_model, check_predict_proba, parametrize_with_checks


@parametrize_with_checks(available_models())
def test_builtin_models_conform(spec, check):
    check(spec)


def test_kit_rejects_probabilities_that_do_not_sum_to_one(plugin_env):
    plugin_env()
    from faulty_plugins import BAD_PROBA

    with pytest.raises(AssertionError, match="rows must sum to 1; the worst row sums to 1.5"):
        check_predict_proba(BAD_PROBA)
    with pytest.raises(AssertionError, match="test-bad-proba"):
        check_model(BAD_PROBA)


def test_kit_accepts_a_well_behaved_plugin(plugin_env):
    plugin_env()
    from faulty_plugins import CENTROIDS

    check_model(CENTROIDS)


def test_expected_failures_must_fail(plugin_env):
    plugin_env()
    from faulty_plugins import BAD_PROBA, CENTROIDS

    check_model(BAD_PROBA, expected_failures={"check_predict_proba": "scaled on purpose"})
    with pytest.raises(AssertionError, match="passed but was expected to fail"):
        check_model(CENTROIDS, expected_failures={"check_predict_proba": "not really"})
