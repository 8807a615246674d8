"""One direction of dependency (README, Architecture): the lower layers import nothing above."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulator"
ABOVE = {
    "knowledge": {"store", "llm", "grading", "interview", "evals", "web", "cli", "api", "library"},
    "store": {"llm", "grading", "interview", "evals", "web", "cli", "api"},
    "llm": {"store", "grading", "interview", "evals", "web", "cli", "api"},
    "grading": {"interview", "evals", "web", "cli", "api", "library"},
    "progress.py": {"api", "cli", "web"},
}


def imported(path: Path) -> set[str]:
    """The `simulator.<part>` names a module imports, at any depth (lazy imports count)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules = []
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        names.update(m.split(".")[1] for m in modules if m.startswith("simulator."))
    return names


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_a_lower_layer_imports_nothing_above_it(layer):
    root = PACKAGE / layer
    paths = [root] if root.is_file() else sorted(root.rglob("*.py"))
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(imported(path) & ABOVE[layer]) for path in paths
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_check_sees_lazy_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from simulator.grading.text import matches\n")
    assert imported(module) == {"grading"}


def _module_imports(path: Path) -> set[str]:
    """Full `simulator.a.b` module names a module imports (lazy ones too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.startswith("simulator"):
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("simulator"))
    return names


def test_the_grading_package_has_no_import_circle():
    """grading/offline once imported calibration and feedback, which imported it back."""
    modules = {}
    for path in sorted((PACKAGE / "grading").rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(p for p in parts if p != "__init__")
        modules[name] = path
    graph = {
        name: {m for m in _module_imports(path) if m in modules and m != name}
        for name, path in modules.items()
        if not name.endswith(("grading", "detectors"))  # package re-exports are not modules
    }
    seen: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in graph.get(node, ()):
            if seen.get(nxt) == 1:
                raise AssertionError(" -> ".join([*stack, node, nxt]))
            if nxt not in seen:
                visit(nxt, [*stack, node])
        seen[node] = 2

    for name in graph:
        if name not in seen:
            visit(name, [])
