"""Synthetic result stores for the report tests: no training, no real data.

Two fake datasets (600 train / 200 test images, a class-dependent bright patch plus noise)
and RunRecords for 4 models x 2 datasets x 3 seeds with generated predictions, plus
learning-curve records, a failed job and a run of another profile.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.data import DATASETS as DATA_SPECS
from bench.data import Dataset
from bench.data.subsets import indices_digest, test_indices
from bench.reports import analysis
from bench.results.codec import array_to_digits
from bench.results.record import RunRecord
from bench.results.store import save_record

N_TRAIN, N_TEST = 600, 200
DATASETS = ("mnist", "fashion-mnist")
SEEDS = (0, 1, 2)
# Target test accuracy per model and dataset: MNIST easy and tight, Fashion lower and wider.
TARGETS = {
    "cnn": {"mnist": 0.99, "fashion-mnist": 0.91},
    "logreg": {"mnist": 0.92, "fashion-mnist": 0.80},
    "mlp": {"mnist": 0.98, "fashion-mnist": 0.88},
    "forest": {"mnist": 0.975, "fashion-mnist": 0.86},
}
NEURAL = ("cnn", "mlp")
CURVE_MODELS = ("forest", "logreg")
CURVE_SIZES = (50, 150)
CHECKSUMS = {d: {"t10k-images-idx3-ubyte": f"{d}-img", "t10k-labels-idx1-ubyte": f"{d}-lab"}
             for d in DATASETS}


def make_dataset(name: str) -> Dataset:
    rng = np.random.default_rng(DATASETS.index(name) + 11)

    def images(y: np.ndarray) -> np.ndarray:
        x = rng.integers(0, 60, size=(len(y), 28, 28))
        for i, c in enumerate(y):
            r = 2 + 2 * int(c)
            x[i, r:r + 3, 4:24] += rng.integers(120, 196)
        return np.clip(x, 0, 255).astype(np.uint8)

    y_train = np.tile(np.arange(10), N_TRAIN // 10).astype(np.uint8)
    y_test = rng.permutation(np.tile(np.arange(10), N_TEST // 10)).astype(np.uint8)
    names = DATA_SPECS[name].class_names
    return Dataset(name, names, images(y_train), y_train, images(y_test), y_test, "synthetic")


FAKE = {d: make_dataset(d) for d in DATASETS}


def predictions(truth: np.ndarray, accuracy: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    right = rng.random(truth.size) < accuracy
    shift = np.where(rng.random(truth.size) < 0.5, 1, rng.integers(1, 10, truth.size))
    pred = np.where(right, truth, (truth + shift) % 10).astype(np.uint8)
    confidence = np.round(rng.uniform(0.4, 1.0, truth.size), 4)
    return pred, confidence


def make_record(model: str, dataset: str, seed: int, *, train_size: int = N_TRAIN,
                learning_curve: bool = False, profile: str = "full",
                status: str = "ok", test_size: int = N_TEST) -> RunRecord:
    positions = test_indices(FAKE[dataset].y_test, test_size, dataset)
    truth = FAKE[dataset].y_test[positions]
    target = TARGETS[model][dataset] - (0.05 * (N_TRAIN / train_size - 1) / 10 if learning_curve
                                        else 0.0)
    code = sum(map(ord, f"{model}/{dataset}/{seed}/{train_size}/{profile}"))
    pred, conf = predictions(truth, target, code)
    cm = np.zeros((10, 10), dtype=int)
    np.add.at(cm, (truth, pred), 1)
    test_acc = float(np.mean(pred == truth))
    wrong = np.flatnonzero(pred != truth)
    top = wrong[np.argsort(-conf[wrong], kind="stable")][:4]
    gap = {"cnn": 0.005, "logreg": 0.01, "mlp": 0.04, "forest": 0.12}[model]
    history = None
    if model in NEURAL:
        epochs = np.arange(1, 7)
        history = {"train_loss": list(1.0 / epochs), "train_accuracy": list(1 - 0.1 / epochs),
                   "test_loss": list(0.6 / epochs + 0.03 * epochs),
                   "test_accuracy": list(test_acc - 0.02 / epochs)}
    rec = RunRecord.from_fields(
        key=f"{model}-{dataset}-s{seed}-n{train_size}-{profile}", model=model,
        model_version="1", params={"p": 1}, dataset=dataset, dataset_sha256=CHECKSUMS[dataset],
        seed=seed, profile=profile, train_size=train_size, test_size=test_size, status=status,
        role=("headline" if not learning_curve else "curve" if train_size < N_TRAIN else "sweep"),
        train_accuracy=min(1.0, test_acc + gap),
        test_accuracy=test_acc, per_class_test_accuracy=list(np.diag(cm) / cm.sum(axis=1)),
        confusion_matrix=cm.tolist(), history=history, test_predictions=array_to_digits(pred),
        test_indices_digest=indices_digest(positions),
        confident_mistakes=[{"index": int(positions[i]), "true": int(truth[i]),
                             "pred": int(pred[i]), "confidence": float(conf[i])} for i in top],
        fit_seconds=0.5 + seed, wall_seconds=1.0 + seed,
        started_at=f"2024-05-01T10:0{seed}:00", finished_at=f"2024-05-01T10:0{seed}:30",
        provenance={"python": "3.11.7", "cpu": "Fake CPU", "cpu_count": 2,
                    "packages": {"numpy": "2.0", "scikit-learn": "1.5"}},
    )
    if status != "ok":
        rec.test_accuracy = rec.train_accuracy = None
        rec.error = "ValueError: synthetic failure | with a pipe\nTraceback line"
    return rec


def all_records() -> list[RunRecord]:
    recs = [make_record(m, d, s) for m in TARGETS for d in DATASETS for s in SEEDS]
    recs += [make_record(m, d, s, train_size=n, learning_curve=True)
             for m in CURVE_MODELS for d in DATASETS for s in SEEDS for n in CURVE_SIZES]
    recs.append(make_record("mlp", "fashion-mnist", 7, status="failed"))
    recs.append(make_record("cnn", "mnist", 0, profile="smoke", train_size=100))
    return recs


def write_store(folder: Path, records: list[RunRecord], run_info: bool = True) -> Path:
    for rec in records:
        save_record(folder, rec)
    if run_info:
        info = {"command": "python -m bench run-all", "profile": "full", "seeds": list(SEEDS),
                "started_at": "2024-05-01T10:00:00", "finished_at": "2024-05-01T10:09:00",
                "wall_seconds": 540.0,
                "provenance": {"python": "3.11.7", "cpu": "Fake CPU", "cpu_count": 2,
                               "git_commit": "abc123", "packages": {"numpy": "2.0"}}}
        (folder / "run-info-full.json").write_text(json.dumps(info))
    return folder


class LoaderSpy:
    """A fake ``load_dataset`` that counts its calls."""

    def __init__(self):
        self.calls: list[str] = []

    def __call__(self, name, data_dir=None):
        self.calls.append(name)
        return FAKE[name]


def use_fake_data(mp: pytest.MonkeyPatch) -> LoaderSpy:
    """Route the analysis' data loading to the fake datasets."""
    spy = LoaderSpy()
    mp.setattr(analysis, "load_dataset", spy)
    mp.setattr(analysis, "_expected_checksums", lambda name: None)
    return spy


