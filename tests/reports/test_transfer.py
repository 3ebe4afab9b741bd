"""The transfer question: ρ over all models, the top-k curve, kept order, the rule, stability."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats as sps

from bench.reports import figures
from bench.reports import transfer as tr
from bench.reports.answers import NO, PARTLY, UNCLEAR, YES
from bench.reports.discrimination import pair_differences
from bench.reports.measures import Cell, Estimate, estimate

RESULTS = Path(__file__).resolve().parents[2] / "results"
N_BOOT = 300


class Boot:
    """The part of measures.Bootstrap the question reads, over given cells."""

    def __init__(self, cells: list[Cell]):
        self.cells = cells

    def full_cells(self, dataset):
        return [c for c in self.cells if c.dataset == dataset]

    def full(self, model, dataset):
        return next((c for c in self.full_cells(dataset) if c.model == model), None)


def fake(acc_m, acc_f, seed=0):
    """Models m0, m1, … with these accuracies; replicates share one noise row per test set."""
    rng = np.random.default_rng(seed)
    cells = []
    for dataset, accs in (("mnist", acc_m), ("fashion-mnist", acc_f)):
        shared = rng.normal(scale=0.003, size=N_BOOT)
        for i, a in enumerate(accs):
            reps = a + shared + rng.normal(scale=0.002, size=N_BOOT)
            correct = rng.random((1, 400)) < a
            cells.append(Cell(f"m{i}", dataset, 60_000, estimate(reps, a), 10_000, 1, 1, 1.0,
                              correct, "digest"))
    return SimpleNamespace(boot=Boot(cells))


def test_top_k_curve_is_spearman_over_the_k_best_on_mnist():
    acc_m = np.linspace(0.99, 0.80, 9)
    acc_f = np.array([0.89, 0.90, 0.85, 0.86, 0.84, 0.80, 0.81, 0.75, 0.70])
    t = tr.transfer(fake(acc_m, acc_f))
    assert t.models == tuple(f"m{i}" for i in range(9)) and list(t.top_k) == [5, 6, 7, 8, 9]
    for k, e in t.top_k.items():
        assert e.value == pytest.approx(sps.spearmanr(acc_m[:k], acc_f[:k]).statistic)
        rm = np.stack([e.replicates for e in t.mnist[:k]], 1)
        rf = np.stack([e.replicates for e in t.fashion[:k]], 1)
        for b in (0, 7):
            assert e.replicates[b] == pytest.approx(sps.spearmanr(rm[b], rf[b]).statistic)
    assert t.spearman is t.top_k[9]
    few = tr.transfer(fake(acc_m[:4], acc_f[:4]))
    assert list(few.top_k) == [4]  # fewer than 5 models: only all of them
    assert tr.transfer(fake(acc_m[:2], acc_f[:2])) is None


def test_kept_order_counts_the_pairs_both_test_sets_tell_apart():
    acc_m = np.array([0.99, 0.97, 0.95, 0.90, 0.85, 0.80])
    acc_f = np.array([0.88, 0.90, 0.86, 0.80, 0.79, 0.70])  # m0 / m1 reversed
    m = fake(acc_m, acc_f)
    t = tr.transfer(m)
    pm = {frozenset((p.model_a, p.model_b)): p for p in pair_differences(m.boot, "mnist")}
    pf = {frozenset((p.model_a, p.model_b)): p for p in pair_differences(m.boot, "fashion-mnist")}
    both = [k for k in pm if pm[k].p_holm < 0.05 and pf[k].p_holm < 0.05]
    kept = [k for k in both if pm[k].model_a == pf[k].model_a]
    assert t.told == len(both) and t.kept.value == pytest.approx(len(kept) / len(both))
    assert set(t.reversed) == {(pm[k].model_a, pm[k].model_b) for k in both if k not in kept}
    assert ("m0", "m1") in t.reversed and t.kept.low <= t.kept.value <= t.kept.high


def brute(t, b):
    """The rule as stated, for one replicate b (None: the point), interval by interval."""
    def bounds(e):
        shift = 0.0 if b is None else e.replicates[b] - e.value
        return e.low + shift, e.high + shift

    (a_low, a_high), (k_low, k_high) = bounds(t.spearman), bounds(t.kept)
    if a_high < 0.5 or k_high < 0.5:
        return YES
    if a_low > 0.5 and any(bounds(e)[1] < 0.5 for e in t.top_k.values()):
        return PARTLY
    return NO if a_low > 0.5 and k_low > 0.5 else UNCLEAR


def est(rng, centre, width):
    reps = centre + rng.normal(scale=width, size=50)
    return Estimate(centre, centre - 2 * width, centre + 2 * width, reps)


def test_rule_matches_the_stated_rule_in_every_replicate():
    rng, seen = np.random.default_rng(1), set()
    for centres in itertools.product((0.2, 0.45, 0.55, 0.9), repeat=3):
        top = {5: est(rng, centres[0], 0.1), 6: est(rng, centres[1], 0.05)}
        t = tr.Transfer(tuple(f"m{i}" for i in range(6)), (), (), top, est(rng, centres[2], 0.02),
                        3, ())
        found = tr.rule(t)
        assert list(found) == [brute(t, None), *(brute(t, b) for b in range(50))]
        seen.update(found)
    assert seen == {YES, NO, PARTLY, UNCLEAR}


def test_labels_of_crowded_points_do_not_overlap(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    fig = Figure(figsize=(5.2, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(xlim=(50, 100), ylim=(55, 92))
    points = [(f"model {i}", 92 + 0.1 * i, 84.5 + 0.05 * i) for i in range(6)]
    points += [("GaussianNB (sk)", 52.4, 57.0), ("ExtraTree (sk)", 79.6, 76.7)]
    figures._spread_labels(ax, points)
    fig.canvas.draw()
    boxes = [Text.get_window_extent(t) for t in ax.texts]  # the text, not its line
    assert len(boxes) == 8
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_committed_results_answer_no_with_rho_as_the_records_say(committed, tmp_path):
    inputs, m = committed
    a = tr.answers(inputs, m)[0]
    models = sorted({r.model for r in inputs.runs if r.dataset == "mnist"}
                    & {r.model for r in inputs.runs if r.dataset == "fashion-mnist"})
    mean = {(mo, d): np.mean([r.test_accuracy for r in inputs.runs_of(mo, d)])
            for mo in models for d in ("mnist", "fashion-mnist")}
    rho = sps.spearmanr([mean[(mo, "mnist")] for mo in models],
                        [mean[(mo, "fashion-mnist")] for mo in models]).statistic
    assert a.figure == f"ρ = {rho:.2f} over {len(models)} models"
    assert a.answer == NO and a.shown == NO and a.stability >= 0.8
    assert dict(a.alternatives)[next(k for k, _ in a.alternatives if "old cut" in k)] == PARTLY
    text = tr.section(inputs, m, m.refs, tmp_path)
    assert "p = 1e-05" not in text and "sklearn." not in text
    assert all((tmp_path / f"{name}.png").is_file() for name in ("rank-transfer", "transfer-top-k"))
