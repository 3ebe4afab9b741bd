"""Places that can hold dataset files, and how to read their payloads.

The kinds of place: ``--data-dir`` / ``$BENCH_DATA_DIR`` (``<dir>/<dataset>/``), the harness
cache of verified ``.npy`` arrays (``bench.data.cache``), files downloaded earlier into it,
well-known system installs (``/usr/share/datasets/<dataset>``) and Keras' cache
(``$KERAS_HOME/datasets``, default ``~/.keras/datasets``: ``fashion-mnist/*.gz``, ``mnist.npz``).
The order they are tried in is ``bench.data.loader.local_sources``.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.data import idx
from bench.data.specs import NPZ_KEYS, DatasetSpec
from bench.settings import get_settings

SYSTEM_DATA_DIRS: tuple[Path, ...] = (Path("/usr/share/datasets"),)
#: No payload is larger (60,000 images of 28x28 are 47 MB); nothing bigger is ever read.
MAX_PAYLOAD = 64 * 1024 * 1024


@dataclass(frozen=True)
class FileRef:
    """Where one role's payload is read from: an IDX file (raw or ``.gz``), an npz member or
    a cached ``.npy`` array."""

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


def require_data_dir(data_dir: str | os.PathLike | None = None) -> None:
    """One error when the data folder (``--data-dir`` / ``$BENCH_DATA_DIR``) is set but does not
    exist: most likely a typo, which every dataset and job would otherwise report again."""
    from bench.errors import DataError

    root = data_dir_setting(data_dir)
    if root is not None and not root.is_dir():
        raise DataError(f"data folder {root} (from --data-dir or BENCH_DATA_DIR) does not exist; "
                        "it should hold mnist/ and fashion-mnist/ with the IDX files. Nothing was "
                        "done; fix the path, or unset it to use the cache or a download.")


def keras_datasets_dir() -> Path:
    """Keras' download folder: ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``)."""
    home = get_settings().keras_home or Path.home() / ".keras"
    return Path(home).expanduser() / "datasets"


def _idx_path(folder: Path, filename: str) -> Path:
    """The raw file if present (no decompression needed), else the ``.gz`` one."""
    raw = folder / filename
    return raw if raw.exists() else folder / f"{filename}.gz"


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


def read_payload(ref: FileRef, kind: str, max_size: int = MAX_PAYLOAD) -> bytes:
    """The IDX payload behind ``ref``; npz and npy arrays are re-encoded as IDX bytes.

    Nothing larger than ``max_size`` (the expected payload size) is read or decompressed,
    and only regular files are opened. Raises ``FileNotFoundError`` or ``idx.IdxFormatError``.
    """
    if ref.path.suffix == ".npy" or ref.member is not None:
        array = _load_array(ref.path, ref.member, max_size)
        if array.nbytes > max_size:
            raise idx.IdxFormatError(f"array of {array.nbytes:,} bytes, more than the "
                                     f"{max_size:,} expected")
        return idx.encode(array, kind)
    slack = max_size // 100 + 4096  # gzip of incompressible bytes is slightly larger
    data = read_regular(ref.path, max_size + slack)
    return idx.decompress(data, gzipped=ref.path.suffix == ".gz", max_size=max_size)


def check_regular(path: Path, max_bytes: int) -> None:
    """Refuse what is not a regular file of at most ``max_bytes`` (without opening it)."""
    info = os.stat(path)  # FileNotFoundError when absent; stat never blocks on a FIFO
    if not stat.S_ISREG(info.st_mode):
        raise idx.IdxFormatError("not a regular file (a FIFO, device or folder); refused unread")
    if info.st_size > max_bytes:
        raise idx.IdxFormatError(f"{info.st_size:,} bytes, more than the {max_bytes:,} "
                                 "expected; refused unread")


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; never blocks on a FIFO."""
    check_regular(path, max_bytes)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise idx.IdxFormatError("not a regular file; refused unread")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise idx.IdxFormatError(f"more than the {max_bytes:,} bytes expected")
    return data


def _load_array(path: Path, member: str | None, max_size: int = MAX_PAYLOAD) -> np.ndarray:
    """One array from an ``.npy`` file or an ``.npz`` member (``IdxFormatError`` on failure)."""
    if member is None:
        check_regular(path, max_size + 4096)
    else:
        check_regular(path, 4 * MAX_PAYLOAD)  # an archive holds every array
        _check_member_size(path, member, max_size)
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


def _check_member_size(path: Path, member: str, max_size: int) -> None:
    """Refuse an archive member that would decompress to more than ``max_size`` bytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(f"{member}.npy")
    except KeyError:
        return  # reported as a missing member by the caller
    except (OSError, zipfile.BadZipFile) as exc:
        raise idx.IdxFormatError(f"unreadable array file ({exc})") from None
    if info.file_size > max_size + 4096:
        raise idx.IdxFormatError(f"archive member {member} expands to {info.file_size:,} bytes, "
                                 f"more than the {max_size:,} expected; refused unread")
