"""What planning reads from a library class, cached so that planning does not import it.

Planning a job of an import-path model (``sklearn.svm.SVC``) or a registered model's
pass-through arguments needs the class's constructor defaults, whether it is a classifier, its
providing distribution and version, and its parameter-constraint checks. Reading them imports
the library (scikit-learn: ~2-3 s), which dominated a fully cached ``run-all`` once the model
zoo joined the plan. :func:`declaration` reads a class once and keeps what it read in the
harness cache (``<cache>/declarations/``, one JSON file per class and installation).

An entry is used only while what it was read from is unchanged: the top-level package's import
origin (``importlib.util.find_spec``, which does not import it), the size and modification time
of that file, of the module defining the class and of the one defining its ``__init__``, the
providing distribution's version and the Python version. Classes that cannot be stamped this
way (not from an installed distribution, not from files) are read live every time. The cache
file is untrusted input: anything malformed or unexpected is a miss (read live, rewritten), and
a worker about to train an import-path model compares the live class with what was planned
(:func:`check_planned_defaults`), so an edited entry fails the job instead of changing it
silently. A cache that cannot be written (read-only, full disk) only costs speed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import inspect
import json
import sys
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.errors import UsageError
from bench.params import is_plain

FORMAT = 1
FOLDER = "declarations"
#: At most this many accepted parameter combinations are remembered per class.
MAX_ACCEPTED = 512


@dataclass(frozen=True)
class ClassDeclaration:
    """What planning needs from the class at ``path``.

    ``defaults`` are the constructor arguments with plain defaults (``bench.params.is_plain``),
    in signature order; ``arguments`` every constructor argument name; ``validates`` whether it
    has scikit-learn's ``_validate_params``; ``not_a_classifier`` why it cannot be benchmarked
    (``None`` when it can); ``warnings`` what reading it warned (a deprecated class warns when
    built), printed as a ``ModelWarning`` by every process that uses it. Deprecation warnings
    aimed at developers are dropped, as in job records.
    """

    path: str
    class_name: str
    distribution: str
    version: str
    arguments: tuple[str, ...]
    defaults: tuple[tuple[str, Any], ...]
    validates: bool
    not_a_classifier: str | None
    warnings: tuple[str, ...] = ()


# ------------------------------------------------------------------ reading a class live


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


def read_live(path: str) -> ClassDeclaration:
    """Import the class at ``path`` and read its declaration (UsageError if it cannot be)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cls = import_class(path)
        try:
            check_classifier(cls, path)
            problem = None
        except UsageError as exc:
            problem = str(exc)
        signature = inspect.signature(cls.__init__)
    messages = dict.fromkeys(f"{w.message} ({w.category.__name__})" for w in caught
                             if not issubclass(w.category, DeprecationWarning))
    arguments = tuple(name for name, arg in signature.parameters.items()
                      if name != "self" and arg.kind not in (arg.VAR_POSITIONAL, arg.VAR_KEYWORD))
    defaults = tuple((name, arg.default) for name, arg in signature.parameters.items()
                     if name in arguments and arg.default is not arg.empty
                     and is_plain(arg.default))
    dist, version = distribution(cls.__module__)
    return ClassDeclaration(path, cls.__name__, dist, version, arguments, defaults,
                            callable(getattr(cls, "_validate_params", None)), problem,
                            tuple(messages))


IMPORT_PATH_HINT = ("A model name containing a dot is the import path of a scikit-learn-compatible "
         "classifier class, e.g. sklearn.svm.SVC or sklearn.ensemble.ExtraTreesClassifier.")



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


