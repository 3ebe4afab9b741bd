"""An entry's own `seeds` replace the suite's for that entry; --seeds replaces both."""

import pytest

from bench.errors import SuiteError
from bench.plan import plan_jobs

SUITE = """
name = "s"
profile = "smoke"
datasets = ["mnist"]
seeds = [0, 1, 2]

[[models]]
model = "logistic-regression"

[[models]]
model = "random-forest"
seeds = [7]
"""


def _seeds(jobs, model):
    return sorted(j.seed for j in jobs if j.model == model)


def test_an_entry_with_its_own_seeds_runs_those_only(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SUITE)
    jobs = plan_jobs(suite=str(path))
    assert _seeds(jobs, "logistic-regression") == [0, 1, 2]
    assert _seeds(jobs, "random-forest") == [7]


def test_command_line_seeds_replace_every_entrys_seeds(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SUITE)
    jobs = plan_jobs(suite=str(path), seeds=[4])
    assert _seeds(jobs, "logistic-regression") == [4]
    assert _seeds(jobs, "random-forest") == [4]


def test_a_bad_entry_seed_is_refused_with_its_place(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SUITE.replace("seeds = [7]", "seeds = [-1]"))
    with pytest.raises(SuiteError, match="seed"):
        plan_jobs(suite=str(path))
