"""Read the master notebook format (docs/AUTHORING.md): which cell is what, and is it well formed.

Every marker is plain text on the first non-blank line of a cell, so it survives JupyterLab,
copy and paste, and tools that drop cell metadata. ``parse_master`` checks a whole master and
raises ``MasterError`` naming the file, the cell and what to fix; nothing half-parsed reaches
the build or the grader.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

#: ``# EXERCISE 03.softmax (2 points)``: anything after EXERCISE is validated separately so
#: that a malformed header gets a precise message instead of silently becoming a teaching cell.
EXERCISE_RE = re.compile(r"^#\s*EXERCISE\b(?P<rest>.*)$")
EXERCISE_REST_RE = re.compile(r"^\s+(?P<id>\S+)\s*\(\s*(?P<points>[^)\s]+)\s+points?\s*\)\s*$")
CHECK_RE = re.compile(r"^#\s*(?P<kind>CHECK|HIDDEN)\b(?P<rest>.*)$")
ID_RE = re.compile(r"^(?P<nn>\d{2})\.[a-z0-9_]+$")
MASTER_NAME_RE = re.compile(r"^(?P<nn>\d{2})_[A-Za-z0-9_-]+$")

BEGIN_CODE = re.compile(r"^(?P<indent>\s*)#\s*BEGIN SOLUTION\s*$")
END_CODE = re.compile(r"^\s*#\s*END SOLUTION\s*$")
BEGIN_MD = re.compile(r"^\s*<!--\s*BEGIN SOLUTION\s*-->\s*$")
END_MD = re.compile(r"^\s*<!--\s*END SOLUTION\s*-->\s*$")

MARKDOWN_STUB = "*Your answer here.*"

#: A first line that names an exercise id after a word that is not a marker: ``# HIDEN 03.x``,
#: ``# Exercise 03.x (2 points)``. Left alone, such a cell would become a teaching cell and
#: reach students (a hidden check, a solution), so the parser refuses it.
_NEAR_HEADER = re.compile(r"^#+\s*(?P<word>[A-Za-z_]+)\s+(?P<id>\d{2}\.\S+)")
#: A comment line that looks like a solution marker: ``# BEGIN SOLUTON``, ``# end solution``.
_NEAR_CODE_REGION = re.compile(r"^\s*#+\s*(?P<edge>BEGIN|END)\b[\s_-]*(?P<word>[A-Za-z]+)\s*$", re.I)
_NEAR_MD_REGION = re.compile(r"^\s*<!--\s*(?P<edge>BEGIN|END)\b[\s_-]*(?P<word>[A-Za-z]+)\s*-*>?\s*$", re.I)
_MARKERS = ("EXERCISE", "CHECK", "HIDDEN")


class MasterError(ValueError):
    """A master notebook that cannot be built or graded; the message says where and why."""


@dataclass
class Exercise:
    """One exercise of a master: its id, points and where its cells are."""

    id: str
    points: float
    cell: int                                   # index of the EXERCISE cell
    checks: list[int] = field(default_factory=list)   # indices of its CHECK cells
    hidden: list[int] = field(default_factory=list)   # indices of its HIDDEN cells


@dataclass
class Master:
    """A parsed master notebook: the notebook itself plus the role of each cell."""

    path: Path
    name: str                                   # file stem, e.g. "03_softmax"
    nb: nbformat.NotebookNode
    kinds: list[tuple[str, str | None]]         # per cell: ("teaching"|"exercise"|"check"|"hidden", id)
    exercises: dict[str, Exercise]              # in notebook order

    @property
    def total_points(self) -> float:
        return sum(e.points for e in self.exercises.values())


def first_line(source: str) -> str:
    """The first non-blank line of a cell's source, stripped (where markers live)."""
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def classify(source: str) -> tuple[str, str | None, str | None]:
    """(kind, exercise id, text after the marker) of a code cell, without validating the id.

    kind is "exercise", "check", "hidden" or "teaching".
    """
    line = first_line(source)
    m = EXERCISE_RE.match(line)
    if m:
        rest = m.group("rest")
        em = EXERCISE_REST_RE.match(rest)
        ex_id = em.group("id") if em else (rest.split()[0] if rest.split() else None)
        return "exercise", ex_id, rest
    m = CHECK_RE.match(line)
    if m:
        rest = m.group("rest").strip()
        return m.group("kind").lower(), (rest.split()[0] if rest else None), rest
    return "teaching", None, None


