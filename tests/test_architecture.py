"""The rooms of the house, checked: the import graph has no cycle, and every package imports
only what docs/architecture.md's table of packages says it may (the table is read from the
document, so the document and the code cannot part)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from hub.operations import OPERATIONS
from lobby.contract import REGISTRY
from tests.helpers import ROOT

PACKAGES = ("lobby", "hub", "devicekit", "kiosk", "display", "demo", "console", "citizen",
            "emulators", "tests", "bench")


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(p for p in parts if p != "__init__"), path


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """First-party modules this one imports, at its top or inside functions alike.
    `from package import module` is an arrow to the module; a package's own ancestors are
    not arrows (Python runs them first, whatever the import says)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return {m for m in found if m in known and m not in ancestors and m != name}


def graph() -> dict[str, set[str]]:
    names = dict(modules())
    return {name: imports_of(name, path, set(names)) for name, path in names.items()}


def allowed_imports() -> dict[str, set[str]]:
    """The `may import` column of the package table in docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("## Packages", 1)[1].split("\n## ", 1)[0]
    allowed: dict[str, set[str]] = {}
    for row in re.findall(r"^\| `(\w+)/` \|[^|]*\| ([^|]*) \|$", table, re.MULTILINE):
        package, may = row
        allowed[package] = set(re.findall(r"`(\w+)`", may))
    return allowed


def test_the_import_graph_has_no_cycle() -> None:
    edges = graph()
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycle = [*path[path.index(target):], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_every_package_imports_only_what_the_architecture_allows() -> None:
    allowed = allowed_imports()
    assert set(allowed) == set(PACKAGES), "docs/architecture.md's package table is incomplete"
    wrong = []
    for name, targets in graph().items():
        package = name.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != package and other not in allowed[package]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_table_forbids_what_matters() -> None:
    """The table itself: the core imports no app, the hub no device package."""
    allowed = allowed_imports()
    assert allowed["lobby"] == set()
    assert not allowed["hub"] & {"devicekit", "kiosk", "display", "demo"}
    assert "tests" not in allowed["bench"]


def test_every_action_has_exactly_one_operation() -> None:
    requests = {spec.model for spec in REGISTRY if spec.action}
    assert set(OPERATIONS) == requests  # one each: registering a second one raises
