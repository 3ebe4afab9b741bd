"""Suites: a named list of models with parameter values or grids, datasets, seeds and profile.

A suite is plain data (:class:`Suite`, :class:`SuiteEntry`); :func:`expand` turns it into the
(model, parameters) pairs to run without touching the registry, and
:mod:`bench.plan.planning` turns those into runner jobs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bench.plan.grid import grid_points


@dataclass(frozen=True)
class SuiteEntry:
    """One model of a suite.

    ``params`` are fixed values; ``grid`` maps parameter names to candidate values, expanded
    as a product. A ``heavy`` entry is skipped unless asked for; ``stand_in_for`` names the
    heavy entry's model that this (faster) entry replaces in ordinary runs. ``family`` groups
    entries for reports (e.g. the families of Xiao et al. 2017, Table 3).
    """

    model: str
    params: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    heavy: bool = False
    stand_in_for: str | None = None
    family: str | None = None
    note: str = ""
    index: int = 0


@dataclass(frozen=True)
class SuiteSource:
    """Where a suite came from, to point errors at a line."""

    path: str
    text: str


@dataclass(frozen=True)
class Suite:
    """A named experiment: entries plus the datasets, seeds and profile they run under.

    ``None`` for ``datasets``/``seeds``/``profile``/``learning_curve`` means the harness's usual
    default (both datasets, seeds 0-2, profile ``full``, the profile's learning-curve choice).
    """

    name: str
    entries: tuple[SuiteEntry, ...]
    description: str = ""
    datasets: tuple[str, ...] | None = None
    seeds: tuple[int, ...] | None = None
    profile: str | None = None
    learning_curve: bool | None = None
    source: SuiteSource | None = field(default=None, compare=False, repr=False)

    @property
    def heavy_models(self) -> list[str]:
        return [e.model for e in self.entries if e.heavy]


class Variant(NamedTuple):
    """One (model, parameters) pair of an expanded suite; ``entry`` is its position in the file."""

    model: str
    params: dict[str, Any]
    entry: int


def expand(suite: Suite, include_heavy: bool = False) -> list[Variant]:
    """Every entry's fixed parameters merged with each point of its grid, in file order.

    Heavy entries are left out unless ``include_heavy``. Identical pairs appear once.
    """
    variants: list[Variant] = []
    seen: set[str] = set()
    for entry in suite.entries:
        if entry.heavy and not include_heavy:
            continue
        for point in grid_points(entry.grid):
            params = {**entry.params, **point}
            identity = repr((entry.model, sorted(params.items())))
            if identity not in seen:
                seen.add(identity)
                variants.append(Variant(entry.model, params, entry.index))
    return variants


def restrict(suite: Suite, models: list[str]) -> Suite:
    """The suite with only the entries of ``models`` (``run-all --suite S --models M ...``)."""
    from dataclasses import replace

    from bench.errors import SuiteError, did_you_mean

    known = list(dict.fromkeys(e.model for e in suite.entries))
    for name in models:
        if name not in known:
            raise SuiteError(f"--models {name}: not a model of suite {suite.name!r}. "
                             f"{did_you_mean(name, known)}")
    return replace(suite, entries=tuple(e for e in suite.entries if e.model in models))


def match_entry(suite: Suite, model: str, params: dict[str, Any]) -> SuiteEntry | None:
    """The suite entry a result came from: same model, its fixed values and one grid point
    among ``params`` (a record's resolved parameters). Heavy entries count too.

    Lets a report label results by the entry's ``family``, ``heavy`` and ``stand_in_for``.
    """
    for entry in suite.entries:
        if entry.model != model:
            continue
        fixed = all(name in params and _same(params[name], value)
                    for name, value in entry.params.items())
        swept = all(name in params and any(_same(params[name], v) for v in values)
                    for name, values in entry.grid.items())
        if fixed and swept:
            return entry
    return None


def _same(a: Any, b: Any) -> bool:
    """Equal as parameter values: tuples and lists alike, 10 and 10.0 alike, "none" is None."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(b, str) and b.strip().lower() == "none":
        b = None
    if isinstance(a, str) and a.strip().lower() == "none":
        a = None
    numbers = (int, float)
    if (isinstance(a, numbers) and isinstance(b, numbers)
            and not isinstance(a, bool) and not isinstance(b, bool)):
        return float(a) == float(b)
    return type(a) is type(b) and a == b
