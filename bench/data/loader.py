"""The public operations: load, locate, verify, fetch and import a dataset.

Sources are tried in the order of :func:`local_sources`, then the mirrors. A source without the
dataset is skipped; a bad file is an error naming it. A source whose dataset is in the verified
cache is served from the cache without re-reading its files (``verify_dataset`` re-checks them).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.data import cache, sources
from bench.data.download import fetch_files, mirror_urls, offline_enabled, offline_hint
from bench.data.idx import IdxFormatError, sha256_hex
from bench.data.sources import FileRef, Source
from bench.data.specs import DATASETS, DatasetSpec, get_spec
from bench.data.verify import FileReport, check_files, load_verified
from bench.errors import DataError, DataWarning

PathLike = str | os.PathLike


@dataclass(frozen=True, eq=False)
class Dataset:
    """A verified dataset: read-only uint8 images ``(N, 28, 28)`` and labels; ``source`` says
    where the data came from (and where it is cached)."""

    name: str
    class_names: tuple[str, ...]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, train={len(self.y_train)}, test={len(self.y_test)}, "
                f"source={self.source!r})")


@dataclass(frozen=True)
class DataLocation:
    """Where ``load_dataset`` would take a dataset from: ``kind`` is a source's, "download" or
    "missing"; ``cached`` is the cache folder when the load would be served from it."""

    name: str
    kind: str
    path: Path | None
    description: str
    cached: Path | None = None


def local_sources(spec: DatasetSpec, data_dir: str | os.PathLike | None = None) -> list[Source]:
    """The sources to try, in order (the ``"cache"`` one is looked up by checksums)."""
    root = sources.require_data_dir(data_dir)
    found = [] if root is None else [Source("data-dir", root / spec.name)]
    found.append(Source("cache", cache.payloads_dir()))
    found += [Source("system", base / spec.name) for base in sources.SYSTEM_DATA_DIRS]
    keras = sources.keras_datasets_dir()
    npz = keras / spec.npz_name if spec.npz_name else None
    return [*found, Source("keras", keras / spec.name, npz)]


def _where(refs: Mapping[str, FileRef]) -> Path:
    ref = next(iter(refs.values()))
    return ref.path if ref.member else ref.path.parent


def _dataset(spec: DatasetSpec, arrays: Mapping[str, np.ndarray], source: str) -> Dataset:
    return Dataset(spec.name, spec.class_names, arrays["train_images"], arrays["train_labels"],
                   arrays["test_images"], arrays["test_labels"], source)


def _store(spec: DatasetSpec, arrays: Mapping[str, np.ndarray], label: str) -> str:
    """Cache verified arrays; a cache that cannot be written only costs speed."""
    try:
        for role, array in arrays.items():
            cache.store(spec, role, array)
    except OSError as exc:
        warnings.warn(f"{spec.name}: could not write the cache ({exc}); loading without it",
                      DataWarning, stacklevel=3)
        return label
    return f"{label} (cached at {cache.payloads_dir()})"


def _load_from(spec: DatasetSpec, source: Source) -> Dataset | None:
    """The dataset from ``source``, ``None`` if it is not there; bad files raise ``DataError``."""
    refs = sources.find_files(spec, source)  # none in the cache: its files are named by checksum
    if refs is None and source.kind != "cache":
        return None
    arrays = cache.load(spec)
    if arrays is not None:
        cached = f"cached at {cache.payloads_dir()}"
        return _dataset(spec, arrays, f"{_where(refs)} ({cached})" if refs else cached)
    if refs is None:
        return None
    where = _where(refs)
    arrays = load_verified(spec, refs, str(where), source.kind)
    return _dataset(spec, arrays, _store(spec, arrays, str(where)))


def _no_download_reason() -> str:
    return ("Downloads are disabled (BENCH_OFFLINE=1)." if offline_enabled()
            else "Downloads were not allowed.")


def _not_found(spec: DatasetSpec, data_dir: PathLike | None, reason: str) -> str:
    places = [str(p) for source in local_sources(spec, data_dir)
              for p in (source.folder, source.npz) if p is not None]
    return f"{spec.name} not found in {', '.join(places)}. {reason} {offline_hint(spec)}"


def _load(spec: DatasetSpec, data_dir: PathLike | None, mirrors: Sequence[str] | None,
          allow_download: bool | None, progress: bool | None, strict: bool) -> Dataset:
    for source in local_sources(spec, data_dir):
        try:
            dataset = _load_from(spec, source)
        except DataError as exc:
            if strict:
                raise
            warnings.warn(f"skipped: {exc}", DataWarning, stacklevel=3)
            continue
        if dataset is not None:
            return dataset
    if allow_download is None:
        allow_download = not offline_enabled()
    if not allow_download:
        raise DataError(_not_found(spec, data_dir, _no_download_reason()))
    used = fetch_files(spec, mirrors, progress)
    arrays = cache.load(spec)
    if arrays is None:  # the files were removed between download and load
        raise DataError(f"{spec.name}: the downloaded files in {cache.payloads_dir()} vanished; "
                        "try again.")
    return _dataset(spec, arrays, f"downloaded from {', '.join(used)} (cached at "
                                  f"{cache.payloads_dir()})")


def load_dataset(name: str, data_dir: PathLike | None = None, *,
                 mirrors: Sequence[str] | None = None, download: bool | None = None,
                 progress: bool | None = None) -> Dataset:
    """A verified dataset from the first source that holds it, downloaded if needed (and allowed:
    ``download=None`` unless ``$BENCH_OFFLINE``), cached on first load and memory-mapped after."""
    return _load(get_spec(name), data_dir, mirrors, download, progress, strict=True)


def cache_dataset(name: str, data_dir: PathLike | None = None, *,
                  mirrors: Sequence[str] | None = None, progress: bool | None = None) -> Dataset:
    """The dataset, put in the verified cache from the first local source that works (bad ones
    skipped with a ``DataWarning``), else downloaded."""
    return _load(get_spec(name), data_dir, mirrors, None, progress, strict=False)


def locate_dataset(name: str, data_dir: PathLike | None = None) -> DataLocation:
    """Where ``load_dataset`` would take the dataset from (no hashing, no download)."""
    spec = get_spec(name)
    cached = cache.payloads_dir() if cache.is_cached(spec) else None
    for source in local_sources(spec, data_dir):
        if source.kind == "cache":
            if cached is not None:
                return DataLocation(name, "cache", cached, f"cached at {cached}", cached)
            continue
        refs = sources.find_files(spec, source)
        if refs is None:
            continue
        where = _where(refs)
        suffix = f" (cached at {cached})" if cached else " (not cached yet)"
        return DataLocation(name, source.kind, where, f"{where}{suffix}", cached)
    if not offline_enabled():
        urls = ", ".join(mirror_urls(spec))
        return DataLocation(name, "download", None,
                            f"not found locally; would download from {urls}")
    return DataLocation(name, "missing", None, _not_found(spec, data_dir, _no_download_reason()))


def verify_dataset(name: str, data_dir: PathLike | None = None) -> list[FileReport]:
    """Fully re-check every file of the source ``load_dataset`` would use (a cached dataset by
    re-hashing its payloads); ``DataError`` if no local source holds the dataset."""
    spec = get_spec(name)
    for source in local_sources(spec, data_dir):
        refs = sources.find_files(spec, source)
        if source.kind == "cache" and cache.is_cached(spec):
            refs = {role: FileRef(role, cache.payload_path(f.sha256))
                    for role, f in spec.files.items()}
        if refs is not None:
            return check_files(spec, refs)[0]
    raise DataError(_not_found(spec, data_dir, "Nothing to verify."))


def _detect(source: Source) -> DatasetSpec:
    """The dataset whose checksums one of the source's files matches (labels hashed first)."""
    specs = list(DATASETS.values())
    refs = sources.find_files(specs[0], source) or {}
    for role in ("train_labels", "test_labels", "test_images", "train_images"):
        ref = refs.get(role)
        if ref is None or not ref.exists:
            continue
        try:
            digest = sha256_hex(sources.read_payload(ref, specs[0].files[role].kind))
        except (OSError, IdxFormatError):
            continue
        for spec in specs:
            if spec.files[role].sha256 == digest:
                return spec
    raise DataError(f"cannot tell which dataset {source} holds: no IDX file there matches the "
                    f"checksums of {' or '.join(DATASETS)}. Pass --dataset NAME to see what is "
                    "wrong with its files.")


def import_dataset(path: PathLike, name: str | None = None) -> Dataset:
    """Verify the IDX files in folder ``path`` (or a Keras-style ``.npz``) and cache them;
    without ``name`` the dataset is recognised by its checksums."""
    path = Path(path).expanduser()
    if path.is_dir():
        source = Source("import", folder=path)
    elif path.is_file():
        source = Source("import", npz=path)
    else:
        raise DataError(f"{path}: no such file or folder to import.")
    spec = get_spec(name) if name else _detect(source)
    refs = sources.find_files(spec, source)
    if refs is None:
        names = ", ".join(f.filename for f in spec.files.values())
        raise DataError(f"{path} holds none of {names} (raw or .gz); nothing to import.")
    arrays = load_verified(spec, refs, str(path), "import")
    return _dataset(spec, arrays, _store(spec, arrays, f"imported from {_where(refs)}"))
