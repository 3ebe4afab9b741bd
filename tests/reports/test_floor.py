"""The label-noise floor: the shipped audit, its loader, the two rules, their stability and
the answers on the committed results."""

from __future__ import annotations

import itertools
import json
import os
import tomllib
from pathlib import Path

import numpy as np
import pytest

from bench.errors import ReportsError
from bench.reports import floor
from bench.reports.answers import NO, PARTLY, UNCLEAR, YES
from bench.reports.inputs import gather
from bench.reports.measures import PER_10K, measure
from bench.reports.references import load

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"
N_BOOT = 300


def test_the_shipped_audit_gives_the_papers_15_label_errors():
    audit = floor.load_audit()
    assert len(audit.rows) == 100 and len(set(audit.indices())) == 100
    shipped = json.loads(floor.AUDIT_FILE.read_text(encoding="utf-8"))
    assert "arXiv:2103.14749" in shipped["citation"] and "6d5d6b3" in shipped["source"]
    assert "Apache" in floor.AUDIT_FILE.with_suffix(".LICENSE").read_text(encoding="utf-8")
    # the rule read straight from the votes, without the loader
    assert len(audit.indices(floor.MAJORITY)) == sum(r[3] < 3 for r in shipped["images"]) == 15
    assert (len(audit.indices(floor.STRICT)), len(audit.indices(floor.LOOSE))) == (7, 23)


def test_the_audit_and_its_licence_are_installed_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = set(config["package-data"]["bench.reports"])
    assert {floor.AUDIT_FILE.name, floor.AUDIT_FILE.with_suffix(".LICENSE").name} <= shipped


def _audit_file(tmp_path: Path, images, **changes) -> Path:
    data = {"dataset": "mnist", "workers": 5, "columns": floor.COLUMNS, "images": images,
            **changes}
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("images,changes,reason", [
    ([[1, 2, 3, 5, 0, 0], [1, 4, 5, 2, 3, 0]], {}, "listed twice"),
    ([[1, 2, 3, 4, 0, 0]], {}, "out of range"),  # 4 votes of 5
    ([[1, 2, 2, 4, 3, 1]], {}, "out of range"),  # given == guessed, counts differ
    ([[1, 12, 3, 5, 0, 0]], {}, "out of range"),
    ([[1, 2, 3, 5, 0]], {}, "integers"),
    ([[1, 2, 3, 5.0, 0, 0]], {}, "integers"),
    ([], {}, "integers"),
    ([[1, 2, 3, 5, 0, 0]], {"dataset": "fashion-mnist"}, "not the MNIST audit"),
])
def test_a_damaged_audit_is_refused_with_a_reason(tmp_path, images, changes, reason):
    with pytest.raises(ReportsError, match=reason):
        floor.load_audit(_audit_file(tmp_path, images, **changes))


def test_an_unreadable_audit_is_refused_without_a_traceback(tmp_path):
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportsError, match="not valid JSON"):
        floor.load_audit(tmp_path / "bad.json")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(ReportsError, match="not a regular file"):
        floor.load_audit(tmp_path / "fifo")


def test_both_is_yes_no_or_partly_by_brute_force():
    for a, b in itertools.product((True, False), repeat=2):
        assert floor.both(a, b) == {2: YES, 1: PARTLY, 0: NO}[a + b]
    assert (floor.both(True), floor.both(False)) == (YES, NO)


@pytest.fixture
def synthetic(store, fake_data):
    """The synthetic store and an audit of its first 40 MNIST test images: the first 10
    label errors (votes 2 of 5), the next 30 correct (5 of 5)."""
    inputs = gather(store)
    labels = fake_data["mnist"].y_test
    rows = tuple((i, int(labels[i]), (int(labels[i]) + 1) % 10, 2 if i < 10 else 5,
                  3 if i < 10 else 0, 0) for i in range(40))
    return inputs, measure(inputs, load(), n_boot=N_BOOT), floor.Audit(rows)


