"""Dry runs: cached jobs found, estimates from earlier records, output, and nothing heavy loaded."""

import subprocess
import sys

import pytest

from bench.cli import main
from bench.plan.jobs import Job
from bench.results.record import RunRecord
from bench.results.store import record_path, save_record
from bench.runner.estimate import estimate_seconds, preview_plan, scaled_seconds


def job(model="m", dataset="mnist", n=2000, seed=0, **params):
    return Job(model, "1", params, dataset, {}, seed, "smoke", n, 1000)


def record(j, wall, status="ok"):
    metrics = {"train_accuracy": 0.9, "test_accuracy": 0.8} if status == "ok" else {}
    return RunRecord.for_job(j, status, wall_seconds=wall, **metrics)


def test_same_parameters_are_preferred_and_times_scale_with_training_size():
    history = [record(job(n=1000, C=1), 10.0), record(job(n=1000, seed=1, C=1), 14.0),
               record(job(n=1000, C=5), 100.0), record(job(dataset="fashion-mnist", C=1), 1e4)]
    seconds, basis = estimate_seconds(job(n=4000, C=1), history)
    assert seconds == pytest.approx(12.0 * 4)  # median of 10 and 14, times 4000/1000
    assert basis == "2 earlier runs, same parameters, scaled from n=1000"
    seconds, basis = estimate_seconds(job(n=1000, C=2), history)
    assert seconds == pytest.approx(14.0)  # median of all three mnist records
    assert basis == "3 earlier runs, other parameters"
    assert estimate_seconds(job(model="other"), history) == (
        None, "no earlier run of this model on this dataset")


def test_fit_scales_with_training_size_predictions_per_image_and_the_rest_is_constant():
    r = record(job(n=2000), 40.0)  # test_size 1000
    r.fit_seconds, r.predict_seconds = 10.0, 2.0  # 2 ms per image; 3,000 predicted: 6 s
    # at 60,000 train / 10,000 test: rest 40-10-6 = 24, fit 10*30 = 300, predict 70,000*2 ms
    target = Job("m", "1", {}, "mnist", {}, 0, "full", 60000, 10000)
    assert estimate_seconds(target, [r])[0] == pytest.approx(24 + 300 + 140)
    assert scaled_seconds(r, 2000, 1000) == pytest.approx(40.0)  # same size: unchanged


def test_the_nearest_training_size_is_used():
    history = [record(job(n=500), 1.0), record(job(n=60000), 600.0)]
    assert estimate_seconds(job(n=40000), history)[0] == pytest.approx(400.0)
    assert estimate_seconds(job(n=1000), history)[0] == pytest.approx(2.0)


def test_preview_marks_cached_jobs_and_ignores_failures(tmp_path):
    done, failed, new = job(seed=0), job(seed=1), job(seed=2)
    save_record(tmp_path, record(done, 20.0))
    save_record(tmp_path, record(failed, 30.0, status="failed"))
    record_path(tmp_path, "garbage").write_text("{not json")  # unreadable: skipped, not fatal
    preview = preview_plan([done, failed, new, done], tmp_path)
    assert [(e.job.seed, e.cached) for e in preview.estimates] == [(0, True), (1, False),
                                                                  (2, False)]
    assert preview.cached == 1 and preview.unknown == 0
    assert preview.known_seconds == pytest.approx(40.0)  # two jobs at the ok record's 20 s
    forced = preview_plan([done], tmp_path, force=True)
    assert not forced.estimates[0].cached


def test_dry_run_lists_jobs_and_totals_and_writes_nothing(tmp_path, capsys):
    results = tmp_path / "results"
    argv = ["run-all", "--dry-run", "--models", "random-forest", "--datasets", "mnist",
            "--profile", "smoke", "--seeds", "2", "--grid", "n_estimators=5", "10",
            "--results-dir", str(results), "--jobs", "2"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "4 jobs: 0 cached, 4 to run." in out
    assert "n_estimators=5" in out and "n_estimators=10" in out
    assert "no earlier run of this model on this dataset" in out
    assert not results.exists()

    from bench.cli import build_parser
    from bench.cli.run import plan_from_args

    jobs = plan_from_args(build_parser().parse_args(argv))
    save_record(results, record(jobs[0], 30.0))
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "4 jobs: 1 cached, 3 to run." in out
    assert "estimated 2 min of job time for 3 of them (about 45 s with --jobs 2)." in out
    assert len(list((results / "runs").iterdir())) == 1


def test_dry_run_imports_no_framework(tmp_path):
    # scikit-learn's base is imported: the built-ins' estimator classes are BaseEstimators
    code = ("import sys; from bench.cli import main; "
            f"rc = main(['run-all', '--dry-run', '--suite', 'default', '--results-dir', "
            f"{str(tmp_path)!r}]); "
            "print(rc, [m for m in ('tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.strip().splitlines()[-1] == "0 []"
