import json

import pytest

from bench.errors import ResultsError, ResultsWarning
from bench.results.record import SCHEMA_VERSION, RunRecord
from bench.results.store import (
    iter_records,
    load_frame,
    ok_record,
    read_record,
    record_path,
    save_record,
)


def record(key="k1", status="ok", accuracy=0.9):
    return RunRecord.from_fields(key=key, model="m", model_version="1", params={"a": 1}, dataset="mnist",
                     dataset_sha256={}, seed=0, profile="smoke", train_size=10, test_size=5,
                     status=status, test_accuracy=accuracy, train_accuracy=accuracy)


def test_save_and_read_round_trip(tmp_path):
    path = save_record(tmp_path, record())
    assert path == record_path(tmp_path, "k1")
    loaded = read_record(path)
    assert loaded == record() and loaded.schema_version == SCHEMA_VERSION
    assert not list(path.parent.glob("*.tmp"))


def test_failed_results_are_not_cached(tmp_path):
    save_record(tmp_path, record("bad", status="failed"))
    save_record(tmp_path, record("good"))
    assert ok_record(tmp_path, "good") == record("good") and ok_record(tmp_path, "bad") is None
    assert ok_record(tmp_path, "missing") is None


def test_unreadable_file_is_a_clear_error_and_not_cached(tmp_path):
    path = record_path(tmp_path, "torn")
    path.parent.mkdir(parents=True)
    path.write_text('{"key": "torn", "sta')
    with pytest.warns(ResultsWarning, match="torn.json"):
        assert ok_record(tmp_path, "torn") is None
    with pytest.raises(ResultsError, match="unreadable result file .*torn.json.*not valid JSON"):
        read_record(path)
    save_record(tmp_path, record("good"))
    with pytest.warns(ResultsWarning, match="torn.json") as caught:
        assert [r.key for r in iter_records(tmp_path)] == ["good"]
    assert len(caught) == 1


def test_load_frame_has_one_row_per_record(tmp_path):
    for i in range(3):
        save_record(tmp_path, record(f"k{i}", accuracy=0.5 + i / 10))
    frame = load_frame(tmp_path)
    assert list(frame["key"]) == ["k0", "k1", "k2"]
    assert frame["test_accuracy"].tolist() == pytest.approx([0.5, 0.6, 0.7])
    assert json.loads(record_path(tmp_path, "k0").read_text())["params"] == {"a": 1}
