"""Hostile or conflicting result stores: skipped files, chosen records, no markup, reruns."""

from __future__ import annotations

import json
import warnings

import pytest

from bench.cli import main
from bench.errors import ResultsWarning, UsageError
from bench.reports import inputs as report_inputs
from bench.reports import write_reports
from bench.results.record import RunRecord
from bench.results.store import record_path


def small_store(store_factory, record_factory, folder, extra=()):
    records = [record_factory(m, "mnist", s) for m in ("cnn", "logreg") for s in (0, 1)]
    return store_factory(folder, [*records, *extra])


def hostile(record_factory, key, **changes):
    data = record_factory("cnn", "mnist", 5).to_dict() | {"key": key} | changes
    return data


def drop(results, data):
    path = record_path(results, data["key"])
    path.write_text(json.dumps(data) if not isinstance(data.get("raw"), str) else data["raw"])
    return path


@pytest.mark.parametrize("changes", [
    {"model": "../../../../elsewhere/PWNED"},
    {"model": "<script>alert(1)</script>"},
    {"model": "evil\n# heading"},
    {"test_accuracy": None},
])
def test_a_hostile_record_is_skipped_with_one_warning(tmp_path, store_factory, record_factory,
                                                      changes):
    results = small_store(store_factory, record_factory, tmp_path / "results")
    bad = drop(results, hostile(record_factory, "bad", **changes))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = write_reports(results, tmp_path / "out" / "reports")
    assert [str(w.message).count("bad.json") for w in caught
            if issubclass(w.category, ResultsWarning)] == [1]
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "out" / "elsewhere").exists()
    assert all(p.resolve().is_relative_to((tmp_path / "out" / "reports").resolve())
               for p in written)
    text = "".join(p.read_text(encoding="utf-8") for p in written if p.suffix == ".md")
    assert "PWNED" not in text and "<script" not in text and "evil" not in text
    assert bad.exists()  # never deleted: it is the user's to look at


@pytest.mark.parametrize("content", ["[]", "{", '{"profile": "full", "command": "a\\nb"}'])
def test_bad_run_info_is_ignored_with_a_warning(tmp_path, store_factory, record_factory,
                                                content):
    results = small_store(store_factory, record_factory, tmp_path / "results")
    (results / "run-info-full.json").write_text(content)
    with pytest.warns(ResultsWarning, match="run-info-full.json"):
        written = write_reports(results, tmp_path / "reports")
    assert "not recorded" in written[0].read_text(encoding="utf-8")


def variant(record: RunRecord, **changes) -> RunRecord:
    """``record`` with some fields (identity fields included) changed."""
    return RunRecord.from_dict({**record.to_dict(), **changes})


def test_a_one_off_run_never_replaces_the_common_parameters(tmp_path, store_factory,
                                                            record_factory):
    plain = record_factory("cnn", "mnist", 0)
    other = variant(plain, key="cnn-other", params={"p": 0},
                    test_accuracy=0.1, finished_at="2999-01-01T00:00:00")
    results = small_store(store_factory, record_factory, tmp_path / "results", [other])
    inputs = report_inputs.gather(results)
    assert [r.key for r in inputs.runs if r.model == "cnn" and r.seed == 0] == [plain.key]
    assert [r.key for r in inputs.left_out] == ["cnn-other"]
    readme = write_reports(results, tmp_path / "reports")[0].read_text(encoding="utf-8")
    assert "were left out, in favour of the parameters most of the model's runs share" in readme
    assert "`cnn-other`" in readme


def test_choose_per_job_ignores_future_times(record_factory):
    a = record_factory("cnn", "mnist", 0)
    b = variant(a, key="b", params={"p": 2}, finished_at="2999-01-01T00:00:00")
    c = variant(a, key="c", params={"p": 3}, finished_at="2024-06-01T00:00:00")
    kept, left = report_inputs.choose_per_job([a, b, c])
    assert [r.key for r in kept] == ["c"] and [r.key for r in left] == sorted([a.key, "b"])
    assert report_inputs.choose_per_job([c, b, a])[0] == kept  # order does not matter


