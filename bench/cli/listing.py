"""``bench list``: the registered models and the datasets."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("list", help="list models and datasets",
                            description="List every registered model (name, family, description, "
                                        "parameters) and every dataset.")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--suites", action="store_true",
                        help="list the built-in suites (for `run-all --suite NAME`) instead")
    parser.set_defaults(func=run)


def catalogue() -> dict:
    """Models and datasets as plain data (the JSON output)."""
    from bench.data import DATASETS
    from bench.registry import available_models

    models = [{
        "name": spec.name,
        "family": spec.family,
        "description": spec.description,
        "version": spec.version,
        "input": spec.input_kind,
        "source": spec.source,
        "parameters": [{"name": p.name, "type": p.type_name, "default": p.default,
                        "help": p.help} for p in spec.params],
    } for spec in available_models()]
    datasets = [{"name": spec.name, "title": spec.title, "classes": list(spec.class_names)}
                for spec in DATASETS.values()]
    return {"models": models, "datasets": datasets}


def run(args: argparse.Namespace) -> int:
    if args.suites:
        return list_suites(args.format)
    data = catalogue()
    if args.format == "json":
        print(json.dumps(data, indent=2, default=list))
        return 0
    print("Models:")
    for model in data["models"]:
        print(f"  {model['name']}  [{model['family']}, input {model['input']}, "
              f"v{model['version']}]\n    {model['description']}")
        params = ", ".join(f"{p['name']}: {p['type']} = {p['default']!r}"
                           for p in model["parameters"])
        print(f"    parameters: {params or '(none)'}")
    print("\nDatasets:")
    for dataset in data["datasets"]:
        print(f"  {dataset['name']}  {dataset['title']}: {', '.join(dataset['classes'])}")
    return 0


def list_suites(output_format: str) -> int:
    from bench.suites import builtin_suites

    suites = builtin_suites()
    if output_format == "json":
        print(json.dumps([{"name": n, "description": d} for n, d in suites.items()], indent=2))
        return 0
    print("Built-in suites (bench run-all --suite NAME; or a TOML file, see docs/suites.md):")
    for name, description in suites.items():
        print(f"  {name}  {description}")
    return 0
