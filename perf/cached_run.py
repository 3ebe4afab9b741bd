"""A fully cached ``python -m bench run-all`` against ``bench list`` and ``bench report``.

Each is timed as a whole process on a copy of the committed ``results/`` and ``reports/``
(nothing in the checkout changes), interleaved, after one untimed round; prints a markdown
table of median (min–max) seconds. Target: the cached run-all under 5 s, median of 5.

    BENCH_DATA_DIR=../shared/data python perf/cached_run.py [--repeats 5]

Every job of the plan must already have a record in ``--results-dir``: a job that would train
is stopped by ``--timeout`` and the script fails instead of timing a training run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, markdown_table, measured_on, spread

TARGET_S = 5.0
# A cached job never reaches the time limit; one that would train fails fast instead.
JOB_TIMEOUT_S = "30"


def bench_seconds(*args: str) -> float:
    """Wall seconds of one ``python -m bench ...`` process, which must succeed."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"`bench {' '.join(args)}` failed (exit {done.returncode}); is every "
                         f"job of the plan in the results folder?\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def measure(results: Path, reports: Path, repeats: int) -> dict[str, list[float]]:
    """Seconds per command, ``repeats`` interleaved rounds after an untimed one."""
    times: dict[str, list[float]] = {"run-all": [], "list": [], "report": []}
    with tempfile.TemporaryDirectory(prefix="bench-cached-") as tmp:
        results_copy, reports_copy = Path(tmp) / "results", Path(tmp) / "reports"
        shutil.copytree(results, results_copy)
        if reports.is_dir():
            shutil.copytree(reports, reports_copy)
        folders = ("--results-dir", str(results_copy), "--reports-dir", str(reports_copy))
        commands = {"run-all": ("run-all", *folders, "--timeout", JOB_TIMEOUT_S),
                    "list": ("list",), "report": ("report", *folders)}
        for round_ in range(repeats + 1):
            for name, args in commands.items():
                seconds = bench_seconds(*args)
                if round_:  # the first round warms the OS and Python caches
                    times[name].append(seconds)
    return times


def table(times: dict[str, list[float]]) -> str:
    run_all = statistics.median(times["run-all"])
    verdict = "met" if run_all < TARGET_S else "**missed**"
    rows = [("`python -m bench run-all` (every job cached)", spread(times["run-all"]),
             f"< {TARGET_S:.0f} s: {verdict}"),
            ("`python -m bench list`", spread(times["list"]), ""),
            ("`python -m bench report`", spread(times["report"]), "")]
    return markdown_table(("command", f"seconds, median (min–max) of {len(times['list'])}",
                           "target"), rows, (False, True, False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--results-dir", type=Path, default=ROOT / "results")
    parser.add_argument("--reports-dir", type=Path, default=ROOT / "reports")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    times = measure(args.results_dir, args.reports_dir, args.repeats)
    print(f"{measured_on()} Command: `python perf/cached_run.py --repeats {args.repeats}`.\n")
    print(table(times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
