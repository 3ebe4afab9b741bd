"""The verified cache: decompressed arrays as ``.npy`` files plus a JSON manifest.

Layout: ``<cache>/<dataset>/<role>.npy`` and ``<cache>/<dataset>/manifest.json``; downloads go
to ``<cache>/downloads/<dataset>/``. Only verified arrays are written. The manifest records the
expected checksums the arrays were verified against (a changed spec invalidates the cache), the
size and mtime of each ``.npy`` file (the cheap check done on every load) and those of the
original files (so a load from ``--data-dir`` can reuse the cache without re-hashing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.data.sources import FileRef
from bench.data.specs import DatasetSpec
from bench.files import atomic_write
from bench.settings import get_settings

APP_NAME = "mnist-vs-fashion-bench"
MANIFEST = "manifest.json"
FORMAT = 1


def cache_dir() -> Path:
    """The harness cache folder: the settings' (``$BENCH_CACHE_DIR``), else the platform's
    user cache dir."""
    configured = get_settings().cache_dir
    if configured is not None:
        return configured
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def dataset_dir(name: str) -> Path:
    """Where the verified arrays of dataset ``name`` are cached."""
    return cache_dir() / name


def downloads_dir(name: str) -> Path:
    """Where files downloaded for dataset ``name`` are kept."""
    return cache_dir() / "downloads" / name


@dataclass(frozen=True, eq=False)
class CacheHit:
    """Arrays served from the cache, with the description of their original source."""

    arrays: dict[str, np.ndarray]
    source: str
    path: Path


def _stamp(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def origin_stamps(refs: Mapping[str, FileRef]) -> dict[str, dict] | None:
    """Path, size and mtime of the original files, or ``None`` if one cannot be read."""
    try:
        return {
            role: {"path": str(ref.path.absolute()), "member": ref.member, **_stamp(ref.path)}
            for role, ref in sorted(refs.items())
        }
    except OSError:
        return None


def read_manifest(name: str) -> dict | None:
    """The manifest of dataset ``name``, or ``None`` if absent or unreadable."""
    try:
        manifest = json.loads((dataset_dir(name) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _valid_manifest(spec: DatasetSpec) -> dict | None:
    manifest = read_manifest(spec.name)
    if (
        manifest is None
        or manifest.get("format") != FORMAT
        or manifest.get("checksums") != spec.checksums()
        or set(manifest.get("arrays", {})) != set(spec.files)
    ):
        return None
    return manifest


def cached_refs(spec: DatasetSpec) -> dict[str, FileRef] | None:
    """Refs to the cached ``.npy`` files (for a full re-check), or ``None`` if not cached."""
    manifest = _valid_manifest(spec)
    if manifest is None:
        return None
    folder = dataset_dir(spec.name)
    return {role: FileRef(role, folder / e["file"]) for role, e in manifest["arrays"].items()}


def cached_source(spec: DatasetSpec) -> str | None:
    """The original source recorded in the manifest, or ``None`` if not cached."""
    manifest = _valid_manifest(spec)
    return None if manifest is None else str(manifest.get("source", "unknown source"))


def load(spec: DatasetSpec, origin: Mapping[str, FileRef] | None = None) -> CacheHit | None:
    """The cached arrays (read-only memory maps) if the cheap checks pass, else ``None``.

    Checks the manifest's checksums against the spec and the size and mtime of every ``.npy``
    file; with ``origin``, also that those files are the ones the cache was built from.
    """
    manifest = _valid_manifest(spec)
    if manifest is None:
        return None
    if origin is not None:
        stamps = origin_stamps(origin)
        if stamps is None or manifest.get("origin") != stamps:
            return None
    folder = dataset_dir(spec.name)
    arrays = {}
    for role, entry in manifest["arrays"].items():
        path = folder / entry["file"]
        try:
            if _stamp(path) != {"size": entry["size"], "mtime_ns": entry["mtime_ns"]}:
                return None
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError, KeyError):
            return None
        expected = (
            (spec.count(role), *spec.image_shape)
            if role.endswith("images")
            else (spec.count(role),)
        )
        if array.dtype != np.uint8 or array.shape != expected:
            return None
        arrays[role] = np.asarray(array)
    return CacheHit(arrays, str(manifest.get("source", "unknown source")), folder)


def store(
    spec: DatasetSpec,
    arrays: Mapping[str, np.ndarray],
    source: str,
    origin: Mapping[str, FileRef] | None = None,
) -> Path:
    """Cache verified ``arrays``; the manifest, written last, makes the new entry valid."""
    folder = dataset_dir(spec.name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    entries = {}
    for role in spec.files:
        path = folder / f"{role}.npy"
        atomic_write(path, lambda fh, a=arrays[role]: np.save(fh, a, allow_pickle=False))
        entries[role] = {"file": path.name, "shape": list(arrays[role].shape), **_stamp(path)}
    manifest = {
        "format": FORMAT,
        "dataset": spec.name,
        "checksums": spec.checksums(),
        "source": source,
        "origin": origin_stamps(origin) if origin is not None else None,
        "arrays": entries,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    text = json.dumps(manifest, indent=2, sort_keys=True).encode()
    atomic_write(folder / MANIFEST, lambda fh: fh.write(text))
    return folder
