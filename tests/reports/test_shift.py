"""The shift question on synthetic stores: its rule and replicates against a brute-force
computation, its stability, the answers it gives, and the committed results."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from bench.data.corruptions import evaluated_positions
from bench.reports import robustness, shift
from bench.reports.answers import NO, PARTLY, UNCLEAR, YES
from bench.reports.inputs import gather
from bench.reports.measures import measure
from bench.reports.references import load
from bench.results.record import correct_bits
from bench.stats import combined_half_width, row_spearman

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("rotate", "shear")
DATASETS = ("mnist", "fashion-mnist")
N_BOOT = 120


def brute_spearman(x, y) -> float:
    def ranks(v):
        return [1 + sum(b < a for b in v) + (sum(b == a for b in v) - 1) / 2 for a in v]

    rx, ry = ranks(list(x)), ranks(list(y))
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    den = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return cov / den if den else math.nan


def brute_answer(rho_m: float, rho_f: float) -> str:
    if rho_m >= shift.KEEPS and rho_m >= rho_f:
        return NO
    if rho_m < shift.KEEPS and rho_f > rho_m:
        return YES
    return PARTLY


def test_the_rule_and_its_rank_correlation_match_a_brute_force_check():
    rng = np.random.default_rng(3)
    rows = np.round(rng.uniform(0.5, 1.0, size=(300, 3, 5)), 2)  # rounded: ties happen
    rows[:10, 1] = rows[:10, 0]  # some rows with ρ_M = 1
    spearman = row_spearman
    rho_m, rho_f = spearman(rows[:, 0], rows[:, 2]), spearman(rows[:, 1], rows[:, 2])
    for r, (a, b) in enumerate(zip(rho_m, rho_f, strict=True)):
        assert a == pytest.approx(brute_spearman(rows[r, 0], rows[r, 2]))
        assert b == pytest.approx(brute_spearman(rows[r, 1], rows[r, 2]))
    said = shift.answer_of(rho_m, rho_f)
    assert said.tolist() == [brute_answer(a, b) for a, b in zip(rho_m, rho_f, strict=True)]
    assert {YES, NO, PARTLY} <= set(said.tolist())


MNIST_CLEAN = {"cnn": 0.99, "mlp": 0.90, "forest": 0.80, "logreg": 0.70}
FASHION_CLEAN = {"cnn": 0.60, "mlp": 0.70, "forest": 0.80, "logreg": 0.90}


def corrupted(record, targets: dict[str, float], size: int | None = None):
    """``record`` evaluated on NAMES: ``targets[model]`` of its images right, exactly."""
    n = size or record.test_size
    rng = np.random.default_rng(len(record.model) + 10 * len(record.dataset))
    results = {}
    for name in NAMES:
        correct = np.zeros(n, dtype=bool)
        correct[rng.permutation(n)[:round(targets[record.model] * n)]] = True
        results[name] = {"accuracy": float(correct.mean()), "correct": correct_bits(correct)}
    job = dataclasses.replace(record.job, corruptions=NAMES, corruption_version=1)
    return dataclasses.replace(record, job=job, corrupted=results, corruption_test_size=size)


def shifted_store(tmp_path, store_factory, record_factory, monkeypatch,
                  shifted: dict[str, float]) -> Path:
    """4 models, one seed each; MNIST's corrupted accuracy ``shifted``, Fashion's 0.5 below
    its clean accuracy; the forest evaluated on a 100-image subset of MNIST's corruptions."""
    targets = record_factory.__globals__["TARGETS"]  # tests/reports/conftest.py's
    for model in MNIST_CLEAN:
        monkeypatch.setitem(targets, model, {"mnist": MNIST_CLEAN[model],
                                                      "fashion-mnist": FASHION_CLEAN[model]})
    records = [corrupted(record_factory(m, d, 0), shifted if d == "mnist" else {
        x: FASHION_CLEAN[x] - 0.5 for x in FASHION_CLEAN},
        100 if (m, d) == ("forest", "mnist") else None)
        for m in MNIST_CLEAN for d in DATASETS]
    return store_factory(tmp_path / "results", records)


