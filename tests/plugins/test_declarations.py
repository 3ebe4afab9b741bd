"""The declaration cache: what planning reads from library classes, kept between processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.errors import UsageError
from bench.plan.jobs import build_plan
from bench.plan.profiles import get_profile
from bench.plugins import declarations
from bench.plugins.importpath import forget_classes
from bench.plugins.registry import get_model

MLP = "sklearn.neural_network.MLPClassifier"  # has a tuple default: hidden_layer_sizes=(100,)
NB = "sklearn.naive_bayes.GaussianNB"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty harness cache, and nothing read yet in this process."""
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "cache"))
    forget_classes()
    yield tmp_path / "cache" / declarations.FOLDER
    forget_classes()


def _plan(model: str, overrides: dict | None = None):
    return build_plan([get_model(model)], ["mnist"], [0], get_profile("smoke"), overrides or {})


def _entry_file(cache, path: str):
    (found,) = [f for f in cache.iterdir() if f.name.startswith(path + ".")]
    return found


def _edit(cache, path: str, change) -> None:
    file = _entry_file(cache, path)
    entry = json.loads(file.read_text())
    change(entry)
    file.write_text(json.dumps(entry))
    forget_classes()


def _local_package(tmp_path, monkeypatch, name: str, source: str) -> None:
    """An importable package ``name`` (not installed: no distribution) holding ``source``."""
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))


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
    live_jobs = _plan(MLP, {"alpha": "0.001"})
    assert reads == [MLP] and _entry_file(cache, MLP).is_file()

    forget_classes()  # a new process: everything comes from the file
    cached_spec = get_model(MLP)
    assert reads == [MLP]
    assert cached_spec.params == live_spec.params  # same names, defaults, types
    defaults = cached_spec.defaults
    assert defaults["hidden_layer_sizes"] == (100,) and type(defaults["hidden_layer_sizes"]) is tuple
    assert type(defaults["alpha"]) is float and type(defaults["max_iter"]) is int
    assert cached_spec.version == live_spec.version
    cached_jobs = _plan(MLP, {"alpha": "0.001"})
    assert [j.key for j in cached_jobs] == [j.key for j in live_jobs]
    assert cached_jobs[0].class_fingerprint == live_jobs[0].class_fingerprint is not None


