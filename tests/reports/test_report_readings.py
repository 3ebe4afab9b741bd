"""The readings follow the numbers: change the inputs and the sentence and verdict change."""

from __future__ import annotations

import numpy as np
import pytest

from bench.reports import readings as rd
from bench.reports.measures import (
    Cell,
    Estimate,
    Headroom,
    Measures,
    PairDifference,
    Saturation,
    Transfer,
)
from bench.reports.references import load

REFS = load()


def est(value: float, low: float, high: float, reps=None) -> Estimate:
    return Estimate(value, low, high, None if reps is None else np.asarray(reps, dtype=float))


def acc_cell(model: str, dataset: str, acc: float, half: float = 0.002) -> Cell:
    return Cell(model, dataset, 60_000, est(acc, acc - half, acc + half), 10_000, 3, 3, 1.0)


def measures(**changes) -> Measures:
    cells = {"mnist": [acc_cell("a", "mnist", 0.99), acc_cell("b", "mnist", 0.97)],
             "fashion-mnist": [acc_cell("a", "fashion-mnist", 0.90),
                               acc_cell("b", "fashion-mnist", 0.87)]}
    sat = Saturation(cells, {"a": est(10.0, 8.0, 12.0), "b": est(4.3, 3.9, 4.8)},
                     {"mnist": 13.0, "fashion-mnist": 309.0}, {"mnist": 15.0})
    pairs = {"mnist": [PairDifference("mnist", "a", "b", est(0.02, 0.015, 0.025, [0.02] * 10),
                                      0.03, 0.005)],
             "fashion-mnist": [PairDifference("fashion-mnist", "a", "b",
                                              est(0.03, 0.02, 0.04, [0.03] * 10), 0.08, 0.008)]}
    trans = Transfer(("a", "b", "c", "d"), est(0.8, 0.8, 1.0), 0.67, 0.33, 1 / 12)
    head = [Headroom("mnist", "a", est(0.99, 0.988, 0.992), 0.9987, est(0.0087, 0.007, 0.01),
                     est(7.0, 6.0, 8.0)),
            Headroom("fashion-mnist", "a", est(0.90, 0.89, 0.91), 0.9691,
                     est(0.069, 0.06, 0.08), est(3.2, 3.0, 3.5))]
    base = dict(boot=None, saturation=sat, pairs=pairs, transfer=trans, headroom=head,
                datasets=("mnist", "fashion-mnist"), refs=REFS)
    base.update(changes)
    return Measures(**base)


def test_saturation_follows_the_best_models_and_most_ratio_intervals_naming_exceptions():
    r = rd.saturation(measures())
    assert r.verdict == rd.SUPPORTED
    assert "leaves 100 [80, 120] of 10,000 MNIST test images wrong" in r.text
    assert "2 of 2 ratio intervals above 1" in r.text and "Byerly et al. 2020" in r.text
    m = measures()
    cells, pub = m.saturation.cells, m.saturation.published_errors
    one_below = Saturation(cells, {"a": est(10.0, 8.0, 12.0), "b": est(4.3, 3.9, 4.8),
                                   "nb": est(0.9, 0.85, 0.95)}, pub, {}, est(10.0, 8.0, 12.0))
    r2 = rd.saturation(measures(saturation=one_below))
    assert r2.verdict == rd.SUPPORTED and "2 of 3 ratio intervals above 1" in r2.text
    assert "below 1: nb 0.9× [0.8, 0.9])" in r2.text
    assert "best model vs best model: 10.0× [8.0, 12.0]" in r2.text
    most_below = Saturation(cells, {"a": est(0.8, 0.6, 0.9), "b": est(0.7, 0.6, 0.8),
                                    "c": est(4.3, 3.9, 4.8)}, pub, {})
    assert rd.saturation(measures(saturation=most_below)).verdict == rd.NOT_SUPPORTED
    best_below = Saturation(cells, {"a": est(4.3, 3.9, 4.8)}, pub, {}, est(0.8, 0.7, 0.9))
    assert rd.saturation(measures(saturation=best_below)).verdict == rd.NOT_SUPPORTED
    split = Saturation(cells, {"a": est(0.8, 0.6, 0.9), "b": est(4.3, 3.9, 4.8)}, pub, {})
    assert rd.saturation(measures(saturation=split)).verdict == rd.CANNOT_TELL
    straddle = Saturation(cells, {"a": est(1.2, 0.9, 1.5)}, {}, {})
    assert rd.saturation(measures(saturation=straddle)).verdict == rd.CANNOT_TELL


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


def test_headroom_mixed_then_supported():
    r = rd.headroom(measures())
    assert r.verdict == rd.MIXED and "more relative to what is achievable" in r.text
    m = measures()
    low_ratio = Headroom("mnist", "a", est(0.999, 0.998, 0.9995), 0.9987,
                         est(-0.0003, -0.001, 0.0007), est(0.8, 0.4, 1.5))
    r2 = rd.headroom(measures(headroom=[low_ratio, m.headroom[1]]))
    assert r2.verdict == rd.SUPPORTED


def test_answer_lists_each_sense_under_its_verdict():
    found = rd.readings(measures())
    text = rd.answer(found, rd.models_scope({"a": 3, "b": 3}), "method")
    first = text.splitlines()[0]
    assert "Over 2 models × 3 seeds the evidence" in first
    assert "supported: saturation;" in first
    assert "not supported: models indistinguishable" in first
    assert "cannot tell: rankings do not transfer" in first and "mixed: little headroom" in first
    assert len(text.splitlines()) <= 12


def test_models_scope_says_how_many_seeds_each_group_of_models_has():
    assert rd.models_scope({"a": 3, "b": 3}) == "2 models × 3 seeds"
    zoo = {**{f"m{i}": 3 for i in range(4)}, **{f"z{i}": 1 for i in range(13)}}
    assert rd.models_scope(zoo) == "17 models (4 × 3 seeds, 13 × 1 seed)"


@pytest.mark.parametrize("value,text", [(0.12345, "0.12"), (float("nan"), "–")])
def test_with_interval_formatting(value, text):
    assert rd.with_interval(est(value, float("nan"), float("nan"))) == text
