"""What planning reads from a library class, cached so that planning does not import it.

Planning a job of an import-path model (``sklearn.svm.SVC``) or a registered model's
pass-through arguments needs the class's constructor defaults, whether it is a classifier, its
providing distribution and version, and its parameter-constraint checks. Reading them imports
the library (scikit-learn: ~2-3 s), which dominated a fully cached ``run-all`` once the model
zoo joined the plan. :func:`declaration` reads a class once and keeps what it read in the
harness cache (``<cache>/declarations/``, one JSON file per class and installation).

An entry is used only while what it was read from is unchanged: the top-level package's import
origin (``importlib.util.find_spec``, which does not import it), the size and modification time
of that file, of the module named in the path, of the modules defining the class and its base
classes, the providing distribution's version and the Python version. Classes that cannot be
stamped this way (not from an installed distribution, not from files) and classes that cannot
be benchmarked (the error is always the live one) are read live every time.

The cache file is untrusted input: anything malformed or unexpected is a miss (the class is
read live and the entry rewritten). Every job planned from a declaration carries its
:func:`fingerprint`; before anything is trained, the runner compares it with the live class
(:func:`check_fingerprint`), so an edited entry stops the run with one clear error instead of
changing a job silently. A cache that cannot be written (read-only, full disk) only costs
speed; two processes writing one entry at once keep the last writer's accepted combinations.
"""

from __future__ import annotations

import atexit
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
from bench.plugins.params import as_declared_default

FORMAT = 3
FOLDER = "declarations"
#: At most this many accepted parameter combinations are remembered per class.
MAX_ACCEPTED = 512
#: Entries larger than this are not read (a real one is a few kB).
MAX_ENTRY_BYTES = 1_000_000


@dataclass(frozen=True)
class ClassDeclaration:
    """What planning needs from the class at ``path``.

    ``defaults`` are the constructor arguments whose defaults the harness can type
    (``bench.plugins.params.as_declared_default``), in signature order; ``arguments`` every constructor
    argument name; ``has_validate_params`` whether it has scikit-learn's ``_validate_params``;
    ``unusable`` why it cannot be benchmarked (not a classifier; ``None`` when it can);
    ``warnings`` what building it warned (a deprecated class), printed as a ``ModelWarning`` by
    every process that uses it (deprecation warnings aimed at developers are dropped, as in job
    records).
    """

    path: str
    class_name: str
    distribution: str
    version: str
    arguments: tuple[str, ...]
    defaults: tuple[tuple[str, Any], ...]
    has_validate_params: bool
    unusable: str | None
    warnings: tuple[str, ...] = ()


