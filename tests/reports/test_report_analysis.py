"""bench.reports.analysis: single-pixel separability and the JSON cache."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bench.errors import DataError
from bench.reports import analysis


def brute_force_rule(x: np.ndarray, y: np.ndarray, a: int, b: int) -> float:
    """Best accuracy over every pixel, threshold and direction, the slow way."""
    mask = (y == a) | (y == b)
    flat, labels = x.reshape(len(x), -1)[mask].astype(int), y[mask]
    best = 0.0
    for pixel in range(flat.shape[1]):
        for t in range(256):
            high = flat[:, pixel] > t
            acc_b = np.mean(np.where(high, b, a) == labels)
            best = max(best, acc_b, 1 - acc_b)
    return best


def test_best_pixel_rule_matches_brute_force():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 60).astype(np.uint8)
    x = rng.integers(0, 256, (60, 2, 3)).astype(np.uint8)
    hist = analysis.class_histograms(x, y, n_classes=3)
    assert hist.shape == (3, 6, 256) and hist.sum() == 60 * 6
    for a, b in itertools.combinations(range(3), 2):
        pixel, threshold, b_high, acc = analysis.best_pixel_rule(hist[a], hist[b])
        assert acc == pytest.approx(brute_force_rule(x, y, a, b))
        rule = analysis.PairSeparability(a, b, pixel, threshold, b if b_high else a, acc, 0, 0)
        assert analysis.rule_accuracy(x, y, rule)[0] == pytest.approx(acc)


def test_separable_pairs_reach_full_accuracy(fake_data):
    data = fake_data["mnist"]
    pairs = analysis.single_pixel_separability(data.x_train, data.y_train, data.x_test,
                                               data.y_test)
    assert len(pairs) == 45
    assert [(p.a, p.b) for p in pairs] == list(itertools.combinations(range(10), 2))
    assert all(p.train_accuracy > 0.9 and p.test_count == 40 for p in pairs)
    assert np.median([p.test_accuracy for p in pairs]) > 0.9


def test_cache_round_trip_is_exact(fake_data, tmp_path):
    data = fake_data["fashion-mnist"]
    made = analysis.compute_analysis(data, {"f": "x"}, [3, 0, 3, 199, 5000])
    assert sorted(made.images) == [0, 3, 199]
    text = analysis.to_json(made)
    back = analysis.from_json(text)
    assert analysis.to_json(back) == text
    assert back.test_labels.tolist() == data.y_test.tolist()
    assert np.array_equal(back.image(3), data.x_test[3])
    assert back.separability == made.separability


def test_cache_key_depends_on_checksums(tmp_path):
    one = analysis.cache_path(tmp_path, "mnist", {"a": "1", "b": "2"})
    assert one == analysis.cache_path(tmp_path, "mnist", {"b": "2", "a": "1"})
    assert one != analysis.cache_path(tmp_path, "mnist", {"a": "1", "b": "3"})
    assert one.parent == tmp_path / "analysis" and one.name.startswith("mnist-")


def test_data_is_loaded_only_when_the_cache_lacks_something(tmp_path, loader):
    sums = {"f": "x"}
    first = analysis.load_or_compute(tmp_path, "mnist", sums, lambda labels: {1, 2})
    assert first.computed and loader.calls == ["mnist"]
    again = analysis.load_or_compute(tmp_path, "mnist", sums, lambda labels: {2})
    assert not again.computed and loader.calls == ["mnist"]
    more = analysis.load_or_compute(tmp_path, "mnist", sums, lambda labels: {7})
    assert more.computed and loader.calls == ["mnist", "mnist"]
    assert set(more.analysis.images) == {1, 2, 7}  # earlier images are kept


def test_stale_cache_version_is_recomputed(tmp_path, loader):
    sums = {"f": "x"}
    analysis.load_or_compute(tmp_path, "mnist", sums)
    path = analysis.cache_path(tmp_path, "mnist", sums)
    path.write_text(path.read_text().replace('"analysis_version": 1', '"analysis_version": 0'))
    assert analysis.load_or_compute(tmp_path, "mnist", sums).computed


def test_missing_data_gives_a_note_not_an_error(tmp_path, monkeypatch):
    def no_data(name, data_dir=None):
        raise DataError(f"{name} not found")

    monkeypatch.setattr(analysis, "load_dataset", no_data)
    monkeypatch.setattr(analysis, "_expected_checksums", lambda name: None)
    result = analysis.load_or_compute(tmp_path, "mnist", {"f": "x"})
    assert result.analysis is None and "mnist not found" in result.note
    assert "--data-dir" in result.note


def test_checksum_mismatch_is_not_recomputed(tmp_path, loader, monkeypatch):
    monkeypatch.setattr(analysis, "_expected_checksums", lambda name: {"f": "other"})
    result = analysis.load_or_compute(tmp_path, "mnist", {"f": "x"})
    assert result.analysis is None and "differ" in result.note and loader.calls == []


def test_indices_outside_the_test_set_do_not_force_reloads(tmp_path, loader):
    sums = {"f": "x"}
    analysis.load_or_compute(tmp_path, "mnist", sums, lambda labels: {1, 10**6, -1})
    analysis.load_or_compute(tmp_path, "mnist", sums, lambda labels: {1, 10**6, -1})
    assert loader.calls == ["mnist"]
