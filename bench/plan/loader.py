"""Reading suite files (TOML, built-ins in ``bench/plan/builtin/``) into suites; a problem is
a :class:`~bench.errors.SuiteError` like ``suite file my.toml, line 7, key models[2].params.C``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from bench.data.corruptions import parse_corruptions
from bench.data.specs import DATASET_NAMES
from bench.errors import SuiteError, UsageError, did_you_mean
from bench.files import UntrustedFileError, read_small_file
from bench.plan.profiles import PROFILES
from bench.plan.suite import Suite, SuiteEntry, SuiteSource, check_seed

BUILTIN_PACKAGE = "bench.plan.builtin"
MAX_SUITE_BYTES = 1024 * 1024
TOP_KEYS = ("name", "description", "profile", "datasets", "seeds", "learning_curve",
            "epoch_sweeps", "include", "corruptions", "models")
ENTRY_KEYS = ("model", "params", "grid", "heavy", "stand_in_for", "family", "note", "seeds")
KeyPath = tuple[str | int, ...]


def builtin_suites() -> dict[str, str]:
    """Built-in suite names and their descriptions (reads only the small TOML files)."""
    return {name: load_builtin(name).description for name in _builtin_names()}


def _builtin_names() -> list[str]:
    folder = resources.files(BUILTIN_PACKAGE)
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def load_builtin(name: str) -> Suite:
    resource = resources.files(BUILTIN_PACKAGE) / f"{name}.toml"
    return parse_suite(resource.read_text(encoding="utf-8"), f"<built-in suite {name}>", name)


def find_suite(name_or_path: str | Path) -> Suite:
    """A suite file (a path, or anything ending in ``.toml``) or a built-in suite by name."""
    text = str(name_or_path)
    if not text.strip():
        raise SuiteError("--suite needs a built-in suite name (`bench list --suites`) or the "
                         "path of a suite file.")
    path = Path(text)
    if text.endswith(".toml") or path.exists() or "/" in text or "\\" in text:
        return load_suite(path)
    names = _builtin_names()
    if text not in names:
        raise SuiteError(f"no built-in suite {text!r} and no such file. Give a path to a .toml "
                         f"suite file or a built-in suite name. {did_you_mean(text, names)}")
    return load_builtin(text)


def load_suite(path: str | Path) -> Suite:
    path = Path(path)
    try:
        text = read_small_file(path, MAX_SUITE_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise SuiteError(f"suite file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError, UntrustedFileError) as exc:
        raise SuiteError(f"cannot read suite file {path}: {exc}.") from None
    return parse_suite(text, str(path), path.stem)


def parse_suite(text: str, origin: str, default_name: str) -> Suite:
    """Parse and check a suite's TOML text; ``origin`` names it in errors."""
    source = SuiteSource(origin, text)
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        reason = exc if isinstance(exc, tomllib.TOMLDecodeError) else "nested too deep"
        raise SuiteError(f"suite file {origin} is not valid TOML: {reason}.") from None
    return _SuiteReader(source).read(data, default_name)


def suite_error(source: SuiteSource, path: KeyPath, problem: str) -> SuiteError:
    """A :class:`SuiteError` for the key at ``path`` (e.g. ``("models", 2, "params", "C")``)."""
    line = locate(source.text, path)
    where = f", line {line}" if line else ""
    return SuiteError(f"suite file {source.path}{where}, key {format_key(path)}: {problem}")


