"""Core modules depend only downward: no import circle, type-only imports included."""

import ast
from pathlib import Path

import tarash.tarash_gateway as gateway

PACKAGE = "tarash.tarash_gateway"
ROOT = Path(gateway.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports anywhere (top level, functions, TYPE_CHECKING).

    The package facade itself is left out: every submodule runs after it anyway.
    """
    modules = {module_name(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        if name == PACKAGE:
            continue
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
                deps.add(node.module)
                deps.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
        graph[name] = {d for d in deps if d in modules and d not in (name, PACKAGE)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in graph[node]:
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_core_has_no_import_circles():
    assert cycles(import_graph()) == []


def test_exceptions_and_plugin_helpers_sit_below_what_uses_them():
    graph = import_graph()
    below = {
        f"{PACKAGE}.exceptions": {"models", "_media", "plugin"},
        f"{PACKAGE}._flow_helpers": {"plugin"},
        f"{PACKAGE}._provider_errors": {"plugin"},
        f"{PACKAGE}.hookspecs": {"plugin"},
    }
    for module, uppers in below.items():
        assert not graph[module] & {f"{PACKAGE}.{up}" for up in uppers}, module


def test_public_paths_still_export_the_moved_types():
    from tarash.tarash_gateway import models, plugin

    for name in ("CallContext", "Flow", "Job", "JobStatus", "ProviderInfo", "Sleep"):
        assert hasattr(plugin, name) and name in plugin.__all__
    for name in ("AttemptMetadata", "ExecutionMetadata", "MappingAdjustment"):
        assert hasattr(models, name)
