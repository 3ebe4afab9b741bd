"""Downloads from mirrors on a local HTTP server: fallback order, verification, atomicity."""

from __future__ import annotations

import pytest
from data_helpers import flip_byte, write_dataset, write_npz

from bench.data import cache_dir, download, load_dataset
from bench.data.cache import payload_path, payloads_dir
from bench.errors import DataError


@pytest.fixture
def mirrors(synth, http_root, closed_port_url):
    """``down`` (refused), ``bad`` (serves a damaged file) and ``good`` mirror URLs."""
    for name, arrays in synth.arrays.items():
        write_dataset(http_root.root / "good" / name, arrays)
        write_dataset(http_root.root / "bad" / name, arrays)
    flip_byte(http_root.root / "bad" / "mnist" / "train-images-idx3-ubyte.gz")
    return {
        "down": f"{closed_port_url}/{{name}}/",
        "bad": f"{http_root.url}/bad/{{name}}/",
        "good": f"{http_root.url}/good/{{name}}/",
    }


@pytest.fixture
def online(monkeypatch):
    monkeypatch.delenv("BENCH_OFFLINE")


def cached(spec) -> dict[str, bool]:
    """Which payloads of ``spec`` the cache holds."""
    return {role: payload_path(f.sha256).exists() for role, f in spec.files.items()}


def leftovers():
    """Temp files anywhere in the cache."""
    return [p.name for p in cache_dir().rglob(".*") if p.is_file()]


def test_falls_back_through_mirrors_in_order(synth, mirrors, http_root, online):
    urls = [mirrors["down"], mirrors["bad"], mirrors["good"]]
    dataset = load_dataset("mnist", mirrors=urls, progress=False)
    assert (dataset.x_train == synth.arrays["mnist"]["train_images"]).all()
    assert dataset.source.startswith("downloaded from http://")
    assert "/bad/mnist/" in dataset.source and "/good/mnist/" in dataset.source
    # the bad mirror's damaged file was rejected and fetched from the good one
    assert http_root.requests == [
        "/bad/mnist/train-images-idx3-ubyte.gz",
        "/bad/mnist/train-labels-idx1-ubyte.gz",
        "/bad/mnist/t10k-images-idx3-ubyte.gz",
        "/bad/mnist/t10k-labels-idx1-ubyte.gz",
        "/good/mnist/train-images-idx3-ubyte.gz",
    ]
    assert all(cached(synth.specs["mnist"]).values())
    assert leftovers() == []


def test_later_loads_use_the_cache_not_the_network(synth, mirrors, http_root, online):
    load_dataset("fashion-mnist", mirrors=[mirrors["good"]], progress=False)
    n = len(http_root.requests)
    again = load_dataset("fashion-mnist", mirrors=[mirrors["good"]])
    assert again.source == f"cached at {payloads_dir()}"
    assert len(http_root.requests) == n
    # a payload gone from the cache is fetched again, and only that one
    payload_path(synth.specs["fashion-mnist"].files["test_labels"].sha256).unlink()
    load_dataset("fashion-mnist", mirrors=[mirrors["good"]], progress=False)
    assert http_root.requests[n:] == ["/good/fashion-mnist/t10k-labels-idx1-ubyte.gz"]


def test_all_mirrors_failing_names_each_failure(synth, mirrors, http_root, online):
    with pytest.raises(DataError) as err:
        load_dataset("mnist", mirrors=[mirrors["down"], mirrors["bad"]], progress=False)
    message = str(err.value)
    assert "could not download train-images-idx3-ubyte from any mirror" in message
    assert "Connection refused" in message or "refused" in message.lower()
    assert "train-images-idx3-ubyte.gz: checksum mismatch" in message
    assert "--data-dir" in message and "bench data import" in message
    # the good files from the bad mirror were kept; the damaged one never was
    assert cached(synth.specs["mnist"]) == {"train_images": False, "train_labels": True,
                                            "test_images": True, "test_labels": True}
    assert leftovers() == []


def test_missing_file_on_a_mirror_is_a_fallback(synth, mirrors, http_root, online):
    (http_root.root / "bad" / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").unlink()
    urls = [mirrors["bad"], mirrors["good"]]
    load_dataset("fashion-mnist", mirrors=urls, progress=False)
    assert http_root.requests[-1] == "/good/fashion-mnist/t10k-images-idx3-ubyte.gz"


def test_mirrors_from_env(synth, mirrors, http_root, online, monkeypatch):
    monkeypatch.setenv("BENCH_MIRRORS", f"{mirrors['down']}, {mirrors['good']}")
    load_dataset("fashion-mnist", progress=False)
    assert http_root.requests[0] == "/good/fashion-mnist/train-images-idx3-ubyte.gz"


def test_offline_never_touches_the_network(synth, mirrors, http_root):
    with pytest.raises(DataError, match="BENCH_OFFLINE=1"):
        load_dataset("mnist", mirrors=[mirrors["good"]])
    assert http_root.requests == []


def test_npz_mirror(synth, mirrors, http_root, online):
    write_npz(http_root.root / "keras" / "mnist.npz", synth.arrays["mnist"])
    urls = [mirrors["down"], f"{http_root.url}/keras/mnist.npz"]
    dataset = load_dataset("mnist", mirrors=urls, progress=False)
    assert (dataset.y_test == synth.arrays["mnist"]["test_labels"]).all()
    assert all(cached(synth.specs["mnist"]).values())
    assert leftovers() == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, ConnectionResetError])
def test_interrupted_download_leaves_no_partial_file(synth, mirrors, online, monkeypatch, error):
    real = download.iter_chunks

    def one_chunk_then_fail(response, chunk_size=download.CHUNK_SIZE):
        for chunk in real(response, 100):
            yield chunk
            raise error("cut")

    monkeypatch.setattr(download, "iter_chunks", one_chunk_then_fail)
    expected = KeyboardInterrupt if error is KeyboardInterrupt else DataError
    with pytest.raises(expected):
        load_dataset("mnist", mirrors=[mirrors["good"]], progress=False)
    assert list(payloads_dir().iterdir()) == []


def test_mirror_urls(synth, monkeypatch):
    spec = synth.specs["mnist"]
    assert download.mirror_urls(spec, ["http://h/{name}/", " "]) == ["http://h/mnist/"]
    monkeypatch.setenv("BENCH_MIRRORS", "http://a/,http://b/{name}.npz")
    assert download.mirror_urls(spec) == ["http://a/", "http://b/mnist.npz"]
    monkeypatch.delenv("BENCH_MIRRORS")
    assert download.mirror_urls(spec) == list(spec.mirrors)
