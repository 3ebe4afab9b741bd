"""``bench new-model``, installed the way an author would, in a fresh virtual environment.

The environment has its own ``site-packages`` holding only this project (installed from a copy,
not in editable mode) and the new plugin; the third-party dependencies come from the running
interpreter's ``site-packages`` through a ``.pth`` line, so nothing is downloaded.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from bench.errors import UsageError
from bench.plugins.scaffold import new_model

ROOT = Path(__file__).resolve().parents[2]
PIP = ("-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
       "--no-cache-dir", "--disable-pip-version-check", "--quiet")


def run(*command, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    return done


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory) -> tuple[Path, Path]:
    """(python of a fresh venv with only this project installed, a scratch folder)."""
    base = tmp_path_factory.mktemp("fresh")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                  cwd=base).stdout.strip()
    deps = Path(numpy.__file__).resolve().parents[1]
    (Path(purelib) / "_deps.pth").write_text(f"{deps}\n")
    project = base / "project"
    project.mkdir()
    for name in ("bench", "models"):
        shutil.copytree(ROOT / name, project / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    done = run(python, *PIP, str(project), cwd=base)
    assert done.returncode == 0, done.stdout + done.stderr
    scratch = base / "scratch"
    scratch.mkdir()
    return python, scratch


@pytest.mark.slow
def test_nothing_named_models_is_installed(fresh_env):
    python, scratch = fresh_env
    done = run(python, "-c", "import models", cwd=scratch)
    assert done.returncode != 0 and "No module named 'models'" in done.stderr
    done = run(python, "-c", "import bench.models.keras_mlp as m, sys; "
               "print(m.MODEL.name, 'tensorflow' in sys.modules)", cwd=scratch)
    assert done.stdout.split() == ["keras-mlp", "False"], done.stderr


@pytest.mark.slow
def test_new_model_installs_and_passes_bench_check(fresh_env):
    python, scratch = fresh_env
    done = run(python, "-m", "bench", "new-model", "demo", cwd=scratch)
    assert done.returncode == 0, done.stderr
    done = run(python, *PIP, "-e", "./demo", cwd=scratch)
    assert done.returncode == 0, done.stdout + done.stderr
    done = run(python, "-m", "bench", "check", "demo", cwd=scratch)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "11 of 11 checks passed" in done.stdout
    done = run(python, "-m", "bench", "list", "--format", "json", cwd=scratch)
    assert '"distribution": "bench-demo 0.1.0"' in done.stdout
    # the skeleton's own test runs the same kit under pytest, on MODEL as it imports it: no
    # source, so no import timing (bench check times it); no epochs, so no history check
    done = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=scratch / "demo")
    assert done.returncode == 0 and "10 passed" in done.stdout, done.stdout[-2000:]


def test_keras_skeleton_declares_a_model_trained_in_epochs(tmp_path, monkeypatch):
    import importlib

    folder = new_model("my-net", tmp_path, keras=True)
    monkeypatch.syspath_prepend(str(folder / "src"))
    module = importlib.import_module("bench_my_net")
    spec = module.MODEL
    spec.validate()
    assert spec.trains_in_epochs and spec.defaults["epochs"] == 5
    assert 'my-net = "bench_my_net:MODEL"' in (folder / "pyproject.toml").read_text()
    sys.modules.pop("bench_my_net", None)


@pytest.mark.parametrize("name", ["Demo", "my_model", "1x", "a.b", "-x", "a--b"])
def test_bad_names_are_refused(name, tmp_path):
    with pytest.raises(UsageError, match="bad model name"):
        new_model(name, tmp_path)


def test_an_existing_folder_is_not_overwritten(tmp_path):
    (tmp_path / "demo").mkdir()
    with pytest.raises(UsageError, match="already exists"):
        new_model("demo", tmp_path)


def test_the_plugins_guide_shows_exactly_the_generated_module(tmp_path):
    guide = (ROOT / "docs" / "plugins.md").read_text()
    section = guide[guide.index("## The full class form"):]
    block = section[section.index("```python\n") + len("```python\n"):]
    block = block[:block.index("```\n")]
    assert "`bench new-model my-model` writes exactly this" in section
    folder = new_model("my-model", tmp_path)
    assert block == (folder / "src" / "bench_my_model" / "__init__.py").read_text()
