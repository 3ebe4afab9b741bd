"""The verdict on "is MNIST too easy?": fixed criteria, evaluated on the evidence, in words.

Nothing here is written by hand about the results: each sentence is filled in from
:class:`bench.reports.evidence.Evidence`, and whether a criterion holds is a comparison of
two numbers stated next to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.reports.evidence import (
    FASHION,
    HIGH_ACCURACY,
    MNIST,
    PIXEL_GOOD,
    CurvePoint,
    Evidence,
)
from bench.reports.safe import md
from bench.reports.tables import pct
from bench.stats import ALPHA

RULE = (f"MNIST counts as *too easy in the sense tested here* when all three core criteria "
        f"hold: (1) most models exceed {100 * HIGH_ACCURACY:.0f}% test accuracy on MNIST; "
        "(2) the range of the models' accuracies is narrower on MNIST than on Fashion-MNIST; "
        "(3) McNemar's test tells a smaller share of model pairs apart on MNIST. Three more "
        "criteria (headroom, single-pixel separability, small training sets) are reported as "
        "supporting evidence and do not change the verdict.")


@dataclass(frozen=True)
class Criterion:
    """One comparison: ``holds`` is None when the numbers to decide it are missing."""

    key: str
    claim: str
    core: bool
    holds: bool | None
    evidence: str


def _pp(x: float) -> str:
    return f"{100 * x:.2f} pp"


def ceiling(ev: Evidence) -> Criterion:
    claim = f"most models exceed {100 * HIGH_ACCURACY:.0f}% on MNIST"
    m, f = ev.spreads.get(MNIST), ev.spreads.get(FASHION)
    if m is None:
        return Criterion("ceiling", claim, True, None, "no MNIST results")
    text = f"{m.above} of {m.n_models} models exceed {100 * HIGH_ACCURACY:.0f}% on MNIST"
    if f is not None:
        text += f" ({f.above} of {f.n_models} on Fashion-MNIST)"
    return Criterion("ceiling", claim, True, m.above > m.n_models / 2, text)


def narrow_spread(ev: Evidence) -> Criterion:
    claim = "the models' accuracies spread less on MNIST than on Fashion-MNIST"
    m, f = ev.spreads.get(MNIST), ev.spreads.get(FASHION)
    if m is None or f is None or m.n_models < 2 or f.n_models < 2:
        return Criterion("spread", claim, True, None, "needs at least two models on each dataset")
    text = (f"range of model accuracies {_pp(m.range)} on MNIST vs {_pp(f.range)} on "
            f"Fashion-MNIST; std {_pp(m.std)} vs {_pp(f.std)}")
    return Criterion("spread", claim, True, m.range < f.range, text)


def fewer_differences(ev: Evidence) -> Criterion:
    claim = "a smaller share of model pairs differs significantly on MNIST"
    m, f = ev.discrimination.get(MNIST), ev.discrimination.get(FASHION)
    if m is None or f is None or not m.n_pairs or not f.n_pairs:
        return Criterion("pairs", claim, True, None,
                         "no paired predictions with known test labels on both datasets")
    text = (f"{m.n_significant} of {m.n_pairs} model pairs differ significantly on MNIST vs "
            f"{f.n_significant} of {f.n_pairs} on Fashion-MNIST; McNemar exact, Holm, "
            f"α = {ALPHA}, on every seed")
    return Criterion("pairs", claim, True, m.share < f.share, text)


def less_headroom(ev: Evidence) -> Criterion:
    claim = "the best model is closer to the best published accuracy on MNIST"
    best = {}
    for h in ev.headroom:
        if not math.isnan(h.accuracy) and (h.dataset not in best or h.gap < best[h.dataset].gap):
            best[h.dataset] = h
    if MNIST not in best or FASHION not in best:
        return Criterion("headroom", claim, False, None, "needs results on both datasets")
    m, f = best[MNIST], best[FASHION]
    text = (f"best model {_pp(m.gap)} below {pct(m.reference)}% on MNIST, {md(m.model)}; "
            f"{_pp(f.gap)} below {pct(f.reference)}% on Fashion-MNIST, {md(f.model)}")
    return Criterion("headroom", claim, False, m.gap < f.gap, text)


def one_pixel(ev: Evidence) -> Criterion:
    claim = "single pixels separate class pairs better on MNIST (the one-pixel folklore)"
    m, f = ev.pixels.get(MNIST), ev.pixels.get(FASHION)
    if m is None or f is None:
        return Criterion("pixel", claim, False, None, "single-pixel analysis unavailable "
                         "(dataset files not found and no cached analysis)")
    text = (f"median best one-pixel test accuracy over the {len(m.pairs)} class pairs "
            f"{pct(m.median, 1)}% on MNIST vs {pct(f.median, 1)}% on Fashion-MNIST; pairs at "
            f"≥ {100 * PIXEL_GOOD:.0f}%: {m.good} vs {f.good}")
    return Criterion("pixel", claim, False, m.median > f.median, text)


def _mean_at(curves: dict[str, list[CurvePoint]], models: list[str], pick) -> tuple[int, float]:
    points = [pick(curves[m]) for m in models]
    sizes = {p.train_size for p in points}
    size = sizes.pop() if len(sizes) == 1 else -1
    return size, sum(p.mean for p in points) / len(points)


def small_data(ev: Evidence) -> Criterion:
    claim = ("the smallest MNIST training set gives the fast models more accuracy than the "
             "largest Fashion-MNIST one")
    m, f = ev.curves.get(MNIST, {}), ev.curves.get(FASHION, {})
    models = sorted(set(m) & set(f))
    if not models or any(len(m[x]) < 2 for x in models):
        return Criterion("small-data", claim, False, None,
                         "no learning-curve runs on both datasets")
    small, acc_small = _mean_at(m, models, lambda pts: pts[0])
    large, acc_large = _mean_at(f, models, lambda pts: pts[-1])
    size_s = f"{small:,} " if small > 0 else "the fewest "
    size_l = f"{large:,} " if large > 0 else "the most "
    text = (f"with {size_s}training images the fast models average {pct(acc_small)}% on MNIST; "
            f"with {size_l}they average {pct(acc_large)}% on Fashion-MNIST")
    return Criterion("small-data", claim, False, acc_small > acc_large, text)


def criteria(ev: Evidence) -> list[Criterion]:
    return [ceiling(ev), narrow_spread(ev), fewer_differences(ev), less_headroom(ev),
            one_pixel(ev), small_data(ev)]


def status(c: Criterion) -> str:
    return {True: "holds", False: "does not hold", None: "not evaluated"}[c.holds]


def headline(crits: list[Criterion]) -> str:
    """The one-sentence verdict from the core criteria."""
    core = [c for c in crits if c.core]
    held = sum(c.holds is True for c in core)
    unknown = [c for c in core if c.holds is None]
    if unknown:
        return (f"**Verdict: undecided.** {len(unknown)} of {len(core)} core criteria could not "
                f"be evaluated; of the others, {held} {'holds' if held == 1 else 'hold'}.")
    if held == len(core):
        return (f"**Verdict: MNIST is too easy in the sense tested here**: all {len(core)} core "
                "criteria hold.")
    if held == 0:
        return (f"**Verdict: the results do not show MNIST to be too easy**: none of the "
                f"{len(core)} core criteria holds.")
    return (f"**Verdict: partly.** {held} of {len(core)} core criteria "
            f"{'holds' if held == 1 else 'hold'}, so by the rule below MNIST is not shown to be "
            "too easy.")


def paragraph(ev: Evidence, datasets: tuple[str, ...]) -> str:
    """The verdict paragraph: headline, the rule, and every criterion with its numbers."""
    if MNIST not in datasets or FASHION not in datasets:
        have = ", ".join(datasets) or "none"
        return ("**Verdict: undecided.** The comparison needs results on both MNIST and "
                f"Fashion-MNIST; this store has results on: {have}.")
    crits = criteria(ev)
    lines = [f"- {'core' if c.core else 'supporting'}: {c.claim} — **{status(c)}**: "
             f"{c.evidence}." for c in crits]
    return headline(crits) + " " + RULE + "\n\n" + "\n".join(lines)
