"""docs/performance.md: the targets table, from stored measurements (or after running them all).

    BENCH_DATA_DIR=../shared/data python perf/performance.py --targets-only   # seconds
    BENCH_DATA_DIR=../shared/data python perf/performance.py                  # about 45 minutes

``--targets-only`` trains nothing: it reads the numbers each script stored in
``docs/performance-data.json`` and the committed records, and rewrites the ``targets``
section only. The full run first re-measures data loading, the harness overhead of every
model, the cached run-all and the smoke-plan scaling, and re-reads the reference run, each
script rewriting only its own sections; every other section of the document is kept.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import reference_run
import targets as t
from common import ROOT, store_numbers, stored_numbers, write_section

COMMANDS = (
    ("targets", "`python perf/performance.py --targets-only`", "no (seconds)"),
    ("reference-run, zoo-cost", "`python perf/reference_run.py`", "no (reads the records)"),
    ("cached-run-all", "`python perf/runner_perf.py --cached-only`", "no (about a minute)"),
    ("data-load", "`python perf/data_load.py`", "no"),
    ("overhead", "`python perf/overhead.py`", "yes: every model on the full data, ~40 min"),
    ("overhead-keras-mlp", "`python perf/overhead.py --models keras-mlp --repeats 2 "
     "--section overhead-keras-mlp`", "yes, minutes"),
    ("runner (scaling)", "`python perf/runner_perf.py`", "yes: the smoke plan, minutes"),
    ("dask-vs-local", "`python perf/dask_vs_local.py --previous`", "yes: smoke jobs, minutes"),
    ("logistic-defaults", "`python perf/logistic_defaults.py`", "yes: full fits, ~15 min"),
    ("cnn-backends", "`python perf/cnn_backends.py`", "yes: CNN epochs, ~1 h"),
    ("overhead-findings, logistic-findings, cnn-findings", "written by hand (findings)", "—"),
)


def same_thread_figures(stored_logistic: dict, defaults: dict) -> dict[str, dict]:
    """Per dataset, the current defaults against the old ones on one thread (CPU ratio,
    accuracies), from the stored logistic-defaults numbers."""
    label = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                      for k, v in defaults.items())
    out = {}
    for dataset, settings in stored_logistic.items():
        old = next((s for s in settings.values() if s.get("old")), None)
        new = settings.get(label)
        if old and new:
            out[dataset] = {"cpu_ratio": new["cpu_ratio"], "old_accuracy": old["test_accuracy"],
                            "new_accuracy": new["test_accuracy"]}
    return out


def collect_targets(stored: dict, records: list[dict], index: dict[str, str],
                    logistic_defaults: dict) -> list[t.Target]:
    """Every target of the table, from stored numbers, records and the plan's job keys."""
    numbers = {name: entry.get("numbers", {}) for name, entry in stored.items()}
    fits = t.logistic_fits(records)
    same = same_thread_figures(numbers.get("logistic-defaults", {}), logistic_defaults)
    cached = numbers.get("cached-run-all", {}).get("median_s", {})
    totals = reference_run.part_totals(records, index)
    built_in = [p for p in totals if p.part in reference_run.BUILT_IN_PARTS]
    per_model = reference_run.model_part_minutes(
        [r for r in records if index.get(r["key"]) in reference_run.BUILT_IN_PARTS], index)
    plan_minutes = sum(sum(cells.values()) for cells in per_model.values()) or 1.0
    figures = t.overhead_figures(stored)
    wall_before = {m: r["wall_ratio"] for m, r in numbers.get("overhead", {}).items()
                   if "wall_ratio" in r}
    return [
        t.warm_load_target(numbers.get("data-load", {}).get("warm_process_ms")),
        *(t.logistic_target(b, fits.get(b.dataset), same.get(b.dataset))
          for b in t.LOGISTIC_BASELINES),
        t.cached_target(cached.get("cached_run_all"), cached.get("list")),
        t.overhead_target(figures, wall_before),
        t.dask_target(numbers.get("dask-vs-local", {}).get("dask_over_local")),
        t.reference_run_target(sum(p.wall_s for p in built_in), sum(p.cpu_s for p in built_in),
                               reference_run.WORKERS,
                               {m: sum(c.values()) / plan_minutes for m, c in per_model.items()},
                               (numbers.get("reference-run", {}).get("one_run") or {}).get("wall_s")),
    ]


