"""One-line readings of each measurement, generated from its numbers, and the overall answer.

Each reading names a sense of "MNIST is too easy", says whether the evidence supports it
(``supported``, ``not supported``, ``mixed`` or ``cannot tell``) by a rule stated in
:data:`RULES`, and gives the numbers with their intervals. Where a reading turns on resampling
or on a nearby threshold it says so with the probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.reports.inputs import dataset_title
from bench.reports.measures import (
    FASHION,
    MNIST,
    Measures,
    PairDifference,
)
from bench.reports.safe import md
from bench.reports.tables import number, percent, pp, with_interval
from bench.stats import ALPHA, POWER, mcnemar_exact_counts

SUPPORTED, NOT_SUPPORTED, MIXED, CANNOT_TELL = "supported", "not supported", "mixed", "cannot tell"
FLIP_NOTE = 0.01  # mention a reading's flip probability when it is at least this

RULES = {
    "discrimination": "a pair is resolved when its difference interval excludes 0; supported "
                      "when more pairs are resolved on Fashion-MNIST only than on MNIST only "
                      "(exact two-sided binomial test of those two counts, p < 0.05); not "
                      "supported when MNIST resolves most pairs and not significantly fewer; "
                      "else cannot tell",
    "transfer": "cannot tell when even perfect agreement could not reach p < 0.05; not "
                "supported when the rankings agree significantly (ρ > 0, permutation p < 0.05) "
                "over all models and, with 8 or more models, also over the better half by "
                "MNIST accuracy; mixed when they agree over all models but not detectably "
                "over the better half",
}


@dataclass(frozen=True)
class Reading:
    key: str
    sense: str
    verdict: str
    text: str

    def line(self) -> str:
        return f"- **{self.sense}** — *{self.verdict}*: {self.text}"


def _closest(pairs: list[PairDifference]) -> PairDifference | None:
    return min(pairs, key=lambda p: (abs(p.difference.value), p.model_a, p.model_b),
               default=None)


def _mdd_range(pairs: list[PairDifference]) -> str:
    values = sorted(100 * p.min_detectable for p in pairs if not math.isnan(p.min_detectable))
    if not values:
        return "–"
    return f"{values[0]:.2f}" if values[0] == values[-1] else f"{values[0]:.2f}–{values[-1]:.2f}"


def discrimination(m: Measures) -> Reading:
    sense = "MNIST can no longer tell models apart"
    pm, pf = m.pairs.get(MNIST, []), m.pairs.get(FASHION, [])
    if not pm or not pf:
        return Reading("discrimination", sense, CANNOT_TELL,
                       "needs paired predictions of at least two models on both test sets.")
    rm, rf = sum(p.resolved for p in pm), sum(p.resolved for p in pf)
    text = (f"paired accuracy differences exclude 0 for {rm} of {len(pm)} model pairs on MNIST "
            f"and {rf} of {len(pf)} on Fashion-MNIST; at the observed disagreement rates the test "
            f"sets detect differences of {_mdd_range(pm)} pp (MNIST) and {_mdd_range(pf)} pp "
            f"(Fashion-MNIST) with α = {ALPHA}, power {POWER}")
    flips = [p for p in (_closest(pm), _closest(pf))
             if p is not None and p.flip_probability >= FLIP_NOTE]
    for p in flips:
        text += (f"; the closest pair on {dataset_title(p.dataset)} ({md(p.model_a)} − "
                 f"{md(p.model_b)}, {pp(p.difference)}) reverses order in {percent(p.flip_probability, 1)} of "
                 "resamples")
    only_f, only_m, p_value = discordant_pairs(pm, pf)
    text += (f"; pairs resolved on one test set only: {only_f} on Fashion-MNIST, {only_m} on "
             f"MNIST (exact binomial p = {p_value:.2g})")
    if only_f > only_m and p_value < ALPHA:
        verdict = SUPPORTED
    elif rm > len(pm) / 2:
        verdict = NOT_SUPPORTED
    else:
        verdict = CANNOT_TELL
    return Reading("discrimination", sense, verdict, text + ".")


def discordant_pairs(pm: list[PairDifference], pf: list[PairDifference],
                     ) -> tuple[int, int, float]:
    """(resolved on Fashion-MNIST only, on MNIST only, exact two-sided binomial p of those
    counts under "either is as likely": McNemar's exact test) over the model pairs present on
    both test sets."""
    on_m = {frozenset((p.model_a, p.model_b)): p.resolved for p in pm}
    on_f = {frozenset((p.model_a, p.model_b)): p.resolved for p in pf}
    shared = on_m.keys() & on_f.keys()
    only_f = sum(on_f[k] and not on_m[k] for k in shared)
    only_m = sum(on_m[k] and not on_f[k] for k in shared)
    return only_f, only_m, mcnemar_exact_counts(only_f, only_m).p_value


def transfer(m: Measures) -> Reading:
    sense = "MNIST rankings say nothing about Fashion-MNIST"
    t = m.transfer
    if t is None or len(t.models) < 3:
        return Reading("transfer", sense, CANNOT_TELL,
                       "needs at least three models on both datasets.")
    text = (f"Spearman ρ = {with_interval(t.spearman)} (Kendall τ = {number(t.kendall, 2)}) "
            f"between the rankings of {len(t.models)} models, {t.p_method} p = "
            f"{t.p_value:.2g} (the interval reflects test-set and seed noise, not the choice "
            "of models)")
    if t.too_few:
        text += (f"; with {len(t.models)} models even perfect agreement gives p = "
                 f"{t.smallest_p:.2g} > {ALPHA}: too few models to tell (the xiao2017 suite, "
                 "`bench run-all --suite xiao2017`, adds a dozen)")
        return Reading("transfer", sense, CANNOT_TELL, text + ".")
    top = t.top
    top_holds = None
    if top is not None and not top.too_few:
        top_holds = top.p_value < ALPHA and top.spearman.value > 0
        text += (f"; among the better half by MNIST accuracy ({len(top.models)} models, "
                 f"{percent(top.lowest_mnist, 2)} or more on MNIST) ρ = "
                 f"{with_interval(top.spearman)}, {top.p_method} p = {top.p_value:.2g}")
    if t.p_value < ALPHA and t.spearman.value > 0:
        if top_holds is False:
            return Reading("transfer", sense, MIXED,
                           text + ": the ranking transfers across all models, but not "
                           "detectably among the better half, where MNIST's differences are "
                           "smallest.")
        return Reading("transfer", sense, NOT_SUPPORTED, text + ": the ranking transfers.")
    if not math.isnan(t.spearman.high) and t.spearman.high < 0.5:
        return Reading("transfer", sense, SUPPORTED, text + ": little of the ranking transfers.")
    return Reading("transfer", sense, CANNOT_TELL, text + ".")


def readings(m: Measures, min_steps: int | None = None) -> list[Reading]:
    return [discrimination(m), transfer(m)]
