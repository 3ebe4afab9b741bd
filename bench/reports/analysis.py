"""Evidence that needs pixels (test labels, single-pixel separability, the images figures show),
cached as ``<results>/analysis/<dataset>-<checksums digest>.json``; the data is loaded only when
the cache is missing, stale or lacks an image."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.data import load_dataset
from bench.data.specs import N_CLASSES, expected_checksums
from bench.errors import BenchError, ResultsWarning
from bench.files import UntrustedFileError, atomic_write_text, read_small_file
from bench.results.codec import array_to_digits, digits_to_array
from bench.results.validate import DIGEST_FIELD, MAX_ANALYSIS_BYTES, check_analysis, payload_digest

ANALYSIS_VERSION = 1
ANALYSIS_FOLDER = "analysis"
N_LEVELS = 256


@dataclass(frozen=True)
class PairSeparability:
    """The best rule "pixel > threshold → ``high``, else the other class" for class pair
    ``(a, b)``, chosen on its train images and scored on both sets."""

    a: int
    b: int
    pixel: int
    threshold: int
    high: int
    train_accuracy: float
    test_accuracy: float
    test_count: int

    @property
    def row_col(self) -> tuple[int, int]:
        return divmod(self.pixel, 28)


@dataclass(frozen=True, eq=False)
class DatasetAnalysis:
    """The cached evidence for one dataset."""

    dataset: str
    checksums: dict[str, str]
    test_labels: np.ndarray
    separability: tuple[PairSeparability, ...]
    images: dict[int, np.ndarray]

    def image(self, index: int) -> np.ndarray | None:
        return self.images.get(int(index))


def class_histograms(x: np.ndarray, y: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    """Counts ``h[c, pixel, level]`` of images of class ``c`` with that intensity at that pixel."""
    flat = x.reshape(len(x), -1)
    n_pixels = flat.shape[1]
    offsets = np.arange(n_pixels, dtype=np.int64) * N_LEVELS
    hist = np.zeros((n_classes, n_pixels, N_LEVELS), dtype=np.int64)
    for c in range(n_classes):
        idx = flat[y == c].astype(np.int64) + offsets
        hist[c] = np.bincount(idx.ravel(), minlength=n_pixels * N_LEVELS).reshape(
            n_pixels, N_LEVELS)
    return hist


def best_pixel_rule(hist_a: np.ndarray, hist_b: np.ndarray) -> tuple[int, int, bool, float]:
    """(pixel, threshold, b_is_high, train accuracy) of the best rule from two class histograms,
    every (direction, pixel, threshold) scored at once; ties go to the first."""
    n_a, n_b = int(hist_a[0].sum()), int(hist_b[0].sum())
    cum_a, cum_b = np.cumsum(hist_a, axis=1), np.cumsum(hist_b, axis=1)
    correct = np.stack([cum_a + (n_b - cum_b), (n_a - cum_a) + cum_b])
    direction, pixel, threshold = np.unravel_index(int(np.argmax(correct)), correct.shape)
    best = int(correct[direction, pixel, threshold])
    return int(pixel), int(threshold), direction == 0, best / max(1, n_a + n_b)


def rule_accuracy(x: np.ndarray, y: np.ndarray, rule: PairSeparability) -> tuple[float, int]:
    """Accuracy and count of ``rule`` on the images of its two classes."""
    mask = (y == rule.a) | (y == rule.b)
    values = x.reshape(len(x), -1)[mask, rule.pixel]
    low = rule.a if rule.high == rule.b else rule.b
    pred = np.where(values > rule.threshold, rule.high, low)
    count = int(mask.sum())
    return (float(np.mean(pred == y[mask])) if count else float("nan")), count


def single_pixel_separability(x_train, y_train, x_test, y_test,
                              n_classes: int = N_CLASSES) -> tuple[PairSeparability, ...]:
    """The best single-pixel rule of each of the ``n_classes * (n_classes - 1) / 2`` pairs."""
    hist = class_histograms(x_train, y_train, n_classes)
    pairs = []
    for a in range(n_classes):
        for b in range(a + 1, n_classes):
            pixel, threshold, b_high, train_acc = best_pixel_rule(hist[a], hist[b])
            rule = PairSeparability(a, b, pixel, threshold, b if b_high else a, train_acc,
                                    float("nan"), 0)
            test_acc, count = rule_accuracy(x_test, y_test, rule)
            pairs.append(replace(rule, test_accuracy=test_acc, test_count=count))
    return tuple(pairs)


def compute_analysis(dataset, checksums: Mapping[str, str],
                     image_indices: Iterable[int]) -> DatasetAnalysis:
    """All cached evidence from a loaded dataset (``bench.data.load_dataset``'s result)."""
    y_test = np.asarray(dataset.y_test, dtype=np.uint8)
    images = {i: np.asarray(dataset.x_test[i], dtype=np.uint8).copy()
              for i in sorted(_valid(image_indices, y_test))}
    separability = single_pixel_separability(dataset.x_train, dataset.y_train,
                                             dataset.x_test, y_test)
    return DatasetAnalysis(dataset.name, dict(checksums), y_test.copy(), separability, images)


def cache_path(results_dir: str | os.PathLike, name: str, checksums: Mapping[str, str]) -> Path:
    """``<results>/analysis/<name>-<key>.json``; the key is a short digest of the checksums."""
    text = json.dumps(dict(sorted(checksums.items())), sort_keys=True)
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Path(results_dir) / ANALYSIS_FOLDER / f"{name}-{key}.json"


def to_json(analysis: DatasetAnalysis) -> str:
    """Deterministic JSON text of an analysis (sorted keys, images as base64 of 784 bytes)."""
    payload = {
        "analysis_version": ANALYSIS_VERSION,
        "dataset": analysis.dataset,
        "dataset_sha256": dict(sorted(analysis.checksums.items())),
        "test_labels": array_to_digits(analysis.test_labels),
        "separability": [asdict(p) for p in analysis.separability],
        "images": {str(i): base64.b64encode(img.astype(np.uint8).tobytes()).decode()
                   for i, img in sorted(analysis.images.items())},
    }
    payload[DIGEST_FIELD] = payload_digest(payload)
    return json.dumps(payload, indent=1, sort_keys=True) + "\n"


def from_json(text: str) -> DatasetAnalysis:
    """Inverse of :func:`to_json`; raises ``ValueError`` on a stale, malformed or altered file
    (every field is checked: the cache is read from the untrusted results folder)."""
    data: dict[str, Any] = json.loads(text)
    if not isinstance(data, dict) or data.get("analysis_version") != ANALYSIS_VERSION:
        found = data.get("analysis_version") if isinstance(data, dict) else None
        raise ValueError(f"analysis version {found!r}, expected {ANALYSIS_VERSION}")
    problems = check_analysis(data)
    if problems:
        raise ValueError("; ".join(problems[:3]))
    labels = digits_to_array(data["test_labels"])
    images = {int(k): np.frombuffer(base64.b64decode(v), dtype=np.uint8).reshape(28, 28)
              for k, v in data["images"].items()}
    pairs = tuple(PairSeparability(**p) for p in data["separability"])
    return DatasetAnalysis(data["dataset"], dict(data["dataset_sha256"]), labels, pairs, images)


def read_cache(path: Path) -> DatasetAnalysis | None:
    """The cached analysis at ``path``, or None when absent or invalid (with a warning: it is
    then recomputed from the data)."""
    if not os.path.lexists(path):
        return None
    try:
        return from_json(read_small_file(path, MAX_ANALYSIS_BYTES).decode("utf-8"))
    except (UntrustedFileError, OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        warnings.warn(f"ignoring the analysis cache {path}: {exc}. It is recomputed from the "
                      "data when available.", ResultsWarning, stacklevel=2)
        return None


def _expected_checksums(name: str) -> dict[str, str] | None:
    """The checksums the data loader verifies, or None for a dataset it does not know."""
    try:
        return dict(expected_checksums(name))
    except BenchError:
        return None


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    """An analysis, or why there is none (``note``); ``computed`` when data was loaded."""

    analysis: DatasetAnalysis | None
    note: str | None = None
    computed: bool = False


def _valid(indices: Iterable[int], labels: np.ndarray) -> set[int]:
    """The indices that exist in a test set of ``len(labels)`` images."""
    return {int(i) for i in indices if 0 <= int(i) < len(labels)}


def load_or_compute(results_dir: str | os.PathLike, name: str, checksums: Mapping[str, str],
                    wanted: Callable[[np.ndarray], Iterable[int]] = lambda labels: (),
                    data_dir: str | os.PathLike | None = None) -> AnalysisResult:
    """The analysis of dataset ``name``, cached or computed (and cached) when the cache lacks an
    image of ``wanted(test_labels)``; without data the note says why."""
    path = cache_path(results_dir, name, checksums)
    cached = read_cache(path)
    if cached is not None and _valid(wanted(cached.test_labels), cached.test_labels) <= set(
            cached.images):
        return AnalysisResult(cached)
    expected = _expected_checksums(name)
    if expected is not None and expected != dict(checksums):
        return AnalysisResult(cached, f"the results were made on {name} files whose checksums "
                              "differ from the ones this harness verifies, so the data-derived "
                              "evidence was not recomputed.")
    try:
        dataset = load_dataset(name, data_dir=data_dir)
    except (BenchError, ImportError, OSError) as exc:
        reason = f"{name} data could not be loaded ({exc})"
        if cached is not None:
            return AnalysisResult(cached, f"{reason}; some images are missing from the cache.")
        return AnalysisResult(None, f"{reason}; point --data-dir (or BENCH_DATA_DIR) at the "
                              "data and rerun `python -m bench report`.")
    keep = set(cached.images) if cached is not None else set()
    need = _valid(wanted(np.asarray(dataset.y_test)), dataset.y_test)
    analysis = compute_analysis(dataset, checksums, need | keep)
    try:
        atomic_write_text(path, to_json(analysis), own_folder=True)
    except OSError as exc:  # a read-only results folder: report without caching
        warnings.warn(f"could not cache the {name} analysis in {path.parent} "
                      f"({exc.strerror or exc}); it is recomputed next time.", ResultsWarning,
                      stacklevel=2)
    return AnalysisResult(analysis, computed=True)