def exercise_id_of(source: str) -> str | None:
    """The exercise id a (student's) cell claims on its first line, or None."""
    kind, ex_id, _ = classify(source)
    return ex_id if kind == "exercise" else None


def solution_regions(lines: list[str], begin: re.Pattern, end: re.Pattern, where: str) -> list[tuple[int, int]]:
    """(begin, end) line indices of every solution region; unbalanced markers raise MasterError."""
    end_line = "<!-- END SOLUTION -->" if end is END_MD else "# END SOLUTION"
    regions, start = [], None
    for i, line in enumerate(lines):
        if begin.match(line):
            if start is not None:
                raise MasterError(f"{where}: line {i + 1} opens a solution region inside another "
                                  f"(opened on line {start + 1}); close it with END SOLUTION first")
            start = i
        elif end.match(line):
            if start is None:
                raise MasterError(f"{where}: line {i + 1} has END SOLUTION without a BEGIN SOLUTION before it")
            regions.append((start, i))
            start = None
    if start is not None:
        raise MasterError(f"{where}: BEGIN SOLUTION on line {start + 1} is never closed "
                          f"(add a line `{end_line}`)")
    return regions


def _similar(word: str, target: str) -> bool:
    word = word.upper()
    return word == target or difflib.SequenceMatcher(None, word, target).ratio() >= 0.7


def _near_miss_header(line: str, where: str) -> None:
    """Refuse a first line that is almost a marker (a typo would leak the cell to students)."""
    m = _NEAR_HEADER.match(line)
    if not m or EXERCISE_RE.match(line) or CHECK_RE.match(line):
        return
    for marker in _MARKERS:
        if _similar(m.group("word"), marker):
            raise MasterError(f"{where}: the first line {line!r} looks like a misspelt marker; "
                              f"write `# {marker}` in capitals: `# {marker} {m.group('id')}"
                              + (" (2 points)`" if marker == "EXERCISE" else "`")
                              + " (otherwise the cell is a teaching cell and reaches students as is)")


def _near_miss_regions(lines: list[str], near: re.Pattern, exact: tuple[re.Pattern, re.Pattern],
                       fix: str, where: str) -> None:
    """Refuse a line that is almost ``BEGIN SOLUTION``/``END SOLUTION`` (a solution would leak)."""
    for i, line in enumerate(lines):
        m = near.match(line)
        if not m or any(p.match(line) for p in exact) or not _similar(m.group("word"), "SOLUTION"):
            continue
        edge = m.group("edge").upper()
        raise MasterError(f"{where}: line {i + 1} {line.strip()!r} looks like a misspelt solution "
                          f"marker; write exactly `{fix.format(edge=edge)}` on a line of its own")


def _parse_points(text: str, where: str) -> float:
    try:
        points = float(text)
    except ValueError:
        raise MasterError(f"{where}: points {text!r} is not a number; write e.g. `(2 points)`") from None
    if not points > 0 or points != points or points == float("inf"):
        raise MasterError(f"{where}: points must be a positive number, got {text}")
    return points


def _read_code_cell(source, lines, where, nn, index, exercises) -> tuple[str, str | None]:
    """(kind, exercise id) of one code cell, validated; an EXERCISE cell is added to
    ``exercises``, a CHECK or HIDDEN cell to its exercise's list."""
    _near_miss_header(first_line(source), where)
    _near_miss_regions(lines, _NEAR_CODE_REGION, (BEGIN_CODE, END_CODE), "# {edge} SOLUTION", where)
    kind, ex_id, rest = classify(source)
    regions = solution_regions(lines, BEGIN_CODE, END_CODE, where)
    if kind != "exercise" and regions:
        raise MasterError(f"{where}: BEGIN SOLUTION outside an EXERCISE cell would reach "
                          "students; start the cell with `# EXERCISE NN.name (N points)`")
    if kind == "exercise":
        em = EXERCISE_REST_RE.match(rest or "")
        if not em:
            example = ex_id if ex_id and ID_RE.match(ex_id) else "03.softmax"
            raise MasterError(f"{where}: malformed exercise header {first_line(source)!r}; "
                              f"write the id and the points, e.g. `# EXERCISE {example} (2 points)` "
                              "or `(1 point)`")
        ex_id = em.group("id")
        _check_id(ex_id, nn, where)
        if ex_id in exercises:
            raise MasterError(f"{where}: exercise id {ex_id} is used twice (first in cell "
                              f"{exercises[ex_id].cell + 1}); every exercise needs its own id")
        points = _parse_points(em.group("points"), where)
        if not regions:
            raise MasterError(f"{where}: exercise {ex_id} has no `# BEGIN SOLUTION` ... "
                              "`# END SOLUTION` region, so students would get the full solution")
        exercises[ex_id] = Exercise(ex_id, points, index)
    elif kind in ("check", "hidden"):
        marker = kind.upper()
        if not ex_id or len((rest or "").split()) != 1:
            raise MasterError(f"{where}: malformed header {first_line(source)!r}; write "
                              f"`# {marker} 03.softmax`")
        if ex_id not in exercises:
            raise MasterError(f"{where}: {marker} cell for unknown exercise {ex_id}: no "
                              f"`# EXERCISE {ex_id} (N points)` cell comes before it")
        (exercises[ex_id].checks if kind == "check" else exercises[ex_id].hidden).append(index)
    return kind, ex_id


