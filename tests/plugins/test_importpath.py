"""Models named by import path: any scikit-learn classifier class, typed from its signature."""

import numpy as np
import pytest

from bench.cli import main
from bench.errors import UsageError
from bench.plan.jobs import build_plan
from bench.plan.profiles import get_profile
from bench.plugins.checks import check_model
from bench.plugins.registry import get_model


def test_constructor_parameters_become_typed_parameters():
    import sklearn

    spec = get_model("sklearn.svm.LinearSVC")
    params = {p.name: p for p in spec.params}
    assert params["C"].type is float and params["C"].default == 1.0
    assert params["max_iter"].type is int and params["scale"].default == "unit"
    assert "random_state" not in params  # the job seed goes there
    assert spec.version == f"scikit-learn {sklearn.__version__}"
    assert spec.resolve({"C": "0.1"})["C"] == 0.1


def test_job_key_holds_the_class_path_and_library_version():
    import sklearn

    spec = get_model("sklearn.svm.LinearSVC")
    (job,) = build_plan([spec], ["mnist"], [0], get_profile("smoke"), {"C": "0.1"})
    assert job.key.startswith("sklearn.svm.LinearSVC__mnist__smoke")
    assert job.model_version == f"scikit-learn {sklearn.__version__}"
    assert job.params["C"] == 0.1


@pytest.mark.parametrize(("path", "reason"), [
    ("sklearn.preprocessing.StandardScaler", "cannot be benchmarked: it has no predict method"),
    ("sklearn.cluster.KMeans", "it is not a classifier"),
    ("sklearn.linear_model.LinearRegression", "it is not a classifier"),
    ("no_such_package.Model", "cannot import module 'no_such_package'"),
    ("sklearn.svm.NoSuchClass", "has no attribute 'NoSuchClass'"),
    ("os.path.join", "is a function, not a class"),
])
def test_not_a_classifier_or_not_importable_is_a_clear_error(path, reason, capsys):
    with pytest.raises(UsageError, match=reason):
        get_model(path)
    assert main(["run", "--model", path, "--dataset", "mnist"]) == 2
    err = capsys.readouterr().err
    assert reason in err and "Traceback" not in err


def test_bad_set_on_an_import_path_model(capsys):
    code = main(["run", "--model", "sklearn.svm.LinearSVC", "--dataset", "mnist",
                 "--set", "C=lots"])
    err = capsys.readouterr().err
    assert code == 2 and "bad value 'lots' for parameter 'C'" in err and "C: float = 1.0" in err
    code = main(["run", "--model", "sklearn.svm.LinearSVC", "--dataset", "mnist",
                 "--set", "gamma=1"])
    assert code == 2 and "no selected model has a parameter 'gamma'" in capsys.readouterr().err


def test_list_shows_an_import_path_model(capsys):
    assert main(["list", "sklearn.svm.SVC"]) == 0
    out = capsys.readouterr().out
    assert "C: float = 1.0" in out and "kernel: any = 'rbf'" in out and "scale:" in out


def _tiny():
    from bench.data.inputs import prepare_inputs
    from bench.plugins.checks import tiny_data

    images, labels = tiny_data()
    return prepare_inputs(images, "flat"), labels


@pytest.mark.parametrize("scale", ["none", "unit", "standard"])
def test_classifier_without_predict_proba_gets_softmax_scores(scale):
    spec = get_model("sklearn.svm.LinearSVC")
    X, y = _tiny()
    estimator = spec.build(spec.resolve({"scale": scale}), 0).fit(X, y)
    proba = estimator.predict_proba(X)
    assert proba.shape == (len(X), 10) and np.allclose(proba.sum(axis=1), 1)
    decision = estimator.estimator_.decision_function(estimator._inputs(X))
    assert np.array_equal(proba.argmax(axis=1), decision.argmax(axis=1))
    assert np.array_equal(estimator.predict(X), estimator.estimator_.predict(estimator._inputs(X)))


def test_scaling_reaches_the_estimator():
    spec = get_model("sklearn.neighbors.KNeighborsClassifier")
    X, y = _tiny()
    raw = spec.build(spec.resolve({"scale": "none"}), 0).fit(X, y)
    assert raw.estimator_._fit_X.max() == pytest.approx(X.max() * 255)
    standard = spec.build(spec.resolve({"scale": "standard"}), 0).fit(X, y)
    assert abs(standard.estimator_._fit_X.mean()) < 1e-6


def test_random_state_receives_the_seed():
    spec = get_model("sklearn.ensemble.ExtraTreesClassifier")
    X, y = _tiny()
    estimator = spec.build(spec.resolve({"n_estimators": "5"}), 7).fit(X, y)
    assert estimator.estimator_.random_state == 7 and estimator.estimator_.n_estimators == 5


