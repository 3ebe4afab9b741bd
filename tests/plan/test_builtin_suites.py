"""The built-in suites: they parse, expand as documented, and every xiao2017 configuration is
accepted by the installed scikit-learn (constructed and fitted on a tiny 10-class problem)."""

import importlib
import warnings

import numpy as np
import pytest

from bench.plan import builtin_suites, expand, find_suite

XIAO_FAMILIES = {
    "SVC", "GradientBoostingClassifier", "RandomForestClassifier", "MLPClassifier",
    "KNeighborsClassifier", "LogisticRegression", "LinearSVC", "SGDClassifier",
    "DecisionTreeClassifier", "Perceptron", "PassiveAggressiveClassifier", "ExtraTreeClassifier",
}


def test_builtin_suites_are_listed_with_descriptions():
    suites = builtin_suites()
    assert {"reference", "default", "xiao2017", "xiao2017-grid"} <= set(suites)
    assert all(description.strip() for description in suites.values())


def test_default_suite_is_the_reference_run_without_the_zoo():
    suite = find_suite("default")
    assert [v.model for v in expand(suite)] == ["keras-mlp", "logistic-regression",
                                                "random-forest", "small-cnn"]
    assert (suite.profile, suite.seeds, suite.datasets) == ("full", (0, 1, 2),
                                                            ("mnist", "fashion-mnist"))
    assert suite.learning_curve and suite.epoch_sweeps == {"keras-mlp": 40}
    reference = find_suite("reference")
    assert (reference.entries, reference.include) == ((), ("default", "xiao2017"))


def test_xiao2017_has_every_family_once_with_the_heavy_one_stood_in():
    suite = find_suite("xiao2017")
    assert suite.seeds == (0, 1, 2) and suite.datasets == ("mnist", "fashion-mnist")
    one_seed = {e.model for e in suite.entries if e.seeds == (0,)}  # no randomness in training
    assert one_seed == {"sklearn.svm.SVC", "sklearn.ensemble.HistGradientBoostingClassifier",
                        "sklearn.neighbors.KNeighborsClassifier", "sklearn.naive_bayes.GaussianNB"}
    ordinary = expand(suite)
    families = [suite.entries[v.entry].family for v in ordinary]
    assert XIAO_FAMILIES <= set(families)
    assert len(families) == len(set(families))  # one configuration per family
    assert suite.heavy_models == ["sklearn.ensemble.GradientBoostingClassifier",
                                  "sklearn.neighbors.KNeighborsClassifier"]
    assert "sklearn.ensemble.GradientBoostingClassifier" not in {v.model for v in ordinary}
    everything = expand(suite, include_heavy=True)
    extra = [v for v in everything if v not in ordinary]
    assert [(v.model, v.params.get("p")) for v in extra] == [
        ("sklearn.ensemble.GradientBoostingClassifier", None),
        ("sklearn.neighbors.KNeighborsClassifier", 1)]
    stand_ins = {e.stand_in_for: e for e in suite.entries if e.stand_in_for}
    boosting = stand_ins["sklearn.ensemble.GradientBoostingClassifier"]
    assert boosting.model == "sklearn.ensemble.HistGradientBoostingClassifier"
    assert boosting.params["max_depth"] == 10 and boosting.params["max_iter"] == 100
    assert stand_ins["sklearn.neighbors.KNeighborsClassifier"].params["p"] == 2


def test_xiao2017_grid_sizes_follow_baselines_json():
    suite = find_suite("xiao2017-grid")
    per_family: dict[str, int] = {}
    for variant in expand(suite, include_heavy=True):
        family = suite.entries[variant.entry].family
        per_family[family] = per_family.get(family, 0) + 1
    assert per_family["SVC"] == 3 * 4
    assert per_family["SGDClassifier"] == 5 * 3
    assert per_family["RandomForestClassifier"] == 2 * 3 * 3
    assert per_family["KNeighborsClassifier"] == 3 * 2 * 2
    assert per_family["MLPClassifier"] == 2 * 4
    assert per_family["LinearSVC"] == 2 * 3 + 2 * 2 * 3  # hinge+l1 is rejected by sklearn
    assert per_family["GradientBoostingClassifier"] == 9 + 9  # the heavy grid and its stand-in


def _variants(name):
    suite = find_suite(name)
    return [pytest.param(v.model, v.params, id=f"{name}-{i}-{v.model.rsplit('.', 1)[-1]}")
            for i, v in enumerate(expand(suite, include_heavy=True))]


@pytest.mark.parametrize(("model", "params"), _variants("xiao2017") + _variants("xiao2017-grid"))
def test_scikit_learn_accepts_every_configuration(model, params):
    module, _, name = model.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    params = dict(params)
    assert params.pop("scale") == "standard"  # the harness's input scaling, as in the paper
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    if "n_estimators" in values or "max_iter" in values:  # keep the tiny fit fast
        values = {**values, **{k: 2 for k in ("n_estimators", "max_iter") if k in values}}
    rng = np.random.RandomState(0)
    x, y = rng.rand(60, 8), np.arange(60) % 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = cls(**values).fit(x, y)
    assert set(estimator.predict(x)) <= set(range(10))
