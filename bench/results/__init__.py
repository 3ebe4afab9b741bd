"""The results layer: the record schema, the store of one JSON file per job, and loading.

The runner writes records here and the reports read them; neither imports the other.
"""

from bench.results.record import SCHEMA_VERSION, STATUS_OK, STATUSES, RunRecord
from bench.results.store import load_frame, load_records, ok_record, save_record

__all__ = ["SCHEMA_VERSION", "STATUSES", "STATUS_OK", "RunRecord", "load_frame", "load_records",
           "ok_record", "save_record"]
