"""Planning: profiles (data budgets), suites (TOML files, ``docs/suites.md``; built-ins in
``bench list --suites``) and the one planner, :func:`plan_jobs`, that turns them into jobs."""

from bench.plan.grid import grid_points, parse_grid_options
from bench.plan.jobs import Job, build_plan, plan_jobs
from bench.plan.loader import builtin_suites, find_suite, load_suite, parse_suite
from bench.plan.suite import Suite, SuiteEntry, Variant, check_seed, expand, restrict

__all__ = [
    "Job", "Suite", "SuiteEntry", "Variant", "build_plan", "builtin_suites", "check_seed",
    "expand", "find_suite", "grid_points", "load_suite", "parse_grid_options", "parse_suite",
    "plan_jobs", "restrict",
]
