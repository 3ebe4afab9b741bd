"""``bench check MODEL``: the conformance kit from the command line, with timings."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from bench.plugins.checks import run_checks
from bench.plugins.params import parse_assignments
from bench.plugins.registry import get_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check", help="run the plugin conformance kit on a model",
        description="Run every conformance check that applies to MODEL (bench.plugins.checks) "
                    "on tiny synthetic data (120 images) and print a pass/fail table with "
                    "timings. Exits 1 if any check fails.")
    parser.add_argument("model", metavar="MODEL",
                        help="a registered model name, or an import path such as "
                             "sklearn.svm.LinearSVC")
    parser.add_argument("--set", dest="overrides", action="append", metavar="NAME=VALUE",
                        help="extra test parameter (repeatable), on top of the model's "
                             "test_params")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    spec = get_model(args.model)
    overrides = parse_assignments(args.overrides)
    if overrides:
        spec.resolve({**spec.test_params, **overrides})  # a bad value fails here, clearly
        spec = replace(spec, test_params={**spec.test_params, **overrides})
    print(f"checking {spec.name} ({spec.source or '?'}"
          + (f", {spec.distribution}" if spec.distribution else "") + ")", flush=True)

    def progress(result) -> None:
        mark = "ok" if result.passed else "FAIL"
        print(f"  {result.check:<30} {mark:<5} {result.seconds:6.1f} s", flush=True)

    results = run_checks(spec, on_result=progress)
    failed = [r for r in results if not r.passed]
    print()
    print(tabulate([[r.check, "pass" if r.passed else "FAIL", f"{r.seconds:.2f}",
                     (r.expected_failure and f"expected failure: {r.expected_failure}") or ""]
                    for r in results], headers=["check", "result", "seconds", "note"]))
    for r in failed:
        print(f"\n{r.check} failed: {r.message}", file=sys.stderr)
    total = sum(r.seconds for r in results)
    print(f"\n{len(results) - len(failed)} of {len(results)} checks passed in {total:.1f} s")
    return 1 if failed else 0
