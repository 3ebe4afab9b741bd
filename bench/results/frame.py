"""Records as a pandas DataFrame: the one builder of the tidy results table."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from bench.results.record import STORED_FIELDS, RunRecord

# Optional numbers: missing values become NaN, so the columns stay numeric.
NUMERIC_FIELDS = tuple(f.name for f in dataclasses.fields(RunRecord)
                       if str(f.type) == "float | None")


def records_frame(records: Iterable[RunRecord], columns: Sequence[str] = STORED_FIELDS):
    """One row per record (in the given order), the stored fields (or ``columns``) as columns."""
    import pandas as pd

    rows = [{name: getattr(record, name) for name in columns} for record in records]
    frame = pd.DataFrame(rows, columns=list(columns))
    for name in columns:
        if name in NUMERIC_FIELDS:
            frame[name] = frame[name].astype("float64")
    return frame
