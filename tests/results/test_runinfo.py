"""run-info files: one per profile, kept when a run trains nothing, untrusted when read."""

import json

import pytest

from bench.errors import ResultsWarning
from bench.results.run_info import OLD_RUN_INFO_FILE, profile_path, read_run_info, save_run_info


def info(profile, command):
    return {"profile": profile, "command": command, "jobs": 1, "seeds": [0]}


def save(folder, profile, command, trained):
    return save_run_info(folder, profile, lambda: info(profile, command), trained)


def test_each_profile_keeps_its_own_file(tmp_path):
    save(tmp_path, "full", "full run", trained=True)
    full = profile_path(tmp_path, "full").read_bytes()
    save(tmp_path, "smoke", "smoke run", trained=True)
    assert profile_path(tmp_path, "full").read_bytes() == full  # a smoke run leaves it alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run-info-full.json",
                                                          "run-info-smoke.json"]
    assert read_run_info(tmp_path, "smoke")["command"] == "smoke run"
    save_run_info(tmp_path, "full", lambda: pytest.fail("provenance collected"), False)
    assert read_run_info(tmp_path, "full")["command"] == "full run"  # still how it was made
    save(tmp_path, "full", "new run", trained=True)
    assert read_run_info(tmp_path, "full")["command"] == "new run"


def test_a_store_from_before_per_profile_files_is_read(tmp_path):
    (tmp_path / OLD_RUN_INFO_FILE).write_text(json.dumps(info("full", "committed")))
    assert read_run_info(tmp_path, "full")["command"] == "committed"
    assert read_run_info(tmp_path, "smoke") is None
    save_run_info(tmp_path, "full", lambda: pytest.fail("provenance collected"), False)
    assert not profile_path(tmp_path, "full").exists()


def test_a_bad_run_info_is_ignored_with_a_warning(tmp_path):
    profile_path(tmp_path, "full").write_text('{"profile": "full", "jobs": "lots"}')
    with pytest.warns(ResultsWarning, match="run-info-full.json.*jobs"):
        assert read_run_info(tmp_path, "full") is None
    with pytest.warns(ResultsWarning):
        save(tmp_path, "full", "fresh", trained=False)  # nothing to keep
    assert read_run_info(tmp_path, "full")["command"] == "fresh"
