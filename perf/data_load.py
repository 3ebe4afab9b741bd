"""Loading MNIST + Fashion-MNIST: cold, warm, and a naive gzip baseline, as a markdown table.

Cold (empty harness cache) and "warm, fresh process" loads each run in a new interpreter with
``BENCH_CACHE_DIR`` pointing at a temporary cache; the other rows run in this process. Only the
loading is timed, not the interpreter start or ``import bench.data``.

    BENCH_DATA_DIR=../shared/data python perf/data_load.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ROOT, markdown_table, measured_on, spread

from bench.data import DATASET_NAMES, load_dataset

CHILD = """
import json, time
t0 = time.perf_counter()
from bench.data import DATASET_NAMES, load_dataset
t1 = time.perf_counter()
for name in DATASET_NAMES:
    load_dataset(name)
print(json.dumps({"import_s": t1 - t0, "load_s": time.perf_counter() - t1}))
"""


def fresh_process(cache: Path, data_dir: Path) -> dict[str, float]:
    """Import and load seconds in a new interpreter using ``cache`` as the harness cache."""
    env = dict(os.environ, BENCH_CACHE_DIR=str(cache), BENCH_DATA_DIR=str(data_dir))
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def timed(func, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def naive_load(data_dir: Path) -> None:
    """The baseline: every ``.gz`` file gunzipped and wrapped with ``np.frombuffer``, no checks."""
    for path in sorted(data_dir.glob("*/*.gz")):
        with gzip.open(path) as fh:
            data = fh.read()
        np.frombuffer(data, np.uint8, offset=4 + 4 * data[3])  # IDX header: magic + one int per dim


def load_both(read_pixels: bool = False) -> None:
    for name in DATASET_NAMES:
        dataset = load_dataset(name)
        if read_pixels:  # the cached arrays are memory maps, read on first use
            for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
                array.max()


def measure(data_dir: Path, repeats: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"cold": [], "import": []}
    with tempfile.TemporaryDirectory(prefix="bench-data-load-") as tmp:
        for i in range(repeats):
            run = fresh_process(Path(tmp) / f"cold-{i}", data_dir)
            times["cold"].append(run["load_s"])
            times["import"].append(run["import_s"])
        warm = Path(tmp) / "cold-0"
        times["warm_process"] = [fresh_process(warm, data_dir)["load_s"] for _ in range(repeats)]
        os.environ.update(BENCH_CACHE_DIR=str(warm), BENCH_DATA_DIR=str(data_dir))
        load_both()
        times["warm"] = timed(load_both, repeats)
        times["warm_read"] = timed(lambda: load_both(read_pixels=True), repeats)
    times["naive"] = timed(lambda: naive_load(data_dir), repeats)
    return times


def table(times: dict[str, list[float]]) -> str:
    rows = [("cold: empty cache, fresh process", "cold"),
            ("warm: fresh process", "warm_process"),
            ("warm: same process", "warm"),
            ("warm + read every pixel once", "warm_read"),
            ("naive baseline: `gzip.open(...).read()` + `np.frombuffer`, no checks", "naive")]
    return markdown_table(("load of both datasets", f"ms, median (min–max) of {len(times['cold'])}"),
                          [(label, spread(times[key], 1000)) for label, key in rows], (False, True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=os.environ.get("BENCH_DATA_DIR"),
                        help="folder holding mnist/ and fashion-mnist/ (default: $BENCH_DATA_DIR)")
    args = parser.parse_args()
    if args.data_dir is None or not args.data_dir.is_dir() or args.repeats < 1:
        parser.error("give --data-dir (or BENCH_DATA_DIR): a folder holding mnist/ and "
                     "fashion-mnist/ IDX files; and --repeats of at least 1")
    times = measure(args.data_dir.resolve(), args.repeats)
    print(f"{measured_on()} Command: `python perf/data_load.py --repeats {args.repeats}`; "
          f"`import bench.data`: {statistics.median(times['import']) * 1000:.0f} ms (not counted).\n")
    print(table(times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
