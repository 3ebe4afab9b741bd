"""``bench new-model NAME``: write a model plugin package skeleton."""

from __future__ import annotations

import argparse

from bench.errors import UsageError
from bench.plugins.registry import available_models
from bench.plugins.scaffold import new_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "new-model", help="write a ready-to-install model plugin package",
        description="Write NAME/ (in --dir): pyproject.toml with the bench.models entry point, "
                    "src/bench_NAME/__init__.py (hyphens as underscores: my-model gives "
                    "src/bench_my_model/) with a working model, its conformance test and a "
                    "README. Then: pip install -e NAME && bench check NAME.")
    parser.add_argument("name", metavar="NAME", help="model name, e.g. my-model")
    parser.add_argument("--keras", action="store_true",
                        help="a Keras model (KerasClassifierBase) instead of a scikit-learn one")
    parser.add_argument("--dir", default=".", help="parent folder (default: the current one)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.name in {spec.name for spec in available_models()}:
        raise UsageError(f"a model named {args.name!r} is already registered (`bench list`); a "
                         "plugin of that name would lose to a built-in, and two third-party "
                         "plugins of one name are both skipped (docs/plugins.md). Choose another "
                         "name.")
    folder = new_model(args.name, args.dir, keras=args.keras)
    print(f"wrote {folder}/\nnext: pip install -e {folder} && bench check {args.name}")
    return 0
