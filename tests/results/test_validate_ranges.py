"""Numbers read from disk are range-checked once, where records and run-info are validated
(issue 24): integers too large for a float and absurd amounts are problems, not crashes."""

from __future__ import annotations

import json

import pytest

from bench.errors import ResultsError
from bench.results.run_info import read_run_info
from bench.results.store import read_record
from bench.results.validate import check_record, check_run_info


def _record() -> dict:
    return {"key": "m__mnist__smoke__s0", "model": "m", "dataset": "mnist", "profile": "smoke",
            "seed": 0, "status": "failed", "params": {}}


@pytest.mark.parametrize("field, value", [
    ("wall_seconds", 1e308), ("fit_seconds", 10**400), ("train_size", 2**64),
    ("seed", 2**32), ("peak_memory_mb", -1.0)])
def test_an_out_of_range_number_in_a_record_is_a_problem(field, value):
    problems = check_record({**_record(), field: value})
    assert any(p.startswith(f"{field} must be") for p in problems), problems


def test_a_record_file_with_a_huge_integer_is_one_results_error(tmp_path):
    path = tmp_path / "m__mnist__smoke__s0.json"
    path.write_text(json.dumps(_record())[:-1] + ', "fit_seconds": ' + "9" * 5000 + "}")
    with pytest.raises(ResultsError, match="fit_seconds must be|not valid JSON"):
        read_record(path)


@pytest.mark.parametrize("field, value", [("wall_seconds", 1e308), ("jobs", 10**400),
                                          ("seeds", [2**64])])
def test_an_out_of_range_number_in_run_info_is_a_problem(field, value):
    assert any(p.startswith(f"{field} must be") for p in check_run_info({field: value}))


def test_run_info_with_a_huge_number_is_skipped(tmp_path):
    (tmp_path / "run-info-smoke.json").write_text('{"profile": "smoke", "wall_seconds": 1e308}')
    with pytest.warns(UserWarning, match="wall_seconds must be"):
        assert read_run_info(tmp_path, "smoke") is None
