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

from common import ROOT, default_data_dir, machine, store_numbers, summary, write_section

DATASET = "fashion-mnist"
# The CNN's default 10 epochs take minutes per run; 2 epochs keep the benchmark short and
# make the fixed harness costs weigh more, not less, in the ratio.
OVERRIDES = {"small-cnn": {"epochs": "2"}}

BARE = """
import json, sys, time
import numpy as np
from bench.data import load_dataset
from bench.plugins.registry import get_model
from bench.data.inputs import prepare_inputs
spec = get_model(sys.argv[1])
params = spec.resolve(json.loads(sys.argv[2]))
monitor = sys.argv[4] == "monitor"
t0, c0 = time.perf_counter(), time.process_time()
data = load_dataset(sys.argv[3])
x_train = prepare_inputs(data.x_train, spec.input_kind)
x_test = prepare_inputs(data.x_test, spec.input_kind)
y_train, y_test = data.y_train.astype(np.int64), data.y_test.astype(np.int64)
estimator = spec.build(params, 0)
estimator.fit(x_train, y_train, **({"monitor": (x_test, y_test)} if monitor else {}))
train_acc, test_acc = estimator.score(x_train, y_train), estimator.score(x_test, y_test)
t1, c1 = time.perf_counter(), time.process_time()
print(json.dumps({"fit_eval_s": t1 - t0, "fit_eval_cpu_s": c1 - c0, "test_accuracy": test_acc}))
"""


# One job in this process with clocks (wall and CPU seconds) around its parts: where the
# in-job time of a neural model goes. The fit's own clock includes the monitoring's.
BREAKDOWN = """
import json, sys, time
parts = {}
def clock(name, fn):
    def wrapped(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            entry = parts.setdefault(name, [0.0, 0.0])
            entry[0] += time.perf_counter() - wall
            entry[1] += time.process_time() - cpu
    return wrapped
import bench.data, bench.plugins.estimators as estimators
from bench.runner import provenance
from bench.runner.execution import execute_job
from bench.plan.jobs import plan_jobs
bench.data.load_dataset = clock("data load", bench.data.load_dataset)
estimators.KerasClassifierBase.fit = clock("fit", estimators.KerasClassifierBase.fit)
estimators.KerasClassifierBase.predict_proba = clock(
    "predict_proba (train + test)", estimators.KerasClassifierBase.predict_proba)
provenance.collect = clock("provenance (after the job's clock)", provenance.collect)
import_keras = estimators._keras
def clocked_keras():
    keras, tf = import_keras()
    from keras.src.backend.tensorflow.trainer import TensorFlowTrainer
    if not hasattr(TensorFlowTrainer.evaluate, "clocked"):
        TensorFlowTrainer.evaluate = clock("monitoring (evaluate per epoch)",
                                           TensorFlowTrainer.evaluate)
        TensorFlowTrainer.evaluate.clocked = True
    return keras, tf
estimators._keras = clocked_keras
job = plan_jobs([sys.argv[1]], [sys.argv[2]], [0], "full", json.loads(sys.argv[3]),
                learning_curve=False)[0]
record = execute_job(job)
parts["job"] = [record.wall_seconds, record.cpu_seconds]
print(json.dumps(parts))
"""


def run_breakdown(model: str, env: dict) -> dict[str, tuple[float, float]]:
    """(wall, cpu) seconds of each clocked part of one in-process job of ``model``."""
    overrides = json.dumps(OVERRIDES.get(model, {}))
    out = subprocess.run([sys.executable, "-c", BREAKDOWN, model, DATASET, overrides],
                         env=bare_environment(env), cwd=ROOT, check=True, capture_output=True,
                         text=True)
    return {k: tuple(v) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}


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
            "job_cpu_s": record["cpu_seconds"],
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
    from bench.plugins.registry import get_model

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
                if get_model(model).trains_in_epochs:
                    monitored = run_bare(model, bare_environment(env), monitor=True)
                    rows.setdefault("monitored_fit_eval_s", []).append(monitored["fit_eval_s"])
                    rows.setdefault("monitored_fit_eval_cpu_s", []).append(
                        monitored["fit_eval_cpu_s"])
                    for part, (_wall, cpu) in run_breakdown(model, env).items():
                        rows.setdefault(f"part_cpu_s:{part}", []).append(cpu)
                print(model, {k: round(v[-1], 3) for k, v in rows.items()}, file=sys.stderr)
            out[model] = rows
    return out


