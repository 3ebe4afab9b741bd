"""Stratified, seeded subsets of the training and test sets."""

from __future__ import annotations

import hashlib
import zlib

import numpy as np

TEST_SUBSET_SEED = 0  # one test subset per size, shared by every model and seed (paired tests)


def stratified_indices(labels: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Sorted indices of ``size`` items with class proportions as in ``labels`` (all of them
    when ``size >= len(labels)``)."""
    labels = np.asarray(labels)
    if size >= len(labels):
        return np.arange(len(labels))
    if size <= 0:
        raise ValueError(f"subset size must be positive, got {size}")
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * size / len(labels)
    take = np.floor(exact).astype(int)
    remainder = size - take.sum()
    order = np.lexsort((classes, -(exact - take)))  # largest remainders first, ties by class
    take[order[:remainder]] += 1
    rng = np.random.default_rng(seed)
    chosen = [rng.permutation(np.flatnonzero(labels == c))[:k]
              for c, k in zip(classes, take, strict=True)]
    return np.sort(np.concatenate(chosen))


def train_indices(labels: np.ndarray, size: int, seed: int, dataset: str) -> np.ndarray:
    """Training subset for a job: depends on the job's seed and the dataset."""
    return stratified_indices(labels, size, _derived_seed(seed, dataset, "train"))


def test_indices(labels: np.ndarray, size: int, dataset: str) -> np.ndarray:
    """Test subset: the same for every model and seed, so predictions can be paired."""
    return stratified_indices(labels, size, _derived_seed(TEST_SUBSET_SEED, dataset, "test"))


def indices_digest(indices: np.ndarray) -> str:
    """A short fingerprint of an index set, stored with predictions to pair them safely."""
    return hashlib.sha256(np.asarray(indices, dtype="<i8").tobytes()).hexdigest()[:16]


def _derived_seed(seed: int, *names: str) -> int:
    """The seed of one subset. Frozen: it decides the images of every stored record, so a new
    scheme needs a version in ``JobIdentity`` and in the reports' rebuilt test subsets."""
    return (int(seed) * 1_000_003 + zlib.crc32("/".join(names).encode())) % (2**32)
