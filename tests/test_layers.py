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
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(imported(path) & ABOVE[layer])
        for path in sorted((PACKAGE / layer).rglob("*.py"))
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_check_sees_lazy_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from simulator.grading.text import matches\n")
    assert imported(module) == {"grading"}
