"""The verified cache, content-addressed: each IDX payload is kept as ``<cache>/idx/<sha256>.idx``.

A file is named by the SHA-256 of what it holds (as pooch names its files), and only a
verified payload is ever written, atomically: a hit is valid by its name, with no manifest or
stamps to keep in sync, and a changed spec simply asks for other names. Loads memory-map
the payloads; ``bench data verify`` re-hashes them on demand.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np

from bench.data import idx
from bench.data.specs import DatasetSpec
from bench.files import atomic_write
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


def load_array(spec: DatasetSpec, role: str) -> np.ndarray | None:
    """The cached array of ``role`` (a read-only memory map), ``None`` if not cached."""
    kind, count = spec.files[role].kind, spec.count(role)
    path = payload_path(spec.files[role].sha256)
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size != idx.payload_size(
            kind, count, spec.image_shape):
        return None  # a cut-short write of an older harness, or something else entirely
    shape = (count, *spec.image_shape) if kind == "images" else (count,)
    return np.asarray(np.memmap(path, np.uint8, "r", offset=idx.header_size(kind), shape=shape))


def load(spec: DatasetSpec) -> dict[str, np.ndarray] | None:
    """The four cached arrays of ``spec``, or ``None`` unless all of them are cached."""
    arrays = {role: load_array(spec, role) for role in spec.files}
    return None if any(a is None for a in arrays.values()) else arrays


def store(spec: DatasetSpec, role: str, array: np.ndarray) -> Path:
    """Cache the verified ``array`` of ``role`` under its payload's SHA-256."""
    payload = idx.encode(np.asarray(array), spec.files[role].kind)
    path = payload_path(spec.files[role].sha256)
    atomic_write(path, lambda handle: handle.write(payload))
    return path
