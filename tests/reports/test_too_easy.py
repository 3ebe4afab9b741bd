"""mnist-too-easy.md: "How to read it" and the sensitivity table, built from the Answers."""

from __future__ import annotations

from bench.reports.answers import NO, PARTLY, YES, Answer
from bench.reports.too_easy import how_to_read, sensitivity


def test_how_to_read_states_every_rule_and_the_stability_bar():
    found = [Answer("floor", "Few errors?", YES, "1", "[0, 2]", 0.9, "Yes when A < B.", "t"),
             Answer("pixel", "One pixel?", NO, "1", "[0, 2]", 0.95, "Yes when C > D", "t")]
    text = how_to_read(found)
    assert "- **Few errors?** Yes when A < B.\n- **One pixel?** Yes when C > D." in text
    assert "fewer than 80% of them is shown as Unclear" in text


def test_sensitivity_gives_each_alternative_rule_its_own_column():
    found = [Answer("floor", "Few errors?", YES, "1", "[0, 2]", 0.9, "r", "t",
                    (("against 2× the floor", NO), ("against best published", PARTLY))),
             Answer("pixel", "One pixel?", NO, "1", "[0, 2]", 0.95, "r", "t",
                    (("at 95%", NO),))]
    rows = sensitivity(found).splitlines()
    head = next(r for r in rows if r.startswith("| question"))
    assert "alternative 1" in head and "alternative 2" in head and "alternative 3" not in head
    floor = next(r for r in rows if r.startswith("| Few errors?"))
    assert "90% (Yes)" in floor and "against 2× the floor: **No**" in floor
    assert "against best published: **Partly**" in floor
    bare = [Answer("x", "q", YES, "1", "2", 0.9, "r", "t")]
    assert "No question names an alternative rule yet." in sensitivity(bare)
