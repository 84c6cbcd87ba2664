"""`coursekit build`: lectures generated from masters, deterministic, checkable, leak-free."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from coursekit.course.build import lecture_notebook, master_paths
from coursekit.course.cli import main
from coursekit.course.markers import (BEGIN_CODE, END_CODE, MasterError, parse_master,
                                      solution_regions)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "course" / "solutions"


@pytest.fixture
def course(tmp_path):
    solutions = tmp_path / "solutions"
    shutil.copytree(FIXTURE, solutions)
    return solutions, tmp_path / "lectures"


def _build(solutions, lectures, *extra):
    return main(["build", "--solutions", str(solutions), "--lectures", str(lectures), *extra])


def test_second_build_changes_no_byte(course):
    solutions, lectures = course
    assert _build(solutions, lectures) == 0
    first = {p.name: p.read_bytes() for p in lectures.glob("*.ipynb")}
    assert first and all(data.endswith(b"\n") for data in first.values())
    assert _build(solutions, lectures) == 0
    assert {p.name: p.read_bytes() for p in lectures.glob("*.ipynb")} == first
    assert _build(solutions, lectures, "--check") == 0


def test_lecture_has_stubs_no_outputs_and_valid_json(course):
    solutions, lectures = course
    _build(solutions, lectures)
    nb = nbformat.read(str(lectures / "99_demo.ipynb"), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    stub = [c.source for c in code if c.source.startswith("# EXERCISE 99.add")][0]
    assert 'raise NotImplementedError("Exercise 99.add: write your solution here")' in stub
    assert '"""Elementwise sum' in stub  # the signature and docstring reach the student
    assert "*Your answer here.*" in "".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_check_names_stale_missing_and_extra_lectures(course, capsys):
    solutions, lectures = course
    _build(solutions, lectures)
    target = lectures / "99_demo.ipynb"
    target.write_text(target.read_text().replace("Elementwise sum", "Edited by hand"))
    (lectures / "42_orphan.ipynb").write_text("{}")
    shutil.copy(solutions / "99_demo.ipynb", solutions / "98_twin.ipynb")
    nb = nbformat.read(str(solutions / "98_twin.ipynb"), as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("99.", "98.")
    nbformat.write(nb, str(solutions / "98_twin.ipynb"))
    capsys.readouterr()
    assert _build(solutions, lectures, "--check") == 1
    err = capsys.readouterr().err
    assert "99_demo.ipynb: stale" in err
    assert "98_twin.ipynb: missing" in err
    assert "42_orphan.ipynb: extra" in err
    # A real build repairs all three, removing the lecture whose master is gone.
    assert _build(solutions, lectures) == 0
    assert not (lectures / "42_orphan.ipynb").exists()
    assert _build(solutions, lectures, "--check") == 0


def _corrupt(solutions: Path, edit) -> Path:
    path = solutions / "99_demo.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    edit(nb)
    nbformat.write(nb, str(path))
    return path


@pytest.mark.parametrize("edit, words", [
    (lambda nb: setattr(nb.cells[2], "source", nb.cells[2].source.replace("    # END SOLUTION", "")),
     ["cell 3", "never closed"]),
    (lambda nb: nb.cells.append(nbformat.v4.new_code_cell(nb.cells[2].source)), ["used twice", "99.add"]),
    (lambda nb: setattr(nb.cells[2], "source", nb.cells[2].source.replace("(1 point)", "(lots points)")),
     ["cell 3", "not a number"]),
    (lambda nb: setattr(nb.cells[2], "source", nb.cells[2].source.replace("(1 point)", "(-1 points)")),
     ["positive"]),
    (lambda nb: nb.cells.insert(1, nbformat.v4.new_code_cell("# HIDDEN 99.ghost\nobserve('99.ghost', 'x', 1)")),
     ["cell 2", "unknown exercise 99.ghost"]),
    (lambda nb: setattr(nb.cells[2], "source", nb.cells[2].source.replace("99.add", "03.add")),
     ["starts with 03", "number 99"]),
])
def test_corrupt_master_gets_a_clear_error(course, capsys, edit, words):
    solutions, lectures = course
    _corrupt(solutions, edit)
    assert _build(solutions, lectures) == 2
    err = capsys.readouterr().err
    assert "99_demo.ipynb" in err
    for word in words:
        assert word in err


def test_missing_solutions_folder_is_a_clear_error(tmp_path, capsys):
    assert _build(tmp_path / "nope", tmp_path / "lectures") == 2
    assert "no such folder" in capsys.readouterr().err


def _secret_lines(master) -> set[str]:
    """Lines of solution regions and hidden cells that appear nowhere else in the master."""
    secret, public = set(), set()
    for cell, (kind, _) in zip(master.nb.cells, master.kinds):
        lines = cell.source.splitlines()
        inside = set()
        if cell.cell_type == "code" and kind == "exercise":
            for begin, end in solution_regions(lines, BEGIN_CODE, END_CODE, "cell"):
                inside.update(range(begin, end + 1))
        for i, line in enumerate(lines):
            text = line.strip()
            if not text:
                continue
            if kind == "hidden" or i in inside:
                secret.add(text)
            else:
                public.add(text)
    return secret - public - {"# BEGIN SOLUTION", "# END SOLUTION"}


MASTERS = [pytest.param(p, id=f"fixture/{p.name}") for p in master_paths(FIXTURE)] + \
          [pytest.param(p, id=p.name) for p in master_paths(ROOT / "solutions")]


@pytest.mark.parametrize("master_path", MASTERS)
def test_no_solution_or_hidden_check_reaches_the_lecture(master_path):
    master = parse_master(master_path)
    lecture = lecture_notebook(master)
    text = "\n".join(c.source for c in lecture.cells)
    lines = {line.strip() for line in text.splitlines()}
    leaked = sorted(_secret_lines(master) & lines)
    assert not leaked, f"{master_path.name}: solution or hidden-check lines in the lecture: {leaked}"
    assert "# HIDDEN" not in text and "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    # The generated lecture on disk is the one the build makes (when the repo has one).
    on_disk = ROOT / "lectures" / master_path.name
    if master_path.parent == ROOT / "solutions" and on_disk.exists():
        disk = "\n".join(c.source for c in nbformat.read(str(on_disk), as_version=4).cells)
        assert not (_secret_lines(master) & {line.strip() for line in disk.splitlines()})


def test_marker_parser_rejects_bad_master_names(tmp_path):
    bad = tmp_path / "softmax.ipynb"
    shutil.copy(FIXTURE / "99_demo.ipynb", bad)
    with pytest.raises(MasterError, match="NN_name"):
        parse_master(bad)
