import math

from bench.reports.answers import NO, UNCLEAR, YES, Answer, stability


def _answer(answer, share):
    return Answer("k", "q?", answer, "1 vs 2", "[0, 1] vs [1, 3]", share, "rule", "text")


def test_stability_is_the_share_of_replicates_keeping_the_answer():
    assert stability(YES, [YES, YES, NO, YES]) == 0.75
    assert math.isnan(stability(YES, []))


def test_an_answer_kept_by_fewer_than_80_percent_of_replicates_is_shown_unclear():
    assert _answer(YES, 0.80).shown == YES
    assert _answer(YES, 0.79).shown == UNCLEAR
    assert _answer(NO, math.nan).shown == UNCLEAR
