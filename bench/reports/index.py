"""reports/README.md: the answer first, the headline table, links, and how the run was made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.reports.inputs import ReportInputs, dataset_title
from bench.reports.measures import Measures
from bench.reports.page import Page, join_blocks, scope_line
from bench.reports.safe import code, md
from bench.reports.tables import COMBINED_RULE, MISSING, combined_cell, markdown_table, seconds
from bench.reports.too_easy import the_answer
from bench.results.record import RunRecord

PAGES = (
    ("accuracy.md", "Accuracy",
     "test/train accuracy with intervals and fit time, cost vs accuracy, this harness vs Xiao "
     "et al. 2017, the MNIST → Fashion drop, per-class accuracy, confusions"),
    ("overfitting.md", "Overfitting",
     "generalisation gap with intervals, flags, per-epoch curves of the neural models"),
    ("mnist-too-easy.md", "Is MNIST too easy?",
     "saturation, discrimination, data efficiency, transfer, the one-pixel folklore, headroom "
     "(each with intervals), the errors the best model still makes, references"),
)
PROVENANCE_ORDER = ("python", "platform", "cpu", "cpu_count", "git_commit")
MAX_ERROR = 160


def headline_table(inputs: ReportInputs, m: Measures) -> str:
    """Model x dataset: test accuracy (%) with the combined interval, and fit time."""
    rows = []
    for model in inputs.models:
        row, fits = [md(model)], []
        for d in inputs.datasets:
            recs = inputs.runs_of(model, d)
            cell = m.boot.full(model, d)
            if not recs or cell is None:
                row.append(MISSING)
                continue
            row.append(combined_cell([r.test_accuracy for r in recs], cell.n_test,
                                     cell.effective_runs))
            fits.append(seconds(cell.fit_seconds))
        rows.append(row + [" / ".join(fits) or MISSING])
    headers = ["model", *[f"{dataset_title(d)} test acc. (%)" for d in inputs.datasets],
               "fit time per run (" + " / ".join(dataset_title(d) for d in inputs.datasets)
               + ")"]
    return markdown_table(headers, rows, ["left"] + ["right"] * (len(inputs.datasets) + 1))


def _provenance(inputs: ReportInputs) -> dict[str, Any]:
    """The run-info's provenance, else the first headline record's (validated objects)."""
    return ((inputs.run_info or {}).get("provenance")
            or next((r.provenance for r in inputs.runs if r.provenance), {}))


def _when(inputs: ReportInputs) -> tuple[str, str, str]:
    """(started, finished, wall time) from run-info.json, else from the records."""
    info = inputs.run_info or {}
    started = info.get("started_at") or min((r.started_at for r in inputs.runs if r.started_at),
                                            default=MISSING)
    finished = info.get("finished_at") or max(
        (r.finished_at for r in inputs.runs if r.finished_at), default=MISSING)
    if isinstance(info.get("wall_seconds"), int | float):
        wall = seconds(float(info["wall_seconds"]))
    else:
        total = sum(r.wall_seconds or 0.0 for r in (*inputs.runs, *inputs.curve_runs))
        wall = f"{seconds(total)} (sum of the jobs' wall times; no run-info.json for this profile)"
    return str(started), str(finished), wall


def record_origins(records: Sequence[RunRecord]) -> list[list[str]]:
    """One row per code commit that made the records: commit, jobs, first start, last finish,
    the jobs' summed wall time; oldest first. Records may come from several invocations (a
    store is filled incrementally), and this says which."""
    groups: dict[str, list[RunRecord]] = {}
    for rec in records:
        commit = (rec.provenance or {}).get("git_commit")
        groups.setdefault(str(commit)[:12] if commit else "unknown", []).append(rec)
    rows = []
    for commit, recs in groups.items():
        starts = sorted(r.started_at for r in recs if r.started_at)
        ends = sorted(r.finished_at for r in recs if r.finished_at)
        rows.append([code(commit) if commit != "unknown" else "not recorded", f"{len(recs)}",
                     md(starts[0][:16].replace("T", " ")) if starts else MISSING,
                     md(ends[-1][:16].replace("T", " ")) if ends else MISSING,
                     seconds(sum(r.wall_seconds or 0.0 for r in recs))])
    return sorted(rows, key=lambda row: (row[2], row[0]))


def how_made(inputs: ReportInputs) -> str:
    info = inputs.run_info or {}
    prov = _provenance(inputs)
    started, finished, wall = _when(inputs)
    seeds = info.get("seeds") or sorted({r.seed for r in inputs.runs})
    rows = [["command", code(info["command"]) if info.get("command")
             else "not recorded (no run-info.json for this profile)"],
            ["profile", md(inputs.profile)],
            ["seeds", ", ".join(str(s) for s in seeds)],
            ["started", md(started)], ["finished", md(finished)], ["total wall time", wall]]
    if isinstance(info.get("jobs"), int):
        rows.append(["jobs", _jobs_cell(info["jobs"], info.get("jobs_executed"))])
    keys = [k for k in PROVENANCE_ORDER if k in prov]
    keys += sorted(k for k in prov if k not in PROVENANCE_ORDER and k != "packages"
                   and isinstance(prov[k], str | int | float | bool))
    rows += [[md(k.replace("_", " ")), md(prov[k])] for k in keys]
    origins = record_origins([*inputs.runs, *inputs.curve_runs, *inputs.sweep_runs])
    blocks = ["## How the run was made"]
    if len(origins) > 1:
        blocks.append("The latest invocation that trained jobs for this profile (its run-info; "
                      "the table after it lists every invocation the records come from):")
    blocks.append(markdown_table(["", ""], rows, ["left", "left"]))
    if len(origins) > 1:
        blocks += ["The records in the store come from several invocations (cached jobs are "
                   "reused, not re-run). By the code commit each worker started from (UTC; "
                   "records made before workers recorded it at start carry the commit at the "
                   "end of their first job):",
                   markdown_table(["code commit", "jobs", "first started", "last finished",
                                   "jobs' wall time, summed"], origins,
                                  ["left", "right", "left", "left", "right"])]
    packages = prov.get("packages")
    if isinstance(packages, dict) and packages:
        blocks += ["Package versions:",
                   markdown_table(["package", "version"],
                                  [[md(k), md(v)] for k, v in sorted(packages.items())],
                                  ["left", "left"])]
    return join_blocks(*blocks)


def _jobs_cell(jobs: int, executed) -> str:
    """How many jobs the run planned and how many it trained itself."""
    if not isinstance(executed, int):
        return f"{jobs}"
    if executed == jobs:
        return f"{jobs} (all trained in that run)"
    return f"{jobs} ({executed} trained in that run, the rest reused from the store)"


def _first_line(text: str | None) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= MAX_ERROR else line[:MAX_ERROR - 1] + "…"


def failures(records: tuple[RunRecord, ...], left_out: tuple[RunRecord, ...] = ()) -> str:
    blocks = ["## Jobs that did not succeed"]
    if not records:
        blocks.append("None: every job in the store finished with status `ok`.")
    else:
        rows = [[md(r.model), dataset_title(r.dataset), r.seed, md(r.profile),
                 f"{r.train_size:,}", r.status, md(_first_line(r.error)) or MISSING]
                for r in records]
        blocks += [f"{len(records)} job(s) did not finish with status `ok`; they are left out "
                   "of every statistic. Rerun them with the same command to retry.",
                   markdown_table(["model", "dataset", "seed", "profile", "train size", "status",
                                   "error"], rows)]
    if left_out:
        listed = "; ".join(f"{md(r.model)} on {dataset_title(r.dataset)} seed {r.seed}, "
                           f"{r.train_size:,} images ({code(r.key)})" for r in left_out)
        blocks.append(f"{len(left_out)} other successful record(s) for the same model, dataset, "
                      "seed and training size were left out, in favour of the parameters most "
                      f"of the model's runs share, then the latest: {listed}.")
    return join_blocks(*blocks)


ROBUSTNESS = ("robustness.md", "Robustness", "accuracy on corrupted test images (after MNIST-C) "
              "with intervals, its heatmap, the mean drop per model, accuracy on the line")


def render(inputs: ReportInputs, m: Measures) -> Page:
    """The index page (no figures of its own): the answer first."""
    pages = PAGES + ((ROBUSTNESS,) if any(r.corrupted for r in inputs.runs) else ())
    links = "\n".join(f"- [{title}]({name}): {what}." for name, title, what in pages)
    text = join_blocks(
        "# MNIST vs Fashion-MNIST: is MNIST too easy?",
        the_answer(inputs, m),
        "Generated by `python -m bench report` from the result store; regenerate rather than "
        "edit. " + scope_line(inputs),
        "## Headline: test accuracy",
        COMBINED_RULE[0].upper() + COMBINED_RULE[1:] + ", in percent. Fit time is the mean "
        "per run.",
        headline_table(inputs, m),
        "## Reports",
        links,
        how_made(inputs),
        failures(inputs.unsuccessful, inputs.left_out),
        ("## Notes\n\n" + "\n".join(f"- {n}" for n in inputs.notes)) if inputs.notes else "",
    )
    return Page("README.md", text)
