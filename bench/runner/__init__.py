"""The runner: plans of jobs, their execution, and the result store."""

from bench.results import SCHEMA_VERSION, STATUSES, RunRecord, load_frame, load_records
from bench.runner.plan import DEFAULT_SEEDS, Job, build_plan
from bench.runner.profiles import PROFILES, Profile, get_profile
from bench.runner.session import (
    ExecutionConfig,
    RunSummary,
    execute,
    plan_jobs,
    run_all,
    run_one,
)

__all__ = [
    "DEFAULT_SEEDS", "PROFILES", "SCHEMA_VERSION", "STATUSES", "ExecutionConfig", "Job",
    "Profile", "RunRecord", "RunSummary", "build_plan", "execute", "get_profile",
    "load_frame", "load_records", "plan_jobs", "run_all", "run_one",
]
