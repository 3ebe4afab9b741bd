"""``bench run`` (one job) and ``bench run-all`` (the plan): thin layers over bench.api."""

from __future__ import annotations

import argparse
import os
import sys

from tabulate import tabulate

from bench import api
from bench.cli.options import settings_options
from bench.errors import UsageError
from bench.files import terminal_text

#: More seeds than anyone runs; a typo like --seeds 100000000 is an error, not a MemoryError.
MAX_SEEDS = 1000


def add_parser(sub: argparse._SubParsersAction) -> None:
    one = sub.add_parser("run", help="train and evaluate one model on one dataset",
                         description="Train one model on one dataset (full data by default), "
                                     "print train and test accuracy and write a JSON result.",
                         parents=[settings_options()])
    one.add_argument("--model", required=True, help="model name (see `bench list`)")
    one.add_argument("--dataset", required=True, choices=api.DATASET_NAMES, help="the dataset")
    one.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _common(one, profile_default="full")
    one.set_defaults(func=run_one_command)

    many = sub.add_parser("run-all", help="run every model x dataset x seed, then the reports",
                          description="Run a plan of models x datasets x seeds under a "
                                      "profile, skipping jobs whose ok result exists, then "
                                      "regenerate the reports. A plain run-all is the reference "
                                      "run (suite reference): the built-in models with their "
                                      "learning curve and epoch sweep, plus the model zoo "
                                      "(suite xiao2017); --suite default runs the built-ins "
                                      "alone. --dry-run only lists the jobs with time "
                                      "estimates.",
                          parents=[settings_options()])
    many.add_argument("--models", nargs="+", metavar="MODEL", help="only these models")
    many.add_argument("--datasets", nargs="+", metavar="DATASET",
                      choices=api.DATASET_NAMES, help="only these datasets")
    seeds = many.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=int, metavar="N",
                       help=f"run seeds 0..N-1 (default: the suite's, else {len(api.DEFAULT_SEEDS)})")
    seeds.add_argument("--seed", type=int, metavar="S", help="run the single seed S")
    _common(many, profile_default=None)
    many.add_argument("--suite", metavar="NAME|FILE",
                      help="run a suite: a built-in name (`bench list --suites`) or a TOML file "
                           "(see docs/suites.md); --models, --datasets, --seeds, --profile, "
                           "--train-size, --set and --grid narrow or override it")
    many.add_argument("--grid", action="append", nargs="+", metavar=("NAME=VALUE", "VALUE"),
                      help="sweep a parameter: NAME=VALUE [VALUE ...], one shell word per value "
                           "(commas stay inside a value: --grid hidden_units=256,128 512); "
                           "several --grid options make a product")
    many.add_argument("--include-heavy", action="store_true",
                      help="also run the suite entries marked heavy (e.g. the paper's "
                           "GradientBoosting), not only their stand-ins")
    many.add_argument("--dry-run", action="store_true",
                      help="list the jobs, which are cached, and the time estimated for the "
                           "others from earlier results; run nothing")
    many.add_argument("--reports-dir", default="reports", help="where reports go (default reports/)")
    many.add_argument("--no-report", action="store_true", help="do not regenerate the reports")
    many.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                      help="jobs in parallel on this machine; BLAS threads are split between "
                           "them (default: the number of cores)")
    many.add_argument("--backend", choices=("local", "dask"), default="local",
                      help="local worker processes, or a Dask cluster (needs --scheduler)")
    many.add_argument("--scheduler", metavar="ADDRESS",
                      help="Dask scheduler address, e.g. tcp://HOST:8786 (with --backend dask)")
    many.set_defaults(func=run_all_command)


def _common(parser: argparse.ArgumentParser, profile_default: str) -> None:
    budgets = ("smoke: 2,000 train / 1,000 test images, 1 epoch; quick: 10,000 train images, "
               "2 epochs; full: all 60,000 / 10,000 images")
    parser.add_argument("--profile", choices=tuple(api.PROFILES), default=profile_default,
                        help=f"data and epoch budget ({budgets}; default {profile_default})"
                        if profile_default else
                        f"data and epoch budget ({budgets}; default: the suite's profile, else "
                        "full; under another profile a suite runs without its learning curve, "
                        "epoch sweeps and included suites)")
    parser.add_argument("--set", dest="overrides", action="append", metavar="NAME=VALUE",
                        help="override a model parameter (repeatable; MODEL.NAME=VALUE for one "
                             "model)")
    parser.add_argument("--corruptions", metavar="none|default|NAME,...",
                        help="also evaluate each headline job on these corrupted test sets "
                             "(`bench list --corruptions`; default: the suite's, else none)")
    parser.add_argument("--train-size", type=int, metavar="N",
                        help="train on a stratified, seeded subset of N images")
    parser.add_argument("--results-dir", default="results", help="result store (default results/)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per job")
    parser.add_argument("--force", action="store_true", help="rerun jobs that have ok results")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _config(args: argparse.Namespace) -> api.ExecutionConfig:
    return api.ExecutionConfig(jobs=getattr(args, "jobs", 1), timeout=args.timeout,
                               backend=getattr(args, "backend", "local"),
                               scheduler=getattr(args, "scheduler", None), force=args.force,
                               quiet=args.quiet)


