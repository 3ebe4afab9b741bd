"""Helpers for the dataset tests: tiny synthetic IDX datasets and ways to damage them."""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.data import idx
from bench.data.specs import DATASETS, FILENAMES, DatasetSpec, make_spec

# Read before the autouse fixture clears it: the real-data tests need it.
REAL_DATA_DIR = os.environ.get("BENCH_DATA_DIR")

N_TRAIN, N_TEST = 20, 10


def kind_of(role: str) -> str:
    return role.split("_")[1]


def make_arrays(seed: int, n_train: int = N_TRAIN, n_test: int = N_TEST) -> dict[str, np.ndarray]:
    """Random uint8 images and labels 0-9 for the four roles."""
    rng = np.random.default_rng(seed)
    return {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def spec_for(name: str, arrays: dict[str, np.ndarray], **kwargs) -> DatasetSpec:
    """A spec whose checksums are those of ``arrays`` (sizes taken from them too)."""
    real = DATASETS[name]
    sha = {role: idx.sha256_hex(idx.encode(a, kind_of(role))) for role, a in arrays.items()}
    kwargs = {
        "train_size": len(arrays["train_labels"]),
        "test_size": len(arrays["test_labels"]),
        "npz_name": real.npz_name,
        **kwargs,
    }
    return make_spec(name, real.title, real.class_names, sha, **kwargs)


def write_idx(path: Path, array: np.ndarray, kind: str) -> Path:
    """Write ``array`` as an IDX file, gzipped when the name ends in ``.gz``."""
    payload = idx.encode(array, kind)
    path.write_bytes(gzip.compress(payload, mtime=0) if path.suffix == ".gz" else payload)
    return path


def write_dataset(folder: Path, arrays: dict[str, np.ndarray], gz: bool = True) -> Path:
    """Write the four IDX files into ``folder`` (gzipped or raw)."""
    folder.mkdir(parents=True, exist_ok=True)
    for role, array in arrays.items():
        name = FILENAMES[role] + (".gz" if gz else "")
        write_idx(folder / name, array, kind_of(role))
    return folder


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    """A Keras-style ``mnist.npz`` holding the four arrays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {"train_images": "x_train", "train_labels": "y_train"}
    keys |= {"test_images": "x_test", "test_labels": "y_test"}
    np.savez(path, **{keys[role]: a for role, a in arrays.items()})
    return path


def rewrite_payload(path: Path, change) -> Path:
    """Apply ``change(bytearray)`` to the decompressed payload and write it back re-gzipped
    (or raw, as found)."""
    data = path.read_bytes()
    gz = path.suffix == ".gz"
    payload = bytearray(gzip.decompress(data) if gz else data)
    payload = change(payload) or payload
    path.write_bytes(gzip.compress(bytes(payload), mtime=0) if gz else bytes(payload))
    return path


def flip_byte(path: Path, offset: int = -1) -> Path:
    """Flip one bit of one payload byte (default: the last one), keeping the header intact."""

    def change(payload: bytearray) -> None:
        payload[offset] ^= 0x01

    return rewrite_payload(path, change)


@dataclass
class Synthetic:
    """Tiny datasets under ``data_dir/<name>/`` whose specs are installed in ``DATASETS``."""

    data_dir: Path
    arrays: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    specs: dict[str, DatasetSpec] = field(default_factory=dict)

    def path(self, name: str, role: str) -> Path:
        folder = self.data_dir / name
        raw = folder / FILENAMES[role]
        return raw if raw.exists() else folder / f"{FILENAMES[role]}.gz"


def make_learnable_arrays(seed: int, n_train: int = 600, n_test: int = 300) -> dict[str, np.ndarray]:
    """Like :func:`make_arrays`, but each class is a noisy copy of its own template image,
    so that a simple classifier learns it (accuracy well above chance)."""
    rng = np.random.default_rng(seed)
    templates = rng.integers(0, 256, (10, 28, 28))

    def split(n: int) -> tuple[np.ndarray, np.ndarray]:
        labels = np.arange(n) % 10
        rng.shuffle(labels)
        noise = rng.integers(-60, 61, (n, 28, 28))
        images = np.clip(templates[labels] + noise, 0, 255).astype(np.uint8)
        return images, labels.astype(np.uint8)

    train_images, train_labels = split(n_train)
    test_images, test_labels = split(n_test)
    return {"train_images": train_images, "train_labels": train_labels,
            "test_images": test_images, "test_labels": test_labels}
