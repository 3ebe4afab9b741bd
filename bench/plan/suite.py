"""Suites: plain data naming models with parameter values or grids, datasets, seeds and
profile; :func:`expand` gives their (model, parameters) pairs without touching the registry."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from bench.errors import SuiteError, UsageError, did_you_mean
from bench.plan.grid import grid_points
from bench.results.record import MAX_SEED


def check_seed(seed: Any, what: str = "seed") -> int:
    """``seed`` if it is a whole number from 0 to :data:`MAX_SEED` (the one seed rule of
    command line, suites and API), else a UsageError naming ``what``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise UsageError(f"{what} must be a whole number from 0 to {MAX_SEED}, got {seed!r}.")
    return seed


@dataclass(frozen=True)
class SuiteEntry:
    """One model of a suite: fixed ``params`` and a ``grid`` of candidate values (a product).
    A ``heavy`` entry runs only when asked for; ``stand_in_for`` names the heavy model this
    faster entry replaces. ``family`` groups entries for reports (Xiao et al. 2017, Table 3)."""

    model: str
    params: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    heavy: bool = False
    stand_in_for: str | None = None
    family: str | None = None
    note: str = ""
    index: int = 0
    seeds: tuple[int, ...] | None = None  # this entry's own seeds, else the suite's


@dataclass(frozen=True)
class SuiteSource:
    """Where a suite came from, to point errors at a line."""

    path: str
    text: str


@dataclass(frozen=True)
class Suite:
    """A named experiment: entries plus the datasets, seeds and profile (``None``: both
    datasets, seeds 0-2, ``full``) they run under. Under its own profile and without
    ``--train-size`` it also plans ``learning_curve`` points, the ``epoch_sweeps`` (model name
    to epochs) and the suites it ``include``s; headline jobs also meet the ``corruptions``."""

    name: str
    entries: tuple[SuiteEntry, ...]
    description: str = ""
    datasets: tuple[str, ...] | None = None
    seeds: tuple[int, ...] | None = None
    profile: str | None = None
    learning_curve: bool = False
    epoch_sweeps: dict[str, int] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    corruptions: tuple[str, ...] = ()
    source: SuiteSource | None = field(default=None, compare=False, repr=False)

    @property
    def heavy_models(self) -> list[str]:
        return [e.model for e in self.entries if e.heavy]


class Variant(NamedTuple):
    """One (model, parameters) pair of an expanded suite; ``entry`` is its position in the file."""

    model: str
    params: dict[str, Any]
    entry: int
    seeds: tuple[int, ...] | None = None  # the entry's own seeds, if it has them


def expand(suite: Suite, include_heavy: bool = False) -> list[Variant]:
    """Every entry's fixed parameters merged with each point of its grid, in file order
    (heavy entries only with ``include_heavy``). The planner drops repeated jobs."""
    return [Variant(entry.model, {**entry.params, **point}, entry.index, entry.seeds)
            for entry in suite.entries if include_heavy or not entry.heavy
            for point in grid_points(entry.grid)]


def restrict(suite: Suite, models: list[str]) -> Suite:
    """The suite with only the entries of ``models`` (``run-all --suite S --models M ...``)."""
    known = list(dict.fromkeys(e.model for e in suite.entries))
    for name in models:
        if name not in known:
            raise SuiteError(f"--models {name}: not a model of suite {suite.name!r}. "
                             f"{did_you_mean(name, known)}")
    return replace(suite, entries=tuple(e for e in suite.entries if e.model in models))
