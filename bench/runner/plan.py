"""Plans: the jobs (model x dataset x seed x training size) that a command runs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.errors import UsageError
from bench.params import describe_params
from bench.registry import ModelSpec
from bench.runner.profiles import LEARNING_CURVE_SIZES, Profile, curve_effort

DEFAULT_SEEDS = (0, 1, 2)


@dataclass(frozen=True)
class Job:
    """Everything that defines one training run; ``key`` hashes all of it."""

    model: str
    model_version: str
    params: dict[str, Any] = field(hash=False)
    dataset: str
    dataset_sha256: dict[str, str] = field(hash=False)
    seed: int
    profile: str
    train_size: int
    test_size: int
    learning_curve: bool = False

    @property
    def identity(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "model_version": self.model_version,
            "params": self.params,
            "dataset": self.dataset,
            "dataset_sha256": self.dataset_sha256,
            "seed": self.seed,
            "profile": self.profile,
            "train_size": self.train_size,
            "test_size": self.test_size,
        }

    @property
    def key(self) -> str:
        """``<model>__<dataset>__<profile>__n<train>__s<seed>__<hash>``: stable and readable."""
        canonical = json.dumps(self.identity, sort_keys=True, default=list, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
        return (f"{self.model}__{self.dataset}__{self.profile}__n{self.train_size}"
                f"__s{self.seed}__{digest}")

    @property
    def label(self) -> str:
        size = f" n={self.train_size}" if self.learning_curve else ""
        return f"{self.model} on {self.dataset} seed {self.seed}{size}"


def split_overrides(
    overrides: dict[str, str], specs: Sequence[ModelSpec]
) -> dict[str, dict[str, str]]:
    """Route ``--set`` values to models: ``model.param=v`` to one, ``param=v`` to all that have it."""
    names = {s.name for s in specs}
    routed: dict[str, dict[str, str]] = {s.name: {} for s in specs}
    for name, value in overrides.items():
        model, dot, param = name.rpartition(".")
        if dot and model in names:
            routed[model][param] = value
            continue
        if dot and model:
            raise UsageError(f"--set {name}: {model!r} is not one of the selected models "
                             f"({', '.join(sorted(names))}).")
        takers = [s for s in specs if any(p.name == name for p in s.params)]
        if not takers:
            listing = "\n".join(f"{s.name}:\n{describe_params(s.params)}" for s in specs)
            raise UsageError(f"no selected model has a parameter {name!r}. Valid parameters "
                             f"(name: type = default):\n{listing}")
        for spec in takers:
            routed[spec.name][name] = value
    return routed


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

    ``train_size`` replaces the profile's training-set size (the jobs are then marked as
    learning-curve points); ``learning_curve`` forces the sweep on or off.
    """
    from bench.data import expected_checksums

    if train_size is not None and not 0 < train_size <= profile.train_size:
        raise UsageError(f"--train-size must be between 1 and {profile.train_size} for profile "
                         f"{profile.name!r}, got {train_size}.")
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    routed = split_overrides(overrides or {}, specs)
    sweep = profile.learning_curve if learning_curve is None else learning_curve
    jobs: list[Job] = []
    for spec in specs:
        params = _profile_params(spec, profile, routed[spec.name])
        sizes = [(train_size or profile.train_size, train_size is not None, params, seeds)]
        if sweep and spec.learning_curve and train_size is None:
            sizes += [(n, True, _curve_params(spec, profile, routed[spec.name], n), seeds)
                      for n in LEARNING_CURVE_SIZES if n < profile.train_size]
        if sweep and train_size is None:
            sizes += [(profile.train_size, True, p, s)
                      for p, s in _epoch_sweeps(spec, profile, routed[spec.name], seeds)]
        for dataset in datasets:
            checksums = expected_checksums(dataset)
            for size, is_curve, job_params, job_seeds in sizes:
                for seed in job_seeds:
                    jobs.append(Job(spec.name, spec.version, job_params, dataset, checksums,
                                    seed, profile.name, size, profile.test_size, is_curve))
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
