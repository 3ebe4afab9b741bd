"""Fixtures for the dataset tests: an isolated environment and tiny synthetic IDX datasets.

Every test gets its own empty cache (``BENCH_CACHE_DIR``), no data dir, no Keras or system
installs and downloads disabled, so nothing outside ``tmp_path`` is read or written. The
``synth`` datasets replace the real specs in ``DATASETS`` with specs whose checksums are those
of the synthetic files.
"""

from __future__ import annotations

import http.server
import socket
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from data_helpers import REAL_DATA_DIR, Synthetic, make_arrays, spec_for, write_dataset

from bench.data import sources
from bench.data.specs import DATASETS


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """A private cache, no data dir / Keras / system installs, downloads off, no proxies."""
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("BENCH_OFFLINE", "1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for var in ("BENCH_DATA_DIR", "BENCH_MIRRORS", "http_proxy", "HTTP_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sources, "SYSTEM_DATA_DIRS", ())


@pytest.fixture
def synth(tmp_path, monkeypatch) -> Synthetic:
    """Synthetic gzipped mnist and fashion-mnist under ``tmp_path/data`` with matching specs."""
    result = Synthetic(tmp_path / "data")
    for seed, name in enumerate(("mnist", "fashion-mnist")):
        arrays = make_arrays(seed)
        result.arrays[name] = arrays
        result.specs[name] = spec_for(name, arrays)
        write_dataset(result.data_dir / name, arrays)
        monkeypatch.setitem(DATASETS, name, result.specs[name])
    return result


@pytest.fixture
def real_data_dir() -> Path:
    """The real datasets (``$BENCH_DATA_DIR``), or skip."""
    if not REAL_DATA_DIR:
        pytest.skip("BENCH_DATA_DIR is not set (the real datasets are needed)")
    return Path(REAL_DATA_DIR)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        super().do_GET()


@dataclass
class HttpServer:
    """A static file server on 127.0.0.1 serving ``root``; ``requests`` lists the paths asked."""

    root: Path
    url: str
    requests: list[str]


@pytest.fixture
def http_root(tmp_path) -> HttpServer:
    root = tmp_path / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_Handler, directory=str(root))
    )
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield HttpServer(root, f"http://127.0.0.1:{server.server_address[1]}", server.requests)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
