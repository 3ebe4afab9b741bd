"""``bench run`` (one job) and ``bench run-all`` (the plan): thin layers over bench.runner."""

from __future__ import annotations

import argparse
import os
import sys

from bench.runner.plan import DEFAULT_SEEDS
from bench.runner.profiles import PROFILES

#: More seeds than anyone runs; a typo like --seeds 100000000 is an error, not a MemoryError.
MAX_SEEDS = 1000


def add_parser(sub: argparse._SubParsersAction) -> None:
    one = sub.add_parser("run", help="train and evaluate one model on one dataset",
                         description="Train one model on one dataset (full data by default), "
                                     "print train and test accuracy and write a JSON result.")
    one.add_argument("--model", required=True, help="model name (see `bench list`)")
    one.add_argument("--dataset", required=True, choices=("mnist", "fashion-mnist"))
    one.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _common(one, profile_default="full")
    one.set_defaults(func=run_one_command)

    many = sub.add_parser("run-all", help="run every model x dataset x seed, then the reports",
                          description="Run every registered model on both datasets over seeds "
                                      "under a profile, skipping jobs whose ok result exists, "
                                      "then regenerate the reports.")
    many.add_argument("--models", nargs="+", metavar="MODEL", help="only these models")
    many.add_argument("--datasets", nargs="+", metavar="DATASET",
                      choices=("mnist", "fashion-mnist"), help="only these datasets")
    seeds = many.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=int, metavar="N",
                       help=f"run seeds 0..N-1 (default {len(DEFAULT_SEEDS)})")
    seeds.add_argument("--seed", type=int, metavar="S", help="run the single seed S")
    _common(many, profile_default="full")
    many.add_argument("--reports-dir", default="reports", help="where reports go (default reports/)")
    many.add_argument("--no-report", action="store_true", help="do not regenerate the reports")
    many.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                      help="jobs in parallel on this machine; BLAS threads are split between "
                           "them (default: the number of cores)")
    many.add_argument("--backend", choices=("local", "dask"), default="local",
                      help="local worker processes, or a Dask cluster (needs --scheduler)")
    many.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address")
    many.set_defaults(func=run_all_command)


def _common(parser: argparse.ArgumentParser, profile_default: str) -> None:
    parser.add_argument("--profile", choices=tuple(PROFILES), default=profile_default,
                        help=f"data and epoch budget (default {profile_default})")
    parser.add_argument("--set", dest="overrides", action="append", metavar="NAME=VALUE",
                        help="override a model parameter (repeatable; MODEL.NAME=VALUE for one "
                             "model)")
    parser.add_argument("--train-size", type=int, metavar="N",
                        help="train on a stratified, seeded subset of N images")
    parser.add_argument("--results-dir", default="results", help="result store (default results/)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per job")
    parser.add_argument("--force", action="store_true", help="rerun jobs that have ok results")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _config(args: argparse.Namespace):
    from bench.runner import ExecutionConfig

    return ExecutionConfig(jobs=getattr(args, "jobs", 1), timeout=args.timeout,
                           backend=getattr(args, "backend", "local"),
                           scheduler=getattr(args, "scheduler", None), force=args.force,
                           quiet=args.quiet)


def _check_seed(seed: int) -> int:
    if not 0 <= seed < 2**32:
        from bench.errors import UsageError

        raise UsageError(f"--seed must be between 0 and {2**32 - 1}, got {seed}.")
    return seed


def run_one_command(args: argparse.Namespace) -> int:
    _check_seed(args.seed)
    from bench.params import parse_assignments
    from bench.results.store import record_path
    from bench.runner import run_one

    record = run_one(args.model, args.dataset, seed=args.seed, profile=args.profile,
                     overrides=parse_assignments(args.overrides), train_size=args.train_size,
                     results_dir=args.results_dir, data_dir=args.data_dir, config=_config(args))
    path = record_path(args.results_dir, record.key)
    if record.status != "ok":
        print(f"{record.model} on {record.dataset} seed {record.seed}: {record.status}: "
              f"{record.error}\nresult: {path}", file=sys.stderr)
        return 1
    print(f"{record.model} on {record.dataset} (seed {record.seed}, profile {record.profile}, "
          f"{record.train_size} train images)")
    print(f"train accuracy {record.train_accuracy:.4f}")
    print(f"test accuracy  {record.test_accuracy:.4f}")
    print(f"fit {record.fit_seconds:.1f} s; result: {path}")
    return 0


def run_all_command(args: argparse.Namespace) -> int:
    from bench.params import parse_assignments
    from bench.runner import run_all

    if args.seed is not None:
        seeds = [_check_seed(args.seed)]
    elif args.seeds is not None:
        if not 1 <= args.seeds <= MAX_SEEDS:
            from bench.errors import UsageError

            raise UsageError(f"--seeds must be at least 1 and at most {MAX_SEEDS}, got {args.seeds}.")
        seeds = list(range(args.seeds))
    else:
        seeds = list(DEFAULT_SEEDS)
    summary = run_all(args.models, args.datasets, seeds, args.profile,
                      parse_assignments(args.overrides), args.train_size, args.results_dir,
                      None if args.no_report else args.reports_dir, args.data_dir,
                      _config(args))
    print_summary(summary)
    return 0 if summary.ok else 1


def print_summary(summary) -> None:
    from tabulate import tabulate

    counts = ", ".join(f"{n} {status}" for status, n in summary.counts.items() if n)
    print(f"\n{len(summary.records)} jobs: {counts} ({summary.executed} run, {summary.cached} "
          f"cached) in {summary.wall_seconds:.1f} s; results in {summary.results_dir}/runs/")
    main = [r for r in summary.records if r.status == "ok" and not r.learning_curve]
    if main:
        table: dict[str, dict[str, list[float]]] = {}
        for r in main:
            table.setdefault(r.model, {}).setdefault(r.dataset, []).append(r.test_accuracy)
        datasets = sorted({r.dataset for r in main})
        rows = [[model] + [f"{sum(v) / len(v):.4f}" if (v := table[model].get(d)) else "-"
                           for d in datasets] for model in sorted(table)]
        print(tabulate(rows, headers=["test accuracy (mean over seeds)"] + datasets))
    slow = summary.slowest()
    if slow and summary.executed:
        print("slowest: " + "; ".join(f"{r.model} on {r.dataset} seed {r.seed} "
                                      f"{r.wall_seconds:.0f} s" for r in slow))
    failed = [r for r in summary.records if r.status != "ok"]
    for r in failed:
        print(f"{r.status}: {r.model} on {r.dataset} seed {r.seed}: {r.error}", file=sys.stderr)
    if summary.reports:
        print(f"reports: {summary.reports[0].parent}/")
