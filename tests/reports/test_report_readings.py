"""The readings follow the numbers: change the inputs and the sentence and verdict change."""

from __future__ import annotations

import numpy as np
import pytest

from bench.reports import readings as rd
from bench.reports.measures import (
    Estimate,
    Measures,
    PairDifference,
    Transfer,
)
from bench.reports.references import load

REFS = load()


def est(value: float, low: float, high: float, reps=None) -> Estimate:
    return Estimate(value, low, high, None if reps is None else np.asarray(reps, dtype=float))


def measures(**changes) -> Measures:
    pairs = {"mnist": [PairDifference("mnist", "a", "b", est(0.02, 0.015, 0.025, [0.02] * 10),
                                      0.03, 0.005)],
             "fashion-mnist": [PairDifference("fashion-mnist", "a", "b",
                                              est(0.03, 0.02, 0.04, [0.03] * 10), 0.08, 0.008)]}
    trans = Transfer(("a", "b", "c", "d"), est(0.8, 0.8, 1.0), 0.67, 0.33, 1 / 12)
    bars = (0.8, 0.9, 0.99)
    pixels = {"mnist": PixelCurve("mnist", 45, bars, (0.9, 0.45, 0.02), (1.0, 0.2, 0.0)),
              "fashion-mnist": PixelCurve("fashion-mnist", 45, bars, (0.85, 0.7, 0.3),
                                          (1.0, 1.0, 0.0))}
    base = dict(boot=None, ratios={"a": est(10.0, 8.0, 12.0), "b": est(4.3, 3.9, 4.8)},
                pairs=pairs, efficiency=eff, transfer=trans, pixels=pixels,
                datasets=("mnist", "fashion-mnist"), refs=REFS)
    base.update(changes)
    return Measures(**base)


def test_discrimination_compares_resolved_pairs_and_mentions_flips():
    r = rd.discrimination(measures())
    assert r.verdict == rd.NOT_SUPPORTED and "1 of 1 model pairs on MNIST" in r.text
    assert "reverses order" not in r.text
    unsure = PairDifference("mnist", "a", "b", est(0.001, -0.002, 0.004, [0.001] * 8 + [-0.001] * 2),
                            0.03, 0.005)
    m = measures(pairs={**measures().pairs, "mnist": [unsure]})
    r2 = rd.discrimination(m)  # one pair: 1 resolved on Fashion only is no evidence
    assert r2.verdict == rd.CANNOT_TELL and "0 of 1 model pairs on MNIST" in r2.text
    assert "reverses order in 20.0% of resamples" in r2.text
    assert "1 on Fashion-MNIST, 0 on MNIST (exact binomial p = 1)" in r2.text


def _pair(dataset, i, resolved):
    diff = est(0.02, 0.01, 0.03) if resolved else est(0.0, -0.01, 0.01)
    return PairDifference(dataset, f"m{i}", "ref", diff, 0.03, 0.005)


@pytest.mark.parametrize("mnist,fashion,verdict", [
    ([False] * 10, [True] * 10, "supported"),            # 10 vs 0: p = 2/1024
    ([True] * 8 + [False] * 2, [True] * 10, "not supported"),  # 2 vs 0: p = 0.5
    ([True] * 9 + [False], [False] + [True] * 9, "not supported"),
    ([False] * 8 + [True] * 2, [True] * 4 + [False] * 6, "cannot tell"),  # 4 vs 2, few resolved
])
def test_discrimination_verdict_follows_the_discordant_pairs_test(mnist, fashion, verdict):
    from scipy.stats import binom

    pm = [_pair("mnist", i, r) for i, r in enumerate(mnist)]
    pf = [_pair("fashion-mnist", i, r) for i, r in enumerate(fashion)]
    r = rd.discrimination(measures(pairs={"mnist": pm, "fashion-mnist": pf}))
    assert r.verdict == verdict
    only_f, only_m, p = rd.discordant_pairs(pm, pf)
    n, k = only_f + only_m, min(only_f, only_m)
    brute = min(1.0, 2 * binom.cdf(k, n, 0.5)) if n else 1.0
    assert p == pytest.approx(brute)


def test_transfer_says_too_few_models_and_changes_with_more():
    r = rd.transfer(measures())
    assert r.verdict == rd.CANNOT_TELL and "too few models to tell" in r.text
    many = Transfer(tuple("abcdefgh"), est(0.9, 0.8, 0.95), 0.8, 0.002, 2 / 40320)
    r2 = rd.transfer(measures(transfer=many))
    assert r2.verdict == rd.NOT_SUPPORTED and "the ranking transfers" in r2.text
    weak = Transfer(tuple("abcdefgh"), est(0.1, -0.2, 0.3), 0.05, 0.6, 2 / 40320)
    assert rd.transfer(measures(transfer=weak)).verdict == rd.SUPPORTED


def test_transfer_is_mixed_when_the_better_half_does_not_follow():
    top_weak = Transfer(tuple("abcdefgh"), est(0.55, 0.43, 0.86), 0.4, 0.17, 2 / 40320, 0.945)
    zoo = Transfer(tuple("abcdefghijklmnopq"), est(0.94, 0.93, 0.98), 0.84, 1e-5, 1e-14,
                   0.52, top_weak)
    r = rd.transfer(measures(transfer=zoo))
    assert r.verdict == rd.MIXED and "not detectably among the better half" in r.text
    assert "(8 models, 94.50% or more on MNIST) ρ = 0.55 [0.43, 0.86]" in r.text
    assert "exact permutation p = 0.17" in r.text and "random orderings" in r.text
    top_strong = Transfer(tuple("abcdefgh"), est(0.9, 0.8, 0.95), 0.8, 0.002, 2 / 40320, 0.945)
    agreed = Transfer(zoo.models, zoo.spearman, 0.84, 1e-5, 1e-14, 0.52, top_strong)
    assert rd.transfer(measures(transfer=agreed)).verdict == rd.NOT_SUPPORTED




@pytest.mark.parametrize("value,text", [(0.12345, "0.12"), (float("nan"), "–")])
def test_with_interval_formatting(value, text):
    assert rd.with_interval(est(value, float("nan"), float("nan"))) == text
