"""Downloads from public mirrors: tried in order, verified before use, atomic.

Each file is streamed to a temp file in the target folder, verified (IDX header and SHA-256 of
the decompressed payload) and only then renamed into place; the temp file is removed on any
error, Ctrl-C included. A mirror is a URL template: ``{name}`` becomes the dataset name; one
ending in ``/`` is a base for the ``.gz`` files, one ending in ``.npz`` a Keras-style archive.
"""

from __future__ import annotations

import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.data import idx
from bench.data.sources import FileRef, Source, find_files
from bench.data.specs import NPZ_KEYS, DatasetSpec
from bench.data.verify import check_file
from bench.errors import DataError
from bench.files import atomic_write
from bench.settings import get_settings

CHUNK_SIZE = 1 << 20
TIMEOUT_S = 30.0
NETWORK_ERRORS = (OSError, http.client.HTTPException, ValueError)


class MirrorError(Exception):
    """One mirror failed for one file; the next mirror is tried."""


def offline_enabled() -> bool:
    """Whether the settings (``$BENCH_OFFLINE``) forbid downloads."""
    return get_settings().offline


def mirror_urls(spec: DatasetSpec, mirrors: Sequence[str] | None = None) -> list[str]:
    """The mirrors to try: ``mirrors``, else the settings' (``$BENCH_MIRRORS``), else the
    spec's; ``{name}`` is replaced by the dataset name."""
    if mirrors is None:
        mirrors = get_settings().mirrors or spec.mirrors
    return [m.strip().replace("{name}", spec.name) for m in mirrors if m.strip()]


def iter_chunks(response, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The body of an HTTP response, chunk by chunk."""
    while chunk := response.read(chunk_size):
        yield chunk


@contextmanager
def downloaded(url: str, folder: Path, name: str, progress: bool,
               max_bytes: int | None = None) -> Iterator[Path]:
    """Download ``url`` to a temp file in ``folder`` that is deleted on exit unless moved.

    A body longer than ``max_bytes`` is abandoned (``MirrorError``) as soon as it passes it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".part" + "".join(Path(name).suffixes[-1:])
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=suffix)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh, urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            from tqdm import tqdm

            with tqdm(
                total=total, unit="B", unit_scale=True, desc=name, disable=not progress, leave=False
            ) as bar:
                received = 0
                for chunk in iter_chunks(resp):
                    received += len(chunk)
                    if max_bytes is not None and received > max_bytes:
                        raise MirrorError(f"more than the {max_bytes:,} bytes expected; "
                                          "download abandoned")
                    fh.write(chunk)
                    bar.update(len(chunk))
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _fetch_gz(spec: DatasetSpec, base: str, role: str, folder: Path, progress: bool) -> None:
    """Download, verify and install ``<base><filename>.gz``."""
    name = f"{spec.files[role].filename}.gz"
    with downloaded(base + name, folder, name, progress, _max_download(spec, [role])) as tmp:
        report, _ = check_file(spec, FileRef(role, tmp))
        if not report.ok:
            raise MirrorError(f"{report.status} ({report.detail})")
        os.replace(tmp, folder / name)


def _fetch_npz(
    spec: DatasetSpec, url: str, roles: list[str], folder: Path, progress: bool
) -> tuple[list[str], dict[str, str]]:
    """Download a Keras-style archive and install its verified arrays as raw IDX files."""
    done, errors = [], {}
    with downloaded(url, folder, Path(url).name or "archive.npz", progress,
                    _max_download(spec, list(spec.files))) as tmp:
        for role in roles:
            report, array = check_file(spec, FileRef(role, tmp, NPZ_KEYS[role]))
            if array is None:
                errors[role] = f"{report.status} ({report.detail})"
                continue
            payload = idx.encode(array, spec.files[role].kind)
            atomic_write(folder / spec.files[role].filename, lambda fh, p=payload: fh.write(p))
            done.append(role)
    return done, errors


def _max_download(spec: DatasetSpec, roles: Sequence[str]) -> int:
    """The most bytes a download of ``roles`` can need: their payloads plus format slack."""
    total = sum(idx.payload_size(spec.files[r].kind, spec.count(r), spec.image_shape)
                for r in roles)
    return total + total // 100 + 64 * 1024


def missing_roles(spec: DatasetSpec, folder: Path) -> list[str]:
    """Roles without a good file in ``folder``; bad files there are deleted."""
    refs = find_files(spec, Source("downloads", folder)) or {}
    missing = []
    for role in spec.files:
        ref = refs.get(role)
        if ref is not None and ref.exists and check_file(spec, ref)[0].ok:
            continue
        if ref is not None:
            ref.path.unlink(missing_ok=True)
        missing.append(role)
    return missing


def fetch_files(
    spec: DatasetSpec,
    folder: Path,
    mirrors: Sequence[str] | None = None,
    progress: bool | None = None,
) -> list[str]:
    """Fill ``folder`` with verified files of ``spec`` from the mirrors; returns the URLs used.

    Each missing file is tried on each mirror in order. Raises ``DataError`` listing every
    failure when some file could not be obtained from any mirror.
    """
    progress = sys.stderr.isatty() if progress is None else progress
    needed = missing_roles(spec, folder)
    urls = mirror_urls(spec, mirrors)
    used, failures = [], []
    for url in urls:
        if not needed:
            break
        if url.endswith(".npz"):
            try:
                done, errors = _fetch_npz(spec, url, needed, folder, progress)
            except (MirrorError, *NETWORK_ERRORS) as exc:
                done, errors = [], {"archive": _reason(exc)}
            failures += [f"{url} ({role}): {why}" for role, why in errors.items()]
        else:
            base = url if url.endswith("/") else url + "/"
            done = []
            for role in needed:
                file_url = f"{base}{spec.files[role].filename}.gz"
                try:
                    _fetch_gz(spec, base, role, folder, progress)
                    done.append(role)
                except (MirrorError, urllib.error.HTTPError) as exc:  # this file only
                    failures.append(f"{file_url}: {_reason(exc)}")
                except NETWORK_ERRORS as exc:  # the mirror is unreachable: skip it
                    failures.append(f"{file_url}: {_reason(exc)} (mirror skipped)")
                    break
        if done:
            used.append(url)
        needed = [role for role in needed if role not in done]
    if needed:
        names = ", ".join(spec.files[role].filename for role in needed)
        tried = "\n".join(f"  {line}" for line in failures) or "  (no mirrors configured)"
        raise DataError(
            f"{spec.name}: could not download {names} from any mirror:\n{tried}\n"
            f"{offline_hint(spec)}"
        )
    return used


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc) or type(exc).__name__


def offline_hint(spec: DatasetSpec) -> str:
    """How to provide the data without network access."""
    names = ", ".join(f"{f.filename}.gz" for f in spec.files.values())
    return (
        "To provide the data offline, pass --data-dir DIR or set BENCH_DATA_DIR=DIR, where "
        f"DIR/{spec.name}/ holds {names} (raw or gzipped), or copy such a folder into the "
        f"cache with `bench data import PATH --dataset {spec.name}`."
    )