def parse_master(path: str | Path) -> Master:
    """Read and validate one master notebook; raise MasterError with the file, cell and fix."""
    path = Path(path)
    name = path.stem
    nm = MASTER_NAME_RE.match(name)
    if not nm:
        raise MasterError(f"{path}: a master notebook's name is NN_name.ipynb (two digits, an "
                          "underscore, letters/digits/underscores/dashes), e.g. 03_softmax.ipynb")
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as err:
        raise MasterError(f"{path}: not a readable notebook ({type(err).__name__}: {err})") from None

    kinds: list[tuple[str, str | None]] = []
    exercises: dict[str, Exercise] = {}
    for index, cell in enumerate(nb.cells):
        where = f"{path}, cell {index + 1}"
        source = cell.get("source", "")
        lines = source.splitlines()
        if cell.cell_type == "markdown":
            _near_miss_regions(lines, _NEAR_MD_REGION, (BEGIN_MD, END_MD), "<!-- {edge} SOLUTION -->", where)
            solution_regions(lines, BEGIN_MD, END_MD, where)
            kinds.append(("teaching", None))
            continue
        if cell.cell_type != "code":
            kinds.append(("teaching", None))
            continue
        kinds.append(_read_code_cell(source, lines, where, nm.group("nn"), index, exercises))

    for ex in exercises.values():
        if not ex.hidden:
            raise MasterError(f"{path}: exercise {ex.id} has no `# HIDDEN {ex.id}` cell, so it "
                              "cannot be graded; add one that calls observe(...)")
    return Master(path=path, name=name, nb=nb, kinds=kinds, exercises=exercises)


def _check_id(ex_id: str, nn: str, where: str) -> None:
    m = ID_RE.match(ex_id)
    if not m:
        raise MasterError(f"{where}: exercise id {ex_id!r} is not of the form NN.name "
                          "(two digits, a dot, lowercase letters/digits/underscores), e.g. 03.softmax")
    if m.group("nn") != nn:
        raise MasterError(f"{where}: exercise id {ex_id} starts with {m.group('nn')} but the "
                          f"notebook is number {nn}; ids start with the notebook's number")


def strip_code_solution(source: str, ex_id: str, where: str = "cell") -> str:
    """The student's version of an exercise cell: each solution region becomes a stub."""
    lines = source.splitlines()
    regions = solution_regions(lines, BEGIN_CODE, END_CODE, where)
    out, last = [], 0
    for begin, end in regions:
        out.extend(lines[last:begin])
        indent = BEGIN_CODE.match(lines[begin]).group("indent")
        out.append(f"{indent}# YOUR CODE HERE")
        out.append(f'{indent}raise NotImplementedError("Exercise {ex_id}: write your solution here")')
        last = end + 1
    out.extend(lines[last:])
    return "\n".join(out)


def strip_markdown_solution(source: str, where: str = "cell") -> str:
    """The student's version of a markdown cell: each written-answer region becomes a prompt."""
    lines = source.splitlines()
    regions = solution_regions(lines, BEGIN_MD, END_MD, where)
    if not regions:
        return source
    out, last = [], 0
    for begin, end in regions:
        out.extend(lines[last:begin])
        out.append(MARKDOWN_STUB)
        last = end + 1
    out.extend(lines[last:])
    return "\n".join(out)
