"""Downloads from public mirrors, tried in order: each file is streamed to a temp file (removed
on any error, Ctrl-C included) and verified before its payload enters the cache. A mirror is a
URL template (``{name}``: the dataset); one ending in ``/`` is a base for the ``.gz`` files, one
ending in ``.npz`` a Keras-style archive.
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

from bench.data import cache, idx
from bench.data.sources import FileRef
from bench.data.specs import NPZ_KEYS, DatasetSpec
from bench.data.verify import check_file
from bench.errors import DataError
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
    """Download ``url`` to a temp file in ``folder``, deleted on exit; a body longer than
    ``max_bytes`` is abandoned (``MirrorError``) as soon as it passes it."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".part" + "".join(Path(name).suffixes[-1:])
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=suffix)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh, urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            from tqdm import tqdm

            with tqdm(total=total, unit="B", unit_scale=True, desc=name, disable=not progress,
                      leave=False) as bar:
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


def _fetch(spec: DatasetSpec, url: str, roles: list[str], progress: bool,
           member: bool = False) -> tuple[list[str], dict[str, str]]:
    """Download ``url`` (a ``.gz`` file, or with ``member`` an archive) and cache the verified
    payloads of ``roles``; returns the roles done, and why the others failed."""
    done, errors = [], {}
    folder = cache.payloads_dir()
    with downloaded(url, folder, Path(url).name or "archive.npz", progress,
                    _max_download(spec, list(spec.files) if member else roles)) as tmp:
        for role in roles:
            report, array = check_file(spec, FileRef(role, tmp, NPZ_KEYS[role] if member else None))
            if array is None:
                errors[role] = f"{report.status} ({report.detail})"
                continue
            cache.store(spec, role, array)
            done.append(role)
    return done, errors


def _max_download(spec: DatasetSpec, roles: Sequence[str]) -> int:
    """The most bytes a download of ``roles`` can need: their payloads plus format slack."""
    total = sum(idx.payload_size(spec.files[r].kind, spec.count(r), spec.image_shape)
                for r in roles)
    return total + total // 100 + 64 * 1024


def fetch_files(spec: DatasetSpec, mirrors: Sequence[str] | None = None,
                progress: bool | None = None) -> list[str]:
    """Cache each payload of ``spec`` not cached yet from the first mirror that has it; returns
    the URLs used, or a ``DataError`` listing every failure."""
    progress = sys.stderr.isatty() if progress is None else progress
    needed = [role for role in spec.files if cache.load_array(spec, role) is None]
    used, failures = [], []
    for url in mirror_urls(spec, mirrors):
        if not needed:
            break
        if url.endswith(".npz"):
            try:
                done, errors = _fetch(spec, url, needed, progress, member=True)
            except (MirrorError, *NETWORK_ERRORS) as exc:
                done, errors = [], {"archive": _reason(exc)}
            failures += [f"{url} ({role}): {why}" for role, why in errors.items()]
        else:
            base = url if url.endswith("/") else url + "/"
            done = []
            for role in needed:
                file_url = f"{base}{spec.files[role].filename}.gz"
                try:
                    finished, errors = _fetch(spec, file_url, [role], progress)
                    if errors:
                        raise MirrorError(errors[role])
                    done += finished
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
        raise DataError(f"{spec.name}: could not download {names} from any mirror:\n{tried}\n"
                        f"{offline_hint(spec)}")
    return used


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc) or type(exc).__name__


def offline_hint(spec: DatasetSpec) -> str:
    """How to provide the data without network access."""
    names = ", ".join(f"{f.filename}.gz" for f in spec.files.values())
    return ("To provide the data offline, pass --data-dir DIR or set BENCH_DATA_DIR=DIR, where "
            f"DIR/{spec.name}/ holds {names} (raw or gzipped), or copy such a folder into the "
            f"cache with `bench data import PATH --dataset {spec.name}`.")
