"""What a new instructor and a class run into: authoring mistakes, an irreproducible master,
and feedback a student can act on. Uses the tiny fixture master (tests/fixtures/course)."""
from __future__ import annotations

import copy
import csv
from pathlib import Path

import nbformat
import pytest

from _course_fixture import FIXTURE, MASTER, solved_lecture

from coursekit.course.build import lecture_notebook
from coursekit.course.cli import main
from coursekit.course.markers import MasterError, parse_master

FAST = ["--timeout", "20", "--memory", "1024", "--no-progress"]


def _master_copy(tmp_path: Path, edit=None) -> Path:
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nb = nbformat.read(str(MASTER), as_version=4)
    if edit:
        edit(nb)
    nbformat.write(nb, str(solutions / MASTER.name))
    return solutions


def _replace(index: int, old: str, new: str):
    def edit(nb):
        assert old in nb.cells[index].source
        nb.cells[index].source = nb.cells[index].source.replace(old, new)
    return edit


@pytest.mark.parametrize("edit, words", [
    (_replace(2, "# BEGIN SOLUTION", "# BEGIN SOLUTON"), ["cell 3", "line 4", "# BEGIN SOLUTION"]),
    (_replace(2, "# END SOLUTION", "# end solution"), ["cell 3", "# END SOLUTION"]),
    (_replace(4, "# HIDDEN 99.add", "# HIDEN 99.add"), ["cell 5", "`# HIDDEN 99.add`"]),
    (_replace(4, "# HIDDEN 99.add", "# Hidden 99.add"), ["cell 5", "`# HIDDEN 99.add`"]),
    (_replace(3, "# CHECK 99.add", "# CHEK 99.add"), ["cell 4", "`# CHECK 99.add`"]),
    (_replace(2, "# EXERCISE", "# EXERCSE"), ["cell 3", "`# EXERCISE 99.add"]),
    (_replace(8, "<!-- END SOLUTION -->", "<!-- END SOLUTON -->"), ["cell 9", "<!-- END SOLUTION -->"]),
])
def test_a_misspelt_marker_is_refused_before_it_leaks(tmp_path, edit, words):
    """A typo in a marker would turn a hidden check or a solution into text students receive."""
    solutions = _master_copy(tmp_path, edit)
    with pytest.raises(MasterError) as err:
        parse_master(solutions / MASTER.name)
    for word in words:
        assert word in str(err.value)


def test_unclosed_markdown_answer_names_the_markdown_marker(tmp_path):
    solutions = _master_copy(tmp_path, _replace(8, "<!-- END SOLUTION -->", "the end"))
    with pytest.raises(MasterError, match="<!-- END SOLUTION -->"):
        parse_master(solutions / MASTER.name)


@pytest.mark.parametrize("header", ["# EXERCISE 99.add", "# EXERCISE 99.add (1)", "# EXERCISE 99.add (1 pt)"])
def test_missing_points_suggest_the_header_with_its_own_id(tmp_path, header):
    solutions = _master_copy(tmp_path, _replace(2, "# EXERCISE 99.add (1 point)", header))
    with pytest.raises(MasterError, match=r"`# EXERCISE 99\.add \(2 points\)`"):
        parse_master(solutions / MASTER.name)


def test_teaching_cells_starting_with_a_word_are_not_markers(tmp_path):
    def edit(nb):
        nb.cells.insert(2, nbformat.v4.new_code_cell("# Check the shapes first\nx = 1\n# end of setup"))
    parse_master(_master_copy(tmp_path, edit) / MASTER.name)


def _grade_master_itself(tmp_path, solutions, capsys) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(["grade", str(solutions / MASTER.name), "--out", str(tmp_path / "out"),
               "--solutions", str(solutions), *FAST])
    return rc, capsys.readouterr().err


def test_an_irreproducible_master_is_refused_not_graded_below_full_marks(tmp_path, capsys):
    solutions = _master_copy(tmp_path, _replace(
        7, 'observe("99.square", "array", square(np.array([-1.5, 2.0])))',
        'observe("99.square", "array", square(np.random.default_rng().normal(size=2)))'))
    rc, err = _grade_master_itself(tmp_path, solutions, capsys)
    assert rc == 2
    assert "HIDDEN 99.square" in err and "two runs of the master observe different values" in err
    assert "array" in err and "seed" in err.lower()
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_a_master_teaching_cell_that_raises_is_named(tmp_path, capsys):
    def edit(nb):
        nb.cells.insert(6, nbformat.v4.new_code_cell("print(add(1, 2).shap)"))
    rc, err = _grade_master_itself(tmp_path, _master_copy(tmp_path, edit), capsys)
    assert rc == 2
    assert "cell 7 (a teaching cell)" in err and "AttributeError" in err


@pytest.fixture(scope="module")
def flat_class(tmp_path_factory):
    """Files lying flat in one folder, one per student, as an instructor collects them."""
    root = tmp_path_factory.mktemp("class")
    subs = root / "subs"
    subs.mkdir()
    nbformat.write(lecture_notebook(parse_master(MASTER)), str(subs / "ann.ipynb"))    # untouched
    twice = solved_lecture()
    i = next(k for k, c in enumerate(twice.cells) if c.source.startswith("# EXERCISE 99.add"))
    wrong = copy.deepcopy(twice.cells[i])
    wrong.source = wrong.source.splitlines()[0] + "\ndef add(a, b):\n    return a - b\n"
    wrong.id = "pasted"
    twice.cells.insert(i, wrong)                     # first copy wrong, last copy right
    nbformat.write(twice, str(subs / "ben.ipynb"))
    out = root / "out"
    assert main(["grade", str(subs), "--out", str(out), "--solutions", str(FIXTURE), "--jobs", "2", *FAST]) == 0
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    feedback = {p.stem: p.read_text() for p in (out / "feedback").glob("*.md")}
    return rows, feedback


def test_a_folder_of_flat_files_is_one_student_per_file(flat_class):
    rows, feedback = flat_class
    assert {r["student"] for r in rows} == {"ann", "ben"}
    assert sum(float(r["points"]) for r in rows if r["student"] == "ben") == 4


def test_feedback_says_an_exercise_is_unanswered_and_never_leaks(flat_class):
    rows, feedback = flat_class
    ann = feedback["ann"]
    assert "raised NotImplementedError" in ann and "still looks unanswered" in ann
    assert "the cell stopped" not in ann
    assert "Graded as lecture 99_demo" in ann
    hidden = [c.source for c in parse_master(MASTER).nb.cells if c.source.startswith("# HIDDEN")]
    for text in feedback.values():
        assert "all tests passed" not in text.lower() and "observe(" not in text
        assert "hidden-add-marker" not in text and not any(src in text for src in hidden)
    assert all("no value (your code raised an error" in r["message"] for r in rows if r["student"] == "ann")


def test_feedback_notes_a_pasted_duplicate_exercise_cell(flat_class):
    _, feedback = flat_class
    assert "2 cells `# EXERCISE 99.add`: the last one was graded" in feedback["ben"]
    assert "99.add: 1 / 1 point " in feedback["ben"]
