"""``bench list``: the registered models (or the named ones, in detail) and the datasets."""

from __future__ import annotations

import argparse
import json

from bench.data import DATASETS
from bench.data.corruptions import CORRUPTIONS
from bench.files import terminal_text
from bench.plan import builtin_suites, find_suite
from bench.plugins.registry import available_models, get_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "list", help="list models and datasets",
        description="List every registered model (name, family, description, parameters) and "
                    "every dataset; with MODEL names (registered, or an import path such as "
                    "sklearn.svm.SVC), each model's parameters in detail, including the "
                    "pass-through parameters of the scikit-learn class underneath.")
    parser.add_argument("models", nargs="*", metavar="MODEL",
                        help="show these models in detail (with --suites: these suites, by "
                             "built-in name or .toml path)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--suites", action="store_true",
                        help="list the built-in suites (for `run-all --suite NAME`) instead, or "
                             "with names, each suite's settings and entries")
    parser.add_argument("--corruptions", action="store_true",
                        help="list the corruptions (for `run-all --corruptions`) instead")
    parser.set_defaults(func=run)


def _param(p) -> dict:
    return {"name": p.name, "type": p.type_name, "default": p.default, "help": p.help,
            "choices": list(p.choices), "range": p.range.describe() if p.range else None}


def describe_model(spec, detail: bool = False) -> dict:
    """One model as plain data; ``detail`` adds the pass-through parameters (imports them)."""
    data = {
        "name": spec.name,
        "family": spec.family,
        "description": spec.description,
        "version": spec.version,
        "input": spec.input_kind,
        "trains_in_epochs": spec.trains_in_epochs,
        "source": spec.source,
        "distribution": spec.distribution,
        "parameters": [_param(p) for p in spec.params],
        "passthrough": spec.passthrough,
    }
    if detail:
        data["passthrough_parameters"] = [_param(p) for p in spec.passthrough_params()]
    return data


def _signature(p: dict) -> str:
    return f"{p['name']}: {p['type']} = {p['default']!r}"


def run(args: argparse.Namespace) -> int:
    if args.suites:
        return list_suites(args.format, args.models)
    if args.corruptions:
        rows = [{"name": c.name, "family": c.family, "severity": c.severity} for c in CORRUPTIONS]
        print(json.dumps(rows, indent=2) if args.format == "json" else "\n".join(
            f"  {r['name']}  [{r['family']}] {r['severity']}" for r in rows))
        return 0
    data = {"models": [describe_model(get_model(name), detail=True) for name in args.models]
            if args.models else [describe_model(spec) for spec in available_models()],
            "datasets": [{"name": spec.name, "title": spec.title, "classes": list(spec.class_names)}
                         for spec in DATASETS.values()]}
    if args.format == "json":
        print(json.dumps(data, indent=2, default=list))
        return 0
    data = terminal_text(data)  # a plugin's text never moves the cursor or fakes a line
    print("Models:")
    for model in data["models"]:
        version = model["version"]
        version = f"v{version}" if version[:1].isdigit() else version
        print(f"  {model['name']}  [{model['family']}, input {model['input']}, {version}]\n"
              f"    {model['description']}")
        if not args.models:
            params = ", ".join(_signature(p) for p in model["parameters"])
            print(f"    parameters: {params or '(none)'}")
            continue
        print(f"    source: {model['source'] or '?'}"
              + (f" ({model['distribution']})" if model["distribution"] else ""))
        print("    parameters:")
        for p in model["parameters"]:
            print(f"      {_signature(p)}" + (f"  -- {p['help']}" if p["help"] else ""))
        extra = model.get("passthrough_parameters") or []
        if extra:
            print(f"    pass-through parameters of {model['passthrough']} (enter a job only "
                  "when set):")
            for p in extra:
                print(f"      {_signature(p)}")
    if args.models:
        return 0
    print("\nDatasets:")
    for dataset in data["datasets"]:
        print(f"  {dataset['name']}  {dataset['title']}: {', '.join(dataset['classes'])}")
    return 0


def describe_suite(suite) -> dict:
    """One suite as plain data: its settings (None: the harness default) and its entries."""
    return {
        "name": suite.name, "description": suite.description, "profile": suite.profile,
        "datasets": suite.datasets and list(suite.datasets),
        "seeds": suite.seeds and list(suite.seeds), "learning_curve": suite.learning_curve,
        "models": [{"model": e.model, "params": e.params,
                    "grid": {name: list(values) for name, values in e.grid.items()},
                    "heavy": e.heavy, "stand_in_for": e.stand_in_for, "family": e.family,
                    "note": e.note} for e in suite.entries],
    }


def _suite_text(data: dict) -> list[str]:
    """A suite's detail as text lines."""
    def shown(value, default):
        return default if value is None else ", ".join(map(str, value))

    lines = [f"{data['name']}  {data['description']}".rstrip(),
             f"  profile: {data['profile'] or 'full (default)'}; datasets: "
             f"{shown(data['datasets'], 'both (default)')}; seeds: "
             f"{shown(data['seeds'], '0, 1, 2 (default)')}"]
    for entry in data["models"]:
        tags = [t for t in (entry["family"] and f"family {entry['family']}",
                            "heavy" if entry["heavy"] else None,
                            entry["stand_in_for"] and f"stand-in for {entry['stand_in_for']}")
                if t]
        lines.append(f"  {entry['model']}" + (f"  [{', '.join(tags)}]" if tags else ""))
        if entry["params"]:
            lines.append("    params: " + ", ".join(f"{k}={v!r}" for k, v in entry["params"].items()))
        if entry["grid"]:
            lines.append("    grid: " + ", ".join(f"{k} in {v!r}" for k, v in entry["grid"].items()))
        if entry["note"]:
            lines.append(f"    note: {entry['note']}")
    return lines


def list_suites(output_format: str, names: list[str] | None = None) -> int:
    """The built-in suites (name and description), or the named suites in detail."""
    if names:
        details = [describe_suite(find_suite(name)) for name in names]
        if output_format == "json":
            print(json.dumps(details, indent=2))
        else:
            print("\n\n".join("\n".join(_suite_text(d)) for d in details))
        return 0
    suites = builtin_suites()
    if output_format == "json":
        print(json.dumps([{"name": n, "description": d} for n, d in suites.items()], indent=2))
        return 0
    print("Built-in suites (bench run-all --suite NAME; or a TOML file, see docs/suites.md):")
    for name, description in suites.items():
        print(f"  {name}  {description}")
    return 0
