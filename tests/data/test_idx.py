"""The IDX codec: header checks, gzip handling, round trips."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from data_helpers import make_arrays, write_idx

from bench.data import idx

ARRAYS = make_arrays(seed=0)
IMAGES, LABELS = ARRAYS["train_images"], ARRAYS["train_labels"]


def test_round_trip_images_and_labels():
    images = idx.parse(idx.encode(IMAGES, "images"), "images", 20)
    labels = idx.parse(idx.encode(LABELS, "labels"), "labels", 20)
    assert images.dtype == np.uint8 and images.shape == (20, 28, 28)
    assert np.array_equal(images, IMAGES) and np.array_equal(labels, LABELS)


def test_headers_match_the_idx_spec():
    payload = idx.encode(IMAGES, "images")
    assert struct.unpack(">4I", payload[:16]) == (0x00000803, 20, 28, 28)
    assert struct.unpack(">2I", idx.encode(LABELS, "labels")[:8]) == (0x00000801, 20)
    assert len(payload) == 16 + 20 * 28 * 28


def test_parsed_arrays_are_read_only():
    array = idx.parse(idx.encode(LABELS, "labels"), "labels", 20)
    with pytest.raises(ValueError):
        array[0] = 1


@pytest.mark.parametrize(
    ("payload", "kind", "count", "message"),
    [
        (idx.encode(LABELS, "labels"), "images", 20, "wrong magic number 0x00000801"),
        (idx.encode(IMAGES, "images"), "labels", 20, "wrong magic number 0x00000803"),
        (b"\x00\x00", "labels", 20, "too short"),
        (idx.encode(IMAGES, "images")[:10], "images", 20, "header needs 16"),
        (idx.encode(IMAGES, "images")[:-5], "images", 20, "truncated"),
        (idx.encode(IMAGES, "images") + b"\x00", "images", 20, "1 unexpected bytes"),
        (idx.encode(IMAGES[:19], "images"), "images", 20, "header says 19 images, expected 20"),
        (idx.encode(LABELS[:19], "labels"), "labels", 20, "header says 19 labels, expected 20"),
        (idx.encode(IMAGES[:, :27], "images"), "images", 20, "27x28 images, expected 28x28"),
    ],
    ids=[
        "labels-as-images",
        "images-as-labels",
        "no-header",
        "cut-header",
        "truncated",
        "trailing",
        "count-images",
        "count-labels",
        "dims",
    ],
)
def test_bad_payloads_are_rejected(payload, kind, count, message):
    with pytest.raises(idx.IdxFormatError, match=message):
        idx.parse(payload, kind, count)


def test_decompress_gzip_and_raw():
    payload = idx.encode(LABELS, "labels")
    assert idx.decompress(gzip.compress(payload), gzipped=True) == payload
    assert idx.decompress(payload, gzipped=False) == payload
    # gzip content under a raw name is still recognised by its magic bytes
    assert idx.decompress(gzip.compress(payload), gzipped=False) == payload


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (idx.encode(LABELS, "labels"), "not a gzip file"),
        (gzip.compress(idx.encode(IMAGES, "images"))[:-100], "truncated gzip stream"),
        (b"\x1f\x8b" + b"\x00" * 30, "invalid gzip data"),
    ],
    ids=["not-gzip", "truncated-gzip", "garbage-gzip"],
)
def test_bad_gzip_is_corrupt(data, message):
    with pytest.raises(idx.IdxFormatError, match=message):
        idx.decompress(data, gzipped=True)


def test_encode_rejects_wrong_dtype_or_rank():
    with pytest.raises(idx.IdxFormatError, match="uint8"):
        idx.encode(IMAGES.astype(np.int16), "images")
    with pytest.raises(idx.IdxFormatError, match="dimension"):
        idx.encode(IMAGES, "labels")


@pytest.mark.parametrize("name", ["file.gz", "file"])
def test_write_then_read_back(tmp_path, name):
    path = write_idx(tmp_path / name, IMAGES, "images")
    data = path.read_bytes()
    assert (data[:2] == idx.GZIP_MAGIC) == name.endswith(".gz")
    payload = idx.decompress(data, gzipped=name.endswith(".gz"))
    assert np.array_equal(idx.parse(payload, "images", 20), IMAGES)
