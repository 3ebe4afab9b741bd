"""The job identity: one definition, used by the runner's Job and embedded in every record."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bench.errors import ResultsError
from bench.plan.jobs import Job
from bench.results.record import (
    IDENTITY_FIELDS,
    SCHEMA_VERSION,
    STATUS_FAILED,
    STORED_FIELDS,
    JobIdentity,
    RunRecord,
    configuration_label,
    configuration_order,
    varying_params,
)
from bench.results.store import read_record, record_path, save_record

COMMITTED_RUNS = Path(__file__).resolve().parents[2] / "results" / "runs"
IDENTITY = dict(model="m", model_version="1", params={"a": 1, "h": [2, 3]}, dataset="mnist",
                dataset_sha256={"f": "abc"}, seed=3, profile="smoke", train_size=10, test_size=5)


def test_job_is_an_identity_plus_its_label_and_shares_its_key():
    job = Job(**IDENTITY, role="curve")
    assert job.identity == JobIdentity(**IDENTITY)
    assert job.key == JobIdentity(**IDENTITY).key == Job(**IDENTITY).key  # the role not hashed
    assert [f.name for f in dataclasses.fields(Job)] == [*IDENTITY_FIELDS, "role"]


@pytest.mark.parametrize("name, value", [("model", "n"), ("model_version", "2"),
                                         ("params", {"a": 2, "h": [2, 3]}),
                                         ("dataset", "fashion-mnist"),
                                         ("dataset_sha256", {"f": "abd"}), ("seed", 4),
                                         ("profile", "full"), ("train_size", 11),
                                         ("test_size", 6)])
def test_every_identity_field_changes_the_key(name, value):
    assert JobIdentity(**{**IDENTITY, name: value}).key != JobIdentity(**IDENTITY).key


def test_record_embeds_the_identity_and_stores_it_flat(tmp_path):
    job = Job(**IDENTITY, role="curve")
    record = RunRecord.for_job(job, STATUS_FAILED, role="curve", error="E")
    assert record.job == job.identity and type(record.job) is JobIdentity
    assert (record.key, record.model, record.seed, record.params) == (job.key, "m", 3,
                                                                      IDENTITY["params"])
    stored = json.loads(save_record(tmp_path, record).read_text())
    assert list(stored) == sorted(STORED_FIELDS) and "job" not in stored
    assert {k: stored[k] for k in IDENTITY} == IDENTITY and stored["corruptions"] is None
    assert stored["schema_version"] == SCHEMA_VERSION == 1
    assert read_record(record_path(tmp_path, job.key)) == record


def test_a_record_without_its_identity_is_unreadable(tmp_path):
    path = record_path(tmp_path, "k")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"key": "k", "status": "ok", "model": "m"}))
    with pytest.raises(ResultsError, match=r"invalid result file .*dataset must be a name"):
        read_record(path)


def test_from_fields_refuses_unknown_names():
    with pytest.raises(TypeError):
        RunRecord.from_fields(key="k", status="ok", colour="red", **IDENTITY)


@pytest.mark.skipif(not COMMITTED_RUNS.is_dir(), reason="no committed results in this checkout")
def test_committed_records_keep_their_keys_and_bytes():
    """Reading and re-saving a committed record keeps every field (fields added since come
    out empty), and its identity still hashes to its key (so a cached run finds it)."""
    paths = sorted(COMMITTED_RUNS.glob("*.json"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        record = RunRecord.from_dict(json.loads(text))
        assert record.job.key == record.key == path.stem
        stored, saved = json.loads(text), json.loads(json.dumps(record.to_dict()))
        assert {k: v for k, v in saved.items() if k in stored} == stored
        assert all(saved[k] is None for k in set(saved) - set(stored))  # fields added since


def test_varying_params_are_the_grid_axes_and_label_and_order_configurations():
    def job(model="m", **params):
        return Job(model, "1", params, "mnist", {}, 0, "smoke", 2000, 1000)

    jobs = [job(kernel="rbf", C=10), job(kernel="rbf", C=0.5), job(kernel="rbf", C=None),
            job(C=2, kernel="linear"), job(model="n", depth=3)]
    varying = varying_params(jobs)
    assert varying == {"m": ["C", "kernel"], "n": []}  # by name, whatever the order given
    ordered = sorted(jobs, key=configuration_order)
    assert [configuration_label(j, varying) for j in ordered] == [
        "m C=0.5 kernel=rbf", "m C=2 kernel=linear", "m C=10 kernel=rbf", "m C=None kernel=rbf",
        "n"]