def test_the_largest_profile_is_chosen_by_its_records(record_factory):
    full = [record_factory("cnn", "mnist", s) for s in (0, 1)]
    small = [record_factory("cnn", "mnist", s, profile=p, train_size=100)
             for s in (0, 1, 2) for p in ("smoke", "custom")]
    assert report_inputs.choose_profile([*small, *full]) == "full"
    assert report_inputs.choose_profile(small) == "custom"  # a tie: by name


def test_report_profile_option_and_unknown_profile(tmp_path, store_factory, record_factory,
                                                   capsys):
    smoke = [record_factory("cnn", "mnist", s, profile="smoke", train_size=100) for s in (0, 1)]
    results = small_store(store_factory, record_factory, tmp_path / "results", smoke)
    written = write_reports(results, tmp_path / "r1")
    assert "Profile `full`" in written[0].read_text(encoding="utf-8")
    written = write_reports(results, tmp_path / "r2", profile="smoke")
    assert "Profile `smoke`" in written[0].read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="profile 'quick'"):
        write_reports(results, tmp_path / "r3", profile="quick")
    assert main(["report", "--results-dir", str(results), "--reports-dir",
                 str(tmp_path / "r3"), "--profile", "quick"]) == 2
    assert "error: no successful results of profile 'quick'" in capsys.readouterr().err


def test_report_twice_gives_byte_identical_files(tmp_path, store_factory, record_factory):
    results = small_store(store_factory, record_factory, tmp_path / "results")
    first = write_reports(results, tmp_path / "reports")
    before = {p.relative_to(tmp_path).as_posix(): p.read_bytes()
              for p in (tmp_path / "reports").rglob("*") if p.is_file()}
    assert write_reports(results, tmp_path / "reports") == first
    after = {p.relative_to(tmp_path).as_posix(): p.read_bytes()
             for p in (tmp_path / "reports").rglob("*") if p.is_file()}
    assert after == before and "reports/.bench-reports" in after


def test_cli_reports_dir_errors_are_one_line(tmp_path, store_factory, record_factory, capsys):
    results = small_store(store_factory, record_factory, tmp_path / "results")
    paper = tmp_path / "paper"
    (paper / "figures").mkdir(parents=True)
    (paper / "README.md").write_text("mine")
    (paper / "figures" / "any.png").write_bytes(b"mine")
    for where in ("", str(paper)):
        assert main(["report", "--results-dir", str(results), "--reports-dir", where]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "Traceback" not in err
    assert (paper / "README.md").read_text() == "mine"
    assert (paper / "figures" / "any.png").read_bytes() == b"mine"


def test_an_altered_analysis_cache_is_recomputed_not_trusted(tmp_path, store_factory,
                                                             record_factory, loader):
    results = small_store(store_factory, record_factory, tmp_path / "results")
    first = write_reports(results, tmp_path / "r1")
    (cache,) = (results / "analysis").glob("mnist-*.json")
    assert loader.calls == ["mnist"]
    data = json.loads(cache.read_text())
    for pair in data["separability"]:
        pair["test_accuracy"] = 1.0  # would flip the single-pixel verdict
    cache.write_text(json.dumps(data))
    with pytest.warns(ResultsWarning, match="does not match its digest"):
        again = write_reports(results, tmp_path / "r2")
    assert loader.calls == ["mnist", "mnist"]  # recomputed from the data
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in first]


@pytest.mark.parametrize("content", ["[]", '{"analysis_version": 1, "test_labels": 5}'])
def test_a_malformed_analysis_cache_is_a_warning(tmp_path, content):
    from bench.reports.analysis import read_cache

    path = tmp_path / "mnist-x.json"
    path.write_text(content)
    with pytest.warns(ResultsWarning, match="ignoring the analysis cache"):
        assert read_cache(path) is None


def test_an_unwritable_analysis_cache_only_warns(tmp_path, monkeypatch, store_factory,
                                                 record_factory):
    import errno

    from bench.reports import analysis

    results = small_store(store_factory, record_factory, tmp_path / "results")

    def read_only(path, text, own_folder=False):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(analysis, "atomic_write_text", read_only)
    with pytest.warns(ResultsWarning, match="could not cache the mnist analysis"):
        written = write_reports(results, tmp_path / "reports")
    assert written[0].name == "README.md" and written[0].is_file()
