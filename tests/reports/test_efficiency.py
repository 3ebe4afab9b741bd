"""Does MNIST need little data? Both views against a brute-force reading of the curves."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bench.reports import efficiency as ef
from bench.reports.answers import NO, PARTLY, UNCLEAR, YES
from bench.reports.inputs import gather
from bench.reports.measures import Cell, Estimate, measure
from bench.reports.references import load

SIZES = (500, 1000, 5000, 60000)
RESULTS = Path(__file__).resolve().parents[2] / "results"


def brute_crossing(sizes, accs, target) -> tuple[float, str]:
    """The first size at or above ``target``, interpolated on log(size), by a plain loop."""
    for i, (n, a) in enumerate(zip(sizes, accs, strict=True)):
        if a >= target:
            if i == 0:
                return float(n), "<="
            if a == target:
                return float(n), ""
            return float(np.exp(np.interp(target, accs[i - 1:i + 1],
                                          np.log(sizes[i - 1:i + 1])))), ""
    return float(sizes[-1]), ">"


class FakeBoot:
    """The part of measures.Bootstrap the module reads: curves of cells with replicates."""

    def __init__(self, curves: dict[tuple[str, str], np.ndarray]):  # (1 + reps, sizes)
        self.cells = {key: [Cell(key[0], key[1], n, Estimate(float(a[0, i]), 0.0, 1.0, a[1:, i]),
                                 10_000, 1, 1, 1.0) for i, n in enumerate(SIZES)]
                      for key, a in curves.items()}
        self.full_size = {key: SIZES[-1] for key in curves}
        self.n_boot = next(iter(curves.values())).shape[0] - 1

    def curve(self, model: str, dataset: str) -> list[Cell]:
        return self.cells.get((model, dataset), [])


RISE = (0.0, 0.02, 0.06, 0.10)


def synthetic(rng, models=("a", "b", "c"), reps=300, mnist_start=0.86, fashion_start=0.75,
              rises=(RISE, RISE)):
    curves = {}
    for mo in models:
        for d, start, rise in zip(("mnist", "fashion-mnist"), (mnist_start, fashion_start), rises,
                                  strict=True):
            point = start + np.array(rise) + rng.normal(0, 0.01, 4)
            curves[(mo, d)] = np.vstack([point, point + rng.normal(0, 0.02, (reps, 4))])
    return SimpleNamespace(boot=FakeBoot(curves), datasets=("mnist", "fashion-mnist"),
                           refs=load())


def brute_answers(m, relative=ef.RELATIVE) -> list[str]:
    """The rule, column by column, with plain loops."""
    out = []
    for col in range(m.boot.n_boot + 1):
        says = {}
        for view in ("absolute", "relative"):
            signs = []
            for mo in sorted({mo for mo, _ in m.boot.full_size}):
                accs = {d: [c.accuracy.value if col == 0 else c.accuracy.replicates[col - 1]
                            for c in m.boot.curve(mo, d)] for d in ("mnist", "fashion-mnist")}
                full = {d: a[-1] for d, a in accs.items()}
                target = {d: full["fashion-mnist"] if view == "absolute"
                          else 1 - relative * (1 - full[d]) for d in accs}
                (nm, km), (nf, kf) = (brute_crossing(SIZES, accs[d], target[d])
                                      for d in ("mnist", "fashion-mnist"))
                tie = {(">", ""): -1, ("", ">"): 1, ("<=", ""): 1, ("", "<="): -1}
                signs.append(np.sign(np.log(nf / nm)) if nf != nm else tie.get((km, kf), 0))
            says[view] = ("fewer" if all(s > 0 for s in signs) else
                          "more" if all(s < 0 for s in signs) else "mixed")
        out.append(YES if set(says.values()) == {"fewer"} else
                   NO if set(says.values()) == {"more"} else PARTLY)
    return out


def test_crossing_matches_a_loop_on_random_curves():
    rng = np.random.default_rng(1)
    curves = np.sort(rng.uniform(0.6, 1.0, (500, 4)), axis=1)
    curves[::7] = curves[::7, ::-1]  # some dip: the first crossing counts
    targets = rng.uniform(0.55, 1.0, 500)
    size, mark = ef.crossing(SIZES, curves, targets)
    for row, t, s, k in zip(curves, targets, size, mark, strict=True):
        expected = brute_crossing(SIZES, list(row), t)
        assert (s, k) == (pytest.approx(expected[0]), expected[1])


SLOW, FLAT = (0.0, 0.01, 0.03, 0.16), (0.0, 0.005, 0.01, 0.02)


@pytest.mark.parametrize("seed,starts,rises", [
    (0, (0.86, 0.75), (RISE, RISE)),  # Partly: fewer absolute, more relative
    (1, (0.80, 0.80), (RISE, RISE)),
    (2, (0.70, 0.86), (RISE, RISE)),
    (4, (0.80, 0.89), (SLOW, RISE)),  # No, unstable
    (5, (0.90, 0.72), (FLAT, SLOW)),  # Yes
])
def test_the_rule_and_its_stability_match_a_brute_force_reading(seed, starts, rises):
    m = synthetic(np.random.default_rng(seed), mnist_start=starts[0], fashion_start=starts[1],
                  rises=rises)
    expected = brute_answers(m)
    assert list(ef.overall(ef.needs(m))) == expected
    (a,) = ef.answers(None, m)
    assert a.answer == expected[0]
    assert a.stability == pytest.approx(np.mean([e == expected[0] for e in expected[1:]]))
    points = [float(x) for x in re.findall(r"([\d.]+)× (?:fewer|more) \[", a.text)]
    assert points and min(points) >= 1  # "× fewer" and "× more" are folds of at least 1
    loose = dict(a.alternatives)[f"relative view at {ef.LOOSE:g}× the full-data error"]
    assert loose == brute_answers(m, ef.LOOSE)[0]


def test_a_censored_fold_is_shown_as_a_bound(tmp_path):
    m = synthetic(np.random.default_rng(0), models=("a",), mnist_start=0.95,
                  fashion_start=0.70)  # MNIST's first point is above Fashion's full accuracy
    (a,) = ef.answers(None, m)
    assert "≥ 120× fewer" in a.figure and "≥ 120× fewer" in a.text
    text = ef.section(None, m, m.refs, tmp_path)
    assert re.search(r"(?<!≥ )120× fewer", text + a.text + a.figure) is None
    assert (tmp_path / "learning-curve.png").is_file()


def test_without_curves_the_answer_is_unclear(tmp_path):
    m = SimpleNamespace(boot=FakeBoot.__new__(FakeBoot), datasets=("mnist",), refs=load())
    m.boot.cells, m.boot.full_size = {}, {}
    (a,) = ef.answers(None, m)
    assert a.answer == UNCLEAR and "No learning-curve runs" in ef.section(None, m, m.refs,
                                                                             tmp_path)


@pytest.mark.skipif(not (RESULTS / "runs").is_dir(), reason="no committed results")
def test_the_committed_curves_read_fewer_absolute_and_more_relative():
    m = measure(gather(RESULTS), load(), n_boot=200)
    found = ef.needs(m)
    assert {n.model for n in found} == {"keras-mlp", "logistic-regression", "random-forest",
                                        "small-cnn"}
    for n in found:
        curves = {d: m.boot.curve(n.model, d) for d in ("mnist", "fashion-mnist")}
        accs = {d: [c.accuracy.value for c in cs] for d, cs in curves.items()}
        full = {d: a[-1] for d, a in accs.items()}
        target = (full["fashion-mnist"] if n.view == "absolute" else
                  1 - ef.RELATIVE * (1 - full["mnist"]))
        sizes = [c.train_size for c in curves["mnist"]]
        assert n.images[0, 0] == pytest.approx(brute_crossing(sizes, accs["mnist"], target)[0])
        more = n.view == "relative"
        assert n.direction[0] == (-1 if more else 1)  # every model: fewer absolute, more relative
    (a,) = ef.answers(None, m)
    assert a.answer == PARTLY and a.stability > 0.95
    assert a.figure.startswith("93 to ≥ 120× fewer vs ") and "× more" in a.figure
    assert dict(a.alternatives)["absolute view alone (the earlier reading)"] == YES
