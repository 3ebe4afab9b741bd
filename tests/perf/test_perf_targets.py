"""perf/targets.py: the verdicts of the targets table on tiny synthetic inputs."""

from __future__ import annotations

import targets as t
from performance import same_thread_figures


def lr_record(dataset: str, fit: float, accuracy: float, **extra) -> dict:
    return {"model": "logistic-regression", "train_size": 60_000, "profile": "full",
            "status": "ok", "dataset": dataset, "fit_seconds": fit, "cpu_seconds": fit / 2,
            "test_accuracy": accuracy, **extra}


BASE = t.Baseline("mnist", 80.0, 0.90)


def test_logistic_fits_take_full_size_headline_records_only():
    fits = t.logistic_fits([lr_record("mnist", 10.0, 0.9), lr_record("mnist", 14.0, 0.9),
                            lr_record("mnist", 99.0, 0.9, train_size=1000),
                            lr_record("mnist", 99.0, 0.9, status="failed")])
    assert fits["mnist"].fit_s == (10.0, 14.0) and fits["mnist"].accuracy == 0.9


def test_logistic_target_met_within_a_quarter_and_0_2_pp():
    fits = t.LogisticFits("mnist", (19.0, 20.0, 21.0), (10.0,), 0.9015)
    row = t.logistic_target(BASE, fits, None)
    assert row.met is True and "0.25 of 80 s" in row.measured and "+0.15 pp" in row.measured


def test_logistic_target_missed_on_accuracy_or_time():
    assert t.logistic_target(BASE, t.LogisticFits("mnist", (10.0,), (5.0,), 0.8976), None).met \
        is False
    assert t.logistic_target(BASE, t.LogisticFits("mnist", (21.0,), (5.0,), 0.90), None).met \
        is False
    assert t.logistic_target(BASE, None, None).met is None


def test_logistic_target_says_when_threads_explain_part_of_the_gain():
    fits = t.LogisticFits("mnist", (10.0,), (5.0,), 0.90)  # 0.125 of the baseline
    same = {"cpu_ratio": 0.36, "old_accuracy": 0.9002, "new_accuracy": 0.9004}
    why = t.logistic_target(BASE, fits, same).why
    assert "0.36" in why and "over a quarter" in why and "pinned" in why and "+0.02 pp" in why
    cheaper = t.logistic_target(BASE, fits, {**same, "cpu_ratio": 0.1}).why
    assert "pinned" not in cheaper and "within a quarter" in cheaper


def test_same_thread_figures_match_the_current_defaults():
    stored = {"mnist": {"C=0.01, tol=0.0001": {"cpu_ratio": 1.0, "test_accuracy": 0.92, "old": True},
                        "C=0.01, tol=0.001": {"cpu_ratio": 0.36, "test_accuracy": 0.93,
                                              "old": False}}}
    assert same_thread_figures(stored, {"C": 0.01, "tol": 1e-3}) == {
        "mnist": {"cpu_ratio": 0.36, "old_accuracy": 0.92, "new_accuracy": 0.93}}
    assert same_thread_figures(stored, {"C": 0.01, "tol": 1e-2}) == {}


def test_cached_and_load_targets():
    assert t.cached_target(2.0, 1.0).met is True
    assert t.cached_target(4.5, 1.0).met is False
    assert t.cached_target(None, 1.0).met is None
    assert t.warm_load_target(3.7).met is True and t.warm_load_target(60.0).met is False


def test_overhead_prefers_cpu_figures_and_names_the_misses():
    stored = {
        "overhead": {"date": "2026-11-28", "numbers": {
            "mlp": {"wall_ratio": 1.2}, "cnn": {"wall_ratio": 1.13, "wall_ratio_vs_monitored": 1.05},
            "lr": {"wall_ratio": 0.99}}},
        "overhead-mlp": {"date": "2026-11-29", "numbers": {"mlp": {"wall_ratio": 1.3,
                                                                     "cpu_ratio": 1.016}}},
        "data-load": {"numbers": {"warm_process_ms": 3.7}},
    }
    figures = t.overhead_figures(stored)
    assert figures["mlp"].kind == "CPU" and figures["mlp"].ratio == 1.016
    assert figures["lr"].kind == "wall"
    row = t.overhead_target(figures, {"mlp": 1.2})
    assert row.met is False and "cnn: +13.0% wall" in row.why and "+5.0%" in row.why
    assert "+20.0% before" in row.why
    del figures["cnn"]
    assert t.overhead_target(figures).met is True


def test_reference_run_and_dask_targets():
    row = t.reference_run_target(2 * 20 * 60.0, None, 2, {"cnn": 0.7, "mlp": 0.3})
    assert row.met is True and row.measured.startswith("20.0 min") and "cnn 70%" in row.why
    assert t.reference_run_target(2 * 30 * 60.0, 1.0, 2, {}).met is False
    assert "several invocations" in row.why
    one = t.reference_run_target(2 * 30 * 60.0, 1.0, 2, {}, one_run_wall_s=117 * 60.0)
    assert "one run-all of the whole plan" in one.why and "117 min wall clock" in one.why
    assert t.dask_target({"rf": 1.05, "mlp": 1.6}).met is False
    assert t.dask_target(None).met is None


def test_table_has_one_line_per_target():
    rows = [t.cached_target(2.0, 1.0), t.warm_load_target(None)]
    table = t.targets_table(rows).splitlines()
    assert len(table) == 4 and table[2].endswith(
        "| met | whole processes on a copy of the committed results, medians; "
        f"{t.DECLARATION_NOTE} |")
    assert "not measured" in table[3]
