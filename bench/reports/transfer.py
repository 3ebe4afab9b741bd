"""Does MNIST rank models differently from Fashion-MNIST? Read without one cut of the models:
Spearman's ρ over all models, ρ over the k best on MNIST (k = 5 … all), and the share of the
pairs both test sets tell apart (Holm, :mod:`discrimination`) that keep their order."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.reports import figures
from bench.reports.answers import NO, PARTLY, UNCLEAR, YES, Answer, block, stability, unclear
from bench.reports.discrimination import replicate_told, shared_pairs
from bench.reports.inputs import ReportInputs
from bench.reports.measures import FASHION, MNIST, Estimate, Measures, estimate
from bench.reports.names import short_names
from bench.reports.page import figure_link, join_blocks
from bench.reports.references import References
from bench.reports.safe import figure_path
from bench.reports.tables import markdown_table, with_interval
from bench.stats import ALPHA, row_spearman

QUESTION = "Does MNIST rank models differently from Fashion-MNIST?"
AGREE = 0.5  # a ρ, or a share of pairs keeping their order, above this: the ranking carries over
TOP_K_FROM = 5
RULE = (f"*Yes* when the 95% interval of ρ over all models, or of the share of pairs told apart "
        f"on both test sets that keep their order, lies below {AGREE}; *Partly* when the all-model "
        f"interval lies above {AGREE} but that of ρ over the k best on MNIST lies below it for "
        f"some k ≥ {TOP_K_FROM}; *No* when the all-model and kept-order intervals lie above "
        f"{AGREE} and no top-k one below; else *Unclear*. Each bootstrap replicate moves every "
        "interval by its value minus the point value and reapplies the rule")


@dataclass(frozen=True, eq=False)
class Transfer:
    models: tuple[str, ...]  # most accurate on MNIST first
    mnist: tuple[Estimate, ...]  # their accuracies
    fashion: tuple[Estimate, ...]
    top_k: dict[int, Estimate]  # k -> ρ over the first k; the last k is all models
    kept: Estimate  # share of the pairs told apart on both test sets that keep their order
    told: int  # how many pairs both test sets tell apart
    reversed: tuple[tuple[str, str], ...]  # those that do not (MNIST's better model first)

    @property
    def spearman(self) -> Estimate:
        return self.top_k[len(self.models)]


def transfer(m: Measures) -> Transfer | None:
    """The readings; None with fewer than 3 models on both test sets or no replicates."""
    pairs = sorted(((cm, cf) for cm in m.boot.full_cells(MNIST)
                    if (cf := m.boot.full(cm.model, FASHION)) is not None),
                   key=lambda p: (-p[0].accuracy.value, p[0].model))
    if len(pairs) < 3 or any(c.accuracy.replicates is None for p in pairs for c in p):
        return None
    (xm, rm), (xf, rf) = ((np.array([p[i].accuracy.value for p in pairs]),
                           np.stack([p[i].accuracy.replicates for p in pairs], 1)) for i in (0, 1))
    top_k = {k: estimate(row_spearman(rm[:, :k], rf[:, :k]), float(row_spearman(xm[:k], xf[:k])))
             for k in range(min(TOP_K_FROM, len(pairs)), len(pairs) + 1)}
    pm, pf = shared_pairs(m)
    same = np.array([a.model_a == b.model_a for a, b in zip(pm, pf, strict=True)])
    told = np.array([a.significant and b.significant for a, b in zip(pm, pf, strict=True)])
    kept = Estimate(math.nan, math.nan, math.nan, np.full(len(rm), math.nan))
    if told.any():
        both = replicate_told(pm) & replicate_told(pf)
        keeps = np.stack([np.sign(a.difference.replicates) == np.sign(b.difference.replicates)
                          for a, b in zip(pm, pf, strict=True)], 1) == same
        with np.errstate(invalid="ignore", divide="ignore"):
            kept = estimate((keeps & both).sum(1) / both.sum(1), same[told].mean())
    flipped = tuple((a.model_a, a.model_b) for a, k, t in zip(pm, same, told, strict=True)
                    if t and not k)
    columns = zip(*((cm.model, cm.accuracy, cf.accuracy) for cm, cf in pairs), strict=True)
    return Transfer(*map(tuple, columns), top_k, kept, int(told.sum()), flipped)


def _bounds(e: Estimate) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) at the point (first) and in each replicate, moved by replicate − value."""
    shift = np.concatenate([[0.0], e.replicates - e.value])
    return e.low + shift, e.high + shift


def rule(t: Transfer) -> np.ndarray:
    """:data:`RULE` at the point (first) and in every replicate."""
    (a_low, a_high), (k_low, k_high) = _bounds(t.spearman), _bounds(t.kept)
    top_high = np.stack([_bounds(e)[1] for e in t.top_k.values()], -1)
    yes = (a_high < AGREE) | (k_high < AGREE)
    partly = (a_low > AGREE) & (top_high < AGREE).any(-1)
    return np.select([yes, partly, (a_low > AGREE) & (k_low > AGREE)], [YES, PARTLY, NO], UNCLEAR)


