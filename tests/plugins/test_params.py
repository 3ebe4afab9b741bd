import pytest

from bench.errors import UsageError
from bench.plugins.params import Param, coerce, parse_assignments, resolve_params

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


@pytest.mark.parametrize("text", ["", "256,,128", "a,b"])
def test_a_bad_tuple_value_is_quoted_as_given(text):
    """Not as the '(256,,128,)' the parser tried internally."""
    with pytest.raises(UsageError) as info:
        resolve_params("m", PARAMS, {"hidden": text})
    first_line = str(info.value).splitlines()[0]
    assert f"got {text!r}" in first_line and ",)" not in first_line


def test_parse_assignments():
    assert parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError):
        parse_assignments(["novalue"])


# --- choices, unions read as meant, ranges, declarations from signatures ----------------------

from typing import Annotated, Any, Literal  # noqa: E402

from bench.plugins.params import AtLeast1, Positive, Range, params_from_signature  # noqa: E402

FEATURES = int | float | Literal["sqrt", "log2"] | None


@pytest.mark.parametrize(("text", "annotation", "expected"), [
    ("2", FEATURES, 2),
    ("0.5", FEATURES, 0.5),
    ("sqrt", FEATURES, "sqrt"),
    ("none", FEATURES, None),
    ("2", int | str, 2),
    ("auto", int | str, "auto"),
    ("2", float | str, 2.0),
    ("2", Any, 2),
    ("0.1", Any, 0.1),
    ("gini", Any, "gini"),
    ("True", Any, True),
    ("(3, 4)", Any, (3, 4)),
    ("none", Literal["none", "unit"], "none"),
    ("123", str, "123"),
])
def test_unions_and_choices_are_read_as_the_user_means(text, annotation, expected):
    value = coerce(text, annotation)
    assert value == expected and type(value) is type(expected)


def test_a_bad_choice_lists_the_choices():
    with pytest.raises(UsageError) as info:
        resolve_params("m", (Param("f", "sqrt", FEATURES),), {"f": "sqrtt"})
    assert "'sqrt', 'log2'" in str(info.value) and "'sqrtt'" in str(info.value)


RANGED = (
    Param("epochs", 5, int, range=AtLeast1),
    Param("batch_size", 128, int, range=AtLeast1),
    Param("learning_rate", 0.001, float, range=Positive),
    Param("dropout", 0.5, float, range=Range(ge=0, le=1)),
    Param("hidden", (128,), tuple[int, ...], range=AtLeast1),
    Param("momentum", 0.9, float),
)


@pytest.mark.parametrize(("name", "value", "allowed"), [
    ("epochs", "-3", ">= 1"), ("epochs", "0", ">= 1"), ("batch_size", "0", ">= 1"),
    ("learning_rate", "-1", "> 0"), ("learning_rate", "0", "> 0"),
    ("learning_rate", "nan", "finite"), ("momentum", "inf", "finite"),
    ("dropout", "1.5", ">= 0 and <= 1"), ("hidden", "64,0", ">= 1"),
])
def test_out_of_range_values_name_model_parameter_value_and_range(name, value, allowed):
    with pytest.raises(UsageError) as info:
        resolve_params("my-model", RANGED, {name: value})
    message = str(info.value)
    assert all(part in message for part in ("'my-model'", repr(name), repr(value), allowed))


def test_values_at_the_bounds_are_accepted():
    resolved = resolve_params("m", RANGED, {"epochs": "1", "dropout": "1", "hidden": "1,2"})
    assert (resolved["epochs"], resolved["dropout"], resolved["hidden"]) == (1, 1.0, (1, 2))


HUGE = "100000000000000000000"


@pytest.mark.parametrize(("name", "value"), [
    ("epochs", HUGE), ("epochs", str(2**31)), ("hidden", f"64,{HUGE}"), ("momentum_int", HUGE),
    ("depth", HUGE), ("depth", str(-(2**31) - 1)),
])
def test_integers_beyond_a_32_bit_c_int_are_refused(name, value):
    params = (*RANGED, Param("momentum_int", 0, int), Param("depth", None, Any))
    with pytest.raises(UsageError) as info:
        resolve_params("my-model", params, {name: value})
    message = str(info.value)
    assert repr(value) in message and "32-bit C integer (-2,147,483,648 to 2,147,483,647)" in message


def test_the_largest_32_bit_integers_and_large_floats_are_accepted():
    params = (*RANGED, Param("depth", None, Any))
    resolved = resolve_params("m", params, {"epochs": str(2**31 - 1), "depth": str(-(2**31)),
                                            "momentum": "1e30"})
    assert (resolved["epochs"], resolved["depth"], resolved["momentum"]) == (2**31 - 1, -(2**31),
                                                                             1e30)
    with pytest.raises(UsageError, match="must be >= 1"):  # the declared range speaks first
        resolve_params("m", RANGED, {"epochs": f"-{HUGE}"})


class Declared:
    def __init__(self, epochs: Annotated[int, AtLeast1, "training epochs"] = 5,
                 rule: Annotated[Literal["a", "b"], "a rule"] = "a",
                 rate=0.1, depth=None, hidden=(64, 32), seed=0, **options):
        pass


def test_params_come_from_the_signature_once():
    params = {p.name: p for p in params_from_signature(Declared)}
    assert list(params) == ["epochs", "rule", "rate", "depth", "hidden"]  # seed, **options out
    assert params["epochs"] == Param("epochs", 5, int, "training epochs", AtLeast1)
    assert params["rule"].choices == ("a", "b") and params["rule"].help == "a rule"
    assert params["rate"].type is float and params["depth"].type is Any
    assert params["hidden"].type == tuple[int, ...]


def test_an_argument_without_default_is_an_error():
    def factory(epochs: int, seed: int = 0):
        pass

    with pytest.raises(TypeError, match="'epochs' has no default"):
        params_from_signature(factory)
