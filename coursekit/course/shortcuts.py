"""Name the shortcuts in an answer: the course's own reference code used for what is to be built.

Two kinds, found by reading the answer's code (it is not run here):

- any private helper of ``coursekit.checks`` (``checks.nb03._reference_softmax``,
  ``from coursekit.checks.nb10 import _conv``, ``getattr(checks.nb03, "_ref")``): the checks'
  reference implementations are there to judge answers, not to be one;
- the names the master forbids for that exercise, on a line of its EXERCISE cell such as
  ``# FORBIDDEN: nn.Conv2D, nn.conv2d_naive`` (docs/AUTHORING.md). ``nn.Conv2D`` matches
  ``nn.Conv2D``, ``coursekit.nn.Conv2D``, ``ck.nn.conv.Conv2D`` and ``from coursekit.nn import Conv2D``.

Names the answer uses but does not import are read through the imports of the notebook's teaching
cells (``from coursekit.nn.conv import conv2d_naive as ck_conv2d_naive`` in a set-up cell makes a
bare ``ck_conv2d_naive(...)`` in the answer a use of ``nn.conv2d_naive``), unless the answer binds
that name itself. Such an answer is graded as usual and flagged in its record and feedback, for
the instructor to judge. A determined student can hide a name from any reader of code; this catches the plain uses.
"""
from __future__ import annotations

import ast
import re

FORBIDDEN_RE = re.compile(r"^\s*#\s*FORBIDDEN:\s*(?P<names>[^()\n]+)", re.M)


def forbidden_names(exercise_source: str) -> list[str]:
    """The dotted names a master's EXERCISE cell forbids (``# FORBIDDEN: a.b, c``)."""
    names = []
    for m in FORBIDDEN_RE.finditer(exercise_source):
        names += [n for n in re.split(r"[,\s]+", m.group("names").strip()) if n]
    return names


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Names bound by imports -> what they stand for (``core`` -> ``coursekit.checks.core``)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
        elif isinstance(node, ast.Import):
            names.update({a.asname: a.name for a in node.names if a.asname})
    return names


def notebook_aliases(sources: list[str]) -> dict[str, str]:
    """The names the import statements of these cells bind -> what they stand for. Cells that are
    not Python (magics, shell lines) are skipped."""
    names: dict[str, str] = {}
    for source in sources:
        try:
            names.update(_aliases(ast.parse(source)))
        except SyntaxError:
            continue
    return names


def _bound(tree: ast.AST) -> set[str]:
    """Names the answer binds itself (assignments, defs, classes, arguments, loop variables)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
    return found


def _uses(tree: ast.AST, context: dict[str, str] | None = None) -> list[str]:
    """Every dotted name the code refers to, imported names spelled out in full (the answer's own
    imports first, then ``context``: the notebook's, for names the answer does not bind)."""
    own = _bound(tree)
    aliases = {k: v for k, v in (context or {}).items() if k not in own}
    aliases.update(_aliases(tree))

    def full(name: str) -> str:
        head, _, rest = name.partition(".")
        return aliases[head] + ("." + rest if rest else "") if head in aliases else name

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.Attribute):
            name = _dotted(node)
            if name:
                found += [name, full(name)]
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in aliases:
            found.append(aliases[node.id])
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str)):
            owner = _dotted(node.args[0])
            if owner:
                found += [f"{owner}.{node.args[1].value}", f"{full(owner)}.{node.args[1].value}"]
    return found


def _names_the_same(parts: list[str], bad: list[str]) -> bool:
    """``coursekit.nn.conv.Conv2D`` names ``nn.Conv2D``: same last part, the rest in order."""
    if not parts or parts[-1] != bad[-1]:
        return False
    rest = iter(parts[:-1])
    return all(any(p == b for p in rest) for b in bad[:-1])


def find_shortcuts(answer: str, forbidden: list[str], context: dict[str, str] | None = None) -> list[str]:
    """What the answer uses that it should have built, in a sentence each (empty: nothing).
    ``context``: the notebook's imports (``notebook_aliases`` of its teaching cells)."""
    try:
        tree = ast.parse(answer)
    except SyntaxError:
        return []  # graded (and reported) as a syntax error already
    flagged: dict[str, str] = {}  # one sentence per helper or forbidden name, first use shown
    for name in dict.fromkeys(_uses(tree, context)):
        parts = name.split(".")
        if "checks" in parts and any(_is_private(p) for p in parts[parts.index("checks") + 1:]):
            flagged.setdefault(name, f"`{name}`, a private helper of the course's checks")
            continue
        for bad in forbidden:
            if _names_the_same(parts, bad.split(".")):
                flagged.setdefault(bad, f"`{name}`, which this exercise forbids ({bad})")
                break
    return list(flagged.values())