def fingerprint(found: ClassDeclaration) -> str:
    """A digest of everything in ``found`` that shapes a job (defaults with their types,
    argument names, library and version, classifier check)."""
    payload = json.dumps([found.path, found.distribution, found.version, list(found.arguments),
                          [[n, _encode(v)] for n, v in found.defaults],
                          found.has_validate_params, found.unusable], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


# ------------------------------------------------------------------ reading a class live


@functools.cache
def _packages_distributions() -> dict[str, list[str]]:
    """Top-level module -> distributions; scans every installed package (~0.5 s), so once."""
    return metadata.packages_distributions()


def installed_distribution(module_name: str) -> tuple[str, str] | None:
    """(name, version) of the installed distribution providing the top-level package of
    ``module_name``, or ``None`` if none does."""
    for name in _packages_distributions().get(module_name.split(".")[0]) or []:
        try:
            return name, metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def distribution(module_name: str) -> tuple[str, str]:
    """(distribution name, version) providing the top-level package of ``module_name``;
    (top-level name, ``__version__`` or ``"unknown"``) when no installed distribution does."""
    found = installed_distribution(module_name)
    if found is not None:
        return found
    top = module_name.split(".")[0]
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
    defaults = []
    for name in arguments:
        default = signature.parameters[name].default
        if default is inspect.Parameter.empty:
            continue
        try:
            defaults.append((name, as_declared_default(default)))
        except TypeError:
            continue  # an object, NaN, a tuple of floats: not settable, the class's own default
    dist, version = distribution(cls.__module__)
    return ClassDeclaration(path, cls.__name__, dist, version, arguments, tuple(defaults),
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


def _valid_path(path: str) -> bool:
    parts = path.split(".")
    return len(parts) >= 2 and all(part.isidentifier() for part in parts)


def _top_origin(path: str) -> str | None:
    """Where the top-level package of ``path`` would be imported from (without importing it)."""
    try:
        spec = importlib.util.find_spec(path.split(".")[0])
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.has_location else None


def _source_files(path: str) -> list[str] | None:
    """The files the class at ``path`` (already imported) was read from: the top-level
    package, the module named in the path, the modules of the class and of its bases."""
    module_name, _, attr = path.rpartition(".")
    try:
        module = sys.modules[module_name]
        cls = getattr(module, attr)
        files = {inspect.getfile(module)}
        for klass in cls.__mro__:
            if klass is not object and klass.__module__ in sys.modules:
                try:
                    files.add(inspect.getfile(sys.modules[klass.__module__]))
                except TypeError:  # a built-in module: nothing on disk to stamp
                    continue
    except (KeyError, AttributeError, TypeError):
        return None
    return sorted(files)


def _stamp(path: str, distribution: tuple[str, str] | None) -> dict | None:
    """The installation state to check an entry for ``path`` against, or ``None`` if the class
    cannot be stamped (no installed distribution, no files)."""
    origin = _top_origin(path)
    files = _source_files(path)
    if origin is None or files is None or distribution is None:
        return None
    stats = {file: _stat(file) for file in sorted({origin, *files})}
    if any(stat is None for stat in stats.values()):
        return None
    return {"python": list(sys.version_info[:2]), "origin": origin,
            "distribution": distribution[0], "version": distribution[1], "files": stats}


def _stamp_holds(stamp: Any, path: str) -> bool:
    """Whether the installation ``stamp`` describes is still the one ``path`` imports from."""
    if not isinstance(stamp, dict) or stamp.get("python") != list(sys.version_info[:2]):
        return False
    files = stamp.get("files")
    if (stamp.get("origin") != _top_origin(path) or not isinstance(files, dict)
            or stamp["origin"] not in files
            or not all(isinstance(f, str) and _stat(f) == s for f, s in files.items())):
        return False
    name, version = stamp.get("distribution"), stamp.get("version")
    return (isinstance(name, str) and isinstance(version, str)
            and _installed_version(name) == version and _provides(name, stamp["origin"]))


@functools.cache
def _installed_version(name: str) -> str | None:
    try:
        return metadata.version(name) if name else None
    except (metadata.PackageNotFoundError, ValueError):
        return None


@functools.cache
def _provides(name: str, origin: str) -> bool:
    """Whether the installed distribution ``name`` lists the file ``origin`` (its RECORD)."""
    try:
        dist = metadata.distribution(name)
        return any(str(dist.locate_file(f)) == origin for f in dist.files or ())
    except (metadata.PackageNotFoundError, ValueError, OSError):
        return False


def _cache_file(path: str, origin: str) -> Path:
    from bench.data.cache import cache_dir

    where = hashlib.sha256(origin.encode()).hexdigest()[:12]
    return cache_dir() / FOLDER / f"{path}.{where}.json"


def _encode(value: Any) -> Any:
    return {"tuple": [_encode(v) for v in value]} if isinstance(value, tuple) else value


def _decode(value: Any) -> Any:
    """The declared default ``value`` encodes; ValueError for anything else."""
    if isinstance(value, dict) and set(value) == {"tuple"} and isinstance(value["tuple"], list):
        items = value["tuple"]
        if not all(type(v) is int for v in items):
            raise ValueError("a tuple default holds only integers")
        value = tuple(items)
    elif value is not None and type(value) not in (bool, int, float, str):
        raise ValueError(f"not a plain value: {value!r}")
    try:
        declared = as_declared_default(value)
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    if isinstance(declared, str) and not _printable(declared):
        raise ValueError("a default holds control characters")
    return declared


def _printable(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text)


def canonical(params: dict[str, Any]) -> str:
    """One string per parameter combination (tuples kept apart from lists)."""
    return json.dumps({k: _encode(v) for k, v in params.items()}, sort_keys=True)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and _printable(v)
                                              for v in value):
        raise ValueError("expected a list of printable strings")
    return tuple(value)


def _parse(entry: dict, path: str) -> tuple[ClassDeclaration, list[str]]:
    """The declaration and accepted combinations in a cache entry; ValueError if malformed."""
    if entry.get("format") != FORMAT or entry.get("path") != path:
        raise ValueError("not an entry for this class")
    stamp, pairs = entry["stamp"], entry["defaults"]
    arguments = _strings(entry["arguments"])
    if not (isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 for p in pairs)
            and isinstance(entry["class_name"], str) and entry["class_name"].isidentifier()
            and isinstance(entry["has_validate_params"], bool)
            and all(name.isidentifier() for name in arguments)):
        raise ValueError("malformed entry")
    names = [name for name, _ in pairs]
    if not set(names) <= set(arguments) or len(set(names)) != len(names):
        raise ValueError("defaults for unknown or repeated arguments")
    defaults = tuple((name, _decode(value)) for name, value in pairs)
    found = ClassDeclaration(path, entry["class_name"], stamp["distribution"], stamp["version"],
                             arguments, defaults, entry["has_validate_params"], None,
                             _strings(entry["warnings"]))
    return found, list(_strings(entry["accepted"]))


