"""The committed results are exactly one plain ``run-all``'s jobs, each with its plan role.

Job keys hash each model's version and resolved parameters: a change to a declaration that
alters a default (or its type, e.g. 5 -> 5.0) would silently orphan every committed result, and
a plan entry without a record means the committed reports were not made from the whole plan.
"""

import json
from collections import defaultdict
from pathlib import Path

import pytest

from bench.plan import plan_jobs

RUNS = Path(__file__).resolve().parents[1] / "results" / "runs"


def committed() -> dict[str, list[dict]]:
    by_profile: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(RUNS.glob("*.json")):
        record = json.loads(path.read_text())
        by_profile[record["profile"]].append(record)
    return by_profile


@pytest.mark.skipif(not any(RUNS.glob("*.json")), reason="no committed results")
def test_the_plan_reproduces_every_committed_job_key_and_nothing_is_missing():
    for profile, records in committed().items():
        planned = {job.key: job for job in plan_jobs(profile=profile)}
        orphans = [r["key"] for r in records if r["key"] not in planned]
        assert not orphans, f"{len(orphans)} committed {profile} results are orphaned: {orphans[:3]}"
        have = {r["key"] for r in records}
        roles = [(r["key"], r.get("role"), planned[r["key"]].role) for r in records
                 if r.get("role") != planned[r["key"]].role]
        assert not roles, f"{len(roles)} committed {profile} results disagree on role: {roles[:3]}"
        missing = [job.label for key, job in planned.items() if key not in have]
        assert not missing, f"{len(missing)} {profile} plan jobs have no record: {missing[:3]}"
