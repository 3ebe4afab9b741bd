"""Benchmark: logistic regression's old defaults against the new ones, fit time and accuracy.

On the full training set of both datasets (seed 0), one thread (OMP/OpenBLAS/MKL set to 1
before numpy loads), the plugin's estimator (``StandardisedLogisticRegression``: StandardScaler
+ multinomial L2 LogisticRegression, L-BFGS) is fitted with the previous defaults and with each
candidate, the fits interleaved (baseline, candidates, baseline, ...) so that load from other
processes hits them alike. Reported per dataset: fit CPU seconds and wall seconds (medians),
the candidate's cost as a ratio of the baseline's, iterations, convergence and test accuracy.

    BENCH_DATA_DIR=../shared/data python perf/logistic_defaults.py [--repeats 3]

Writes the section ``logistic-defaults`` of ``docs/performance.md``.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # before numpy/scipy load their BLAS

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

from common import default_data_dir, machine, store_numbers, write_section  # noqa: E402

BASELINE = {"C": 0.01, "max_iter": 1000, "tol": 1e-4}  # the defaults of version 1
CANDIDATES = ({"C": 0.01, "max_iter": 1000, "tol": 1e-3},)
DATASETS = ("fashion-mnist", "mnist")


def load(dataset: str):
    import numpy as np

    from bench.data import load_dataset
    from bench.data.inputs import prepare_inputs
    from bench.data.subsets import test_indices, train_indices

    data = load_dataset(dataset)
    train = train_indices(data.y_train, len(data.y_train), 0, dataset)
    test = test_indices(data.y_test, len(data.y_test), dataset)
    return (prepare_inputs(data.x_train[train], "flat"), data.y_train[train].astype(np.int64),
            prepare_inputs(data.x_test[test], "flat"), data.y_test[test].astype(np.int64))


def fit_once(params: dict, data) -> dict:
    from bench.models.logistic_regression import StandardisedLogisticRegression

    x_train, y_train, x_test, y_test = data
    estimator = StandardisedLogisticRegression(**params, seed=0)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    estimator.fit(x_train, y_train)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"cpu_s": cpu, "wall_s": wall, "n_iter": estimator.n_iter_,
            "converged": estimator.converged_, "test_accuracy": estimator.score(x_test, y_test)}


def label(params: dict) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in params.items())


def measure(settings: list[dict], repeats: int) -> dict[str, dict[str, list[dict]]]:
    """dataset -> settings label -> one result per repeat (settings interleaved)."""
    results: dict[str, dict[str, list[dict]]] = {}
    for dataset in DATASETS:
        data = load(dataset)
        results[dataset] = {label(p): [] for p in settings}
        for _ in range(repeats):
            for params in settings:
                result = fit_once(params, data)
                results[dataset][label(params)].append(result)
                print(dataset, label(params), json.dumps(result), file=sys.stderr, flush=True)
    return results


def med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def section(results: dict[str, dict[str, list[dict]]], repeats: int, note: str) -> str:
    lines = []
    for dataset, by_setting in results.items():
        base = by_setting[label(BASELINE)]
        for name, runs in by_setting.items():
            accuracy = {r["test_accuracy"] for r in runs}
            acc = (f"{runs[0]['test_accuracy'] * 100:.2f}" if len(accuracy) == 1 else
                   "/".join(f"{a * 100:.2f}" for a in sorted(accuracy)))
            delta = (runs[0]["test_accuracy"] - base[0]["test_accuracy"]) * 100
            iters = sorted({r["n_iter"] for r in runs})
            lines.append(
                f"| {dataset} | {name}{' (old)' if runs is base else ''} | "
                f"{med(runs, 'cpu_s'):.1f} | {med(runs, 'cpu_s') / med(base, 'cpu_s'):.2f} | "
                f"{med(runs, 'wall_s'):.1f} | {med(runs, 'wall_s') / med(base, 'wall_s'):.2f} | "
                f"{'/'.join(map(str, iters))} | {'yes' if all(r['converged'] for r in runs) else 'no'} | "
                f"{acc} | {delta:+.2f} |")
    table = "\n".join(lines)
    return f"""## Logistic regression: cheaper defaults

`StandardisedLogisticRegression` (StandardScaler + multinomial L2 `LogisticRegression`, L-BFGS)
fitted on the full training set of each dataset (seed 0) on one thread, the old defaults and the
candidates interleaved, {repeats} fit(s) each. *CPU* is the process CPU time of the fit, the
robust measure on a shared machine (with one thread it is the time a quiet core would take);
*wall* includes waiting for the core. Ratios are candidate / old defaults, medians.

Measured {date.today().isoformat()} on {machine()}, with `python perf/logistic_defaults.py`.
{note}

| dataset | settings | fit CPU (s) | CPU ratio | fit wall (s) | wall ratio | iterations | converged | test accuracy (%) | Δ accuracy (pp) |
| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |
{table}
"""


def numbers(results: dict[str, dict[str, list[dict]]]) -> dict[str, dict]:
    """Per dataset: the old defaults' and each candidate's median fit CPU seconds, CPU ratio
    and test accuracy (one thread), for ``docs/performance-data.json``."""
    out: dict[str, dict] = {}
    for dataset, by_setting in results.items():
        base = by_setting[label(BASELINE)]
        out[dataset] = {name: {"cpu_s": round(med(runs, "cpu_s"), 2),
                               "cpu_ratio": round(med(runs, "cpu_s") / med(base, "cpu_s"), 3),
                               "test_accuracy": runs[0]["test_accuracy"],
                               "old": runs is base}
                        for name, runs in by_setting.items()}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fits per setting (default 3)")
    parser.add_argument("--candidate", action="append", type=json.loads,
                        help='extra settings as JSON, e.g. \'{"C": 0.01, "max_iter": 1000, '
                             '"tol": 0.002}\' (repeatable; default: the new defaults)')
    parser.add_argument("--note", default="", help="a sentence on the machine's load, for the doc")
    parser.add_argument("--save", help="also write the raw measurements to this JSON file")
    parser.add_argument("--load", help="write the section from a --save file, running nothing")
    parser.add_argument("--no-write", action="store_true", help="print only, do not write")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_DATA_DIR", default_data_dir())
    if args.load:
        results = json.loads(Path(args.load).read_text())
    else:
        results = measure([BASELINE, *(args.candidate or CANDIDATES)], args.repeats)
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=1))
    text = section(results, args.repeats, args.note)
    print(text)
    if not args.no_write:
        write_section("logistic-defaults", text)
        store_numbers("logistic-defaults", numbers(results),
                      " ".join(["python perf/logistic_defaults.py", *sys.argv[1:]]), args.note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
