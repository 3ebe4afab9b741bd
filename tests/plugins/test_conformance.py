"""The conformance kit on every registered model, one pytest id per (model, check)."""

import pytest

from bench.plugins.checks import (
    check_history,
    check_import_time,
    check_missing_class,
    check_model,
    check_predict_proba,
    iter_checks,
    parametrize_with_checks,
    run_checks,
)
from bench.plugins.registry import available_models, get_model


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

    check_model(BAD_PROBA, expected_failures={  # the harness refuses such output everywhere
        name: "scaled on purpose" for name in
        ("check_predict_proba", "check_missing_class", "check_predict_matches_argmax")})
    with pytest.raises(AssertionError, match="passed but was expected to fail"):
        check_model(CENTROIDS, expected_failures={"check_predict_proba": "not really"})


def test_a_check_that_does_not_apply_is_not_run(plugin_env):
    """Capabilities decide: no history check for a model that does not train in epochs, no
    import timing for a spec made in code (no module of its own)."""
    plugin_env()
    from faulty_plugins import CENTROIDS

    names = {check.__name__ for check, _ in iter_checks(CENTROIDS)}
    assert "check_history" not in names and "check_import_time" not in names
    assert "check_history" not in {r.check for r in run_checks(CENTROIDS)}
    epochs = {check for check, _ in iter_checks(get_model("keras-mlp"))}
    assert {check_history, check_import_time} <= epochs


def test_a_misspelled_expected_failure_is_an_error(plugin_env):
    plugin_env()
    from faulty_plugins import CENTROIDS

    with pytest.raises(ValueError, match=r"names no check: \['check_predict_probaa'\]"):
        check_model(CENTROIDS, expected_failures={"check_predict_probaa": "typo"})


def test_expected_failures_are_strict_xfails_in_pytest(plugin_env):
    plugin_env()
    from faulty_plugins import BAD_PROBA

    _, cases = parametrize_with_checks([BAD_PROBA], {"check_predict_proba": "scaled"}).args
    by_id = {case.id: case.marks for case in cases}
    (xfail,) = by_id["test-bad-proba-check_predict_proba"]
    assert xfail.name == "xfail" and xfail.kwargs == {"strict": True, "reason": "scaled"}
    assert by_id["test-bad-proba-check_learns"] == ()


def test_kit_maps_fewer_columns_through_classes(plugin_env):
    """Centroids trained without class 9 returns 9 columns; classes_ says which they are."""
    plugin_env()
    from faulty_plugins import CENTROIDS, NO_CLASSES

    check_missing_class(CENTROIDS)
    with pytest.raises(AssertionError, match="no classes_"):
        check_missing_class(NO_CLASSES)


def test_kit_flags_a_slow_import(plugin_env):
    plugin_env()
    from dataclasses import replace

    from faulty_plugins import CENTROIDS

    with pytest.raises(AssertionError, match=r"importing slow_import_plugin:MODEL takes \d+\.\d s"):
        check_import_time(replace(CENTROIDS, source="slow_import_plugin:MODEL"))
    check_import_time(replace(CENTROIDS, source="bench.models.small_cnn:MODEL"))


def test_run_checks_times_every_check_and_collects_failures(plugin_env):
    plugin_env()
    from faulty_plugins import BAD_PROBA

    results = {r.check: r for r in run_checks(BAD_PROBA)}
    assert not results["check_predict_proba"].passed
    assert "sum to 1" in results["check_predict_proba"].message
    assert results["check_fit_returns_self"].passed
    assert all(r.seconds >= 0 for r in results.values())


def test_bench_check_prints_a_table_and_fails_on_a_broken_plugin(plugin_env, capsys):
    from bench.cli import main

    plugin_env("faulty_plugins:BAD_PROBA", "good_plugin:MODEL")
    assert main(["check", "test-nearest-mean"]) == 0
    out = capsys.readouterr().out
    assert "check_missing_class" in out and "11 of 11 checks passed" in out
    assert main(["check", "test-bad-proba"]) == 1
    captured = capsys.readouterr()
    assert "FAIL" in captured.out and "check_predict_proba failed" in captured.err
