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
    PIXEL_BAR,
    Efficiency,
    Measures,
    PairDifference,
    PixelCurve,
)
from bench.reports.references import cite_short
from bench.reports.safe import md
from bench.reports.tables import images, number, percent, pp, with_interval
from bench.stats import ALPHA, POWER, mcnemar_exact_counts

SUPPORTED, NOT_SUPPORTED, MIXED, CANNOT_TELL = "supported", "not supported", "mixed", "cannot tell"
FLIP_NOTE = 0.01  # mention a reading's flip probability when it is at least this

RULES = {
    "discrimination": "a pair is resolved when its difference interval excludes 0; supported "
                      "when more pairs are resolved on Fashion-MNIST only than on MNIST only "
                      "(exact two-sided binomial test of those two counts, p < 0.05); not "
                      "supported when MNIST resolves most pairs and not significantly fewer; "
                      "else cannot tell",
    "data": "supported when every model's MNIST curve reaches its full-data Fashion-MNIST "
            "accuracy (interval upper bound) below the full training-set size",
    "transfer": "cannot tell when even perfect agreement could not reach p < 0.05; not "
                "supported when the rankings agree significantly (ρ > 0, permutation p < 0.05) "
                "over all models and, with 8 or more models, also over the better half by "
                "MNIST accuracy; mixed when they agree over all models but not detectably "
                "over the better half",
    "pixel": "supported when one pixel separates a larger share of MNIST pairs than of "
             "Fashion-MNIST pairs at most bars from 80% to 99%",
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


def _efficiency_phrase(e: Efficiency) -> str:
    text = f"{md(e.model)} {images(e.images, e.censor)}"
    if not math.isnan(e.low):
        text += f" [{images(e.low, e.low_censor)}, {images(e.high, e.high_censor)}]"
    return text


def data_efficiency(m: Measures, min_steps: int | None = None) -> Reading:
    sense = "MNIST needs little data"
    effs = m.efficiency
    if not effs:
        return Reading("data", sense, CANNOT_TELL,
                       "needs learning-curve runs on MNIST and full-data Fashion-MNIST runs of "
                       "the same models (not in this run).")
    parts = ", ".join(_efficiency_phrase(e) for e in effs)
    folds = sorted((e.full_size / e.images, e.censor) for e in effs if e.censor != ">")
    text = (f"training images each model needs on MNIST to reach its own full-data "
            f"Fashion-MNIST accuracy: {parts}")
    if folds:
        low, high = (f"{'≥ ' if c == '<=' else ''}{v:.0f}" for v, c in (folds[0], folds[-1]))
        span = low if low == high else f"{low}–{high}"
        text += f" — {span}× fewer than the {effs[0].full_size:,} it trains on"
    confounded = [e for e in effs if min_steps and e.min_steps is not None
                  and e.min_steps < min_steps]
    if confounded:
        text += ("; confounded for " + ", ".join(f"{md(e.model)} (as few as {e.min_steps} gradient "
                                                 "steps at the smallest size)" for e in confounded)
                 + ": under-training at small sizes overstates the images needed")
    never = [e for e in effs if e.censor == ">"]
    upper_ok = all(not math.isnan(e.high) and e.high_censor != ">" and e.high < e.full_size
                   for e in effs)
    verdict = NOT_SUPPORTED if never else SUPPORTED if upper_ok else CANNOT_TELL
    return Reading("data", sense, verdict, text + ".")


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


def _bar(b: float | None) -> str:
    return "no bar" if b is None else f"{100 * b:.0f}%"


def one_pixel(m: Measures) -> Reading:
    sense = "One pixel tells MNIST's classes apart more often than Fashion-MNIST's"
    pm, pf = m.pixels.get(MNIST), m.pixels.get(FASHION)
    if pm is None:
        return Reading("pixel", sense, CANNOT_TELL, "the single-pixel analysis is unavailable "
                       "(no cached analysis and no data).")
    text = f"the folklore ({cite_short(m.refs.one_pixel)}) read as a curve over the bar: "
    text += _pixel_side(pm, "MNIST")
    if pf is None:
        return Reading("pixel", sense, CANNOT_TELL, text + ".")
    text += "; " + _pixel_side(pf, "Fashion-MNIST")
    more = sum(a > b for a, b in zip(pm.shares, pf.shares, strict=True))
    text += (f". MNIST has the larger share at {more} of {len(pm.bars)} bars from "
             f"{_bar(pm.bars[0])} to {_bar(pm.bars[-1])}")
    verdict = SUPPORTED if more > len(pm.bars) / 2 else NOT_SUPPORTED
    if verdict == NOT_SUPPORTED:
        text += ", so the folklore does not make MNIST the easier dataset"
    return Reading("pixel", sense, verdict, text + ".")


def _pixel_side(c: PixelCurve, title: str) -> str:
    share = c.share_at(PIXEL_BAR)
    k = round(share * c.n_pairs)
    text = (f"on {title} it holds for bars up to {_bar(c.highest_majority_bar)}; at "
            f"{_bar(PIXEL_BAR)}, {k} of {c.n_pairs} pairs")
    prob = c.prob_at(PIXEL_BAR)
    if (1 - prob if share > 0.5 else prob) >= FLIP_NOTE:  # the chance the majority flips
        text += f" (P(most) = {percent(prob, 0)} under resampling of the test images)"
    return text


def readings(m: Measures, min_steps: int | None = None) -> list[Reading]:
    return [discrimination(m), data_efficiency(m, min_steps), transfer(m), one_pixel(m)]
