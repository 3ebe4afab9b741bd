"""The discrimination question: paired differences, Holm, the rule and its stability."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from bench.reports import discrimination as di
from bench.reports.answers import NO, PARTLY, UNCLEAR, YES
from bench.reports.inputs import gather
from bench.reports.measures import measure
from bench.reports.references import load
from bench.stats import mcnemar_min_detectable

RESULTS = Path(__file__).resolve().parents[2] / "results"
N_BOOT = 400


@pytest.fixture
def measured(store):
    inputs = gather(store)
    return inputs, measure(inputs, load(), n_boot=N_BOOT)


def test_pair_differences_match_a_direct_computation(measured, fake_data):
    inputs, m = measured
    pairs = di.pair_differences(m.boot, "fashion-mnist")
    assert len(pairs) == 6
    truth = fake_data["fashion-mnist"].y_test
    for p in pairs:
        ra, rb = (sorted(inputs.runs_of(mo, "fashion-mnist"), key=lambda r: r.seed)
                  for mo in (p.model_a, p.model_b))
        ca, cb = (np.array([inputs.predictions(r) == truth for r in rs]) for rs in (ra, rb))
        assert p.difference.value == pytest.approx(ca.mean() - cb.mean())
        assert p.difference.value >= 0  # the more accurate model first
        assert p.min_detectable == pytest.approx(mcnemar_min_detectable(truth.size,
                                                                        np.mean(ca != cb)))
        sd = np.std(p.difference.replicates)
        assert p.p_value == pytest.approx(2 * sps.norm.sf(abs(p.difference.value) / sd))
        assert p.flip_probability == pytest.approx(np.mean(p.difference.replicates <= 0))
    holm = multipletests([p.p_value for p in pairs], method="holm")[1]
    assert [p.p_holm for p in pairs] == pytest.approx(list(holm))


def brute_rule(told_m, told_f):
    only_f = sum(f and not m for m, f in zip(told_m, told_f, strict=True))
    only_m = sum(m and not f for m, f in zip(told_m, told_f, strict=True))
    n = only_f + only_m
    fewer = only_f > only_m and sps.binomtest(only_f, n, 0.5).pvalue < 0.05 if n else False
    if sum(told_m) > len(told_m) / 2:
        return PARTLY if fewer else NO
    return YES if fewer else UNCLEAR


def test_rule_matches_a_brute_force_reading():
    rng, seen = np.random.default_rng(5), set()
    cases = [c for c in itertools.product([False, True], repeat=4)]
    draws = [(np.array(a), np.array(b)) for a in cases for b in cases]
    draws += [tuple(rng.random((2, 20)) < rng.random((2, 1))) for _ in range(3000)]
    for told_m, told_f in draws:
        got = di.rule(told_m, told_f)
        assert got == brute_rule(list(told_m), list(told_f)), (told_m, told_f)
        seen.add(got)
    assert seen == {YES, NO, PARTLY, UNCLEAR}


def brute_holm(p, alpha=0.05):
    """Holm's step-down procedure, one hypothesis at a time (statsmodels' multipletests runs
    the garbage collector on every call: too slow in a loop)."""
    rejected = [False] * len(p)
    for i, k in enumerate(sorted(range(len(p)), key=lambda k: p[k])):
        if p[k] > alpha / (len(p) - i):
            break
        rejected[k] = True
    return np.array(rejected)


def test_brute_holm_agrees_with_statsmodels():
    p = np.random.default_rng(2).uniform(0, 0.03, size=12)
    assert list(brute_holm(p)) == list(multipletests(p, method="holm")[0])


def test_stability_recomputes_holm_in_every_replicate(measured):
    inputs, m = measured
    a = di.answers(inputs, m)[0]
    pm, pf = di.shared_pairs(m)
    answers = []
    for b in range(N_BOOT):
        told = []
        for pairs in (pm, pf):
            p = [2 * sps.norm.sf(abs(q.difference.replicates[b]) / np.std(q.difference.replicates))
                 for q in pairs]
            told.append(brute_holm(p))
        answers.append(brute_rule(*told))
    assert a.stability == pytest.approx(np.mean([x == a.answer for x in answers]))
    assert 0 < a.stability <= 1 and len(a.alternatives) == 3


def test_without_paired_predictions_the_answer_is_unclear(measured):
    inputs, m = measured
    for cell in m.boot.full_cells("mnist"):
        object.__setattr__(cell, "digest", None)
    a = di.answers(inputs, m)[0]
    assert a.answer == UNCLEAR and np.isnan(a.stability) and a.shown == UNCLEAR


def test_committed_results_answer_no_with_holm_counts_as_the_numbers_say(committed):
    inputs, m = committed
    a = di.answers(inputs, m)[0]
    pm, pf = di.shared_pairs(m)
    counts = []
    for pairs in (pm, pf):
        p = [2 * sps.norm.sf(abs(q.difference.value) / np.std(q.difference.replicates))
             for q in pairs]
        counts.append(int(multipletests(p, method="holm")[0].sum()))
    assert a.figure == f"{counts[0]} vs {counts[1]} of {len(pm):,} pairs told apart"
    assert counts[0] > len(pm) / 2 and a.answer == NO and a.stability >= 0.8
    text = di.section(inputs, m, m.refs, Path("unused"))
    assert "## Can MNIST no longer tell models apart?" in text and "Holm-adjusted" in text
    assert "sklearn." not in text  # short display names
