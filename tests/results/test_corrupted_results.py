"""Corrupted-test results: the job identity (key unchanged without corruptions), the record
field and its validation, the corruption-set option, and the accuracy-on-the-line rule."""

from __future__ import annotations

import base64
import hashlib
import json

import numpy as np
import pytest

from bench.cli import main
from bench.data.corruptions import (
    CORRUPTION_NAMES,
    CORRUPTION_VERSION,
    SUBSET_SIZE,
    evaluated_positions,
    evaluated_size,
    parse_corruptions,
)
from bench.errors import SuiteError, UsageError
from bench.plan import plan_jobs
from bench.plan.loader import parse_suite
from bench.reports.robustness import effective_robustness, probit
from bench.results.record import STATUS_OK, JobIdentity, RunRecord, bits_to_correct, correct_bits
from bench.results.store import read_record, save_record
from bench.results.validate import check_record
from bench.stats import fit_line

IDENTITY = dict(model="m", model_version="1", params={"a": 1}, dataset="mnist",
                dataset_sha256={"f": "abc"}, seed=3, profile="smoke", train_size=10, test_size=5)


def test_the_key_is_unchanged_without_corruptions_and_changed_with_them():
    canonical = json.dumps(IDENTITY, sort_keys=True, separators=(",", ":"))  # the old rule
    old = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    assert JobIdentity(**IDENTITY).key.endswith(old)
    assert JobIdentity(**IDENTITY, corruptions=None).key.endswith(old)
    one = JobIdentity(**IDENTITY, corruptions=("rotate",), corruption_version=1)
    assert not one.key.endswith(old)
    assert one.key != JobIdentity(**IDENTITY, corruptions=("rotate",), corruption_version=2).key
    assert one.key != JobIdentity(**IDENTITY, corruptions=("shear",), corruption_version=1).key


def corrupted_record(**changes) -> RunRecord:
    correct = np.array([True, False, True, True, False])
    fields = dict(test_accuracy=0.8, train_accuracy=0.9, test_predictions="12345",
                  corrupted={"rotate": {"accuracy": 0.6, "correct": correct_bits(correct)}},
                  corruption_seconds=0.5, **changes)
    job = JobIdentity(**IDENTITY, corruptions=("rotate",), corruption_version=CORRUPTION_VERSION)
    return RunRecord.for_job(job, STATUS_OK, **fields)


def test_a_record_with_corrupted_results_round_trips(tmp_path):
    record = corrupted_record()
    back = read_record(save_record(tmp_path, record))
    assert back == record and back.job.corruptions == ("rotate",) and back.key == record.key
    bits = base64.b64decode(back.corrupted["rotate"]["correct"])
    assert np.unpackbits(np.frombuffer(bits, np.uint8), count=5).tolist() == [1, 0, 1, 1, 0]
    assert check_record(stored()) == []


def stored() -> dict:
    return json.loads(json.dumps(corrupted_record().to_dict()))


@pytest.mark.parametrize("corrupted", [
    "rotate", [1], {"rotate": {"accuracy": 0.6}},
    {"rotate": {"accuracy": 2.0, "correct": "sA=="}},
    {"rotate": {"accuracy": 0.6, "correct": "not base64!"}},
    {"rotate": {"accuracy": 0.6, "correct": "sLA="}},  # two bytes for five images
    {"rotate": {"accuracy": 0.4, "correct": "sA=="}},  # three of five set, not two
    {"shear": {"accuracy": 0.6, "correct": "sA=="}},  # not the record's corruption
    {"../x": {"accuracy": 0.6, "correct": "sA=="}},
])
def test_hostile_corrupted_results_are_refused(corrupted):
    data = stored()
    assert data["corrupted"]["rotate"]["correct"] == "sA=="
    data["corrupted"] = corrupted
    assert any("corrupted" in p for p in check_record(data))


@pytest.mark.parametrize("field, value", [("corruptions", "rotate"), ("corruptions", ["a/b"]),
                                          ("corruption_version", -1),
                                          ("corruption_seconds", "fast")])
def test_hostile_corruption_fields_are_refused(field, value):
    data = stored()
    data[field] = value
    assert any(p.startswith(field) for p in check_record(data))


def test_corruption_sets_are_parsed_and_checked():
    assert parse_corruptions("none") == parse_corruptions([]) == ()
    assert parse_corruptions("default") == CORRUPTION_NAMES
    assert parse_corruptions(" rotate,shear,rotate") == ("rotate", "shear")
    with pytest.raises(UsageError, match="'rotat'.*Did you mean 'rotate'"):
        parse_corruptions("rotat")
    with pytest.raises(UsageError, match="corruptions must be"):
        parse_corruptions(5)


def test_only_headline_jobs_get_the_corruptions_of_the_suite_or_the_option():
    plain = plan_jobs()  # the reference suite says corruptions = "default"
    assert {j.corruptions for j in plain if j.role == "headline"} == {CORRUPTION_NAMES}
    assert all(j.corruptions is None for j in plain if j.role != "headline")
    assert all(j.corruptions is None for j in plan_jobs(suite="default"))
    assert all(j.corruptions is None for j in plan_jobs(["keras-mlp"]))
    jobs = plan_jobs(["logistic-regression"], corruptions="rotate,edges", train_size=100)
    assert {j.corruptions for j in jobs} == {None}  # learning-curve points
    jobs = plan_jobs(suite="default", corruptions="default")
    assert {j.corruptions for j in jobs if j.role == "headline"} == {CORRUPTION_NAMES}
    assert {j.corruption_version for j in jobs if j.role == "headline"} == {CORRUPTION_VERSION}
    assert {j.corruptions for j in jobs if j.role != "headline"} == {None}
    zoo = plan_jobs(suite=parse_suite('include = ["xiao2017"]\ncorruptions = ["inverse"]',
                                      "s.toml", "s"))
    assert {j.corruptions for j in zoo} == {("inverse",)}  # an included suite's jobs too


