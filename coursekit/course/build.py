"""Generate the student notebooks (``lectures/``) from the masters (``solutions/``).

The output depends only on the master: solution regions become stubs, HIDDEN cells are
dropped, outputs and execution counts are cleared, cell ids are derived from position and
content, and the JSON is written with a fixed layout. A second build therefore changes no byte,
and ``--check`` can compare bytes to find stale lectures.
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .markers import Master, MasterError, parse_master, strip_code_solution, strip_markdown_solution

#: Cell metadata that depends on a run, not on the lesson; never copied into a lecture.
_VOLATILE_CELL_METADATA = {"execution", "collapsed", "scrolled", "ExecuteTime"}
#: Notebook metadata worth keeping (the rest, e.g. saved widget state, is a run's leftovers).
_KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info")


def master_paths(solutions: Path) -> list[Path]:
    """Every master notebook, sorted (checkpoints and hidden files ignored)."""
    return sorted(p for p in Path(solutions).glob("*.ipynb") if not p.name.startswith("."))


def _cell_id(index: int, cell_type: str, source: str) -> str:
    """A cell id that depends only on the cell's position and content (valid nbformat 4.5 id)."""
    digest = hashlib.sha256(f"{index}\0{cell_type}\0{source}".encode()).hexdigest()[:8]
    return f"c{index:03d}-{digest}"


def lecture_notebook(master: Master) -> nbformat.NotebookNode:
    """The student's notebook for one parsed master."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {k: copy.deepcopy(master.nb.metadata[k])
                   for k in _KEPT_NOTEBOOK_METADATA if k in master.nb.metadata}
    for index, (cell, (kind, ex_id)) in enumerate(zip(master.nb.cells, master.kinds)):
        where = f"{master.path}, cell {index + 1}"
        if kind == "hidden":
            continue
        metadata = {k: copy.deepcopy(v) for k, v in cell.get("metadata", {}).items()
                    if k not in _VOLATILE_CELL_METADATA}
        source = cell.source
        if cell.cell_type == "code":
            if kind == "exercise":
                source = strip_code_solution(source, ex_id, where)
            new = nbformat.v4.new_code_cell(source, metadata=metadata)
        elif cell.cell_type == "markdown":
            # Attachments (pasted images) belong to the prose and stay.
            new = nbformat.v4.new_markdown_cell(strip_markdown_solution(source, where), metadata=metadata)
            if "attachments" in cell:
                new.attachments = copy.deepcopy(cell.attachments)
        else:
            new = nbformat.v4.new_raw_cell(source, metadata=metadata)
        nb.cells.append(new)
    for position, cell in enumerate(nb.cells):
        cell.id = _cell_id(position, cell.cell_type, cell.source)
    return nb


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """The fixed on-disk form: nbformat's JSON layout (indent 1, sorted keys) plus a newline."""
    text = nbformat.writes(nb, version=4)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


@dataclass
class BuildReport:
    """What a build wrote, or (with check=True) what it would have to change."""

    written: list[Path] = field(default_factory=list)    # new or changed lecture files
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)    # lectures whose master is gone
    errors: list[str] = field(default_factory=list)      # corrupt masters, one message each
    stale: list[str] = field(default_factory=list)       # --check: one line per problem


def build(solutions: Path, lectures: Path, check: bool = False) -> BuildReport:
    """Write (or with ``check`` only compare) every lecture; never stops at the first bad master."""
    solutions, lectures = Path(solutions), Path(lectures)
    report = BuildReport()
    if not solutions.is_dir():
        report.errors.append(f"{solutions}: no such folder of master notebooks "
                             "(use --solutions DIR)")
        return report
    expected: set[str] = set()
    for path in master_paths(solutions):
        expected.add(path.name)
        target = lectures / path.name
        try:
            data = notebook_bytes(lecture_notebook(parse_master(path)))
        except MasterError as err:
            report.errors.append(str(err))
            continue
        current = target.read_bytes() if target.exists() else None
        if current == data:
            report.unchanged.append(target)
        elif check:
            report.stale.append(f"{target}: missing (build it from {path})" if current is None
                                else f"{target}: stale, differs from what {path} builds")
        else:
            lectures.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
            report.written.append(target)
    if lectures.is_dir():
        for extra in sorted(lectures.glob("*.ipynb")):
            if extra.name in expected or extra.name.startswith("."):
                continue
            if check:
                report.stale.append(f"{extra}: extra, no master {solutions / extra.name} builds it")
            else:
                extra.unlink()
                report.removed.append(extra)
    return report
