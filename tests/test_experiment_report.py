"""`bench run-all --suite` / `bench report --suite`: the experiment's own pages, found from the
suite's plan (any seed, training size or profile of its configurations), the reference reports
unchanged byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import api
from bench.cli import main
from bench.results.record import RunRecord
from bench.results.store import save_record

ROOT = Path(__file__).resolve().parents[1]
GRID = ROOT / "examples" / "random-forest-grid.toml"
LABELS = [f"random-forest max_depth={d} n_estimators={n}"
          for d in (4, 10, None) for n in (10, 30, 100)]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fake_record(job, accuracy: float) -> RunRecord:
    return RunRecord.for_job(job, "ok", role=job.role, train_accuracy=1.0,
                             test_accuracy=accuracy, fit_seconds=1.0, wall_seconds=1.0)


def test_report_suite_finds_the_train_size_runs_of_its_configurations(tmp_path, monkeypatch,
                                                                      capsys):
    monkeypatch.setenv("BENCH_OFFLINE", "1")  # no test labels: the ties are not tested
    monkeypatch.setenv("BENCH_DATA_DIR", str(tmp_path / "no-data"))
    results, reports = tmp_path / "results", tmp_path / "reports"
    argv = ["report", "--suite", str(GRID), "--results-dir", str(results),
            "--reports-dir", str(reports)]
    assert main(argv) != 0
    assert "no results of suite 'random-forest-grid'" in capsys.readouterr().err
    jobs = api.plan_jobs(suite=GRID, profile="quick", train_size=500)  # as run-all plans them
    for i, job in enumerate(jobs):
        save_record(results, fake_record(job, 0.5 + i / 100))
    other = api.plan_jobs(models=["random-forest"], profile="quick", overrides={"max_depth": 7})
    save_record(results, fake_record(other[0], 0.99))  # not one of the suite's configurations
    assert main(argv) == 0
    text = (reports / "suites" / "random-forest-grid" / "README.md").read_text()
    assert "Profile `quick`" in text and "at 500 training images" in text
    assert "left out): 36." in text  # the quick profile's planned headline jobs
    assert [line.split("|")[1].strip() for line in text.splitlines()
            if line.startswith("| random-forest")][:len(LABELS)] == LABELS
    assert "max_depth=7" not in text and "untested" in text


@pytest.mark.slow
@pytest.mark.realdata
def test_a_grid_suite_run_then_reported_keeps_the_reference_reports(data_dir, tmp_path, capsys):
    results, reports = tmp_path / "results", tmp_path / "reports"
    common = ["--results-dir", str(results), "--reports-dir", str(reports)]
    assert main(["run-all", "--suite", str(GRID), "--profile", "smoke", "--seed", "0",
                 "--jobs", "1", "--quiet", *common]) == 0
    console = [re.split(r"\s{2,}", line)[0] for line in capsys.readouterr().out.splitlines()
               if line.startswith("random-forest")]
    assert console == LABELS
    page = reports / "suites" / "random-forest-grid" / "README.md"
    assert sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*")
                  if p.is_file()) == ["suites/random-forest-grid/.bench-reports",
                                      "suites/random-forest-grid/README.md"]
    assert main(["report", *common]) == 0  # the reference reports, beside the experiment
    before = snapshot(reports)
    assert main(["report", "--suite", str(GRID), *common]) == 0
    after = snapshot(reports)
    assert after.pop("suites/random-forest-grid/README.md") != before.pop(
        "suites/random-forest-grid/README.md")  # now the whole suite's plan: seed 1 missing
    assert after == before  # the reference reports byte for byte
    text = page.read_text()
    rows = [line.split("|")[1].strip() for line in text.splitlines()
            if line.startswith("| random-forest")]
    assert rows[:len(LABELS)] == LABELS
    for heading in ("### MNIST", "### Fashion-MNIST"):
        section = text[text.index(heading):]
        assert re.search(r"Best: \*\*random-forest max_depth=\S+ n_estimators=\d+\*\*; "
                         r"statistically tied with it: ", section)
    assert re.search(r"Spearman's ρ .* over 9 configurations: -?[\d.]+ \[-?[\d.]+, [\d.]+\]",
                     text)
    assert re.search(r"a cost of [\d.]+ pp \[[\d.]+, [\d.]+\]", text)
    assert "Planned jobs without a successful result (left out): 18." in text  # seed 1
