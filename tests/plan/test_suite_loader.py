"""Suite files: a good file parses into typed entries; every bad file names file, line and key."""

import re
import textwrap

import pytest

from bench.errors import SuiteError
from bench.plan import find_suite, load_suite, parse_suite
from bench.plan.loader import format_key, locate

GOOD = """\
# a comment
name = "mine"
description = "two models"
profile = "smoke"
datasets = ["mnist"]
seeds = [0, 3]
learning_curve = false

[[models]]
model = "random-forest"
family = "forest"
params = { n_estimators = 10 }
grid = { max_depth = [5, "none"] }

[[models]]
model = "keras-mlp"
heavy = true
note = "slow"
[models.params]
epochs = 2
hidden_units = [256, 128]

[[models]]
model = "logistic-regression"
stand_in_for = "keras-mlp"
grid.C = [0.1, 1.0]
"""


def write(tmp_path, text, name="suite.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_good_file_parses_into_typed_entries(tmp_path):
    suite = load_suite(write(tmp_path, GOOD))
    assert (suite.name, suite.description, suite.profile) == ("mine", "two models", "smoke")
    assert suite.datasets == ("mnist",) and suite.seeds == (0, 3)
    assert suite.learning_curve is False
    forest, mlp, logistic = suite.entries
    assert (forest.model, forest.family, forest.params) == ("random-forest", "forest",
                                                            {"n_estimators": 10})
    assert forest.grid == {"max_depth": (5, "none")}
    assert mlp.heavy and mlp.params == {"epochs": 2, "hidden_units": [256, 128]}
    assert logistic.stand_in_for == "keras-mlp" and logistic.grid == {"C": (0.1, 1.0)}
    assert [e.index for e in suite.entries] == [0, 1, 2]


def test_defaults_and_name_from_the_file_stem(tmp_path):
    suite = load_suite(write(tmp_path, '[[models]]\nmodel = "keras-mlp"\n', "sweep-1.toml"))
    assert suite.name == "sweep-1"
    assert (suite.datasets, suite.seeds, suite.profile) == (None,) * 3
    assert (suite.learning_curve, suite.epoch_sweeps, suite.include) == (False, {}, ())


def error_of(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    message = str(info.value)
    assert str(path) in message
    return message


def line_of(message):
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def test_toml_syntax_error_names_file_and_line(tmp_path):
    message = error_of(tmp_path, '[[models]]\nmodel = "keras-mlp"\nparams = { epochs = }\n')
    assert "not valid TOML" in message and line_of(message) == 3


@pytest.mark.parametrize(("text", "line", "key", "problem"), [
    ('profile = "smoke"\nmodles = []\n[[models]]\nmodel = "x"\n', 2, "modles",
     "unknown key 'modles'.*Did you mean 'models'"),
    ('seeds = [0]\n[[models]]\nmodel = "a"\n\n[[models]]\nmodel = "b"\nparam = { C = 1 }\n',
     7, "models[1].param", "Did you mean 'params'"),
    ('[[models]]\nmodel = "a"\ngrid = { C = 1 }\n', 3, "models[0].grid.C",
     "non-empty array"),
    ('[[models]]\nmodel = "a"\n[models.grid]\nkernel = ["rbf"]\nC = []\n', 5,
     "models[0].grid.C", "non-empty array"),
    ('[[models]]\nmodel = "a"\nparams.C = 1\ngrid.C = [1, 2]\n', 4, "models[0].grid.C",
     "both params and grid"),
    ('datasets = ["mnist", "kmnist"]\n[[models]]\nmodel = "a"\n', 1, "datasets",
     "unknown dataset 'kmnist'"),
    ('seeds = [0, -1]\n[[models]]\nmodel = "a"\n', 1, "seeds",
     "each seed must be a whole number from 0 to 4294967295, got -1"),
    ('seeds = [1]\nepoch_sweeps = { a = 0 }\n[[models]]\nmodel = "a"\n', 2, "epoch_sweeps.a",
     "whole number of 1 or more"),
    ('include = ["defualt"]\n', 1, "include", "Did you mean 'default'"),
    ('\nprofile = "tiny"\n[[models]]\nmodel = "a"\n', 2, "profile", "unknown profile 'tiny'"),
    ('[[models]]\nmodel = "a"\nheavy = "yes"\n', 3, "models[0].heavy", "true or false"),
    ('[[models]]\nmodel = "a"\n[[models]]\nmodel = "b"\nstand_in_for = "a"\n', 5,
     "models[1].stand_in_for", "not the model of a heavy entry"),
    ('[[models]]\nfamily = "x"\n', 1, "models[0]", "needs `model"),
    ('name = "x"\n', None, "models", "at least one"),
])
def test_bad_files_name_the_line_and_key(tmp_path, text, line, key, problem):
    message = error_of(tmp_path, text)
    assert line_of(message) == line
    assert f"key {key}:" in message
    assert re.search(problem, message)


def test_missing_file_and_unknown_builtin(tmp_path):
    with pytest.raises(SuiteError, match="does not exist"):
        find_suite(tmp_path / "nope.toml")
    with pytest.raises(SuiteError, match="no built-in suite 'xiao217'.*Did you mean 'xiao2017'"):
        find_suite("xiao217")


@pytest.mark.parametrize(("path", "line"), [
    (("models", 0, "params", "n_estimators"), 12),   # inline table
    (("models", 0, "grid", "max_depth"), 13),
    (("models", 1, "params", "hidden_units"), 21),   # [models.params] sub-table
    (("models", 2, "grid", "C"), 26),                # dotted key
    (("models", 2, "model"), 24),
    (("models", 1, "params", "unknown"), 19),        # falls back to the sub-table
    (("models", 2), 23),
    (("seeds",), 6),
])
def test_locate_finds_keys_in_every_layout(path, line):
    assert locate(GOOD, path) == line


def test_format_key():
    assert format_key(("models", 2, "params", "C")) == "models[2].params.C"
    assert format_key(("seeds",)) == "seeds"


def test_inline_models_array_points_at_the_models_key():
    text = 'seeds = [0]\nmodels = [\n  { model = "a", heavy = 3 },\n]\n'
    with pytest.raises(SuiteError, match=r"<t>, line 2, key models\[0\]\.heavy"):
        parse_suite(text, "<t>", "t")
