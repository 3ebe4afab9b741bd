"""Hostile result files: every one is skipped with one warning, never a traceback or a hang."""

import json
import math
import os
import warnings

import pytest

from bench.errors import ResultsError, ResultsWarning
from bench.results.record import RunRecord
from bench.results.store import (
    iter_records,
    ok_record,
    read_record,
    record_path,
    save_record,
)
from bench.results.validate import (
    MAX_RECORD_BYTES,
    UntrustedFileError,
    check_record,
    check_run_info,
    read_json,
)


def good(key="k1", **changes):
    data = RunRecord.from_fields(key=key, model="keras-mlp", model_version="1", params={"epochs": 2},
                     dataset="mnist", dataset_sha256={"f": "ab12"}, seed=0, profile="smoke",
                     train_size=10, test_size=4, status="ok", train_accuracy=1.0,
                     test_accuracy=0.75, test_predictions="7210",
                     confusion_matrix=[[0] * 10 for _ in range(10)],
                     history={"train_loss": [0.5, 0.25]},
                     confident_mistakes=[{"index": 3, "true": 1, "pred": 2, "confidence": 0.9}],
                     finished_at="2026-01-01T00:00:00+00:00").to_dict()
    data.update(changes)
    return data


def test_a_good_record_has_no_problems():
    assert check_record(good(), key="k1") == []


@pytest.mark.parametrize("changes, reason", [
    ({"test_accuracy": "0.9"}, "test_accuracy"),
    ({"test_accuracy": 1.5}, "test_accuracy"),
    ({"test_accuracy": None}, "must carry its metrics"),
    ({"train_accuracy": None}, "must carry its metrics"),
    ({"test_size": 0, "test_predictions": ""}, "test_size"),
    ({"status": "great"}, "status"),
    ({"seed": -1}, "seed"),
    ({"seed": True}, "seed"),
    ({"train_size": 1.5}, "train_size"),
    ({"model": "../../../../elsewhere/PWNED"}, "model"),
    ({"model": "<script>alert(1)</script>"}, "model"),
    ({"model": "a\n# heading"}, "model"),
    ({"dataset": "[x](http://e)"}, "dataset"),
    ({"profile": "a|b"}, "profile"),
    ({"test_predictions": "72a0"}, "digits"),
    ({"test_predictions": "72100"}, "more than test_size 4"),
    ({"test_predictions": 7210}, "digits"),
    ({"confusion_matrix": [[1, 2], [3, 4]]}, "confusion_matrix"),
    ({"confusion_matrix": [[-1] * 10] * 10}, "confusion_matrix"),
    ({"history": {"train_loss": ["x"]}}, "history"),
    ({"confident_mistakes": [{"index": 1}]}, "confident_mistakes"),
    ({"params": {"lr": [1, {"x": object()}]}}, "params"),
    ({"finished_at": "tomorrow"}, "finished_at"),
    ({"key": "other"}, "does not match the file name"),
    ({"dataset_sha256": {"f": "a\nb"}}, "dataset_sha256"),
    ({"dataset_sha256": ["ab12"]}, "dataset_sha256"),
    ({"fit_seconds": -1.0}, "fit_seconds"),
    ({"warnings": "boom"}, "warnings"),
])
def test_bad_fields_are_named(changes, reason):
    problems = check_record(good(**changes), key="k1")
    assert problems and any(reason in p for p in problems), problems


@pytest.mark.parametrize("data", [[], None, "a string", 3, {"key": "k1"}])
def test_a_record_of_the_wrong_shape_is_invalid(data):
    assert check_record(data, key="k1")


def write(tmp_path, key, content):
    path = record_path(tmp_path, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


@pytest.mark.parametrize("content", ["[]", "null", '"text"', "{}", json.dumps(good("job")
                                                                             | {"seed": "0"})])
def test_planned_job_with_a_hostile_file_is_not_cached(tmp_path, content):
    write(tmp_path, "job", content)
    with pytest.warns(ResultsWarning, match=r"job\.json.*runs again"):
        assert ok_record(tmp_path, "job") is None


def test_nan_in_a_file_is_refused(tmp_path):
    path = write(tmp_path, "k1", json.dumps(good()).replace("0.75", "NaN"))
    with pytest.raises(ResultsError, match="non-finite"):
        read_record(path)


def test_nan_metric_is_saved_as_null_and_reads_back(tmp_path):
    record = RunRecord.from_dict(good(test_loss=math.nan, history={"test_loss": [math.inf]}))
    path = save_record(tmp_path, record)
    assert "NaN" not in path.read_text() and "Infinity" not in path.read_text()
    assert read_record(path).test_loss is None


def test_one_bad_file_does_not_hide_the_others_and_warns_once(tmp_path):
    save_record(tmp_path, RunRecord.from_dict(good("a")))
    write(tmp_path, "b", good("b", test_accuracy="high"))
    save_record(tmp_path, RunRecord.from_dict(good("c")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keys = [r.key for r in iter_records(tmp_path)]
    assert keys == ["a", "c"]
    assert len(caught) == 1 and "b.json" in str(caught[0].message)
    assert "test_accuracy" in str(caught[0].message)


def test_a_huge_file_is_not_read(tmp_path, monkeypatch):
    path = write(tmp_path, "big", "x")
    with open(path, "r+b") as handle:
        handle.truncate(MAX_RECORD_BYTES + 1)  # sparse: large without using disk
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    with pytest.raises(UntrustedFileError, match="more than"):
        read_json(path)
    monkeypatch.undo()
    assert opened == []  # refused from its size, never opened
    assert read_json(write(tmp_path, "small", "{}")) == {}


def test_a_fifo_is_refused_without_blocking(tmp_path):
    path = record_path(tmp_path, "fifo")
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    with pytest.raises(UntrustedFileError, match="not a regular file"):
        read_json(path)
    with pytest.warns(ResultsWarning, match="not a regular file"):
        assert list(iter_records(tmp_path)) == []
        assert ok_record(tmp_path, "fifo") is None


def test_run_info_checks():
    assert check_run_info({"profile": "full", "command": "python -m bench run-all",
                           "jobs": 3, "seeds": [0, 1]}) == []
    assert check_run_info([])
    assert check_run_info({"profile": "../x"})
    assert check_run_info({"profile": "full", "command": "a\nb"})
    assert check_run_info({"profile": "full", "jobs": "many"})


def test_a_link_out_of_the_results_folder_is_not_followed(tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(good("k1")))
    path = record_path(tmp_path / "results", "k1")
    path.parent.mkdir(parents=True)
    path.symlink_to(outside)
    with pytest.raises(ResultsError, match="outside the results folder"):
        read_record(path)
    inside = record_path(tmp_path / "results", "k2")
    save_record(tmp_path / "results", RunRecord.from_dict(good("k2")))
    (path.parent / "k3.json").symlink_to(inside)
    with pytest.raises(ResultsError, match="does not match the file name"):
        read_record(path.parent / "k3.json")  # followed, then checked like any file


@pytest.mark.parametrize("name", ["My Model", "../x", "a<b>", "", " keras"])
def test_the_registry_refuses_plugin_names_a_record_could_not_hold(name):
    import dataclasses

    from bench.errors import PluginError
    from bench.plugins.registry import get_model

    spec = dataclasses.replace(get_model("logistic-regression"), name=name)
    with pytest.raises(PluginError, match="name must be letters, digits"):
        spec.validate()
