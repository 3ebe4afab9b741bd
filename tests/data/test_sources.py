"""Loading from sources in order, integrity errors, the verified cache, verify/locate/import."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from data_helpers import (
    flip_byte,
    make_arrays,
    rewrite_payload,
    spec_for,
    write_dataset,
    write_npz,
)

import bench.data
from bench.data import (
    DATASET_NAMES,
    DATASETS,
    DataWarning,
    cache_dataset,
    cache_dir,
    expected_checksums,
    idx,
    import_dataset,
    load_dataset,
    locate_dataset,
    payloads_dir,
    sources,
    verify_dataset,
)
from bench.data.cache import payload_path
from bench.data.specs import FILENAMES
from bench.errors import DataError, UsageError


def assert_arrays(dataset, arrays):
    assert dataset.x_train.dtype == np.uint8 and dataset.y_train.dtype == np.uint8
    assert dataset.x_train.shape == (20, 28, 28) and dataset.x_test.shape == (10, 28, 28)
    assert np.array_equal(dataset.x_train, arrays["train_images"])
    assert np.array_equal(dataset.y_train, arrays["train_labels"])
    assert np.array_equal(dataset.x_test, arrays["test_images"])
    assert np.array_equal(dataset.y_test, arrays["test_labels"])


def cache_files():
    root = cache_dir()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def count_parses(monkeypatch) -> list[str]:
    calls = []
    parse = idx.parse

    def spy(payload, kind, *args, **kwargs):
        calls.append(kind)
        return parse(payload, kind, *args, **kwargs)

    monkeypatch.setattr(idx, "parse", spy)
    return calls


# --- names and constants -------------------------------------------------------------------


def test_public_names():
    assert DATASET_NAMES == ("mnist", "fashion-mnist")
    assert DATASETS["fashion-mnist"].class_names[0] == "T-shirt/top"
    assert DATASETS["fashion-mnist"].class_names[-1] == "Ankle boot"
    assert DATASETS["mnist"].class_names == tuple("0123456789")


def test_expected_checksums_are_the_readme_constants():
    sums = expected_checksums("fashion-mnist")
    assert list(sums) == [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ]
    assert sums["t10k-labels-idx1-ubyte"].startswith("0402a96d92fd")
    assert expected_checksums("mnist")["train-images-idx3-ubyte"].startswith("ba891046e650")


def test_unknown_dataset_is_a_usage_error():
    with pytest.raises(
        UsageError, match="Valid choices: mnist, fashion-mnist. Did you mean 'mnist'"
    ):
        load_dataset("mnsit")
    with pytest.raises(UsageError):
        expected_checksums("cifar10")


# --- loading from a data dir ---------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "raw"])
def test_load_from_data_dir(tmp_path, synth, gz):
    data_dir = tmp_path / "other"
    write_dataset(data_dir / "mnist", synth.arrays["mnist"], gz=gz)
    dataset = load_dataset("mnist", data_dir)
    assert_arrays(dataset, synth.arrays["mnist"])
    assert dataset.name == "mnist" and dataset.class_names == tuple("0123456789")
    assert dataset.source.startswith(str(data_dir / "mnist"))
    assert not dataset.x_train.flags.writeable


def test_data_dir_from_env(synth, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_DIR", str(synth.data_dir))
    dataset = load_dataset("fashion-mnist")
    assert_arrays(dataset, synth.arrays["fashion-mnist"])
    assert str(synth.data_dir / "fashion-mnist") in dataset.source


def damage_flip(path):
    flip_byte(path, offset=-3)


def damage_truncate(path):
    path.write_bytes(path.read_bytes()[:-20])


def damage_not_gzip(path):
    path.write_bytes(b"<html>not found</html>")


def damage_magic(path):
    rewrite_payload(path, lambda p: p.__setitem__(3, 0x02))


def damage_count(path):
    def change(payload):
        payload[7] -= 1  # header count 19, payload still 20 items
        return payload

    rewrite_payload(path, change)


@pytest.mark.parametrize(
    ("role", "damage", "status", "detail"),
    [
        ("train_images", damage_flip, "checksum mismatch", "expected sha256"),
        ("test_images", damage_truncate, "corrupt", "truncated gzip stream"),
        ("train_labels", damage_not_gzip, "corrupt", "not a gzip file"),
        ("test_labels", damage_magic, "corrupt", "wrong magic number"),
        ("train_labels", damage_count, "corrupt", "header says 19 labels, expected 20"),
    ],
    ids=["flipped", "truncated", "not-gzip", "magic", "count"],
)
def test_bad_file_is_an_error_naming_it(synth, role, damage, status, detail):
    path = synth.path("mnist", role)
    damage(path)
    with pytest.raises(DataError) as err:
        load_dataset("mnist", synth.data_dir)
    message = str(err.value)
    assert f"{path}: {status}" in message and detail in message
    assert "bench data fetch" in message and "--data-dir" in message
    assert cache_files() == []  # a bad file never enters the cache


def test_missing_file_is_an_error(synth):
    path = synth.path("mnist", "test_labels")
    path.unlink()
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz: missing"):
        load_dataset("mnist", synth.data_dir)


def test_image_label_count_mismatch(tmp_path, monkeypatch):
    arrays = make_arrays(seed=3)
    short = dict(arrays, train_labels=arrays["train_labels"][:19])
    monkeypatch.setitem(DATASETS, "mnist", spec_for("mnist", arrays))
    write_dataset(tmp_path / "d" / "mnist", short)
    with pytest.raises(
        DataError, match="train-labels-idx1-ubyte.gz: corrupt .*19 labels, expected 20"
    ):
        load_dataset("mnist", tmp_path / "d")


def test_a_data_dir_damaged_after_caching_still_loads_verified_data(synth):
    """A cached payload is valid by its name: the load serves the verified copy; verify
    re-reads the data folder and names the damaged file."""
    load_dataset("mnist", synth.data_dir)
    flip_byte(synth.path("mnist", "train_labels"))
    assert_arrays(load_dataset("mnist", synth.data_dir), synth.arrays["mnist"])
    bad = [r for r in verify_dataset("mnist", synth.data_dir) if not r.ok]
    assert [(r.role, r.status) for r in bad] == [("train_labels", "checksum mismatch")]


def test_absent_dataset_in_data_dir_falls_through(synth, tmp_path):
    load_dataset("mnist", synth.data_dir)  # fills the cache
    empty = tmp_path / "empty"
    (empty / "mnist").mkdir(parents=True)  # folder without any of the files
    dataset = load_dataset("mnist", empty)
    assert "cached at" in dataset.source
    assert_arrays(dataset, synth.arrays["mnist"])


def test_data_dir_that_does_not_exist_is_an_error(synth, tmp_path):
    with pytest.raises(DataError, match=r"data folder .*typo \(from --data-dir .*does not exist"):
        load_dataset("mnist", tmp_path / "typo")


def test_nothing_anywhere_offline_says_how_to_provide_data(synth, tmp_path):
    (tmp_path / "nowhere").mkdir()
    with pytest.raises(DataError) as err:
        load_dataset("mnist", tmp_path / "nowhere")
    message = str(err.value)
    for hint in ("BENCH_OFFLINE=1", "--data-dir", "BENCH_DATA_DIR", "bench data import"):
        assert hint in message
    assert str(tmp_path / "nowhere" / "mnist") in message


# --- other local sources -------------------------------------------------------------------


def test_keras_layout(synth, tmp_path):
    keras = tmp_path / "keras" / "datasets"
    write_dataset(keras / "fashion-mnist", synth.arrays["fashion-mnist"])
    write_npz(keras / "mnist.npz", synth.arrays["mnist"])
    fashion = load_dataset("fashion-mnist")
    mnist = load_dataset("mnist")
    assert_arrays(fashion, synth.arrays["fashion-mnist"])
    assert_arrays(mnist, synth.arrays["mnist"])
    assert mnist.source.startswith(str(keras / "mnist.npz"))
    assert fashion.source.startswith(str(keras / "fashion-mnist"))


def test_keras_npz_with_other_data_is_a_checksum_mismatch(synth, tmp_path):
    write_npz(tmp_path / "keras" / "datasets" / "mnist.npz", make_arrays(seed=9))
    with pytest.raises(DataError, match=r"mnist.npz\[x_train\]: checksum mismatch"):
        load_dataset("mnist")


def test_system_install(synth, tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "SYSTEM_DATA_DIRS", (tmp_path / "usr",))
    write_dataset(tmp_path / "usr" / "fashion-mnist", synth.arrays["fashion-mnist"])
    assert load_dataset("fashion-mnist").source.startswith(str(tmp_path / "usr"))


def test_data_dir_comes_first(synth, tmp_path):
    write_npz(tmp_path / "keras" / "datasets" / "mnist.npz", synth.arrays["mnist"])
    assert load_dataset("mnist", synth.data_dir).source.startswith(str(synth.data_dir))


# --- the verified cache --------------------------------------------------------------------


def test_cache_files_are_named_by_their_payload_sha256(synth):
    load_dataset("mnist", synth.data_dir)
    digests = sorted(expected_checksums("mnist").values())
    assert cache_files() == sorted(f"idx/{digest}.idx{stamp}" for digest in digests
                                   for stamp in ("", ".ok"))  # each payload and its stamp
    for digest in digests:  # the file holds exactly the payload its name says
        assert idx.sha256_hex(payload_path(digest).read_bytes()) == digest


def test_second_load_is_served_from_the_cache(synth, monkeypatch):
    load_dataset("mnist", synth.data_dir)
    calls = count_parses(monkeypatch)
    again = load_dataset("mnist")  # no data dir: the cache is the first source
    with_dir = load_dataset("mnist", synth.data_dir)  # the data dir's dataset is cached
    assert calls == []
    assert_arrays(again, synth.arrays["mnist"])
    assert again.source == f"cached at {payloads_dir()}"
    assert with_dir.source == f"{synth.data_dir / 'mnist'} (cached at {payloads_dir()})"
    assert not again.x_train.flags.writeable


def test_changed_spec_invalidates_the_cache(synth, monkeypatch, tmp_path):
    load_dataset("mnist", synth.data_dir)
    other = make_arrays(seed=7)
    monkeypatch.setitem(DATASETS, "mnist", spec_for("mnist", other))
    with pytest.raises(DataError, match="not found"):
        load_dataset("mnist")  # the old cache does not match the new checksums
    write_dataset(tmp_path / "new" / "mnist", other)
    assert_arrays(load_dataset("mnist", tmp_path / "new"), other)


def test_damaged_cache_is_rebuilt(synth, monkeypatch):
    load_dataset("mnist", synth.data_dir)
    path = payload_path(synth.specs["mnist"].files["train_images"].sha256)
    path.write_bytes(path.read_bytes()[:-10])
    calls = count_parses(monkeypatch)
    assert_arrays(load_dataset("mnist", synth.data_dir), synth.arrays["mnist"])
    assert len(calls) == 4


def test_interrupted_cache_write_leaves_no_valid_entry(synth, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        load_dataset("mnist", synth.data_dir)
    assert cache_files() == []  # no temp file, no partial payload


def test_unwritable_cache_only_warns(synth, monkeypatch):
    def fail(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(bench.data.cache, "store", fail)
    with pytest.warns(DataWarning, match="could not write the cache"):
        assert_arrays(load_dataset("mnist", synth.data_dir), synth.arrays["mnist"])


# --- verify, locate, fetch, import ---------------------------------------------------------


def test_verify_reports_every_file(synth):
    flip_byte(synth.path("fashion-mnist", "test_images"))
    synth.path("fashion-mnist", "train_labels").unlink()
    reports = {r.role: r for r in verify_dataset("fashion-mnist", synth.data_dir)}
    assert [reports[r].status for r in FILENAMES] == [
        "ok",
        "missing",
        "checksum mismatch",
        "ok",
    ]
    assert reports["test_images"].path == str(synth.path("fashion-mnist", "test_images"))


def test_verify_rehashes_the_cache(synth):
    load_dataset("mnist", synth.data_dir)
    assert all(r.ok for r in verify_dataset("mnist"))
    path = payload_path(synth.specs["mnist"].files["test_labels"].sha256)
    flip_byte(path)  # same size and name: only a re-hash tells
    bad = [r for r in verify_dataset("mnist") if not r.ok]
    assert [(r.path, r.status) for r in bad] == [(str(path), "checksum mismatch")]


def test_verify_without_any_source(synth, tmp_path):
    with pytest.raises(DataError, match="mnist not found"):
        verify_dataset("mnist")


def test_locate(synth, monkeypatch):
    located = locate_dataset("mnist", synth.data_dir)
    assert (located.kind, located.path, located.cached) == (
        "data-dir",
        synth.data_dir / "mnist",
        None,
    )
    load_dataset("mnist", synth.data_dir)
    assert locate_dataset("mnist", synth.data_dir).cached == payloads_dir()
    assert locate_dataset("mnist").kind == "cache"
    assert locate_dataset("fashion-mnist").kind == "missing"
    monkeypatch.delenv("BENCH_OFFLINE")
    assert locate_dataset("fashion-mnist").kind == "download"


def test_fetch_skips_a_bad_source_with_a_warning(synth, tmp_path):
    write_npz(tmp_path / "keras" / "datasets" / "mnist.npz", synth.arrays["mnist"])
    flip_byte(synth.path("mnist", "train_images"))
    with pytest.warns(DataWarning, match="checksum mismatch"):
        dataset = cache_dataset("mnist", synth.data_dir)
    assert dataset.source.startswith(str(tmp_path / "keras"))
    assert_arrays(load_dataset("mnist"), synth.arrays["mnist"])


@pytest.mark.parametrize("name", [None, "fashion-mnist"], ids=["detected", "named"])
def test_import(synth, name):
    dataset = import_dataset(synth.data_dir / "fashion-mnist", name)
    assert dataset.name == "fashion-mnist"
    assert dataset.source.startswith(f"imported from {synth.data_dir / 'fashion-mnist'}")
    shutil.rmtree(synth.data_dir)
    assert_arrays(load_dataset("fashion-mnist"), synth.arrays["fashion-mnist"])


def test_import_npz(synth, tmp_path):
    path = write_npz(tmp_path / "mnist.npz", synth.arrays["mnist"])
    assert import_dataset(path).name == "mnist"


def test_import_bad_files_caches_nothing(synth):
    flip_byte(synth.path("mnist", "train_images"))
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz: checksum mismatch"):
        import_dataset(synth.data_dir / "mnist")  # detected from the good labels
    assert cache_files() == []


def test_import_unrecognised_folder(synth, tmp_path):
    write_dataset(tmp_path / "x", make_arrays(seed=5))
    with pytest.raises(DataError, match="cannot tell which dataset"):
        import_dataset(tmp_path / "x")
    with pytest.raises(DataError, match="no such file or folder"):
        import_dataset(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="nothing to import"):
        import_dataset(tmp_path / "empty", "mnist")
