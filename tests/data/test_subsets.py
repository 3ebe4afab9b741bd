import numpy as np

from bench.data import subsets
from bench.data.subsets import (
    indices_digest,
    stratified_indices,
    train_indices,
)


def labels(n=1000):
    rng = np.random.default_rng(1)
    return rng.choice(10, size=n, p=np.linspace(1, 2, 10) / np.linspace(1, 2, 10).sum())


def test_stratified_keeps_class_proportions_and_size():
    y = labels()
    idx = stratified_indices(y, 200, seed=0)
    assert len(idx) == 200 and len(set(idx)) == 200 and np.all(np.diff(idx) > 0)
    expected = np.bincount(y, minlength=10) * 200 / len(y)
    assert np.all(np.abs(np.bincount(y[idx], minlength=10) - expected) < 1)


def test_subsets_are_seeded():
    y = labels()
    assert np.array_equal(train_indices(y, 100, 0, "mnist"), train_indices(y, 100, 0, "mnist"))
    assert not np.array_equal(train_indices(y, 100, 0, "mnist"), train_indices(y, 100, 1, "mnist"))


def test_full_size_is_the_whole_set_in_order():
    y = labels()
    assert np.array_equal(stratified_indices(y, len(y), 5), np.arange(len(y)))


def test_test_subset_is_shared_across_seeds_and_digest_identifies_it():
    y = labels()
    a, b = subsets.test_indices(y, 100, "mnist"), subsets.test_indices(y, 100, "mnist")
    assert np.array_equal(a, b) and indices_digest(a) == indices_digest(b)
    assert indices_digest(a) != indices_digest(subsets.test_indices(y, 101, "mnist"))
