"""Packaging: every bench package is installed, and the built-ins live under bench.models."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_bench_package_is_listed_for_installation():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in ROOT.glob("bench/**/__init__.py")}
    assert on_disk | {"bench.models"} == set(config["packages"])
    assert config["package-dir"] == {"bench.models": "models"}


def test_builtin_entry_points_use_the_project_namespace():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    values = project["entry-points"]["bench.models"].values()
    assert values and all(v.startswith("bench.models.") for v in values)
