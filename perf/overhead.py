"""Benchmark: harness overhead of ``bench run`` against the bare estimator in a script.

For each built-in model on the full Fashion-MNIST data (seed 0), times
- ``python -m bench run ... --force`` as a whole process, and the job's own wall time
  from its record (data load, fit, evaluation on train and test, metrics, provenance);
- a bare script: the same estimator from ``spec.build`` fitted with ``fit`` and scored with
  ``score`` on train and test, timed as a whole process and around fit + score alone.
Ratios compare the two with and without interpreter / framework start-up.

    BENCH_DATA_DIR=../shared/data python perf/overhead.py [--repeats 3]
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
from datetime import date
from pathlib import Path

from common import ROOT, default_data_dir, machine, summary, write_section

DATASET = "fashion-mnist"
# The CNN's default 10 epochs take minutes per run; 2 epochs keep the benchmark short and
# make the fixed harness costs weigh more, not less, in the ratio.
OVERRIDES = {"small-cnn": {"epochs": "2"}}

BARE = """
import json, sys, time
import numpy as np
from bench.data import load_dataset
from bench.registry import get_model
from bench.data.inputs import prepare_inputs
spec = get_model(sys.argv[1])
params = spec.resolve(json.loads(sys.argv[2]))
monitor = sys.argv[4] == "monitor"
t0 = time.perf_counter()
data = load_dataset(sys.argv[3])
x_train = prepare_inputs(data.x_train, spec.input_kind)
x_test = prepare_inputs(data.x_test, spec.input_kind)
y_train, y_test = data.y_train.astype(np.int64), data.y_test.astype(np.int64)
estimator = spec.build(params, 0)
estimator.fit(x_train, y_train, **({"monitor": (x_test, y_test)} if monitor else {}))
train_acc, test_acc = estimator.score(x_train, y_train), estimator.score(x_test, y_test)
t1 = time.perf_counter()
print(json.dumps({"fit_eval_s": t1 - t0, "test_accuracy": test_acc}))
"""


def run_bench(model: str, results: Path, env: dict) -> dict:
    sets = [f"--set={k}={v}" for k, v in OVERRIDES.get(model, {}).items()]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench", "run", "--model", model, "--dataset", DATASET,
                    "--seed", "0", "--force", "--quiet", "--results-dir", str(results), *sets],
                   env=env, cwd=ROOT, check=True, capture_output=True)
    process_s = time.perf_counter() - start
    record = json.loads(max((results / "runs").glob(f"{model}__*.json"),
                            key=os.path.getmtime).read_text())
    return {"process_s": process_s, "job_s": record["wall_seconds"],
            "fit_s": record["fit_seconds"], "test_accuracy": record["test_accuracy"]}


def run_bare(model: str, env: dict, monitor: bool = False) -> dict:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", BARE, model, json.dumps(OVERRIDES.get(model, {})),
                          DATASET, "monitor" if monitor else "plain"],
                         env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def bare_environment(env: dict) -> dict:
    """The bare script gets the thread settings a single bench job gets."""
    from bench.threads import thread_environment

    return {**env, **thread_environment(os.cpu_count() or 1)}


def measure(models: list[str], repeats: int, data_dir: str) -> dict[str, dict[str, list]]:
    from bench.registry import get_model

    env = {**os.environ, "BENCH_DATA_DIR": data_dir, "TF_CPP_MIN_LOG_LEVEL": "2"}
    out: dict[str, dict[str, list]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        for model in models:
            rows: dict[str, list] = {}
            for _ in range(repeats):
                for key, value in run_bench(model, Path(tmp), env).items():
                    rows.setdefault(f"bench_{key}", []).append(value)
                for key, value in run_bare(model, bare_environment(env)).items():
                    rows.setdefault(f"bare_{key}", []).append(value)
                if get_model(model).neural:
                    monitored = run_bare(model, bare_environment(env), monitor=True)
                    rows.setdefault("monitored_fit_eval_s", []).append(monitored["fit_eval_s"])
                print(model, {k: round(v[-1], 3) for k, v in rows.items()}, file=sys.stderr)
            out[model] = rows
    return out


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(a) / statistics.median(b)


def section(results: dict[str, dict[str, list]], repeats: int) -> str:
    lines, monitor_lines = [], []
    for model, r in results.items():
        note = ", ".join(f"{k}={v}" for k, v in OVERRIDES.get(model, {}).items())
        name = f"{model}{f' ({note})' if note else ''}"
        lines.append(
            f"| {name} | {summary(r['bare_fit_eval_s'], 1)} | "
            f"{summary(r['bench_job_s'], 1)} | {ratio(r['bench_job_s'], r['bare_fit_eval_s']):.3f} | "
            f"{summary(r['bare_process_s'], 1)} | {summary(r['bench_process_s'], 1)} | "
            f"{ratio(r['bench_process_s'], r['bare_process_s']):.3f} |")
        if "monitored_fit_eval_s" in r:
            monitor_lines.append(
                f"| {name} | {summary(r['monitored_fit_eval_s'], 1)} | "
                f"{ratio(r['monitored_fit_eval_s'], r['bare_fit_eval_s']):.3f} | "
                f"{ratio(r['bench_job_s'], r['monitored_fit_eval_s']):.3f} |")
    table = "\n".join(lines)
    monitor_table = "\n".join(monitor_lines)
    return f"""## Harness overhead

`bench run --model M --dataset {DATASET} --seed 0` on the full data against the same estimator
(`spec.build(params, 0)`) fitted and scored on train and test in a bare script with the same thread
settings. Seconds, median (min–max) of {repeats} runs. *In-job* compares the record's
`wall_seconds` (data load, input preparation, fit, `predict_proba` on train and test, metrics,
confusion matrix, provenance; for neural models also the per-epoch test monitoring) with the
script's data load, input preparation, fit and `score` on train and test; *process* compares
whole processes, interpreter and framework start-up included (`bench run` also starts a worker
process).

Measured {date.today().isoformat()} on {machine()}, with `python perf/overhead.py`.

| model | bare load + fit + score (s) | bench job (s) | ratio | bare process (s) | bench process (s) | ratio |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{table}

Neural models: the harness also evaluates the test set after every epoch, for the per-epoch
curves of the overfitting report (monitoring only; it never selects anything). The bare script
with the same monitoring (`fit(..., monitor=(x_test, y_test))`) separates that feature's cost
from the harness machinery:

| model | bare with monitoring (s) | monitoring cost (ratio to bare) | bench job vs bare with monitoring |
| --- | ---: | ---: | ---: |
{monitor_table}
"""


def main() -> int:
    from bench.registry import available_models

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=None)
    parser.add_argument("--data-dir", default=default_data_dir())
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    models = args.models or [m.name for m in available_models()]
    text = section(measure(models, args.repeats, args.data_dir), args.repeats)
    print(text)
    if not args.no_write:
        write_section("overhead", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
