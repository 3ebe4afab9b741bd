"""Can MNIST no longer tell models apart? Each pair of models is compared on each test set by
its paired accuracy difference, a p-value from the same bootstrap (:func:`normal_p`) and Holm's
adjustment over that test set's pairs."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.reports.answers import NO, PARTLY, UNCLEAR, YES, Answer, block, stability, unclear
from bench.reports.inputs import ReportInputs, dataset_title
from bench.reports.measures import FASHION, MNIST, Bootstrap, Estimate, Measures, estimate
from bench.reports.names import short_names
from bench.reports.page import join_blocks
from bench.reports.references import References
from bench.reports.tables import markdown_table, pp
from bench.stats import ALPHA, POWER, holm_adjust, mcnemar_exact_counts
from bench.stats import mcnemar_min_detectable as min_detectable

QUESTION = "Can MNIST no longer tell models apart?"
RULE = (f"a pair is told apart on a test set when its Holm-adjusted p < {ALPHA}; *No* when MNIST "
        "tells more than half of the pairs apart and not significantly fewer than Fashion-MNIST "
        "(more pairs told apart on Fashion-MNIST only than on MNIST only, exact two-sided "
        f"binomial p < {ALPHA}), *Partly* when more than half but significantly fewer, *Yes* when "
        "at most half and significantly fewer, else *Unclear*. Each bootstrap replicate "
        "recomputes every pair's p-value from its replicate difference and reapplies the rule")


@dataclass(frozen=True, eq=False)
class PairDifference:
    """Model A − model B accuracy on one test set, paired over images (A the more accurate)."""

    dataset: str
    model_a: str
    model_b: str
    difference: Estimate
    min_detectable: float  # smallest difference McNemar detects at the pair's disagreement
    p_value: float  # two-sided, from the bootstrap (normal_p)
    p_holm: float  # Holm-adjusted over the pairs of this test set

    @property
    def resolved(self) -> bool:
        """The 95% interval excludes 0 (no multiplicity correction)."""
        return not (self.difference.low <= 0.0 <= self.difference.high)

    @property
    def significant(self) -> bool:
        return self.p_holm < ALPHA

    @property
    def flip_probability(self) -> float:
        """Bootstrap probability that the sign of the difference reverses."""
        return float(np.mean(np.sign(self.difference.replicates) != 1))


def normal_p(difference: float | np.ndarray, replicates: np.ndarray) -> np.ndarray:
    """2Φ(−|difference| / sd(replicates)); with no spread, 1 for no difference else 0."""
    from scipy.special import ndtr

    sd = float(np.std(replicates))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, 2 * ndtr(-np.abs(difference) / sd), np.equal(difference, 0) * 1.0)


def pair_differences(boot: Bootstrap, dataset: str) -> list[PairDifference]:
    """Every pair of full-data cells scored on the same images, the better model first."""
    cells = sorted(boot.full_cells(dataset), key=lambda c: (-c.accuracy.value, c.model))
    found = []
    for a, b in itertools.combinations(cells, 2):
        if a.digest is None or a.digest != b.digest:  # not both paired over the same images
            continue
        reps, d = a.accuracy.replicates - b.accuracy.replicates, a.accuracy.value - b.accuracy.value
        k = min(a.correct.shape[0], b.correct.shape[0])
        psi = float(np.mean(a.correct[:k] != b.correct[:k]))  # disagreement, seed mean
        mdd = min_detectable(a.correct.shape[1], psi, ALPHA, POWER)
        found.append((a.model, b.model, estimate(reps, d), mdd, float(normal_p(d, reps))))
    holm = holm_adjust([f[-1] for f in found])
    return [PairDifference(dataset, *f, h) for f, h in zip(found, holm, strict=True)]


def shared_pairs(m: Measures) -> tuple[list[PairDifference], list[PairDifference]]:
    """The pairs compared on both test sets: (on MNIST, on Fashion-MNIST), in the same order."""
    pm, pf = ({frozenset((q.model_a, q.model_b)): q for q in pair_differences(m.boot, d)}
              for d in (MNIST, FASHION))
    keys = sorted(pm.keys() & pf.keys(), key=sorted)
    return [pm[k] for k in keys], [pf[k] for k in keys]


def replicate_told(pairs: list[PairDifference]) -> np.ndarray:
    """(replicates, pairs): Holm at 5% on the p-values of each replicate's differences."""
    p = np.stack([normal_p(q.difference.replicates, q.difference.replicates) for q in pairs], 1)
    return np.array([holm_adjust(row) for row in p]) < ALPHA


