"""The result store: one JSON file per job under ``<results>/runs/``, written atomically, and
the tidy results table of its records. Every file read is checked (``bench.results.validate``);
an invalid one is skipped with one warning (and its job runs again).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

from bench.errors import ResultsError, ResultsWarning
from bench.files import atomic_write_text, path_problem
from bench.results.record import STATUS_OK, STORED_FIELDS, RunRecord
from bench.results.validate import UntrustedFileError, check_record, read_json

RUNS_FOLDER = "runs"


def runs_dir(results_dir: str | os.PathLike) -> Path:
    return Path(results_dir) / RUNS_FOLDER


def record_path(results_dir: str | os.PathLike, key: str) -> Path:
    return runs_dir(results_dir) / f"{key}.json"


def finite_json(value):
    """``value`` with every NaN or infinity replaced by None (JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value


def save_record(results_dir: str | os.PathLike, record: RunRecord) -> Path:
    """Write ``record`` to its file; a non-finite number (a diverged loss) is saved as null."""
    path = record_path(results_dir, record.key)
    text = json.dumps(finite_json(record.to_dict()), indent=1, sort_keys=True, allow_nan=False)
    try:
        atomic_write_text(path, text + "\n", own_folder=True)
    except OSError as exc:
        raise ResultsError(f"cannot write result {path}: {exc}. Check that --results-dir is "
                           "writable and has space; the job runs again next time.") from None
    return path


def read_record(path: Path) -> RunRecord:
    """The valid record in ``path`` (a link only to a file in the same folder);
    ``ResultsError`` naming the file and the problem."""
    path = Path(path)
    try:
        inside = Path(os.path.realpath(path)).is_relative_to(os.path.realpath(path.parent))
        if path.is_symlink() and not inside:  # (a link loop fails to read, below)
            raise UntrustedFileError("a link to a file outside the results folder")
        data = read_json(path)
    except UntrustedFileError as exc:
        raise ResultsError(f"unreadable result file {path}: {exc}. Delete it and rerun the "
                           "job to regenerate it.") from None
    problems = check_record(data, key=Path(path).stem)
    if problems:
        raise ResultsError(f"invalid result file {path}: {'; '.join(problems[:3])}. Delete it "
                           "and rerun the job to regenerate it.")
    return RunRecord.from_dict(data)


def iter_records(results_dir: str | os.PathLike) -> Iterator[RunRecord]:
    """All valid records in the store, sorted by job key; invalid files are skipped with one
    warning each, and a store that is not a folder is a ``ResultsError``."""
    folder, problem = runs_dir(results_dir), path_problem(str(results_dir))
    if problem:
        raise ResultsError(f"bad --results-dir {str(results_dir)!r}: {problem}.")
    for path in (Path(results_dir), folder):
        if path.exists() and not path.is_dir():
            raise ResultsError(f"cannot read results from {results_dir}: {path} is not a folder. "
                               "Give the result store folder (the --results-dir of run-all).")
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        try:
            yield read_record(path)
        except ResultsError as exc:
            warnings.warn(f"{exc} It is skipped.", ResultsWarning, stacklevel=2)


def load_records(results_dir: str | os.PathLike) -> list[RunRecord]:
    return list(iter_records(results_dir))


def ok_record(results_dir: str | os.PathLike, key: str) -> RunRecord | None:
    """The record of job ``key`` if it finished ok; an invalid file counts as none (with a
    warning: the job runs again and replaces it)."""
    path = record_path(results_dir, key)
    if not os.path.lexists(path):
        return None
    try:
        record = read_record(path)
    except ResultsError as exc:
        warnings.warn(f"{exc} The job runs again.", ResultsWarning, stacklevel=2)
        return None
    return record if record.status == STATUS_OK else None


# Optional numbers: missing values become NaN, so the columns stay numeric.
NUMERIC_FIELDS = tuple(f.name for f in dataclasses.fields(RunRecord)
                       if str(f.type) == "float | None")


def records_frame(records: Iterable[RunRecord]):
    """The tidy results table: one row per record (in order), the stored fields as columns."""
    import pandas as pd

    rows = [{name: getattr(record, name) for name in STORED_FIELDS} for record in records]
    frame = pd.DataFrame(rows, columns=list(STORED_FIELDS))
    return frame.astype(dict.fromkeys(NUMERIC_FIELDS, "float64"))


def load_frame(results_dir: str | os.PathLike):
    """All records as a pandas DataFrame, one row per job, columns = stored record fields."""
    return records_frame(iter_records(results_dir))
