"""The evidence and verdict: McNemar pairing, criteria, flags, profile choice, subsets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.errors import UsageError
from bench.reports import evidence, overfitting, verdict, write_reports
from bench.reports.inputs import choose_profile, gather
from bench.reports.tables import CellSummary
from bench.stats import MeanCI, holm_adjust, mcnemar_exact


def test_mcnemar_pairs_match_a_direct_computation(store, fake_data):
    inputs = gather(store)
    tests = evidence.pair_tests(inputs, "fashion-mnist")
    assert len(tests) == 3 * 6  # 3 seeds x 6 model pairs
    truth = fake_data["fashion-mnist"].y_test
    for seed in (0, 1, 2):
        mine = [t for t in tests if t.seed == seed]
        runs = {r.model: r for r in inputs.runs if r.dataset == "fashion-mnist" and r.seed == seed}
        raw = [mcnemar_exact(inputs.predictions(runs[t.model_a]),
                             inputs.predictions(runs[t.model_b]), truth) for t in mine]
        assert [t.p_value for t in mine] == pytest.approx([r.p_value for r in raw])
        assert [t.only_a for t in mine] == [r.only_a for r in raw]
        assert [t.p_holm for t in mine] == pytest.approx(holm_adjust([r.p_value for r in raw]))


def test_a_pair_is_significant_only_on_every_seed():
    def test(seed, p):
        return evidence.PairTest("mnist", seed, "a", "b", 10, 1, p, p)

    (mixed,) = evidence.pair_outcomes([test(0, 0.001), test(1, 0.2)])
    assert mixed.significant_seeds == 1 and not mixed.significant
    (both,) = evidence.pair_outcomes([test(0, 0.001), test(1, 0.01)])
    assert both.significant and both.only_a == 20 and both.max_p_holm == 0.01


def cell(model: str, dataset: str, acc: float) -> CellSummary:
    ci = MeanCI(acc, acc - 0.001, acc + 0.001, 0.001, 3)
    return CellSummary(model, dataset, ci, ci, MeanCI(0, 0, 0, 0, 3), 1.0, 10000, (0, 1, 2))


def make_evidence(mnist: list[float], fashion: list[float], sig_mnist: int,
                  sig_fashion: int) -> evidence.Evidence:
    summary = {}
    for name, accs in (("mnist", mnist), ("fashion-mnist", fashion)):
        for i, acc in enumerate(accs):
            summary[(f"m{i}", name)] = cell(f"m{i}", name, acc)
    spreads = {d: evidence.spread(summary, d) for d in ("mnist", "fashion-mnist")}
    disc = {"mnist": evidence.Discrimination("mnist", len(mnist), 6, sig_mnist, ()),
            "fashion-mnist": evidence.Discrimination("fashion-mnist", len(fashion), 6,
                                                      sig_fashion, ())}
    return evidence.Evidence(summary, spreads, [], disc, evidence.headroom(summary), {}, {})


def test_verdict_all_core_criteria_hold():
    ev = make_evidence([0.99, 0.985, 0.98, 0.92], [0.92, 0.88, 0.85, 0.80], 2, 6)
    crits = {c.key: c for c in verdict.criteria(ev)}
    assert crits["ceiling"].holds and crits["spread"].holds and crits["pairs"].holds
    assert crits["headroom"].holds
    assert crits["pixel"].holds is None and crits["small-data"].holds is None
    text = verdict.paragraph(ev, ("mnist", "fashion-mnist"))
    assert text.startswith("**Verdict: MNIST is too easy in the sense tested here**")
    assert "3 of 4 models exceed 97% on MNIST (0 of 4 on Fashion-MNIST)" in text
    assert "2 of 6 model pairs differ significantly on MNIST vs 6 of 6" in text
    assert "— **not evaluated**" in text


def test_verdict_none_and_partly():
    none = make_evidence([0.95, 0.80, 0.90], [0.90, 0.89, 0.88], 6, 2)
    both = ("mnist", "fashion-mnist")
    assert "none of the 3 core criteria holds" in verdict.paragraph(none, both)
    partly = make_evidence([0.99, 0.985, 0.98], [0.92, 0.88, 0.85], 6, 6)
    text = verdict.paragraph(partly, ("mnist", "fashion-mnist"))
    assert text.startswith("**Verdict: partly.** 2 of 3 core criteria hold")
    assert ("a smaller share of model pairs differs significantly on MNIST — **does not hold**"
            in text)


def test_verdict_undecided_without_pairs_or_datasets():
    ev = make_evidence([0.99, 0.985], [0.92, 0.88], 0, 0)
    ev.discrimination["mnist"] = evidence.Discrimination("mnist", 2, 0, 0, ())
    assert verdict.paragraph(ev, ("mnist", "fashion-mnist")).startswith("**Verdict: undecided.**")
    assert "needs results on both" in verdict.paragraph(ev, ("mnist",))


@pytest.mark.parametrize("gap,low,n,expected", [
    (0.05, 0.01, 3, "large gap"),
    (0.05, -0.01, 3, ""),
    (0.015, 0.01, 3, ""),
    (0.05, math.nan, 1, "large gap (1 seed)"),
])
def test_overfitting_flag_rule(gap, low, n, expected):
    c = cell("m", "mnist", 0.9)
    c = CellSummary(c.model, c.dataset, c.test, c.train,
                    MeanCI(gap, low, gap + (gap - low), 0.01, n), 1.0, 10000, (0,))
    assert overfitting.flag(c) == expected


def test_choose_profile():
    assert choose_profile(["smoke", "full", "quick"], "quick")[0] == "quick"
    assert choose_profile(["smoke", "smoke", "full"])[0] == "full"  # the largest, not the most
    assert choose_profile(["smoke", "quick", "quick"])[0] == "quick"
    assert choose_profile(["b", "a", "b"])[0] == "b"  # unknown profiles: the most results
    assert choose_profile(["b", "a"])[0] == "a"  # tie: by name
    with pytest.raises(UsageError, match="profile 'missing'.*full"):
        choose_profile(["smoke", "full"], "missing")


def test_subset_profile_pairs_predictions_with_the_subset_truth(tmp_path, store_factory,
                                                                record_factory, fake_data):
    records = [record_factory(m, d, s, profile="smoke", test_size=100, train_size=300)
               for m in ("cnn", "logreg") for d in ("mnist", "fashion-mnist") for s in (0, 1)]
    broken = record_factory("mlp", "mnist", 0, profile="smoke", test_size=100, train_size=300)
    broken.test_indices_digest = "0000"
    results = store_factory(tmp_path / "results", [*records, broken], run_info=False)
    inputs = gather(results)
    rec = next(r for r in inputs.runs if r.model == "cnn" and r.dataset == "mnist")
    truth = inputs.truth(rec)
    assert truth is not None and truth.size == 100
    assert np.mean(inputs.predictions(rec) == truth) == pytest.approx(rec.test_accuracy)
    assert inputs.truth(next(r for r in inputs.runs if r.model == "mlp")) is None
    assert any("1 run(s)" in n for n in inputs.notes)
    assert len(evidence.pair_tests(inputs, "mnist")) == 2  # cnn/logreg on 2 seeds; mlp left out


def test_reports_without_data_or_cache_still_render(tmp_path, monkeypatch, store_factory,
                                                    record_factory):
    from bench import analysis
    from bench.errors import DataError

    records = [record_factory(m, d, 0) for m in ("cnn", "logreg") for d in ("mnist",
                                                                             "fashion-mnist")]
    results = store_factory(tmp_path / "results", records)

    def no_data(name, data_dir=None):
        raise DataError(f"{name} is nowhere")

    monkeypatch.setattr(analysis, "_load_dataset", no_data)
    write_reports(results, tmp_path / "reports")
    text = (tmp_path / "reports" / "mnist-too-easy.md").read_text(encoding="utf-8")
    assert "mnist is nowhere" in text and "## Notes" in text
    assert "**Verdict: undecided.**" in text
    assert "single-pixel analysis unavailable" in text
    assert not (tmp_path / "reports" / "figures" / "single-pixel.png").exists()
    readme = (tmp_path / "reports" / "README.md").read_text(encoding="utf-8")
    assert "## Notes" in readme and "--data-dir" in readme
