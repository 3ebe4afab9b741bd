"""The reference run from its records: time per part of the plan, and the zoo's cost per family.

Reads ``results/runs/*.json`` and ``results/run-info*.json`` only (trains nothing, loads no
dataset). Each record is placed in a part by its job key: the built-in plan
(``bench.plan.jobs.plan_jobs``: headline, learning curve, per-epoch sweep) and the
``xiao2017`` suite (``bench.plan.plan_suite``); keys in neither are "other".

    python perf/reference_run.py [--results-dir results]

Writes the sections ``reference-run`` and ``zoo-cost`` of ``docs/performance.md`` and their
numbers under the same keys in ``docs/performance-data.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from common import ROOT, store_numbers, write_section

PARTS = ("headline", "learning curve", "per-epoch sweep", "xiao2017 zoo", "other")
BUILT_IN_PARTS = PARTS[:3]
SUITE = "xiao2017"
WORKERS = 2  # the reference machine's `--jobs 2`


@dataclass(frozen=True)
class PartTotal:
    """Summed job times of one part of the plan."""

    part: str
    jobs: int
    wall_s: float
    cpu_s: float
    first_start: str
    last_finish: str
    peak_mb: float | None = None


@dataclass(frozen=True)
class ZooRow:
    """One suite entry on one dataset, with its record (None: not run yet)."""

    family: str
    model: str
    dataset: str
    stand_in_for: str | None
    heavy: bool
    record: dict | None
    label: str = ""


def built_in_part(learning_curve: bool, train_size: int, full_size: int) -> str:
    """The part of the built-in plan a job belongs to."""
    if not learning_curve:
        return "headline"
    return "learning curve" if train_size < full_size else "per-epoch sweep"


def part_index(plan: Iterable, zoo: Iterable, full_size: int = 60_000) -> dict[str, str]:
    """Job key -> part, for the built-in plan's jobs and the zoo suite's jobs."""
    index = {job.key: built_in_part(job.learning_curve, job.train_size, full_size)
             for job in plan}
    index.update({job.key: "xiao2017 zoo" for job in zoo if job.key not in index})
    return index


def part_totals(records: Iterable[dict], index: dict[str, str]) -> list[PartTotal]:
    """Jobs, summed wall and CPU seconds per part (parts with no record left out)."""
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(index.get(record["key"], "other"), []).append(record)
    return [PartTotal(part, len(rs), sum(r.get("wall_seconds") or 0.0 for r in rs),
                      sum(r.get("cpu_seconds") or 0.0 for r in rs),
                      min(r.get("started_at") or "" for r in rs),
                      max(r.get("finished_at") or "" for r in rs),
                      max((r["peak_memory_mb"] for r in rs if r.get("peak_memory_mb")),
                          default=None))
            for part in PARTS if (rs := groups.get(part))]


def model_part_minutes(records: Iterable[dict], index: dict[str, str]) -> dict[str, dict[str, float]]:
    """Model (zoo estimators together as "xiao2017 zoo") -> part -> summed job wall minutes."""
    out: dict[str, dict[str, float]] = {}
    for record in records:
        part = index.get(record["key"], "other")
        model = "xiao2017 zoo" if part == "xiao2017 zoo" else record["model"]
        cell = out.setdefault(model, {})
        cell[part] = cell.get(part, 0.0) + (record.get("wall_seconds") or 0.0) / 60
    return out


def commits(records: Iterable[dict], index: dict[str, str]) -> dict[str, dict[str, int]]:
    """Part -> code commit of the records (``provenance.git_commit``, short) -> count."""
    out: dict[str, dict[str, int]] = {}
    for record in records:
        commit = ((record.get("provenance") or {}).get("git_commit") or "?")[:7]
        cell = out.setdefault(index.get(record["key"], "other"), {})
        cell[commit] = cell.get(commit, 0) + 1
    return out


def invocations(infos: Iterable[dict]) -> list[dict]:
    """The distinct run-all invocations among run-info files (same command and start: one)."""
    seen: dict[tuple, dict] = {}
    for info in infos:
        seen.setdefault((info.get("command"), info.get("started_at")), info)
    return sorted(seen.values(), key=lambda i: i.get("started_at") or "")


def one_run(infos: list[dict], by_commit: dict[str, dict[str, int]], jobs: int) -> dict | None:
    """The invocation that made every record, if one did: a single run-all that executed all
    ``jobs``, and one code commit across the records (``None`` otherwise)."""
    made = {commit for cell in by_commit.values() for commit in cell}
    if len(infos) == 1 and len(made) == 1 and infos[0].get("jobs_executed") == jobs:
        return infos[0]
    return None


def zoo_rows(suite, records: Iterable[dict], datasets: Iterable[str]) -> list[ZooRow]:
    """Every entry of ``suite`` x dataset with its record (matched with ``match_entry``),
    the entries with the largest summed job wall time first; rows with no record last."""
    from bench.plan import match_entry

    datasets = list(datasets)
    found: dict[tuple[int, str], dict] = {}
    for record in records:
        entry = match_entry(suite, record["model"], record.get("params") or {})
        if entry is not None:
            found[(entry.index, record["dataset"])] = record
    cost = {e.index: sum(found[(e.index, d)].get("wall_seconds") or 0.0
                         for d in datasets if (e.index, d) in found) for e in suite.entries}
    cells = sorted(((e, d, found.get((e.index, d))) for e in suite.entries for d in datasets),
                   key=lambda c: (c[2] is None, -cost[c[0].index], c[0].index))
    return [ZooRow(e.family or e.model, e.model, d, e.stand_in_for, e.heavy, r,
                   entry_label(e, suite.entries)) for e, d, r in cells]


def entry_label(entry, entries) -> str:
    """The family, plus what a stand-in changes (another estimator, or other values) and
    the estimator where its class is not the family's name."""
    short = entry.model.rsplit(".", 1)[-1]
    family = entry.family or short
    if entry.stand_in_for:
        original = next((e for e in entries if e.model == entry.stand_in_for and e.heavy), None)
        if short != entry.stand_in_for.rsplit(".", 1)[-1] or original is None:
            return f"{family}, stand-in `{short}`"
        changed = ", ".join(f"{k}={v}" for k, v in entry.params.items()
                            if original.params.get(k) != v)
        return f"{family}, stand-in `{short}` ({changed})"
    if entry.heavy:
        return f"{family} (`{short}`, heavy)" if short != family else f"{family} (heavy)"
    return family if short == family else f"{family} (`{short}`)"


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def reference_section(totals: list[PartTotal], infos: list[dict], per_model: dict,
                      by_commit: dict, workers: int = WORKERS) -> str:
    """Markdown: time per part of the plan, the invocations, the from-scratch estimate."""
    rows = "\n".join(
        f"| {t.part} | {t.jobs} | {minutes(t.wall_s)} | {minutes(t.cpu_s)} | "
        f"{'' if t.peak_mb is None else f'{t.peak_mb:.0f}'} | {t.first_start[:10]} {t.first_start[11:16]}–{t.last_finish[11:16]} | "
        + ", ".join(f"`{c}` ({n})" for c, n in sorted(by_commit.get(t.part, {}).items())) + " |"
        for t in totals)
    parts = [t.part for t in totals]
    model_rows = "\n".join(
        f"| {model} | " + " | ".join(f"{cells[p]:.1f}" if p in cells else "" for p in parts)
        + f" | {sum(cells.values()):.1f} |"
        for model, cells in sorted(per_model.items(), key=lambda i: -sum(i[1].values())))
    plan_cpu = sum(t.cpu_s for t in totals if t.part in BUILT_IN_PARTS)
    built_in = [t for t in totals if t.part in BUILT_IN_PARTS]
    plan_wall = sum(t.wall_s for t in built_in)
    all_wall = sum(t.wall_s for t in totals)
    runs = "\n".join(
        f"| `{i.get('command')}` | {(i.get('started_at') or '')[:16]} | "
        f"{i.get('jobs')} ({i.get('jobs_executed')} run) | {minutes(i.get('wall_seconds') or 0)} |"
        for i in infos)
    jobs = sum(t.jobs for t in totals)
    all_cpu = sum(t.cpu_s for t in totals)
    single = one_run(infos, by_commit, jobs)
    if single is not None:
        provenance = f"""All {jobs} records come from one invocation at one code commit:
`{single.get('command')}` ({workers} workers), started {(single.get('started_at') or '')[:16]} UTC,
**{minutes(single.get('wall_seconds') or 0)} min** from start to finish (`results/run-info.json`).
The sum of the job wall times divided by the {workers} workers is {minutes(all_wall / workers)} min
({minutes(plan_wall / workers)} min for the built-in plan); the rest is workers idle while the
last long jobs finish, process start-up and the reports. The jobs' CPU times (one thread per job)
divided by the workers, {minutes(all_cpu / workers)} min ({minutes(plan_cpu / workers)} min for
the built-in plan), estimate the same run with nothing else sharing the machine.
"""
    else:
        zoo = (f", and the `{SUITE}` suite (`bench run-all --suite {SUITE} --jobs 2`)"
               if "xiao2017 zoo" in parts else "")
        provenance = f"""The records come from several invocations, not one run (see the commits above): the built-in
plan (`bench run-all --jobs 2`, whose cached jobs kept earlier records), a forced re-run of
small-cnn's headline jobs{zoo}. So no single
wall-clock figure covers them; the sum of the job times divided by the {workers} workers is
the from-scratch estimate for `--jobs {workers}`: **{minutes(plan_wall / workers)} min** for the
built-in plan and **{minutes(all_wall / workers)} min** with everything above (idle workers at
the end of a run and process start-up not included). The jobs' wall times include waiting for a
core while other work shared the machine; their CPU times (one thread per job) estimate a quiet
machine instead: {minutes(plan_cpu / workers)} min for the built-in plan.
"""
    return f"""## The reference run: time per part of the plan

From the committed records (`results/runs/*.json`), each placed in a part by its job key:
the built-in plan of `bench run-all` (`plan_jobs`: headline = the four built-in models at
60,000 training images with default parameters, learning curve = smaller training sets,
per-epoch sweep = keras-mlp with 40 epochs) and the `{SUITE}` suite (`plan_suite`).
Job time is the record's `wall_seconds` (data load, fit, predictions on train and test,
metrics); CPU is its `cpu_seconds`; peak memory is the largest resident set of a worker
process during a job (`peak_memory_mb`). Generated {date.today().isoformat()} with
`python perf/reference_run.py`.

| part | jobs | job wall time, sum (min) | job CPU time, sum (min) | peak memory, max (MB) | records made (UTC) | code commit (records) |
| --- | ---: | ---: | ---: | ---: | --- | --- |
{rows}
| **total** | {jobs} | {minutes(all_wall)} | {minutes(all_cpu)} | | | |

Job wall time per model and part (min):

| model | {" | ".join(parts)} | all |
| --- | {" | ".join("---:" for _ in parts)} | ---: |
{model_rows}

{provenance}
Invocations recorded in `results/run-info*.json` (the latest run-all of each profile; an
earlier invocation's file is overwritten by a later one):

| command | started (UTC) | jobs | wall time (min) |
| --- | --- | ---: | ---: |
{runs}
"""


