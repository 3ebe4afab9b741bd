"""The result store: one JSON file per job under ``<results>/runs/``, written atomically."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from bench.errors import ResultsError
from bench.files import atomic_write_text
from bench.results.record import STATUS_OK, RunRecord

RUNS_FOLDER = "runs"


def runs_dir(results_dir: str | os.PathLike) -> Path:
    return Path(results_dir) / RUNS_FOLDER


def record_path(results_dir: str | os.PathLike, key: str) -> Path:
    return runs_dir(results_dir) / f"{key}.json"


def save_record(results_dir: str | os.PathLike, record: RunRecord) -> Path:
    path = record_path(results_dir, record.key)
    try:
        atomic_write_text(path, json.dumps(record.to_dict(), indent=1, sort_keys=True) + "\n")
    except OSError as exc:
        raise ResultsError(f"cannot write result {path}: {exc}. Check that the results "
                           "folder is writable (--results-dir).") from exc
    return path


def read_record(path: Path) -> RunRecord:
    try:
        return RunRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise ResultsError(f"unreadable result file {path}: {exc}. Delete it and rerun the "
                           "job to regenerate it.") from exc


def iter_records(results_dir: str | os.PathLike) -> Iterator[RunRecord]:
    """All records in the store, sorted by file name (the job key) for stable output."""
    folder = runs_dir(results_dir)
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        yield read_record(path)


def load_records(results_dir: str | os.PathLike) -> list[RunRecord]:
    return list(iter_records(results_dir))


def ok_record(results_dir: str | os.PathLike, key: str) -> RunRecord | None:
    """The record of job ``key`` if it finished ok (failures and unreadable files are not cached)."""
    path = record_path(results_dir, key)
    if not path.is_file():
        return None
    try:
        record = read_record(path)
    except ResultsError:
        return None
    return record if record.status == STATUS_OK else None


def has_ok_result(results_dir: str | os.PathLike, key: str) -> bool:
    """True when the job ``key`` finished with status ok (failures are never cached)."""
    return ok_record(results_dir, key) is not None


def load_frame(results_dir: str | os.PathLike):
    """All records as a pandas DataFrame, one row per job, columns = stored record fields."""
    from bench.results.frame import records_frame

    return records_frame(iter_records(results_dir))
