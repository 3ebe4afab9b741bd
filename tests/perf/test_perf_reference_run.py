"""perf/reference_run.py: records placed in parts of the plan by job key, the zoo per family."""

from __future__ import annotations

from types import SimpleNamespace

from reference_run import (
    built_in_part,
    invocations,
    model_part_minutes,
    one_run,
    part_index,
    part_totals,
    zoo_rows,
)

from bench.plan import Suite, SuiteEntry


def job(key: str, learning_curve: bool, train_size: int = 60_000):
    return SimpleNamespace(key=key, learning_curve=learning_curve, train_size=train_size)


def record(key: str, model: str = "m", wall: float = 60.0, cpu: float = 30.0, **extra) -> dict:
    return {"key": key, "model": model, "wall_seconds": wall, "cpu_seconds": cpu,
            "started_at": "2026-11-29T08:00:00", "finished_at": "2026-11-29T08:01:00",
            "dataset": "mnist", "status": "ok", **extra}


def test_built_in_parts():
    assert built_in_part(False, 60_000, 60_000) == "headline"
    assert built_in_part(True, 5_000, 60_000) == "learning curve"
    assert built_in_part(True, 60_000, 60_000) == "per-epoch sweep"


def test_records_are_placed_by_key_and_unknown_keys_are_other():
    index = part_index([job("h", False), job("c", True, 1000), job("e", True)], [job("z", False)])
    records = [record("h"), record("h2", wall=0.0), record("c", wall=120.0), record("e"),
               record("z"), record("zz")]
    totals = {t.part: t for t in part_totals(records, index)}
    assert index["z"] == "xiao2017 zoo"
    assert totals["headline"].jobs == 1 and totals["learning curve"].wall_s == 120.0
    assert totals["other"].jobs == 2 and totals["other"].wall_s == 60.0
    assert [t.part for t in part_totals(records, index)] == [
        "headline", "learning curve", "per-epoch sweep", "xiao2017 zoo", "other"]


def test_zoo_estimators_are_counted_together_per_part():
    index = {"a": "headline", "z1": "xiao2017 zoo", "z2": "xiao2017 zoo"}
    minutes = model_part_minutes([record("a", "lr"), record("z1", "sklearn.svm.SVC"),
                                  record("z2", "sklearn.tree.X")], index)
    assert minutes == {"lr": {"headline": 1.0}, "xiao2017 zoo": {"xiao2017 zoo": 2.0}}


def test_invocations_are_deduplicated():
    info = {"command": "run-all", "started_at": "08:10", "wall_seconds": 5}
    later = {"command": "run-all --suite x", "started_at": "09:32"}
    assert invocations([later, info, dict(info)]) == [info, later]


def test_zoo_rows_cost_order_stand_ins_and_missing_entries():
    suite = Suite("toy", (
        SuiteEntry("sk.Cheap", {"a": 1}, family="Cheap", index=0),
        SuiteEntry("sk.Slow", {"b": 2}, family="Slow", heavy=True, index=1),
        SuiteEntry("sk.Fast", {"b": 2}, family="Slow", stand_in_for="sk.Slow", index=2),
        SuiteEntry("sk.Pending", {}, family="Pending", index=3),
    ), datasets=("mnist", "fashion-mnist"))
    records = [record("1", "sk.Cheap", wall=10.0, params={"a": 1}),
               record("2", "sk.Fast", wall=100.0, params={"b": 2.0}),
               record("3", "sk.Fast", wall=50.0, params={"b": 2}, dataset="fashion-mnist")]
    rows = zoo_rows(suite, records, suite.datasets)
    assert [(r.model, r.dataset) for r in rows[:3]] == [
        ("sk.Fast", "mnist"), ("sk.Fast", "fashion-mnist"), ("sk.Cheap", "mnist")]
    assert rows[0].stand_in_for == "sk.Slow" and rows[0].family == "Slow"
    missing = {(r.model, r.dataset): r for r in rows if r.record is None}
    assert ("sk.Cheap", "fashion-mnist") in missing and ("sk.Pending", "mnist") in missing
    assert missing[("sk.Slow", "mnist")].heavy
    assert all(r.record is None for r in rows[3:])


def test_zoo_labels_say_what_a_stand_in_changes():
    slow = SuiteEntry("sk.KN", {"p": 1, "k": 5}, family="KN", heavy=True, index=0)
    fast = SuiteEntry("sk.KN", {"p": 2, "k": 5}, family="KN", stand_in_for="sk.KN", index=1)
    hist = SuiteEntry("sk.Hist", {}, family="GB", stand_in_for="sk.GB", index=2)
    svc = SuiteEntry("sk.SVC", {}, family="SVC", index=3)
    rows = {r.label for r in zoo_rows(Suite("toy", (slow, fast, hist, svc)), [], ["mnist"])}
    assert rows == {"KN (heavy)", "KN, stand-in `KN` (p=2)", "GB, stand-in `Hist`", "SVC"}


def test_one_run_only_when_one_invocation_made_every_record_at_one_commit():
    info = {"command": "run-all", "started_at": "08:10", "jobs": 3, "jobs_executed": 3}
    assert one_run([info], {"headline": {"abc1234": 2}, "zoo": {"abc1234": 1}}, 3) == info
    assert one_run([info], {"headline": {"abc1234": 2}, "zoo": {"def5678": 1}}, 3) is None
    assert one_run([{**info, "jobs_executed": 1}], {"headline": {"abc1234": 3}}, 3) is None
    assert one_run([info, {**info, "started_at": "09:00"}], {"headline": {"abc1234": 3}}, 3) is None