@pytest.fixture
def loader(monkeypatch) -> LoaderSpy:
    return use_fake_data(monkeypatch)


@pytest.fixture
def store(tmp_path, loader) -> Path:
    return write_store(tmp_path / "results", all_records())


@pytest.fixture(scope="module")
def report_run(tmp_path_factory) -> tuple[Path, Path, list[Path]]:
    """(results, reports, written paths) of one write_reports on the full synthetic store,
    shared by a module's tests (figures are slow to draw)."""
    from bench.reports import write_reports

    root = tmp_path_factory.mktemp("report-run")
    with pytest.MonkeyPatch.context() as mp:
        use_fake_data(mp)
        results = write_store(root / "results", all_records())
        paths = write_reports(results, root / "reports")
    return results, root / "reports", paths


@pytest.fixture
def record_factory():
    """``make_record(model, dataset, seed, **overrides)`` for tests that build their own store."""
    return make_record


@pytest.fixture
def store_factory(loader):
    """``write_store(folder, records, run_info=True)`` with the fake data loader active."""
    return write_store


@pytest.fixture
def fake_data() -> dict[str, Dataset]:
    return FAKE


@pytest.fixture(scope="session")
def committed():
    """The committed result store, gathered and measured once: (inputs, measures)."""
    from bench.reports.inputs import gather
    from bench.reports.measures import measure
    from bench.reports.references import load

    inputs = gather(Path(__file__).resolve().parents[2] / "results")
    return inputs, measure(inputs, load())
