"""Hostile files in the data folder, the cache and downloads: refused with a reason, never hung,
never decompressed past the expected size, never claimed verified without a re-check."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import numpy as np
import pytest
from data_helpers import flip_byte, write_npz

from bench.cli import main
from bench.data import download, idx, load_dataset
from bench.data.cache import payload_path
from bench.data.sources import FileRef, read_payload
from bench.data.specs import FILENAMES
from bench.data.verify import check_file


def test_decompress_stops_at_the_expected_size():
    bomb = gzip.compress(bytes(5_000_000), mtime=0)  # 5 MB of zeros in a few kB
    assert len(bomb) < 10_000
    with pytest.raises(idx.IdxFormatError, match="more than the 1,000 bytes expected"):
        idx.decompress(bomb, gzipped=True, max_size=1_000)
    assert idx.decompress(gzip.compress(bytes(1_000)), True, max_size=1_000) == bytes(1_000)


def test_a_gzip_bomb_in_the_data_folder_is_refused(synth):
    path = synth.path("mnist", "train_images")
    path.write_bytes(gzip.compress(bytes(20_000_000), mtime=0))
    report, array = check_file(synth.specs["mnist"], FileRef("train_images", path))
    assert array is None and report.status == "corrupt"
    assert "decompresses to more than" in report.detail


def test_a_file_larger_than_any_payload_is_refused_unread(synth):
    path = synth.path("mnist", "train_labels")
    path.write_bytes(b"")
    with open(path, "r+b") as handle:
        handle.truncate(10_000_000)  # sparse
    report, _ = check_file(synth.specs["mnist"], FileRef("train_labels", path))
    assert report.status == "corrupt" and "refused unread" in report.detail


def test_an_npz_member_that_expands_too_far_is_refused(synth, tmp_path):
    arrays = dict(synth.arrays["mnist"])
    arrays["train_labels"] = np.zeros(5_000_000, dtype=np.uint8)
    path = write_npz(tmp_path / "mnist.npz", arrays)
    with pytest.raises(idx.IdxFormatError, match="expands to"):
        read_payload(FileRef("train_labels", path, "y_train"), "labels", max_size=1_000)


def test_a_fifo_in_the_data_folder_is_refused_not_hung(synth):
    path = synth.path("mnist", "train_images")
    path.unlink()
    os.mkfifo(path)
    report, _ = check_file(synth.specs["mnist"], FileRef("train_images", path))
    assert report.status == "corrupt" and "not a regular file" in report.detail


def test_data_verify_with_a_fifo_exits_promptly(tmp_path):
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    os.mkfifo(folder / f"{FILENAMES['train_images']}.gz")
    env = {**os.environ, "BENCH_CACHE_DIR": str(tmp_path / "cache"), "BENCH_OFFLINE": "1",
           "KERAS_HOME": str(tmp_path / "keras")}
    done = subprocess.run([sys.executable, "-m", "bench", "--data-dir", str(tmp_path / "data"),
                           "data", "verify", "--dataset", "mnist"], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 1 and "not a regular file" in done.stdout
    assert "Traceback" not in done.stderr


class FakeResponse:
    headers: dict = {}

    def __init__(self, chunks: int):
        self.chunks = chunks

    def read(self, size):
        if self.chunks == 0:
            return b""
        self.chunks -= 1
        return b"\0" * size

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_download_longer_than_expected_is_abandoned(tmp_path, monkeypatch):
    monkeypatch.setattr(download.urllib.request, "urlopen", lambda url, timeout: FakeResponse(50))
    with pytest.raises(download.MirrorError, match="more than the 4,096 bytes"):
        with download.downloaded("http://x/f.gz", tmp_path, "f.gz", False, max_bytes=4096):
            pass
    assert list(tmp_path.iterdir()) == []


def test_data_info_refuses_a_changed_cached_array(synth, capsys, monkeypatch):
    load_dataset("mnist", synth.data_dir)  # fills the cache
    assert main(["data", "info", "--dataset", "mnist"]) == 0
    assert "checksums: ok" in capsys.readouterr().out
    cached = payload_path(synth.specs["mnist"].files["train_images"].sha256)
    flip_byte(cached)  # same size and name: the stale stamp has it re-hashed, and refused
    with pytest.warns(UserWarning, match=f"the cached data file {cached} changed since"):
        assert main(["data", "info", "--dataset", "mnist"]) == 1
    out, err = capsys.readouterr()
    assert "checksums: ok" not in out and err.startswith("error: ")


def test_sigterm_stops_data_verify(synth, monkeypatch, capsys):
    import signal
    import threading
    import time

    from bench.data import verify

    real_check = verify.check_file

    def slow_check(spec, ref):
        time.sleep(0.3)
        return real_check(spec, ref)

    monkeypatch.setattr(verify, "check_file", slow_check)
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGTERM))
    started = time.monotonic()
    try:
        timer.start()
        code = main(["--data-dir", str(synth.data_dir), "data", "verify"])
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous)
    assert code == 130 and time.monotonic() - started < 5
    out, err = capsys.readouterr()
    assert "interrupted" in err and "all files ok" not in out
