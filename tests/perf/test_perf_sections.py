"""docs/performance.md sections: a script replaces its own, keeps the others, inserts in order."""

from __future__ import annotations

from common import markers, replace_section, store_numbers, stored_numbers


def doc(*names: str) -> str:
    return "# Performance\n" + "".join(
        f"\n{markers(n)[0]}\n{n} text\n{markers(n)[1]}\n" for n in names)


def test_replacing_a_section_keeps_the_others():
    new = replace_section(doc("targets", "data-load", "cnn-findings"), "data-load", "fresh")
    assert "fresh" in new and "data-load text" not in new
    assert "targets text" in new and "cnn-findings text" in new


def test_a_new_section_goes_before_the_next_one_in_the_order():
    new = replace_section(doc("targets", "data-load"), "reference-run", "parts")
    assert new.index("targets text") < new.index("parts") < new.index("data-load text")


def test_targets_go_first_and_unknown_sections_last():
    new = replace_section(doc("data-load"), "targets", "table")
    assert new.index("table") < new.index("data-load text")
    last = replace_section(new, "something-else", "tail")
    assert last.rstrip().endswith(markers("something-else")[1])


def test_stored_numbers_keep_other_sections(tmp_path):
    path = tmp_path / "data.json"
    assert stored_numbers(path) == {}
    store_numbers("a", {"x": 1}, "python perf/a.py", path=path)
    store_numbers("b", {"y": 2}, "python perf/b.py", note="busy", path=path)
    data = stored_numbers(path)
    assert data["a"]["numbers"] == {"x": 1} and data["a"]["command"] == "python perf/a.py"
    assert data["b"]["note"] == "busy" and "date" in data["b"]
