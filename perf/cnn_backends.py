"""Benchmark: the small CNN's epoch time on one core, Keras 3 on TensorFlow vs JAX, and determinism.

Each variant trains ``models.small_cnn.SmallCNN``'s network (same architecture, batch size 128,
Adam, seed 0) on Fashion-MNIST (``--train-size`` images) in a fresh process pinned to one CPU,
twice, for ``--epochs`` epochs each; runs of the variants are interleaved so that load from
other processes on a shared machine hits them alike. Reported: CPU and wall seconds per epoch
(median over the epochs after the first, which also traces/compiles), process CPU seconds per
wall second, test-set prediction time, and whether the two same-seed runs gave bit-identical
test probabilities.

    BENCH_DATA_DIR=../shared/data python perf/cnn_backends.py [--jax-python PATH]

The JAX variant needs a Python with ``jax`` installed (default ``/work/venv-jax/bin/python``,
a separate virtual environment; see docs/performance.md); it is skipped when that is absent.
Writes the section ``cnn-backends`` of ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from common import ROOT, default_data_dir, machine, write_section

CHILD = r"""
import hashlib, json, os, sys, time
import numpy as np
backend, jit, epochs, predict_batch = sys.argv[1], sys.argv[2] == "jit", int(sys.argv[3]), int(sys.argv[4])
n_train = int(sys.argv[5])
if sys.argv[6] != "-":  # pin the whole process (every thread it starts) to one CPU
    os.sched_setaffinity(0, {int(sys.argv[6])})
import psutil
if backend == "tensorflow":
    from bench.plugins.estimators import _keras
    keras, tf = _keras()
    tf.config.experimental.enable_op_determinism()
else:
    import keras
from bench.data import load_dataset
from bench.data.inputs import prepare_inputs
from bench.models.small_cnn import SmallCNN

data = load_dataset("fashion-mnist")
x_train = prepare_inputs(data.x_train[:n_train], "image")
y_train = data.y_train[:n_train].astype(np.int64)
x_test = prepare_inputs(data.x_test, "image")
keras.utils.set_random_seed(0)
cnn = SmallCNN(seed=0)
model = cnn.build_network(keras, x_train.shape[1:])
if jit:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=cnn.learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=True)
process = psutil.Process()
marks = []
class Clock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        marks.append(("begin", time.perf_counter(), sum(process.cpu_times()[:2]), process.num_threads()))
    def on_epoch_end(self, epoch, logs=None):
        marks.append(("end", time.perf_counter(), sum(process.cpu_times()[:2]), process.num_threads()))
model.fit(x_train, y_train, epochs=epochs, batch_size=cnn.batch_size, shuffle=True, verbose=0,
          callbacks=[Clock()])
epoch_s, epoch_cpu_s, cpu_per_wall, threads = [], [], [], []
for (_, t0, c0, _), (_, t1, c1, n1) in zip(marks[0::2], marks[1::2]):
    epoch_s.append(t1 - t0); epoch_cpu_s.append(c1 - c0)
    cpu_per_wall.append((c1 - c0) / (t1 - t0)); threads.append(n1)
model.predict(x_test[:predict_batch], batch_size=predict_batch, verbose=0)
t0 = time.perf_counter()
proba = model.predict(x_test, batch_size=predict_batch, verbose=0)
predict_s = time.perf_counter() - t0
proba = np.asarray(proba, dtype=np.float32)
print(json.dumps({"epoch_s": epoch_s, "epoch_cpu_s": epoch_cpu_s, "cpu_per_wall": cpu_per_wall, "threads": threads,
                  "predict_s": predict_s, "keras": keras.__version__, "backend": keras.backend.backend(),
                  "test_accuracy": float((proba.argmax(1) == data.y_test).mean()),
                  "proba_sha256": hashlib.sha256(proba.tobytes()).hexdigest()}))