def run_one_command(args: argparse.Namespace) -> int:
    record = api.run_one(args.model, args.dataset, seed=args.seed, profile=args.profile,
                         overrides=api.parse_assignments(args.overrides),
                         train_size=args.train_size, results_dir=args.results_dir,
                         config=_config(args), corruptions=args.corruptions)
    path = api.record_path(args.results_dir, record.key)
    if record.status != "ok":
        print(f"{record.model} on {record.dataset} seed {record.seed}: {record.status}: "
              f"{terminal_text(record.error)}\nresult: {path}", file=sys.stderr)
        return 1
    print(f"{record.model} on {record.dataset} (seed {record.seed}, profile {record.profile}, "
          f"{record.train_size} train images)")
    print(f"train accuracy {record.train_accuracy:.4f}")
    print(f"test accuracy  {record.test_accuracy:.4f}")
    print(f"fit {record.fit_seconds:.1f} s; result: {path}")
    return 0


def run_all_command(args: argparse.Namespace) -> int:
    config = _config(args)
    config.validate()  # a dry run refuses what a real run would refuse
    jobs = plan_from_args(args)
    if args.suite and not args.include_heavy:
        heavy = api.find_suite(args.suite).heavy_models
        if heavy:
            print(f"skipping the heavy entries {', '.join(dict.fromkeys(heavy))} (their "
                  "stand-ins run instead; add --include-heavy to run them too)", file=sys.stderr)
    if args.dry_run:
        print_preview(api.preview(jobs, args.results_dir, args.force), args.jobs)
        return 0
    summary = api.run_jobs(jobs, args.results_dir, None if args.no_report else args.reports_dir,
                           config, experiment=args.suite)
    print_summary(summary)
    return 0 if summary.ok else 1


def plan_from_args(args: argparse.Namespace) -> list:
    """The jobs of ``run-all``: :func:`bench.api.plan_jobs` with the options given."""
    if args.seeds is not None and not 1 <= args.seeds <= MAX_SEEDS:
        raise UsageError(f"--seeds must be at least 1 and at most {MAX_SEEDS}, got {args.seeds}.")
    seeds = [args.seed] if args.seed is not None else args.seeds and list(range(args.seeds))
    return api.plan_jobs(args.models, args.datasets, seeds, args.profile,
                         api.parse_assignments(args.overrides), args.train_size,
                         suite=args.suite, grid=api.parse_grid_options(args.grid),
                         include_heavy=args.include_heavy, corruptions=args.corruptions)


def print_preview(preview, parallel: int) -> None:
    """The dry run: every job, cached or to run with its estimate, then the totals."""
    shown = api.varying_params([e.job for e in preview.estimates])
    rows = [["cached" if e.cached else "to run", e.job.label,
             " ".join(f"{k}={e.job.params[k]}" for k in shown.get(e.job.model, ())),
             "" if e.cached else (f"~{duration(e.seconds)}" if e.seconds is not None else "?"),
             "" if e.cached else e.basis] for e in preview.estimates]
    print(tabulate(rows, headers=["status", "job", "parameters", "estimate", "from"]))
    todo = preview.to_run
    print(f"\n{len(preview.estimates)} jobs: {preview.cached} cached, {len(todo)} to run.")
    if todo:
        known = len(todo) - preview.unknown
        total = preview.known_seconds
        line = (f"estimated {duration(total)} of job time for {known} of them"
                if known else "no estimate: no earlier results for these models and datasets")
        if known and parallel > 1:
            line += f" (about {duration(total / parallel)} with --jobs {parallel})"
        if known and preview.unknown:
            line += f"; {preview.unknown} without an estimate (no earlier run of that model " \
                    "on that dataset)"
        print(line + ".")


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def print_summary(summary) -> None:
    counts = ", ".join(f"{n} {status}" for status, n in summary.counts.items() if n)
    print(f"\n{len(summary.records)} jobs: {counts} ({summary.executed} run, {summary.cached} "
          f"cached) in {summary.wall_seconds:.1f} s; results in {summary.results_dir}/runs/")
    ok = [r for r in summary.records if r.status == "ok"]
    main = [r for r in ok if r.role == "headline"] or [r for r in ok if r.role == "curve"]
    if main:
        shown = api.varying_params(main)  # a grid's configurations get a row each
        table: dict[str, dict[str, list[float]]] = {}
        for r in sorted(main, key=lambda r: (api.configuration_order(r), r.train_size)):
            name = api.configuration_label(r, shown) + (
                f" n={r.train_size}" if r.role == "curve" else "")
            table.setdefault(name, {}).setdefault(r.dataset, []).append(r.test_accuracy)
        datasets = sorted({r.dataset for r in main})
        rows = [[model] + [f"{sum(v) / len(v):.4f}" if (v := table[model].get(d)) else "-"
                           for d in datasets] for model in table]
        print(tabulate(rows, headers=["test accuracy (mean over seeds)"] + datasets))
    slow = summary.slowest()
    if slow and summary.executed:
        print("slowest: " + "; ".join(f"{r.model} on {r.dataset} seed {r.seed} "
                                      f"{r.wall_seconds:.0f} s" for r in slow))
    failed = [r for r in summary.records if r.status != "ok"]
    for r in failed:
        print(f"{r.status}: {r.model} on {r.dataset} seed {r.seed}: {terminal_text(r.error)}",
              file=sys.stderr)
    if summary.reports:
        print(f"reports: {summary.reports[0].parent}/")
