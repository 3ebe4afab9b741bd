"""``bench compare``: copies of the committed store, changed in known ways (nothing trains)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests

from bench.cli import main
from bench.data.corruptions import CORRUPTION_VERSION
from bench.errors import ResultsWarning
from bench.results import compare as cmp
from bench.results.codec import array_to_digits, digits_to_array
from bench.results.store import load_records, save_record

COMMITTED = Path(__file__).resolve().parents[2] / "results"
N_COMMITTED = len(list((COMMITTED / "runs").glob("*.json")))
MODEL = "logistic-regression"


@pytest.fixture
def store(tmp_path) -> Path:
    """A copy of the committed result store (N_COMMITTED records)."""
    return Path(shutil.copytree(COMMITTED, tmp_path / "a"))


def copy(folder: Path, name: str) -> Path:
    return Path(shutil.copytree(folder, folder.parent / name))


def edit(folder: Path, select, change) -> list[str]:
    """Save ``change(record)`` for every record ``select`` picks; their keys. The edited store
    must still load whole, without a warning."""
    keys = []
    for record in load_records(folder):
        if select(record):
            save_record(folder, change(record))
            keys.append(record.key)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_records(folder)) == len(list(folder.glob("runs/*.json")))
    return keys


def flip(folder: Path, select, n_right_to_wrong: int, n_wrong_to_right: int = 0) -> list[str]:
    """Make ``n_right_to_wrong`` right predictions wrong (and the reverse) in the selected
    records, with test_accuracy adjusted to match."""
    truth = cmp.truth_lookup([folder])

    def change(record):
        labels, pred = truth(record), digits_to_array(record.test_predictions).copy()
        right, wrong = np.flatnonzero(pred == labels), np.flatnonzero(pred != labels)
        pred[right[:n_right_to_wrong]] = (labels[right[:n_right_to_wrong]] + 1) % 10
        pred[wrong[:n_wrong_to_right]] = labels[wrong[:n_wrong_to_right]]
        return dataclasses.replace(record, test_predictions=array_to_digits(pred),
                                   test_accuracy=float(np.mean(pred == labels)))

    return edit(folder, select, change)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["compare", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_store_against_itself_is_identical_everywhere(store, capsys):
    result = cmp.compare_stores(store, store)
    assert len(result.pairs) == N_COMMITTED and result.counts == {"identical": N_COMMITTED}
    assert result.only_in_a == result.only_in_b == () and result.provenance == ()
    code, out, _ = run_cli(capsys, store, store, "--fail-on-change")
    assert code == 0 and f"{N_COMMITTED} jobs in both ({N_COMMITTED} identical)" in out


def test_one_model_changed_on_200_images_is_flagged_and_nothing_else(store, capsys):
    b = copy(store, "b")
    keys = flip(b, lambda r: r.model == MODEL, 200)
    result = cmp.compare_stores(store, b)
    assert {p.key for p in result.changed} == set(keys) and len(keys) == 30
    assert result.counts == {"changed": 30, "identical": N_COMMITTED - 30}
    for p in result.changed:
        assert (p.only_a, p.only_b, p.difference) == (200, 0, pytest.approx(-0.02))
        assert p.low < -0.02 < p.high < 0 and p.p_holm < 0.05
        assert p.accuracy_b == pytest.approx(p.accuracy_a - 0.02, abs=1e-4)
    code, out, _ = run_cli(capsys, store, b, "--fail-on-change")
    assert code == 1 and out.count(f"{MODEL} ") == 30 and f"30 changed, {N_COMMITTED - 30} identical" in out
    assert run_cli(capsys, store, b)[0] == 0  # without the flag a change is not a failure


def test_a_change_of_one_image_is_not_significant(store, capsys):
    b = copy(store, "b")
    first = min(p.stem for p in (b / "runs").glob("*.json"))
    (key,) = flip(b, lambda r: r.key == first, 1)
    (pair,) = cmp.compare_stores(store, b).notable
    assert (pair.key, pair.verdict, pair.p_value, pair.p_holm) == (key, "not significant", 1, 1)
    assert run_cli(capsys, store, b, "--fail-on-change")[0] == 0


def test_a_library_upgrade_is_reported_with_identical_predictions(store, capsys):
    b = copy(store, "b")

    def upgrade(record):
        packages = {**record.provenance["packages"], "scikit-learn": "9.9.9"}
        return dataclasses.replace(record, provenance={**record.provenance,
                                                       "packages": packages})

    keys = edit(b, lambda r: r.model == "random-forest", upgrade)
    result = cmp.compare_stores(store, b)
    assert result.counts == {"identical": N_COMMITTED}
    assert result.provenance == (("packages.scikit-learn", "1.9.1", "9.9.9", len(keys)),)
    assert {p.key for p in result.pairs if p.provenance} == set(keys)
    code, out, _ = run_cli(capsys, store, b, "--fail-on-change")
    assert code == 0 and f"packages.scikit-learn: 1.9.1 → 9.9.9 in {len(keys)} jobs" in out


def test_jobs_only_in_one_store_and_failed_sides(store):
    b = copy(store, "b")
    gone, failed = sorted(p.name for p in (b / "runs").glob("*.json"))[:2]
    (b / "runs" / gone).unlink()
    edit(b, lambda r: r.key == Path(failed).stem,
         lambda r: dataclasses.replace(r, status="crashed", error="killed"))
    result = cmp.compare_stores(store, b)
    assert result.only_in_a == (Path(gone).stem,) and result.only_in_b == ()
    (pair,) = result.notable
    assert (pair.key, pair.verdict, pair.note) == (Path(failed).stem, "failed", "A ok, B crashed")


def test_an_invalid_record_is_skipped_with_a_warning(store):
    b = copy(store, "b")
    bad = min((b / "runs").glob("*.json"))
    bad.write_text('{"key": "not this file", "status": "ok"}')
    with pytest.warns(ResultsWarning, match=bad.name):
        result = cmp.compare_stores(store, b)
    assert result.only_in_a == (bad.stem,) and result.counts == {"identical": N_COMMITTED - 1}


def test_p_values_are_exact_mcnemar_and_holm_adjusted(store):
    b = copy(store, "b")
    keys = sorted(r.key for r in load_records(store) if r.model == "small-cnn")
    for i, (worse, better) in enumerate([(2, 9), (1, 12), (30, 5), (4, 4), (0, 7), (15, 0)]):
        flip(b, lambda r, k=keys[i]: r.key == k, worse, better)
    result = cmp.compare_stores(store, b)
    tested = [p for p in result.pairs if p.p_holm is not None]
    assert len(tested) == 6
    for p in tested:
        assert p.p_value == pytest.approx(binomtest(p.only_a, p.only_a + p.only_b, 0.5).pvalue)
    expected = multipletests([p.p_value for p in tested], method="holm")[1]
    assert [p.p_holm for p in tested] == pytest.approx(list(expected))
    assert {p.verdict for p in tested} == {"changed", "not significant"}


def test_the_interval_is_wald_with_continuity_correction():
    low, high = cmp.paired_interval(10, 30, 100)  # d = 0.2, se = 0.06
    assert (low, high) == pytest.approx((0.2 - 1.959964 * 0.06 - 0.01,
                                         0.2 + 1.959964 * 0.06 + 0.01))
    assert cmp.paired_interval(0, 500, 500)[1] == 1.0


def test_without_test_labels_differences_are_not_compared(store):
    b = copy(store, "b")
    flip(b, lambda r: r.model == MODEL, 200)
    for folder in (store, b):
        shutil.rmtree(folder / "analysis")
    result = cmp.compare_stores(store, b)
    assert result.counts == {"not compared": 30, "identical": N_COMMITTED - 30} and not result.changed
    assert "200 predictions differ; no test labels" in result.notable[0].note


def test_a_new_model_version_alone_still_pairs_the_job(store):
    """An import-path model's version is its library's: an upgrade changes its job keys."""
    b = copy(store, "b")
    zoo = [r for r in load_records(b) if r.model.startswith("sklearn.")]
    for r in zoo:
        (b / "runs" / f"{r.key}.json").unlink()
        job = dataclasses.replace(r.job, model_version="scikit-learn 9.9.9")
        save_record(b, dataclasses.replace(r, key=job.key, job=job))
    result = cmp.compare_stores(store, b)
    assert result.counts == {"identical": N_COMMITTED} and result.only_in_a == result.only_in_b == ()
    assert result.provenance == (("model_version", zoo[0].model_version, "scikit-learn 9.9.9",
                                  len(zoo)),)
    assert len({r.model_version for r in zoo}) == 1 and len(zoo) == 62  # the xiao2017 records


def test_adding_or_dropping_corrupted_test_sets_still_pairs_the_job(store):
    """Corrupted sets are scored after training: the clean predictions can be compared."""
    records = load_records(store)
    toggled = []
    for r in records:
        shifts = None if r.job.corruptions else ("rotate",)
        job = dataclasses.replace(r.job, corruptions=shifts,
                                  corruption_version=CORRUPTION_VERSION if shifts else None)
        toggled.append(dataclasses.replace(r, key=job.key, job=job))
    assert all(a.key != b.key for a, b in zip(records, toggled, strict=True))
    assert cmp.pair_keys(records, toggled) == sorted(
        (a.key, b.key) for a, b in zip(records, toggled, strict=True))
    other_seed = [dataclasses.replace(r, key=r.key + "x", job=dataclasses.replace(
        r.job, seed=r.job.seed + 100)) for r in toggled]
    assert cmp.pair_keys(records, other_seed) == []


def test_json_and_markdown_outputs(store, capsys):
    b = copy(store, "b")
    flip(b, lambda r: r.model == MODEL, 200)
    code, out, _ = run_cli(capsys, store, b, "--json")
    data = json.loads(out)
    assert code == 0 and out == run_cli(capsys, store, b, "--json")[1]
    assert [p["key"] for p in data["pairs"]] == sorted(p["key"] for p in data["pairs"])
    assert sum(p["verdict"] == "changed" for p in data["pairs"]) == 30
    out = run_cli(capsys, store, b, "--markdown")[1]
    assert out.startswith("## Comparing") and "| logistic-regression " in out


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], check=True, capture_output=True)


def test_a_git_revision_of_the_store(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(COMMITTED, repo / "results")
    git(repo, "init", "-q")
    git(repo, "add", "results")
    git(repo, "commit", "-qm", "committed results")
    flip(repo / "results", lambda r: r.model == MODEL, 200)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = cmp.compare_stores(repo / "results", "HEAD")
    assert len(result.changed) == 30 and result.b == "HEAD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]  # the export is removed
    monkeypatch.chdir(repo / "results")
    assert run_cli(capsys, ".", "HEAD", "--fail-on-change")[0] == 1
    code, _, err = run_cli(capsys, ".", "HEAD~5")
    assert code == 2 and "'HEAD~5' is not a folder, and it cannot be read as a git revision" in err
    assert "Traceback" not in err


def test_bad_stores_are_one_paragraph_errors(store, tmp_path, capsys):
    empty = tmp_path / "empty"
    (empty / "runs").mkdir(parents=True)
    outside = tmp_path / "outside"
    shutil.copytree(COMMITTED / "runs", outside / "runs")
    for args, code, text in [
            ((store, empty), 1, "holds no result records"),
            ((store, store / "runs" / next(iter(sorted((store / "runs").iterdir()))).name), 1,
             "is not a folder"),
            ((outside, "main"), 2, "cannot be read as a git revision"),
            ((store, "--not-an-option"), 2, "a revision cannot start with '-'")]:
        got, out, err = run_cli(capsys, *args[:1], "--", *args[1:])
        assert (got, out) == (code, ""), err
        assert text in err and err.startswith("error: ") and err.count("\n") == 1
