"""Integrity checks: every payload's IDX header and SHA-256 against the spec, as per-file reports.

Bad data never reaches a model: ``load_verified`` raises a ``DataError`` naming each bad file
and what to do about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from bench.data import idx
from bench.data.sources import FileRef, read_payload
from bench.data.specs import DatasetSpec
from bench.errors import DataError

OK = "ok"
MISSING = "missing"
MISMATCH = "checksum mismatch"
CORRUPT = "corrupt"


@dataclass(frozen=True)
class FileReport:
    """The verdict on one file: ``status`` is "ok", "missing", "checksum mismatch" or
    "corrupt"; ``detail`` says why."""

    dataset: str
    role: str
    path: str
    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.path}: {self.status}{detail}"


def check_file(spec: DatasetSpec, ref: FileRef) -> tuple[FileReport, np.ndarray | None]:
    """Read, parse and hash one file; the array is ``None`` unless the report is ok."""
    fspec = spec.files[ref.role]

    def report(status: str, detail: str = "") -> FileReport:
        return FileReport(spec.name, ref.role, str(ref), status, detail)

    try:
        expected = idx.payload_size(fspec.kind, spec.count(ref.role), spec.image_shape)
        payload = read_payload(ref, fspec.kind, max_size=expected)
        array = idx.parse(payload, fspec.kind, spec.count(ref.role), spec.image_shape)
    except FileNotFoundError:
        return report(MISSING, f"no {fspec.filename} or {fspec.filename}.gz"), None
    except idx.IdxFormatError as exc:
        return report(CORRUPT, str(exc)), None
    except OSError as exc:
        return report(CORRUPT, f"unreadable ({exc.strerror or exc})"), None
    actual = idx.sha256_hex(payload)
    if actual != fspec.sha256:
        return report(MISMATCH, f"expected sha256 {fspec.sha256}, got {actual}"), None
    return report(OK, f"{array.shape[0]} {fspec.kind}, sha256 {actual[:12]}..."), array


def check_files(spec: DatasetSpec, refs: Mapping[str, FileRef],
                ) -> tuple[list[FileReport], dict[str, np.ndarray]]:
    """Check all files (in parallel threads: gunzip and SHA-256 release the GIL)."""
    roles = [role for role in spec.files if role in refs]
    with ThreadPoolExecutor(max_workers=len(roles) or 1) as pool:
        results = list(pool.map(lambda role: check_file(spec, refs[role]), roles))
    arrays = {role: array for role, (_, array) in zip(roles, results, strict=True)}
    return [report for report, _ in results], arrays


def fix_hint(spec: DatasetSpec, kind: str) -> str:
    """What to do about bad files found in a source of ``kind``."""
    fetch = f"`bench data fetch --dataset {spec.name}`"
    if kind == "cache":
        return f"Run {fetch} to rebuild the cache from a good source."
    if kind == "import":
        return f"Nothing was imported; import a good copy, or run {fetch} to download one."
    return ("Replace the bad file(s) with a good copy, point --data-dir (or BENCH_DATA_DIR) at "
            f"another folder, or unset it and run {fetch} to download a verified copy into the "
            "cache.")


def problems_message(spec: DatasetSpec, reports: list[FileReport], where: str, kind: str) -> str:
    """A ``DataError`` message naming each bad file and its problem."""
    bad = [r for r in reports if not r.ok]
    lines = "\n".join(f"  {r}" for r in bad)
    noun = "file" if len(bad) == 1 else "files"
    return (f"{spec.name}: {len(bad)} bad {noun} in {where}; nothing was loaded.\n{lines}\n"
            f"{fix_hint(spec, kind)}")


def load_verified(spec: DatasetSpec, refs: Mapping[str, FileRef], where: str, kind: str,
                  ) -> dict[str, np.ndarray]:
    """The four verified arrays, or a ``DataError`` naming every bad file."""
    reports, arrays = check_files(spec, refs)
    if not all(r.ok for r in reports) or len(reports) != len(spec.files):
        raise DataError(problems_message(spec, reports, where, kind))
    for split in ("train", "test"):
        n_images, n_labels = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_images != n_labels:
            raise DataError(f"{spec.name}: {where} has {n_images} {split} images but {n_labels} "
                            f"labels; corrupt data. {fix_hint(spec, kind)}")
    return arrays
