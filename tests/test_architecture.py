"""The package's floors, read from its imports (docs/ARCHITECTURE.md).

Every module of coursekit lives on one floor; a module imports only from floors below its own
(or from its own package), never a private ``_name`` of another package, and no function is longer than 60
lines. The test parses the sources with ``ast``: nothing is
imported, so a violation is reported even in a module that would fail to import.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "coursekit"

# Bottom to top. The first part of a module's dotted name below ``coursekit`` gives its floor.
FLOORS = [
    ("errors",),          # the exception types, one per kind of mistake
    ("backend",),         # which array library runs the maths, and the namespace helpers
    ("environment",),     # what is installed (notebook 00)
    ("datasets",),
    ("nn",),
    ("autograd",),
    ("plotting",),
    ("widgets",),
    ("lessons",),
    ("checks",),
    ("course",),
    ("__init__", "__main__"),  # the package itself: loads any floor on demand
]
FLOOR_OF = {name: level for level, names in enumerate(FLOORS) for name in names}
FLOOR_NAMES = {level: "/".join(names) for level, names in enumerate(FLOORS)}

# A private name another package may import, with the reason. Keep this list short.
ALLOWED_PRIVATE: dict[tuple[str, str], str] = {}

MAX_FUNCTION_LINES = 60
# (module path, function) pairs allowed past the limit while being split; keep this empty.
LONG_FUNCTIONS_EXEMPT: set[tuple[str, str]] = set()  # the grader's package keeps its own rules


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package and len(parts) > 2:
            parts = parts[:-1]
        yield path, parts, is_package


def _package_of(parts: list[str]) -> str:
    """``coursekit.nn.dense`` -> ``nn``; ``coursekit/__init__.py`` -> ``__init__``."""
    return parts[1]


def _resolve(parts, is_package, node: ast.ImportFrom) -> list[str]:
    """The absolute dotted name an ``from X import`` refers to, as a list of parts."""
    if node.level == 0:
        return (node.module or "").split(".")
    base = parts if is_package else parts[:-1]
    if parts[-1] == "__init__":  # coursekit/__init__.py
        base = parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return base + (node.module.split(".") if node.module else [])


def _imports(path, parts, is_package):
    """(line, target parts, imported names) for every import of coursekit in the module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name.split(".")
                if target[0] == "coursekit":
                    yield node.lineno, target, []
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(parts, is_package, node)
            if target and target[0] == "coursekit":
                yield node.lineno, target, [a.name for a in node.names]


def _violations():
    found = []
    for path, parts, is_package in _modules():
        rel = path.relative_to(ROOT.parent)
        own = _package_of(parts)
        if own not in FLOOR_OF:
            found.append(f"{rel}:1: module {'.'.join(parts)} is on no floor; add it to a package "
                         f"(tests/test_architecture.py FLOORS, docs/ARCHITECTURE.md)")
            continue
        for line, target, names in _imports(path, parts, is_package):
            if len(target) == 1:  # from coursekit import nn, plotting
                targets = [(name, []) for name in names] or [("__init__", [])]
            else:
                targets = [(target[1], target[2:])]
            for package, rest in targets:
                if package == own:
                    continue
                if package not in FLOOR_OF:
                    found.append(f"{rel}:{line}: imports coursekit.{package}, which is on no floor")
                    continue
                if FLOOR_OF[package] > FLOOR_OF[own]:
                    found.append(f"{rel}:{line}: {own} (floor {FLOOR_OF[own]}, "
                                 f"{FLOOR_NAMES[FLOOR_OF[own]]}) imports coursekit.{package} (floor "
                                 f"{FLOOR_OF[package]}): imports go only downwards")
                private = [p for p in rest if p.startswith("_") and p != "__init__"]
                private += [n for n in (names if len(target) > 1 else [])
                            if n.startswith("_") and not n.startswith("__")]
                for name in private:
                    where = ".".join(["coursekit", package, *rest])
                    if (where, name) in ALLOWED_PRIVATE or (where, "") in ALLOWED_PRIVATE:
                        continue
                    found.append(f"{rel}:{line}: {own} imports the private {name} from {where}: "
                                 f"no private name crosses a package (make it public where it lives)")
    return found


def _long_functions():
    found = []
    for path, parts, _ in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if ((str(path.relative_to(ROOT.parent)), node.name) not in LONG_FUNCTIONS_EXEMPT
                        and length > MAX_FUNCTION_LINES):
                    found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {node.name} is "
                                 f"{length} lines (at most {MAX_FUNCTION_LINES}: split it into "
                                 f"named steps)")
    return found


def test_imports_go_only_down_the_floors():
    found = _violations()
    assert not found, "floor rule broken:\n" + "\n".join(found)


def test_no_function_is_longer_than_the_limit():
    found = _long_functions()
    assert not found, "long functions:\n" + "\n".join(found)


def test_every_lesson_module_names_its_notebook():
    lessons = ROOT / "lessons"
    if not lessons.is_dir():
        pytest.fail("coursekit/lessons/ is missing: per-notebook helpers live there")
    for path in sorted(lessons.glob("nb*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        number = path.stem[2:]
        assert f"notebook {number}" in doc.lower() or f"notebook {int(number)}" in doc.lower(), (
            f"{path.relative_to(ROOT.parent)}: its docstring must name notebook {number}")
        assert (ROOT / "checks" / path.name).exists() or number == "09", path


def test_the_checker_finds_an_upward_import(tmp_path, monkeypatch):
    """The rule itself: an nn module importing plotting is reported with file, line and rule."""
    fake = tmp_path / "coursekit"
    (fake / "nn").mkdir(parents=True)
    (fake / "nn" / "__init__.py").write_text("")
    (fake / "nn" / "bad.py").write_text("x = 1\nfrom ..plotting import line_chart\n"
                                        "from ..plotting._style import color\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake)
    found = _violations()
    assert any("nn/bad.py:2:" in f and "only downwards" in f for f in found), found
    assert any("nn/bad.py:3:" in f and "private" in f for f in found), found