@pytest.mark.parametrize("shifted, expected, stable", [
    ({"cnn": 0.6, "mlp": 0.5, "forest": 0.4, "logreg": 0.3}, NO, True),  # MNIST's ranking
    ({"cnn": 0.3, "mlp": 0.4, "forest": 0.5, "logreg": 0.6}, YES, True),  # Fashion-MNIST's
    ({"cnn": 0.51, "mlp": 0.5, "forest": 0.49, "logreg": 0.48}, NO, False),  # within noise
])
def test_the_answer_and_its_stability_follow_the_replicates(
        tmp_path, store_factory, record_factory, monkeypatch, shifted, expected, stable):
    inputs = gather(shifted_store(tmp_path, store_factory, record_factory, monkeypatch, shifted))
    m = measure(inputs, load(), n_boot=N_BOOT)
    (a,) = shift.answers(inputs, m)
    assert a.key == "shift" and a.answer == expected
    # brute force: every replicate re-weights the images each model was evaluated on
    models = sorted(MNIST_CLEAN)
    clean = {d: [] for d in DATASETS}
    for d in DATASETS:
        for model in models:
            cell = m.boot.full(model, d)
            w = m.boot._weights_for(d, cell.digest, cell.correct.shape[1])
            assert cell.accuracy.replicates == pytest.approx(w @ cell.correct[0] / w.shape[1])
            clean[d].append(cell.accuracy.replicates)
    mnist_shifted = []
    for model in models:
        (rec,) = [r for r in inputs.runs if (r.model, r.dataset) == (model, "mnist")]
        bits = [shift.bits_to_correct(rec.corrupted[c]["correct"], rec.corruption_test_size
                                      or rec.test_size) for c in NAMES]
        share = np.mean(bits, axis=0)
        at = evaluated_positions(inputs.truth(rec), share.size)
        cell = m.boot.full(model, "mnist")
        w = m.boot._weights_for("mnist", cell.digest, cell.correct.shape[1])[:, at]
        mnist_shifted.append([float(row @ share / row.sum()) for row in w])
    said = [brute_answer(brute_spearman(cm, sm), brute_spearman(cf, sm)) for cm, cf, sm in zip(
        np.array(clean["mnist"]).T, np.array(clean["fashion-mnist"]).T,
        np.array(mnist_shifted).T, strict=True)]
    assert a.stability == pytest.approx(sum(s == a.answer for s in said) / N_BOOT)
    assert (a.stability >= 0.95) if stable else (0.05 < a.stability < 0.8)
    assert a.shown == (expected if stable else UNCLEAR)
    rho = [brute_spearman(list(MNIST_CLEAN.values()), [shifted[x] for x in MNIST_CLEAN]),
           brute_spearman(list(FASHION_CLEAN.values()), [shifted[x] for x in MNIST_CLEAN])]
    assert a.figure == f"ρ {rho[0]:.2f} vs {rho[1]:.2f}"
    section = shift.section(inputs, m, load(), tmp_path)
    assert section.startswith(f"## {shift.QUESTION}") and f"**Answer: {expected}**" in section
    assert "robustness.md" in section and len(a.alternatives) == 3


def test_without_corrupted_results_the_answer_is_unclear_and_says_how_to_get_them(store):
    inputs = gather(store)
    (a,) = shift.answers(inputs, measure(inputs, load(), n_boot=20))
    assert a.answer == UNCLEAR and math.isnan(a.stability) and "--corruptions default" in a.text


def test_the_committed_results_answer_as_their_records_say():
    inputs = gather(ROOT / "results")
    m = measure(inputs, load(), n_boot=20)
    (a,) = shift.answers(inputs, m)
    found = shift.measured(inputs, m)
    if found is None:  # the committed results get corrupted results in the reference run
        assert a.answer == UNCLEAR and a.figure == "no corrupted results"
    else:
        assert a.answer == shift.answer_of(found["rho_m"][:1], found["rho_f"][:1])[0]
        assert a.figure == f"ρ {found['rho_m'][0]:.2f} vs {found['rho_f'][0]:.2f}"


def test_the_robustness_page_names_the_models_evaluated_on_a_subset(
        tmp_path, store_factory, record_factory, monkeypatch):
    shifted = {"cnn": 0.6, "mlp": 0.5, "forest": 0.4, "logreg": 0.3}
    inputs = gather(shifted_store(tmp_path, store_factory, record_factory, monkeypatch, shifted))
    blocks, _, _ = robustness.dataset_section("mnist", [r for r in inputs.runs
                                                        if r.dataset == "mnist"])
    assert blocks[-1] == f"{robustness.SUBSET_RULE} forest (100)."
    forest = next(b for b in blocks[2].splitlines() if b.startswith("| forest"))
    half = combined_half_width([0.4], 100)  # the interval of 100 images, not of 200
    assert f"40.00 ± {100 * half:.2f}" in forest
