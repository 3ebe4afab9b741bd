"""Does MNIST accuracy tell you how a model copes with a shifted image? Each quantity is a
``(1 + replicates, models)`` array, row 0 the point values, then the paired replicates of
``measures.Bootstrap`` (its weights on the images a model was evaluated on under corruption)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.data.corruptions import evaluated_positions
from bench.reports.answers import NO, PARTLY, YES, Answer, block, stability, unclear
from bench.reports.inputs import ReportInputs
from bench.reports.measures import FASHION, MNIST, Bootstrap, Measures, estimate, stable_seed
from bench.reports.page import join_blocks
from bench.reports.references import References
from bench.reports.robustness import grouped
from bench.reports.tables import number, pp, with_interval
from bench.results.record import bits_to_correct
from bench.stats import replicate_accuracies, row_spearman

QUESTION = "Does MNIST accuracy fail to tell how a model copes with a shifted image?"
KEEPS = 0.8  # a rank correlation of at least this keeps the ranking
RULE = ("ρ_M is Spearman's rank correlation, across the models with corrupted results on both "
        "test sets, between MNIST clean accuracy and mean accuracy over MNIST's corruptions; "
        "ρ_F the same with Fashion-MNIST clean accuracy in place of MNIST's. No when ρ_M ≥ "
        f"{KEEPS} (the clean MNIST ranking is the ranking under corruption) and ρ_M ≥ ρ_F; Yes "
        f"when ρ_M < {KEEPS} and ρ_F > ρ_M (Fashion-MNIST's clean accuracy predicts it better); "
        "otherwise Partly; Unclear with corrupted results for fewer than 3 models")
HOW = ("Fewer than 3 models have corrupted results on both test sets (the committed results "
       "get them in the reference run): run `python -m bench run-all --corruptions default`")


def accuracies(inputs: ReportInputs, boot: Bootstrap, dataset: str,
               models: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Clean and mean corrupted accuracy ``(1 + replicates, models)`` on ``dataset`` (one row
    when a model has no replicates: no stored predictions or labels)."""
    groups, names = grouped([r for r in inputs.runs if r.dataset == dataset])
    names = [c for c in names if all(c in r.corrupted for x in models for r in groups[x])]
    clean, shifted = [], []
    for model in models:
        size = {r.key: r.corruption_test_size or len(r.test_predictions or "")
                for r in groups[model]}  # the seeds on the fewest images (all, or a subset)
        cell, recs = boot.full(model, dataset), [r for r in groups[model]
                                                 if size[r.key] == min(size.values())]
        share = np.mean([[bits_to_correct(r.corrupted[c]["correct"], size[r.key]) for c in names]
                         for r in recs], axis=1)  # (seeds, images): share of corruptions right
        clean.append([cell.accuracy.value])
        shifted.append([share.mean()])
        if cell.correct is not None:  # the test set's weights on the images seen, rescaled
            w = boot.weights(cell)
            at = evaluated_positions(inputs.truth(recs[0]), share.shape[1])
            if len(at) < w.shape[1]:
                w = w[:, at] * (len(at) / np.maximum(w[:, at].sum(1), 1))[:, None]
            clean[-1] += list(cell.accuracy.replicates)
            shifted[-1] += list(replicate_accuracies(share, w, np.random.default_rng(
                stable_seed("shift", model, dataset))))
    rows = min(map(len, clean + shifted))
    return np.array([c[:rows] for c in clean]).T, np.array([s[:rows] for s in shifted]).T


def answer_of(rho_m: np.ndarray, rho_f: np.ndarray) -> np.ndarray:
    """The rule on each row: YES, NO or PARTLY (see :data:`RULE`)."""
    keeps = rho_m >= KEEPS
    return np.where(keeps & (rho_m >= rho_f), NO, np.where(~keeps & (rho_f > rho_m), YES, PARTLY))


def measured(inputs: ReportInputs, m: Measures) -> dict[str, np.ndarray] | None:
    """ρ_M, ρ_F and the mean relative drops, by row (None with fewer than 3 models)."""
    on = [{r.model for r in inputs.runs if r.dataset == d and r.corrupted and m.boot.full(
        r.model, d)} for d in (MNIST, FASHION)]
    if len(models := sorted(on[0] & on[1])) < 3:
        return None
    (cm, sm), (cf, sf) = (accuracies(inputs, m.boot, d, models) for d in (MNIST, FASHION))
    cm, sm, cf, sf = (a[:min(len(cm), len(cf))] for a in (cm, sm, cf, sf))
    drop_m, drop_f = np.mean(1 - sm / cm, 1), np.mean(1 - sf / cf, 1)
    rho_m, rho_f = row_spearman(cm, sm), row_spearman(cf, sm)
    return {"rho_m": rho_m, "rho_f": rho_f, "rho_gain": rho_f - rho_m, "drop_m": drop_m,
            "drop_f": drop_f, "drop_gap": drop_m - drop_f, "models": np.array(models)}


def answers(inputs: ReportInputs, m: Measures) -> list[Answer]:
    if (found := measured(inputs, m)) is None:
        return [unclear("shift", QUESTION, RULE, f"{HOW}.", "no corrupted results", "")]
    e = {k: estimate(v[1:][np.isfinite(v[1:])], v[0]) for k, v in found.items() if k != "models"}
    said = answer_of(found["rho_m"], found["rho_f"])
    rho = (e["rho_m"], e["rho_f"])
    text = (f"Across {len(found['models'])} models with corrupted results on both test sets, "
            "MNIST clean accuracy ranks mean accuracy on MNIST's corruptions with ρ_M = "
            f"{with_interval(rho[0])}; Fashion-MNIST clean accuracy ranks it with ρ_F = "
            f"{with_interval(rho[1])} (ρ_F − ρ_M = {with_interval(e['rho_gain'])}). The mean "
            "relative drop under corruption (1 − corrupted / clean accuracy, mean over models) is "
            f"{with_interval(e['drop_m'], 100, 1, '%')} on MNIST and "
            f"{with_interval(e['drop_f'], 100, 1, '%')} on Fashion-MNIST (difference "
            f"{pp(e['drop_gap'])}). [Mu & Gilmer 2019](https://arxiv.org/abs/1906.02337) report "
            "MNIST CNNs' errors rising many-fold under such corruptions; across models, shifted "
            "accuracy is often a line in clean accuracy ([Miller et al. 2021](https://arxiv.org/"
            "abs/2107.04649)). Per model and corruption: [robustness.md](robustness.md).")
    alternatives = (
        (f"ranking kept: No when ρ_M ≥ {KEEPS}, else Yes", NO if rho[0].value >= KEEPS else YES),
        ("no better predictor: No when ρ_M ≥ ρ_F, else Yes",
         NO if rho[0].value >= rho[1].value else YES),
        ("relative drop: Yes when the mean relative drop is larger on MNIST than on "
         "Fashion-MNIST, else No", YES if e["drop_gap"].value > 0 else NO))
    figure = f"ρ {number(rho[0].value)} vs {number(rho[1].value)}"
    interval = " vs ".join(f"[{number(r.low)}, {number(r.high)}]" for r in rho)
    return [Answer("shift", QUESTION, str(said[0]), figure, interval,
                   stability(str(said[0]), said[1:]), RULE, text, alternatives)]


def section(inputs: ReportInputs, m: Measures, refs: References, fig_dir: Path) -> str:
    """The shift section of mnist-too-easy.md: the answer, its numbers and the other rules."""
    (a,) = answers(inputs, m)
    return join_blocks(f"## {QUESTION}", a.text, block(a))
