"""The verified cache, content-addressed: each verified IDX payload is written atomically as
``<cache>/idx/<sha256>.idx``. Loads memory-map it, checked against its stamp ``.idx.ok`` (inode,
size, mtime and ctime when last hashed): a stale stamp re-hashes the payload once, and a changed
payload is refused, never served.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import warnings
from pathlib import Path

import numpy as np

from bench.data import idx
from bench.data.specs import DatasetSpec
from bench.errors import DataWarning
from bench.files import atomic_write, atomic_write_text, read_small_file
from bench.settings import get_settings

APP_NAME = "mnist-vs-fashion-bench"


def cache_dir() -> Path:
    """The harness cache folder: ``$BENCH_CACHE_DIR``, else the platform's user cache dir."""
    configured = get_settings().cache_dir
    if configured is not None:
        return configured
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def payloads_dir() -> Path:
    return cache_dir() / "idx"


def payload_path(digest: str) -> Path:
    return payloads_dir() / f"{digest}.idx"


def _payload(spec: DatasetSpec, role: str) -> Path | None:
    """The cached file of ``role`` if it is a regular file of the right size."""
    path = payload_path(spec.files[role].sha256)
    try:
        info = os.stat(path)
    except OSError:
        return None
    size = idx.payload_size(spec.files[role].kind, spec.count(role), spec.image_shape)
    # not so: a cut-short write of an older harness, or something else entirely
    return path if stat.S_ISREG(info.st_mode) and info.st_size == size else None


def is_cached(spec: DatasetSpec) -> bool:
    """Whether every payload of ``spec`` is in the cache (by name and size; nothing hashed)."""
    return all(_payload(spec, role) for role in spec.files)


def load_array(spec: DatasetSpec, role: str) -> np.ndarray | None:
    """The cached array of ``role`` (a read-only memory map), ``None`` if not cached (or changed)."""
    path = _payload(spec, role)
    if path is None or not _trusted(path, spec.files[role].sha256):
        return None
    kind, count = spec.files[role].kind, spec.count(role)
    shape = (count, *spec.image_shape) if kind == "images" else (count,)
    return np.asarray(np.memmap(path, np.uint8, "r", offset=idx.header_size(kind), shape=shape))


def _stamp(path: Path) -> tuple[Path, str]:
    """The stamp file of the payload at ``path`` and what it holds while the payload is unchanged."""
    info = os.stat(path)
    return path.with_name(path.name + ".ok"), (
        f"{info.st_ino} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns}\n")


def _trusted(path: Path, digest: str) -> bool:
    """Whether the payload at ``path`` still holds what its name says: by its stamp, else
    re-hashed (and stamped again)."""
    stamp, now = _stamp(path)
    with contextlib.suppress(OSError, ValueError):  # no stamp, or not one
        if read_small_file(stamp, 200).decode() == now:
            return True
    with open(path, "rb") as handle:
        if hashlib.file_digest(handle, "sha256").hexdigest() != digest:
            warnings.warn(f"the cached data file {path} changed since it was written; it is "
                          "not used (the data files or a download replace it).", DataWarning, 3)
            return False
    _write_stamp(path)
    return True


def _write_stamp(path: Path) -> None:
    with contextlib.suppress(OSError):  # without a stamp, the next load re-hashes the payload
        atomic_write_text(*_stamp(path))


def load(spec: DatasetSpec) -> dict[str, np.ndarray] | None:
    """The four cached arrays of ``spec``, or ``None`` unless all of them are cached."""
    arrays = {role: load_array(spec, role) for role in spec.files}
    return None if any(a is None for a in arrays.values()) else arrays


def store(spec: DatasetSpec, role: str, array: np.ndarray) -> Path:
    """Cache the verified ``array`` of ``role`` under its payload's SHA-256."""
    payload = idx.encode(np.asarray(array), spec.files[role].kind)
    path = payload_path(spec.files[role].sha256)
    atomic_write(path, lambda handle: handle.write(payload))
    _write_stamp(path)
    return path
