"""Harness overhead: ``bench run`` against the same estimator fitted in a bare script.

For each model (seed 0, full data of one dataset) and repeat:
- ``python -m bench run`` into a fresh results folder, timed as a whole process; its record
  gives the job's own wall and CPU seconds (data load, fit, predictions on train and test,
  metrics; for models trained in epochs also the per-epoch test monitoring);
- a bare script that imports the record's ``model_source`` (the model's ``ModelSpec``), builds
  the estimator with the record's parameters, loads the data with ``load_dataset``, fits (with
  the same test-set monitoring for models trained in epochs) and scores train and test. An
  untimed fit on 500 images first imports the model's libraries, as the harness's warm worker
  does before a job's clock starts.
Prints a markdown table of median (min–max) seconds and the bench / bare ratios.

    BENCH_DATA_DIR=../shared/data python perf/overhead.py [--models M ...] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, markdown_table, measured_on, spread

MODELS = ("logistic-regression", "random-forest", "keras-mlp", "small-cnn")
# The CNN's default 10 epochs take many minutes per run; 2 make the harness's fixed costs weigh more.
DEFAULT_SETS = ("small-cnn.epochs=2",)
# What the harness sets in a job's worker (bench/threads.py): BLAS and OpenMP on one thread.
THREADS = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                  "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")}

BARE = """
import importlib, json, sys, time
import numpy as np
from bench.data import load_dataset
source, params, dataset = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
module, _, attr = source.partition(":")
spec = getattr(importlib.import_module(module), attr)
shape = (-1, 28, 28, 1) if spec.input_kind == "image" else (-1, 784)
def inputs(data):
    x_train, x_test = ((x.astype(np.float32) / np.float32(255)).reshape(shape)
                       for x in (data.x_train, data.x_test))
    return x_train, data.y_train.astype(np.int64), x_test, data.y_test.astype(np.int64)
def fit(x_train, y_train, x_test, y_test):
    estimator = spec.build(params, 0)
    monitor = {"monitor": (x_test, y_test)} if spec.trains_in_epochs else {}
    return estimator.fit(x_train, y_train, **monitor)
x_train, y_train, x_test, y_test = inputs(load_dataset(dataset))
fit(x_train[:500], y_train[:500], x_test[:100], y_test[:100])  # imports, as a warm worker has
wall, cpu = time.perf_counter(), time.process_time()
x_train, y_train, x_test, y_test = inputs(load_dataset(dataset))
estimator = fit(x_train, y_train, x_test, y_test)
estimator.score(x_train, y_train), estimator.score(x_test, y_test)
print(json.dumps({"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}))
"""


def timed_run(command: list[str], env: dict) -> tuple[float, str]:
    """Wall seconds and stdout of a process, which must succeed."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"`{' '.join(command[:6])} ...` failed (exit {done.returncode}):\n"
                         f"{done.stderr[-2000:]}")
    return time.perf_counter() - start, done.stdout


def bench_job(model: str, dataset: str, sets: list[str], env: dict) -> tuple[dict, float]:
    """The record of one ``bench run`` and the process's wall seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        seconds, _ = timed_run([sys.executable, "-m", "bench", "run", "--model", model,
                                "--dataset", dataset, "--seed", "0", "--quiet",
                                "--results-dir", tmp, *(f"--set={s}" for s in sets)], env)
        (path,) = Path(tmp, "runs").glob("*.json")
        return json.loads(path.read_text()), seconds


def bare_fit(record: dict, env: dict) -> dict:
    """Wall and CPU seconds of the bare load + fit + score, and of its whole process."""
    if ":" not in record["model_source"]:
        raise SystemExit(f"{record['model']}: not a model declared by a ModelSpec "
                         f"({record['model_source']}); the bare script needs one.")
    seconds, out = timed_run([sys.executable, "-c", BARE, record["model_source"],
                              json.dumps(record["params"]), record["dataset"]], env)
    return {**json.loads(out.splitlines()[-1]), "process_s": seconds}


def measure(models: list[str], dataset: str, sets: list[str], repeats: int) -> dict:
    """Per model, lists of seconds: bench job wall/CPU/process and bare wall/CPU/process."""
    env = {**os.environ, **THREADS, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out: dict[str, dict[str, list[float]]] = {}
    for model in models:
        mine = [s for s in sets if "." not in s.split("=")[0] or s.startswith(f"{model}.")]
        times: dict[str, list[float]] = out.setdefault(model, {})
        for _ in range(repeats):
            record, process_s = bench_job(model, dataset, mine, env)
            bare = bare_fit(record, env)
            for key, value in (("job_wall", record["wall_seconds"]),
                               ("job_cpu", record["cpu_seconds"]), ("job_process", process_s),
                               ("bare_wall", bare["wall_s"]), ("bare_cpu", bare["cpu_s"]),
                               ("bare_process", bare["process_s"])):
                times.setdefault(key, []).append(value)
            print(model, {k: round(v[-1], 2) for k, v in times.items()}, file=sys.stderr)
        times["label"] = [f"{model} ({', '.join(mine)})" if mine else model]  # type: ignore[list-item]
    return out


def table(results: dict) -> str:
    def ratio(t: dict, a: str, b: str) -> str:
        return f"{statistics.median(t[a]) / statistics.median(t[b]):.3f}"

    rows = [(t["label"][0], spread(t["bare_wall"]), spread(t["job_wall"]),
             ratio(t, "job_wall", "bare_wall"), spread(t["bare_cpu"]), spread(t["job_cpu"]),
             ratio(t, "job_cpu", "bare_cpu"), spread(t["bare_process"]),
             spread(t["job_process"]), ratio(t, "job_process", "bare_process"))
            for t in results.values()]
    return markdown_table(("model", "bare load + fit + score (s)", "bench job (s)", "ratio",
                           "bare CPU (s)", "bench job CPU (s)", "ratio", "bare process (s)",
                           "bench process (s)", "ratio"), rows, (False, *[True] * 9))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--dataset", default="fashion-mnist")
    parser.add_argument("--set", dest="sets", action="append", metavar="[MODEL.]NAME=VALUE",
                        help=f"passed to `bench run --set` (default: {' '.join(DEFAULT_SETS)})")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    sets = list(DEFAULT_SETS) if args.sets is None else args.sets
    results = measure(args.models, args.dataset, sets, args.repeats)
    print(f"{measured_on()} Command: `python perf/overhead.py {' '.join(sys.argv[1:])}`; "
          f"{args.dataset}, seed 0, full data; median (min–max) of {args.repeats}.\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
