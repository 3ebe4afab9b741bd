"""One-line readings of each measurement, generated from its numbers, and the overall answer.

Each reading names a sense of "MNIST is too easy", says whether the evidence supports it
(``supported``, ``not supported``, ``mixed`` or ``cannot tell``) by a rule stated in
:data:`RULES`, and gives the numbers with their intervals. Where a reading turns on resampling
or on a nearby threshold it says so with the probability.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from bench.reports.inputs import dataset_title
from bench.reports.measures import (
    FASHION,
    MNIST,
    Measures,
    PairDifference,
)
from bench.reports.page import plural
from bench.reports.references import cite_short
from bench.reports.safe import md
from bench.reports.tables import count, number, percent, pp, ratio, with_interval
from bench.stats import ALPHA, POWER, mcnemar_exact_counts

SUPPORTED, NOT_SUPPORTED, MIXED, CANNOT_TELL = "supported", "not supported", "mixed", "cannot tell"
FLIP_NOTE = 0.01  # mention a reading's flip probability when it is at least this

RULES = {
    "saturation": "supported when the best Fashion-MNIST model leaves more errors than the best "
                  "MNIST model (ratio interval above 1) and most models' Fashion/MNIST "
                  "error-ratio intervals lie above 1 (the exceptions are named); not supported "
                  "when the best-vs-best interval or most models' intervals lie below 1",
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
    "headroom": "supported in pp when the MNIST gap interval lies below the Fashion-MNIST one; "
                "as an error ratio when the MNIST ratio interval lies below the Fashion one",
}


SHORT = {"saturation": "saturation", "discrimination": "models indistinguishable",
         "transfer": "rankings do not transfer", "headroom": "little headroom"}


@dataclass(frozen=True)
class Reading:
    key: str
    sense: str
    verdict: str
    text: str

    @property
    def short(self) -> str:
        return SHORT[self.key]

    def line(self) -> str:
        return f"- **{self.sense}** — *{self.verdict}*: {self.text}"


def saturation(m: Measures) -> Reading:
    sense = "Saturated: few errors left on MNIST"
    s = m.saturation
    best = {d: min(cells, key=lambda c: (c.errors.value, c.model))
            for d, cells in s.cells.items() if cells}
    if MNIST not in best or not s.ratios:
        return Reading("saturation", sense, CANNOT_TELL, "needs results on both datasets.")
    bm = best[MNIST]
    text = f"the best model ({md(bm.model)}) leaves {count(bm.errors)} of 10,000 MNIST test images wrong"
    if FASHION in best:
        bf = best[FASHION]
        text += f" vs {count(bf.errors)} on Fashion-MNIST ({md(bf.model)})"
    known = {k: r for k, r in s.ratios.items() if not math.isnan(r.low)}
    ordered = sorted(s.ratios.items(), key=lambda kv: (kv[1].value, kv[0]))
    (lo_model, lo), (hi_model, hi) = ordered[0], ordered[-1]
    span = (f"{ratio(lo)} ({md(lo_model)})" if lo_model == hi_model else
            f"from {ratio(lo)} ({md(lo_model)}) to {ratio(hi)} ({md(hi_model)})")
    text += f"; Fashion-MNIST leaves {span} as many errors as MNIST"
    above = sum(r.low > 1 for r in known.values())
    below = {k: r for k, r in known.items() if r.high < 1}
    if known:
        text += f" ({above} of {len(s.ratios)} ratio intervals above 1"
        if below:
            text += "; below 1: " + ", ".join(f"{md(k)} {ratio(r)}" for k, r in
                                              sorted(below.items()))
        text += ")"
    best = s.best_ratio
    if best is not None and not math.isnan(best.low):
        text += f"; best model vs best model: {ratio(best)} as many errors on Fashion-MNIST"
    pub = s.published_errors.get(MNIST)
    if pub is not None:
        text += (f". The best published MNIST result leaves {pub:.0f} "
                 f"({cite_short(m.refs.best_published[MNIST])})")
        labels = s.label_errors.get(MNIST)
        if labels is not None:
            text += (f", about the {labels:.0f} human-validated label errors in its test set "
                     f"({cite_short(m.refs.label_errors[MNIST])})")
    best_above = best is None or math.isnan(best.low) or best.low > 1
    best_below = best is not None and best.high < 1
    if known and best_above and above > len(s.ratios) / 2:
        verdict = SUPPORTED
    elif best_below or len(below) > len(s.ratios) / 2:
        verdict = NOT_SUPPORTED
    else:
        verdict = CANNOT_TELL
    return Reading("saturation", sense, verdict, text + ".")


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


def headroom(m: Measures) -> Reading:
    sense = "Little headroom left on MNIST"
    by = {h.dataset: h for h in m.headroom}
    if MNIST not in by or FASHION not in by:
        return Reading("headroom", sense, CANNOT_TELL, "needs results on both datasets.")
    hm, hf = by[MNIST], by[FASHION]
    text = (f"best model {pp(hm.gap)} below the best published {percent(hm.reference)} on "
            f"MNIST ({md(hm.model)}; {cite_short(m.refs.best_published[MNIST])}) vs {pp(hf.gap)} "
            f"below {percent(hf.reference)} on Fashion-MNIST ({md(hf.model)}; "
            f"{cite_short(m.refs.best_published[FASHION])}); as error ratios {ratio(hm.error_ratio)} vs {ratio(hf.error_ratio)} "
            "the best published error")
    pp_less = hm.gap.high < hf.gap.low
    ratio_less = hm.error_ratio.high < hf.error_ratio.low
    ratio_more = hm.error_ratio.low > hf.error_ratio.high
    if pp_less and ratio_less:
        verdict = SUPPORTED
    elif pp_less and ratio_more:
        verdict = MIXED
        text += ": less headroom in points, more relative to what is achievable"
    elif hm.gap.low > hf.gap.high:
        verdict = NOT_SUPPORTED
    else:
        verdict = CANNOT_TELL
    return Reading("headroom", sense, verdict, text + ".")


def readings(m: Measures) -> list[Reading]:
    return [saturation(m), discrimination(m), transfer(m), headroom(m)]


def models_scope(seeds_per_model: dict[str, int]) -> str:
    """"4 models × 3 seeds", or "17 models (4 × 3 seeds, 13 × 1 seed)" when seeds differ."""
    groups = Counter(seeds_per_model.values())
    if len(groups) <= 1:
        return f"{len(seeds_per_model)} models × {plural(next(iter(groups), 0), 'seed')}"
    parts = ", ".join(f"{n} × {plural(k, 'seed')}" for k, n in sorted(groups.items(),
                                                                      reverse=True))
    return f"{len(seeds_per_model)} models ({parts})"


def answer(found: list[Reading], scope: str, method: str) -> str:
    """The first screen: which senses of "too easy" the evidence supports, in <= ~12 lines;
    ``scope`` says over what (``models_scope``)."""
    by = {v: [r.short for r in found if r.verdict == v]
          for v in (SUPPORTED, MIXED, NOT_SUPPORTED, CANNOT_TELL)}
    parts = [f"{v}: {', '.join(s)}" for v, s in by.items() if s]
    head = (f"**Is MNIST too easy? It depends on the sense.** Over {scope} the evidence "
            f"reads — {'; '.join(parts)}.")
    return "\n".join([head, "", *[r.line() for r in found], "",
                      f"_Intervals: {method}. Rules: see [the full analysis]"
                      "(mnist-too-easy.md#how-to-read-it)._"])
