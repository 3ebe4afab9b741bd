"""The model registry: model plugins by name, from the ``bench.models`` entry points (the
built-ins' too), ``BENCH_PLUGINS=module:ATTR`` and a plugin folder.

It degrades, never dies: a plugin that fails to import (even with ``sys.exit``), is malformed or
clashes with another of its name is skipped with one ``PluginWarning`` naming every source and
its ``BENCH_DISABLE_PLUGINS`` key; a built-in wins a clash. Imports run under ``IMPORT_SECONDS``
(main thread only), their printed output held back.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import multiprocessing
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.errors import BenchWarning, PluginError, UsageError, did_you_mean
from bench.plugins.estimators import quiet_stderr
from bench.plugins.importpath import import_path_spec
from bench.plugins.library import is_import_path
from bench.plugins.spec import ModelSpec
from bench.settings import Settings, get_settings

ENTRY_POINT_GROUP = "bench.models"
DISABLE_ENV = "BENCH_DISABLE_PLUGINS"
EXTRA_ENV = "BENCH_PLUGINS"
PLUGINS_DIR_ENV = "BENCH_PLUGINS_DIR"
BUILTIN_PACKAGE = "bench.models"
PROJECT_DISTRIBUTION = "mnist-vs-fashion-bench"
#: Modules and ModelSpec arguments of the plugin API before it moved to ``bench.plugins``.
OLD_MODULES = ("bench.registry", "bench.spec", "bench.params", "bench.estimators",
               "bench.testing", "bench.importpath", "bench.contract")
OLD_ARGUMENTS = ("neural", "epochs_param")
OLD_CONTRACT = ("It was written for an older harness: the plugin API is now imported from "
                "`bench.plugins` (ModelSpec, EstimatorBase, Range, check_model, ...), and "
                "ModelSpec(neural=True, epochs_param=...) is now ModelSpec(estimator=..., "
                "trains_in_epochs=True) with an `epochs` argument (docs/plugins.md).")
IMPORT_SECONDS = 30.0
_importing: str | None = None  # the plugin being imported: the registry refuses its calls


class PluginWarning(BenchWarning):
    """A model plugin was skipped; the other models keep working."""


@dataclass(frozen=True)
class Candidate:
    """One place a model plugin may come from, before it is imported; ``key`` (an entry point's
    ``module:ATTR``, a plugin file's path) is what ``BENCH_DISABLE_PLUGINS`` takes to skip it."""

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
    """Model specs by name; names containing a dot are import paths (``bench.plugins.importpath``)."""

    def __init__(self) -> None:
        self._models: dict[str, ModelSpec] = {}
        self.disabled: set[str] = set()  # the BENCH_DISABLE_PLUGINS keys the plugins were loaded with
        self.clashes: dict[str, str] = {}  # names given by several plugins, none chosen

    def names(self) -> list[str]:
        return sorted(self._models)

    def get(self, name: str) -> ModelSpec:
        spec = self._models.get(name)
        if spec is not None:
            return spec
        if is_import_path(name):
            return import_path_spec(name)
        if name in self.clashes:
            raise UsageError(self.clashes[name])
        if name in self.disabled:
            raise UsageError(f"model {name!r} is disabled by BENCH_DISABLE_PLUGINS; remove it "
                             "from that list to use it.")
        raise UsageError(f"unknown model {name!r}. {did_you_mean(name, self.names())} "
                         "(A name containing a dot is read as the import path of a "
                         "scikit-learn classifier, e.g. sklearn.svm.SVC.)")

    def __iter__(self):
        return iter(self._models[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._models)

    def load_candidates(self, candidates: Iterable[Candidate], disabled: set[str]) -> list[str]:
        """Register every plugin of ``candidates`` but broken, malformed, disabled and clashing
        ones; returns the problems, each also one warning."""
        problems: list[str] = []
        disabled = {_disable_key(k) for k in disabled}
        self.disabled |= disabled
        by_name: dict[str, list[tuple[Candidate, ModelSpec]]] = {}
        seen: set[str] = set()
        candidates = list(candidates)
        known = {k for c in candidates for k in (c.key, c.entry_name)}
        for candidate in candidates:
            if candidate.key in seen or candidate.disabled_by(disabled):
                continue  # the same source listed twice (entry point and BENCH_PLUGINS) loads once
            seen.add(candidate.key)
            try:
                spec = load_candidate(candidate)
            except PluginError as exc:
                problems.append(f"{exc} It is skipped; disable it with {DISABLE_ENV}="
                                f"{candidate.key}.")
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
            else:
                self.clashes[name] = problems[-1]
        problems += [f"{DISABLE_ENV} names {key!r}, which matches no plugin (keys are entry "
                     "point values, plugin file paths and model names)."
                     for key in sorted(disabled - known - set(by_name))]
        for problem in problems:
            warn_plugin(problem)
        return problems


def _choose(found: list[tuple[Candidate, ModelSpec]]) -> tuple[Candidate, ModelSpec] | None:
    """The one plugin of a name: the only one, else the only built-in, else none."""
    if len(found) == 1:
        return found[0]
    builtins = [f for f in found if f[0].builtin]
    return builtins[0] if len(builtins) == 1 else None


def _clash_message(name: str, found: list[tuple[Candidate, ModelSpec]],
                   chosen: tuple[Candidate, ModelSpec] | None) -> str:
    sources = "; ".join(f"{c.label} (disable: {DISABLE_ENV}={c.key})" for c, _ in found)
    if chosen is None:
        outcome = "None of them is used until all but one are disabled or uninstalled"
    else:
        outcome = (f"The built-in {chosen[0].label} is used; to use another, disable the "
                   f"built-in with {DISABLE_ENV}={chosen[0].key}")
    return f"{len(found)} model plugins are named {name!r}: {sources}. {outcome}."


def warn_plugin(message: str) -> None:
    """One ``PluginWarning``, in the command's process only (workers load the same plugins)."""
    if multiprocessing.parent_process() is None:
        warnings.warn(message, PluginWarning, stacklevel=3)


def discover(settings: Settings) -> list[Candidate]:
    """Installed entry points, then ``BENCH_PLUGINS`` (``module:ATTR``), then the plugin folder."""
    extra = [metadata.EntryPoint(name=v, value=v, group=ENTRY_POINT_GROUP)
             for v in settings.plugins]
    candidates = [entry_point_candidate(ep)
                  for ep in [*metadata.entry_points(group=ENTRY_POINT_GROUP), *extra]]
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
    return [Candidate(key=_disable_key(str(path)), label=f"file {str(path)!r}",
                      load=functools.partial(_load_file, path))
            for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]


def _disable_key(key: str) -> str:
    """A plugin file's key is its absolute path, however the folder or key was typed."""
    return str(Path(key).absolute()) if key.endswith(".py") else key


def _load_file(path: Path) -> Any:
    module_name = f"bench_plugins_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)  # a .py file: never None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up by name
    sys.path.insert(0, str(path.parent))  # helper modules beside the file
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    finally:
        sys.path.remove(str(path.parent))
    if not hasattr(module, "MODEL"):
        raise AttributeError(f"{path.name} defines no MODEL (a bench.plugins.ModelSpec)")
    return module.MODEL


def load_candidate(candidate: Candidate) -> ModelSpec:
    """Import and check one plugin; every failure (even ``sys.exit`` or ``KeyboardInterrupt``
    raised by the plugin's module) becomes a PluginError naming it."""
    global _importing
    had_tensorflow, printed = "tensorflow" in sys.modules, io.StringIO()
    try:
        _importing = candidate.label
        with contextlib.redirect_stdout(printed), quiet_stderr(), _time_limit():
            obj = candidate.load()
            if not isinstance(obj, ModelSpec) and callable(obj):
                obj = obj()
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - contain plugins
        old = (isinstance(exc, ModuleNotFoundError) and exc.name in OLD_MODULES
               or isinstance(exc, TypeError) and any(f"'{a}'" in str(exc) for a in OLD_ARGUMENTS))
        raise PluginError(f"model plugin {candidate.label} failed to load: {type(exc).__name__}"
                          + (f": {exc}." if str(exc) else ".") + (f" {OLD_CONTRACT}" if old else "")
                          ) from None
    finally:
        _importing = None
    if printed.getvalue().strip():
        warn_plugin(f"model plugin {candidate.label} printed while imported (held back): "
                    f"{printed.getvalue().strip()[:300]!r}.")
    if not had_tensorflow and "tensorflow" in sys.modules:
        warn_plugin(f"model plugin {candidate.label} imports TensorFlow at module level, which "
                    "slows every command by seconds; import it inside fit or build.")
    if not isinstance(obj, ModelSpec):
        raise PluginError(f"model plugin {candidate.label} is of type {type(obj).__name__!r}, "
                          "not a bench.plugins.ModelSpec.")
    spec = replace(obj, source=obj.source or candidate.key,
                   distribution=obj.distribution or candidate.distribution)
    spec.validate()
    return spec


@contextlib.contextmanager
def _time_limit():
    """Raise TimeoutError in the import after ``IMPORT_SECONDS`` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise TimeoutError(f"the import took longer than {IMPORT_SECONDS:g} s and was stopped")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, IMPORT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_default: tuple[tuple, Registry] | None = None


def default_registry() -> Registry:
    """The process-wide registry for the active settings' plugins, loaded on first use."""
    global _default
    if _importing is not None:
        raise PluginError(f"{_importing} calls the model registry (get_model, available_models) "
                          "while it is imported; look models up inside build or fit instead.")
    settings = get_settings()
    key = (settings.plugins, settings.disable_plugins, settings.plugins_dir)  # a change: reload
    if _default is None or _default[0] != key:
        registry = Registry()
        registry.load_candidates(discover(settings), set(settings.disable_plugins))
        if not len(registry):
            warn_plugin("no model plugins found: is the harness installed? Run `pip install -e .` "
                        "in the project folder so the built-in models' entry points exist.")
        _default = (key, registry)
    return _default[1]


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