def zoo_line(row: ZooRow) -> str:
    name = row.label or row.family
    r = row.record
    if r is None:
        state = "not in the ordinary run (`--include-heavy`)" if row.heavy else "not run"
        return f"| {name} | {row.dataset} | {state} | | | | |"
    if r.get("status") != "ok":
        return f"| {name} | {row.dataset} | {r.get('status')}: {r.get('error') or ''} | | | | |"
    peak = r.get("peak_memory_mb")
    return (f"| {name} | {row.dataset} | {r['fit_seconds']:.1f} | {r['predict_seconds']:.1f} | "
            f"{r['wall_seconds']:.1f} | {'' if peak is None else f'{peak:.0f}'} | "
            f"{r['test_accuracy'] * 100:.2f} |")


def zoo_section(rows: list[ZooRow]) -> str:
    done = [r.record for r in rows if r.record is not None and r.record.get("status") == "ok"]
    missing = sum(1 for r in rows if r.record is None and not r.heavy)
    table = "\n".join(zoo_line(r) for r in rows)
    status = (f"{len(done)} of {sum(1 for r in rows if not r.heavy)} ordinary jobs have a record;"
              f" {missing} not run yet." if missing else
              f"All {len(done)} ordinary jobs have a record.")
    return f"""## The xiao2017 zoo: cost per family

The `{SUITE}` suite (`bench/plan/builtin/{SUITE}.toml`: one scikit-learn estimator per family
at its best configuration in Xiao et al. 2017, `scale = "standard"`, seed 0) on the full data,
from its records; most expensive entries first. *fit* is the fit alone; *predict* is the
test-set prediction the record times; *wall* is the whole job (data load, fit, predictions on
the 60,000 training and 10,000 test images, metrics). Peak memory is the worker's largest
resident set during the job. Heavy entries run only with `--include-heavy`; their stand-ins
are marked. {status} Generated {date.today().isoformat()} with `python perf/reference_run.py`.

| family (estimator) | dataset | fit (s) | predict (s) | wall (s) | peak memory (MB) | test accuracy (%) |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
{table}

Total: {len(done)} jobs, {minutes(sum(r['wall_seconds'] for r in done))} min of job wall time,
{minutes(sum(r.get('cpu_seconds') or 0.0 for r in done))} min of CPU time.
"""


