"""The declaration cache: what planning reads from library classes, kept between processes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench import declarations
from bench.errors import UsageError
from bench.registry import get_model
from bench.runner.plan import build_plan
from bench.runner.profiles import get_profile

MLP = "sklearn.neural_network.MLPClassifier"  # has a tuple default: hidden_layer_sizes=(100,)


def forget() -> None:
    """As if in a new process: nothing read from classes or the cache yet."""
    from bench.importpath import import_path_spec
    from bench.spec import class_params

    declarations.forget()
    class_params.cache_clear()
    import_path_spec.cache_clear()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty harness cache, and nothing read yet in this process."""
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "cache"))
    forget()
    yield tmp_path / "cache" / declarations.FOLDER
    forget()


def _plan_keys(model: str, overrides: dict | None = None) -> list[str]:
    spec = get_model(model)
    return [job.key for job in build_plan([spec], ["mnist"], [0], get_profile("smoke"),
                                          overrides or {})]


def _entry_file(cache, path: str):
    (found,) = [f for f in cache.iterdir() if f.name.startswith(path + ".")]
    return found


def _live_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = declarations.read_live

    def counting(path):
        reads.append(path)
        return real(path)

    monkeypatch.setattr(declarations, "read_live", counting)
    return reads


def test_a_cached_declaration_plans_the_same_jobs_as_the_class(cache, monkeypatch):
    reads = _live_reads(monkeypatch)
    live_spec = get_model(MLP)
    live_keys = _plan_keys(MLP, {"alpha": "0.001"})
    assert reads == [MLP] and _entry_file(cache, MLP).is_file()

    forget()  # a new process: everything comes from the file
    cached_spec = get_model(MLP)
    assert reads == [MLP]
    assert cached_spec.params == live_spec.params  # same names, defaults, types
    defaults = cached_spec.defaults
    assert defaults["hidden_layer_sizes"] == (100,) and type(defaults["hidden_layer_sizes"]) is tuple
    assert type(defaults["alpha"]) is float and type(defaults["max_iter"]) is int
    assert cached_spec.version == live_spec.version
    assert _plan_keys(MLP, {"alpha": "0.001"}) == live_keys


