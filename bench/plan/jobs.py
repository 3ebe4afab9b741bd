"""Plans: the jobs (model x dataset x seed x training size) that a command runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.errors import UsageError, did_you_mean
from bench.plan.profiles import LEARNING_CURVE_SIZES, Profile, curve_effort, get_profile
from bench.plugins.contract import N_CLASSES
from bench.plugins.params import describe_params
from bench.plugins.registry import ModelSpec
from bench.results.record import ROLE_ADHOC, ROLE_CURVE, ROLE_HEADLINE, ROLE_SWEEP, JobIdentity

DEFAULT_SEEDS = (0, 1, 2)


@dataclass(frozen=True)
class Job(JobIdentity):
    """One training run: its identity (``key`` hashes it) and how the plan labels it."""

    role: str = ROLE_HEADLINE
    #: For an import-path model, the fingerprint of the class declaration the plan used
    #: (``bench.plugins.declarations``); checked against the live class before anything is trained.
    class_fingerprint: str | None = None

    @property
    def label(self) -> str:
        size = f" n={self.train_size}" if self.role != ROLE_HEADLINE else ""
        return f"{self.model} on {self.dataset} seed {self.seed}{size}"


def split_overrides(
    overrides: dict[str, str], specs: Sequence[ModelSpec], option: str = "--set"
) -> dict[str, dict[str, str]]:
    """Route ``--set`` values to models: ``model.param=v`` to one, ``param=v`` to all that have it
    (``option`` names the command-line option in errors, e.g. ``--grid``)."""
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
    """The error for a parameter no selected model has: the closest name, every model's
    parameters, and where the pass-through ones are listed."""
    import difflib

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


def build_plan(
    specs: Sequence[ModelSpec],
    datasets: Sequence[str],
    seeds: Iterable[int],
    profile: Profile,
    overrides: dict[str, str] | None = None,
    train_size: int | None = None,
    learning_curve: bool | None = None,
) -> list[Job]:
    """Every model x dataset x seed, plus the learning-curve sweep where the profile has one.

    ``train_size`` replaces the profile's training-set size (the jobs' role is then ``adhoc``);
    ``learning_curve`` forces the sweep on or off.
    """
    from bench.data import expected_checksums

    if train_size is not None and not N_CLASSES <= train_size <= profile.train_size:
        raise UsageError(f"--train-size must be between {N_CLASSES} (one image per class) and "
                         f"{profile.train_size} for profile {profile.name!r}, got {train_size}.")
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    routed = split_overrides(overrides or {}, specs)
    sweep = profile.learning_curve if learning_curve is None else learning_curve
    jobs: list[Job] = []
    for spec in specs:
        params = _profile_params(spec, profile, routed[spec.name])
        sizes = [(train_size or profile.train_size,
                  ROLE_HEADLINE if train_size is None else ROLE_ADHOC, params, seeds)]
        if sweep and spec.learning_curve and train_size is None:
            sizes += [(n, ROLE_CURVE, _curve_params(spec, profile, routed[spec.name], n), seeds)
                      for n in LEARNING_CURVE_SIZES if n < profile.train_size]
        if sweep and train_size is None:
            sizes += [(profile.train_size, ROLE_SWEEP, p, s)
                      for p, s in _epoch_sweeps(spec, profile, routed[spec.name], seeds)]
        for dataset in datasets:
            checksums = expected_checksums(dataset)
            for size, role, job_params, job_seeds in sizes:
                for seed in job_seeds:
                    jobs.append(Job(spec.name, spec.version, job_params, dataset, checksums,
                                    seed, profile.name, size, profile.test_size, role))
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


def _epoch_sweeps(spec: ModelSpec, profile: Profile, overrides: dict[str, str],
                  seeds: list[int]) -> list[tuple[dict, list[int]]]:
    """(parameters, seeds) of the profile's long per-epoch sweeps of ``spec``."""
    out = []
    for entry in profile.epoch_sweeps:
        if entry.model != spec.name or spec.epochs_param is None:
            continue
        if spec.epochs_param in overrides:
            continue
        params = spec.resolve({**overrides, spec.epochs_param: entry.epochs})
        out.append((params, seeds if entry.seeds is None else seeds[:entry.seeds]))
    return out


def _profile_params(spec: ModelSpec, profile: Profile, overrides: dict[str, str]) -> dict:
    """Resolved parameters: defaults, the profile's epoch cap, then the user's overrides."""
    merged: dict[str, Any] = {}
    if profile.epochs is not None and spec.epochs_param and spec.epochs_param not in overrides:
        merged[spec.epochs_param] = min(profile.epochs, spec.defaults[spec.epochs_param])
    merged.update(overrides)
    return spec.resolve(merged)


def plan_jobs(models: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
              seeds: Sequence[int] = DEFAULT_SEEDS, profile: str = "full",
              overrides: dict[str, str] | None = None, train_size: int | None = None,
              learning_curve: bool | None = None) -> list[Job]:
    """The jobs of a run, without running anything (no data loaded, no framework imported)."""
    from bench.data import DATASET_NAMES
    from bench.plugins.registry import available_models, get_model

    specs = [get_model(m) for m in models] if models else available_models()
    if not specs:
        raise UsageError("no models to run: the registry is empty (is the harness installed? "
                         "run `pip install -e .`).")
    chosen = list(datasets) if datasets else list(DATASET_NAMES)
    for name in chosen:
        if name not in DATASET_NAMES:
            raise UsageError(f"unknown dataset {name!r}. {did_you_mean(name, list(DATASET_NAMES))}")
    return build_plan(specs, chosen, seeds, get_profile(profile), overrides, train_size,
                      learning_curve)
