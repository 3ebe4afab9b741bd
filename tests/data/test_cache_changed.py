"""A cached payload changed in place, its size and mtime kept, is never served (issue 24)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from bench.data import DataWarning, load_dataset
from bench.data.cache import payload_path


def _change_in_place(path) -> None:
    """Flip the last byte through the same inode, then set the mtime back."""
    info = os.stat(path)
    with open(path, "r+b") as handle:
        handle.seek(-1, os.SEEK_END)
        last = handle.read(1)[0]
        handle.seek(-1, os.SEEK_END)
        handle.write(bytes([last ^ 0x01]))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        info.st_ino, info.st_size, info.st_mtime_ns)


def test_a_payload_changed_in_place_is_refused_and_replaced(synth):
    first = load_dataset("mnist", synth.data_dir)
    expected = np.array(first.x_train)
    cached = payload_path(synth.specs["mnist"].files["train_images"].sha256)
    _change_in_place(cached)
    with pytest.warns(DataWarning, match="changed since it was written"):
        again = load_dataset("mnist", synth.data_dir)
    np.testing.assert_array_equal(again.x_train, expected)  # rebuilt from the data files
    assert "cached at" in load_dataset("mnist", synth.data_dir).source  # and cached again


def test_a_warm_load_does_not_rehash(synth, monkeypatch):
    load_dataset("mnist", synth.data_dir)
    import hashlib

    monkeypatch.setattr(hashlib, "file_digest", lambda *a, **k: pytest.fail("re-hashed"))
    assert "cached at" in load_dataset("mnist", synth.data_dir).source
