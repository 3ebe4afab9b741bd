"""The built-ins' declarations reproduce the job keys of the committed results.

Job keys hash each model's version and resolved parameters: a change to a declaration that
alters a default (or its type, e.g. 5 -> 5.0) would silently orphan every committed result.
"""

import json
from collections import defaultdict
from pathlib import Path

import pytest

from bench.runner.plan import plan_jobs

RUNS = Path(__file__).resolve().parents[1] / "results" / "runs"
BUILTINS = {"keras-mlp", "logistic-regression", "random-forest", "small-cnn"}


def committed() -> dict[str, list[dict]]:
    by_profile: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(RUNS.glob("*.json")):
        record = json.loads(path.read_text())
        if record.get("model") in BUILTINS:
            by_profile[record["profile"]].append(record)
    return by_profile


@pytest.mark.skipif(not any(RUNS.glob("*.json")), reason="no committed results")
def test_plans_reproduce_the_committed_job_keys():
    for profile, records in committed().items():
        seeds = sorted({r["seed"] for r in records})
        models = sorted({r["model"] for r in records})
        keys = {job.key for job in plan_jobs(models, None, seeds, profile)}
        missing = [r["key"] for r in records if r["key"] not in keys]
        assert not missing, f"{len(missing)} committed {profile} results are orphaned: {missing[:3]}"
