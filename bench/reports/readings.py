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

from bench.reports.measures import (
    FASHION,
    MNIST,
    PIXEL_BAR,
    Efficiency,
    Measures,
    PixelCurve,
)
from bench.reports.page import plural
from bench.reports.references import cite_short
from bench.reports.safe import md
from bench.reports.tables import count, images, percent, pp, ratio

SUPPORTED, NOT_SUPPORTED, MIXED, CANNOT_TELL = "supported", "not supported", "mixed", "cannot tell"
FLIP_NOTE = 0.01  # mention a reading's flip probability when it is at least this

RULES = {
    "saturation": "supported when the best Fashion-MNIST model leaves more errors than the best "
                  "MNIST model (ratio interval above 1) and most models' Fashion/MNIST "
                  "error-ratio intervals lie above 1 (the exceptions are named); not supported "
                  "when the best-vs-best interval or most models' intervals lie below 1",
    "data": "supported when every model's MNIST curve reaches its full-data Fashion-MNIST "
            "accuracy (interval upper bound) below the full training-set size",
    "pixel": "supported when one pixel separates a larger share of MNIST pairs than of "
             "Fashion-MNIST pairs at most bars from 80% to 99%",
    "headroom": "supported in pp when the MNIST gap interval lies below the Fashion-MNIST one; "
                "as an error ratio when the MNIST ratio interval lies below the Fashion one",
}


SHORT = {"saturation": "saturation", "data": "little data needed",
         "pixel": "the one-pixel folklore", "headroom": "little headroom"}


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


def readings(m: Measures, min_steps: int | None = None) -> list[Reading]:
    return [saturation(m), data_efficiency(m, min_steps), one_pixel(m), headroom(m)]


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
