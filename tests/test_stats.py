"""bench.stats against known values and against scipy / statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

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
    assert result.only_a + result.only_b == table[0, 1] + table[1, 0]
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


def test_row_spearman_matches_scipy_row_by_row():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(6, 9)), rng.normal(size=(6, 9))
    y[0] = x[0] + 0.1 * y[0]
    x[1, :3] = x[1, 0]  # ties
    expected = [sps.spearmanr(a, b).statistic for a, b in zip(x, y, strict=True)]
    assert stats.row_spearman(x, y) == pytest.approx(expected)
    assert stats.row_spearman(x[2], y[2]) == pytest.approx(expected[2])  # one row


# ---------------------------------------------------------------------------- bootstrap


def test_bootstrap_weights_are_resample_counts_and_deterministic():
    w = stats.bootstrap_weights(50, 200, np.random.default_rng(1))
    assert w.shape == (200, 50) and (w.sum(axis=1) == 50).all() and (w >= 0).all()
    again = stats.bootstrap_weights(50, 200, np.random.default_rng(1))
    assert np.array_equal(w, again)
    # each item is drawn Binomial(50, 1/50) times: mean 1
    assert w.mean() == pytest.approx(1.0)


def test_replicates_of_one_effective_run_match_the_binomial_standard_error():
    rng = np.random.default_rng(0)
    correct = rng.random(4000) < 0.9
    same = np.vstack([correct] * 3)  # three seeds, identical predictions
    w = stats.bootstrap_weights(correct.size, 3000, np.random.default_rng(2))
    reps = stats.replicate_accuracies(same, w, np.random.default_rng(3))
    p = correct.mean()
    assert reps.mean() == pytest.approx(p, abs=0.002)
    assert reps.std() == pytest.approx(np.sqrt(p * (1 - p) / correct.size), rel=0.08)


def test_replicates_match_a_naive_loop():
    rng = np.random.default_rng(5)
    correct = rng.random((3, 60)) < np.array([[0.8], [0.7], [0.9]])
    w = stats.bootstrap_weights(60, 40, np.random.default_rng(6))
    reps = stats.replicate_accuracies(correct, w, np.random.default_rng(7))
    picks = np.random.default_rng(7).integers(0, 3, size=(40, 3))
    naive = [np.mean([np.sum(w[b] * correct[s]) / 60 for s in picks[b]]) for b in range(40)]
    assert reps == pytest.approx(naive)


def test_seed_spread_widens_the_replicates():
    rng = np.random.default_rng(8)
    base = rng.random(2000) < 0.9
    spread = np.vstack([rng.random(2000) < p for p in (0.85, 0.9, 0.95)])
    w = stats.bootstrap_weights(2000, 2000, np.random.default_rng(9))
    one = stats.replicate_accuracies(np.vstack([base] * 3), w, np.random.default_rng(1))
    three = stats.replicate_accuracies(spread, w, np.random.default_rng(1))
    assert three.std() > 2 * one.std()


def test_percentile_interval_matches_numpy():
    reps = np.arange(1001) / 1000
    assert stats.percentile_interval(reps) == pytest.approx((0.025, 0.975))
    assert all(math.isnan(v) for v in stats.percentile_interval([]))


def test_combined_interval_adds_t_seed_and_normal_test_set_half_widths():
    from scipy.stats import norm, t

    accs = [0.97, 0.975, 0.972]
    low, high = stats.combined_interval(accs, 10_000)
    p = np.mean(accs)
    seed = t.ppf(0.975, df=2) * np.std(accs, ddof=1) / np.sqrt(3)
    test = norm.ppf(0.975) * np.sqrt(p * (1 - p) / 10_000)
    assert (high - low) / 2 == pytest.approx(np.sqrt(seed ** 2 + test ** 2))
    # one effective run: the binomial part alone, not a zero width
    low, high = stats.combined_interval([0.9261] * 3, 10_000)
    assert (high - low) / 2 == pytest.approx(norm.ppf(0.975) * np.sqrt(0.9261 * 0.0739 / 1e4))


# ---------------------------------------------------------------------------- power


@pytest.mark.parametrize("n,psi", [(2000, 0.06), (10_000, 0.02), (500, 0.2)])
def test_min_detectable_difference_has_power_0_8_by_simulation(n, psi):
    from scipy.stats import chi2

    delta = stats.mcnemar_min_detectable(n, psi)
    rng = np.random.default_rng(11)
    probs = [(psi + delta) / 2, (psi - delta) / 2, 1 - psi]
    counts = rng.multinomial(n, probs, size=20_000)
    b, c = counts[:, 0], counts[:, 1]
    statistic = (b - c) ** 2 / np.maximum(b + c, 1)  # McNemar without continuity correction
    power = np.mean(chi2.sf(statistic, 1) < 0.05)
    assert power == pytest.approx(0.8, abs=0.02)


def test_min_detectable_difference_edges():
    assert math.isnan(stats.mcnemar_min_detectable(100, 0.0))
    assert stats.mcnemar_min_detectable(10_000, 0.02) < stats.mcnemar_min_detectable(1000, 0.02)
    assert stats.mcnemar_min_detectable(1000, 0.01) < stats.mcnemar_min_detectable(1000, 0.1)


# ---------------------------------------------------------------------------- ranks