def test_an_import_path_model_passes_the_conformance_kit():
    check_model("sklearn.neighbors.KNeighborsClassifier")


def test_registered_sklearn_models_pass_through_other_parameters():
    spec = get_model("random-forest")
    assert spec.resolve() == spec.defaults  # nothing extra unless set: default keys unchanged
    resolved = spec.resolve({"criterion": "entropy", "max_features": "2"})
    assert resolved["criterion"] == "entropy" and resolved["max_features"] == 2
    forest = spec.build(resolved, 3)
    assert (forest.criterion, forest.max_features, forest.random_state) == ("entropy", 2, 3)
    with pytest.raises(UsageError, match="bad value 'x' for parameter 'bootstrap'"):
        spec.resolve({"bootstrap": "x"})
    lr = get_model("logistic-regression")
    estimator = lr.build(lr.resolve({"fit_intercept": "false"}), 0)
    assert estimator.get_params()["fit_intercept"] is False
    X, y = _tiny()
    assert estimator.fit(X, y).pipeline_[-1].fit_intercept is False


def test_a_deprecated_class_warns_once_as_a_harness_warning_in_a_dry_run(tmp_path):
    import subprocess
    import sys

    suite = tmp_path / "pa.toml"
    suite.write_text('profile = "smoke"\ndatasets = ["mnist", "fashion-mnist"]\nseeds = [0, 1]\n'
                     '[[models]]\nmodel = "sklearn.linear_model.PassiveAggressiveClassifier"\n'
                     '[[models]]\nmodel = "sklearn.linear_model.PassiveAggressiveClassifier"\n'
                     "params = { C = 0.5 }\n")
    done = subprocess.run([sys.executable, "-m", "bench", "run-all", "--suite", str(suite),
                           "--dry-run", "--results-dir", str(tmp_path / "results")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "8 jobs: 0 cached, 8 to run." in done.stdout
    import sklearn.linear_model
    with pytest.warns(FutureWarning):  # else this scikit-learn no longer warns: nothing to check
        sklearn.linear_model.PassiveAggressiveClassifier()
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("warning: model sklearn.linear_model.PassiveAggressiveClassifier: "
                               "Class PassiveAggressiveClassifier is deprecated")
    assert lines[0].endswith("(FutureWarning)")


def test_library_warnings_while_reading_a_class_become_model_warnings(tmp_path, monkeypatch):
    import warnings

    from bench.errors import ModelWarning

    (tmp_path / "warning_models.py").write_text(
        "import warnings\n"
        "from sklearn.naive_bayes import GaussianNB\n"
        "class Old(GaussianNB):\n"
        "    def __init__(self, var_smoothing=1e-9):\n"
        "        for _ in range(2):\n"
        "            warnings.warn('Class Old is deprecated', FutureWarning, stacklevel=2)\n"
        "        warnings.warn('for developers', DeprecationWarning, stacklevel=2)\n"
        "        super().__init__(var_smoothing=var_smoothing)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        get_model("warning_models.Old")
        get_model("warning_models.Old")
    assert [(w.category, str(w.message)) for w in caught] == [
        (ModelWarning, "model warning_models.Old: Class Old is deprecated (FutureWarning)")]


@pytest.mark.parametrize("model", ["sklearn.ensemble.RandomForestClassifier", "random-forest"])
def test_an_integer_no_c_int_holds_is_refused_before_any_job(model, tmp_path, capsys):
    code = main(["run-all", "--dry-run", "--profile", "smoke", "--models", model,
                 "--set", "n_estimators=100000000000000000000",
                 "--results-dir", str(tmp_path / "results")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: bad value '100000000000000000000' for parameter "
                          f"'n_estimators' of model '{model}': it must fit a 32-bit C integer")


@pytest.mark.parametrize("model,name,value", [
    ("random-forest", "criterion", "entropyy"),          # a registered model's pass-through
    ("sklearn.svm.LinearSVC", "penalty", "l3"),           # an import path's own argument
    ("sklearn.neighbors.KNeighborsClassifier", "weights", "far"),
])
def test_scikit_learn_constraints_refuse_a_bad_value_when_the_plan_is_made(model, name, value):
    spec = get_model(model)
    with pytest.raises(UsageError, match=f"'{name}' parameter .*{value}"):
        spec.resolve({name: value})
    good = {"criterion": "log_loss", "penalty": "l1", "weights": "distance"}[name]
    assert spec.resolve({name: good})[name] == good


def test_a_bad_pass_through_value_exits_before_any_job_runs(tmp_path, capsys):
    code = main(["run", "--model", "random-forest", "--dataset", "mnist", "--profile", "smoke",
                 "--set", "criterion=entropyy", "--results-dir", str(tmp_path / "r")])
    assert code == 2
    assert "criterion" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
