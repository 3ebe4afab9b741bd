"""Places that can hold dataset files (``bench.data.loader.local_sources`` lists them in order),
and how to read their payloads."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.data import idx
from bench.data.specs import NPZ_KEYS, DatasetSpec
from bench.errors import DataError
from bench.files import UntrustedFileError, read_small_file
from bench.settings import get_settings

SYSTEM_DATA_DIRS: tuple[Path, ...] = (Path("/usr/share/datasets"),)
#: No payload is larger (60,000 images of 28x28 are 47 MB); nothing bigger is ever read.
MAX_PAYLOAD = 64 * 1024 * 1024


@dataclass(frozen=True)
class FileRef:
    """Where one role's payload is read from: an IDX file (raw or ``.gz``) or an npz member."""

    role: str
    path: Path
    member: str | None = None

    @property
    def exists(self) -> bool:
        """Something is there (a FIFO or device too: reading it is refused, not hung)."""
        return self.path.exists()

    def __str__(self) -> str:
        return f"{self.path}[{self.member}]" if self.member else str(self.path)


@dataclass(frozen=True)
class Source:
    """A place that may hold a dataset: a folder of IDX files and/or a Keras-style npz."""

    kind: str  # "data-dir", "cache", "system", "keras", "import"
    folder: Path | None = None
    npz: Path | None = None

    def __str__(self) -> str:
        if self.folder is not None and (self.npz is None or self.folder.is_dir()):
            return str(self.folder)
        return str(self.npz)


def require_data_dir(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The data folder given, else the settings' (``--data-dir``), else ``None``; one that does
    not exist is a ``DataError`` (most likely a typo)."""
    root = Path(data_dir).expanduser() if data_dir not in (None, "") else get_settings().data_dir
    if root is not None and not root.is_dir():
        raise DataError(f"data folder {root} (from --data-dir or BENCH_DATA_DIR) does not exist; "
                        "it should hold mnist/ and fashion-mnist/ with the IDX files. Nothing was "
                        "done; fix the path, or unset it to use the cache or a download.")
    return root


def keras_datasets_dir() -> Path:
    """Keras' download folder: ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``)."""
    home = get_settings().keras_home or Path.home() / ".keras"
    return Path(home).expanduser() / "datasets"


def _idx_path(folder: Path, filename: str) -> Path:
    """The raw file if present (no decompression needed), else the ``.gz`` one."""
    raw = folder / filename
    return raw if raw.exists() else folder / f"{filename}.gz"


def find_files(spec: DatasetSpec, source: Source) -> dict[str, FileRef] | None:
    """The four file refs of ``spec`` in ``source`` (some perhaps missing), or ``None`` if it
    holds none of them."""
    if source.folder is not None and source.folder.is_dir():
        refs = {role: FileRef(role, _idx_path(source.folder, f.filename))
                for role, f in spec.files.items()}
        if any(ref.exists for ref in refs.values()):
            return refs
    if source.npz is not None and source.npz.is_file():
        return {role: FileRef(role, source.npz, NPZ_KEYS[role]) for role in spec.files}
    return None


def read_payload(ref: FileRef, kind: str, max_size: int = MAX_PAYLOAD) -> bytes:
    """The IDX payload behind ``ref`` (npz arrays re-encoded), reading or decompressing nothing
    larger than ``max_size``; ``FileNotFoundError`` or ``idx.IdxFormatError``."""
    if ref.member is not None:
        array = _load_member(ref.path, ref.member, max_size)
        if array.nbytes > max_size:
            raise idx.IdxFormatError(f"array of {array.nbytes:,} bytes, more than the "
                                     f"{max_size:,} expected")
        return idx.encode(array, kind)
    slack = max_size // 100 + 4096  # gzip of incompressible bytes is slightly larger
    data = _read(ref.path, max_size + slack)
    return idx.decompress(data, gzipped=ref.path.suffix == ".gz", max_size=max_size)


def _read(path: Path, max_bytes: int) -> bytes:
    """``read_small_file`` with the IDX reader's error."""
    try:
        return read_small_file(path, max_bytes)
    except UntrustedFileError as exc:
        raise idx.IdxFormatError(f"{exc}; refused unread") from None


def _load_member(path: Path, member: str, max_size: int) -> np.ndarray:
    """One array of an ``.npz`` archive, read whole first (``IdxFormatError`` on failure)."""
    data = io.BytesIO(_read(path, 4 * MAX_PAYLOAD))  # an archive holds every array
    try:
        with zipfile.ZipFile(data) as archive:
            names = [name.removesuffix(".npy") for name in archive.namelist()]
            if member not in names:
                raise idx.IdxFormatError(f"no array {member!r} in the archive (has "
                                         f"{', '.join(names)})")
            size = archive.getinfo(f"{member}.npy").file_size
            if size > max_size + 4096:
                raise idx.IdxFormatError(f"archive member {member} expands to {size:,} bytes, "
                                         f"more than the {max_size:,} expected; refused unread")
            with archive.open(f"{member}.npy") as handle:
                return np.lib.format.read_array(handle, allow_pickle=False)
    except idx.IdxFormatError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise idx.IdxFormatError(f"unreadable array file ({exc})") from None
