"""Typed model parameters and ``--set name=value`` overrides."""

from __future__ import annotations

import ast
import types
import typing
from dataclasses import dataclass
from typing import Any

from bench.errors import UsageError


@dataclass(frozen=True)
class Param:
    """One model parameter: its name, default, type annotation and a short help text.

    ``type`` is a plain type (``int``, ``float``, ``bool``, ``str``), a union with
    ``None`` (``int | None``), or a tuple type (``tuple[int, ...]``).
    """

    name: str
    default: Any
    type: Any
    help: str = ""

    @property
    def type_name(self) -> str:
        return type_name(self.type)


def type_name(annotation: Any) -> str:
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _union_members(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def coerce(value: Any, annotation: Any) -> Any:
    """Convert ``value`` (a string from the command line, or a Python value) to ``annotation``.

    Raises ``ValueError`` when it does not fit.
    """
    members = _union_members(annotation)
    if isinstance(value, str) and value.strip().lower() in ("none", "null") and type(None) in members:
        return None
    if value is None:
        if type(None) in members:
            return None
        raise ValueError("None is not allowed")
    errors = []
    for member in members:
        if member is type(None):
            continue
        try:
            return _coerce_one(value, member)
        except (ValueError, TypeError) as exc:
            errors.append(str(exc))
    raise ValueError("; ".join(errors) or f"cannot convert {value!r}")


def _coerce_one(value: Any, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is tuple:
        args = typing.get_args(annotation)
        item_type = args[0] if args else str
        if isinstance(value, str):
            text = value.strip()
            parsed = _literal(text if text.startswith(("(", "[")) else f"({text},)")
            value = parsed
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = (value,)
        if not isinstance(value, (tuple, list)):
            raise ValueError(f"expected a tuple like 128,64 or (128, 64), got {value!r}")
        return tuple(_coerce_one(item, item_type) for item in value)
    if annotation is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
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


def describe_params(params: tuple[Param, ...]) -> str:
    """``name: type = default`` for every parameter, one per line."""
    return "\n".join(f"  {p.name}: {p.type_name} = {p.default!r}" for p in params) or "  (none)"


def parse_assignments(assignments: list[str] | None) -> dict[str, str]:
    """Split ``["a=1", "b=x"]`` into ``{"a": "1", "b": "x"}``."""
    result: dict[str, str] = {}
    for item in assignments or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"bad --set {item!r}: expected NAME=VALUE, e.g. --set epochs=3.")
        result[name.strip()] = value
    return result


def resolve_params(
    model_name: str, params: tuple[Param, ...], overrides: dict[str, Any] | None
) -> dict[str, Any]:
    """Defaults updated with type-checked overrides; unknown names and bad values raise."""
    by_name = {p.name: p for p in params}
    resolved = {p.name: p.default for p in params}
    for name, raw in (overrides or {}).items():
        if name not in by_name:
            raise UsageError(
                f"model {model_name!r} has no parameter {name!r}. Valid parameters "
                f"(name: type = default):\n{describe_params(params)}"
            )
        try:
            resolved[name] = coerce(raw, by_name[name].type)
        except (ValueError, TypeError) as exc:
            raise UsageError(
                f"bad value {raw!r} for parameter {name!r} of model {model_name!r} "
                f"(type {by_name[name].type_name}): {exc}. Valid parameters:\n"
                f"{describe_params(params)}"
            ) from None
    return resolved