def read_records(results: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((results / "runs").glob("*.json"))]


def read_infos(results: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(results.glob("run-info*.json"))]


def planned_index() -> dict[str, str]:
    """Job key -> part for the built-in plan and the zoo suite (heavy entries included)."""
    from bench.plan import find_suite, plan_suite
    from bench.plan.jobs import plan_jobs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # deprecated estimators of the suite
        return part_index(plan_jobs(), plan_suite(find_suite(SUITE), include_heavy=True))


def numbers(totals: list[PartTotal], rows: list[ZooRow], single: dict | None = None) -> dict:
    """What the sections show, for ``docs/performance-data.json``."""
    return {
        "one_run": ({"command": single.get("command"), "wall_s": single.get("wall_seconds"),
                     "jobs": single.get("jobs")} if single else None),
        "parts": {t.part: {"jobs": t.jobs, "wall_s": round(t.wall_s, 1), "cpu_s": round(t.cpu_s, 1)}
                  for t in totals},
        "workers": WORKERS,
        "zoo": [{"family": r.family, "model": r.model, "dataset": r.dataset,
                 "stand_in_for": r.stand_in_for,
                 **({k: r.record.get(k) for k in ("status", "fit_seconds", "predict_seconds",
                                                   "wall_seconds", "cpu_seconds",
                                                   "peak_memory_mb", "test_accuracy")}
                    if r.record else {"status": "heavy" if r.heavy else "not run"})}
                for r in rows],
    }