def test_a_second_process_plans_the_zoo_without_importing_scikit_learn(tmp_path):
    script = ("import sys, warnings; warnings.simplefilter('always')\n"
              "from bench.plugins.registry import get_model\n"
              "spec = get_model('sklearn.svm.SVC'); spec.resolve({'C': 10.0, 'kernel': 'poly'})\n"
              "get_model('sklearn.linear_model.PassiveAggressiveClassifier')\n"
              "print('sklearn' in sys.modules, spec.version)")
    env = {**os.environ, "BENCH_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env=env, timeout=120, check=True) for _ in range(2)]
    import sklearn

    assert runs[0].stdout.split() == ["True", "scikit-learn", sklearn.__version__]
    assert runs[1].stdout.split() == ["False", "scikit-learn", sklearn.__version__]
    # a deprecated class's warning is replayed from the cache, once, as the live read printed it
    warned = [line for line in runs[1].stderr.splitlines() if "PassiveAggressive" in line]
    assert len(warned) == 1 and "is deprecated" in warned[0]
    assert warned == [line for line in runs[0].stderr.splitlines() if "PassiveAggressive" in line]


def _deep(entry):
    nested = '{"tuple": [' * 100_000 + "1" + "]}" * 100_000
    return json.dumps({**entry, "defaults": "DEEP"}).replace('"DEEP"', f'[["alpha", {nested}]]')


SPOILS = {
    "not-json": lambda entry: "{ not json",
    "a-list": lambda entry: json.dumps([entry]),
    "format": lambda entry: json.dumps({**entry, "format": 99}),
    "other-class": lambda entry: json.dumps({**entry, "path": "sklearn.svm.SVC"}),
    "list-default": lambda entry: json.dumps({**entry, "defaults": [["alpha", [1, 2]]]}),
    "nan-default": lambda entry: json.dumps({**entry, "defaults": [["alpha", float("nan")]]}),
    "tuple-of-strings": lambda entry: json.dumps(
        {**entry, "defaults": [["hidden_layer_sizes", {"tuple": ["x"]}]]}),
    "tuple-of-floats": lambda entry: json.dumps(
        {**entry, "defaults": [["hidden_layer_sizes", {"tuple": [100.0]}]]}),
    "nested-tuple": lambda entry: json.dumps(
        {**entry, "defaults": [["hidden_layer_sizes", {"tuple": [{"tuple": [1]}]}]]}),
    "deep-nesting": _deep,
    "huge-int": lambda entry: json.dumps({**entry, "defaults": [["max_iter", 10**4000]]}),
    "control-characters": lambda entry: json.dumps(
        {**entry, "defaults": [["solver", "adam\x1b[2J"]]}),
    "unknown-argument": lambda entry: json.dumps({**entry, "defaults": [["not an argument", 1]]}),
    "defaults-not-a-list": lambda entry: json.dumps({**entry, "defaults": "alpha"}),
    "warnings-not-strings": lambda entry: json.dumps({**entry, "warnings": [1]}),
    "escape-in-warning": lambda entry: json.dumps({**entry, "warnings": ["\x1b]0;pwned\x07"]}),
    "validates-not-bool": lambda entry: json.dumps({**entry, "has_validate_params": "yes"}),
    "other-library-version": lambda entry: json.dumps(
        {**entry, "stamp": {**entry["stamp"], "version": "0.0"}}),
    "other-origin": lambda entry: json.dumps(
        {**entry, "stamp": {**entry["stamp"], "origin": "/elsewhere/sklearn/__init__.py"}}),
    "no-files": lambda entry: json.dumps({**entry, "stamp": {**entry["stamp"], "files": {}}}),
    "a-file-changed": lambda entry: json.dumps({**entry, "stamp": {**entry["stamp"], "files": {
        f: [s[0] + 1, s[1]] for f, s in entry["stamp"]["files"].items()}}}),
    "swapped-distribution": lambda entry: json.dumps({**entry, "stamp": {
        **entry["stamp"], "distribution": "numpy", "version": __import__("numpy").__version__}}),
    "version-null": lambda entry: json.dumps({**entry, "stamp": {
        **entry["stamp"], "distribution": "no-such-distribution", "version": None}}),
    "other-python": lambda entry: json.dumps(
        {**entry, "stamp": {**entry["stamp"], "python": [2, 7]}}),
    "stats-not-lists": lambda entry: json.dumps({**entry, "stamp": {**entry["stamp"], "files": {
        f: "big" for f in entry["stamp"]["files"]}}}),
}


@pytest.mark.parametrize("spoil", SPOILS.values(), ids=SPOILS.keys())
def test_a_malformed_stale_or_hostile_entry_is_read_live_and_rewritten(cache, monkeypatch, spoil):
    live_spec = get_model(MLP)
    file = _entry_file(cache, MLP)
    good = json.loads(file.read_text())
    file.write_text(spoil(good))
    forget_classes()
    reads = _live_reads(monkeypatch)
    assert get_model(MLP).params == live_spec.params
    assert reads == [MLP]
    assert json.loads(file.read_text()) == good


def test_an_oversized_entry_is_not_read(cache, monkeypatch):
    get_model(MLP)
    file = _entry_file(cache, MLP)
    file.write_text(" " * (declarations.MAX_ENTRY_BYTES + 1))
    forget_classes()
    reads = _live_reads(monkeypatch)
    get_model(MLP)
    assert reads == [MLP]


@pytest.mark.parametrize("edit", [
    lambda e: e.update(defaults=[[n, 0.5 if n == "var_smoothing" else v]
                                 for n, v in e["defaults"]]),          # an edited default
    lambda e: e.update(defaults=[p for p in e["defaults"] if p[0] != "var_smoothing"]),  # removed
    lambda e: e.update(arguments=[*e["arguments"], "bogus"],          # an extra argument
                       defaults=[*e["defaults"], ["bogus", 1]]),
], ids=["edited-default", "removed-default", "added-argument"])
def test_a_job_planned_from_an_edited_entry_is_stopped_before_anything_trains(cache, tmp_path,
                                                                               edit):
    from bench.runner.batch import execute
    from bench.runner.execution import execute_job

    (honest,) = _plan(NB)
    _edit(cache, NB, edit)
    (planned,) = _plan(NB)
    assert planned.key != honest.key  # the edit is believed when planning ...
    with pytest.raises(UsageError, match="plan was made from a declaration .* nothing was trained"):
        execute([planned], tmp_path / "results")  # ... but checked before any job runs
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").rglob("*.json"))
    # a worker that receives such a job (e.g. on Dask) refuses it too, whatever its own cache says
    forget_classes()
    assert get_model(NB).defaults["var_smoothing"] == 1e-9  # the entry, rewritten from the class
    record = execute_job(planned)
    assert record.status == "failed" and "nothing was trained" in record.error
    forget_classes()
    (replanned,) = _plan(NB)
    assert replanned.key == honest.key


def test_planning_again_in_the_same_process_after_the_check_gives_the_honest_job(cache, tmp_path):
    from bench.runner.batch import execute

    (honest,) = _plan(NB)
    _edit(cache, NB, lambda e: e.update(defaults=[[n, 1e-3 if n == "var_smoothing" else v]
                                                  for n, v in e["defaults"]]))
    (planned,) = _plan(NB)
    assert planned.params["var_smoothing"] == 1e-3
    with pytest.raises(UsageError, match="nothing was trained"):
        execute([planned], tmp_path / "results")
    (replanned,) = _plan(NB)  # as "run the command again" does in a notebook
    assert replanned.params["var_smoothing"] == 1e-9 and replanned.key == honest.key


def test_a_plan_from_honest_cache_entries_passes_the_checks(cache, monkeypatch):
    from bench.runner.batch import check_declarations

    _plan(NB), _plan(MLP)  # fills the cache
    forget_classes()
    reads = _live_reads(monkeypatch)
    jobs = _plan(NB) + _plan(MLP, {"alpha": "0.01"})  # from the files
    assert reads == []
    check_declarations(jobs)  # reads both classes live and finds the same declarations
    assert sorted(reads) == sorted([NB, MLP])


def test_subclasses_of_builtin_types_are_declared_as_builtins(cache, tmp_path, monkeypatch):
    import enum

    import numpy as np

    _local_package(tmp_path, monkeypatch, "typed_models",
        "import enum\nimport numpy as np\nfrom sklearn.naive_bayes import GaussianNB\n"
        "class Mode(enum.IntEnum):\n    A = 1\n"
        "class Typed(GaussianNB):\n"
        "    def __init__(self, var_smoothing=np.float64(1e-9), mode=Mode.A,\n"
        "                 sizes=(Mode.A, 3), ratios=(0.5, 0.25)):\n"
        "        super().__init__(var_smoothing=var_smoothing)\n"
        "        self.mode, self.sizes, self.ratios = mode, sizes, ratios\n")
    defaults = get_model("typed_models.Typed").defaults
    assert type(defaults["var_smoothing"]) is float and type(defaults["mode"]) is int
    assert defaults["sizes"] == (1, 3) and type(defaults["sizes"][0]) is int
    assert "ratios" not in defaults  # a tuple of floats cannot be typed: the class's own default
    for value in (np.float64(1e-9), enum.IntEnum("Mode", "A").A, (enum.IntEnum("N", "B").B, 3)):
        declared = declarations.as_declared_default(value)  # what a cache entry stores
        stored = declarations._decode(json.loads(json.dumps(declarations._encode(declared))))
        assert (type(stored), stored) == (type(declared), declared)
        assert declarations.canonical({"x": stored}) == declarations.canonical({"x": value})


def test_accepted_constraint_checks_are_remembered_refused_ones_are_not(cache, monkeypatch):
    spec = get_model("sklearn.svm.LinearSVC")
    spec.resolve({"penalty": "l1", "dual": False})
    forget_classes()  # saves the accepted combination, as a process exit does
    imports: list[str] = []
    import bench.plugins.spec

    real = bench.plugins.spec.import_class
    monkeypatch.setattr(bench.plugins.spec, "import_class", lambda p: imports.append(p) or real(p))
    spec = get_model("sklearn.svm.LinearSVC")
    spec.resolve({"penalty": "l1", "dual": False})
    assert imports == []  # accepted before: no import, no instance
    for _ in range(2):
        with pytest.raises(UsageError, match="'penalty' parameter"):
            spec.resolve({"penalty": "l3"})
    assert imports == ["sklearn.svm.LinearSVC"] * 2  # a refusal is checked live every time


def test_accepted_combinations_are_written_once_per_process(cache, monkeypatch):
    spec = get_model("sklearn.svm.LinearSVC")
    writes: list[str] = []
    import bench.files

    real = bench.files.atomic_write_text
    monkeypatch.setattr(bench.files, "atomic_write_text",
                        lambda path, text: writes.append(str(path)) or real(path, text))
    for c in (0.1, 0.2, 0.3, 0.4):
        spec.resolve({"C": c})
    assert writes == []
    declarations.save_pending()
    assert len(writes) == 1
    entry = json.loads(_entry_file(cache, "sklearn.svm.LinearSVC").read_text())
    assert len(entry["accepted"]) == 4


def test_an_unwritable_cache_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("BENCH_CACHE_DIR", str(blocker))
    forget_classes()
    try:
        assert get_model(MLP).defaults["hidden_layer_sizes"] == (100,)
        assert get_model(MLP).resolve({"alpha": 0.01})["alpha"] == 0.01
    finally:
        forget_classes()


def test_a_class_from_no_installed_distribution_is_not_cached(cache, tmp_path, monkeypatch):
    _local_package(tmp_path, monkeypatch, "local_models",
        "__version__ = '1.0'\n"
        "from sklearn.naive_bayes import GaussianNB\n"
        "class Local(GaussianNB):\n"
        "    def __init__(self, var_smoothing=1e-6):\n"
        "        super().__init__(var_smoothing=var_smoothing)\n")
    assert get_model("local_models.Local").version == "local_models 1.0"
    assert get_model("local_models.Local").defaults["var_smoothing"] == 1e-6
    assert not cache.exists() or not list(cache.glob("local_models.*"))


def test_an_invalid_path_reads_no_file(cache, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(declarations, "_load", lambda path: opened.append(path))
    with pytest.raises(UsageError, match="not a valid import path"):
        declarations.declaration("sklearn.svm/../../x.Y")
    assert opened == []


def test_a_class_that_cannot_be_benchmarked_is_never_cached(cache):
    for _ in range(2):
        with pytest.raises(UsageError, match="is not a classifier"):
            get_model("sklearn.cluster.KMeans")
        forget_classes()
    assert not cache.exists() or not list(cache.glob("sklearn.cluster.KMeans.*"))


def test_pending_entries_are_saved_where_they_were_read(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "first"))
    forget_classes()
    try:
        get_model("sklearn.svm.LinearSVC").resolve({"C": 0.5})
        monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "second"))
        declarations.save_pending()
        assert not (tmp_path / "second").exists()
        (entry,) = (tmp_path / "first" / declarations.FOLDER).glob("sklearn.svm.LinearSVC.*")
        (accepted,) = json.loads(entry.read_text())["accepted"]
        assert json.loads(accepted)["C"] == 0.5
    finally:
        forget_classes()