def format_key(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


class _SuiteReader:
    """Checks the parsed TOML against the suite format, raising located errors."""

    def __init__(self, source: SuiteSource) -> None:
        self.source = source

    def fail(self, path: KeyPath, problem: str) -> SuiteError:
        return suite_error(self.source, path, problem)

    def read(self, data: dict[str, Any], default_name: str) -> Suite:
        self.unknown_keys(data, TOP_KEYS, ())
        include = self.include(data)
        models = data.get("models", [] if include else None)
        if not isinstance(models, list) or not (models or include):
            raise self.fail(("models",), "a suite needs at least one [[models]] table with a "
                                         "`model = \"NAME\"` key (or an `include`).")
        entries = tuple(self.entry(item, i) for i, item in enumerate(models))
        heavy = {e.model for e in entries if e.heavy}
        for entry in entries:
            if entry.stand_in_for is not None and entry.stand_in_for not in heavy:
                raise self.fail(("models", entry.index, "stand_in_for"),
                                f"{entry.stand_in_for!r} is not the model of a heavy entry of "
                                f"this suite (heavy: {', '.join(sorted(heavy)) or 'none'}).")
        return Suite(
            name=self.string(data, "name", (), default_name),
            description=self.string(data, "description", (), ""),
            entries=entries,
            datasets=self.datasets(data),
            seeds=self.seeds(data, ()),
            profile=self.profile(data),
            learning_curve=bool(self.boolean(data, "learning_curve", (), False)),
            epoch_sweeps=self.epoch_sweeps(data),
            include=include,
            corruptions=self.corruptions(data),
            source=self.source,
        )

    def entry(self, item: Any, index: int) -> SuiteEntry:
        at: KeyPath = ("models", index)
        if not isinstance(item, dict):
            raise self.fail(at, "each [[models]] entry must be a table.")
        self.unknown_keys(item, ENTRY_KEYS, at)
        model = item.get("model")
        if not isinstance(model, str) or not model.strip():
            raise self.fail((*at, "model") if "model" in item else at,
                            "each entry needs `model = \"NAME\"` (a registered model or an "
                            "import path such as sklearn.svm.SVC).")
        params = self.table(item, "params", at)
        grid = self.table(item, "grid", at)
        for name, values in grid.items():
            if not isinstance(values, list) or not values:
                raise self.fail((*at, "grid", name), "a grid value must be a non-empty array of "
                                                     "candidate values, e.g. [0.1, 1, 10] (a "
                                                     "tuple value is a nested array: [[256, 128]]).")
        both = sorted(set(params) & set(grid))
        if both:
            raise self.fail((*at, "grid", both[0]), f"{both[0]!r} is in both params and grid.")
        return SuiteEntry(
            model=model.strip(), params=params,
            grid={name: tuple(values) for name, values in grid.items()},
            heavy=bool(self.boolean(item, "heavy", at, False)),
            stand_in_for=self.string(item, "stand_in_for", at, None),
            family=self.string(item, "family", at, None),
            note=self.string(item, "note", at, ""),
            index=index,
            seeds=self.seeds(item, at),
        )

    def unknown_keys(self, table: dict[str, Any], allowed: Sequence[str], at: KeyPath) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail((*at, key), f"unknown key {key!r}. "
                                            f"{did_you_mean(key, list(allowed))}")

    def table(self, item: dict, key: str, at: KeyPath) -> dict[str, Any]:
        value = item.get(key, {})
        if not isinstance(value, dict):
            raise self.fail((*at, key), f"{key} must be a table of NAME = VALUE, e.g. "
                                        f"{key} = {{ C = 10.0 }}.")
        return dict(value)

    def string(self, table: dict, key: str, at: KeyPath, default: Any) -> Any:
        value = table.get(key, default)
        if key in table and (not isinstance(value, str) or not value.strip()):
            raise self.fail((*at, key), f"{key} must be a non-empty string, got {value!r}.")
        return value

    def boolean(self, table: dict, key: str, at: KeyPath, default: Any) -> Any:
        value = table.get(key, default)
        if key in table and not isinstance(value, bool):
            raise self.fail((*at, key), f"{key} must be true or false, got {value!r}.")
        return value

    def datasets(self, data: dict) -> tuple[str, ...] | None:
        if "datasets" not in data:
            return None
        value = data["datasets"]
        if not isinstance(value, list) or not value:
            raise self.fail(("datasets",), f"datasets must be a non-empty array of names from "
                                           f"{', '.join(DATASET_NAMES)}.")
        for name in value:
            if name not in DATASET_NAMES:
                raise self.fail(("datasets",), f"unknown dataset {name!r}. "
                                               f"{did_you_mean(str(name), list(DATASET_NAMES))}")
        return tuple(dict.fromkeys(value))

    def seeds(self, data: dict, at: KeyPath) -> tuple[int, ...] | None:
        if "seeds" not in data:
            return None
        value = data["seeds"]
        if not isinstance(value, list) or not value:
            raise self.fail((*at, "seeds"), f"seeds must be a non-empty array, e.g. [0, 1, 2]; "
                                            f"got {value!r}.")
        try:
            return tuple(dict.fromkeys(check_seed(s, "each seed") for s in value))
        except UsageError as exc:
            raise self.fail((*at, "seeds"), str(exc)) from None

    def epoch_sweeps(self, data: dict) -> dict[str, int]:
        sweeps = self.table(data, "epoch_sweeps", ())
        for model, epochs in sweeps.items():
            if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
                raise self.fail(("epoch_sweeps", model), f"epochs must be a whole number of 1 "
                                                         f"or more, got {epochs!r}.")
        return sweeps

    def include(self, data: dict) -> tuple[str, ...]:
        value = data.get("include", [])
        names = _builtin_names()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(("include",), f"include must be an array of built-in suite names, "
                                          f"got {value!r}.")
        for name in value:
            if name not in names:
                raise self.fail(("include",), f"no built-in suite {name!r}. "
                                              f"{did_you_mean(name, names)}")
        return tuple(value)

    def corruptions(self, data: dict) -> tuple[str, ...]:
        try:
            return parse_corruptions(data.get("corruptions", "none"))
        except UsageError as exc:
            raise self.fail(("corruptions",), str(exc)) from None

    def profile(self, data: dict) -> str | None:
        value = self.string(data, "profile", (), None)
        if value is not None and value not in PROFILES:
            raise self.fail(("profile",), f"unknown profile {value!r}. "
                                          f"{did_you_mean(value, list(PROFILES))}")
        return value


# --- finding a key's line in the TOML text -------------------------------------------------

_HEADER = re.compile(r"""^\s*\[\[?\s*([A-Za-z_"'][^\]]*?)\s*\]\]?\s*(?:#.*)?$""")


def _key_pattern(key: str) -> str:
    return rf"""(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')"""


def locate(text: str, path: KeyPath) -> int | None:
    """The 1-based line of the key at ``path`` in a suite's TOML text, else of the nearest
    enclosing key, else ``None`` (best effort: top-level keys, ``[[models]]`` tables, inline
    tables, dotted keys and sub-tables such as ``[models.params]``)."""
    lines = text.splitlines()
    sections = _sections(lines)
    if not path:
        return None
    if path[0] != "models" or len(path) < 2 or not isinstance(path[1], int):
        return _find_in(lines, sections, ("",), _key_pattern(str(path[0])))
    entry = path[1]
    own = [i for i, sec in enumerate(sections) if sec[:2] == ("models", entry)]
    if not own:  # inline `models = [...]` arrays: the best we can do is the `models` key
        return _find_in(lines, sections, ("",), _key_pattern("models"))
    header = own[0] + 1
    keys = [str(p) for p in path[2:]]
    if not keys:
        return header
    first = _key_pattern(keys[0])
    if len(keys) >= 2:
        inner = _key_pattern(keys[1])
        candidates = [
            (("models", entry, keys[0]), rf"^\s*{inner}\s*="),                   # [models.params]
            (("models", entry), rf"^\s*{first}\s*\.\s*{inner}\s*="),           # params.C = 1
            (("models", entry), rf"^\s*{first}\s*=.*[{{,]\s*{inner}\s*="),     # params = { C = 1 }
        ]
        for section, pattern in candidates:
            line = _find_in(lines, sections, section, pattern)
            if line:
                return line
    line = _find_in(lines, sections, ("models", entry), rf"^\s*{first}\s*[.=]")
    sub_table = [i + 1 for i, sec in enumerate(sections) if sec == ("models", entry, keys[0])]
    return line or (sub_table[0] if sub_table else header)


def _sections(lines: list[str]) -> list[tuple]:
    """For each line, the table it belongs to: ``("",)`` top level, ``("models", i)`` the i-th
    ``[[models]]`` entry, ``("models", i, "params")`` its sub-table, ``("other",)`` anything else."""
    current: tuple = ("",)
    count = -1
    result = []
    in_string = False
    for line in lines:
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_string = not in_string
        match = None if in_string else _HEADER.match(line)
        if match:
            name = match.group(1).replace(" ", "")
            if line.lstrip().startswith("[[") and name == "models":
                count += 1
                current = ("models", count)
            elif name.startswith("models.") and count >= 0:
                current = ("models", count, name.split(".", 1)[1])
            else:
                current = ("other",)
        result.append(current)
    return result


def _find_in(lines: list[str], sections: list[tuple], section: tuple, pattern: str) -> int | None:
    regex = re.compile(pattern)
    for number, (line, sec) in enumerate(zip(lines, sections, strict=True), start=1):
        if sec == section and regex.search(line) and not _HEADER.match(line):
            return number
    return None
