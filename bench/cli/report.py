"""``bench report``: markdown reports and figures from the result store (trains nothing)."""

from __future__ import annotations

import argparse

from bench import api
from bench.cli.options import settings_options


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report",
        help="write markdown reports and figures from the result store",
        description=(
            "Turn the result store into reports/README.md, accuracy.md, overfitting.md, "
            "mnist-too-easy.md and figures/*.png, listed in reports/.manifest.json. Trains "
            "nothing; the same results give byte-identical files, and unchanged results are "
            "not redrawn. Only the files the manifest lists are ever replaced or deleted; a "
            "folder holding other files is refused. Data-derived evidence (single-pixel "
            "separability, sample images) is cached under <results>/analysis/ and computed "
            "from the data (--data-dir) only when missing."
        ),
        parents=[settings_options()],
    )
    parser.add_argument("--results-dir", default="results", metavar="DIR",
                        help="result store to read (default: results)")
    parser.add_argument("--reports-dir", default="reports", metavar="DIR",
                        help="folder to write the reports into (default: reports)")
    parser.add_argument("--profile", metavar="NAME", default=None,
                        help="profile to report (default: the largest profile with results)")
    parser.add_argument("--force", action="store_true",
                        help="redraw even when the results and report code are unchanged")
    parser.set_defaults(func=run_report)
    return parser


def run_report(args: argparse.Namespace) -> int:
    written = api.report(args.results_dir, args.reports_dir, profile=args.profile, force=args.force)
    pages = [p for p in written if p.suffix == ".md"]
    done = "wrote" if written.redrawn else "up to date (results and report code unchanged):"
    print(f"{done} {len(pages)} reports and {len(written) - len(pages)} figures in "
          f"{args.reports_dir} (start at {pages[0]})")
    return 0