def test_a_second_process_plans_the_zoo_without_importing_scikit_learn(tmp_path):
    script = ("import sys; from bench.registry import get_model\n"
              "spec = get_model('sklearn.svm.SVC'); spec.resolve({'C': 10.0, 'kernel': 'poly'})\n"
              "print('sklearn' in sys.modules, spec.version)")
    env = {**__import__("os").environ, "BENCH_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env=env, timeout=120, check=True).stdout.split() for _ in range(2)]
    import sklearn

    assert runs[0] == ["True", "scikit-learn", sklearn.__version__]
    assert runs[1] == ["False", "scikit-learn", sklearn.__version__]


@pytest.mark.parametrize("spoil", [
    lambda entry: "{ not json",
    lambda entry: json.dumps([entry]),
    lambda entry: json.dumps({**entry, "format": 99}),
    lambda entry: json.dumps({**entry, "path": "sklearn.svm.SVC"}),
    lambda entry: json.dumps({**entry, "defaults": [["alpha", [1, 2]]]}),        # a list
    lambda entry: json.dumps({**entry, "defaults": [["alpha", float("nan")]]}),
    lambda entry: json.dumps({**entry, "defaults": [["not an argument", 1]]}),
    lambda entry: json.dumps({**entry, "defaults": "alpha"}),
    lambda entry: json.dumps({**entry, "warnings": [1]}),
    lambda entry: json.dumps({**entry, "validates": "yes"}),
    lambda entry: json.dumps({**entry, "stamp": {**entry["stamp"], "version": "0.0"}}),
    lambda entry: json.dumps({**entry, "stamp": {**entry["stamp"], "files": {}}}),
    lambda entry: json.dumps({**entry, "stamp": {
        **entry["stamp"], "files": {f: [s[0] + 1, s[1]] for f, s in entry["stamp"]["files"].items()}}}),
    lambda entry: json.dumps({**entry, "stamp": {**entry["stamp"], "python": [2, 7]}}),
], ids=["not-json", "a-list", "format", "other-class", "list-default", "nan-default",
        "unknown-argument", "defaults-not-a-list", "warnings-not-strings", "validates-not-bool",
        "other-library-version", "no-files", "a-file-changed", "other-python"])
def test_a_malformed_stale_or_hostile_entry_is_read_live_and_rewritten(cache, monkeypatch, spoil):
    live_spec = get_model(MLP)
    file = _entry_file(cache, MLP)
    good = json.loads(file.read_text())
    file.write_text(spoil(good))
    forget()
    reads = _live_reads(monkeypatch)
    assert get_model(MLP).params == live_spec.params
    assert reads == [MLP]
    assert json.loads(file.read_text()) == good


def test_an_edited_default_with_a_valid_stamp_fails_the_job_not_silently(cache):
    get_model(MLP)
    file = _entry_file(cache, MLP)
    entry = json.loads(file.read_text())
    entry["defaults"] = [[n, 0.5 if n == "alpha" else v] for n, v in entry["defaults"]]
    file.write_text(json.dumps(entry))
    forget()
    planned = get_model(MLP).defaults
    assert planned["alpha"] == 0.5  # the cache is believed when planning ...
    planned.pop("scale")
    with pytest.raises(UsageError, match="defaults for alpha differ .* nothing was trained"):
        declarations.check_planned_defaults(MLP, planned)  # ... but checked before training
    forget()
    assert get_model(MLP).defaults["alpha"] == 0.0001  # and rewritten from the class


def test_the_runner_checks_an_import_path_model_against_the_live_class(cache, tmp_path,
                                                                        data_dir, monkeypatch):
    from bench.runner.execution import execute_job

    monkeypatch.setenv("BENCH_DATA_DIR", data_dir)
    (job,) = build_plan([get_model("sklearn.naive_bayes.GaussianNB")], ["mnist"], [0],
                        get_profile("smoke"), {})
    file = _entry_file(cache, "sklearn.naive_bayes.GaussianNB")
    entry = json.loads(file.read_text())
    entry["defaults"] = [[n, 1e-3 if n == "var_smoothing" else v] for n, v in entry["defaults"]]
    file.write_text(json.dumps(entry))
    forget()
    record = execute_job(job)
    assert record.status == "failed" and "differ from those the plan was made with" in record.error


def test_accepted_constraint_checks_are_remembered_refused_ones_are_not(cache, monkeypatch):
    spec = get_model("sklearn.svm.LinearSVC")
    spec.resolve({"penalty": "l1", "dual": False})
    forget()
    imports: list[str] = []
    import bench.spec

    real = bench.spec.import_class
    monkeypatch.setattr(bench.spec, "import_class", lambda p: imports.append(p) or real(p))
    spec = get_model("sklearn.svm.LinearSVC")
    spec.resolve({"penalty": "l1", "dual": False})
    assert imports == []  # accepted before: no import, no instance
    for _ in range(2):
        with pytest.raises(UsageError, match="'penalty' parameter"):
            spec.resolve({"penalty": "l3"})
    assert imports == ["sklearn.svm.LinearSVC"] * 2  # a refusal is checked live every time


def test_an_unwritable_cache_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("BENCH_CACHE_DIR", str(blocker))
    forget()
    try:
        assert get_model(MLP).defaults["hidden_layer_sizes"] == (100,)
        assert get_model(MLP).resolve({"alpha": 0.01})["alpha"] == 0.01
    finally:
        forget()


def test_a_class_from_no_installed_distribution_is_not_cached(cache, tmp_path, monkeypatch):
    package = tmp_path / "local_models"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from sklearn.naive_bayes import GaussianNB\n"
        "class Local(GaussianNB):\n"
        "    def __init__(self, var_smoothing=1e-6):\n"
        "        super().__init__(var_smoothing=var_smoothing)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert get_model("local_models.Local").defaults["var_smoothing"] == 1e-6
    assert not cache.exists() or not list(cache.glob("local_models.*"))
