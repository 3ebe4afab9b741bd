"""Fault isolation: a raising, a crashing and a hanging plugin next to a good one."""

import subprocess
import sys

import pytest

from bench.api import ExecutionConfig, run_all
from bench.results import load_records
from bench.settings import Settings, use_settings

pytestmark = pytest.mark.realdata

PLUGINS = ("faulty_plugins:CENTROIDS", "faulty_plugins:RAISES", "faulty_plugins:EXITS",
           "faulty_plugins:SLEEPS")
MODELS = ["test-centroids", "test-raises", "test-exits", "test-sleeps"]


def test_each_failure_gets_its_status_and_the_others_complete(plugin_env, data_dir, tmp_path):
    plugin_env(*PLUGINS)
    command = [sys.executable, "-m", "bench", "--data-dir", data_dir, "run-all", "--profile",
               "smoke", "--models", *MODELS, "--datasets", "mnist", "fashion-mnist",
               "--seed", "0", "--timeout", "20", "--jobs", "2", "--results-dir",
               str(tmp_path / "results"), "--no-report"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    statuses = {(r.model, r.dataset): r.status for r in load_records(tmp_path / "results")}
    for dataset in ("mnist", "fashion-mnist"):
        assert statuses[("test-centroids", dataset)] == "ok"
        assert statuses[("test-raises", dataset)] == "failed"
        assert statuses[("test-exits", dataset)] == "crashed"
        assert statuses[("test-sleeps", dataset)] == "timeout"
    records = {r.model: r for r in load_records(tmp_path / "results")}
    assert "this plugin always fails in fit" in records["test-raises"].error
    assert "RuntimeError" in records["test-raises"].traceback
    assert "exit code 3" in records["test-exits"].error
    assert "--timeout 20" in records["test-sleeps"].error
    assert "4 ok" not in done.stdout and "2 ok, 2 failed, 2 timeout, 2 crashed" in done.stdout


def test_failed_jobs_are_retried_and_ok_jobs_cached(plugin_env, data_dir, tmp_path):
    plugin_env(*PLUGINS)
    kwargs = dict(models=["test-centroids", "test-raises"], datasets=["mnist"], seeds=[0],
                  profile="smoke", results_dir=tmp_path, reports_dir=None,
                  config=ExecutionConfig(quiet=True))
    with use_settings(Settings.from_environ(data_dir=data_dir)):
        first = run_all(**kwargs)
        assert first.executed == 2 and first.counts["failed"] == 1
        second = run_all(**kwargs)
        assert second.executed == 1 and second.cached == 1
        forced = run_all(**{**kwargs, "config": ExecutionConfig(quiet=True, force=True)})
    assert forced.executed == 2
