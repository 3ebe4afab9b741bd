"""The runner: plans of jobs and their execution; records go to ``bench.results``.

It never imports the reports: ``bench.api`` composes "run, then report".
"""

from bench.runner.batch import ExecutionConfig, RunSummary, execute
from bench.runner.plan import DEFAULT_SEEDS, Job, build_plan, plan_jobs
from bench.runner.profiles import PROFILES, Profile, get_profile

__all__ = [
    "DEFAULT_SEEDS", "PROFILES", "ExecutionConfig", "Job", "Profile", "RunSummary",
    "build_plan", "execute", "get_profile", "plan_jobs",
]
