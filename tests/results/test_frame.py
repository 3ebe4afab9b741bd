"""The results table: one row per record, numeric columns stay numeric."""

import math

from bench.results.record import STORED_FIELDS, RunRecord
from bench.results.store import records_frame


def record(key, accuracy, seed):
    return RunRecord.from_fields(key=key, model="m", model_version="1", params={}, dataset="mnist",
                                 dataset_sha256={}, seed=seed, profile="smoke", train_size=10,
                                 test_size=5, status="ok", test_accuracy=accuracy)


def test_rows_in_order_with_every_stored_field():
    frame = records_frame([record("b", 0.5, 1), record("a", None, 0)])
    assert list(frame.columns) == list(STORED_FIELDS)
    assert frame.key.tolist() == ["b", "a"] and frame.seed.tolist() == [1, 0]
    assert frame.test_accuracy.dtype == "float64" and math.isnan(frame.test_accuracy[1])
    assert frame.fit_seconds.dtype == "float64" and frame.fit_seconds.isna().all()


def test_empty_input_keeps_the_columns_and_their_types():
    empty = records_frame([])
    assert empty.empty and list(empty.columns) == list(STORED_FIELDS)
    assert empty.test_accuracy.dtype == "float64"
