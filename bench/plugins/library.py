"""Library classes read live: what planning needs from a classifier class named by import path
(``sklearn.svm.SVC``) or wrapped by a plugin (``passthrough``), once per process."""

from __future__ import annotations

import functools
import importlib
import inspect
import warnings
from importlib import metadata
from typing import Any

from sklearn.base import is_classifier

from bench.errors import UsageError
from bench.plugins.params import HARNESS_ARGS, Param, infer_type, is_plain

IMPORT_PATH_HINT = ("A model name containing a dot is the import path of a scikit-learn-compatible "
                    "classifier class, e.g. sklearn.svm.SVC or sklearn.ensemble.ExtraTreesClassifier.")


def is_import_path(name: str) -> bool:
    return "." in name


@functools.cache
def import_class(path: str) -> type:
    """The class at ``path`` (``package.module.Class``), or a UsageError saying why not."""
    module_name, _, attr = path.rpartition(".")
    if not module_name or not attr or not all(part.isidentifier() for part in path.split(".")):
        raise UsageError(f"model {path!r} is not a valid import path. {IMPORT_PATH_HINT}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"model {path!r}: cannot import module {module_name!r} ({exc}). "
                         f"{IMPORT_PATH_HINT}") from None
    except Exception as exc:  # noqa: BLE001 - a module that fails on import is the user's path
        raise UsageError(f"model {path!r}: importing {module_name!r} failed with "
                         f"{type(exc).__name__}: {exc}.") from None
    cls = getattr(module, attr, None)
    if cls is None:
        raise UsageError(f"model {path!r}: module {module_name!r} has no attribute {attr!r}. "
                         f"{IMPORT_PATH_HINT}")
    if not isinstance(cls, type):
        raise UsageError(f"model {path!r} is a {type(cls).__name__}, not a class. {IMPORT_PATH_HINT}")
    return cls


@functools.cache
def classifier_class(path: str) -> tuple[type, tuple[str, ...]]:
    """The classifier class at ``path`` and what building it with defaults warned (but
    DeprecationWarnings); UsageError unless it is a classifier with ``fit`` and ``predict``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cls = import_class(path)
        _check_classifier(cls, path)
    messages = dict.fromkeys(f"{w.message} ({w.category.__name__})" for w in caught
                             if not issubclass(w.category, DeprecationWarning))
    return cls, tuple(messages)


def _check_classifier(cls: type, path: str) -> None:
    missing = [m for m in ("fit", "predict") if not callable(getattr(cls, m, None))]
    try:
        kind = "classifier" if is_classifier(cls()) else None
    except Exception:  # noqa: BLE001 - not constructible with defaults, or not scikit-learn
        kind = getattr(cls, "_estimator_type", None)
    if missing or kind != "classifier":
        why = f"it has no {' or '.join(missing)} method" if missing else "it is not a classifier"
        raise UsageError(f"model {path!r} cannot be benchmarked: {why} (the harness needs a "
                         "scikit-learn-compatible classifier with fit and predict, and uses "
                         "predict_proba when present).")


@functools.cache
def class_params(class_path: str, exclude: tuple[str, ...] = HARNESS_ARGS) -> tuple[Param, ...]:
    """Parameters of the class at ``class_path`` read from its constructor's defaults; arguments
    whose default is not a plain value (an object, NaN) are left out."""
    params = []
    for name, arg in inspect.signature(import_class(class_path).__init__).parameters.items():
        if name in exclude or arg.kind in (arg.VAR_POSITIONAL, arg.VAR_KEYWORD):
            continue
        try:  # exactly a builtin type (numpy.float64, an IntEnum: float, int), for job keys
            kind = infer_type(arg.default)
            default = arg.default if arg.default is None else (
                str(arg.default) if kind is Any else kind(arg.default))
        except TypeError:
            continue  # no default, an object, a tuple of floats: the class's own default
        if is_plain(default):  # not NaN
            params.append(Param(name, default, kind))
    return tuple(params)


@functools.cache
def _packages_distributions() -> dict[str, list[str]]:
    """Top-level module -> distributions; scans every installed package (~0.5 s), so once."""
    return metadata.packages_distributions()


def distribution(module_name: str) -> tuple[str, str]:
    """(distribution name, version) providing the top-level package of ``module_name``;
    (top-level name, ``__version__`` or ``"unknown"``) when no installed distribution does."""
    top = module_name.split(".")[0]
    for name in _packages_distributions().get(top) or []:
        try:
            return name, metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    version = getattr(importlib.import_module(top), "__version__", None)
    return top, str(version or "unknown")


def check_constraints(model: str, class_path: str, params: dict[str, Any]) -> None:
    """Raise a UsageError when the declared constraints of scikit-learn class ``class_path``
    refuse one of its own arguments in ``params`` (other classes are not checked)."""
    cls = import_class(class_path)
    if not callable(getattr(cls, "_validate_params", None)):
        return
    accepted = set(inspect.signature(cls.__init__).parameters) - set(HARNESS_ARGS)
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()
              if k in accepted}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls(**kwargs)._validate_params()
    except (TypeError, ValueError) as exc:
        raise UsageError(f"model {model!r}: {exc} (checked against {class_path}'s declared "
                         "parameter constraints before running anything).") from None
