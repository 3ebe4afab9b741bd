"""`bench run-all --profile smoke` then a cached `bench run-all` leave the committed reports and
run-info byte-identical (issue #13): reports cover one profile, run-info is kept per profile."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import api
from bench.results.record import RunRecord
from bench.results.store import ok_record, save_record
from bench.runner.batch import RunSummary

ROOT = Path(__file__).resolve().parents[1]
RESULTS, REPORTS = ROOT / "results", ROOT / "reports"

pytestmark = pytest.mark.skipif(not (RESULTS / "runs").is_dir() or not REPORTS.is_dir(),
                                reason="no committed reference run")


def smoke_record(job) -> RunRecord:
    """A plausible ok record for a smoke job, without training anything."""
    return RunRecord.for_job(job, "ok", role=job.role,
                     train_accuracy=0.5, test_accuracy=0.4, test_predictions="7" * job.test_size,
                     finished_at="2030-01-01T00:00:00+00:00", fit_seconds=1.0,
                     wall_seconds=1.0)


def fake_execute(jobs, results_dir="results", config=None):
    """Train nothing: smoke jobs get synthetic records, the others come from the store."""
    records, executed = [], 0
    for job in jobs:
        record = ok_record(results_dir, job.key)
        if record is None and job.profile == "smoke":
            record = smoke_record(job)
            save_record(results_dir, record)
            executed += 1
        assert record is not None, f"{job.key} is not in the committed results"
        records.append(record)
    return RunSummary(records, cached=len(jobs) - executed, executed=executed,
                              wall_seconds=1.0, results_dir=str(results_dir))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}


@pytest.mark.slow
def test_smoke_then_cached_run_all_leaves_reports_byte_identical(tmp_path, monkeypatch):
    import json

    import matplotlib

    monkeypatch.setenv("BENCH_OFFLINE", "1")
    monkeypatch.setattr(api, "execute", fake_execute)
    results, reports = tmp_path / "results", tmp_path / "reports"
    shutil.copytree(RESULTS, results)
    shutil.copytree(REPORTS, reports)
    committed_info = (RESULTS / "run-info-full.json").read_bytes()
    full = json.loads(committed_info)
    before = snapshot(reports)

    smoke = api.run_all(profile="smoke", results_dir=results, reports_dir=reports)
    assert smoke.executed == 24
    assert json.loads((results / "run-info-smoke.json").read_text())["profile"] == "smoke"
    api.run_all(profile=full["profile"], seeds=full["seeds"], results_dir=results,
                    reports_dir=reports)

    assert (results / "run-info-full.json").read_bytes() == committed_info
    after = snapshot(reports)
    assert set(after) == set(before)
    same_renderer = full["provenance"]["packages"].get("matplotlib") == matplotlib.__version__
    for name in sorted(before):
        if name.endswith(".png") and not same_renderer:
            continue  # PNG bytes are only reproducible with the matplotlib that made them
        assert after[name] == before[name], name


def test_reports_are_written_only_after_training_or_when_missing(tmp_path, monkeypatch):
    """A fully cached run leaves existing reports alone (and stays fast); a run that trained,
    or a reports folder without its README.md, gets the reports."""
    from bench.plan import plan_jobs

    jobs = plan_jobs(["logistic-regression"], ["mnist"], [0], "smoke")
    written = []
    monkeypatch.setattr(api, "report", lambda results, reports: written.append(reports) or [])
    monkeypatch.setattr(api, "check_can_publish", lambda reports: None)  # a fake README.md
    reports = tmp_path / "reports"
    for executed, expected in ((0, 1), (1, 2), (0, 2)):
        monkeypatch.setattr(api, "execute", lambda jobs, results_dir, config, n=executed:
                            RunSummary([smoke_record(jobs[0])], cached=1 - n, executed=n,
                                       wall_seconds=0.1, results_dir=str(results_dir)))
        api.run_jobs(jobs, tmp_path / "results", reports)
        assert len(written) == expected
        reports.mkdir(exist_ok=True)
        (reports / "README.md").write_text("the reports")
