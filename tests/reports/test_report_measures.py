"""The measurements on synthetic stores, checked against direct computations; flags; profiles."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.reports import overfitting, write_reports
from bench.reports.discrimination import pair_differences
from bench.reports.inputs import choose_profile, gather
from bench.reports.measures import Bootstrap, error_ratio, measure
from bench.reports.references import load
from bench.reports.tables import CellSummary
from bench.results.record import RunRecord
from bench.stats import MeanCI

N_BOOT = 400


@pytest.fixture
def measured(store):
    inputs = gather(store)
    return inputs, measure(inputs, load(), n_boot=N_BOOT)


def test_cells_are_seed_means_with_intervals_around_them(measured, fake_data):
    inputs, m = measured
    for rec_group in ({(r.model, r.dataset) for r in inputs.runs}):
        model, dataset = rec_group
        cell = m.boot.full(model, dataset)
        accs = [r.test_accuracy for r in inputs.runs_of(model, dataset)]
        assert cell.accuracy.value == pytest.approx(np.mean(accs))
        assert cell.accuracy.low <= cell.accuracy.value <= cell.accuracy.high
        assert cell.errors.value == pytest.approx(10_000 * (1 - np.mean(accs)))
        assert cell.seeds == 3 and cell.effective_runs == 3


def test_error_ratios_follow_the_cells(measured):
    _, m = measured
    for model in ("cnn", "logreg", "mlp", "forest"):
        cm, cf = m.boot.full(model, "mnist"), m.boot.full(model, "fashion-mnist")
        ratio = error_ratio(cf, cm)
        assert ratio.value == pytest.approx((1 - cf.accuracy.value) / (1 - cm.accuracy.value))
        assert ratio.low <= ratio.value <= ratio.high




def test_identical_seeds_are_one_effective_run(tmp_path, store_factory, record_factory):
    records = []
    for seed in (0, 1, 2):
        rec = record_factory("logreg", "mnist", 0)  # seed 0's predictions on every seed
        records.append(RunRecord.from_dict({**rec.to_dict(), "seed": seed,
                                            "key": f"logreg-mnist-s{seed}"}))
    inputs = gather(store_factory(tmp_path / "results", records))
    cell = Bootstrap(inputs, n_boot=N_BOOT).full("logreg", "mnist")
    assert cell.seeds == 3 and cell.effective_runs == 1
    assert cell.accuracy.high - cell.accuracy.low > 0.01  # test-set error, not zero width


def test_records_are_chosen_by_their_role(tmp_path, store_factory, record_factory):
    main = record_factory("mlp", "mnist", 0)
    point = record_factory("mlp", "mnist", 0, train_size=150, learning_curve=True)
    sweep = record_factory("mlp", "mnist", 0, learning_curve=True)
    sweep = RunRecord.from_dict({**sweep.to_dict(), "key": "sweep"})
    inputs = gather(store_factory(tmp_path / "results", [main, point, sweep]))
    assert (inputs.runs, inputs.curve_runs, inputs.sweep_runs) == ((main,), (point,), (sweep,))
    assert inputs.left_out == ()


def cell(model: str, dataset: str, acc: float, train: float | None = None) -> CellSummary:
    ci = MeanCI(acc, acc - 0.001, acc + 0.001, 0.001, 3)
    tr = ci if train is None else MeanCI(train, train, train, 0.0, 3)
    return CellSummary(model, dataset, ci, tr, MeanCI(0, 0, 0, 0, 3))


@pytest.mark.parametrize("gap,low,n,expected", [
    (0.05, 0.01, 3, "large gap"),
    (0.05, -0.01, 3, ""),
    (0.015, 0.01, 3, ""),
    (0.05, math.nan, 1, "large gap (1 seed)"),
])
def test_overfitting_flag_rule(gap, low, n, expected):
    c = cell("m", "mnist", 0.9)
    c = CellSummary(c.model, c.dataset, c.test, c.train,
                    MeanCI(gap, low, gap + (gap - low), 0.01, n))
    assert overfitting.flag(c) == expected


def test_interpolating_models_are_labelled_not_flagged():
    c = cell("forest", "mnist", 0.97, train=1.0)
    c = CellSummary(c.model, c.dataset, c.test, c.train, MeanCI(0.03, 0.02, 0.04, 0.01, 3))
    assert overfitting.flag(c, has_history=False) == "interpolates by design"
    assert overfitting.flag(c, has_history=True) == "large gap"
    text = " ".join(overfitting.reading([c], [], neural=set()))
    assert "interpolate their training set by design" in text and "None of the 1" in text


def test_choose_profile(record_factory):
    sizes = {"smoke": 100, "quick": 300, "full": 600}
    records = [record_factory("cnn", "mnist", s, profile=p, train_size=sizes[p])
               for p, seeds in (("smoke", (0, 1, 2)), ("quick", (0,)), ("full", (0,)))
               for s in seeds]
    assert choose_profile(records, "quick") == "quick"
    assert choose_profile(records) == "full"  # the largest training set
    assert choose_profile(records[:4]) == "quick"  # larger beats more


def test_subset_profile_pairs_predictions_with_the_subset_truth(tmp_path, store_factory,
                                                                record_factory, fake_data):
    records = [record_factory(m, d, s, profile="smoke", test_size=100, train_size=300)
               for m in ("cnn", "logreg") for d in ("mnist", "fashion-mnist") for s in (0, 1)]
    broken = record_factory("mlp", "mnist", 0, profile="smoke", test_size=100, train_size=300)
    broken.test_indices_digest = "0000"
    results = store_factory(tmp_path / "results", [*records, broken], run_info=False)
    inputs = gather(results)
    rec = next(r for r in inputs.runs if r.model == "cnn" and r.dataset == "mnist")
    truth = inputs.truth(rec)
    assert truth is not None and truth.size == 100
    assert np.mean(inputs.predictions(rec) == truth) == pytest.approx(rec.test_accuracy)
    assert inputs.truth(next(r for r in inputs.runs if r.model == "mlp")) is None
    assert any("1 run(s)" in n for n in inputs.notes)
    m = measure(inputs, load(), n_boot=N_BOOT)
    pairs = pair_differences(m.boot, "mnist")
    assert [(p.model_a, p.model_b) for p in pairs] == [("cnn", "logreg")]
    assert m.boot.full("mlp", "mnist").accuracy.replicates is None  # analytic fallback


def test_reports_without_data_or_cache_still_render(tmp_path, monkeypatch, store_factory,
                                                    record_factory):
    from bench.errors import DataError
    from bench.reports import analysis

    records = [record_factory(m, d, 0) for m in ("cnn", "logreg") for d in ("mnist",
                                                                             "fashion-mnist")]
    results = store_factory(tmp_path / "results", records)

    def no_data(name, data_dir=None):
        raise DataError(f"{name} is nowhere")

    monkeypatch.setattr(analysis, "load_dataset", no_data)
    write_reports(results, tmp_path / "reports")
    text = (tmp_path / "reports" / "mnist-too-easy.md").read_text(encoding="utf-8")
    assert "mnist is nowhere" in text and "## Notes" in text
    assert "**Answer: Unclear** (no bootstrap replicates" in text
    assert "No learning-curve runs in this run" in text
    assert not (tmp_path / "reports" / "figures" / "single-pixel.png").exists()
    readme = (tmp_path / "reports" / "README.md").read_text(encoding="utf-8")
    assert "## Notes" in readme and "--data-dir" in readme
    overfit = (tmp_path / "reports" / "overfitting.md").read_text(encoding="utf-8")
    assert "Not in this run: the store holds no sweep runs" in overfit


def test_epoch_sweep_runs_get_their_own_section_and_stay_out_of_headlines(
        tmp_path, store_factory, record_factory):
    records = [record_factory("mlp", d, s) for d in ("mnist", "fashion-mnist") for s in (0, 1)]
    sweep = record_factory("mlp", "mnist", 0, learning_curve=True)
    sweep.key += "-sweep"
    sweep.history = {k: v * 2 for k, v in sweep.history.items()}  # 12 epochs
    sweep.test_accuracy = 0.5  # would move the headline if it were mixed in
    results = store_factory(tmp_path / "results", [*records, sweep])
    write_reports(results, tmp_path / "reports")
    overfit = (tmp_path / "reports" / "overfitting.md").read_text(encoding="utf-8")
    section = overfit.split("## Long per-epoch sweep", 1)[1]
    assert "figures/history-long-mlp.png" in section and "| mlp     | MNIST     |       12 |" \
        in section
    assert (tmp_path / "reports" / "figures" / "history-long-mlp.png").is_file()
    readme = (tmp_path / "reports" / "README.md").read_text(encoding="utf-8")
    mean = np.mean([r.test_accuracy for r in records if r.dataset == "mnist"])
    row = next(line for line in readme.splitlines() if line.startswith("| mlp "))
    assert f"| {100 * mean:.2f} ± " in " ".join(row.split())
    too_easy = (tmp_path / "reports" / "mnist-too-easy.md").read_text(encoding="utf-8")
    assert "No learning-curve runs in this run" in too_easy


