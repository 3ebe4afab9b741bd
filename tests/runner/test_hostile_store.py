"""Hostile results folders (issue 24): links planted where runs write, claims that are link
loops or folders, a disk that fills mid-run. Each ends in one clear error or the right result,
no traceback, and no byte changes outside the harness's own files."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.errors import ResultsError
from bench.runner.claims import claims_dir, release, try_claim

pytestmark = pytest.mark.filterwarnings("ignore")

SMOKE = ("run-all", "--profile", "smoke", "--models", "test-centroids", "--datasets", "mnist",
         "--seed", "0", "--no-report")


def _job_key(synthetic) -> str:
    """The job's key, from the record of a first run (deleted again)."""
    assert synthetic.bench(*SMOKE, "--results-dir", str(synthetic.results_dir)).returncode == 0
    (path,) = (synthetic.results_dir / "runs").glob("*.json")
    path.unlink()
    return path.stem


@pytest.mark.parametrize("plant", ["link-to-victim", "link-loop", "folder"])
def test_a_planted_claim_is_refused_by_name_and_nothing_outside_changes(tmp_path, plant):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    claim = claims_dir(tmp_path / "r") / "job.claim"
    claim.parent.mkdir(parents=True)
    {"link-to-victim": lambda: claim.symlink_to(victim), "link-loop": lambda: claim.symlink_to(
        claim.name), "folder": claim.mkdir}[plant]()
    with pytest.raises(ResultsError, match="job.claim is a link or not a regular file"):
        try_claim(tmp_path / "r", "job")
    assert victim.read_text() == "precious\n"


def test_a_plain_claim_is_still_taken_and_released(tmp_path):
    fd = try_claim(tmp_path, "job")
    assert fd is not None and try_claim(tmp_path, "job") is None  # held: another run skips it
    release(tmp_path, "job", fd)
    assert not claims_dir(tmp_path).exists()


def test_run_all_refuses_a_claim_link_with_one_error(synthetic, tmp_path):
    key = _job_key(synthetic)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (synthetic.results_dir / ".claims").mkdir()
    (synthetic.results_dir / ".claims" / f"{key}.claim").symlink_to(victim)
    done = synthetic.bench(*SMOKE, "--results-dir", str(synthetic.results_dir))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{key}.claim is a link or not a regular file" in done.stderr
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("folder", ["runs", ".claims"])
def test_a_harness_folder_planted_as_a_link_is_refused(synthetic, tmp_path, folder):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    synthetic.results_dir.mkdir()
    (synthetic.results_dir / folder).symlink_to(elsewhere)
    done = synthetic.bench(*SMOKE, "--results-dir", str(synthetic.results_dir))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{folder} is a link or not a folder" in done.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_self_referencing_link_in_runs_is_skipped(synthetic):
    runs = synthetic.results_dir / "runs"
    runs.mkdir(parents=True)
    (runs / "loop.json").symlink_to("loop.json")
    for extra in (("--dry-run",), ()):
        done = synthetic.bench(*SMOKE, *extra, "--results-dir", str(synthetic.results_dir))
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    report = synthetic.bench("report", "--results-dir", str(synthetic.results_dir),
                             "--reports-dir", str(synthetic.root / "reports"))
    assert "Traceback" not in report.stderr and "loop.json" in report.stderr


@pytest.mark.parametrize("field, value", [("wall_seconds", "1e308"), ("fit_seconds", "1" * 400),
                                          ("seed", str(2**64))])
def test_a_number_too_large_in_a_record_is_one_warning_and_the_job_reruns(synthetic, field,
                                                                          value):
    args = (*SMOKE, "--results-dir", str(synthetic.results_dir))
    assert synthetic.bench(*args).returncode == 0
    (path,) = (synthetic.results_dir / "runs").glob("*.json")
    text = path.read_text()
    start = text.index(f'"{field}": ') + len(field) + 4
    path.write_text(text[:start] + value + text[text.index(",", start):])
    done = synthetic.bench(*args)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert f"{field} must be" in done.stderr and "1 run, 0 cached" in done.stdout


def _bench_with_file_limit(synthetic, blocks: int, *args: str):
    """``python -m bench ARGS`` under ``ulimit -f BLOCKS`` (1 KiB blocks)."""
    command = [sys.executable, "-m", "bench", "--data-dir", str(synthetic.data_dir), *args]
    limit = f"ulimit -f {blocks} && exec \"$@\""
    return subprocess.run(["bash", "-c", limit, "bash", *command], capture_output=True,
                          text=True, timeout=240, env=dict(os.environ))


def test_a_file_size_limit_mid_run_is_one_clear_error_per_job_and_the_run_resumes(synthetic):
    args = ("run-all", "--profile", "smoke", "--models", "test-centroids", "--datasets",
            "mnist", "fashion-mnist", "--seed", "0", "--no-report", "--results-dir",
            str(synthetic.results_dir))
    done = _bench_with_file_limit(synthetic, 3, *args)  # records are ~5 KiB
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "segfault" not in done.stderr
    assert done.stderr.count("File too large") >= 2 and "2 failed" in done.stdout
    assert not list((synthetic.results_dir / "runs").glob("*.json"))  # nothing half-written
    again = synthetic.bench(*args)
    assert again.returncode == 0 and "2 ok (2 run, 0 cached)" in again.stdout, again.stdout


@pytest.mark.parametrize("name, problem", [("", "it is empty"), ("r\n", "control characters")])
def test_a_bad_results_dir_name_is_refused_before_anything_runs(synthetic, tmp_path, name,
                                                                problem):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    done = synthetic.bench(*SMOKE, "--results-dir", name, cwd=cwd)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert problem in done.stderr and list(cwd.iterdir()) == []


def test_links_planted_at_a_record_and_the_run_info_are_replaced_not_written_through(
        synthetic, tmp_path):
    key = _job_key(synthetic)
    victims = {name: tmp_path / f"victim-{i}" for i, name in enumerate((f"runs/{key}.json",
                                                                        "run-info-smoke.json"))}
    (synthetic.results_dir / "run-info-smoke.json").unlink()
    for name, victim in victims.items():
        victim.write_text("precious\n")
        (synthetic.results_dir / name).symlink_to(victim)
    done = synthetic.bench(*SMOKE, "--results-dir", str(synthetic.results_dir))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    for name, victim in victims.items():
        assert victim.read_text() == "precious\n"
        assert not (synthetic.results_dir / name).is_symlink()
