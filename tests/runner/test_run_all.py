"""End to end: the smoke plan (4 models x 2 datasets x 3 seeds) on the real data."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.results import load_records

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
BUILTINS = {"keras-mlp", "logistic-regression", "random-forest", "small-cnn"}


def bench(*args: str, data_dir: str, timeout: float = 900, **popen) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "bench", "--data-dir", data_dir, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **popen)


def assert_complete_smoke_set(results: Path) -> list:
    files = sorted((results / "runs").iterdir())
    assert [f for f in files if f.suffix != ".json"] == []
    records = load_records(results)
    assert len(records) == 24 and len({r.key for r in records}) == 24
    assert {r.status for r in records} == {"ok"}
    assert {r.model for r in records} == BUILTINS
    assert {(r.dataset, r.seed) for r in records} == {
        (d, s) for d in ("mnist", "fashion-mnist") for s in (0, 1, 2)}
    return records


@pytest.fixture(scope="module")
def smoke_run(data_dir, tmp_path_factory):
    """One smoke run-all into a fresh store, shared by the tests below."""
    root = tmp_path_factory.mktemp("smoke")
    env = {**os.environ, "BENCH_CACHE_DIR": str(root / "cache")}
    started = time.monotonic()
    done = bench("run-all", "--profile", "smoke", "--results-dir", str(root / "results"),
                 "--reports-dir", str(root / "reports"), data_dir=data_dir, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return root, env, done, time.monotonic() - started


def test_smoke_run_all_gives_24_ok_results_with_full_records(smoke_run):
    root, _, done, _ = smoke_run
    records = assert_complete_smoke_set(root / "results")
    assert "24 jobs: 24 ok (24 run, 0 cached)" in done.stdout
    for record in records:
        assert record.train_size == 2000 and record.test_size == 1000
        assert len(record.test_predictions) == 1000
        assert sum(map(sum, record.confusion_matrix)) == 1000
        assert 0.3 < record.test_accuracy <= 1 and record.fit_seconds > 0
        assert record.provenance["packages"]["numpy"] and record.peak_memory_mb > 0
    neural = [r for r in records if r.model in ("keras-mlp", "small-cnn")]
    assert all(r.params["epochs"] == 1 and len(r.history["test_loss"]) == 1 for r in neural)
    info = json.loads((root / "results" / "run-info-smoke.json").read_text())
    assert info["profile"] == "smoke" and info["seeds"] == [0, 1, 2]


def test_cached_rerun_trains_nothing_and_imports_no_framework(smoke_run, data_dir):
    root, env, _, first_seconds = smoke_run
    before = {p.name: p.stat().st_mtime_ns for p in (root / "results" / "runs").iterdir()}
    code = ("import sys, bench.data, bench.data.loader as loader\n"
            "def refuse(*a, **k): raise AssertionError('a dataset was loaded')\n"
            "bench.data.load_dataset = loader.load_dataset = refuse\n"
            "from bench.api import run_all, ExecutionConfig\n"
            "from bench.settings import Settings, use_settings\n"
            f"with use_settings(Settings.from_environ(data_dir={data_dir!r})):\n"
            f"    s = run_all(profile='smoke', results_dir={str(root / 'results')!r}, "
            "reports_dir=None, config=ExecutionConfig(quiet=True))\n"
            "print(s.executed, s.cached, 'tensorflow' in sys.modules)")  # sklearn.base is
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120, check=True).stdout.split()
    assert out == ["0", "24", "False"]
    again = bench("run-all", "--profile", "smoke", "--results-dir", str(root / "results"),
                  "--reports-dir", str(root / "reports"), data_dir=data_dir, env=env)
    assert again.returncode == 0 and "(0 run, 24 cached)" in again.stdout
    after = {p.name: p.stat().st_mtime_ns for p in (root / "results" / "runs").iterdir()}
    assert after == before


def test_sigkill_half_way_then_rerun_completes_the_set(data_dir, tmp_path):
    results = tmp_path / "results"
    env = {**os.environ, "BENCH_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "bench", "--data-dir", data_dir, "run-all", "--profile",
               "smoke", "--results-dir", str(results), "--no-report", "--quiet"]
    process = subprocess.Popen(command, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        if len(list((results / "runs").glob("*.json"))) >= 8:
            break
        time.sleep(0.2)
    assert process.poll() is None, "the run finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = len(list((results / "runs").glob("*.json")))
    assert 8 <= killed_at < 24
    done = bench("run-all", "--profile", "smoke", "--results-dir", str(results), "--no-report",
                 data_dir=data_dir, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"({24 - killed_at} run, {killed_at} cached)" in done.stdout
    assert_complete_smoke_set(results)


def test_dask_cluster_gives_the_same_accuracies(smoke_run, data_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    root, env, _, _ = smoke_run
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, processes=True) as cluster:
        done = bench("run-all", "--profile", "smoke", "--results-dir", str(tmp_path / "r"),
                     "--no-report", "--backend", "dask", "--scheduler",
                     cluster.scheduler_address, data_dir=data_dir, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    local = {r.key: r for r in load_records(root / "results")}
    remote = {r.key: r for r in assert_complete_smoke_set(tmp_path / "r")}
    assert local.keys() == remote.keys()
    for key, record in remote.items():
        assert record.test_accuracy == local[key].test_accuracy, key
        assert record.test_predictions == local[key].test_predictions, key
