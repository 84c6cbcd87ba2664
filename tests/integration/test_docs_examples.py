"""The code examples in README.md and docs/*.md name coursekit functions that exist, and the
self-contained ones run.

Every fenced block tagged ``python`` (or untagged, when it parses as Python: the master cells in
docs/AUTHORING.md) is checked:

- every dotted name rooted at ``coursekit`` or at a name bound to coursekit resolves
  (``checks.nb03.check_softmax``, ``nn.fit``, ``from coursekit.backend import available_backends``).
  Names a block uses without importing them are the ones the masters' own setup cells import from
  coursekit (``checks``, ``nn``, ``observe``...), since the examples are master cells;
- the blocks of one document run in order, in one namespace that starts as a master's setup cell
  (NumPy and those coursekit names). A block that needs a name nothing defines (a trained
  ``model`` and a GPU, or the student's ``relu`` of a lecture that exists only in the prose) is
  checked by name only: running it would need a GPU or a master the docs do not contain;
- a ``# CHECK`` block that runs must print "public checks passed": the example's solution is right.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import io
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)"
                   r"^(?P=indent)(?P=fence)[ \t]*$", re.S | re.M)


def code_blocks(text: str):
    """(line number, info string, body) of every fenced block in a markdown text."""
    for m in FENCE.finditer(text):
        # A block in a list item is indented with its fence: dedent it as markdown does.
        yield text.count("\n", 0, m.start()) + 1, m.group("info").strip(), textwrap.dedent(m.group("body"))


def python_blocks(text: str):
    """(line, source) of the blocks that are Python: tagged python/py, or untagged and parsable."""
    for line, info, body in code_blocks(text):
        lang = info.split()[0].lower() if info else ""
        if lang in ("python", "py", "python3"):
            yield line, body
        elif not lang:
            try:
                ast.parse(body)
            except SyntaxError:  # a shell command (`coursekit build`), a file listing...
                continue
            yield line, body


def _import_bindings(tree: ast.AST) -> dict[str, str]:
    """Local name -> dotted coursekit path, for the coursekit imports in ``tree``."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "coursekit":
                    bound[a.asname or a.name.split(".")[0]] = a.name if a.asname else "coursekit"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "coursekit":
            for a in node.names:
                if a.name != "*":
                    bound[a.asname or a.name] = f"{node.module}.{a.name}"
    return bound


def _master_setup() -> tuple[dict[str, str], str]:
    """What the masters' setup cells import: coursekit bindings and the import source itself."""
    bindings, lines = {}, ["import numpy as np"]
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        import nbformat

        nb = nbformat.read(str(path), as_version=4)
        first = next((c for c in nb.cells if c.cell_type == "code"), None)
        if first is None:
            continue
        for node in ast.parse(first.source).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found = _import_bindings(node)
                if found and not set(found) <= set(bindings):
                    bindings.update(found)
                    lines.append(ast.unparse(node))
    return bindings, "\n".join(lines)


SETUP_BINDINGS, SETUP_SOURCE = _master_setup()


def resolve(dotted: str):
    """The object a dotted name stands for: import the longest module prefix, then getattr."""
    parts = dotted.split(".")
    obj, i = None, len(parts)
    while i > 0:
        try:
            obj = importlib.import_module(".".join(parts[:i]))
            break
        except ModuleNotFoundError as err:
            if err.name is None or not ".".join(parts[:i]).startswith(err.name):
                raise
            i -= 1
    if obj is None:
        raise ModuleNotFoundError(dotted)
    for part in parts[i:]:
        obj = getattr(obj, part)
    return obj


def _dotted(node: ast.AST) -> str | None:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(names)])
    return None


def coursekit_names(source: str) -> set[str]:
    """Every dotted coursekit path ``source`` names: its imports, and the attribute chains rooted
    at a name bound to coursekit (by the block itself or by a master's setup cell)."""
    tree = ast.parse(source)
    own = _import_bindings(tree)
    bindings = {**SETUP_BINDINGS, **own}
    names = set(own.values())
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    chains = {}
    for node in ast.walk(tree):
        # the longest chain only: checks.nb03.check_softmax, not checks.nb03 as well
        if isinstance(node, (ast.Attribute, ast.Name)) and id(node) not in inner:
            d = _dotted(node)
            if d:
                chains[d] = None
    for d in chains:
        root, _, rest = d.partition(".")
        if root in bindings:
            names.add(bindings[root] + ("." + rest if rest else ""))
    return names


def free_names(source: str, defined: set[str]) -> set[str]:
    """Names ``source`` reads that neither it, ``defined`` nor the builtins bind."""
    tree = ast.parse(source)
    bound = set(defined) | set(dir(builtins))
    loaded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return loaded - bound


BLOCKS = [(doc, line, src) for doc in DOCS for line, src in python_blocks(doc.read_text())]
IDS = [f"{doc.relative_to(ROOT)}:{line}" for doc, line, _ in BLOCKS]


def test_the_docs_hold_python_examples_that_name_coursekit():
    """The collector finds the README's examples: a test that checks nothing would pass too."""
    readme = [src for doc, _, src in BLOCKS if doc.name == "README.md"]
    assert any("available_backends" in src for src in readme)
    assert any(src.lstrip().startswith("# CHECK") for src in readme)
    assert "coursekit.checks" in SETUP_BINDINGS.values() and "checks" in SETUP_BINDINGS


@pytest.mark.parametrize("doc, line, source", BLOCKS, ids=IDS)
def test_every_coursekit_name_in_a_docs_example_resolves(doc, line, source):
    missing = []
    for name in sorted(coursekit_names(source)):
        try:
            resolve(name)
        except (ImportError, AttributeError) as err:
            missing.append(f"{name} ({type(err).__name__}: {err})")
    assert not missing, (f"{doc.relative_to(ROOT)}, the block at line {line} names coursekit objects "
                         f"that do not exist: {missing}")


def test_a_misspelt_coursekit_name_is_caught():
    """The resolver fails where the README once named checks.nb03.check_stable_softmax."""
    names = coursekit_names("checks.nb03.check_stable_softmax(softmax)\nnn.fit(model)")
    assert names == {"coursekit.checks.nb03.check_stable_softmax", "coursekit.nn.fit"}
    resolve("coursekit.nn.fit")
    with pytest.raises(AttributeError):
        resolve("coursekit.checks.nb03.check_stable_softmax")


@pytest.mark.parametrize("doc", [d for d in DOCS if any(b[0] == d for b in BLOCKS)],
                         ids=lambda d: str(d.relative_to(ROOT)))
def test_the_self_contained_docs_examples_run(doc, monkeypatch):
    """Blocks run in document order in one namespace, as cells of one master; a block needing a
    name nothing defines (a trained model on a GPU, a lecture that is only described) is left to
    the name check above."""
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.delenv("COURSEKIT_GRADING", raising=False)  # observe() records nothing, as in JupyterLab
    ns: dict = {}
    exec(compile(SETUP_SOURCE, "<master setup cell>", "exec"), ns)
    ran = 0
    for d, line, source in BLOCKS:
        if d != doc or free_names(source, set(ns)):
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(source, f"{doc.name}:{line}", "exec"), ns)
        ran += 1
        if source.lstrip().startswith("# CHECK"):
            assert "public checks passed" in out.getvalue(), \
                f"{doc.relative_to(ROOT)}:{line}: the example's check fails:\n{out.getvalue()}"
    if doc.name == "README.md":
        assert ran >= 3, "the README's three-cell exercise example no longer runs as a whole"
