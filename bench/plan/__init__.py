"""Experiment suites: TOML files naming models, parameter values or grids, datasets, seeds
and profile, expanded into runner jobs. See ``docs/suites.md`` for the file format.

Built-in suites (``bench list --suites``): ``default``, ``xiao2017``, ``xiao2017-grid``.
"""

from bench.plan.grid import grid_points, parse_grid_options
from bench.plan.loader import builtin_suites, find_suite, load_suite, parse_suite
from bench.plan.planning import implicit_suite, plan_run_all, plan_suite
from bench.plan.suite import Suite, SuiteEntry, Variant, expand, match_entry, restrict

__all__ = [
    "Suite", "SuiteEntry", "Variant", "builtin_suites", "expand", "find_suite", "grid_points",
    "implicit_suite", "load_suite", "match_entry", "parse_grid_options", "parse_suite",
    "plan_run_all", "plan_suite", "restrict",
]