def test_suites_say_corruptions_and_a_bad_one_is_located():
    text = 'corruptions = "default"\n[[models]]\nmodel = "logistic-regression"\n'
    assert parse_suite(text, "s.toml", "s").corruptions == CORRUPTION_NAMES
    with pytest.raises(SuiteError, match=r"s.toml, line 1, key corruptions: unknown .*'fog'"):
        parse_suite(text.replace('"default"', '["rotate", "fog"]'), "s.toml", "s")


def test_the_command_line_option_and_listing(capsys):
    assert main(["run-all", "--corruptions", "fog", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "unknown corruption 'fog'" in err and "Traceback" not in err
    assert main(["list", "--corruptions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(CORRUPTION_NAMES) and "rotate  [affine] +-23 deg" in lines[6]


def test_the_line_and_effective_robustness_match_a_brute_force_fit():
    from scipy.stats import norm, t

    clean = np.array([0.80, 0.90, 0.95, 0.97, 0.99])
    shifted = np.array([0.40, 0.55, 0.62, 0.70, 0.66])
    found = effective_robustness(clean, shifted, 10_000)
    x, y = probit(clean, 10_000), probit(shifted, 10_000)
    design = np.column_stack([np.ones_like(x), x])
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    s2 = np.sum((y - design @ beta) ** 2) / (len(x) - 2)
    inverse = np.linalg.inv(design.T @ design)
    for i, estimate in enumerate(found):
        row = design[i]
        centre = row @ beta
        half = t.ppf(0.975, len(x) - 2) * np.sqrt(s2 * (1 + row @ inverse @ row))
        assert estimate.value == pytest.approx(shifted[i] - norm.cdf(centre))
        assert (estimate.low, estimate.high) == pytest.approx(
            (shifted[i] - norm.cdf(centre + half), shifted[i] - norm.cdf(centre - half)))
        band = fit_line(x, y)(x[i])[1]
        assert band == pytest.approx(t.ppf(0.975, len(x) - 2) * np.sqrt(s2 * row @ inverse @ row))
    assert effective_robustness(clean[:2], shifted[:2], 10_000) is None
    assert fit_line([0.5, 0.5, 0.5], [1, 2, 3]) is None


def test_an_expensive_predictor_evaluates_a_fixed_stratified_subset():
    assert evaluated_size(10_000, 59.0, 10.0) == 10_000  # under a minute
    assert evaluated_size(10_000, 400.0, 1_000.0) == 10_000  # under half the job's time
    assert evaluated_size(10_000, 400.0, 100.0) == SUBSET_SIZE == 1_000
    assert evaluated_size(600, 400.0, 100.0) == 600
    labels = np.repeat(np.arange(10), 1_000)[np.random.default_rng(0).permutation(10_000)]
    at = evaluated_positions(labels, SUBSET_SIZE)
    assert np.bincount(labels[at]).tolist() == [100] * 10
    assert np.array_equal(at, evaluated_positions(labels.copy(), SUBSET_SIZE))
    assert np.array_equal(evaluated_positions(labels, 10_000), np.arange(10_000))


def test_corrupted_bits_count_the_subset_the_record_names():
    data = stored()
    data["corruption_test_size"] = 3
    data["corrupted"]["rotate"] = {"accuracy": 2 / 3, "correct": correct_bits([1, 0, 1])}
    assert check_record(data) == []
    assert bits_to_correct(data["corrupted"]["rotate"]["correct"], 3).tolist() == [1, 0, 1]
    for size in (2, 6):  # not the bits' count; more than the test predictions
        assert any("corrupted" in p for p in check_record({**data, "corruption_test_size": size}))


def test_a_job_that_did_not_finish_needs_no_corrupted_results():
    data = {**stored(), "status": "failed", "corrupted": None, "test_predictions": None}
    assert check_record(data) == []


@pytest.mark.parametrize("expensive", [False, True])
def test_the_runner_records_the_images_each_corruption_was_evaluated_on(monkeypatch, expensive):
    from bench.data import Dataset, corruptions
    from bench.plan.jobs import Job
    from bench.runner import execution

    rng = np.random.default_rng(0)
    y = np.tile(np.arange(10, dtype=np.uint8), 20)
    x = (rng.random((200, 28, 28)) * 60 + y[:, None, None] * 19).astype(np.uint8)
    fake = Dataset("mnist", tuple("0123456789"), x, y, x[:100], y[:100], "synthetic")
    monkeypatch.setattr(execution, "load_dataset", lambda name: fake)
    monkeypatch.setattr(corruptions, "SUBSET_SIZE", 30)
    monkeypatch.setattr(corruptions, "EXPENSIVE_SECONDS", -1.0 if expensive else 1e9)
    monkeypatch.setattr(corruptions, "EXPENSIVE_SHARE", 0.0)
    execution.corrupted_test_set.cache_clear()
    try:
        record = execution.execute_job(Job("logistic-regression", "1", {}, "mnist", {}, 0,
                                           "smoke", 200, 100, ("rotate", "inverse"), 1))
    finally:
        execution.corrupted_test_set.cache_clear()
    assert record.status == STATUS_OK, record.error
    size = 30 if expensive else 100
    assert record.corruption_test_size == size and record.corruption_seconds > 0
    assert check_record(json.loads(json.dumps(record.to_dict()))) == []
    assert len(bits_to_correct(record.corrupted["rotate"]["correct"], size)) == size
