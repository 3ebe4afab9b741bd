"""The model registry: model plugins by name, from entry points, ``BENCH_PLUGINS`` and folders.

Built-in models (the top-level ``models/`` folder, installed as ``bench.models``) register
through the same entry-point group as third-party plugins, declared in ``pyproject.toml``::

    [project.entry-points."bench.models"]
    my-model = "my_package.my_module:MODEL"

An entry point names a :class:`ModelSpec` (or a zero-argument callable returning one).
Unpackaged plugins come from ``BENCH_PLUGINS=module:ATTR[,...]`` or a plugin folder
(``BENCH_PLUGINS_DIR`` / ``--plugins-dir``: one ``*.py`` file per model, each defining
``MODEL``). ``BENCH_DISABLE_PLUGINS`` takes model names, entry-point names, ``module:ATTR``
values or plugin-file paths. The registry degrades, never dies: a plugin that fails to import
(even with ``sys.exit``), is malformed, or clashes with another of the same name is skipped with
one ``PluginWarning`` naming every source involved and the key that disables each; a built-in
wins a clash with a third-party plugin. Names containing a dot are import paths of classifier
classes (``bench.importpath``).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from bench.errors import PluginError, UsageError, did_you_mean
from bench.params import (
    Param,
    coerce_param,
    infer_type,
    is_plain,
    params_from_signature,
    resolve_params,
)
from bench.settings import Settings, get_settings

ENTRY_POINT_GROUP = "bench.models"
DISABLE_ENV = "BENCH_DISABLE_PLUGINS"
EXTRA_ENV = "BENCH_PLUGINS"
PLUGINS_DIR_ENV = "BENCH_PLUGINS_DIR"
BUILTIN_PACKAGE = "bench.models"
PROJECT_DISTRIBUTION = "mnist-vs-fashion-bench"
INPUT_KINDS = ("flat", "image")

InputKind = Literal["flat", "image"]


EPOCHS_PARAM = "epochs"
#: Passed by the harness, never declared: the job seed (``random_state`` for scikit-learn) and
#: the thread count (``n_jobs``, speed only).
HARNESS_ARGS = ("self", "seed", "random_state", "n_jobs")


@dataclass(frozen=True)
class ModelSpec:
    """What a model plugin declares.

    ``estimator`` is the declaration: a class (or factory function) whose keyword arguments,
    with their defaults and annotations, are the model's parameters (see ``bench.params``).
    ``build(params, seed)`` returns a fresh, unfitted estimator keeping the scikit-learn
    protocol; by default it is ``estimator(**params, seed=seed)``.
    ``input_kind`` is ``"flat"`` (784 floats in [0, 1]) or ``"image"`` (28x28x1 floats in
    [0, 1]). ``trains_in_epochs`` marks models with an ``epochs`` parameter that profiles may
    shorten; their ``fit`` takes ``monitor``/``on_epoch_end`` and sets ``history_``.
    ``learning_curve`` includes the model in the full plan's training-size sweep (fast
    models). ``test_params`` are overrides that make the conformance checks fast.
    ``passthrough`` is the import path of an underlying scikit-learn class whose other
    constructor arguments may also be ``--set`` (they enter the job's parameters only when set).
    ``params`` and ``build`` are derived from ``estimator``; give them only for models whose
    parameters are computed (``bench.importpath``). ``source`` and ``distribution`` are
    filled in by the registry.
    """

    name: str
    description: str
    family: str
    input_kind: InputKind
    version: str
    estimator: Callable[..., Any] | None = None
    trains_in_epochs: bool = False
    learning_curve: bool = False
    test_params: dict[str, Any] = field(default_factory=dict, compare=False)
    passthrough: str | None = None
    params: tuple[Param, ...] = None  # type: ignore[assignment]  # derived from estimator
    build: Callable[[dict[str, Any], int], Any] = None  # type: ignore[assignment]
    source: str = field(default="", compare=False)
    distribution: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.params is None:
            if self.estimator is None:
                raise PluginError(f"model plugin {self.name!r}: give `estimator` (the class "
                                  "whose __init__ declares the parameters).")
            try:
                params = params_from_signature(self.estimator)
            except TypeError as exc:
                raise PluginError(f"model plugin {self.name!r}: {exc}.") from None
            object.__setattr__(self, "params", params)
        if self.build is None:
            if self.estimator is None:
                raise PluginError(f"model plugin {self.name!r}: give `estimator` or `build`.")
            object.__setattr__(self, "build", functools.partial(_construct, self.estimator))

    @property
    def neural(self) -> bool:
        """Trained by epochs (``fit`` gets ``monitor``/``on_epoch_end``, sets ``history_``)."""
        return self.trains_in_epochs

    @property
    def epochs_param(self) -> str | None:
        """The parameter a profile may cap, for models trained by epochs."""
        return EPOCHS_PARAM if self.trains_in_epochs else None

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def passthrough_params(self) -> tuple[Param, ...]:
        """The underlying class's other constructor arguments (imports it; empty if none)."""
        if not self.passthrough:
            return ()
        declared = tuple(p.name for p in self.params)
        return class_params(self.passthrough, exclude=HARNESS_ARGS + declared)

    def has_param(self, name: str) -> bool:
        """Whether ``--set name=...`` applies: a declared or pass-through parameter."""
        return (any(p.name == name for p in self.params)
                or any(p.name == name for p in self.passthrough_params()))

    def resolve(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Default parameters updated with type- and range-checked ``overrides``."""
        extra = self.passthrough_params if self.passthrough else None
        return resolve_params(self.name, self.params, overrides, extra)

    def validate(self) -> None:
        """Raise ``PluginError`` naming the plugin if its declaration is malformed."""
        problems = []
        if not isinstance(self.name, str) or not self.name or self.name != self.name.strip():
            problems.append("name must be a non-empty string")
        elif "." in self.name and self.source != self.name:
            problems.append("name must not contain '.' (dotted names are import paths)")
        for attr in ("description", "family", "version"):
            if not isinstance(getattr(self, attr), str) or not getattr(self, attr).strip():
                problems.append(f"{attr} must be a non-empty string")
        if self.input_kind not in INPUT_KINDS:
            problems.append(f"input_kind must be one of {INPUT_KINDS}, not {self.input_kind!r}")
        if not callable(self.build):
            problems.append("build must be callable as build(params, seed)")
        if not isinstance(self.params, tuple) or not all(isinstance(p, Param)
                                                         for p in self.params):
            problems.append("params must be a tuple of bench.params.Param")
        else:
            names = [p.name for p in self.params]
            if len(set(names)) != len(names):
                problems.append("parameter names must be unique")
            for p in self.params:
                try:
                    coerce_param(self.name, p, p.default)
                except UsageError as exc:
                    problems.append(f"the default of {p.name!r} does not fit its declaration "
                                    f"({exc})")
                if not is_plain(p.default):
                    problems.append(f"the default of {p.name!r} is not a plain value "
                                    "(None, bool, int, float, str or a tuple of them)")
            unknown = set(self.test_params) - set(names)
            if unknown:
                problems.append(f"test_params name unknown parameters {sorted(unknown)}")
            if self.trains_in_epochs and EPOCHS_PARAM not in names:
                problems.append(f"trains_in_epochs needs an {EPOCHS_PARAM!r} parameter")
        if problems:
            raise PluginError(f"model plugin {self.name!r} ({self.source or 'unknown source'}) "
                              f"is invalid: {'; '.join(problems)}.")


def _construct(estimator: Callable[..., Any], params: dict[str, Any], seed: int) -> Any:
    return estimator(**params, seed=seed)


@functools.cache
def class_params(class_path: str, exclude: tuple[str, ...] = HARNESS_ARGS) -> tuple[Param, ...]:
    """Parameters of the class at ``class_path`` read from its constructor's defaults; arguments
    whose default is not a plain value (an object, NaN) are left out."""
    from bench.importpath import import_class

    cls = import_class(class_path)
    target = cls.__init__
    import inspect

    params = []
    for arg in inspect.signature(target).parameters.values():
        if (arg.name in exclude or arg.kind in (arg.VAR_POSITIONAL, arg.VAR_KEYWORD)
                or arg.default is arg.empty or not is_plain(arg.default)):
            continue
        params.append(Param(arg.name, arg.default, infer_type(arg.default)))
    return tuple(params)


class PluginWarning(UserWarning):
    """A model plugin was skipped; the other models keep working."""


@dataclass(frozen=True)
class Candidate:
    """One place a model plugin may come from, before it is imported.

    ``key`` is what ``BENCH_DISABLE_PLUGINS`` accepts to skip exactly this one: the entry
    point's ``module:ATTR`` value, or the path of a plugin-folder file.
    """

    key: str
    label: str
    load: Callable[[], Any] = field(compare=False)
    builtin: bool = False
    entry_name: str | None = None
    distribution: str = ""

    def disabled_by(self, disabled: set[str]) -> bool:
        return self.key in disabled or (self.entry_name is not None
                                        and self.entry_name in disabled)


class Registry:
    """Model specs by name; names containing a dot are import paths (``bench.importpath``)."""

    def __init__(self) -> None:
        self._models: dict[str, ModelSpec] = {}
        self.problems: list[str] = []

    def register(self, spec: ModelSpec) -> ModelSpec:
        """Add ``spec``; a malformed spec or a second spec of one name is a PluginError."""
        if not isinstance(spec, ModelSpec):
            raise PluginError(f"model plugin {spec!r} is not a bench.registry.ModelSpec.")
        spec.validate()
        existing = self._models.get(spec.name)
        if existing is not None and existing is not spec:
            raise PluginError(
                f"two model plugins are named {spec.name!r}: {existing.source or '?'} and "
                f"{spec.source or '?'}. Uninstall one, or disable one with "
                f"{DISABLE_ENV}=<its source>."
            )
        self._models[spec.name] = spec
        return spec

    def names(self) -> list[str]:
        return sorted(self._models)

    def get(self, name: str) -> ModelSpec:
        spec = self._models.get(name)
        if spec is not None:
            return spec
        from bench.importpath import import_path_spec, is_import_path

        if is_import_path(name):
            return import_path_spec(name)
        raise UsageError(f"unknown model {name!r}. {did_you_mean(name, self.names())} "
                         "(A name containing a dot is read as the import path of a "
                         "scikit-learn classifier, e.g. sklearn.svm.SVC.)")

    def __iter__(self):
        return iter(self._models[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._models)

    def load_entry_points(self, entry_points: Iterable[metadata.EntryPoint] | None = None,
                          settings: Settings | None = None) -> list[str]:
        """Register every plugin found (or the given entry points), skipping broken, malformed,
        disabled and clashing ones; returns the problems (also kept in ``problems``), each
        one warning naming every source involved and the key that disables each."""
        settings = settings or get_settings()
        if entry_points is None:
            candidates = discover(settings)
        else:
            candidates = [entry_point_candidate(ep) for ep in entry_points]
        problems = self.load_candidates(candidates, set(settings.disable_plugins))
        self.problems.extend(problems)
        return problems

    def load_candidates(self, candidates: Iterable[Candidate], disabled: set[str]) -> list[str]:
        problems: list[str] = []
        by_name: dict[str, list[tuple[Candidate, ModelSpec]]] = {}
        seen: set[str] = set()
        for candidate in candidates:
            if candidate.key in seen or candidate.disabled_by(disabled):
                continue  # the same source listed twice (entry point and BENCH_PLUGINS) loads once
            seen.add(candidate.key)
            try:
                spec = load_candidate(candidate)
            except PluginError as exc:
                problems.append(f"{exc} It is skipped; {_disable_hint([candidate])}.")
                continue
            found = by_name.setdefault(spec.name, [])
            # one spec object reached through two sources (a re-export) is one plugin
            if spec.name not in disabled and not any(spec == other for _, other in found):
                found.append((candidate, spec))
        for name, found in sorted(by_name.items()):
            chosen = _choose(found)
            if len(found) > 1:
                problems.append(_clash_message(name, found, chosen))
            if chosen is not None:
                self._models[name] = chosen[1]
        for problem in problems:
            warn_plugin(problem)
        return problems


def _choose(found: list[tuple[Candidate, ModelSpec]]) -> tuple[Candidate, ModelSpec] | None:
    """The one plugin of a name: the only one, else the only built-in, else none."""
    if len(found) == 1:
        return found[0]
    builtins = [f for f in found if f[0].builtin]
    return builtins[0] if len(builtins) == 1 else None


def _disable_hint(candidates: Iterable[Candidate]) -> str:
    keys = [f"{DISABLE_ENV}={c.key}" for c in candidates]
    return "disable it with " + keys[0] if len(keys) == 1 else "disable one with " + " or ".join(keys)


def _clash_message(name: str, found: list[tuple[Candidate, ModelSpec]],
                   chosen: tuple[Candidate, ModelSpec] | None) -> str:
    sources = "; ".join(f"{c.label} (disable: {DISABLE_ENV}={c.key})" for c, _ in found)
    if chosen is None:
        outcome = ("none of them is used until all but one are disabled or uninstalled")
    else:
        outcome = (f"the built-in {chosen[0].label} is used; to use another, disable the "
                   f"built-in with {DISABLE_ENV}={chosen[0].key}")
    return f"{len(found)} model plugins are named {name!r}: {sources}. {outcome.capitalize()}."


def warn_plugin(message: str) -> None:
    """One ``PluginWarning``, in the process that runs the command only (workers load the same
    plugins and stay quiet, so a command prints each problem once)."""
    import multiprocessing

    if multiprocessing.parent_process() is None:
        warnings.warn(message, PluginWarning, stacklevel=3)


# ---------------------------------------------------------------------------------------------
# Where plugins come from


def discover(settings: Settings) -> list[Candidate]:
    """Installed entry points, then ``BENCH_PLUGINS`` (``module:ATTR``), then the plugin folder."""
    candidates = [entry_point_candidate(ep)
                  for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)]
    candidates += [entry_point_candidate(metadata.EntryPoint(name=v, value=v,
                                                             group=ENTRY_POINT_GROUP))
                   for v in settings.plugins]
    if settings.plugins_dir is not None:
        candidates += folder_candidates(settings.plugins_dir)
    return candidates


def entry_point_candidate(ep: metadata.EntryPoint) -> Candidate:
    dist = getattr(ep, "dist", None)
    dist_label = f"{dist.name} {dist.version}" if dist is not None else ""
    module = ep.value.partition(":")[0].strip()
    builtin = module.startswith(BUILTIN_PACKAGE + ".") or (
        dist is not None and dist.name == PROJECT_DISTRIBUTION)
    where = f", {dist_label}" if dist_label else ""
    label = (f"entry point {ep.name!r} ({ep.value}{where})" if ep.name != ep.value
             else f"{ep.value} (from {EXTRA_ENV})")
    return Candidate(key=ep.value, label=label, load=ep.load, builtin=builtin,
                     entry_name=ep.name if ep.name != ep.value else None,
                     distribution=dist_label)


def folder_candidates(folder: Path) -> list[Candidate]:
    """One candidate per ``*.py`` file of ``folder`` (its ``MODEL`` attribute), benchopt-style."""
    folder = Path(folder)
    if not folder.is_dir():
        warn_plugin(f"the plugin folder {str(folder)!r} ({PLUGINS_DIR_ENV} or --plugins-dir) "
                    "is not a folder; no plugins were loaded from it.")
        return []
    return [Candidate(key=str(path), label=f"plugin file {str(path)!r}",
                      load=functools.partial(_load_file, path), distribution="")
            for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]


def _load_file(path: Path) -> Any:
    import importlib.util
    import sys

    module_name = f"bench_plugins_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    if not hasattr(module, "MODEL"):
        raise AttributeError(f"{path.name} defines no MODEL (a bench.registry.ModelSpec)")
    return module.MODEL


def load_candidate(candidate: Candidate) -> ModelSpec:
    """Import and check one plugin; every failure (even ``sys.exit`` or ``KeyboardInterrupt``
    raised by the plugin's module) becomes a PluginError naming it."""
    try:
        obj = candidate.load()
        if not isinstance(obj, ModelSpec) and callable(obj):
            obj = obj()
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - contain plugins
        raise PluginError(f"model plugin {candidate.label} failed to load: "
                          f"{type(exc).__name__}: {exc}.") from None
    if not isinstance(obj, ModelSpec):
        raise PluginError(f"model plugin {candidate.label} is a {type(obj).__name__}, not a "
                          "bench.registry.ModelSpec.")
    spec = replace(obj, source=obj.source or candidate.key,
                   distribution=obj.distribution or candidate.distribution)
    spec.validate()
    return spec


_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry, loaded on first use."""
    global _default
    if _default is None:
        registry = Registry()
        registry.load_entry_points()
        if not len(registry):
            warn_plugin("no model plugins found: is the harness installed? Run `pip install -e .` "
                        "in the project folder so the built-in models' entry points exist.")
        _default = registry
    return _default


def reset_default_registry() -> None:
    """Forget the loaded registry (tests, or after installing a plugin)."""
    global _default
    _default = None


def get_model(name: str) -> ModelSpec:
    """A registered model, or the classifier class at an import path (``sklearn.svm.SVC``)."""
    return default_registry().get(name)


def available_models() -> list[ModelSpec]:
    """The registered models (import-path models are not listed: they are unbounded)."""
    return list(default_registry())
