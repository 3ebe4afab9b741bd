"""The results layer: the record schema and job identity, the store of one JSON file per job
and its results table. The runner writes records here and the reports read them.
"""

from bench.results.record import SCHEMA_VERSION, STATUS_OK, STATUSES, JobIdentity, RunRecord
from bench.results.store import load_frame, load_records, ok_record, records_frame, save_record

__all__ = ["SCHEMA_VERSION", "STATUSES", "STATUS_OK", "JobIdentity", "RunRecord", "load_frame",
           "load_records", "ok_record", "records_frame", "save_record"]
