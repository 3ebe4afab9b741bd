"""Files the harness reads and writes: one reader of small untrusted files (never blocks on a
FIFO, never reads without bound) and one atomic writer for results, reports, caches and
downloads."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object],
                 own_folder: bool = False) -> None:
    """Write ``path`` through a temp file renamed into place on success, so readers see the old
    file or the new one; a link at ``path`` (or, with ``own_folder``, at its folder) is
    replaced, never written through. The file gets ``0o666`` less the umask.
    """
    path = Path(path)
    if own_folder and path.parent.is_symlink():
        raise OSError(errno.ELOOP, "the harness's own folder is a link", str(path.parent))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str, own_folder: bool = False) -> None:
    """:func:`atomic_write` for UTF-8 text."""
    data = text.encode("utf-8")
    atomic_write(path, lambda handle: handle.write(data), own_folder)


def output_dir_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot take output (it is created if missing), or ``None`` if it can:
    checked before any work starts, not after hours of training."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return "it exists and is not a folder"
    except OSError as exc:
        return f"it cannot be created ({exc.strerror or exc})"
    if not path.is_dir():
        return "it is not a folder"
    try:
        fd, probe = tempfile.mkstemp(dir=path, prefix=".write-test-", suffix=".tmp")
    except OSError as exc:
        return f"it is not writable ({exc.strerror or exc})"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"0")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        return f"it cannot be written to ({exc.strerror or exc})"
    finally:
        Path(probe).unlink(missing_ok=True)
    return None


class UntrustedFileError(ValueError):
    """A file the harness reads cannot be used (not a regular file, too large); the message
    says why."""


MAX_PATH_CHARS = 1000


def path_problem(text: str) -> str | None:
    """Why ``text`` cannot name a folder the harness writes (an option's value), or ``None``."""
    problems = {"it is empty": not text.strip(),
                "it holds control characters": not text.isprintable(),
                f"it is longer than {MAX_PATH_CHARS} characters": len(text) > MAX_PATH_CHARS}
    return next((problem for problem, found in problems.items() if found), None)


def open_own_file(path: str | os.PathLike) -> int:
    """A read-write descriptor of the regular file ``path`` (created if missing), never
    opened through a link (``UntrustedFileError`` naming it)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            raise
    else:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
        os.close(fd)
    raise UntrustedFileError(f"{path} is a link or not a regular file; the harness never writes "
                             "through one. Remove it and run again")


def terminal_text(value: Any) -> Any:
    """``value`` with control characters (newlines, terminal escape codes) escaped in its text
    (in every string of a dict or list), for printing text from plugins or records."""
    if isinstance(value, dict | list | tuple):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        shown = {k: terminal_text(v) for k, v in items}
        return shown if isinstance(value, dict) else type(value)(shown.values())
    return "".join(repr(c)[1:-1] if unicodedata.category(c)[0] == "C" else c
                   for c in value) if isinstance(value, str) else value


def read_small_file(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, never blocking on a FIFO;
    ``UntrustedFileError`` (not a regular file, too large) or ``OSError``."""
    path = Path(path)
    info = os.stat(path)  # follows symlinks (ELOOP for a loop, an OSError); never blocks
    if not stat.S_ISREG(info.st_mode):
        raise UntrustedFileError("not a regular file")
    if info.st_size > max_bytes:
        raise UntrustedFileError(f"{info.st_size:,} bytes, more than the {max_bytes:,} allowed")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the stat
            raise UntrustedFileError("not a regular file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UntrustedFileError(f"more than the {max_bytes:,} bytes allowed")
    return data


def file_signature(path: str | os.PathLike) -> tuple[int, int, int] | None:
    """Identity of the file at ``path`` (inode, mtime, size; an atomic write changes it), ``None``
    if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)