"""

ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                     "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")}
XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def variants(jax_python: str | None, pin: bool = False) -> dict[str, dict]:
    """name -> interpreter, backend, jit flag and environment of each variant."""
    found = {
        "tensorflow": {"python": sys.executable, "backend": "tensorflow", "jit": False},
        "tensorflow + jit_compile": {"python": sys.executable, "backend": "tensorflow",
                                     "jit": True},
    }
    if jax_python and Path(jax_python).exists():
        found["jax"] = {"python": jax_python, "backend": "jax", "jit": False}
    if pin:  # XLA starts threads of its own; pinning holds every variant to one CPU
        for variant in found.values():
            variant["cpu"] = min(os.sched_getaffinity(0))
    return found


def run_variant(variant: dict, epochs: int, predict_batch: int, data_dir: str,
                timeout: float, train_size: int = 60_000) -> dict:
    env = {**os.environ, **ONE_THREAD, "BENCH_DATA_DIR": data_dir, "TF_CPP_MIN_LOG_LEVEL": "3",
           "KERAS_BACKEND": variant["backend"], "XLA_FLAGS": XLA_ONE_THREAD,
           "PYTHONHASHSEED": "0"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    proc = subprocess.run([variant["python"], "-c", CHILD, variant["backend"],
                           "jit" if variant["jit"] else "plain", str(epochs), str(predict_batch),
                           str(train_size), str(variant.get("cpu", "-"))],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "?"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def measure(found: dict[str, dict], runs: int, epochs: int, predict_batch: int, data_dir: str,
            timeout: float, train_size: int = 60_000) -> dict[str, list[dict]]:
    """Interleaved: run 1 of every variant, then run 2 of every variant, ..."""
    results: dict[str, list[dict]] = {name: [] for name in found}
    for _ in range(runs):
        for name, variant in found.items():
            result = run_variant(variant, epochs, predict_batch, data_dir, timeout, train_size)
            results[name].append(result)
            print(name, json.dumps(result), file=sys.stderr, flush=True)
    return results


def later_epochs(runs: list[dict], key: str) -> list[float]:
    """``key`` of every epoch after the first of each run (all epochs if runs have only one)."""
    later = [v for r in runs for v in r[key][1:]]
    return later or [v for r in runs for v in r[key]]


def row(name: str, runs: list[dict], baseline: float | None, scale: float) -> str:
    if any("error" in r for r in runs):
        error = next(r["error"] for r in runs if "error" in r)
        return f"| {name} | failed: {error[:80]} | | | | | | | |"
    cpu = [v * scale for v in later_epochs(runs, "epoch_cpu_s")]
    wall = [v * scale for v in later_epochs(runs, "epoch_s")]
    first = statistics.median(r["epoch_cpu_s"][0] * scale for r in runs)
    med = statistics.median(cpu)
    identical = len({r["proba_sha256"] for r in runs}) == 1
    speed = f"{baseline / med:.2f}" if baseline else "1.00"
    return (f"| {name} | {med:.1f} ({min(cpu):.1f}–{max(cpu):.1f}) | {speed} | "
            f"{statistics.median(wall):.1f} | {first:.1f} | "
            f"{max(c for r in runs for c in r['cpu_per_wall']):.2f} | "
            f"{statistics.median(r['predict_s'] for r in runs):.2f} | "
            f"{runs[0]['test_accuracy'] * 100:.2f} | {'yes' if identical else '**no**'} |")


def section(results: dict[str, list[dict]], epochs: int, predict_batch: int, train_size: int,
            note: str, pinned: bool = False) -> str:
    scale = 60_000 / train_size
    pinning = "; every process pinned to one CPU with `os.sched_setaffinity`" if pinned else ""
    base_runs = results.get("tensorflow", [])
    baseline = (statistics.median(v * scale for v in later_epochs(base_runs, "epoch_cpu_s"))
                if base_runs and all("error" not in r for r in base_runs) else None)
    rows = "\n".join(row(name, runs, baseline, scale) for name, runs in results.items())
    versions = ", ".join(sorted({f"{r['backend']}: Keras {r['keras']}" for runs in results.values()
                                 for r in runs if "error" not in r}))
    n_runs = len(next(iter(results.values())))
    subset = ("the full Fashion-MNIST training set (60,000 images)" if train_size == 60_000 else
              f"the first {train_size:,} Fashion-MNIST training images (times scaled to an "
              "epoch of 60,000)")
    return f"""## Small CNN: Keras backends on one core

`models/small_cnn.py`'s network (Conv(32)-Pool-Conv(64)-Pool-Dropout-Dense, batch size 128, Adam,
seed 0) trained on {subset} in fresh processes limited to one thread
(TensorFlow through `bench.plugins.estimators._keras()` plus op determinism, as in a job; JAX with
`XLA_FLAGS="{XLA_ONE_THREAD}"`{pinning}), {n_runs} runs of {epochs} epochs per
variant, the variants' runs interleaved. *Epoch CPU* is the process CPU time of an epoch, median
(min–max) over the epochs after the first (the first also traces and compiles; shown on its own):
on a machine shared with other busy processes the CPU time is the robust measure, the wall
time (*epoch wall*) is inflated by waiting for the core. *CPU/wall* is the largest process CPU
time per wall second over an epoch (above 1.0: more than one core busy); *predict* is the wall
time for the
10,000 test images at batch size {predict_batch}; *identical* says whether the same-seed runs gave
bit-identical test probabilities ({versions}).

Measured {date.today().isoformat()} on {machine()}, with `python perf/cnn_backends.py`.
{note}

| variant | epoch CPU (s) | speed vs tensorflow | epoch wall (s) | first epoch CPU (s) | CPU/wall | predict wall (s) | test accuracy after {epochs} epochs (%) | identical |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
{rows}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="same-seed runs per variant (default 2)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (default 3)")
    parser.add_argument("--predict-batch", type=int, default=2048)
    parser.add_argument("--jax-python", default="/work/venv-jax/bin/python",
                        help="interpreter with jax installed (skipped when missing)")
    parser.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument("--train-size", type=int, default=60_000,
                        help="training images (smaller only for a smoke test)")
    parser.add_argument("--data-dir", default=default_data_dir())
    parser.add_argument("--note", default="", help="a sentence on the machine's load, for the doc")
    parser.add_argument("--pin", action="store_true",
                        help="pin each run to one CPU (slow when that CPU is busy elsewhere)")
    parser.add_argument("--save", help="also write the raw measurements to this JSON file")
    parser.add_argument("--load", help="write the section from a --save file, running nothing")
    parser.add_argument("--no-write", action="store_true", help="print only, do not write")
    args = parser.parse_args()
    found = variants(args.jax_python, args.pin)
    if args.only:
        found = {k: v for k, v in found.items() if k in args.only}
    if args.load:
        results = json.loads(Path(args.load).read_text())
    else:
        results = measure(found, args.runs, args.epochs, args.predict_batch,
                          str(Path(args.data_dir).resolve()), args.timeout, args.train_size)
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=1))
    text = section(results, args.epochs, args.predict_batch, args.train_size, args.note, args.pin)
    print(text)
    if not args.no_write:
        write_section("cnn-backends", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
