"""Places that can hold dataset files, and how to read their payloads.

The kinds of place: ``--data-dir`` / ``$BENCH_DATA_DIR`` (``<dir>/<dataset>/``), the harness
cache of verified ``.npy`` arrays (``bench.data.cache``), files downloaded earlier into it,
well-known system installs (``/usr/share/datasets/<dataset>``) and Keras' cache
(``$KERAS_HOME/datasets``, default ``~/.keras/datasets``: ``fashion-mnist/*.gz``, ``mnist.npz``).
The order they are tried in is ``bench.data.loader.local_sources``.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.data import idx
from bench.data.specs import NPZ_KEYS, DatasetSpec
from bench.settings import get_settings

SYSTEM_DATA_DIRS: tuple[Path, ...] = (Path("/usr/share/datasets"),)


@dataclass(frozen=True)
class FileRef:
    """Where one role's payload is read from: an IDX file (raw or ``.gz``), an npz member or
    a cached ``.npy`` array."""

    role: str
    path: Path
    member: str | None = None

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    def __str__(self) -> str:
        return f"{self.path}[{self.member}]" if self.member else str(self.path)


@dataclass(frozen=True)
class Source:
    """A place that may hold a dataset: a folder of IDX files and/or a Keras-style npz."""

    kind: str  # "data-dir", "cache", "downloads", "system", "keras", "import"
    folder: Path | None = None
    npz: Path | None = None

    def __str__(self) -> str:
        if self.folder is not None and (self.npz is None or self.folder.is_dir()):
            return str(self.folder)
        return str(self.npz)


def data_dir_setting(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The data folder given as argument, else the settings' (``--data-dir`` /
    ``$BENCH_DATA_DIR``), else ``None``."""
    if data_dir not in (None, ""):
        return Path(data_dir).expanduser()
    return get_settings().data_dir


def keras_datasets_dir() -> Path:
    """Keras' download folder: ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``)."""
    home = get_settings().keras_home or Path.home() / ".keras"
    return Path(home).expanduser() / "datasets"


def _idx_path(folder: Path, filename: str) -> Path:
    """The raw file if present (no decompression needed), else the ``.gz`` one."""
    raw = folder / filename
    return raw if raw.is_file() else folder / f"{filename}.gz"


def find_files(spec: DatasetSpec, source: Source) -> dict[str, FileRef] | None:
    """The four file refs of ``spec`` in ``source``, or ``None`` if it holds none of them.

    A folder with some but not all files still returns refs (the absent ones are "missing").
    """
    if source.folder is not None and source.folder.is_dir():
        refs = {
            role: FileRef(role, _idx_path(source.folder, f.filename))
            for role, f in spec.files.items()
        }
        if any(ref.exists for ref in refs.values()):
            return refs
    if source.npz is not None and source.npz.is_file():
        return {role: FileRef(role, source.npz, NPZ_KEYS[role]) for role in spec.files}
    return None


def read_payload(ref: FileRef, kind: str) -> bytes:
    """The IDX payload behind ``ref``; npz and npy arrays are re-encoded as IDX bytes.

    Raises ``FileNotFoundError`` or ``idx.IdxFormatError``.
    """
    if ref.path.suffix == ".npy":
        return idx.encode(_load_array(ref.path, None), kind)
    if ref.member is not None:
        return idx.encode(_load_array(ref.path, ref.member), kind)
    return idx.decompress(ref.path.read_bytes(), gzipped=ref.path.suffix == ".gz")


def _load_array(path: Path, member: str | None) -> np.ndarray:
    """One array from an ``.npy`` file or an ``.npz`` member (``IdxFormatError`` on failure)."""
    if not path.is_file():
        raise FileNotFoundError(path)
    try:
        if member is None:
            return np.load(path, mmap_mode="r", allow_pickle=False)
        with np.load(path, allow_pickle=False) as archive:
            names = archive.files
            array = archive[member] if member in names else None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise idx.IdxFormatError(f"unreadable array file ({exc})") from None
    if array is None:
        raise idx.IdxFormatError(f"no array {member!r} in the archive (has {', '.join(names)})")
    return array
