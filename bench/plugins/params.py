"""Typed model parameters, declared once by an ``__init__`` signature (a plain default such as
``epochs=5`` is enough; ``Annotated[int, AtLeast1, "help"]`` adds a range and a help text),
read by :func:`params_from_signature` and set by :func:`resolve_params` (``--set``).
"""

from __future__ import annotations

import ast
import inspect
import math
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.errors import UsageError

#: Constructor arguments that are never parameters: the harness passes them itself (the job
#: seed as ``seed``, or ``random_state`` for scikit-learn; the thread count as ``n_jobs``).
HARNESS_ARGS = ("self", "seed", "random_state", "n_jobs")
_NONE_TEXT = ("none", "null")
_BOOL_TEXT = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


@dataclass(frozen=True)
class Range:
    """Allowed numeric values (``Range(ge=0, le=1)``), for every item of a tuple parameter,
    which must then hold at least one."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def contains(self, value: float) -> bool:
        return ((self.ge is None or value >= self.ge) and (self.gt is None or value > self.gt)
                and (self.le is None or value <= self.le) and (self.lt is None or value < self.lt))

    def describe(self) -> str:
        return " and ".join(f"{op} {_number(bound)}" for op, bound in
                            ((">=", self.ge), (">", self.gt), ("<=", self.le), ("<", self.lt))
                            if bound is not None)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


AtLeast1 = Range(ge=1)
Positive = Range(gt=0)
NonNegative = Range(ge=0)
Probability = Range(ge=0, le=1)


@dataclass(frozen=True)
class Param:
    """One model parameter. ``type`` is ``int``, ``float``, ``bool``, ``str``, a ``Literal``,
    ``tuple[int, ...]``, ``typing.Any`` (read as the user means it) or a union of these."""

    name: str
    default: Any
    type: Any
    help: str = ""
    range: Range | None = None

    @property
    def type_name(self) -> str:
        name = type_name(self.type)
        return f"{name} {self.range.describe()}" if self.range else name

    @property
    def choices(self) -> tuple[Any, ...]:
        """The values of the ``Literal`` members, if any."""
        return tuple(c for m in _members(self.type) if typing.get_origin(m) is typing.Literal
                     for c in typing.get_args(m))

    def describe(self) -> str:
        return f"{self.name}: {self.type_name} = {self.default!r}"


def type_name(annotation: Any) -> str:
    """``int``, ``int | None``, ``'sqrt' | 'log2'``, ``tuple[int, ...]``, ``any``."""
    if annotation is type(None):
        return "None"
    if annotation is Any:
        return "any"
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(m) for m in typing.get_args(annotation))
    if origin is typing.Literal:
        return " | ".join(repr(c) for c in typing.get_args(annotation))
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _members(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return tuple(m for a in typing.get_args(annotation) for m in _members(a))
    return (annotation,)


def parse_text(text: str) -> Any:
    """What a user means by a ``--set`` value: ``2`` an int, ``0.5`` a float, ``true`` a bool,
    ``none`` None, ``(1, 2)`` a tuple, anything else the string itself."""
    stripped = text.strip()
    if stripped.lower() in _NONE_TEXT:
        return None
    if stripped.lower() in _BOOL_TEXT:
        return _BOOL_TEXT[stripped.lower()]
    try:
        value = ast.literal_eval(stripped)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return stripped
    return value if isinstance(value, (int, float, str, tuple, list)) else stripped


def _is_exact(value: Any, member: Any) -> bool:
    """``value`` already is a ``member`` (bool is not an int here)."""
    if typing.get_origin(member) is typing.Literal:
        return any(type(value) is type(c) and value == c for c in typing.get_args(member))
    return member in (bool, int, float, str) and type(value) is member


def coerce(value: Any, annotation: Any) -> Any:
    """``value`` (command-line text or a Python value) converted to ``annotation``, else
    ``ValueError``. Of a union, the member the value's literal form already is wins (``2`` an
    int, ``sqrt`` a choice), then conversions in declaration order (``2`` for a float: 2.0).
    """
    members = _members(annotation)
    parsed = parse_text(value) if isinstance(value, str) else value
    if parsed is None and (type(None) in members or Any in members):
        return None
    if value is None:
        raise ValueError("None is not allowed")
    for member in members:
        if _is_exact(parsed, member):
            return parsed
    errors = []
    for member in members:
        if member is type(None):
            continue
        try:
            return _coerce_one(value, member)
        except (ValueError, TypeError) as exc:
            errors.append(str(exc))
    raise ValueError("; ".join(dict.fromkeys(errors)) or f"cannot convert {value!r}")


def _coerce_one(value: Any, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        value = parse_text(value) if isinstance(value, str) else value
        return tuple(value) if isinstance(value, list) else value
    if origin is typing.Literal:
        choices = typing.get_args(annotation)
        for choice in choices:
            if isinstance(value, str) and isinstance(choice, str) and value.strip() == choice:
                return choice
        raise ValueError(f"expected one of {', '.join(map(repr, choices))}, got {value!r}")
    if origin is tuple:
        args = typing.get_args(annotation)
        item_type = args[0] if args else str
        given = value
        if isinstance(value, str):
            text = value.strip()
            value = parse_text(text if text.startswith(("(", "[")) else f"({text},)")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = (value,)
        if not isinstance(value, (tuple, list)):
            raise ValueError(f"expected a tuple like 128,64 or (128, 64), got {given!r}")
        return tuple(_coerce_one(item, item_type) for item in value)
    if annotation is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _BOOL_TEXT or text in ("1", "0"):
            return _BOOL_TEXT.get(text, text == "1")
        raise ValueError(f"expected true or false, got {value!r}")
    if annotation is int:
        if isinstance(value, bool):
            raise ValueError(f"expected an integer, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(f"expected an integer, got {value!r}") from None
    if annotation is float:
        if isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected a number, got {value!r}") from None
    if annotation is str:
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {value!r}")
        return value
    raise TypeError(f"unsupported parameter type {type_name(annotation)}")


#: Integers must fit a 32-bit C int: scikit-learn's compiled code (and Keras) take no larger.
INT_BOUNDS = (-(2**31), 2**31 - 1)


def check_range(param: Param, value: Any) -> str | None:
    """Why ``value`` is outside ``param``'s range (or not finite, or not a 32-bit C int), or
    ``None`` when it is fine."""
    items = value if isinstance(value, tuple) else (value,)
    if not items and param.range is not None:
        return f"must hold at least one value, each {param.range.describe()}"
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            continue
        if isinstance(item, float) and not math.isfinite(item):
            return "must be a finite number"
        if param.range is not None and not param.range.contains(item):
            return f"must be {param.range.describe()}"
        if isinstance(item, int) and not INT_BOUNDS[0] <= item <= INT_BOUNDS[1]:
            return (f"must fit a 32-bit C integer ({INT_BOUNDS[0]:,} to {INT_BOUNDS[1]:,}), as "
                    "compiled model code such as scikit-learn's needs")
    return None


def infer_type(default: Any) -> Any:
    """A parameter type from a default alone (undeclared signatures, e.g. sklearn's): ``None``
    and strings take what the user means (``gamma="scale"`` also takes numbers)."""
    for kind in (bool, int, float):  # bool first: a bool is an int
        if isinstance(default, kind):
            return kind
    if default is None or isinstance(default, str):
        return Any
    if isinstance(default, tuple) and all(isinstance(v, int) and not isinstance(v, bool)
                                          for v in default):
        return tuple[int, ...]
    raise TypeError(f"default {default!r} is not a plain value")


def is_plain(value: Any) -> bool:
    """None, bool, int, finite float, str, or a tuple of those (what a job key can hold)."""
    if isinstance(value, tuple):
        return all(is_plain(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (bool, int, str))


def _split_annotated(annotation: Any) -> tuple[Any, str, Range | None]:
    if typing.get_origin(annotation) is not typing.Annotated:
        return annotation, "", None
    base, *extras = typing.get_args(annotation)
    help_text = " ".join(e for e in extras if isinstance(e, str))
    ranges = [e for e in extras if isinstance(e, Range)]
    return base, help_text, ranges[0] if ranges else None


def params_from_signature(factory: Callable[..., Any]) -> tuple[Param, ...]:
    """The :class:`Param` of every keyword argument of ``factory`` (a class or a function) but
    ``HARNESS_ARGS``, typed by its annotation or else by its default."""
    target = factory.__init__ if isinstance(factory, type) else factory
    signature = inspect.signature(target)
    try:
        hints = typing.get_type_hints(target, include_extras=True)
    except Exception as exc:  # noqa: BLE001 - a bad annotation is the plugin's error
        raise TypeError(f"cannot read the annotations of {_qualname(factory)}: {exc}") from None
    params = []
    for arg in signature.parameters.values():
        if arg.name in HARNESS_ARGS or arg.kind in (arg.VAR_POSITIONAL, arg.VAR_KEYWORD):
            continue
        if arg.default is arg.empty:
            raise TypeError(f"{_qualname(factory)} argument {arg.name!r} has no default")
        annotation, help_text, value_range = _split_annotated(hints.get(arg.name, inspect._empty))
        if annotation is inspect._empty:
            annotation = infer_type(arg.default)
        params.append(Param(arg.name, arg.default, annotation, help_text, value_range))
    return tuple(params)


def _qualname(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def describe_params(params: Sequence[Param]) -> str:
    """``name: type = default`` for every parameter, one per line."""
    return "\n".join(f"  {p.describe()}" for p in params) or "  (none)"


def parse_assignments(assignments: list[str] | None) -> dict[str, str]:
    """Split ``["a=1", "b=x"]`` into ``{"a": "1", "b": "x"}``."""
    result: dict[str, str] = {}
    for item in assignments or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"bad --set {item!r}: expected NAME=VALUE, e.g. --set epochs=3.")
        result[name.strip()] = value
    return result


def coerce_param(model_name: str, param: Param, raw: Any,
                 listing: Sequence[Param] | None = None) -> Any:
    """``raw`` converted to ``param``'s type and checked against its range, or a UsageError
    naming the model, the parameter, the value and what is allowed."""
    valid = f" Valid parameters:\n{describe_params(listing)}" if listing else ""
    try:
        value = coerce(raw, param.type)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"bad value {raw!r} for parameter {param.name!r} of model "
                         f"{model_name!r} (type {param.type_name}): {exc}.{valid}") from None
    problem = check_range(param, value)
    if problem:
        raise UsageError(f"bad value {raw!r} for parameter {param.name!r} of model "
                         f"{model_name!r}: it {problem} ({param.describe()}).{valid}")
    return value


def resolve_params(model_name: str, params: Sequence[Param], overrides: dict[str, Any] | None,
                   extra: Callable[[], Sequence[Param]] | None = None) -> dict[str, Any]:
    """Defaults updated with type- and range-checked overrides; unknown names raise. ``extra``
    (called only for an undeclared name) gives further parameters, in the result when set."""
    by_name = {p.name: p for p in params}
    resolved = {p.name: p.default for p in params}
    for name, raw in (overrides or {}).items():
        param = by_name.get(name)
        if param is None and extra is not None:
            by_name.update({p.name: p for p in extra() if p.name not in by_name})
            param = by_name.get(name)
        if param is None:
            hint = (" (plus the pass-through parameters shown by `bench list "
                    f"{model_name}`)" if extra is not None else "")
            raise UsageError(f"model {model_name!r} has no parameter {name!r}. Valid parameters "
                             f"(name: type = default){hint}:\n{describe_params(params)}")
        resolved[name] = coerce_param(model_name, param, raw, params)
    return resolved
