"""The tiny master notebook the build and grading tests use, and a good student's copy of it."""
from __future__ import annotations

from pathlib import Path

import nbformat

from coursekit.course.build import lecture_notebook
from coursekit.course.markers import parse_master

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "course" / "solutions"
MASTER = FIXTURE / "99_demo.ipynb"


def solved_lecture(master=None) -> nbformat.NotebookNode:
    """The lecture notebook with the master's answers typed in: what a good student submits.

    ``master``: a parsed master (``parse_master``); the demo fixture when None.
    """
    master = parse_master(MASTER) if master is None else master
    nb = lecture_notebook(master)
    answers = {ex: master.nb.cells[e.cell].source for ex, e in master.exercises.items()}
    for cell in nb.cells:
        for ex, src in answers.items():
            if cell.source.startswith(f"# EXERCISE {ex} "):
                cell.source = src
    return nb


def answer(nb, ex_id: str, body: str) -> None:
    """Replace the student's answer cell for ``ex_id`` in ``nb`` (keeps its marker line)."""
    for cell in nb.cells:
        if cell.source.startswith(f"# EXERCISE {ex_id} "):
            cell.source = cell.source.splitlines()[0] + "\n" + body
            return
    raise AssertionError(ex_id)


def course_test_module(name: str):
    """The module tests/course/<name>.py, loaded once under a private name, so a test can reuse
    another's batch builders (pytest's importlib mode puts no test folder on sys.path)."""
    import importlib.util
    import sys

    key = f"_course_tests_{name}"
    if key not in sys.modules:
        path = Path(__file__).resolve().parent / "course" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(key, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]
