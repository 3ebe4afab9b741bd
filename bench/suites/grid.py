"""Parameter grids: every combination of a few candidate values per parameter.

On the command line a grid is ``--grid NAME=VALUE [VALUE ...]``: one shell word per candidate
value, so a comma stays inside a value (``--grid hidden_units=256,128 512`` is two tuple values)
and nothing needs quoting.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from bench.errors import UsageError


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The cartesian product of ``grid``'s values as dicts; the last name varies fastest.

    An empty grid has one point, the empty dict (no overrides).
    """
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
        grid[name] = [value, *words[1:]]
    return grid


def check_no_overlap(overrides: Mapping[str, Any], grid: Mapping[str, Any]) -> None:
    """A parameter is either fixed (``--set``) or swept (``--grid``), not both."""
    both = sorted(set(overrides) & set(grid))
    if both:
        raise UsageError(f"{', '.join(both)} given both by --set and --grid; keep one.")
