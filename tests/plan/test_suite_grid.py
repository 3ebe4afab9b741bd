"""Grid expansion (checked against a brute-force product) and the --grid command-line syntax."""

import pytest

from bench.errors import UsageError
from bench.plan import Suite, SuiteEntry, expand, grid_points, parse_grid_options
from bench.plan.grid import check_no_overlap


def brute_force(grid):
    points = [{}]
    for name, values in grid.items():
        points = [{**p, name: v} for p in points for v in values]
    return points


@pytest.mark.parametrize("grid", [
    {},
    {"C": [0.1, 1, 10]},
    {"C": [1, 10], "kernel": ["rbf", "poly", "linear"], "gamma": ["scale"]},
    {"hidden": [(256, 128), (512,)], "epochs": [1, 2]},
])
def test_grid_points_is_the_full_product_in_order(grid):
    points = grid_points(grid)
    assert points == brute_force(grid)
    expected = 1
    for values in grid.values():
        expected *= len(values)
    assert len(points) == expected
    if len(grid) >= 2:  # the last name varies fastest
        last = list(grid)[-1]
        assert [p[last] for p in points[:len(grid[last])]] == list(grid[last])


def test_expand_merges_fixed_params_with_each_grid_point_and_skips_heavy():
    suite = Suite("s", (
        SuiteEntry("svc", params={"kernel": "rbf"}, grid={"C": (1, 10)}, index=0),
        SuiteEntry("gb", params={"depth": 10}, heavy=True, index=1),
        SuiteEntry("hgb", params={"depth": 10}, stand_in_for="gb", index=2),
    ))
    pairs = [(v.model, v.params, v.entry) for v in expand(suite)]
    assert pairs == [("svc", {"kernel": "rbf", "C": 1}, 0), ("svc", {"kernel": "rbf", "C": 10}, 0),
                     ("hgb", {"depth": 10}, 2)]
    assert [v.model for v in expand(suite, include_heavy=True)] == ["svc", "svc", "gb", "hgb"]
    model, params, _, _ = expand(suite)[0]  # a Variant: (model, params, entry, seeds)
    assert (model, params) == ("svc", {"kernel": "rbf", "C": 1})


def test_cli_grid_words_keep_commas_inside_values():
    grid = parse_grid_options([["hidden_units=256,128", "512", "1024,512,256"], ["C=0.1", "1"]])
    assert grid == {"hidden_units": ["256,128", "512", "1024,512,256"], "C": ["0.1", "1"]}
    assert parse_grid_options([["keras-mlp.epochs=3"]]) == {"keras-mlp.epochs": ["3"]}
    assert parse_grid_options(None) == {}


@pytest.mark.parametrize(("words", "message"), [
    (["C"], "expected NAME=VALUE"),
    (["=1", "2"], "expected NAME=VALUE"),
    (["C=", "1"], "expected NAME=VALUE"),
])
def test_cli_grid_rejects_malformed_options(words, message):
    with pytest.raises(UsageError, match=message):
        parse_grid_options([words])


def test_cli_grid_rejects_a_repeated_name_and_a_name_also_set():
    with pytest.raises(UsageError, match="given twice"):
        parse_grid_options([["C=1"], ["C=2"]])
    with pytest.raises(UsageError, match="both by --set and --grid"):
        check_no_overlap({"C": "1"}, {"C": ["1", "2"]})


@pytest.mark.parametrize(("words", "message"), [
    (["epochs=5", "epochs=6"], "write the name once: --grid epochs=5 6"),
    (["epochs=5", "10", "batch_size=32", "64"],
     "give batch_size its own --grid: --grid epochs=5 10 --grid batch_size=32 64"),
    (["C=1", "keras-mlp.epochs=3"], "give keras-mlp.epochs its own --grid"),
])
def test_cli_grid_refuses_a_second_name_inside_one_grid(words, message):
    """``--grid epochs=5 epochs=6`` used to fail later as "expected an integer, got 'epochs=6'"."""
    with pytest.raises(UsageError, match=message):
        parse_grid_options([words])

