"""Plugin folders (--plugins-dir / BENCH_PLUGINS_DIR) and warnings printed once per command."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from bench.cli import main
from bench.plugins.registry import PluginWarning, Registry, discover, folder_candidates
from bench.settings import Settings

PLUGINS = Path(__file__).resolve().parent.parent / "fixtures" / "plugins"
DUPLICATE = '''from bench.models.keras_mlp import KerasMLP
from bench.plugins import ModelSpec

MODEL = ModelSpec(name="keras-mlp", description="a copy", family="x", input_kind="flat",
                  version="9", estimator=KerasMLP, trains_in_epochs=True)
'''


def plugin_folder(tmp_path: Path, *files: str, extra: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "my-plugins"
    folder.mkdir()
    for name in files:
        shutil.copy(PLUGINS / name, folder / name)
    for name, text in (extra or {}).items():
        (folder / name).write_text(text)
    return folder


def bench(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()  # (Keras tests set TF_CPP_MIN_LOG_LEVEL)
               if not k.startswith("BENCH_PLUGINS") and k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True,
                          env={**environ, **env}, timeout=300, cwd=cwd)


def test_a_folder_plugin_works_without_packaging(tmp_path):
    folder = plugin_folder(tmp_path, "good_plugin.py")
    done = bench("--plugins-dir", str(folder), "list", "test-nearest-mean")
    assert done.returncode == 0, done.stderr
    assert "metric: 'sq' | 'abs' = 'sq'" in done.stdout
    assert f"source: {folder / 'good_plugin.py'}" in done.stdout
    done = bench("list", BENCH_PLUGINS_DIR=str(folder))
    assert done.returncode == 0 and "test-nearest-mean" in done.stdout


def test_a_clash_with_a_builtin_lists_the_builtin_and_warns_once(tmp_path):
    folder = plugin_folder(tmp_path, "good_plugin.py", "exiting_plugin.py",
                           extra={"copy_of_mlp.py": DUPLICATE})
    done = bench("--plugins-dir", str(folder), "list")
    assert done.returncode == 0, done.stderr
    assert "keras-mlp  [neural network, input flat, v1]" in done.stdout  # the built-in
    assert "test-nearest-mean" in done.stdout
    lines = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 2, done.stderr
    clash = next(line for line in lines if "named 'keras-mlp'" in line)
    assert "BENCH_DISABLE_PLUGINS=bench.models.keras_mlp:MODEL" in clash
    assert f"BENCH_DISABLE_PLUGINS={folder / 'copy_of_mlp.py'}" in clash
    exiting = next(line for line in lines if "exiting_plugin" in line)
    assert "SystemExit" in exiting and "Traceback" not in done.stderr
    # the user chooses the other one by disabling the built-in by its source
    done = bench("--plugins-dir", str(folder), "list",
                 BENCH_DISABLE_PLUGINS=f"bench.models.keras_mlp:MODEL,{folder / 'exiting_plugin.py'}")
    assert done.returncode == 0 and "keras-mlp  [x, input flat, v9]" in done.stdout
    assert "warning:" not in done.stderr


def test_a_missing_folder_warns(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert folder_candidates(tmp_path / "nope") == []
    assert "is not a folder" in str(caught[0].message)


def _load_in_child(folder: str, queue) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems = Registry().load_candidates(discover(Settings(plugins_dir=Path(folder))), set())
    queue.put((len(problems), len(caught)))


def test_worker_processes_do_not_repeat_the_warning(tmp_path):
    folder = plugin_folder(tmp_path, "exiting_plugin.py")
    registry = Registry()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        registry.load_candidates(discover(Settings(plugins_dir=folder)), set())
    assert [w.category for w in caught] == [PluginWarning]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_load_in_child, args=(str(folder), queue))
    child.start()
    problems, shown = queue.get(timeout=120)
    child.join(60)
    assert (problems, shown) == (1, 0)  # found the problem, stayed quiet


def test_plugins_dir_flag_reaches_the_registry(tmp_path, capsys):
    from bench.plugins.registry import reset_default_registry
    from bench.settings import set_settings

    folder = plugin_folder(tmp_path, "good_plugin.py")
    try:
        assert main(["--plugins-dir", str(folder), "list"]) == 0
        assert "test-nearest-mean" in capsys.readouterr().out
    finally:
        set_settings(None)
        reset_default_registry()


@pytest.mark.realdata
def test_a_folder_plugin_runs_in_a_worker_and_its_record_names_the_file(tmp_path, data_dir):
    folder = plugin_folder(tmp_path, "good_plugin.py")
    results = tmp_path / "results"
    done = bench("--data-dir", data_dir, "--plugins-dir", str(folder), "run", "--model",
                 "test-nearest-mean", "--dataset", "mnist", "--profile", "smoke",
                 "--results-dir", str(results), "--quiet", "--set", "metric=abs")
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = (results / "runs").glob("*.json")
    record = json.loads(path.read_text())
    assert record["status"] == "ok" and record["params"] == {"temperature": 1.0, "metric": "abs"}
    assert record["model_source"] == str(folder / "good_plugin.py")
    assert record["model_distribution"] is None  # a plugin file belongs to no package
    assert record["test_accuracy"] > 0.5
