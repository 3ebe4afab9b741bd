"""run-info files: rewritten by every run-all, kept per profile, untrusted when read."""

import json

import pytest

from bench.errors import ResultsWarning
from bench.results.run_info import latest_path, profile_path, read_run_info, save_run_info


def info(profile, command):
    return {"profile": profile, "command": command, "jobs": 1, "seeds": [0]}


def save(folder, profile, command, trained):
    return save_run_info(folder, profile, lambda: info(profile, command), trained)


def test_each_run_all_rewrites_the_latest_and_keeps_each_profile(tmp_path):
    save(tmp_path, "full", "full run", trained=True)
    save(tmp_path, "smoke", "smoke run", trained=True)
    assert json.loads(latest_path(tmp_path).read_text())["profile"] == "smoke"
    assert read_run_info(tmp_path, "full")["command"] == "full run"
    save_run_info(tmp_path, "full", lambda: pytest.fail("provenance collected"), False)
    assert read_run_info(tmp_path, "full")["command"] == "full run"  # still how it was made
    assert json.loads(latest_path(tmp_path).read_text())["command"] == "full run"
    save(tmp_path, "full", "new run", trained=True)
    assert read_run_info(tmp_path, "full")["command"] == "new run"


def test_a_latest_file_of_another_profile_is_kept_as_that_profiles(tmp_path):
    latest_path(tmp_path).write_text(json.dumps(info("full", "committed")))
    save(tmp_path, "smoke", "smoke run", trained=True)
    assert json.loads(profile_path(tmp_path, "full").read_text())["command"] == "committed"
    assert read_run_info(tmp_path, "smoke")["command"] == "smoke run"


def test_a_bad_run_info_is_ignored_with_a_warning(tmp_path):
    latest_path(tmp_path).write_text('{"profile": "full", "jobs": "lots"}')
    with pytest.warns(ResultsWarning, match="run-info.json.*jobs"):
        assert read_run_info(tmp_path, "full") is None
    with pytest.warns(ResultsWarning):
        save(tmp_path, "full", "fresh", trained=False)  # nothing to keep
    assert read_run_info(tmp_path, "full")["command"] == "fresh"
