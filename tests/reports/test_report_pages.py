"""write_reports on a synthetic store: files, numbers, links, determinism, failures."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from scipy import stats as sps

from bench.errors import BenchError, ResultsError
from bench.reports import write_reports
from bench.results.store import load_frame

PAGES = ("README.md", "accuracy.md", "overfitting.md", "mnist-too-easy.md")
MAX_FIGURE_BYTES = 150_000


@pytest.fixture
def written(report_run) -> tuple[Path, list[Path]]:
    _, reports, paths = report_run
    return reports, paths


@pytest.fixture
def store(report_run) -> Path:
    return report_run[0]


def test_writes_every_page_and_linked_figures(written):
    reports, paths = written
    assert [p.name for p in paths[:4]] == list(PAGES)
    figures = [p for p in paths if p.suffix == ".png"]
    assert {p.name for p in figures} >= {
        "cost-vs-accuracy.png", "confusion-mnist.png",
        "confusion-fashion-mnist.png", "history-cnn.png", "history-mlp.png",
        "single-pixel-share.png", "learning-curve.png", "errors-mnist.png",
        "errors-fashion-mnist.png", "summary.png", "rank-transfer.png",
        "transfer-top-k.png"}
    assert not any(p.name.startswith("mistakes-") for p in figures)
    linked = set()
    for name in PAGES:
        text = (reports / name).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)]+)\)", text):
            if target.startswith("https://"):
                continue
            target = target.split("#")[0]
            assert (reports / target).is_file(), f"{name} links to missing {target}"
            linked.add(target)
    for fig in figures:
        assert f"figures/{fig.name}" in linked, f"{fig.name} is not linked from any page"
        assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert fig.stat().st_size < MAX_FIGURE_BYTES


def test_headline_numbers_recomputed_independently(store, written):
    reports, _ = written
    readme = (reports / "README.md").read_text(encoding="utf-8")
    frame = load_frame(store)
    main = frame[(frame.status == "ok") & (frame.profile == "full") & (frame.role == "headline")]
    checked = 0
    for (model, _dataset), group in main.groupby(["model", "dataset"]):
        acc = group["test_accuracy"].to_numpy(dtype=float)
        n_test = int(group["test_size"].iloc[0])
        p = acc.mean()
        seed = sps.t.ppf(0.975, acc.size - 1) * acc.std(ddof=1) / acc.size ** 0.5
        half = (seed ** 2 + (sps.norm.ppf(0.975) * (p * (1 - p) / n_test) ** 0.5) ** 2) ** 0.5
        cell = f"{100 * p:.2f} ± {100 * half:.2f}"
        rows = [line for line in readme.splitlines() if line.startswith(f"| {model} ")]
        assert any(cell in row for row in rows), f"{model}: {cell} not in the headline table"
        checked += 1
    assert checked == 8


def test_regenerating_gives_byte_identical_files(store, written, tmp_path, loader):
    reports, first = written
    before = {p.relative_to(reports): p.read_bytes() for p in first}
    other = tmp_path / "other"
    shutil.copytree(reports, other)
    stale = other / "figures" / "history-old-model.png"
    stale.write_bytes(b"old")  # made by an earlier report of other results
    (other / "notes.txt").write_text("mine")  # not the reports': left alone
    again = write_reports(store, other)  # reads the analysis cache this time
    assert loader.calls == []
    assert [p.relative_to(other) for p in again] == list(before)
    assert {p.relative_to(other): p.read_bytes() for p in again} == before
    assert not stale.exists() and (other / "notes.txt").read_text() == "mine"


def test_failed_jobs_and_other_profiles_are_reported(written):
    reports, _ = written
    readme = (reports / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Jobs that did not succeed", 1)[1]
    assert "| mlp " in section and "failed" in section
    assert "ValueError: synthetic failure \\| with a pipe" in section
    assert "Traceback line" not in section
    assert "smoke" not in readme  # only the chosen profile's records shape the reports
    assert "`python -m bench run-all`" in readme and "9 min 00 s" in readme
    assert "abc123" in readme
    # the failed seed-7 run and the smoke run never enter the statistics
    assert "3 seeds (0, 1, 2); 24 successful headline runs" in readme


def test_reports_name_classes_and_flag_rule(written):
    reports, _ = written
    accuracy = (reports / "accuracy.md").read_text(encoding="utf-8")
    assert "9 Ankle boot" in accuracy and "| 7 " in accuracy
    overfitting = (reports / "overfitting.md").read_text(encoding="utf-8")
    assert "exceeds 2 percentage points **and** the lower bound" in overfitting
    # forest overfits by construction (+12 pp on every seed): ranked first and flagged
    first_row = [r for r in overfitting.splitlines() if r.startswith("|      1 |")][0]
    assert "forest" in first_row and "large gap" in first_row
    too_easy = (reports / "mnist-too-easy.md").read_text(encoding="utf-8")
    for heading in ("Are few errors left on MNIST", "Can MNIST no longer tell models apart?",
                    "Does MNIST need little data?",
                    "Does MNIST rank models differently from Fashion-MNIST?",
                    "Does one pixel tell most MNIST class pairs apart?", "Is little headroom left",
                    "What the best model",
                    "References", "How to read it"):
        assert f"## {heading}" in too_easy
    assert "paired bootstrap" in too_easy and "arxiv.org/abs/1708.07747" in too_easy
    assert "This harness vs Xiao et al. 2017" in accuracy


def test_first_screen_answers_in_a_sentence_a_table_and_a_figure(written):
    from bench.reports.answers import ORDER

    reports, _ = written
    readme = (reports / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    assert lines[2].startswith("**Is MNIST too easy? ")
    table = [line for line in lines[3:lines.index("## Headline: test accuracy")]
             if line.startswith("| [")]
    keys = [re.search(r"mnist-too-easy\.md#([\w-]+)\)", row).group(1) for row in table]
    assert keys == sorted(keys, key=ORDER.index) and len(keys) >= 6
    assert all(re.search(r"\*\*(Yes|No|Partly|Unclear)\*\*", row) for row in table)
    screen = readme.split("## Headline: test accuracy")[0]
    assert "figures/summary.png" in screen and "sklearn." not in screen
    prose = readme.split("\n| ")[0].split("\n", 1)[1]  # what stands above the table
    assert len(prose.split()) <= 200
    too_easy = (reports / "mnist-too-easy.md").read_text(encoding="utf-8")
    assert "\n".join(table) in too_easy  # the same answers on both pages
    assert "## Sensitivity: the answers under alternative rules" in too_easy


def test_every_reference_figure_cites_its_source(written):
    from bench.reports.references import load

    reports, _ = written
    text = "".join((reports / p).read_text(encoding="utf-8") for p in PAGES)
    refs = load()
    for ref in refs.all():
        assert ref.url in text, ref.key


def test_empty_store_raises_bench_error(tmp_path, loader):
    with pytest.raises(ResultsError, match="no results in .*run-all"):
        write_reports(tmp_path / "nothing", tmp_path / "reports")
    assert not (tmp_path / "reports").exists()


def test_store_with_only_failures_raises(tmp_path, store_factory, record_factory):
    results = store_factory(tmp_path / "results",
                            [record_factory("mlp", "mnist", 0, status="failed")], run_info=False)
    with pytest.raises(BenchError, match="no results in"):
        write_reports(results, tmp_path / "reports")


def test_profile_without_run_info_prefers_full(tmp_path, store_factory, record_factory):
    records = [record_factory(m, d, s) for m in ("cnn", "logreg") for d in ("mnist",)
               for s in (0, 1)]
    records += [record_factory(m, "mnist", s, profile="smoke", train_size=100)
                for m in ("cnn", "logreg", "mlp") for s in (0, 1, 2)]
    results = store_factory(tmp_path / "results", records, run_info=False)
    (results / "run-info.json").write_text('{"profile": "quick", "command": "elsewhere"}')
    write_reports(results, tmp_path / "reports")
    readme = (tmp_path / "reports" / "README.md").read_text(encoding="utf-8")
    assert "Profile `full`, 2 seeds (0, 1)" in readme
    assert "smoke" not in readme
    assert "not recorded (no run-info.json for this profile)" in readme
    assert "elsewhere" not in readme
    assert "sum of the jobs' wall times" in readme
    assert "**Is MNIST too easy? Undecided:** the comparison needs results on both" in readme


def test_record_origins_groups_records_by_the_commit_that_made_them():
    from types import SimpleNamespace

    from bench.reports.index import record_origins

    def rec(commit, start, end, wall):
        return SimpleNamespace(provenance={"git_commit": commit} if commit else {},
                               started_at=start, finished_at=end, wall_seconds=wall)

    rows = record_origins([rec("b" * 40, "2026-11-29T10:00:00", "2026-11-29T10:30:00", 60.0),
                           rec("a" * 40, "2026-11-29T08:00:00", "2026-11-29T08:05:00", 30.0),
                           rec("b" * 40, "2026-11-29T09:50:00", "2026-11-29T11:00:00", 90.0),
                           rec(None, None, None, None)])
    assert [row[0] for row in rows] == ["`aaaaaaaaaaaa`", "`bbbbbbbbbbbb`", "not recorded"]
    assert [row[1] for row in rows] == ["1", "2", "1"]
    by_commit = {row[0]: row for row in rows}
    b = by_commit["`bbbbbbbbbbbb`"]
    assert b[2] == "2026-11-29 09:50" and b[3] == "2026-11-29 11:00" and b[4] == "2 min 30 s"
    assert by_commit["`aaaaaaaaaaaa`"][2] == "2026-11-29 08:00"


@pytest.mark.parametrize(("executed", "cell"), [
    (4, "| 4 (all trained in that run) |"),
    (1, "| 4 (1 trained in that run, the rest reused from the store) |"),
    (None, "| 4 |")])
def test_jobs_row_says_how_many_the_run_trained(tmp_path, store_factory, record_factory,
                                               executed, cell):
    records = [record_factory(m, d, 0) for m in ("cnn", "logreg") for d in ("mnist",
                                                                          "fashion-mnist")]
    results = store_factory(tmp_path / "results", records)
    info = json.loads((results / "run-info-full.json").read_text())
    info.update(jobs=4, **({} if executed is None else {"jobs_executed": executed}))
    (results / "run-info-full.json").write_text(json.dumps(info))
    write_reports(results, tmp_path / "reports")
    readme = (tmp_path / "reports" / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| jobs "))
    assert re.sub(r" +", " ", row) == "| jobs" + " " + cell
