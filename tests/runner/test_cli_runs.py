"""``python -m bench run-all`` in child processes on synthetic data: resume after SIGKILL,
two runs sharing one results folder, and clear errors for bad output folders and timeouts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bench.results.store import load_records

SLOW = ["--profile", "smoke", "--models", "test-slow-fit", "--datasets", "mnist",
        "fashion-mnist", "--seeds", "3", "--no-report", "--jobs", "1"]


def run_all_command(synthetic, *extra: str) -> list[str]:
    return [sys.executable, "-m", "bench", "--data-dir", str(synthetic.data_dir), "run-all",
            *SLOW, "--results-dir", str(synthetic.results_dir), *extra]


def test_sigkill_half_way_then_rerun_completes_the_set(synthetic):
    runs = synthetic.results_dir / "runs"
    process = subprocess.Popen(run_all_command(synthetic, "--quiet", "--set", "fit_seconds=1"),
                               start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(runs.glob("*.json"))) >= 2:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # the supervisor and its workers
    process.wait()
    killed_at = len(list(runs.glob("*.json")))
    assert 2 <= killed_at < 6
    done = synthetic.bench("run-all", *SLOW, "--set", "fit_seconds=1", "--results-dir",
                           str(synthetic.results_dir))
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"6 jobs: 6 ok ({6 - killed_at} run, {killed_at} cached)" in done.stdout
    records = load_records(synthetic.results_dir)
    assert sorted((r.dataset, r.seed, r.status) for r in records) == [
        (d, s, "ok") for d in ("fashion-mnist", "mnist") for s in (0, 1, 2)]
    assert sorted(p.name for p in runs.iterdir()) == sorted(f"{r.key}.json" for r in records)
    assert not (synthetic.results_dir / ".claims").exists()  # the stale claim was reclaimed


def test_two_runs_on_one_folder_share_the_work(synthetic):
    command = run_all_command(synthetic, "--set", "fit_seconds=1.5")
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [p.communicate(timeout=240) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    for stdout, _ in outputs:
        assert "6 jobs: 6 ok" in stdout
    assert len(synthetic.fits()) == 6  # every job trained once, by one run or the other
    pids = {name.split("-")[0] for name in synthetic.fits()}
    assert len(pids) == 2  # both runs' workers trained something
    assert {r.status for r in load_records(synthetic.results_dir)} == {"ok"}
    assert not (synthetic.results_dir / ".claims").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-3", "0"])
def test_timeout_must_be_a_positive_finite_number(synthetic, value, capsys):
    from bench.cli import main

    code = main(["--data-dir", str(synthetic.data_dir), "run-all", *SLOW, "--timeout", value,
                 "--results-dir", str(synthetic.results_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert "--timeout must be a positive, finite number of seconds" in err
    assert "Traceback" not in err and synthetic.fits() == []


def test_a_results_folder_that_is_a_file_is_one_clear_error(synthetic):
    synthetic.results_dir.write_text("I am a file")
    done = synthetic.bench("run-all", *SLOW, "--results-dir", str(synthetic.results_dir))
    assert done.returncode == 1
    assert "error: cannot write results to" in done.stderr and "not a folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert synthetic.fits() == [] and synthetic.results_dir.read_text() == "I am a file"
