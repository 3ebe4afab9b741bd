"""The references file, the Table 3 mapping and the side-by-side table."""

from __future__ import annotations

import pytest

from bench.reports import write_reports
from bench.reports.references import load, parse, xiao_family
from bench.results.record import RunRecord

REFS = load()


def test_every_reference_has_a_value_or_quote_and_a_link():
    for ref in REFS.all():
        assert ref.url.startswith("https://"), ref.key
        assert ref.source and ref.what, ref.key
    assert REFS.best_published["mnist"].value == pytest.approx(0.9987)
    assert REFS.best_published["fashion-mnist"].value == pytest.approx(0.9691)
    assert REFS.human["fashion-mnist"].value == pytest.approx(0.835)
    assert REFS.label_errors["mnist"].value == 15
    assert "one pixel" in REFS.one_pixel.quote
    assert len(REFS.xiao_rows) == 13
    svc = next(r for r in REFS.xiao_rows if r.family == "SVC")
    assert svc.accuracy == {"mnist": 0.973, "fashion-mnist": 0.897}


@pytest.mark.parametrize("model,family", [
    ("sklearn.svm.SVC", "SVC"),
    ("sklearn.svm.SVC[C=10]", "SVC"),
    ("sklearn.svm.SVCX", None),
    ("sklearn.svm.LinearSVC", "LinearSVC"),
    ("sklearn.ensemble.HistGradientBoostingClassifier", "GradientBoostingClassifier"),
    ("random-forest", "RandomForestClassifier"),
    ("small-cnn", None),
])
def test_declared_mapping_to_table3_families(model, family):
    row = xiao_family(model, REFS.xiao_rows)
    assert (row.family if row else None) == family


def test_an_incomplete_references_file_raises():
    with pytest.raises(KeyError):
        parse("[best_published.mnist]\nvalue = 0.9\n")


def test_side_by_side_table_lands_suite_models(tmp_path, store_factory, record_factory):
    records = []
    for d in ("mnist", "fashion-mnist"):
        for s in (0, 1):
            rec = record_factory("forest", d, s)
            records.append(RunRecord.from_dict({**rec.to_dict(), "model": "sklearn.svm.SVC",
                                                "key": rec.key.replace("forest", "svc")}))
            records.append(record_factory("cnn", d, s))
    results = store_factory(tmp_path / "results", records)
    write_reports(results, tmp_path / "reports")
    text = (tmp_path / "reports" / "accuracy.md").read_text(encoding="utf-8")
    section = text.split("## This harness vs Xiao et al. 2017", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith("| SVC (sk)"))
    ours = sum(r.test_accuracy for r in records
               if r.model == "sklearn.svm.SVC" and r.dataset == "mnist") / 2
    assert "SVC (C=10, kernel=rbf)" in row and "97.3" in row and "89.7" in row
    assert f"{100 * (ours - 0.973):+.2f}" in row
    assert "| cnn" not in section  # no Table 3 counterpart


def test_declared_differences_name_a_mapped_model_and_reach_the_table():
    for row in REFS.xiao_rows:
        for name, text in row.ours:
            assert xiao_family(name, REFS.xiao_rows) is row, name
            assert text and row.difference(name) == text
    knn = xiao_family("sklearn.neighbors.KNeighborsClassifier", REFS.xiao_rows)
    assert "p=2" in knn.difference("sklearn.neighbors.KNeighborsClassifier")
    svc = xiao_family("sklearn.svm.SVC", REFS.xiao_rows)
    assert svc.difference("sklearn.svm.SVC") == ""
    hist = xiao_family("sklearn.ensemble.HistGradientBoostingClassifier", REFS.xiao_rows)
    assert hist.family == "GradientBoostingClassifier"
    assert "stand-in" in hist.difference("sklearn.ensemble.HistGradientBoostingClassifier")
    assert hist.difference("sklearn.ensemble.GradientBoostingClassifier") == ""