@dataclass
class _Entry:
    """A class's declaration in this process and the cache file it belongs in (``None``: not
    cached), fixed when it was read, so a later save goes where it came from."""

    found: ClassDeclaration
    stamp: dict | None
    accepted: list[str]
    file: Path | None = None
    unsaved: bool = False

    def save(self) -> None:
        self.unsaved = False
        if self.stamp is None or self.file is None:
            return
        found = self.found
        entry = {"format": FORMAT, "path": found.path, "stamp": self.stamp,
                 "class_name": found.class_name, "arguments": list(found.arguments),
                 "defaults": [[name, _encode(value)] for name, value in found.defaults],
                 "has_validate_params": found.has_validate_params,
                 "warnings": list(found.warnings), "accepted": self.accepted[-MAX_ACCEPTED:]}
        from bench.files import atomic_write_text

        try:
            atomic_write_text(self.file, json.dumps(entry, indent=1))
        except (OSError, ValueError):
            pass  # a cache that cannot be written only costs speed


_entries: dict[str, _Entry] = {}


def _load(path: str) -> _Entry | None:
    origin = _top_origin(path)
    if origin is None:
        return None
    file = _cache_file(path, origin)
    try:
        if file.stat().st_size > MAX_ENTRY_BYTES:
            return None
        entry = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(entry, dict) or not _stamp_holds(entry.get("stamp"), path):
            return None
        found, accepted = _parse(entry, path)
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError, MemoryError):
        return None
    return _Entry(found, entry["stamp"], accepted, file)


def _read_and_stamp(path: str) -> _Entry:
    """Read the class live; stamp it unless its package changed while it was read, or it
    cannot be benchmarked (a refusal is always read live, never taken from a file)."""
    origin = _top_origin(path)
    origin_before = _stat(origin) if origin else None
    found = read_live(path)
    stamp = _stamp(path, installed_distribution(path))
    if found.unusable is not None or (stamp is not None and (
            stamp["files"].get(stamp["origin"]) != origin_before
            or (stamp["distribution"], stamp["version"]) != (found.distribution, found.version))):
        stamp = None
    file = _cache_file(path, stamp["origin"]) if stamp is not None else None
    return _Entry(found, stamp, [], file)


def _entry(path: str) -> _Entry:
    if path not in _entries:
        cached = _load(path) if _valid_path(path) else None
        if cached is None:
            cached = _read_and_stamp(path)
            cached.save()
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
    """Record that the class's constraint check accepted ``params``; saved to the cache when
    the process exits (or at :func:`save_pending`), once, however many were added."""
    entry = _entry(path)
    key = canonical(params)
    if key not in entry.accepted:
        entry.accepted.append(key)
        entry.unsaved = True


@atexit.register
def save_pending() -> None:
    """Write the entries that gained accepted combinations in this process."""
    for entry in _entries.values():
        if entry.unsaved:
            entry.save()


#: Caches of what other modules built from declarations (``bench.plugins.spec.class_params``,
#: ``bench.plugins.importpath.import_path_spec``), cleared with them.
_dependent_caches: list = []


def clears_with_declarations(cached):
    """Register a ``functools.cache``-d function built on declarations; returns it."""
    _dependent_caches.append(cached)
    return cached


def forget() -> None:
    """Save what is pending, then drop everything this process read from classes and the cache,
    with the specs built from it (the files stay)."""
    save_pending()
    _entries.clear()
    for cached in (*_dependent_caches, _installed_version, _provides, _live_fingerprint):
        cached.cache_clear()


# ------------------------------------------------------------------ checking a plan


def planned_fingerprint(path: str) -> str:
    """The fingerprint of the declaration a plan uses for the class at ``path``."""
    return fingerprint(declaration(path))


@functools.cache
def _live_fingerprint(path: str) -> str:
    return fingerprint(read_live(path))


def check_fingerprint(path: str, planned: str) -> None:
    """Raise a UsageError unless the class at ``path``, read live, is the one the plan was made
    from (``planned``: :func:`planned_fingerprint` when planning). On a mismatch the cache
    entry is rewritten from the class, so planning again gives the right jobs."""
    if _live_fingerprint(path) == planned:
        return
    forget()  # this process's specs too: planning again must start from the class
    rewritten = _read_and_stamp(path)
    rewritten.save()
    raise UsageError(
        f"model {path!r}: the plan was made from a declaration of the class that differs from "
        f"the class this process imports ({rewritten.found.distribution} "
        f"{rewritten.found.version}); nothing was trained. Either the harness cache's "
        "declarations folder held a stale or edited entry (now rewritten from the class: run "
        "the command again), or the plan was made where another version of the library is "
        "installed (e.g. a Dask client and its workers).")