def rule(told_m: np.ndarray, told_f: np.ndarray) -> str:
    """:data:`RULE` on which of the same pairs each test set tells apart (bool vectors)."""
    only_f, only_m = int(np.sum(told_f & ~told_m)), int(np.sum(told_m & ~told_f))
    fewer = only_f > only_m and mcnemar_exact_counts(only_f, only_m).p_value < ALPHA
    if 2 * int(told_m.sum()) > told_m.size:
        return PARTLY if fewer else NO
    return YES if fewer else UNCLEAR


def answers(inputs: ReportInputs, m: Measures) -> list[Answer]:
    pm, pf = shared_pairs(m)
    if not pm:
        return [unclear("discrimination", QUESTION, RULE,
                        "Needs paired predictions of at least two models on both test sets.")]
    told, raw, bonferroni = ([np.array([get(q) for q in ps]) for ps in (pm, pf)] for get in (
        lambda q: q.significant, lambda q: q.resolved, lambda q: q.p_value * len(pm) < ALPHA))
    reps = [replicate_told(ps) for ps in (pm, pf)]
    counts = [np.quantile(r.sum(1), [0.025, 0.975], method="inverted_cdf") for r in reps]
    old = rule(*raw)
    alternatives = (("no multiplicity correction: told apart when the 95% interval excludes 0",
                     old), ("Bonferroni instead of Holm", rule(*bonferroni)),
                    ("the old rule: intervals excluding 0, Partly read as Yes",
                     YES if old == PARTLY else old))
    point = rule(*told)
    names = short_names(mo for mo, _ in m.boot.full_size)
    return [Answer("discrimination", QUESTION, point,
                   f"{told[0].sum()} vs {told[1].sum()} of {len(pm):,} pairs told apart",
                   " vs ".join(f"[{lo:.0f}, {hi:.0f}]" for lo, hi in counts),
                   stability(point, (rule(a, b) for a, b in zip(*reps, strict=True))), RULE,
                   _text(names, pm, pf, told, raw, counts), alternatives)]


def _mdd_range(pairs: list[PairDifference]) -> str:
    values = [100 * q.min_detectable for q in pairs]
    return f"{np.nanmin(values):.2f}–{np.nanmax(values):.2f}"


def _text(names: dict[str, str], pm: list[PairDifference], pf: list[PairDifference],
          told: list[np.ndarray], raw: list[np.ndarray], counts: list[np.ndarray]) -> str:
    n, (lm, hm), (lf, hf) = len(pm), *counts
    only_f, only_m = int(np.sum(told[1] & ~told[0])), int(np.sum(told[0] & ~told[1]))
    text = (f"Of the {n:,} model pairs scored on both test sets, MNIST tells {told[0].sum()} "
            f"apart ([{lm:.0f}, {hm:.0f}] over resamples) and Fashion-MNIST {told[1].sum()} "
            f"([{lf:.0f}, {hf:.0f}]) at Holm-adjusted p < {ALPHA} ({n:,} tests per test set, "
            f"family-wise error {ALPHA:.0%} on each); without a correction {raw[0].sum()} and "
            f"{raw[1].sum()} of the 95% intervals exclude 0. Told apart on one test set only: "
            f"{only_f} on Fashion-MNIST, {only_m} on MNIST (exact binomial p = "
            f"{mcnemar_exact_counts(only_f, only_m).p_value:.2g}). At the observed disagreement "
            f"rates the test sets detect differences of {_mdd_range(pm)} pp (MNIST) and "
            f"{_mdd_range(pf)} pp (Fashion-MNIST) with α = {ALPHA}, power {POWER}")
    for q in (min(ps, key=lambda q: abs(q.difference.value)) for ps in (pm, pf)):
        text += (f"; the closest pair on {dataset_title(q.dataset)} ({names[q.model_a]} − "
                 f"{names[q.model_b]}, {pp(q.difference)}) reverses order in "
                 f"{100 * q.flip_probability:.1f}% of resamples")
    return text + "."


def section(inputs: ReportInputs, m: Measures, refs: References, fig_dir: Path) -> str:
    """The discrimination section of mnist-too-easy.md."""
    a = answers(inputs, m)[0]
    rows = [[dataset_title(d), len(ps), sum(q.resolved for q in ps),
             sum(q.significant for q in ps), _mdd_range(ps)]
            for d in m.datasets if (ps := pair_differences(m.boot, d))]
    intro = ("Each pair's p-value is 2Φ(−|A − B| / standard deviation of its bootstrap "
             "replicates), Holm-adjusted (Holm 1979) within its test set. The smallest detectable "
             f"difference is McNemar's at α = {ALPHA}, power {POWER} and the pair's disagreement "
             "(share of images exactly one model gets right; Connor 1987).")
    table = markdown_table(["test set", "model pairs", "95% interval excludes 0 (no correction)",
                            f"Holm-adjusted p < {ALPHA}", "smallest detectable (pp)"], rows,
                           ["left"] + ["right"] * 4)
    return join_blocks(f"## {QUESTION}", intro, table, a.text, block(a))
