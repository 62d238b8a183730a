"""The package's layers: no import cycle, and the terminal libraries only where output is made.

Imports are read from the source (those inside functions included, those under
``if TYPE_CHECKING:`` left out: they never run), so a cycle hidden behind a
lazy import fails as surely as one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "transcript_audit"
NAME = "transcript_audit"
# typer and rich print to a terminal: the CLI and the reporters, nothing below them.
TERMINAL_LIBRARIES = ("typer", "rich", "click")
MAY_USE_THE_TERMINAL = (f"{NAME}.cli", f"{NAME}.reporters", f"{NAME}.__main__")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (child for branch in node.orelse for child in _import_nodes_of(branch))
            continue
        yield from _import_nodes_of(node)


def _import_nodes_of(node: ast.AST):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    elif not (isinstance(node, ast.If) and _is_type_checking(node)):
        yield from _import_nodes(node)


def imports_of(module: str) -> set[str]:
    """Every module ``module`` imports: package modules by full name, others by top-level name."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            candidate = f"{base}.{alias.name}"
            found.add(candidate if candidate in MODULES else base)
    return found


GRAPH = {module: {target for target in imports_of(module) if target in MODULES and target != module} for module in MODULES}


def _cycle() -> list[str] | None:
    """One import cycle among the package's modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_reading_of_imports_sees_relative_and_lazy_imports():
    assert f"{NAME}.engine" in GRAPH[f"{NAME}.pipeline"]
    assert f"{NAME}.parallel" in GRAPH[f"{NAME}.pipeline"]  # imported inside a function
    assert f"{NAME}.engine" not in GRAPH[f"{NAME}.parallel"]  # only under TYPE_CHECKING


def test_no_import_cycle():
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_terminal_libraries_only_in_the_cli_and_the_reporters(module):
    if module.startswith(MAY_USE_THE_TERMINAL):
        return
    used = sorted(name for name in imports_of(module) if name.split(".")[0] in TERMINAL_LIBRARIES)
    assert not used, f"{module} imports {', '.join(used)}: only cli/ and reporters/ may"


def test_readers_import_shared_support_not_each_other():
    """A format module reads one format; what two formats share lives in a support module."""
    from transcript_audit.readers import formats, reader

    formats = {reader(name).__name__ for name in formats()}
    assert f"{NAME}.readers.vtt" in formats
    leaning = {module: sorted(GRAPH[module] & formats) for module in formats if module in GRAPH and GRAPH[module] & formats}
    assert not leaning, f"readers importing other readers: {leaning}"
