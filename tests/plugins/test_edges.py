"""Edges a new plugin author hits (issue 21): a plugin calling the registry while imported,
disable keys, imports that hang, print or pull in TensorFlow, helpers beside a plugin file, two
third-party plugins of one name, ``bench check --set`` and parameters that never take effect."""

from __future__ import annotations

import warnings

import pytest
from test_plugin_sources import bench, plugin_folder

from bench.plugins import checks
from bench.plugins import registry as registry_module
from bench.plugins.registry import PluginWarning, Registry, folder_candidates

SPEC = '''from bench.plugins import ModelSpec
from bench.models.random_forest import random_forest

MODEL = ModelSpec(name="{name}", description="forest", family="x", input_kind="flat",
                  version="1", estimator=random_forest)
'''
REENTRANT = "from bench.plugins.registry import get_model\nget_model('random-forest')\n" + SPEC
IGNORING = '''from typing import Literal

from bench.plugins import EstimatorBase, ModelSpec
from sklearn.tree import DecisionTreeClassifier


class Tree(EstimatorBase):
    def __init__(self, criterion: Literal["gini", "entropy"] = "gini", max_depth: int = 3, seed: int = 0):
        self.criterion, self.max_depth, self.seed = criterion, max_depth, seed

    def fit(self, X, y):  # criterion is stored, never used
        self.tree_ = DecisionTreeClassifier(max_depth=self.max_depth, random_state=self.seed)
        self.tree_.fit(X, y)
        self.classes_ = self.tree_.classes_
        return self

    def predict_proba(self, X):
        return self.tree_.predict_proba(X)

    def predict(self, X):
        return self.tree_.predict(X)


MODEL = ModelSpec(name="ignoring", description="tree", family="x", input_kind="flat",
                  version="1", estimator=Tree)
'''


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


def load_folder(folder) -> tuple[Registry, list[str]]:
    registry = Registry()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        registry.load_candidates(folder_candidates(folder), set())
    return registry, [str(w.message) for w in caught if issubclass(w.category, PluginWarning)]


def test_a_plugin_calling_the_registry_while_imported_is_refused_by_name(tmp_path):
    folder = plugin_folder(tmp_path, extra={"reentrant.py": REENTRANT.format(name="re")})
    done = bench("--plugins-dir", str(folder), "list")
    assert done.returncode == 0, done.stderr
    assert "random-forest" in done.stdout and "Traceback" not in done.stderr
    (warning,) = warnings_of(done)
    assert "reentrant.py" in warning and "while it is imported" in warning


def test_disable_keys_are_printed_as_typed_and_unknown_ones_warn(tmp_path):
    folder = plugin_folder(tmp_path, extra={"copy.py": SPEC.format(name="random-forest")})
    done = bench("--plugins-dir", str(folder), "list")
    (clash,) = warnings_of(done)
    assert "disable the built-in with BENCH_DISABLE_PLUGINS=bench.models.random_forest:MODEL" in clash
    done = bench("list", BENCH_DISABLE_PLUGINS="bench.models.random_forst:MODEL")
    (unknown,) = warnings_of(done)
    assert "'bench.models.random_forst:MODEL'" in unknown and "matches no plugin" in unknown


def test_relative_and_absolute_plugin_paths_match_one_key(tmp_path):
    folder = plugin_folder(tmp_path, "exiting_plugin.py")
    for where, key in (("my-plugins", str(folder / "exiting_plugin.py")),
                       (str(folder), "my-plugins/exiting_plugin.py")):
        environ = {"BENCH_DISABLE_PLUGINS": key}
        done = bench("--plugins-dir", where, "list", cwd=tmp_path, **environ)
        assert done.returncode == 0 and warnings_of(done) == [], done.stderr