def run(results: Path, write: bool = True) -> str:
    """Both sections from the records in ``results``; written (and their numbers stored)
    unless ``write`` is false. Returns their text."""
    from bench.plan import find_suite

    records = read_records(results)
    index = planned_index()
    totals = part_totals(records, index)
    suite = find_suite(SUITE)
    zoo_records = [r for r in records if index.get(r["key"]) == "xiao2017 zoo"]
    rows = zoo_rows(suite, zoo_records, suite.datasets or ("mnist", "fashion-mnist"))
    infos, by_commit = invocations(read_infos(results)), commits(records, index)
    reference = reference_section(totals, infos, model_part_minutes(records, index), by_commit)
    zoo = zoo_section(rows)
    if write:
        write_section("reference-run", reference)
        write_section("zoo-cost", zoo)
        single = one_run(infos, by_commit, sum(t.jobs for t in totals))
        store_numbers("reference-run", numbers(totals, rows, single), "python perf/reference_run.py")
    return f"{reference}\n{zoo}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results-dir", default=str(ROOT / "results"))
    parser.add_argument("--no-write", action="store_true", help="print only, do not write")
    args = parser.parse_args()
    print(run(Path(args.results_dir), write=not args.no_write))
    return 0


if __name__ == "__main__":
    sys.exit(main())