def check_classifier(cls: type, path: str) -> None:
    """Raise a UsageError unless ``cls`` is a classifier with ``fit`` and ``predict``."""
    missing = [m for m in ("fit", "predict") if not callable(getattr(cls, m, None))]
    kind = None
    try:
        from sklearn.base import is_classifier

        kind = "classifier" if is_classifier(cls()) else None
    except Exception:  # noqa: BLE001 - not constructible with defaults, or not scikit-learn
        kind = getattr(cls, "_estimator_type", None)
    if missing or kind != "classifier":
        why = f"it has no {' or '.join(missing)} method" if missing else "it is not a classifier"
        raise UsageError(f"model {path!r} cannot be benchmarked: {why} (the harness needs a "
                         "scikit-learn-compatible classifier with fit and predict, and uses "
                         "predict_proba when present).")


# ------------------------------------------------------------------ the cache


def _stat(path: str) -> list[int] | None:
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _top_origin(path: str) -> str | None:
    """Where the top-level package of ``path`` would be imported from (without importing it)."""
    top = path.split(".")[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.has_location else None


def _stamp_of(path: str, found: ClassDeclaration) -> dict | None:
    """The state ``found`` was read from, or ``None`` if the class cannot be stamped."""
    origin = _top_origin(path)
    if origin is None or found.version == "unknown":
        return None
    module_name = path.rpartition(".")[0]
    files = {origin}
    try:
        cls = getattr(sys.modules[module_name], found.class_name)
        files.add(inspect.getfile(sys.modules[cls.__module__]))
        init_code = getattr(cls.__init__, "__code__", None)
        if init_code is not None:
            files.add(init_code.co_filename)
    except (KeyError, AttributeError, TypeError):
        return None
    stats = {file: _stat(file) for file in sorted(files)}
    if any(stat is None for stat in stats.values()):
        return None
    return {"python": list(sys.version_info[:2]), "origin": origin,
            "distribution": found.distribution, "version": found.version, "files": stats}


def _stamp_holds(stamp: Any, path: str) -> bool:
    """Whether the installation ``stamp`` describes is still the one ``path`` imports from."""
    if not isinstance(stamp, dict) or stamp.get("python") != list(sys.version_info[:2]):
        return False
    files = stamp.get("files")
    if (stamp.get("origin") != _top_origin(path) or not isinstance(files, dict) or not files
            or not all(isinstance(f, str) and _stat(f) == s for f, s in files.items())):
        return False
    return _installed_version(stamp.get("distribution")) == stamp.get("version")


@functools.cache
def _installed_version(name: Any) -> str | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return metadata.version(name)
    except (metadata.PackageNotFoundError, ValueError):
        return None


def _cache_file(path: str, origin: str) -> Path:
    from bench.data.cache import cache_dir

    where = hashlib.sha256(origin.encode()).hexdigest()[:12]
    return cache_dir() / FOLDER / f"{path}.{where}.json"


def _encode(value: Any) -> Any:
    return {"tuple": [_encode(v) for v in value]} if isinstance(value, tuple) else value


def _decode(value: Any) -> Any:
    """The plain value ``value`` encodes; ValueError for anything else."""
    if isinstance(value, dict) and set(value) == {"tuple"} and isinstance(value["tuple"], list):
        return tuple(_decode(v) for v in value["tuple"])
    if value is None or isinstance(value, (bool, int, float, str)):
        if is_plain(value):
            return value
    raise ValueError(f"not a plain value: {value!r}")


def canonical(params: dict[str, Any]) -> str:
    """One string per parameter combination (tuples kept apart from lists)."""
    return json.dumps({k: _encode(v) for k, v in params.items()}, sort_keys=True)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    return tuple(value)


def _parse(entry: Any, path: str) -> tuple[ClassDeclaration, list[str]]:
    """The declaration and accepted combinations in a cache entry; ValueError if malformed."""
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("path") != path:
        raise ValueError("not an entry for this class")
    stamp = entry["stamp"]
    problem = entry["not_a_classifier"]
    names = [pair[0] for pair in entry["defaults"]]
    arguments = _strings(entry["arguments"])
    if not (isinstance(entry["class_name"], str) and isinstance(entry["validates"], bool)
            and (problem is None or isinstance(problem, str))
            and all(isinstance(n, str) and n.isidentifier() for n in arguments)
            and set(names) <= set(arguments) and len(set(names)) == len(names)):
        raise ValueError("malformed entry")
    defaults = tuple((name, _decode(value)) for name, value in entry["defaults"])
    found = ClassDeclaration(path, entry["class_name"], stamp["distribution"], stamp["version"],
                             arguments, defaults, entry["validates"], problem,
                             _strings(entry["warnings"]))
    return found, list(_strings(entry["accepted"]))


class _Entry:
    """A class's declaration in this process, with its cache file (``None``: not cached)."""

    def __init__(self, found: ClassDeclaration, stamp: dict | None, accepted: list[str]):
        self.found, self.stamp, self.accepted = found, stamp, accepted

    def save(self, path: str) -> None:
        if self.stamp is None:
            return
        found = self.found
        entry = {"format": FORMAT, "path": path, "stamp": self.stamp,
                 "class_name": found.class_name, "arguments": list(found.arguments),
                 "defaults": [[name, _encode(value)] for name, value in found.defaults],
                 "validates": found.validates, "not_a_classifier": found.not_a_classifier,
                 "warnings": list(found.warnings), "accepted": self.accepted[-MAX_ACCEPTED:]}
        from bench.files import atomic_write_text

        try:
            atomic_write_text(_cache_file(path, self.stamp["origin"]), json.dumps(entry, indent=1))
        except (OSError, ValueError):
            pass  # a cache that cannot be written only costs speed


_entries: dict[str, _Entry] = {}


def _load(path: str) -> _Entry | None:
    origin = _top_origin(path)
    if origin is None:
        return None
    try:
        entry = json.loads(_cache_file(path, origin).read_text(encoding="utf-8"))
        if not _stamp_holds(entry.get("stamp") if isinstance(entry, dict) else None, path):
            return None
        found, accepted = _parse(entry, path)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    return _Entry(found, entry["stamp"], accepted)


def _entry(path: str) -> _Entry:
    if path not in _entries:
        cached = _load(path)
        if cached is None:
            found = read_live(path)
            cached = _Entry(found, _stamp_of(path, found), [])
            cached.save(path)
        _entries[path] = cached
    return _entries[path]


def declaration(path: str) -> ClassDeclaration:
    """The declaration of the class at ``path``: from the cache when it still holds, else
    read live (importing the class) and cached."""
    return _entry(path).found


def accepted_before(path: str, params: dict[str, Any]) -> bool:
    """Whether the class's constraint check accepted exactly ``params`` before."""
    return canonical(params) in _entry(path).accepted


def remember_accepted(path: str, params: dict[str, Any]) -> None:
    """Record that the class's constraint check accepted ``params`` (kept in the cache)."""
    entry = _entry(path)
    key = canonical(params)
    if key not in entry.accepted:
        entry.accepted.append(key)
        entry.save(path)


def forget() -> None:
    """Drop the declarations this process read (the files stay); for tests, together with
    ``bench.spec.class_params.cache_clear()`` and ``bench.importpath.import_path_spec``'s."""
    _entries.clear()
    _installed_version.cache_clear()


def check_planned_defaults(path: str, planned: dict[str, Any]) -> None:
    """Raise a UsageError if the class at ``path``, read live, has other defaults than the
    plan assumed (``planned``: name -> default, as the cache gave them when planning); the
    cache entry is then rewritten from the class."""
    signature = inspect.signature(import_class(path).__init__)
    live = {name: arg.default for name, arg in signature.parameters.items()
            if arg.default is not arg.empty}
    changed = sorted(name for name, value in planned.items()
                     if name not in live or (type(live[name]), live[name]) != (type(value), value))
    if changed:
        found = read_live(path)
        _entries[path] = _Entry(found, _stamp_of(path, found), [])
        _entries[path].save(path)
        raise UsageError(
            f"model {path!r}: the class's defaults for {', '.join(changed)} differ from those "
            "the plan was made with (the harness cache's declarations folder held a stale or "
            "edited entry, now rewritten from the class); nothing was trained. Run again.")
