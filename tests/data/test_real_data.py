"""Integration tests on the real datasets (``$BENCH_DATA_DIR``, normally ``../shared/data``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from data_helpers import flip_byte

import bench.cli
from bench.data import load_dataset

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parents[2]


def test_cli_verify_exits_0(real_data_dir, capsys, monkeypatch):
    code = bench.cli.main(["--data-dir", str(real_data_dir), "data", "verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("\nok ") + out.startswith("ok ") == 8


def test_mnist_facts(real_data_dir):
    mnist = load_dataset("mnist", real_data_dir)
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_test.shape == (10000, 28, 28)
    assert mnist.y_train.shape == (60000,) and mnist.y_test.shape == (10000,)
    assert {a.dtype for a in (mnist.x_train, mnist.y_train, mnist.x_test, mnist.y_test)} == {
        np.dtype(np.uint8)
    }
    assert np.bincount(mnist.y_train).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949
    ]  # fmt: skip
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.x_train.max() == 255  # unscaled


def test_fashion_facts(real_data_dir):
    fashion = load_dataset("fashion-mnist", real_data_dir)
    assert fashion.x_train.shape == (60000, 28, 28) and fashion.x_test.shape == (10000, 28, 28)
    assert fashion.x_train.dtype == np.uint8 and fashion.y_test.dtype == np.uint8
    assert np.bincount(fashion.y_train).tolist() == [6000] * 10
    assert np.bincount(fashion.y_test).tolist() == [1000] * 10
    assert fashion.y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert round(float(fashion.x_train.mean()), 2) == 72.94
    assert fashion.class_names[9] == "Ankle boot"
    # the warm load (from the cache) returns the same data
    again = load_dataset("fashion-mnist", real_data_dir)
    assert "cached at" in again.source and np.array_equal(again.x_test, fashion.x_test)


def _cli_command() -> list[str]:
    return [sys.executable, "-m", "bench"]


def test_flipped_payload_byte_fails_verify_without_traceback(real_data_dir, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(real_data_dir / "mnist", data_dir / "mnist")
    labels = data_dir / "mnist" / "t10k-labels-idx1-ubyte.gz"
    labels.chmod(0o644)
    flip_byte(labels)  # decompress, flip the last label byte, re-gzip
    env = dict(os.environ, BENCH_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [*_cli_command(), "data", "verify", "--dataset", "mnist"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{labels}: checksum mismatch" in result.stderr