def test_counts_and_set_aside_accuracy_match_a_direct_computation(synthetic, fake_data):
    inputs, m, audit = synthetic
    noise = floor.measure_noise(inputs, m, audit)
    truth = fake_data["mnist"].y_test
    assert noise.n_flagged == 40
    assert noise.floors[floor.MAJORITY].value == pytest.approx(PER_10K * 10 / truth.size)
    assert [x.errors.value for x in noise.models] == sorted(x.errors.value for x in noise.models)
    for x in noise.models:
        runs = sorted(inputs.runs_of(x.model, "mnist"), key=lambda r: r.seed)
        wrong = np.array([inputs.predictions(r) != truth for r in runs])
        assert x.per_seed.tolist() == [wrong.sum(1).tolist(), wrong[:, :40].sum(1).tolist(),
                                       wrong[:, :10].sum(1).tolist()]
        assert x.set_aside.value == pytest.approx(1 - wrong[:, 40:].mean())
        assert x.set_aside.low <= x.set_aside.value <= x.set_aside.high
        assert (x.slope is not None) == (x.model in ("forest", "logreg"))


def test_stability_applies_the_rule_to_every_replicate(synthetic):
    inputs, m, audit = synthetic
    noise = floor.measure_noise(inputs, m, audit)
    found = floor.answers(inputs, m, audit)
    assert [a.key for a in found] == ["floor", "headroom"]
    cells = m.boot.full_cells("mnist")
    best = np.min([c.errors.replicates for c in cells], axis=0)
    weights = m.boot.weights(cells[0])
    floor_reps = PER_10K * weights[:, :10].sum(1) / weights.shape[1]
    curve = next(x for x in noise.models if x.slope is not None)
    rule = [floor.both(b <= 2 * f, s >= 0) for b, f, s in
            zip(best, floor_reps, curve.slope.replicates, strict=True)]
    assert found[0].stability == pytest.approx(np.mean([r == found[0].answer for r in rule]))
    fashion = np.min([c.errors.replicates for c in m.boot.full_cells("fashion-mnist")], axis=0)
    rule = [floor.both(b - f < fa, b == 0 or (b - f) / b < 0.5)
            for b, f, fa in zip(best, floor_reps, fashion, strict=True)]
    assert found[1].stability == pytest.approx(np.mean([r == found[1].answer for r in rule]))


def test_an_audit_that_does_not_match_the_test_set_leaves_both_unclear(synthetic, tmp_path):
    inputs, m, _ = synthetic
    found = floor.answers(inputs, m)  # the real audit: indices beyond the 200 fake images
    assert [a.answer for a in found] == [UNCLEAR, UNCLEAR]
    text = floor.section(inputs, m, load(), tmp_path)
    assert "## Are few errors left on MNIST" in text and "Fashion-MNIST has no such audit" in text
    assert "## Is little headroom left on MNIST?" in text and "**Answer: Unclear**" in text


committed = pytest.mark.skipif(not (RESULTS / "runs").is_dir(), reason="no committed results")


@pytest.fixture(scope="module")
def real():
    inputs = gather(RESULTS)
    return inputs, measure(inputs, load())


@committed
def test_committed_results_answer_no_and_partly_as_the_numbers_say(real):
    inputs, m = real
    floor_a, headroom_a = floor.answers(inputs, m)
    best = min(m.boot.full_cells("mnist"), key=lambda c: c.errors.value)
    assert floor_a.figure == f"{best.errors.value:,.0f} errors = " \
                             f"{best.errors.value / 15:.1f}× the floor of 15"
    assert best.errors.value > 2 * 15 and floor_a.answer == NO and floor_a.shown == NO
    assert "leaves 13 ([Byerly et al. 2020](https://arxiv.org/abs/2001.09136)), below" in \
        floor_a.text
    gap = best.errors.value - 15
    fashion = min(c.errors.value for c in m.boot.full_cells("fashion-mnist"))
    assert headroom_a.figure.startswith(f"{gap:,.0f} vs {fashion:,.0f}")
    assert gap / best.errors.value > 0.5 and gap < fashion and headroom_a.answer == PARTLY


@committed
def test_committed_results_test_the_readme_claims(real, tmp_path):
    inputs, m = real
    text = floor.section(inputs, m, load(), tmp_path)
    rows = [r for r in text.splitlines() if r.startswith("| “")]
    accs = {c.model: c.accuracy for c in m.boot.full_cells("mnist")}
    classic = any(a.low >= 0.97 for mo, a in accs.items() if "mlp" not in mo and "cnn" not in mo)
    cnn = [a for mo, a in accs.items() if "cnn" in mo]
    assert rows[0].rstrip(" |").endswith("yes" if classic else "no")
    assert rows[1].split("|")[-2].strip().startswith(
        "no (best small-cnn" if all(a.high < 0.997 for a in cnn) else "yes")
