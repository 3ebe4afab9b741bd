"""``bench report``: markdown reports and figures from the result store (trains nothing)."""

from __future__ import annotations

import argparse

from bench import api
from bench.cli.options import settings_options


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report", help="write markdown reports and figures from the result store",
        description="Turn the result store into reports/README.md, accuracy.md, overfitting.md, "
                    "mnist-too-easy.md and figures/*.png, in a folder marked by "
                    "reports/.bench-reports. Trains nothing; the same results give byte-identical "
                    "files. A folder holding other files and no such marker is refused. "
                    "Data-derived evidence (single-pixel separability, sample images) is cached "
                    "under <results>/analysis/ and computed from the data (--data-dir) only when "
                    "missing.",
        parents=[settings_options()])
    parser.add_argument("--results-dir", default="results", metavar="DIR",
                        help="result store to read (default: results)")
    parser.add_argument("--reports-dir", default="reports", metavar="DIR",
                        help="folder to write the reports into (default: reports)")
    parser.add_argument("--profile", metavar="NAME", default=None,
                        help="profile to report (default: the largest profile with results)")
    parser.add_argument("--suite", metavar="NAME|FILE", help="report this suite's experiment "
                        "instead, in <reports-dir>/suites/<name>/ (the reference reports left "
                        "alone; see docs/suites.md)")
    parser.set_defaults(func=run_report)
    return parser


def run_report(args: argparse.Namespace) -> int:
    if args.suite:
        print("wrote " + str(api.report_suite(args.suite, args.results_dir, args.reports_dir,
                                              args.profile)[0]))
        return 0
    written = api.report(args.results_dir, args.reports_dir, profile=args.profile)
    pages = [p for p in written if p.suffix == ".md"]
    figures = [p for p in written if p.suffix == ".png"]
    print(f"wrote {len(pages)} reports, the page index.html and {len(figures)} figures in "
          f"{args.reports_dir} (start at {pages[0]})")
    return 0