def cpu_tables(results: dict[str, dict[str, list]], repeats: int) -> str:
    """CPU-time comparison (robust on a busy machine) and, for neural models, where it goes."""
    rows, parts = [], []
    for model, r in results.items():
        if "bench_job_cpu_s" not in r or "bare_fit_eval_cpu_s" not in r:
            continue
        monitored = r.get("monitored_fit_eval_cpu_s")
        rows.append(
            f"| {model} | {summary(r['bare_fit_eval_cpu_s'], 1)} | "
            f"{summary(r['bench_job_cpu_s'], 1)} | "
            f"{ratio(r['bench_job_cpu_s'], r['bare_fit_eval_cpu_s']):.3f} | "
            + (f"{summary(monitored, 1)} | {ratio(monitored, r['bare_fit_eval_cpu_s']):.3f} | "
               f"{ratio(r['bench_job_cpu_s'], monitored):.3f} |" if monitored else "| | |"))
        clocked = {k.split(":", 1)[1]: v for k, v in r.items() if k.startswith("part_cpu_s:")}
        if clocked:
            job = statistics.median(clocked["job"])
            fit, monitor = (statistics.median(clocked.get(k, [0.0]))
                            for k in ("fit", "monitoring (evaluate per epoch)"))
            shown = {"fit without monitoring": fit - monitor,
                     **{k: statistics.median(v) for k, v in clocked.items()
                        if k not in ("fit", "job")}}
            inside = sum(v for k, v in shown.items() if not k.startswith("provenance"))
            shown["rest of the job (indices, metrics, record, imports)"] = job - inside
            for part, value in shown.items():
                parts.append(f"| {model} | {part} | {value:.2f} | {value / job * 100:.1f}% |")
            parts.append(f"| {model} | **job (`cpu_seconds`)** | {job:.2f} | 100% |")
    if not rows:
        return ""
    table, part_table = "\n".join(rows), "\n".join(parts)
    return f"""### CPU time

Process CPU seconds of the same comparison (median (min–max) of {repeats}): on a machine shared
with other busy processes the wall time mostly measures waiting for a core, while the CPU time of
a single-threaded job is what it costs. *bench job* is the record's `cpu_seconds`; *bare* covers
the bare script's data load, input preparation, fit and `score` on train and test; *with
monitoring* is the bare script fitting with `monitor=(x_test, y_test)` as the harness does.

| model | bare (CPU s) | bench job (CPU s) | ratio | bare with monitoring (CPU s) | monitoring cost (ratio to bare) | bench job vs bare with monitoring |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{table}

Where a neural model's job time goes: one job in a process of its own with clocks around its
parts (CPU seconds, median of {repeats}; the monitoring is Keras's `evaluate` of the test set
after every epoch, run inside `fit`; provenance is collected after the job's clock stops, so it is
not part of `cpu_seconds`; TensorFlow's import happens in the first `fit`):

| model | part | CPU (s) | share of the job |
| --- | --- | ---: | ---: |
{part_table}
"""


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

{cpu_tables(results, repeats)}

### Wall time

`bench run --model M --dataset {DATASET} --seed 0` on the full data against the same estimator
(`spec.build(params, 0)`) fitted and scored on train and test in a bare script with the same thread
settings. Seconds, median (min–max) of {repeats} runs. *In-job* compares the record's
`wall_seconds` (data load, input preparation, fit, `predict_proba` on train and test, metrics,
confusion matrix; for neural models also the per-epoch test monitoring) with the
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


def numbers(results: dict[str, dict[str, list]]) -> dict[str, dict[str, float]]:
    """Per model, the in-job ratios of the section (wall; CPU where measured), for
    ``docs/performance-data.json``."""
    pairs = {"wall_ratio": ("bench_job_s", "bare_fit_eval_s"),
             "cpu_ratio": ("bench_job_cpu_s", "bare_fit_eval_cpu_s"),
             "wall_ratio_vs_monitored": ("bench_job_s", "monitored_fit_eval_s"),
             "cpu_ratio_vs_monitored": ("bench_job_cpu_s", "monitored_fit_eval_cpu_s")}
    return {model: {name: round(ratio(r[a], r[b]), 3) for name, (a, b) in pairs.items()
                    if r.get(a) and r.get(b)}
            for model, r in results.items()}


def main() -> int:
    from bench.plugins.registry import available_models

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=None)
    parser.add_argument("--data-dir", default=default_data_dir())
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--section", default="overhead",
                        help="name of the docs/performance.md section to write (default overhead)")
    parser.add_argument("--save", help="also write the raw measurements to this JSON file")
    parser.add_argument("--load", help="write the section from a --save file, running nothing")
    args = parser.parse_args()
    models = args.models or [m.name for m in available_models()]
    if args.load:
        results = json.loads(Path(args.load).read_text())
    else:
        results = measure(models, args.repeats, args.data_dir)
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=1))
    text = section(results, args.repeats)
    print(text)
    if not args.no_write:
        write_section(args.section, text)
        command = " ".join(["python perf/overhead.py", *sys.argv[1:]])
        store_numbers(args.section, numbers(results), command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
