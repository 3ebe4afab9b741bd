"""The verified cache, content-addressed: each IDX payload is kept as ``<cache>/idx/<sha256>.idx``.

A file is named by the SHA-256 of what it holds (as pooch names its files), and only a
verified payload is ever written, atomically, and a changed spec simply asks for other names.
Loads memory-map the payloads. A payload changed in place is never served: next to each one a
stamp (``<sha256>.idx.ok``) holds its inode, size and change time (``ctime``, which no one can
set back) when it was last hashed; a load whose stamp no longer matches re-hashes the payload
(once, ~0.1 s per 50 MB) and refuses it if its content changed. ``bench data verify`` re-hashes
on demand.
"""

from __future__ import annotations

import hashlib
import os
import stat
import warnings
from pathlib import Path

import numpy as np

from bench.data import idx
from bench.data.specs import DatasetSpec
from bench.errors import DataWarning
from bench.files import UntrustedFileError, atomic_write, atomic_write_text, read_small_file
from bench.settings import get_settings

APP_NAME = "mnist-vs-fashion-bench"


def cache_dir() -> Path:
    """The harness cache folder: the settings' (``$BENCH_CACHE_DIR``), else the platform's
    user cache dir."""
    configured = get_settings().cache_dir
    if configured is not None:
        return configured
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def payloads_dir() -> Path:
    """Where the verified payloads are kept."""
    return cache_dir() / "idx"


def payload_path(digest: str) -> Path:
    """The cached payload whose SHA-256 is ``digest``."""
    return payloads_dir() / f"{digest}.idx"


def _payload(spec: DatasetSpec, role: str) -> tuple[Path, os.stat_result] | None:
    """The cached file of ``role`` and its stat if it is a regular file of the right size."""
    path = payload_path(spec.files[role].sha256)
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size != idx.payload_size(
            spec.files[role].kind, spec.count(role), spec.image_shape):
        return None  # a cut-short write of an older harness, or something else entirely
    return path, info


def is_cached(spec: DatasetSpec) -> bool:
    """Whether every payload of ``spec`` is in the cache (by name and size; nothing hashed)."""
    return all(_payload(spec, role) for role in spec.files)


def load_array(spec: DatasetSpec, role: str) -> np.ndarray | None:
    """The cached array of ``role`` (a read-only memory map), ``None`` if not cached or
    changed since it was cached."""
    found = _payload(spec, role)
    if found is None or not _trusted(*found, spec.files[role].sha256):
        return None
    kind, count = spec.files[role].kind, spec.count(role)
    shape = (count, *spec.image_shape) if kind == "images" else (count,)
    return np.asarray(np.memmap(found[0], np.uint8, "r", offset=idx.header_size(kind),
                                shape=shape))


def _stamp(info: os.stat_result) -> str:
    return f"{info.st_ino} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns}\n"


def _trusted(path: Path, info: os.stat_result, digest: str) -> bool:
    """Whether the payload at ``path`` still holds what its name says: its stamp matches, or
    it is re-hashed (and re-stamped) when the stamp is missing or stale."""
    stamp = path.with_name(path.name + ".ok")
    try:
        if read_small_file(stamp, 200).decode() == _stamp(info):
            return True
    except (OSError, UntrustedFileError, UnicodeDecodeError):
        pass
    with open(path, "rb") as handle:
        if hashlib.file_digest(handle, "sha256").hexdigest() != digest:
            warnings.warn(f"the cached data file {path} changed since it was written (its "
                          "checksum no longer matches); it is not used and is replaced from "
                          "the data files or a download.", DataWarning, stacklevel=3)
            return False
    with_stamp(path)
    return True


def with_stamp(path: Path) -> None:
    """Stamp the verified payload at ``path`` (a stamp that cannot be written only costs a
    re-hash on the next load)."""
    try:
        atomic_write_text(path.with_name(path.name + ".ok"), _stamp(os.stat(path)))
    except OSError:
        pass


def load(spec: DatasetSpec) -> dict[str, np.ndarray] | None:
    """The four cached arrays of ``spec``, or ``None`` unless all of them are cached."""
    arrays = {role: load_array(spec, role) for role in spec.files}
    return None if any(a is None for a in arrays.values()) else arrays


def store(spec: DatasetSpec, role: str, array: np.ndarray) -> Path:
    """Cache the verified ``array`` of ``role`` under its payload's SHA-256."""
    payload = idx.encode(np.asarray(array), spec.files[role].kind)
    path = payload_path(spec.files[role].sha256)
    atomic_write(path, lambda handle: handle.write(payload))
    with_stamp(path)
    return path
