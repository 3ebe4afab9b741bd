"""``bench data``: inspect, verify, fetch and import the datasets (a thin layer over
``bench.data``)."""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

from bench.cli.options import settings_options
from bench.data import (
    DATASET_NAMES,
    cache_dataset,
    expected_checksums,
    import_dataset,
    load_dataset,
    locate_dataset,
    verify_dataset,
)
from bench.data.sources import require_data_dir
from bench.errors import DataError


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "data", help="inspect, verify, fetch or import the datasets",
        description="Inspect, verify, fetch or import MNIST and Fashion-MNIST. Sources are tried "
                    "in order: --data-dir / $BENCH_DATA_DIR, the harness cache ($BENCH_CACHE_DIR), "
                    "system and Keras installs, then the public mirrors ($BENCH_MIRRORS; none with "
                    "BENCH_OFFLINE=1).")
    sub = parser.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)

    def command(name: str, func, help_: str, description: str,
                dataset_help: str | None = None) -> argparse.ArgumentParser:
        parents = [settings_options()] if dataset_help is None else []
        p = sub.add_parser(name, help=help_, description=description, parents=parents)
        p.add_argument("--dataset", choices=DATASET_NAMES,
                       help=dataset_help or "only this dataset (default: all)")
        p.set_defaults(func=func)
        return p

    command("info", run_info, "where each dataset is found, its sizes and class counts",
            "Show, per dataset, where it is loaded from, train/test sizes, class counts per class "
            "name and the checksum status (loading verifies every file, or uses the verified "
            "cache).")
    command("verify", run_verify, "re-check every file against its SHA-256",
            "Fully re-check every file of the source each dataset would be loaded from (IDX "
            "header and SHA-256 of the decompressed payload; no cache shortcut). Exits 0 only if "
            "all are good.")
    fetch = command("fetch", run_fetch,
                    "fill the cache from the first source that works, downloading if needed",
                    "Fill the harness cache from the first local source with good files, else "
                    "download from the mirrors (each file verified before it is kept).")
    fetch.add_argument("--mirror", action="append", metavar="URL",
                       help="mirror URL to use instead of the defaults (repeatable; {name} is "
                            "replaced by the dataset name; a URL ending in .npz is a Keras-style "
                            "archive)")
    imp = command("import", run_import, "verify IDX files in a folder and copy them into the cache",
                  "Verify the four IDX files (raw or .gz) in PATH, or a Keras-style mnist.npz, and "
                  "copy them into the harness cache. The dataset is recognised by its checksums "
                  "unless --dataset is given.",
                  dataset_help="the dataset PATH holds (default: recognised by its checksums)")
    imp.add_argument("path", metavar="PATH", help="folder with the IDX files, or an .npz file")


def _names(args: argparse.Namespace) -> tuple[str, ...]:
    return (args.dataset,) if args.dataset else DATASET_NAMES


def format_info(dataset) -> str:
    """The ``data info`` block of one loaded dataset."""
    train = np.bincount(dataset.y_train, minlength=len(dataset.class_names))
    test = np.bincount(dataset.y_test, minlength=len(dataset.class_names))
    width = max(len(name) for name in dataset.class_names)
    n_files = len(expected_checksums(dataset.name))
    status = f"ok (all {n_files} payloads match their SHA-256; a changed cache file is refused)"
    lines = [
        f"{dataset.name}",
        f"  source:    {dataset.source}",
        f"  train:     {len(dataset.y_train)} images",
        f"  test:      {len(dataset.y_test)} images",
        f"  checksums: {status}",
        f"  classes:   {'':{width}}  train   test",
    ]
    for i, name in enumerate(dataset.class_names):
        lines.append(f"    {i}  {name:{width}}  {train[i]:6d} {test[i]:6d}")
    return "\n".join(lines)


def run_info(args: argparse.Namespace) -> int:
    require_data_dir()
    errors = []
    for name in _names(args):
        location = locate_dataset(name)
        if location.kind in ("download", "missing"):
            print(f"{name}\n  source:    none ({location.description})")
            errors.append(f"{name} is not available locally; run `bench data fetch --dataset "
                          f"{name}`.")
            continue
        try:
            print(format_info(load_dataset(name, download=False)))
        except DataError as exc:
            print(f"{name}\n  error:     {str(exc).splitlines()[0]}")
            errors.append(str(exc))
    if errors:
        raise DataError("\n".join(errors))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    require_data_dir()
    bad, errors = [], []
    for name in _names(args):
        try:
            reports = verify_dataset(name)
        except DataError as exc:
            errors.append(str(exc))
            continue
        for r in reports:
            status = "ok" if r.ok else r.status.upper()
            print(f"{status:17}  {r.dataset:13}  {r.path}  {r.detail}")
        bad += [r for r in reports if not r.ok]
    if bad:
        noun = "file is" if len(bad) == 1 else "files are"
        lines = "\n".join(f"  {r}" for r in bad)
        errors.insert(0, f"{len(bad)} {noun} bad:\n{lines}\nBad data is never loaded. Replace "
                         "the bad files with good copies (bad cache files: delete them and run "
                         "`bench data fetch`), or point --data-dir / BENCH_DATA_DIR at a good copy.")
    if errors:
        raise DataError("\n".join(errors))
    print("all files ok")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    require_data_dir()
    errors = []
    for name in _names(args):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                dataset = cache_dataset(name, mirrors=args.mirror)
            except DataError as exc:
                errors.append(str(exc))
                dataset = None
        for w in caught:
            print(f"warning: {w.message}", file=sys.stderr)
        if dataset is not None:
            print(f"{name}: ok, {dataset.source}")
    if errors:
        raise DataError("\n".join(errors))
    return 0


def run_import(args: argparse.Namespace) -> int:
    dataset = import_dataset(args.path, args.dataset)
    print(f"{dataset.name}: ok, {dataset.source}")
    return 0
