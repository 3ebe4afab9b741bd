"""From a suite to runner jobs: resolve each model, check each value, build the plan.

Command-line ``--set`` values and ``--grid`` sweeps apply on top of every entry (routed like
``--set`` in ``run-all``: ``param=v`` to each model that has it, ``model.param=v`` to one) and
win over the suite's own values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.errors import BenchError, SuiteError, UsageError
from bench.plan.grid import check_no_overlap, check_plan_size, grid_points, grid_size
from bench.plan.jobs import DEFAULT_SEEDS, Job, build_plan, plan_jobs, split_overrides
from bench.plan.loader import suite_error
from bench.plan.profiles import get_profile
from bench.plan.suite import Suite, SuiteEntry, expand
from bench.plugins.registry import ModelSpec


def implicit_suite(models: Sequence[str] | None = None) -> Suite:
    """The suite a plain ``run-all`` runs: the given models (all registered ones by default)."""
    from bench.plugins.registry import available_models

    names = list(models) if models else [spec.name for spec in available_models()]
    if not names:
        raise SuiteError("no models to run: the registry is empty (is the harness installed? "
                         "run `pip install -e .`).")
    return Suite("run-all", tuple(SuiteEntry(name, index=i) for i, name in enumerate(names)))


def plan_run_all(models: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
                 seeds: Sequence[int] = DEFAULT_SEEDS, profile: str = "full",
                 overrides: dict[str, str] | None = None, train_size: int | None = None,
                 ) -> list[Job]:
    """The jobs of a plain ``run-all``: the registered models' plan (``plan_jobs``), plus the
    built-in suites the profile names (``Profile.suites``, the model zoo of the reference run,
    each with its own seeds) unless models, ``--set`` values or a training size narrow the run."""
    from bench.plan.loader import find_suite

    jobs = {job.key: job for job in plan_jobs(models, datasets, seeds, profile, overrides,
                                               train_size)}
    if not (models or overrides or train_size is not None):
        for name in get_profile(profile).suites:
            for job in plan_suite(find_suite(name), profile, datasets):
                jobs.setdefault(job.key, job)
    return list(jobs.values())


def plan_suite(
    suite: Suite,
    profile: str | None = None,
    datasets: Sequence[str] | None = None,
    seeds: Sequence[int] | None = None,
    overrides: Mapping[str, Any] | None = None,
    grid: Mapping[str, Sequence[Any]] | None = None,
    train_size: int | None = None,
    include_heavy: bool = False,
) -> list[Job]:
    """The suite's jobs, without running anything; arguments given here replace the suite's.

    Raises :class:`SuiteError` naming the suite file, line and key for an unknown model or a
    bad parameter value.
    """
    from bench.data import DATASET_NAMES

    chosen_profile = get_profile(profile or suite.profile or "full")
    chosen_datasets = list(datasets or suite.datasets or DATASET_NAMES)
    chosen_seeds = list(seeds if seeds is not None else suite.seeds or DEFAULT_SEEDS)
    overrides, grid = dict(overrides or {}), dict(grid or {})
    check_no_overlap(overrides, grid)
    check_plan_size(_configurations(suite, include_heavy) * grid_size(grid)
                    * len(chosen_datasets) * len(chosen_seeds),
                    _plan_name(suite, bool(grid)))

    specs = {entry.model: _checked_spec(suite, entry) for entry in suite.entries}
    variants = expand(suite, include_heavy)
    if not variants:
        raise SuiteError(f"every entry of suite {suite.name!r} is heavy; add --include-heavy "
                         "to run them.")
    selected = list({specs[v.model].name: specs[v.model] for v in variants}.values())
    jobs: dict[str, Job] = {}
    fixed = split_overrides(overrides, selected)
    for point in grid_points(grid):
        swept = split_overrides(point, selected, option="--grid")
        for variant in variants:
            spec = specs[variant.model]
            params = {**variant.params, **fixed[spec.name], **swept[spec.name]}
            try:
                planned = build_plan([spec], chosen_datasets, chosen_seeds, chosen_profile,
                                     params, train_size, suite.learning_curve)
            except UsageError as exc:
                raise _with_comma_hint(exc, point) from None
            for job in planned:
                jobs.setdefault(job.key, job)
    return list(jobs.values())


def _with_comma_hint(exc: UsageError, point: Mapping[str, Any]) -> UsageError:
    """A refused ``--grid`` value holding a comma (``--grid epochs=5,10``) most likely meant
    several values: say how to write them (a comma stays inside one value, for tuples)."""
    for name, value in point.items():
        if isinstance(value, str) and "," in value and f"bad value {value!r}" in str(exc):
            words = " ".join(v.strip() for v in value.split(","))
            return type(exc)(f"{exc}\n--grid takes one shell word per value (a comma stays "
                             f"inside a value, for tuple parameters): to sweep {name} over "
                             f"these values write --grid {name}={words}.")
    return exc


def _plan_name(suite: Suite, with_grid: bool) -> str:
    """How an error names the plan: the suite, or ``--grid`` over a plain ``run-all``."""
    if suite.source is None and suite.name == "run-all":
        return "--grid"
    return f"suite {suite.name!r}" + (" with --grid" if with_grid else "")


def _configurations(suite: Suite, include_heavy: bool) -> int:
    """How many (model, parameters) pairs the suite's entries make, at most (no expansion)."""
    return sum(grid_size(e.grid) for e in suite.entries if include_heavy or not e.heavy)


def _checked_spec(suite: Suite, entry: SuiteEntry) -> ModelSpec:
    """The entry's model spec, after checking each of its values on its own (to name the key)."""
    from bench.plugins.registry import get_model

    at = ("models", entry.index)
    try:
        spec = get_model(entry.model)
    except BenchError as exc:
        raise suite_error(suite.source, (*at, "model"), str(exc)) from None
    checks = [(("params", name), value) for name, value in entry.params.items()]
    checks += [(("grid", name), value) for name, values in entry.grid.items() for value in values]
    for (section, name), value in checks:
        try:
            spec.resolve({name: value})
        except BenchError as exc:
            raise suite_error(suite.source, (*at, section, name), str(exc)) from None
    return spec
