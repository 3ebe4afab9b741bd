"""The reference run from its records: time per part of the plan and the model zoo per family.

Reads ``results/runs/*.json`` and ``results/run-info*.json`` only (trains nothing, loads no
dataset) and prints markdown tables. A record's part is its ``role`` (headline, curve,
sweep); headline records of models named by import path (``sklearn.svm.SVC``) are the zoo.

    python perf/reference_run.py [--results-dir results] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from common import ROOT, markdown_table

ZOO = "model zoo"
PARTS = {"headline": "headline", "curve": "learning curve", "sweep": "per-epoch sweep"}
ORDER = (*PARTS.values(), ZOO)


def part(record: dict) -> str:
    """The part of the plan a record belongs to (zoo: a headline job of an import-path model)."""
    role = record.get("role") or "headline"
    if role == "headline" and "." in record["model"]:
        return ZOO
    return PARTS.get(role, role)


def minutes(records: list[dict], field: str = "wall_seconds") -> float:
    return sum(r.get(field) or 0.0 for r in records) / 60


def by_part(records: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        groups[part(record)].append(record)
    return dict(sorted(groups.items(), key=lambda g: ORDER.index(g[0]) if g[0] in ORDER else 99))


def part_table(groups: dict[str, list[dict]]) -> str:
    rows = []
    for name, rs in groups.items():
        peaks = [r["peak_memory_mb"] for r in rs if r.get("peak_memory_mb")]
        started = min(r.get("started_at") or "" for r in rs)
        finished = max(r.get("finished_at") or "" for r in rs)
        commits: dict[str, int] = defaultdict(int)
        for r in rs:
            commits[((r.get("provenance") or {}).get("git_commit") or "?")[:7]] += 1
        rows.append((name, len(rs), f"{minutes(rs):.1f}", f"{minutes(rs, 'cpu_seconds'):.1f}",
                     f"{max(peaks):.0f}" if peaks else "",
                     f"{started[:10]} {started[11:16]}–{finished[11:16]}",
                     ", ".join(f"`{c}` ({n})" for c, n in sorted(commits.items()))))
    every = [r for rs in groups.values() for r in rs]
    rows.append(("**total**", len(every), f"{minutes(every):.1f}",
                 f"{minutes(every, 'cpu_seconds'):.1f}", "", "", ""))
    return markdown_table(("part", "jobs", "job wall time, sum (min)", "job CPU time, sum (min)",
                           "peak memory, max (MB)", "records made (UTC)", "code commit (records)"),
                          rows, (False, True, True, True, True, False, False))


def model_table(groups: dict[str, list[dict]]) -> str:
    cells: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for name, rs in groups.items():
        for r in rs:
            cells[ZOO if name == ZOO else r["model"]][name] += (r.get("wall_seconds") or 0.0) / 60
    rows = [(model, *(f"{c[p]:.1f}" if p in c else "" for p in groups), f"{sum(c.values()):.1f}")
            for model, c in sorted(cells.items(), key=lambda i: -sum(i[1].values()))]
    return markdown_table(("model", *groups, "all"), rows, (False, *[True] * (len(groups) + 1)))


def run_table(infos: list[dict]) -> str:
    rows = [(f"`{i.get('command')}`", (i.get("started_at") or "")[:16],
             f"{i.get('jobs')} ({i.get('jobs_executed')} run)",
             f"{(i.get('wall_seconds') or 0) / 60:.1f}") for i in infos]
    return markdown_table(("command", "started (UTC)", "jobs", "wall time (min)"), rows,
                          (False, False, True, True))


def zoo_table(records: list[dict]) -> str:
    """One row per zoo record, the estimators with the largest summed job wall time first."""
    cost: dict[str, float] = defaultdict(float)
    for r in records:
        cost[r["model"]] += r.get("wall_seconds") or 0.0
    rows = []
    for r in sorted(records, key=lambda r: (-cost[r["model"]], r["model"], r["dataset"])):
        name = r["model"].rsplit(".", 1)[-1]
        if r.get("status", "ok") != "ok":
            rows.append((name, r["dataset"], r.get("status"), "", "", "", ""))
            continue
        peak = r.get("peak_memory_mb")
        rows.append((name, r["dataset"], f"{r['fit_seconds']:.1f}", f"{r['predict_seconds']:.1f}",
                     f"{r['wall_seconds']:.1f}", f"{peak:.0f}" if peak else "",
                     f"{r['test_accuracy'] * 100:.2f}"))
    return markdown_table(("estimator", "dataset", "fit (s)", "predict (s)", "wall (s)",
                           "peak memory (MB)", "test accuracy (%)"),
                          rows, (False, False, True, True, True, True, True))


def read_json(paths: list[Path]) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(paths)]


def report(results: Path, workers: int) -> str:
    records = read_json(list((results / "runs").glob("*.json")))
    if not records:
        raise SystemExit(f"no records in {results / 'runs'}: nothing to summarise.")
    infos = {(i.get("command"), i.get("started_at")): i
             for i in read_json(list(results.glob("run-info*.json")))}
    groups = by_part(records)
    built_in = [r for name, rs in groups.items() if name != ZOO for r in rs]
    every = [r for rs in groups.values() for r in rs]
    zoo = groups.get(ZOO, [])
    return "\n\n".join([
        f"Time per part of the plan, from the {len(records)} records in `{results.name}/runs`:",
        part_table(groups),
        "Job wall time per model and part (min):",
        model_table(groups),
        f"Job wall time summed / {workers} workers: {minutes(every) / workers:.1f} min "
        f"({minutes(built_in) / workers:.1f} min without the zoo); job CPU time / {workers}: "
        f"{minutes(every, 'cpu_seconds') / workers:.1f} min "
        f"({minutes(built_in, 'cpu_seconds') / workers:.1f} min without the zoo).",
        "Invocations recorded in `run-info*.json`:",
        run_table(sorted(infos.values(), key=lambda i: i.get("started_at") or "")),
        f"The model zoo per estimator ({len(zoo)} jobs, {minutes(zoo):.1f} min of job wall time, "
        f"{minutes(zoo, 'cpu_seconds'):.1f} min of CPU time):",
        zoo_table(zoo),
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results-dir", type=Path, default=ROOT / "results")
    parser.add_argument("--workers", type=int, default=2, help="the run's --jobs (default 2)")
    args = parser.parse_args()
    print(report(args.results_dir, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
