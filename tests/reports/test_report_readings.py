"""The readings follow the numbers: change the inputs and the sentence and verdict change."""

from __future__ import annotations

import numpy as np
import pytest

from bench.reports import readings as rd
from bench.reports.measures import (
    Cell,
    Efficiency,
    Estimate,
    Headroom,
    Measures,
    PixelCurve,
    Saturation,
)
from bench.reports.references import load
from bench.reports.tables import with_interval

REFS = load()


def est(value: float, low: float, high: float, reps=None) -> Estimate:
    return Estimate(value, low, high, None if reps is None else np.asarray(reps, dtype=float))


def acc_cell(model: str, dataset: str, acc: float, half: float = 0.002) -> Cell:
    return Cell(model, dataset, 60_000, est(acc, acc - half, acc + half), 10_000, 3, 3, 1.0)


def measures(**changes) -> Measures:
    cells = {"mnist": [acc_cell("a", "mnist", 0.99), acc_cell("b", "mnist", 0.97)],
             "fashion-mnist": [acc_cell("a", "fashion-mnist", 0.90),
                               acc_cell("b", "fashion-mnist", 0.87)]}
    sat = Saturation(cells, {"a": est(10.0, 8.0, 12.0), "b": est(4.3, 3.9, 4.8)},
                     {"mnist": 13.0, "fashion-mnist": 309.0}, {"mnist": 15.0})
    eff = [Efficiency("a", 0.90, 60_000, 900.0, "", 700.0, 1200.0, "", "",
                      None)]
    bars = (0.8, 0.9, 0.99)
    pixels = {"mnist": PixelCurve("mnist", 45, bars, (0.9, 0.45, 0.02), (1.0, 0.2, 0.0)),
              "fashion-mnist": PixelCurve("fashion-mnist", 45, bars, (0.85, 0.7, 0.3),
                                          (1.0, 1.0, 0.0))}
    head = [Headroom("mnist", "a", est(0.99, 0.988, 0.992), 0.9987, est(0.0087, 0.007, 0.01),
                     est(7.0, 6.0, 8.0)),
            Headroom("fashion-mnist", "a", est(0.90, 0.89, 0.91), 0.9691,
                     est(0.069, 0.06, 0.08), est(3.2, 3.0, 3.5))]
    base = dict(boot=None, saturation=sat, efficiency=eff,
                pixels=pixels, headroom=head, datasets=("mnist", "fashion-mnist"), refs=REFS)
    base.update(changes)
    return Measures(**base)


def test_saturation_follows_the_best_models_and_most_ratio_intervals_naming_exceptions():
    r = rd.saturation(measures())
    assert r.verdict == rd.SUPPORTED
    assert "leaves 100 [80, 120] of 10,000 MNIST test images wrong" in r.text
    assert "2 of 2 ratio intervals above 1" in r.text and "Byerly et al. 2020" in r.text
    m = measures()
    cells, pub = m.saturation.cells, m.saturation.published_errors
    one_below = Saturation(cells, {"a": est(10.0, 8.0, 12.0), "b": est(4.3, 3.9, 4.8),
                                   "nb": est(0.9, 0.85, 0.95)}, pub, {}, est(10.0, 8.0, 12.0))
    r2 = rd.saturation(measures(saturation=one_below))
    assert r2.verdict == rd.SUPPORTED and "2 of 3 ratio intervals above 1" in r2.text
    assert "below 1: nb 0.9× [0.8, 0.9])" in r2.text
    assert "best model vs best model: 10.0× [8.0, 12.0]" in r2.text
    most_below = Saturation(cells, {"a": est(0.8, 0.6, 0.9), "b": est(0.7, 0.6, 0.8),
                                    "c": est(4.3, 3.9, 4.8)}, pub, {})
    assert rd.saturation(measures(saturation=most_below)).verdict == rd.NOT_SUPPORTED
    best_below = Saturation(cells, {"a": est(4.3, 3.9, 4.8)}, pub, {}, est(0.8, 0.7, 0.9))
    assert rd.saturation(measures(saturation=best_below)).verdict == rd.NOT_SUPPORTED
    split = Saturation(cells, {"a": est(0.8, 0.6, 0.9), "b": est(4.3, 3.9, 4.8)}, pub, {})
    assert rd.saturation(measures(saturation=split)).verdict == rd.CANNOT_TELL
    straddle = Saturation(cells, {"a": est(1.2, 0.9, 1.5)}, {}, {})
    assert rd.saturation(measures(saturation=straddle)).verdict == rd.CANNOT_TELL


def test_data_efficiency_reading():
    r = rd.data_efficiency(measures())
    assert r.verdict == rd.SUPPORTED and "a 900 [700, 1,200]" in r.text and " 67× fewer" in r.text
    never = Efficiency("a", 0.99, 60_000, 60_000.0, ">", 60_000.0, 60_000.0,
                       ">", ">", 20)
    r2 = rd.data_efficiency(measures(efficiency=[never]), min_steps=500)
    assert r2.verdict == rd.NOT_SUPPORTED and "> 60,000" in r2.text
    assert "as few as 20 gradient steps" in r2.text
    assert rd.data_efficiency(measures(efficiency=[])).verdict == rd.CANNOT_TELL


def test_one_pixel_reading_follows_the_curve():
    r = rd.one_pixel(measures())
    assert r.verdict == rd.NOT_SUPPORTED
    assert "on MNIST it holds for bars up to 80%; at 90%, 20 of 45 pairs (P(most) = 20%" in r.text
    m = measures()
    flipped = {"mnist": m.pixels["fashion-mnist"], "fashion-mnist": m.pixels["mnist"]}
    assert rd.one_pixel(measures(pixels=flipped)).verdict == rd.SUPPORTED


def test_headroom_mixed_then_supported():
    r = rd.headroom(measures())
    assert r.verdict == rd.MIXED and "more relative to what is achievable" in r.text
    m = measures()
    low_ratio = Headroom("mnist", "a", est(0.999, 0.998, 0.9995), 0.9987,
                         est(-0.0003, -0.001, 0.0007), est(0.8, 0.4, 1.5))
    r2 = rd.headroom(measures(headroom=[low_ratio, m.headroom[1]]))
    assert r2.verdict == rd.SUPPORTED


def test_answer_lists_each_sense_under_its_verdict():
    found = rd.readings(measures())
    text = rd.answer(found, rd.models_scope({"a": 3, "b": 3}), "method")
    first = text.splitlines()[0]
    assert "Over 2 models × 3 seeds the evidence" in first
    assert "supported: saturation, little data needed" in first
    assert "not supported: the one-pixel folklore" in first and "mixed: little headroom" in first
    assert len(text.splitlines()) <= 12


def test_models_scope_says_how_many_seeds_each_group_of_models_has():
    assert rd.models_scope({"a": 3, "b": 3}) == "2 models × 3 seeds"
    zoo = {**{f"m{i}": 3 for i in range(4)}, **{f"z{i}": 1 for i in range(13)}}
    assert rd.models_scope(zoo) == "17 models (4 × 3 seeds, 13 × 1 seed)"


@pytest.mark.parametrize("value,text", [(0.12345, "0.12"), (float("nan"), "–")])
def test_with_interval_formatting(value, text):
    assert with_interval(est(value, float("nan"), float("nan"))) == text
