"""bench.stats against known values and against scipy / statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from bench import stats


def test_mean_ci_known_values():
    ci = stats.mean_ci([1.0, 2.0, 3.0])
    # mean 2, s = 1, t(0.975, 2) = 4.302653
    assert ci.mean == pytest.approx(2.0)
    assert ci.std == pytest.approx(1.0)
    assert ci.half_width == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)
    assert ci.n == 3 and ci.has_interval


@pytest.mark.parametrize("values", [[0.97, 0.975, 0.981], [0.5, 0.9, 0.7, 0.8, 0.65], [3.0, 3.0]])
def test_mean_ci_matches_scipy(values):
    ci = stats.mean_ci(values)
    arr = np.asarray(values)
    if arr.std() == 0:
        assert ci.low == ci.high == pytest.approx(arr.mean())
        return
    low, high = sps.t.interval(0.95, arr.size - 1, loc=arr.mean(), scale=sps.sem(arr))
    assert (ci.low, ci.high) == pytest.approx((low, high))


def test_mean_ci_single_and_empty():
    one = stats.mean_ci([0.9])
    assert one.mean == 0.9 and one.n == 1
    assert math.isnan(one.low) and math.isnan(one.high) and math.isnan(one.std)
    assert not one.has_interval
    empty = stats.mean_ci([])
    assert empty.n == 0 and math.isnan(empty.mean)
    assert stats.mean_ci([0.8, float("nan")]).n == 1


@pytest.mark.parametrize("count,n", [(0, 10), (1, 10), (5, 10), (10, 10), (9871, 10000), (7, 13)])
def test_wilson_matches_statsmodels(count, n):
    expected = proportion_confint(count, n, alpha=0.05, method="wilson")
    assert stats.wilson_interval(count, n) == pytest.approx(expected, abs=1e-12)


def test_wilson_known_value_and_empty():
    # 8 of 10: Wilson 95% interval (0.4902, 0.9433), a textbook value
    low, high = stats.wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)
    assert all(math.isnan(v) for v in stats.wilson_interval(0, 0))


@pytest.mark.parametrize("only_a,only_b", [(0, 0), (3, 3), (10, 2), (1, 25), (40, 60), (0, 7)])
def test_mcnemar_counts_match_statsmodels(only_a, only_b):
    table = np.array([[50, only_a], [only_b, 40]])
    expected = mcnemar(table, exact=True).pvalue
    assert stats.mcnemar_exact_counts(only_a, only_b).p_value == pytest.approx(expected)


def test_mcnemar_known_value():
    # 1 vs 9 discordant: p = 2 * (1 + 10) / 2**10 = 0.021484375
    assert stats.mcnemar_exact_counts(1, 9).p_value == pytest.approx(0.021484375)
    assert stats.mcnemar_exact_counts(9, 1).p_value == pytest.approx(0.021484375)


def test_mcnemar_from_predictions_matches_statsmodels_and_binomtest():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 10, 500)
    pred_a = np.where(rng.random(500) < 0.9, truth, (truth + 1) % 10)
    pred_b = np.where(rng.random(500) < 0.8, truth, (truth + 3) % 10)
    result = stats.mcnemar_exact(pred_a, pred_b, truth)
    right_a, right_b = pred_a == truth, pred_b == truth
    table = np.array([[np.sum(right_a & right_b), np.sum(right_a & ~right_b)],
                      [np.sum(~right_a & right_b), np.sum(~right_a & ~right_b)]])
    assert (result.only_a, result.only_b) == (table[0, 1], table[1, 0])
    assert result.discordant == table[0, 1] + table[1, 0]
    assert result.p_value == pytest.approx(mcnemar(table, exact=True).pvalue)
    binom = sps.binomtest(int(table[0, 1]), int(table[0, 1] + table[1, 0]), 0.5).pvalue
    assert result.p_value == pytest.approx(binom)


def test_mcnemar_rejects_unpaired():
    with pytest.raises(ValueError, match="shape"):
        stats.mcnemar_exact(np.zeros(3), np.zeros(4), np.zeros(3))


@pytest.mark.parametrize("p", [[0.01, 0.04, 0.03, 0.2], [0.5], [0.001, 0.001, 0.9], []])
def test_holm_matches_statsmodels(p):
    got = stats.holm_adjust(p)
    if not p:
        assert got == []
        return
    expected = multipletests(p, alpha=0.05, method="holm")[1]
    assert got == pytest.approx(list(expected))


def test_error_rate_ratio_and_std():
    assert stats.error_rate_ratio(0.9, 0.99) == pytest.approx(10.0)
    assert stats.error_rate_ratio(0.9, 1.0) == math.inf
    assert math.isnan(stats.error_rate_ratio(1.0, 1.0))
    assert stats.sample_std([1, 2, 3]) == pytest.approx(1.0)
    assert math.isnan(stats.sample_std([1]))


def test_digit_strings_round_trip():
    arr = np.array([7, 2, 1, 0, 4], dtype=np.uint8)
    assert stats.array_to_digits(arr) == "72104"
    assert stats.digits_to_array("72104").tolist() == arr.tolist()
    with pytest.raises(ValueError):
        stats.digits_to_array("7a")
