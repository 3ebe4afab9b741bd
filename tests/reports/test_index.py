"""The first screen of reports/README.md: the answer sentence, the question table, the marks."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from bench.reports import index
from bench.reports.answers import NO, PARTLY, UNCLEAR, YES, Answer
from bench.reports.measures import Estimate, error_ratio
from bench.reports.tables import ratio


def answer(key: str, said: str, stability: float) -> Answer:
    return Answer(key, f"Is it {key}?", said, "1 vs 2 errors", "[0, 3] vs [1, 4]", stability,
                  "rule", "text")


def test_models_scope_says_how_many_seeds_each_group_of_models_has():
    assert index.models_scope({"a": 3, "b": 3}) == "2 models × 3 seeds"
    zoo = {**{f"m{i}": 3 for i in range(4)}, **{f"z{i}": 1 for i in range(13)}}
    assert index.models_scope(zoo) == "17 models (4 × 3 seeds, 13 × 1 seed)"


@pytest.mark.parametrize(("answers", "start"), [
    ([(YES, 0.9), (YES, 0.95)], "**Is MNIST too easy? Yes:** yes in 2 of the 2 senses below"),
    ([(NO, 0.9), (NO, 0.5)], "**Is MNIST too easy? No:** no in 1 of the 2 senses below and "
                             "unclear in 1"),
    ([(YES, 0.9), (NO, 0.99), (PARTLY, 0.85)],
     "**Is MNIST too easy? Partly:** yes in 1 of the 3 senses below, partly in 1 and no in 1"),
    ([(YES, math.nan)], "**Is MNIST too easy? Unclear:** unclear in 1 of the 1 senses below"),
])
def test_the_sentence_counts_the_first_screen_answers(answers, start):
    found = [answer(f"k{i}", said, share) for i, (said, share) in enumerate(answers)]
    assert index.answer_sentence(found).startswith(start)


def test_the_table_shows_unstable_answers_as_unclear_and_says_what_the_rule_said():
    table = index.answer_table([answer("floor", YES, 0.97), answer("pixel", NO, 0.61),
                                answer("shift", PARTLY, math.nan)])
    rows = table.splitlines()[2:]
    assert "[Is it floor?](mnist-too-easy.md#floor)" in rows[0] and "**Yes**" in rows[0]
    assert "97% (Yes)" in rows[0] and "1 vs 2 errors" in rows[0] and "[0, 3] vs [1, 4]" in rows[0]
    assert f"**{UNCLEAR}**" in rows[1] and "61% (No)" in rows[1]
    assert f"**{UNCLEAR}**" in rows[2] and "not checked" in rows[2]


def test_error_ratio_pairs_the_replicates_by_index():
    def cell(acc, reps):
        return SimpleNamespace(accuracy=Estimate(acc, math.nan, math.nan, np.asarray(reps)))

    rng = np.random.default_rng(3)
    mnist = rng.uniform(0.97, 0.99, 400)
    fashion = rng.uniform(0.85, 0.9, 400)
    text = ratio(error_ratio(cell(0.88, fashion), cell(0.98, mnist)))
    low, high = np.quantile((1 - fashion) / (1 - mnist), [0.025, 0.975])
    assert text == f"6.0× [{low:.1f}, {high:.1f}]"
    assert ratio(error_ratio(cell(0.91, [0.91]), cell(0.9, [0.9]))) == "0.90× [0.90, 0.90]"


def test_a_command_loses_the_machines_folders():
    command = ("python -m bench run-all --results-dir /work/refrun/results "
               "--reports-dir=/tmp/x/reports --data-dir data/here")
    assert index.portable(command) == ("python -m bench run-all --results-dir …/results "
                                       "--reports-dir=…/reports --data-dir data/here")


def test_a_model_that_stopped_at_its_cap_is_marked_with_its_cap_and_fit_times():
    def rec(model, dataset, warnings, fit):
        return SimpleNamespace(model=model, dataset=dataset, warnings=warnings,
                               fit_seconds=fit, params={"max_iter": 1000})

    runs = [rec("sklearn.linear_model.SGDClassifier", "fashion-mnist",
                ["ConvergenceWarning: Maximum number of iteration reached"], 388.0),
            rec("sklearn.linear_model.SGDClassifier", "mnist",
                ["ConvergenceWarning: Maximum number of iteration reached"], 482.0),
            rec("sklearn.svm.SVC", "mnist", ["FutureWarning: something else"], 367.0)]
    names = {"sklearn.linear_model.SGDClassifier": "SGD (sk)", "sklearn.svm.SVC": "SVC (sk)"}
    assert index.model_cell("sklearn.linear_model.SGDClassifier", names, runs) == "SGD (sk) †"
    assert index.model_cell("sklearn.svm.SVC", names, runs) == "SVC (sk)"
    note = index.convergence_note(runs, names)
    assert "SGD (sk) (`max_iter` = 1000; 8 min 02 s per fit on MNIST, 6 min 28 s per fit on " \
           "Fashion-MNIST)" in note
    assert "SVC" not in note and "about linearly" in note
    assert index.convergence_note(runs[2:], names) == ""
