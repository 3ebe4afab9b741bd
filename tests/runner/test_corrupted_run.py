"""A smoke run with --corruptions default: every headline job gets corrupted results on both
datasets, the reports render the robustness page, and they render it byte for byte again."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from bench.api import ExecutionConfig, report, run_all
from bench.data.corruptions import CORRUPTION_NAMES
from bench.results.store import load_records

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_a_smoke_run_with_corruptions_reports_robustness(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "cache"))
    results, reports = tmp_path / "results", tmp_path / "reports"
    summary = run_all(["logistic-regression", "random-forest"], profile="smoke",
                      corruptions="default", results_dir=results, reports_dir=reports,
                      config=ExecutionConfig(jobs=2, quiet=True))
    assert summary.ok and summary.executed == 12
    records = load_records(results)
    assert {(r.model, r.dataset) for r in records} == {
        (m, d) for m in ("logistic-regression", "random-forest")
        for d in ("mnist", "fashion-mnist")}
    for r in records:
        assert r.role == "headline" and r.job.corruptions == CORRUPTION_NAMES
        assert sorted(r.corrupted) == sorted(CORRUPTION_NAMES) and r.corruption_seconds > 0
        for result in r.corrupted.values():
            bits = np.unpackbits(np.frombuffer(base64.b64decode(result["correct"]), np.uint8),
                                 count=r.test_size)
            assert bits.mean() == pytest.approx(result["accuracy"])
        assert r.corrupted["inverse"]["accuracy"] < r.test_accuracy - 0.3
    page = (reports / "robustness.md").read_text()
    assert "(robustness.md)" in (reports / "README.md").read_text()
    assert "## MNIST" in page and "## Fashion-MNIST" in page and "## Accuracy on the line" in page
    figures = ["robustness-heatmap.png", "corruption-examples.png"]
    assert all((reports / "figures" / f).is_file() for f in figures)
    again = tmp_path / "again"
    report(results, again)
    for name in ["robustness.md", "README.md", *(f"figures/{f}" for f in figures)]:
        assert (again / name).read_bytes() == (reports / name).read_bytes(), name
