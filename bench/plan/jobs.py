"""Plans: the jobs (model x dataset x seed x training size) that a command runs. The one
planner, :func:`plan_jobs`, serves every command: each plan is a suite expanded into jobs."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.data.corruptions import CORRUPTION_VERSION, parse_corruptions
from bench.data.specs import DATASET_NAMES, N_CLASSES, expected_checksums
from bench.errors import BenchError, SuiteError, UsageError, did_you_mean
from bench.plan.grid import check_no_overlap, check_plan_size, grid_points, grid_size
from bench.plan.loader import find_suite, suite_error
from bench.plan.profiles import LEARNING_CURVE_SIZES, Profile, curve_effort, get_profile
from bench.plan.suite import Suite, SuiteEntry, check_seed, expand, restrict
from bench.plugins.params import describe_params
from bench.plugins.registry import ModelSpec, get_model
from bench.results.record import ROLE_CURVE, ROLE_HEADLINE, ROLE_SWEEP, JobIdentity

DEFAULT_SEEDS = (0, 1, 2)
#: A plain ``run-all``: the built-in models with their learning curve and epoch sweep, and the
#: model zoo. Choosing models, parameters, a grid, a training size or another profile plans
#: the ``default`` suite's settings instead (the built-ins, or the chosen models, no zoo).
REFERENCE_SUITE, DEFAULT_SUITE = "reference", "default"


@dataclass(frozen=True)
class Job(JobIdentity):
    """One training run: its identity (``key`` hashes it) and how the plan labels it."""

    role: str = ROLE_HEADLINE

    @property
    def label(self) -> str:
        size = f" n={self.train_size}" if self.role != ROLE_HEADLINE else ""
        return f"{self.model} on {self.dataset} seed {self.seed}{size}"


def split_overrides(
    overrides: dict[str, str], specs: Sequence[ModelSpec], option: str = "--set"
) -> dict[str, dict[str, str]]:
    """Route ``--set`` values: ``model.param=v`` to that model, ``param=v`` to all having it."""
    names = {s.name for s in specs}
    routed: dict[str, dict[str, str]] = {s.name: {} for s in specs}
    for name, value in overrides.items():
        model, dot, param = name.rpartition(".")
        if dot and model in names:
            routed[model][param] = value
            continue
        if dot and model:
            raise UsageError(f"{option} {name}: {model!r} is not one of the selected models "
                             f"({', '.join(sorted(names))}).")
        takers = [s for s in specs if s.has_param(name)]
        if not takers:
            raise UsageError(_no_such_parameter(name, specs, option))
        for spec in takers:
            routed[spec.name][name] = value
    return routed


def _no_such_parameter(name: str, specs: Sequence[ModelSpec], option: str) -> str:
    """The error for a parameter no selected model has: the closest name and the valid ones."""
    declared = [p.name for s in specs for p in s.params]
    passthrough = [p.name for s in specs for p in s.passthrough_params()]
    close = difflib.get_close_matches(name, dict.fromkeys(declared + passthrough), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    extra = [s.name for s in specs if s.passthrough]
    more = ""
    if extra:
        who = f"{extra[0]} also takes" if len(extra) == 1 else f"{', '.join(extra)} also take"
        more = (f"; {who} the other arguments of the scikit-learn class underneath, listed by "
                f"`bench list {extra[0] if len(extra) == 1 else 'MODEL'}`")
    listing = "\n".join(f"{s.name}:\n{describe_params(s.params)}" for s in specs)
    return (f"{option} {name}: no selected model has a parameter {name!r}.{hint} Valid "
            f"parameters (name: type = default{more}):\n{listing}")


def plan_jobs(models: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
              seeds: Sequence[int] | None = None, profile: str | None = None,
              overrides: Mapping[str, Any] | None = None, train_size: int | None = None, *,
              suite: str | Path | Suite | None = None,
              grid: Mapping[str, Sequence[Any]] | None = None, include_heavy: bool = False,
              one_off: bool = False, corruptions: str | Sequence[str] | None = None,
              ) -> list[Job]:
    """The jobs of a run, without running anything (no data loaded, no framework imported).

    ``suite`` (a built-in name, a TOML file or a :class:`Suite`) gives the models, values,
    datasets, seeds and profile; the arguments narrow or replace them (``overrides`` and
    ``grid`` apply on top of every entry). Without a suite: the ``reference`` suite, or when
    narrowed (models, overrides, grid, ``train_size``, ``one_off``, another profile) the given
    models (else the built-ins) under the ``default`` suite's settings, with no learning curve,
    sweeps or zoo. A ``train_size`` job is a learning-curve point (role ``curve``).
    ``corruptions`` (``"none"``, ``"default"``, names; default: the suite's): the corrupted
    test sets every headline job, included suites' too, is also evaluated on.
    """
    narrowed = bool(models or overrides or grid) or train_size is not None or one_off
    if suite is None:
        if include_heavy:
            raise UsageError("--include-heavy only applies to a --suite.")
        chosen = find_suite(REFERENCE_SUITE)
        if narrowed or profile not in (None, chosen.profile):
            default = find_suite(DEFAULT_SUITE)
            entries = (tuple(SuiteEntry(m, index=i) for i, m in enumerate(models)) if models
                       else default.entries)
            chosen = replace(default, name="run-all", entries=entries, source=None)
    else:
        chosen = suite if isinstance(suite, Suite) else find_suite(suite)
        if models:
            chosen = restrict(chosen, list(models))
    if corruptions is not None:
        chosen = replace(chosen, corruptions=parse_corruptions(corruptions))
    jobs = _plan_suite(chosen, profile, datasets, seeds, dict(overrides or {}), dict(grid or {}),
                       train_size, include_heavy, one_off, narrowed)
    if not jobs:
        raise UsageError(f"suite {chosen.name!r} has no jobs with these options (the suites it "
                         "includes run only under its own profile, without --models, --set, "
                         "--grid or --train-size).")
    return jobs


def _plan_suite(suite: Suite, profile: str | None, datasets: Sequence[str] | None,
                seeds: Sequence[int] | None, overrides: dict[str, Any], grid: dict[str, Any],
                train_size: int | None, include_heavy: bool, one_off: bool,
                narrowed: bool) -> list[Job]:
    """A suite's jobs (see :func:`plan_jobs`), its included suites' after them."""
    chosen_profile = get_profile(profile or suite.profile or "full")
    own = chosen_profile.name == (suite.profile or "full") and train_size is None and not one_off
    chosen_datasets = list(datasets or suite.datasets or DATASET_NAMES)
    for name in chosen_datasets:
        if name not in DATASET_NAMES:
            raise UsageError(f"unknown dataset {name!r}. {did_you_mean(name, list(DATASET_NAMES))}")
    chosen_seeds = [check_seed(s) for s in (seeds if seeds is not None
                                            else suite.seeds or DEFAULT_SEEDS)]
    check_no_overlap(overrides, grid)
    configurations = sum(grid_size(e.grid) for e in suite.entries if include_heavy or not e.heavy)
    check_plan_size(configurations * grid_size(grid) * len(chosen_datasets) * len(chosen_seeds),
                    "--grid" if suite.source is None and suite.name == "run-all" else
                    f"suite {suite.name!r}" + (" with --grid" if grid else ""))

    specs = {entry.model: _checked_spec(suite, entry) for entry in suite.entries}
    variants = expand(suite, include_heavy)
    if suite.entries and not variants:
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
                own_seeds = variant.seeds if seeds is None and variant.seeds else chosen_seeds
                planned = build_plan([spec], chosen_datasets, own_seeds, chosen_profile,
                                     params, train_size, own and suite.learning_curve,
                                     suite.epoch_sweeps if own else {}, suite.corruptions)
            except UsageError as exc:
                raise _with_comma_hint(exc, point) from None
            for job in planned:
                jobs.setdefault(job.key, job)
    for name in suite.include if own and not narrowed else ():
        included = find_suite(name)
        included = replace(included, corruptions=suite.corruptions or included.corruptions)
        for job in _plan_suite(included, chosen_profile.name, datasets, None, {}, {},
                               None, include_heavy, False, False):
            jobs.setdefault(job.key, job)
    return list(jobs.values())


def build_plan(
    specs: Sequence[ModelSpec],
    datasets: Sequence[str],
    seeds: Iterable[int],
    profile: Profile,
    overrides: dict[str, Any] | None = None,
    train_size: int | None = None,
    learning_curve: bool = False,
    epoch_sweeps: Mapping[str, int] | None = None,
    corruptions: Sequence[str] = (),
) -> list[Job]:
    """Every model x dataset x seed (role headline, also evaluated on the ``corruptions``),
    plus with ``learning_curve`` the smaller training sets (curve) and the ``epoch_sweeps``
    (model name to epochs). A ``train_size`` makes the jobs curve points of that size alone."""
    if train_size is not None and not N_CLASSES <= train_size <= profile.train_size:
        raise UsageError(f"--train-size must be between {N_CLASSES} (one image per class) and "
                         f"{profile.train_size} for profile {profile.name!r}, got {train_size}.")
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    routed = split_overrides(overrides or {}, specs)
    extras = train_size is None
    jobs: list[Job] = []
    for spec in specs:
        own = routed[spec.name]
        sizes = [(train_size or profile.train_size, ROLE_HEADLINE if extras else ROLE_CURVE,
                  _profile_params(spec, profile, own))]
        if extras and learning_curve and spec.learning_curve:
            sizes += [(n, ROLE_CURVE, _curve_params(spec, profile, own, n))
                      for n in LEARNING_CURVE_SIZES if n < profile.train_size]
        epochs = (epoch_sweeps or {}).get(spec.name)
        if extras and epochs and spec.epochs_param and spec.epochs_param not in own:
            sizes.append((profile.train_size, ROLE_SWEEP,
                          spec.resolve({**own, spec.epochs_param: epochs})))
        for dataset in datasets:
            checksums = expected_checksums(dataset)
            for size, role, params in sizes:
                shifts = tuple(corruptions) if role == ROLE_HEADLINE and corruptions else None
                jobs += [Job(spec.name, spec.version, params, dataset, checksums, seed,
                             profile.name, size, profile.test_size, shifts,
                             CORRUPTION_VERSION if shifts else None, role) for seed in seeds]
    return jobs


def _curve_params(spec: ModelSpec, profile: Profile, overrides: dict[str, str],
                  size: int) -> dict:
    """A learning-curve point's parameters: equal training effort (``curve_effort``) unless
    the profile caps epochs or the user set epochs or batch size."""
    params = _profile_params(spec, profile, overrides)
    epochs_name = spec.epochs_param
    if (epochs_name is None or profile.epochs is not None or epochs_name in overrides
            or "batch_size" in overrides):
        return params
    batch = spec.defaults.get("batch_size")
    epochs, batch = curve_effort(size, int(spec.defaults[epochs_name]),
                                 int(batch) if isinstance(batch, int) else None)
    merged: dict[str, Any] = {**overrides, epochs_name: epochs}
    if batch is not None:
        merged["batch_size"] = batch
    return spec.resolve(merged)


def _profile_params(spec: ModelSpec, profile: Profile, overrides: dict[str, str]) -> dict:
    """Resolved parameters: defaults, the profile's epoch cap, then the user's overrides."""
    merged: dict[str, Any] = {}
    if profile.epochs is not None and spec.epochs_param and spec.epochs_param not in overrides:
        merged[spec.epochs_param] = min(profile.epochs, spec.defaults[spec.epochs_param])
    merged.update(overrides)
    return spec.resolve(merged)


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


def _checked_spec(suite: Suite, entry: SuiteEntry) -> ModelSpec:
    """The entry's model spec, each of its values checked on its own to name the key in the
    suite file (a suite made from ``--models`` has none: plain errors)."""
    if suite.source is None:
        return get_model(entry.model)
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