def provenance(stored: dict) -> str:
    """One line per stored measurement: section, date, command."""
    return "\n".join(f"- `{name}`: {entry.get('date')}, `{entry.get('command')}`"
                     + (f" ({entry['note']})" if entry.get("note") else "")
                     for name, entry in sorted(stored.items()))


def targets_section(rows: list[t.Target], stored: dict) -> str:
    commands = "\n".join(f"| {name} | {command} | {trains} |" for name, command, trains in COMMANDS)
    return f"""## Targets

Each section of this document is written by one script in `perf/` between its
`<!-- <section>:start -->` and `<!-- <section>:end -->` markers; a script rewrites only its own sections and
stores the numbers it measured under the same name in `docs/performance-data.json`. Run them
from the repository root with `BENCH_DATA_DIR=../shared/data`:

| section | regenerated by | trains? |
| --- | --- | --- |
{commands}

`python perf/performance.py` (no option) re-runs data-load, overhead, cached-run-all,
runner and reference-run, then this table. The table below is computed by
`python perf/performance.py --targets-only` from the stored numbers and the committed records
in `results/runs/`, without re-running any benchmark.

{t.targets_table(rows)}

Where the misses come from is measured in the sections below: the reference run per model and
part of the plan in *The reference run*; small-cnn's cost per epoch (TensorFlow's convolutions on
the one thread per job that keeps results independent of `--jobs`; JAX and XLA were no faster) in
the CNN sections; logistic regression's defaults, and why MNIST stays above a quarter in CPU
time, in the logistic-regression sections; the harness overhead parts in the overhead sections.

Stored measurements used (`docs/performance-data.json`):

{provenance(stored)}
"""


def write_targets(results: Path) -> str:
    from bench.plugins.registry import get_model

    stored = stored_numbers()
    records = reference_run.read_records(results)
    defaults = dict(get_model(t.LOGISTIC_MODEL).defaults)
    rows = collect_targets(stored, records, reference_run.planned_index(), defaults)
    text = targets_section(rows, stored)
    write_section("targets", text)
    return text


def run_everything(args: argparse.Namespace) -> None:
    """Every re-runnable benchmark of the targets, each writing its own sections."""
    import data_load
    import overhead
    import runner_perf

    from bench.plugins.registry import available_models

    data_dir = Path(args.data_dir).resolve()
    args.data_dir = str(data_dir)
    load = data_load.measure(data_dir, args.load_repeats)
    write_section("data-load", data_load.section(load, args.load_repeats,
                                                 data_load.sizes_text(data_dir)))
    store_numbers("data-load", data_load.numbers(load), "python perf/performance.py")
    models = [m.name for m in available_models()]
    overheads = overhead.measure(models, args.overhead_repeats, args.data_dir)
    write_section("overhead", overhead.section(overheads, args.overhead_repeats))
    store_numbers("overhead", overhead.numbers(overheads), "python perf/performance.py")
    runner_perf.run_cached(args, write=True)
    runner_perf.run_scaling(args, write=True)
    reference_run.run(Path(args.results_dir))


def main() -> int:
    import runner_perf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    runner_perf.add_arguments(parser)
    parser.add_argument("--load-repeats", type=int, default=7)
    parser.add_argument("--overhead-repeats", type=int, default=3)
    parser.add_argument("--targets-only", action="store_true",
                        help="only the targets table, from the stored numbers (trains nothing)")
    args = parser.parse_args()
    if not args.targets_only:
        run_everything(args)
    print(write_targets(Path(args.results_dir)))
    print(f"wrote the targets of {ROOT / 'docs' / 'performance.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
