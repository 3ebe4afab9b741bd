import pytest

from bench.errors import UsageError
from bench.params import Param, coerce, parse_assignments, resolve_params

PARAMS = (
    Param("epochs", 5, int),
    Param("rate", 0.001, float),
    Param("shuffle", True, bool),
    Param("optimizer", "rmsprop", str),
    Param("depth", None, int | None),
    Param("hidden", (128,), tuple[int, ...]),
    Param("features", "sqrt", float | str | None),
)


@pytest.mark.parametrize(("text", "annotation", "expected"), [
    ("3", int, 3),
    ("0.5", float, 0.5),
    ("1e-3", float, 0.001),
    ("false", bool, False),
    ("Yes", bool, True),
    ("adam", str, "adam"),
    ("none", int | None, None),
    ("12", int | None, 12),
    ("256,128", tuple[int, ...], (256, 128)),
    ("(64, 32)", tuple[int, ...], (64, 32)),
    ("64", tuple[int, ...], (64,)),
    ("0.3", float | str | None, 0.3),
    ("log2", float | str | None, "log2"),
])
def test_coerce_parses_to_declared_type(text, annotation, expected):
    value = coerce(text, annotation)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("text", "annotation"), [
    ("three", int), ("1.5", int), ("maybe", bool), ("x", float), ("a,b", tuple[int, ...]),
    ("none", int),
])
def test_coerce_rejects_bad_values(text, annotation):
    with pytest.raises(ValueError):
        coerce(text, annotation)


def test_resolve_applies_overrides_and_keeps_defaults():
    resolved = resolve_params("m", PARAMS, {"epochs": "2", "hidden": "32,16"})
    assert resolved["epochs"] == 2 and resolved["hidden"] == (32, 16)
    assert resolved["rate"] == 0.001 and resolved["depth"] is None


def test_unknown_parameter_lists_valid_ones_with_types_and_defaults():
    with pytest.raises(UsageError) as info:
        resolve_params("m", PARAMS, {"epoch": "2"})
    message = str(info.value)
    assert "'epoch'" in message and "epochs: int = 5" in message
    assert "hidden: tuple[int, ...] = (128,)" in message


def test_bad_value_names_parameter_and_type():
    with pytest.raises(UsageError) as info:
        resolve_params("m", PARAMS, {"epochs": "many"})
    assert "epochs" in str(info.value) and "int" in str(info.value)


def test_parse_assignments():
    assert parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError):
        parse_assignments(["novalue"])
