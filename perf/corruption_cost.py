"""What evaluating on the corrupted test sets costs: measured at a modest size, projected from
the reference run's records.

1. Measured: each headline model of the reference plan (the built-ins and the xiao2017 zoo, the
   plan's parameters, seed 0) is fitted on ``--train-size`` MNIST training images in this
   process (BLAS on one thread, as in a job's worker); then timed: predicting the 10,000 clean
   test images, making the 13 corrupted test sets (once per dataset and worker in a run), and
   predicting them all, on the full test set and on the expensive predictors' fixed subset.
   Prediction cost grows with the training set only for instance- and kernel-based models
   (KNN, SVC), so this understates them; the projection below uses their full-size times.
2. From the records: for every headline record of ``results/`` (the full-size reference run),
   the evaluation's cost is its ``corruption_seconds`` where it has them (its time making the
   corrupted sets included), else projected: 13 x its clean ``predict_seconds`` (x 1,000 /
   10,000 where the runner's rule, ``bench.data.corruptions.evaluated_size``, picks the
   subset) plus making the sets once per dataset and worker; "added" is against the job's
   (or the whole run's) time without the evaluation.

    BENCH_DATA_DIR=../shared/data python perf/corruption_cost.py [--train-size 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from common import ROOT, markdown_table, measured_on

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.data import corruptions, load_dataset  # noqa: E402
from bench.data.inputs import prepare_inputs  # noqa: E402
from bench.data.subsets import train_indices  # noqa: E402
from bench.plan import plan_jobs  # noqa: E402
from bench.plugins.contract import estimator_proba  # noqa: E402
from bench.plugins.registry import get_model  # noqa: E402


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - start, value


def measure(train_size: int) -> float:
    """Print the measured table; return the seconds making the corrupted sets took."""
    data = load_dataset("mnist")
    make, sets = timed(lambda: {c: corruptions.corrupt(data.x_test, c, corruptions.CORRUPTION_SEED)
                                for c in corruptions.CORRUPTION_NAMES})
    subset = corruptions.evaluated_positions(data.y_test, corruptions.SUBSET_SIZE)
    jobs = {j.model: j for j in plan_jobs(profile="full") if j.role == "headline"}
    rows = []
    for model, job in jobs.items():
        spec = get_model(model)
        at = train_indices(data.y_train, train_size, 0, "mnist")
        estimator = spec.build(dict(job.params), 0)
        fit, _ = timed(estimator.fit, prepare_inputs(data.x_train[at], spec.input_kind),
                       np.asarray(data.y_train[at], dtype=np.int64))
        clean, _ = timed(estimator_proba, estimator,
                         prepare_inputs(data.x_test, spec.input_kind), model)
        full = sum(timed(estimator_proba, estimator, prepare_inputs(x, spec.input_kind),
                         model)[0] for x in sets.values())
        part = sum(timed(estimator_proba, estimator, prepare_inputs(x[subset], spec.input_kind),
                         model)[0] for x in sets.values())
        rows.append([model, f"{fit:.1f}", f"{clean:.2f}", f"{full:.1f}", f"{full / clean:.1f}",
                     f"{part:.1f}"])
        print(f"{model}: fit {fit:.1f} s, clean {clean:.2f} s, 13 corrupted {full:.1f} s",
              file=sys.stderr)
    print(f"{measured_on()} MNIST, {train_size:,} training images, 10,000 test images; making "
          f"the {len(sets)} corrupted test sets took {make:.1f} s.\n")
    print(markdown_table(["model", "fit (s)", "clean predict (s)", "13 corrupted (s)",
                          "ratio", f"13 x {corruptions.SUBSET_SIZE:,} subset (s)"], rows,
                         [False] + [True] * 5))
    return make


def project(results: str, make_seconds: float, workers: int) -> None:
    records = [json.loads(p.read_text()) for p in (ROOT / results / "runs").glob("*.json")]
    records = [r for r in records if r.get("status") == "ok"]
    n = len(corruptions.CORRUPTION_NAMES)
    rows, total_eval = [], 0.0
    for r in sorted((r for r in records if r.get("role") == "headline"),
                    key=lambda r: (r["model"], r["dataset"], r["seed"])):
        full, wall = n * r["predict_seconds"], r["wall_seconds"]
        size = corruptions.evaluated_size(r["test_size"], full, wall)
        cost = full * size / r["test_size"]
        if r.get("corruption_seconds") is not None:  # measured: the record's own figures
            size, cost = r["corruption_test_size"], r["corruption_seconds"]
            wall -= cost
        total_eval += cost
        rows.append((r["model"], r["dataset"], size, cost, wall))
    merged: dict[tuple[str, str], list] = {}
    for model, dataset, size, cost, wall in rows:
        entry = merged.setdefault((model, dataset), [size, 0.0, 0.0, 0])
        entry[1:] = [entry[1] + cost, entry[2] + wall, entry[3] + 1]
    table = [[m, d, f"{s:,}", str(k), f"{c:.0f}", f"{w:.0f}", f"{100 * c / w:.1f}%"]
             for (m, d), (s, c, w, k) in merged.items()]
    measured = any(r.get("corruption_seconds") is not None for r in records)
    making = 0.0 if measured else 2 * workers * make_seconds  # else in corruption_seconds
    job_time = sum(r["wall_seconds"] - (r.get("corruption_seconds") or 0) for r in records)
    print(markdown_table(["model", "dataset", "images per corruption", "jobs",
                          "evaluation (s)", "job time (s)", "added"], table,
                         [False, False, True, True, True, True, True]))
    print(f"\nAll {len(records)} jobs: {job_time / 3600:.2f} h of job time; the evaluation of "
          f"the {len(rows)} headline jobs: {total_eval / 60:.1f} min of predictions + "
          f"{making / 60:.1f} min making the corrupted sets ({workers} workers x 2 datasets"
          f"{', in the records' if measured else ''}) = "
          f"{100 * (total_eval + making) / job_time:.1f}% added.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=2_000)
    parser.add_argument("--results-dir", default="results")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--make-seconds", type=float, default=None,
                        help="seconds to make the 13 corrupted sets of one dataset (default: "
                             "measure them; skips the per-model measurement)")
    args = parser.parse_args()
    if args.make_seconds is None:
        args.make_seconds = measure(args.train_size)
        print()
    project(args.results_dir, args.make_seconds, args.workers)


if __name__ == "__main__":
    main()
