"""Benchmark: loading MNIST + Fashion-MNIST cold, warm, and with a naive gzip baseline.

Run from the repository root::

    BENCH_DATA_DIR=../shared/data python perf/data_load.py [--repeats 7] [--no-write]

Cold and "warm, fresh process" runs each start a new interpreter (cold: with an empty cache,
so every file is decompressed, verified and cached); the other rows run in this process. Only
the loading is timed, not the interpreter start or the imports. Writes the figures into
``docs/performance.md`` between ``<!-- data-load:start -->`` and ``<!-- data-load:end -->``.
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
from datetime import date
from pathlib import Path

import numpy as np
from common import (  # noqa: E402
    ROOT,
    default_data_dir,
    machine,
    store_numbers,
    summary,
    timed,
    write_section,
)

from bench.data import DATASET_NAMES, load_dataset  # noqa: E402
from bench.data.specs import FILENAMES  # noqa: E402

CHILD = """
import json, time
t0 = time.perf_counter()
from bench.data import DATASET_NAMES, load_dataset
t1 = time.perf_counter()
for name in DATASET_NAMES:
    load_dataset(name)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1}))
"""


def child_run(cache: Path, data_dir: Path) -> dict[str, float]:
    """Time the loads in a fresh interpreter using ``cache`` as the harness cache."""
    env = dict(os.environ, BENCH_CACHE_DIR=str(cache), BENCH_DATA_DIR=str(data_dir))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.splitlines()[-1])




def naive_load(data_dir: Path) -> dict[str, np.ndarray]:
    """The baseline: gzip.open + numpy.frombuffer, no checks at all."""
    arrays = {}
    for name in DATASET_NAMES:
        for role, filename in FILENAMES.items():
            with gzip.open(data_dir / name / f"{filename}.gz") as fh:
                data = fh.read()
            offset = 16 if role.endswith("images") else 8
            arrays[f"{name}/{role}"] = np.frombuffer(data, np.uint8, offset=offset)
    return arrays


def load_both() -> None:
    for name in DATASET_NAMES:
        load_dataset(name)


def load_both_and_read() -> None:
    """Warm load, then read every pixel once (the memory maps are read lazily)."""
    for name in DATASET_NAMES:
        dataset = load_dataset(name)
        for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
            array.max()






def measure(data_dir: Path, repeats: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"cold": [], "import": []}
    with tempfile.TemporaryDirectory(prefix="bench-data-load-") as tmp:
        for i in range(repeats):
            run = child_run(Path(tmp) / f"cold-{i}", data_dir)
            results["cold"].append(run["load_s"])
            results["import"].append(run["import_s"])
        warm_cache = Path(tmp) / "cold-0"
        results["warm_process"] = [
            child_run(warm_cache, data_dir)["load_s"] for _ in range(repeats)
        ]
        os.environ["BENCH_CACHE_DIR"] = str(warm_cache)
        os.environ["BENCH_DATA_DIR"] = str(data_dir)
        load_both()
        results["warm"] = timed(load_both, repeats)
        results["warm_read"] = timed(load_both_and_read, repeats)
    results["naive"] = timed(lambda: naive_load(data_dir), repeats)
    return results


def sizes_text(data_dir: Path) -> str:
    """Compressed and decompressed size of the 8 files."""
    from bench.data import DATASETS

    gz = sum(
        (data_dir / name / f"{f}.gz").stat().st_size
        for name in DATASET_NAMES
        for f in FILENAMES.values()
    )
    raw = 0
    for name in DATASET_NAMES:
        spec = DATASETS[name]
        for role in FILENAMES:
            n = spec.count(role)
            raw += 16 + n * 28 * 28 if role.endswith("images") else 8 + n
    return f"{gz / 1e6:.0f} MB gzipped, {raw / 1e6:.0f} MB decompressed"


def section(results: dict[str, list[float]], repeats: int, sizes: str) -> str:
    med = {k: statistics.median(v) for k, v in results.items()}
    rows = [
        (
            "cold: empty cache, fresh process",
            "cold",
            "gunzip + header checks + SHA-256 of all "
            "8 files, then the verified `.npy` cache is written",
        ),
        (
            "warm: fresh process",
            "warm_process",
            "first load in a new interpreter: manifest "
            "check (size/mtime) + `np.load(mmap_mode='r')`",
        ),
        ("warm: same process", "warm", "as above, repeated in one process"),
        (
            "warm + read every pixel once",
            "warm_read",
            "warm load, then `.max()` over all arrays (pages come from the OS page cache)",
        ),
        (
            "naive baseline",
            "naive",
            "`gzip.open(...).read()` + `np.frombuffer`, no checks, no cache",
        ),
    ]
    table = "\n".join(
        f"| {label} | {summary(results[key])} | {note} |" for label, key, note in rows
    )
    return f"""## Dataset loading

Both datasets (MNIST + Fashion-MNIST: 8 IDX files, {sizes}) loaded with
`load_dataset` from the shared data folder (`BENCH_DATA_DIR`), the source files already in the
OS page cache. Median (min–max) of {repeats} runs, loading only: interpreter start and
`import bench.data` (median {med["import"] * 1000:.0f} ms) are not included.

Measured {date.today().isoformat()} on {machine()}, with `python perf/data_load.py`.

| load of both datasets | ms | what it does |
| --- | ---: | --- |
{table}

A warm load is {med["naive"] / med["warm"]:.0f}x faster than the naive baseline and \
{med["cold"] / med["warm"]:.0f}x faster than a cold one. A cold load, which also verifies \
every checksum and writes the cache, costs {med["cold"] / med["naive"]:.1f}x the naive \
baseline, once. The cached arrays are read-only memory maps whose pages are read on first \
use; the "read every pixel" row includes that cost.
"""




def numbers(results: dict[str, list[float]]) -> dict[str, float]:
    """Median milliseconds per measurement, for ``docs/performance-data.json``."""
    return {f"{key}_ms": round(statistics.median(v) * 1000, 2) for key, v in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per measurement (default 7)")
    parser.add_argument(
        "--data-dir",
        default=default_data_dir(),
        help="folder holding mnist/ and fashion-mnist/ (default: $BENCH_DATA_DIR)",
    )
    parser.add_argument(
        "--output", default=str(ROOT / "docs" / "performance.md"), help="markdown file to update"
    )
    parser.add_argument("--no-write", action="store_true", help="print only, do not write")
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    results = measure(data_dir, args.repeats)
    text = section(results, args.repeats, sizes_text(data_dir))
    print(text)
    if not args.no_write:
        write_section("data-load", text, Path(args.output))
        store_numbers("data-load", numbers(results), "python perf/data_load.py")
        print(f"\nwritten to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
