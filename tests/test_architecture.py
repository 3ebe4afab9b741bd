"""Rules about the source tree, checked by reading it: where settings are read, import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import bench

PACKAGE = Path(bench.__file__).resolve().parent
SETTINGS_MODULE = PACKAGE / "settings.py"
# The registry's BENCH_PLUGINS / BENCH_DISABLE_PLUGINS reads move to get_settings() in the
# plugin-contract work; drop this entry when they do.
PENDING_ENV_READS = {PACKAGE / "registry.py"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


# ---------------------------------------------------------------- environment reads


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "text"`` assignments."""
    found = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _is_environ(node: ast.AST) -> bool:
    """``os.environ`` or a bare ``environ``."""
    return ((isinstance(node, ast.Attribute) and node.attr == "environ")
            or (isinstance(node, ast.Name) and node.id == "environ"))


def bench_env_reads(source: str) -> list[int]:
    """Lines that read a ``BENCH_`` environment variable (``os.environ.get/[]/in``,
    ``os.getenv``), whether named by a literal or a module-level constant."""
    tree = ast.parse(source)
    constants = _string_constants(tree)

    def names_bench(key: ast.AST | None) -> bool:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value.startswith("BENCH_")
        if isinstance(key, ast.Name):
            return constants.get(key.id, "").startswith("BENCH_")
        return False

    lines = []
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Call):
            func = node.func
            is_get = (isinstance(func, ast.Attribute) and func.attr in ("get", "pop")
                      and _is_environ(func.value))
            is_getenv = ((isinstance(func, ast.Attribute) and func.attr == "getenv")
                         or (isinstance(func, ast.Name) and func.id == "getenv"))
            if (is_get or is_getenv) and node.args:
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            key = node.slice
        elif (isinstance(node, ast.Compare) and len(node.comparators) == 1
              and _is_environ(node.comparators[0])):
            key = node.left
        if names_bench(key):
            lines.append(node.lineno)
    return lines


def test_the_detector_finds_every_form_of_read():
    source = ('import os\nfrom os import environ, getenv\nVAR = "BENCH_X"\n'
              'a = os.environ.get("BENCH_A")\nb = os.environ["BENCH_B"]\nc = os.getenv(VAR)\n'
              'd = "BENCH_D" in os.environ\ne = environ.get(VAR, "")\nf = getenv("BENCH_F")\n'
              'ok = os.environ.get("HOME")\nos.environ["OMP_NUM_THREADS"] = "1"\n')
    assert bench_env_reads(source) == [4, 5, 6, 7, 8, 9]


def test_only_the_settings_module_reads_bench_variables():
    offenders = {str(path.relative_to(PACKAGE.parent)): lines for path in modules()
                 if path != SETTINGS_MODULE and path not in PENDING_ENV_READS
                 and (lines := bench_env_reads(path.read_text(encoding="utf-8")))}
    assert offenders == {}, ("read BENCH_ variables through bench.settings.get_settings(): "
                             f"{offenders}")
