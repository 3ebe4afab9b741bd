"""The example plugin package (examples/bench-knn), installed with pip the way a user would.

pip installs a copy of it into a temporary folder (offline, no build isolation), so neither the
virtualenv nor the example folder is touched; that folder goes on ``PYTHONPATH`` and ``sys.path``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.plugins.checks import check_import_time, check_model, iter_checks
from bench.plugins.registry import get_model, reset_default_registry
from bench.results import load_records

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bench-knn"
KNN_PARAMS = [
    {"name": "n_neighbors", "type": "int >= 1", "default": 5},
    {"name": "weights", "type": "'uniform' | 'distance'", "default": "distance"},
    {"name": "pca_components", "type": "int | None >= 1", "default": 50},
]


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory) -> Path:
    """The example's source, copied so that building it leaves nothing in the repository."""
    copy = tmp_path_factory.mktemp("example") / "bench-knn"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(
        "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache"))
    return copy


@pytest.fixture(scope="module")
def knn_site(example_copy, tmp_path_factory) -> Path:
    """A folder holding the installed plugin: its package and its ``.dist-info`` entry points."""
    target = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
               "--no-index", "--no-cache-dir", "--disable-pip-version-check", "--quiet",
               "--target", str(target), str(example_copy)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"pip install failed:\n{done.stdout}\n{done.stderr}"
    assert (target / "bench_knn" / "__init__.py").is_file()
    return target


@pytest.fixture
def knn_env(knn_site, monkeypatch, session_cache, tmp_path) -> Iterator[dict[str, str]]:
    """This process and its children see the installed plugin; returns the child environment."""
    path = os.pathsep.join(filter(None, [str(knn_site), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.syspath_prepend(str(knn_site))
    monkeypatch.setenv("BENCH_CACHE_DIR", str(session_cache))
    monkeypatch.delenv("BENCH_PLUGINS", raising=False)
    monkeypatch.delenv("BENCH_DISABLE_PLUGINS", raising=False)
    monkeypatch.chdir(tmp_path)  # nothing is picked up from (or written to) the repository
    reset_default_registry()
    yield dict(os.environ)
    reset_default_registry()
    sys.modules.pop("bench_knn", None)


def bench(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_list_shows_the_installed_plugin(knn_env):
    done = bench("list", env=knn_env)
    assert done.returncode == 0, done.stderr
    assert "knn  [instance-based, input flat, v1]" in done.stdout
    assert "pca_components: int | None >= 1 = 50" in done.stdout


def test_json_listing_has_its_parameters(knn_env):
    done = bench("list", "--format", "json", env=knn_env)
    assert done.returncode == 0, done.stderr
    (knn,) = [m for m in json.loads(done.stdout)["models"] if m["name"] == "knn"]
    assert knn["family"] == "instance-based" and knn["input"] == "flat"
    assert knn["source"] == "bench_knn:MODEL" and knn["distribution"] == "bench-knn 0.1.0"
    assert [{k: p[k] for k in ("name", "type", "default")} for p in knn["parameters"]] == KNN_PARAMS


def test_conformance_kit_passes(knn_env, knn_site):
    spec = get_model("knn")
    assert spec.source == "bench_knn:MODEL"
    assert Path(sys.modules["bench_knn"].__file__).parent == knn_site / "bench_knn"
    check_model(spec)


def test_example_own_tests_pass(knn_env, example_copy):
    """What a plugin author runs: ``pytest`` in the plugin's folder (one id per check)."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider"],
                          cwd=example_copy, capture_output=True, text=True, env=knn_env,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    passed = {line.split("::", 1)[1].strip() for line in done.stdout.splitlines()
              if line.startswith("PASSED ") and "::" in line}
    # the test imports MODEL itself, with no source (the registry fills that in), so the
    # import timing does not apply there: `bench check knn` runs it
    expected = {f"test_knn_conforms[knn-{check.__name__}]"
                for check, _ in iter_checks(get_model("knn")) if check is not check_import_time}
    assert expected | {"test_knn_conforms_without_pca"} <= passed, done.stdout[-3000:]


@pytest.mark.realdata
@pytest.mark.slow
def test_smoke_run_all_on_mnist(knn_env, data_dir, tmp_path):
    results = tmp_path / "results"
    done = bench("--data-dir", data_dir, "run-all", "--profile", "smoke", "--models", "knn",
                 "--datasets", "mnist", "--seed", "0", "--results-dir", str(results),
                 "--no-report", "--quiet", "--jobs", "1", env=knn_env, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (record,) = load_records(results)
    assert (record.status, record.model, record.dataset, record.seed) == ("ok", "knn", "mnist", 0)
    assert record.params == {p["name"]: p["default"] for p in KNN_PARAMS}
    assert (record.model_source, record.model_distribution) == ("bench_knn:MODEL",
                                                                "bench-knn 0.1.0")
    assert record.train_size == 2000 and record.test_size == 1000
    assert record.test_accuracy > 0.8, record.test_accuracy
