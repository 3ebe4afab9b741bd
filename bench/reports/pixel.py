"""Does one pixel tell most MNIST class pairs apart? The share of class pairs whose best one-pixel
rule (:mod:`.analysis`) reaches each bar, with a band from binomial resamples of each pair."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.reports import figures
from bench.reports.answers import NO, PARTLY, YES, Answer, block, stability, unclear
from bench.reports.inputs import ReportInputs, class_names, dataset_title
from bench.reports.measures import FASHION, MNIST, Measures, stable_seed
from bench.reports.page import figure_link, join_blocks
from bench.reports.references import References, cite, cite_short
from bench.reports.safe import figure_path
from bench.reports.tables import MISSING, markdown_table, pct
from bench.stats import ALPHA

KEY, QUESTION = "pixel", "Does one pixel tell most MNIST class pairs apart?"
BARS = tuple(round(0.75 + 0.0025 * i, 4) for i in range(101))  # the curve: 75% to 100%
SHOWN = (0.80, 0.85, 0.90, 0.95, 0.99)
PRETTY_WELL = (0.80, 0.95)  # "pretty well" is not a number: read as any bar in this range
RULE = ("the highest bar more than half of MNIST's class pairs reach (the test accuracy of the "
        "pair ranked just past half, the 23rd best of 45) against “pretty well” read as any bar "
        f"from {PRETTY_WELL[0]:.0%} to {PRETTY_WELL[1]:.0%}: Yes at {PRETTY_WELL[1]:.0%} or more "
        f"(most pairs reach every such bar), No below {PRETTY_WELL[0]:.0%}, Partly in between")


@dataclass(frozen=True, eq=False)
class PixelCurve:
    """The class pairs' single-pixel test accuracies on one dataset, and their resamples."""

    dataset: str
    accuracies: np.ndarray  # (1 + replicates, pairs): the measured accuracies, then resampled

    def shares(self, bars) -> np.ndarray:
        """(1 + replicates, bars): the share of pairs at or above each bar."""
        return (self.accuracies[:, :, None] >= np.asarray(bars)).mean(axis=1)

    @property
    def most(self) -> np.ndarray:
        """Per row, the highest bar more than half the pairs reach."""
        n = self.accuracies.shape[1]
        return np.sort(self.accuracies, axis=1)[:, n - (n // 2 + 1)]


def pixel_curve(inputs: ReportInputs, dataset: str, n_boot: int) -> PixelCurve | None:
    """The cached pairs' accuracies and ``n_boot`` binomial resamples of each pair's test
    images (fixed seed); None without the analysis."""
    found = inputs.analyses.get(dataset)
    if found is None or not found.separability:
        return None
    acc = np.array([p.test_accuracy for p in found.separability], dtype=float)
    count = np.array([max(1, p.test_count) for p in found.separability])
    rng = np.random.default_rng(stable_seed("pixel", dataset))
    return PixelCurve(dataset, np.vstack([acc, rng.binomial(count, acc, (n_boot, acc.size))
                                          / count]))


def rule(most: np.ndarray) -> np.ndarray:
    """:data:`RULE` applied to each highest-bar value."""
    low, high = PRETTY_WELL
    return np.where(most >= high, YES, np.where(most < low, NO, PARTLY))


def _bounds(values: np.ndarray) -> tuple[float, float]:
    """The 95% percentile interval of the replicates (inverted CDF: values that occur)."""
    return tuple(float(v) for v in np.quantile(values, [ALPHA / 2, 1 - ALPHA / 2],
                                               method="inverted_cdf"))


def _most(c: PixelCurve) -> tuple[str, str]:
    low, high = _bounds(c.most[1:])
    return f"{100 * c.most[0]:.1f}%", f"[{100 * low:.1f}, {100 * high:.1f}]"


def _count_at(c: PixelCurve, bar: float) -> str:
    """"21 of 45 [16, 26]": pairs reaching ``bar``, with the band's 95% interval."""
    n = c.accuracies.shape[1]
    found = np.rint(c.shares([bar])[:, 0] * n)
    return "{:.0f} of {} [{:.0f}, {:.0f}]".format(found[0], n, *_bounds(found[1:]))


def _side(c: PixelCurve) -> str:
    most, interval = _most(c)
    return (f"on {dataset_title(c.dataset)} one pixel separates most of the "
            f"{c.accuracies.shape[1]} class pairs at every bar up to {most} {interval}; at 90%, "
            f"{_count_at(c, 0.90)} pairs")


def answers(inputs: ReportInputs, m: Measures) -> list[Answer]:
    curves = {d: c for d in m.datasets if (c := pixel_curve(inputs, d, m.boot.n_boot))}
    if MNIST not in curves:
        return [unclear(KEY, QUESTION, RULE, "The single-pixel analysis is unavailable (no "
                        "cached analysis and no data).")]
    cm, cf = curves[MNIST], curves.get(FASHION)
    found = rule(cm.most)
    text = (f"The folklore ({cite_short(m.refs.one_pixel)}) read as a curve over the bar: "
            + "; ".join(_side(c) for c in (cm, cf) if c is not None))
    (fm, im), (ff, iff) = _most(cm), _most(cf) if cf else (MISSING, MISSING)
    alternatives = [(f"a fixed bar of {bar:.0%}{why}", YES if cm.shares([bar])[0, 0] > 0.5 else NO)
                    for bar, why in ((0.90, " (the independent check's)"), (0.85, ""))]
    if cf is not None:
        alternatives.append(("MNIST's pairs separated at a higher bar than Fashion-MNIST's (the "
                             "earlier comparative reading)", YES if cm.most[0] > cf.most[0] else NO))
        text += (". It holds on MNIST at the lower bars and is even truer of Fashion-MNIST, "
                 "so it does not single MNIST out" if cf.most[0] >= cm.most[0] else
                 ". It holds further up on MNIST than on Fashion-MNIST")
    return [Answer(KEY, QUESTION, str(found[0]), f"{fm} vs {ff} (highest bar most pairs reach)",
                   f"{im} vs {iff}", stability(found[0], found[1:]), RULE, text + ".",
                   tuple(alternatives))]


def section(inputs: ReportInputs, m: Measures, refs: References, fig_dir: Path) -> str:
    """The curves with their bands, the per-bar table and the answer, for mnist-too-easy.md."""
    (a,) = answers(inputs, m)
    quote = (f"The folklore: “{refs.one_pixel.quote}” (quoted in {cite(refs.one_pixel)}). "
             f"{refs.one_pixel.caveats}")
    curves = {d: c for d in m.datasets if (c := pixel_curve(inputs, d, m.boot.n_boot))}
    if not curves:
        return join_blocks(f"## {QUESTION}", quote, a.text, block(a))
    intro = ("Each pair's rule “pixel > threshold → one class, else the other” is the best of 784 "
             "pixels × 256 thresholds × 2 directions on its training images, scored on its test "
             "images. Band and intervals: 95%, resampling each pair's test images "
             f"({m.boot.n_boot:,} binomial draws, pairs independent, the chosen pixel fixed).")
    path = figures.pixel_share_curves(figure_path(fig_dir, "single-pixel-share"),
                                      {d: _band(c.shares(BARS)) for d, c in curves.items()},
                                      {d: dataset_title(d) for d in curves})
    rows = [[dataset_title(d), " ".join(_most(c)), *(_count_at(c, b) for b in SHOWN)]
            for d, c in curves.items()]
    table = markdown_table(["dataset", "highest bar most pairs reach [95%]",
                            *[f"pairs ≥ {b:.0%} [95%]" for b in SHOWN]], rows,
                           ["left"] + ["right"] * (len(SHOWN) + 1))
    return join_blocks(f"## {QUESTION}", quote, intro, table,
                       figure_link(path, "share of class pairs one pixel separates, by bar"),
                       a.text, block(a), *(_details(inputs, d) for d in curves))


def _band(shares: np.ndarray) -> tuple:
    """(bars, shares, low, high): the curve and its 95% band."""
    q = [ALPHA / 2, 1 - ALPHA / 2]
    return BARS, shares[0], *np.quantile(shares[1:], q, axis=0, method="inverted_cdf")


def _details(inputs: ReportInputs, d: str) -> str:
    labels, pairs = class_names(d), inputs.analyses[d].separability
    rows = [[f"{labels[q.a]} / {labels[q.b]}", f"({q.row_col[0]}, {q.row_col[1]})",
             f"> {q.threshold} → {labels[q.high]}", pct(q.train_accuracy), pct(q.test_accuracy)]
            for q in sorted(pairs, key=lambda q: (q.test_accuracy, q.a, q.b))]
    return (f"<details><summary>{dataset_title(d)}: all {len(pairs)} pairs, hardest first"
            "</summary>\n\n" + markdown_table(["pair", "pixel (row, col)", "rule",
                                               "train acc. (%)", "test acc. (%)"], rows,
                                              ["left"] * 3 + ["right"] * 2)
            + "\n\n</details>")
