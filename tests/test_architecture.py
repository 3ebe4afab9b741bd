"""Rules about the source tree, checked by reading it: where settings are read, import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import bench

PACKAGE = Path(bench.__file__).resolve().parent
SETTINGS_MODULE = PACKAGE / "settings.py"
# Modules still allowed to read BENCH_ variables themselves (none).
PENDING_ENV_READS: set[Path] = set()


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


# ---------------------------------------------------------------- import cycles


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The ``bench`` modules ``path`` imports, at module level or inside functions.

    ``from bench.x import y`` counts as importing ``bench.x.y`` when that is a module, else
    ``bench.x``; relative imports are resolved against the module's package.
    """
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in known else base)
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    paths = modules()
    known = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, known) for p in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes (first = last), or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def unit(module: str) -> str:
    """The part of ``bench`` a module belongs to: ``bench.data``, ``bench.stats``, ..."""
    return ".".join(module.split(".")[:2])


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_import_graph_sees_function_level_and_from_imports():
    graph = import_graph()
    assert "bench.data.loader" in graph["bench.data"]  # from bench.data.loader import ...
    assert "bench.data.cache" in graph["bench.data.loader"]  # from bench.data import cache
    assert "bench.data.specs" in graph["bench.plan.jobs"]  # from bench.data.specs import ...
    assert "bench.settings" in graph["bench.threads"]  # inside a function


def test_no_cycle_between_modules():
    assert find_cycle(import_graph()) is None


def test_no_cycle_between_subpackages():
    graph: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        graph.setdefault(unit(module), set()).update(
            unit(t) for t in targets if unit(t) != unit(module))
    assert find_cycle(graph) is None


def test_no_cycle_between_modules_of_one_subpackage():
    graph = import_graph()
    for package in sorted({unit(m) for m in graph if m.count(".") >= 2}):
        inside = {m: {t for t in targets if unit(t) == package}
                  for m, targets in graph.items() if unit(m) == package}
        assert find_cycle(inside) is None, package


def _imports_under(prefix: str) -> dict[str, set[str]]:
    return {m: t for m, t in import_graph().items() if m == prefix or m.startswith(prefix + ".")}


def test_the_runner_never_imports_the_reports_the_api_or_the_cli():
    for module, targets in _imports_under("bench.runner").items():
        banned = {t for t in targets if unit(t) in ("bench.reports", "bench.api", "bench.cli")}
        assert not banned, f"{module} imports {banned}"


def test_the_reports_read_records_alone():
    """The reports choose what they show from the records' fields (role, profile, ...): they
    import nothing that plans, runs or registers models."""
    banned_units = ("bench.runner", "bench.plan", "bench.plugins", "bench.api", "bench.cli")
    for module, targets in _imports_under("bench.reports").items():
        banned = {t for t in targets if unit(t) in banned_units}
        assert not banned, f"{module} imports {banned}"


def test_the_conformance_kit_does_not_reach_into_the_runner():
    assert not {t for t in import_graph()["bench.plugins.checks"] if unit(t) == "bench.runner"}


def test_data_sources_and_cache_do_not_import_each_other():
    graph = import_graph()
    assert not ("bench.data.cache" in graph["bench.data.sources"]
                and "bench.data.sources" in graph["bench.data.cache"])


# ---------------------------------------------------------------- the README's layout table


def test_the_readme_layout_table_names_every_module_subpackage_and_guide():
    root = PACKAGE.parent
    readme = (root / "README.md").read_text()
    table = readme[readme.index("## Layout"):]
    table = table[:table.index("\n## ")] if "\n## " in table else table
    wanted = [f"`bench/{p.name}`" for p in PACKAGE.glob("*.py") if not p.name.startswith("_")]
    wanted += [f"`bench/{p.name}/`" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    wanted += [f"`{p.name}`" for p in (root / "docs").glob("*.md")]
    wanted += [f"`{name}/" for name in ("models", "examples", "perf", "docs", "tests")]
    missing = sorted(name for name in wanted if name not in table)
    assert not missing, f"README.md's layout table misses {missing}"
