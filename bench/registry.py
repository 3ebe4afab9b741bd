"""The model registry: model plugins by name, loaded from the ``bench.models`` entry points.

Built-in models (the top-level ``models`` package) register through the same entry-point
group as third-party plugins, declared in ``pyproject.toml``::

    [project.entry-points."bench.models"]
    my-model = "my_package.my_module:MODEL"

An entry point names a :class:`ModelSpec` (or a zero-argument callable returning one).
Unpackaged plugins can be added with ``BENCH_PLUGINS=module:ATTR[,module:ATTR...]`` and any
plugin disabled with ``BENCH_DISABLE_PLUGINS=name[,name...]``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Literal

from bench.errors import PluginError, UsageError, did_you_mean
from bench.params import Param, resolve_params

ENTRY_POINT_GROUP = "bench.models"
DISABLE_ENV = "BENCH_DISABLE_PLUGINS"
EXTRA_ENV = "BENCH_PLUGINS"
INPUT_KINDS = ("flat", "image")

InputKind = Literal["flat", "image"]


@dataclass(frozen=True)
class ModelSpec:
    """What a model plugin declares.

    ``build(params, seed)`` returns a fresh, unfitted estimator that keeps the
    scikit-learn protocol (``fit``, ``predict``, ``predict_proba``, ``get_params``).
    ``input_kind`` is ``"flat"`` (784 floats in [0, 1]) or ``"image"`` (28x28x1 floats
    in [0, 1]). Neural models set ``neural=True`` and expose ``history_`` after ``fit``
    (per-epoch ``loss`` and ``accuracy`` lists, plus ``val_*`` when monitored);
    ``epochs_param`` names the parameter a profile may shorten. ``learning_curve``
    includes the model in the full plan's training-size sweep (for fast models).
    ``test_params`` are overrides that make the conformance checks fast (few epochs/trees).
    """

    name: str
    description: str
    family: str
    params: tuple[Param, ...]
    input_kind: InputKind
    version: str
    build: Callable[[dict[str, Any], int], Any]
    neural: bool = False
    epochs_param: str | None = None
    learning_curve: bool = False
    test_params: dict[str, Any] = field(default_factory=dict, compare=False)
    source: str = field(default="", compare=False)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def resolve(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Default parameters updated with type-checked ``overrides``."""
        return resolve_params(self.name, self.params, overrides)

    def validate(self) -> None:
        """Raise ``PluginError`` naming the plugin if its declaration is malformed."""
        problems = []
        from bench.results.validate import is_safe_name

        if not is_safe_name(self.name):  # it goes into job keys, file names and reports
            problems.append("name must be letters, digits and ._+- (at most 100 characters, "
                            "starting with a letter or digit)")
        for attr in ("description", "family", "version"):
            if not isinstance(getattr(self, attr), str) or not getattr(self, attr).strip():
                problems.append(f"{attr} must be a non-empty string")
        if self.input_kind not in INPUT_KINDS:
            problems.append(f"input_kind must be one of {INPUT_KINDS}, not {self.input_kind!r}")
        if not callable(self.build):
            problems.append("build must be callable as build(params, seed)")
        if not all(isinstance(p, Param) for p in self.params):
            problems.append("params must be a tuple of bench.params.Param")
        else:
            names = [p.name for p in self.params]
            if len(set(names)) != len(names):
                problems.append("parameter names must be unique")
            try:
                for p in self.params:
                    resolve_params(self.name, self.params, {p.name: p.default})
            except UsageError as exc:
                problems.append(f"a default does not match its declared type ({exc})")
            unknown = set(self.test_params) - set(names)
            if unknown:
                problems.append(f"test_params name unknown parameters {sorted(unknown)}")
            if self.epochs_param is not None and self.epochs_param not in names:
                problems.append(f"epochs_param {self.epochs_param!r} is not a parameter")
        if problems:
            raise PluginError(f"model plugin {self.name!r} ({self.source or 'unknown source'}) "
                              f"is invalid: {'; '.join(problems)}.")


class Registry:
    """Model specs by name."""

    def __init__(self) -> None:
        self._models: dict[str, ModelSpec] = {}

    def register(self, spec: ModelSpec) -> ModelSpec:
        if not isinstance(spec, ModelSpec):
            raise PluginError(f"model plugin {spec!r} is not a bench.registry.ModelSpec.")
        spec.validate()
        existing = self._models.get(spec.name)
        if existing is not None and existing is not spec:
            raise PluginError(
                f"two model plugins are named {spec.name!r}: {existing.source or '?'} and "
                f"{spec.source or '?'}. Uninstall one, or disable one with "
                f"{DISABLE_ENV}={spec.name}."
            )
        self._models[spec.name] = spec
        return spec

    def names(self) -> list[str]:
        return sorted(self._models)

    def get(self, name: str) -> ModelSpec:
        try:
            return self._models[name]
        except KeyError:
            raise UsageError(f"unknown model {name!r}. {did_you_mean(name, self.names())}") from None

    def __iter__(self):
        return iter(self._models[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._models)

    def load_entry_points(self, entry_points: Iterable[metadata.EntryPoint] | None = None) -> None:
        """Register every plugin of the entry-point group; a broken one only warns."""
        if entry_points is None:
            entry_points = [*metadata.entry_points(group=ENTRY_POINT_GROUP), *extra_entry_points()]
        disabled = {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}
        seen: set[tuple[str, str]] = set()
        for ep in sorted(entry_points, key=lambda e: (e.name, e.value)):
            if ep.name in disabled or (ep.name, ep.value) in seen:
                continue
            seen.add((ep.name, ep.value))
            try:
                spec = _load_spec(ep)
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the others
                warnings.warn(
                    f"model plugin {ep.name!r} ({ep.value}) failed to load and is skipped: "
                    f"{type(exc).__name__}: {exc}",
                    PluginWarning,
                    stacklevel=2,
                )
                continue
            if spec.name not in disabled:
                self.register(spec)


def extra_entry_points() -> list[metadata.EntryPoint]:
    """Plugins named in ``BENCH_PLUGINS`` (``module:ATTR,...``), for models not packaged yet."""
    values = [v.strip() for v in os.environ.get(EXTRA_ENV, "").split(",") if v.strip()]
    return [metadata.EntryPoint(name=v, value=v, group=ENTRY_POINT_GROUP) for v in values]


class PluginWarning(UserWarning):
    """A model plugin could not be loaded; the other models keep working."""


def _load_spec(ep: metadata.EntryPoint) -> ModelSpec:
    obj = ep.load()
    if not isinstance(obj, ModelSpec) and callable(obj):
        obj = obj()
    if not isinstance(obj, ModelSpec):
        raise PluginError(f"entry point {ep.value} is a {type(obj).__name__}, not a ModelSpec")
    if obj.source:
        return obj
    from dataclasses import replace

    return replace(obj, source=ep.value)


_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry, loaded from entry points on first use."""
    global _default
    if _default is None:
        registry = Registry()
        registry.load_entry_points()
        if not len(registry):
            warnings.warn(
                "no model plugins found: is the harness installed? Run `pip install -e .` in "
                "the project folder so the built-in models' entry points exist.",
                PluginWarning,
                stacklevel=2,
            )
        _default = registry
    return _default


def reset_default_registry() -> None:
    """Forget the loaded registry (tests, or after installing a plugin)."""
    global _default
    _default = None


def get_model(name: str) -> ModelSpec:
    return default_registry().get(name)


def available_models() -> list[ModelSpec]:
    return list(default_registry())
