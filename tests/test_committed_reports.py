"""The committed reference run: reports/ must be exactly what `bench report` makes of results/."""

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from bench.reports import write_reports, writer

ROOT = Path(__file__).resolve().parents[1]
RESULTS, REPORTS = ROOT / "results", ROOT / "reports"
PAGES = ("README.md", "accuracy.md", "overfitting.md", "mnist-too-easy.md")

pytestmark = pytest.mark.skipif(not (RESULTS / "runs").is_dir() or not REPORTS.is_dir(),
                                reason="no committed reference run")


def headline_from_json() -> pd.DataFrame:
    """Mean ± 95% half-width (t half-width of the seed mean and normal half-width of the
    test-set error, in quadrature) per model and dataset, straight from the JSON files."""
    rows = [json.loads(p.read_text()) for p in sorted((RESULTS / "runs").glob("*.json"))]
    profile = json.loads((RESULTS / "run-info-full.json").read_text())["profile"]
    frame = pd.DataFrame(rows)
    frame = frame[(frame.status == "ok") & (frame.profile == profile) & (frame.role == "headline")]
    out = []
    for (model, dataset), group in frame.groupby(["model", "dataset"]):
        accs = group.test_accuracy
        n = len(accs)
        p = accs.mean()
        seed = stats.t.ppf(0.975, n - 1) * accs.std(ddof=1) / math.sqrt(n) if n > 1 else 0.0
        test = stats.norm.ppf(0.975) * math.sqrt(p * (1 - p) / group.test_size.max())
        half = math.hypot(seed, test)  # one seed: test-set error only
        out.append((model, dataset, n, 100 * p, 100 * half))
    return pd.DataFrame(out, columns=["model", "dataset", "n", "mean", "half"])


BUILTINS = {"keras-mlp", "logistic-regression", "random-forest", "small-cnn"}


def test_reference_run_covers_every_builtin_on_both_datasets_with_three_seeds():
    table = headline_from_json()
    builtins = table[table.model.isin(BUILTINS)]
    assert len(builtins) == 8 and (builtins.n >= 3).all()
    zoo = table[table.model.str.startswith("sklearn.")]
    assert zoo.model.nunique() >= 12 and set(zoo.n) == {1, 3}  # xiao2017: deterministic ones 1
    assert (zoo[zoo.model == "sklearn.svm.SVC"].n == 1).all()
    assert (zoo[zoo.model == "sklearn.linear_model.SGDClassifier"].n == 3).all()
    assert set(table.dataset) == {"mnist", "fashion-mnist"}
    mlp = table[(table.model == "keras-mlp") & (table.dataset == "fashion-mnist")].iloc[0]
    assert 85.5 <= mlp["mean"] <= 88.5  # the tutorial's ≈ 0.87


def test_headline_table_in_the_index_is_recomputed_from_results():
    from bench.reports.names import short_names

    index = (REPORTS / "README.md").read_text()
    rows = {line.split("|")[1].strip().removesuffix(" †"): line for line in index.splitlines()
            if line.startswith("| ") and "±" in line}
    table = headline_from_json()
    names = short_names(table.model)
    for r in table.itertuples():
        assert f"{r.mean:.2f} ± {r.half:.2f}" in rows[names[r.model]], (r.model, r.dataset)


def test_report_regenerates_the_committed_reports_byte_for_byte(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_OFFLINE", "1")
    written = write_reports(RESULTS, tmp_path)
    made = {p.relative_to(tmp_path).as_posix() for p in written}
    committed = {p.relative_to(REPORTS).as_posix() for p in REPORTS.rglob("*") if p.is_file()}
    assert made == committed - {writer.MARKER}  # the marker is not a report
    assert (tmp_path / writer.MARKER).read_bytes() == (REPORTS / writer.MARKER).read_bytes()
    import matplotlib

    info = json.loads((RESULTS / "run-info-full.json").read_text())
    same_renderer = info["provenance"]["packages"].get("matplotlib") == matplotlib.__version__
    for name in sorted(made):
        if name.endswith(".png") and not same_renderer:
            continue  # PNG bytes are only reproducible with the matplotlib that made them
        assert (tmp_path / name).read_bytes() == (REPORTS / name).read_bytes(), name
    for page in PAGES:
        assert page in made