def _alternatives(t: Transfer) -> tuple[tuple[str, str], ...]:
    a, half = t.spearman, t.top_k.get(len(t.models) // 2, t.spearman)
    overall = YES if a.high < AGREE else NO if a.low > AGREE else UNCLEAR
    return ((f"ρ over all models alone (interval above {AGREE}: No, below: Yes)", overall),
            ("No needs every top-k interval above 0", PARTLY if overall == NO and any(
                e.low <= 0 for e in t.top_k.values()) else overall),
            (f"the old cut: No needs the better half by MNIST accuracy above {AGREE} as well",
             PARTLY if overall == NO and half.low <= AGREE else overall))


def _answer(t: Transfer | None) -> Answer:
    if t is None:
        return unclear("transfer", QUESTION, RULE,
                       "Needs at least three models with stored predictions on both test sets.")
    found, a = rule(t), t.spearman
    return Answer("transfer", QUESTION, str(found[0]), f"ρ = {a.value:.2f} over {len(t.models)} "
                  "models", f"[{a.low:.2f}, {a.high:.2f}]", stability(found[0], found[1:]), RULE,
                  _text(t, short_names(t.models)), _alternatives(t))


def answers(inputs: ReportInputs, m: Measures) -> list[Answer]:
    return [_answer(transfer(m))]


def _text(t: Transfer, names: dict[str, str]) -> str:
    n, k0 = len(t.models), min(t.top_k)
    from_k = next((k for k in t.top_k if all(e.low > 0 for j, e in t.top_k.items() if j >= k)), 0)
    below = [str(k) for k, e in t.top_k.items() if e.high < AGREE]
    text = (f"Over the {n} models on both test sets Spearman ρ = {with_interval(t.spearman)}. "
            f"Over the k most accurate on MNIST, ρ = {with_interval(t.top_k[k0])} at k = {k0}"
            + (f" and {with_interval(t.top_k[n // 2])} at k = {n // 2} (the old \"better "
               "half\")" if n // 2 > k0 else "")
            + (f"; its interval lies above 0 from k = {from_k} on" if from_k else "")
            + (f" and below {AGREE} at k = {', '.join(below)}. " if below else
               f" and never wholly below {AGREE}. "))
    if math.isnan(t.kept.value):
        return text + "No pair of models is told apart on both test sets."
    text += (f"Of the {t.told} pairs both test sets tell apart (Holm-adjusted p < {ALPHA} on "
             f"each), {t.told - len(t.reversed)} keep their order: "
             f"{with_interval(t.kept, 100, 1, '%')}")
    if t.reversed:
        text += " (reversed: " + ", ".join(f"{names[a]} / {names[b]}" for a, b in t.reversed) + ")"
    return text + ". The intervals reflect test-set and seed noise, not the choice of models."


def section(inputs: ReportInputs, m: Measures, refs: References, fig_dir: Path) -> str:
    """The transfer section of mnist-too-easy.md."""
    a = _answer(t := transfer(m))
    if t is None:
        return join_blocks(f"## {QUESTION}", a.text, block(a))
    names, top = short_names(t.models), t.top_k
    rank_f = sorted(range(len(t.models)), key=lambda i: (-t.fashion[i].value, t.models[i]))
    rows = [[i + 1, names[mo], with_interval(em, 100, 2), rank_f.index(i) + 1,
             with_interval(ef, 100, 2), with_interval(top[i + 1]) if i + 1 in top else ""]
            for i, (mo, em, ef) in enumerate(zip(t.models, t.mnist, t.fashion, strict=True))]
    table = markdown_table(["rank on MNIST (k)", "model", "MNIST acc. (%) [95%]",
                            "rank on Fashion-MNIST", "Fashion-MNIST acc. (%) [95%]",
                            "ρ over the k best [95%]"], rows, ["right", "left"] + ["right"] * 4)
    scatter = figures.rank_transfer(
        figure_path(fig_dir, "rank-transfer"),
        [(names[mo], *((e.value, e.low, e.high) for e in (em, ef)))
         for mo, em, ef in zip(t.models, t.mnist, t.fashion, strict=True)],
        "MNIST test accuracy (%), 95% interval", "Fashion-MNIST test accuracy (%), 95% interval")
    curve = figures.top_k_curve(
        figure_path(fig_dir, "transfer-top-k"), list(top),
        [(e.value, e.low, e.high) for e in top.values()],
        [(0.0, "no agreement"), (AGREE, f"ρ = {AGREE}")],
        "k: the k most accurate models on MNIST", "Spearman ρ, MNIST vs Fashion-MNIST [95%]")
    return join_blocks(f"## {QUESTION}", table,
                       figure_link(scatter, "MNIST vs Fashion-MNIST accuracy per model"),
                       figure_link(curve, "ρ over the k best models on MNIST, 95% intervals"),
                       a.text, block(a))