def test_check_set_accepts_pass_through_parameters():
    done = bench("check", "random-forest", "--set", "criterion=entropy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_plugin_import_that_hangs_is_stopped_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(registry_module, "IMPORT_SECONDS", 0.5)
    folder = plugin_folder(tmp_path, "good_plugin.py", extra={"loops.py": "while True:\n    pass\n"})
    registry, problems = load_folder(folder)
    assert registry.names() == ["test-nearest-mean"]
    (problem,) = problems
    assert "loops.py" in problem and "0.5 s" in problem


def test_output_printed_while_importing_is_kept_out_of_stdout(tmp_path, capsys):
    folder = plugin_folder(tmp_path, extra={"chatty.py": "print('hello from a plugin')\n"
                                                        + SPEC.format(name="chatty")})
    registry, problems = load_folder(folder)
    assert registry.names() == ["chatty"]
    assert "hello from a plugin" not in capsys.readouterr().out
    (problem,) = problems
    assert "printed" in problem and "hello from a plugin" in problem


def test_a_plugin_importing_tensorflow_at_the_top_warns_once(tmp_path):
    top = "import tensorflow\n"
    folder = plugin_folder(tmp_path, extra={"tf_a.py": top + SPEC.format(name="tf-a"),
                                            "tf_b.py": top + SPEC.format(name="tf-b")})
    done = bench("--plugins-dir", str(folder), "list")
    assert done.returncode == 0 and "tf-a" in done.stdout
    assert warnings_of(done) == done.stderr.splitlines()  # TensorFlow's chatter stays out
    (warning,) = warnings_of(done)
    assert "tf_a.py" in warning and "TensorFlow" in warning
    assert "oneDNN" in bench("--verbose", "--plugins-dir", str(folder), "list").stderr


def test_a_plugin_file_imports_a_helper_beside_it(tmp_path):
    folder = plugin_folder(tmp_path, extra={
        "_names.py": "NAME = 'helped'\n",
        "helped.py": "from _names import NAME\n" + SPEC.replace('"{name}"', "NAME")})
    registry, problems = load_folder(folder)
    assert problems == [] and registry.names() == ["helped"]


def test_two_third_party_plugins_of_one_name_are_named_as_a_clash(tmp_path):
    folder = plugin_folder(tmp_path, extra={"a.py": SPEC.format(name="twin"),
                                            "b.py": SPEC.format(name="twin")})
    done = bench("--plugins-dir", str(folder), "check", "twin")
    assert done.returncode == 2
    assert "unknown model" not in done.stderr and "2 model plugins are named 'twin'" in done.stderr


def test_wording_of_load_failures(tmp_path):
    folder = plugin_folder(tmp_path, extra={"number.py": "MODEL = 3\n",
                                            "stop.py": "raise KeyboardInterrupt\n"})
    _, problems = load_folder(folder)
    text = " ".join(problems)
    assert "plugin plugin" not in text and "is a int" not in text
    assert "KeyboardInterrupt." in text and "KeyboardInterrupt: ." not in text


def test_a_parameter_that_never_reaches_the_estimator_fails_the_check(tmp_path):
    folder = plugin_folder(tmp_path, extra={"ignoring.py": IGNORING})
    registry, _ = load_folder(folder)
    with pytest.raises(AssertionError, match="criterion"):
        checks.check_params_take_effect(registry.get("ignoring"))


def test_parameters_of_the_builtin_forest_take_effect():
    from bench.plugins.registry import get_model

    checks.check_params_take_effect(get_model("random-forest"))


def test_expected_failures_must_name_checks():
    from bench.plugins.registry import get_model

    with pytest.raises(ValueError, match="check_lerns"):
        list(checks.iter_checks(get_model("random-forest"), {"check_lerns": "typo"}))


def test_a_failed_jobs_record_names_the_plugin_it_came_from():
    from bench.plan.jobs import Job
    from bench.runner.execution import execute_job

    record = execute_job(Job("random-forest", "1", {}, "no-such-dataset", {}, 0, "smoke", 10, 10))
    assert record.status == "failed"
    assert record.model_source == "bench.models.random_forest:MODEL"
    assert record.model_distribution.startswith("mnist-vs-fashion-bench ")
