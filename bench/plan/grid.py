"""Parameter grids: every combination of a few candidate values per parameter. On the command
line ``--grid NAME=VALUE [VALUE ...]`` takes one shell word per value, so a comma stays inside
a value (``--grid hidden_units=256,128 512`` is two tuple values)."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bench.errors import UsageError

#: What a ``NAME`` or ``MODEL.NAME`` looks like: a second ``NAME=VALUE`` word inside one --grid is
#: a mistake (each parameter needs its own --grid), not a value.
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*")

MAX_PLAN_JOBS = 10_000
"""The most jobs one plan may hold: far above any real sweep (``xiao2017-grid`` has ~1,300)."""


def grid_size(grid: Mapping[str, Sequence[Any]]) -> int:
    """How many points ``grid`` has: the product of its value counts (1 for an empty grid)."""
    return math.prod(len(values) for values in grid.values())


def check_plan_size(jobs: int, what: str) -> None:
    """Refuse a plan of more than :data:`MAX_PLAN_JOBS` jobs, before building any of them."""
    if jobs > MAX_PLAN_JOBS:
        raise UsageError(f"{what} asks for up to {jobs:,} jobs (parameter combinations x datasets x "
                         f"seeds), more than the cap of {MAX_PLAN_JOBS:,} jobs in one plan; use "
                         "fewer grid values, models, datasets or seeds, or split the sweep into "
                         "several runs.")


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The cartesian product of ``grid``'s values as dicts, the last name varying fastest (an
    empty grid has one point, ``{}``)."""
    names = list(grid)
    return [dict(zip(names, values, strict=True))
            for values in itertools.product(*(grid[name] for name in names))]


def parse_grid_options(options: Sequence[Sequence[str]] | None) -> dict[str, list[str]]:
    """``[["C=0.1", "1", "10"], ...]`` (from ``--grid C=0.1 1 10``) to ``{"C": ["0.1", "1", "10"]}``."""
    grid: dict[str, list[str]] = {}
    for words in options or []:
        first = words[0] if words else ""
        name, sep, value = first.partition("=")
        name = name.strip()
        if not sep or not name or not value.strip():
            raise UsageError(f"bad --grid {' '.join(words)!r}: expected NAME=VALUE [VALUE ...], "
                             "one shell word per value, e.g. --grid C=0.1 1 10 or "
                             "--grid hidden_units=256,128 512.")
        if name in grid:
            raise UsageError(f"--grid {name} is given twice; list all its values after one "
                             f"--grid {name}=...")
        for i, word in enumerate(words[1:], start=1):
            other, is_assignment, other_value = word.partition("=")
            if not (is_assignment and _PARAM_NAME.fullmatch(other.strip())):
                continue
            before = " ".join([first, *words[1:i]])
            if other.strip() == name:
                fix = f"write the name once: --grid {before} {other_value}"
            else:
                rest = " ".join(words[i:])
                fix = f"give {other.strip()} its own --grid: --grid {before} --grid {rest}"
            raise UsageError(f"bad --grid {' '.join(words)!r}: {word!r} is not a value of "
                             f"{name}; one --grid sweeps one parameter, so {fix}.")
        grid[name] = [value, *words[1:]]
    return grid


def check_no_overlap(overrides: Mapping[str, Any], grid: Mapping[str, Any]) -> None:
    """A parameter is either fixed (``--set``) or swept (``--grid``), not both."""
    both = sorted(set(overrides) & set(grid))
    if both:
        raise UsageError(f"{', '.join(both)} given both by --set and --grid; keep one.")
