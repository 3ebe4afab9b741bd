"""Synthetic datasets for the runner tests, seen by every process a test starts.

The ``synthetic`` fixture writes tiny, learnable mnist and fashion-mnist IDX files (see
``tests/data_helpers.py``), installs their specs in this process (as the data tests do) and,
through ``tests/synthetic_site/sitecustomize.py``, in every Python process started from it:
pool workers, ``python -m bench`` and Dask workers. So the backends, the worker, fault
isolation, resume and the metrics are tested without ``BENCH_DATA_DIR``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from data_helpers import make_learnable_arrays, spec_for, write_dataset

from bench.data.specs import DATASETS, ROLES

TESTS = Path(__file__).resolve().parents[1]
SITE_DIR = TESTS / "synthetic_site"
PLUGINS_DIR = TESTS / "fixtures" / "plugins"
TEST_PLUGINS = ("faulty_plugins:CENTROIDS", "faulty_plugins:RAISES", "faulty_plugins:EXITS",
                "faulty_plugins:SLEEPS", "runner_plugins:SLOW_FIT", "runner_plugins:SLOW_START",
                "runner_plugins:BUILD_EXITS", "runner_plugins:SHOWS_SETTINGS")


@dataclass
class Synthetic:
    """A synthetic data folder, a results folder and the environment that sees them."""

    root: Path
    data_dir: Path
    results_dir: Path
    fit_log: Path
    arrays: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def bench(self, *args: str, timeout: float = 240, **popen) -> subprocess.CompletedProcess:
        """``python -m bench --data-dir DATA ARGS`` in a child process."""
        command = [sys.executable, "-m", "bench", "--data-dir", str(self.data_dir), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=dict(os.environ), **popen)

    def fits(self) -> list[str]:
        """One entry per ``fit`` of the slow test plugins, across all processes."""
        return sorted(p.name for p in self.fit_log.iterdir())


@pytest.fixture
def synthetic(tmp_path, monkeypatch) -> Synthetic:
    from bench.plugins.registry import reset_default_registry
    from bench.settings import set_settings

    result = Synthetic(tmp_path, tmp_path / "data", tmp_path / "results", tmp_path / "fits")
    result.fit_log.mkdir()
    entries = {}
    for seed, name in enumerate(("mnist", "fashion-mnist")):
        arrays = make_learnable_arrays(seed)
        write_dataset(result.data_dir / name, arrays)
        spec = spec_for(name, arrays)
        monkeypatch.setitem(DATASETS, name, spec)
        result.arrays[name] = arrays
        entries[name] = {"sha256": {role: spec.files[role].sha256 for role in ROLES},
                         "train_size": spec.train_size, "test_size": spec.test_size}
    specs_file = tmp_path / "synthetic-specs.json"
    specs_file.write_text(json.dumps(entries))

    monkeypatch.setenv("SYNTHETIC_DATASET_SPECS", str(specs_file))
    path = [str(SITE_DIR), str(PLUGINS_DIR), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, path)))
    monkeypatch.syspath_prepend(str(PLUGINS_DIR))
    monkeypatch.setenv("BENCH_PLUGINS", ",".join(TEST_PLUGINS))
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("BENCH_OFFLINE", "1")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("TEST_FIT_LOG", str(result.fit_log))
    monkeypatch.setenv("BENCH_DATA_DIR", str(result.data_dir))
    for var in ("BENCH_DISABLE_PLUGINS", "BENCH_PLUGINS_DIR",
                "BENCH_THREADS_PER_JOB"):
        monkeypatch.delenv(var, raising=False)
    reset_default_registry()
    set_settings(None)
    yield result
    reset_default_registry()
    set_settings(None)
