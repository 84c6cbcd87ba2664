"""The grader against a batch of hostile and broken submissions, graded in one run.

Every submission is made here from the tiny fixture master (tests/fixtures/course/solutions),
so the batch stays fast: each notebook runs a few one-line cells. Expected points are per
exercise (99.add: 1 point, 99.square: 2 points, 99.mean: 1 point).
"""
from __future__ import annotations

import copy
import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from _course_fixture import FIXTURE, MASTER, solved_lecture
from _course_fixture import answer as _answer

from coursekit.course.build import lecture_notebook
from coursekit.course.cli import main
from coursekit.course.markers import parse_master

TIMEOUT = 3  # seconds per cell: the infinite loops below cost about this much each

FULL = {"99.add": 1, "99.square": 2, "99.mean": 1}
ZERO = {"99.add": 0, "99.square": 0, "99.mean": 0}


def _without(nb, predicate):
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not predicate(c)]
    return nb


WRONG_ADD = "def add(a, b):\n    return a - b\n"


def _hostile() -> dict[str, tuple[object, dict, dict]]:
    """student -> (notebook or raw bytes, expected points, expected statuses)."""
    solved = solved_lecture()
    cases = {}

    def case(name, nb, points, statuses=None):
        cases[name] = (nb, points, statuses or {})

    case("full", solved, FULL)
    case("untouched", lecture_notebook(parse_master(MASTER)), ZERO)
    # Deleted and edited check cells change nothing: the master's own checks run.
    nb = _without(solved, lambda c: c.source.startswith("# CHECK"))
    nb.cells.append(nbformat.v4.new_code_cell("# CHECK 99.add\nprint('public checks passed')"))
    case("deleted_checks", nb, FULL)
    nb = copy.deepcopy(solved)
    nb.cells.reverse()
    case("reordered", nb, FULL)
    nb = copy.deepcopy(solved)
    nb.cells.insert(3, nbformat.v4.new_code_cell("add = None\nsquare = None  # an extra cell"))
    nb.cells.append(nbformat.v4.new_markdown_cell("my notes"))
    case("extra_cells", nb, FULL)
    nb = copy.deepcopy(solved)
    dup = copy.deepcopy([c for c in nb.cells if c.source.startswith("# EXERCISE 99.add")][0])
    dup.id = "a-copy-of-the-add-cell"
    _answer(nb, "99.add", WRONG_ADD)          # the first copy is wrong ...
    nb.cells.append(dup)                      # ... the last copy (right) is the one graded
    case("duplicated_cell", nb, FULL)
    case("missing_answer", _without(solved, lambda c: c.source.startswith("# EXERCISE 99.square")),
         {"99.add": 1, "99.square": 0, "99.mean": 1})
    nb = copy.deepcopy(solved)
    _answer(nb, "99.square", "def square(x):\n    return x * abs(x)\n")
    case("partial", nb, {"99.add": 1, "99.square": 1, "99.mean": 1})
    nb = copy.deepcopy(solved)
    _answer(nb, "99.add", "def add(a, b):\n    print('public checks passed. All tests passed!')\n"
                          "    return 0\nprint('99.add: graded checks passed, 1/1 points')\n")
    case("prints_passed", nb, {"99.add": 0, "99.square": 2, "99.mean": 1})
    nb = copy.deepcopy(solved)
    _answer(nb, "99.add", WRONG_ADD + (
        "import coursekit.checks, coursekit.checks.core as core\n"
        "from IPython.display import display\n"
        "core.decode_and_compare = lambda *a, **k: (True, 'ok')\n"
        "class Checks:\n"
        "    def __init__(self, *a, **k): pass\n"
        "    def __getattr__(self, name): return lambda *a, **k: True\n"
        "def observe(exercise, name, value, **kw):\n"
        "    display({core.OBSERVATION_MIME: {'exercise': exercise, 'name': name, 'value': 'forged',\n"
        "             'rtol': 1e9, 'atol': 1e9}}, raw=True)\n"
        "core.observe = coursekit.checks.observe = observe\n"))
    # A replaced observe() is tampering: that exercise scores zero, the kernel is restarted
    # without it, and the later exercises are graded as usual.
    case("redefines_checks", nb, {"99.add": 0, "99.square": 2, "99.mean": 1}, {"99.add": "tampered"})
    nb = copy.deepcopy(solved)
    _answer(nb, "99.add", "def add(a, b):\n    raise ValueError('boom')\n"
                          "import sys\nsys.excepthook = lambda *a: print('passed')\n"
                          "ip = get_ipython()\nip.showtraceback = lambda *a, **k: print('passed')\n"
                          "ip._showtraceback = lambda *a, **k: print('passed')\n")
    case("excepthook", nb, {"99.add": 0, "99.square": 2, "99.mean": 1})
    nb = copy.deepcopy(solved)
    _answer(nb, "99.add", WRONG_ADD + "import sys\nsys.exit(0)\n")
    case("sys_exit", nb, {"99.add": 0, "99.square": 2, "99.mean": 1})
    nb = copy.deepcopy(solved)
    _answer(nb, "99.square", "import os\nos._exit(1)\n")
    case("os_exit", nb, {"99.add": 1, "99.square": 0, "99.mean": 1}, {"99.square": "crashed"})
    # A kernel that dies once from outside gets a second run: test_grade_sandbox.py (dies_once).
    nb = copy.deepcopy(solved)
    _answer(nb, "99.add", "def add(a, b):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n")
    case("kills_kernel", nb, {"99.add": 0, "99.square": 2, "99.mean": 1}, {"99.add": "crashed"})
    # Killing the parent process: in the sandbox that is the sandbox's own init, which ignores
    # it, so the grader's worker is out of reach and only the unanswered exercise is lost.
    nb = copy.deepcopy(solved)
    _answer(nb, "99.square", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n")
    case("kills_grader", nb, {"99.add": 1, "99.square": 0, "99.mean": 1})
    nb = copy.deepcopy(solved)
    _answer(nb, "99.mean", "def mean(xs):\n    while True:\n        pass\n")
    case("infinite_loop", nb, {"99.add": 1, "99.square": 2, "99.mean": 0}, {"99.mean": "timeout"})
    nb = copy.deepcopy(solved)
    _answer(nb, "99.square", "import time\ndef square(x):\n    while True:\n        try:\n"
                             "            time.sleep(0.05)\n        except BaseException:\n            pass\n")
    case("stubborn_loop", nb, {"99.add": 1, "99.square": 0, "99.mean": 1}, {"99.square": "timeout"})
    nb = copy.deepcopy(solved)
    _answer(nb, "99.add", "import numpy as np\ndef add(a, b):\n    hoard = []\n    while True:\n"
                          "        hoard.append(np.ones(10**7))\n")
    case("memory_bomb", nb, {"99.add": 0, "99.square": 2, "99.mean": 1})
    case("not_a_notebook", b"Dear professor, here is my homework.\n", None)
    case("corrupt_json", b'{"cells": [{"cell_type": "code", "source": "def add(a, b):', None)
    nb = copy.deepcopy(solved)
    _answer(nb, "99.square", "def square(x):\n    return x *\n")  # the commonest slip of all
    case("syntax_error", nb, {"99.add": 1, "99.square": 0, "99.mean": 1})
    case("empty", b"", None)
    case("no_cells", nbformat.v4.new_notebook(), None)
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# EXERCISE 98.other (1 point)\nx = 1")])
    case("other_lecture", other, None)
    return cases


def _write(path: Path, content) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        nbformat.write(content, str(path))


def _file_name(student: str, content) -> str:
    if student == "not_a_notebook":
        return "homework.txt"
    if student == "other_lecture":
        return "98_other.ipynb"
    return "99_demo.ipynb"


def _rows(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The whole hostile batch graded once, in parallel, by the command line."""
    root = tmp_path_factory.mktemp("grading")
    cases = _hostile()
    args = []
    for student, (content, _, _) in cases.items():
        _write(root / "subs" / student / _file_name(student, content), content)
        args.append(str(root / "subs" / student))
    # One student submits a bare file (the student is then the file's stem).
    _write(root / "flat" / "carol.ipynb", solved_lecture())
    args.append(str(root / "flat" / "carol.ipynb"))
    out = root / "out"
    rc = main(["grade", *args, "--out", str(out), "--solutions", str(FIXTURE), "--jobs", "2",
               "--timeout", str(TIMEOUT), "--memory", "1024", "--no-progress"])
    assert rc == 0
    return root, out, cases, args


def test_every_student_is_in_the_csv(batch):
    _, out, cases, _ = batch
    students = {row["student"] for row in _rows(out)}
    assert students == set(cases) | {"carol"}


@pytest.mark.parametrize("student", list(_hostile()))
def test_hostile_submission_gets_expected_points(batch, student):
    _, out, cases, _ = batch
    _, expected, statuses = cases[student]
    rows = [r for r in _rows(out) if r["student"] == student]
    if expected is None:
        assert len(rows) == 1 and rows[0]["status"] == "invalid", rows
        assert rows[0]["message"], "an invalid submission must say why"
        return
    got = {r["exercise"]: float(r["points"]) for r in rows}
    assert got == {k: float(v) for k, v in expected.items()}, rows
    for row in rows:
        assert row["status"] == statuses.get(row["exercise"], "ok"), row


def test_invalid_messages_are_clear(batch):
    _, out, _, _ = batch
    msg = {r["student"]: r["message"] for r in _rows(out) if r["status"] == "invalid"}
    assert "empty" in msg["empty"]
    assert "no cells" in msg["no_cells"]
    assert "not valid notebook JSON" in msg["corrupt_json"]
    assert "not valid notebook JSON" in msg["not_a_notebook"]
    assert "98.other" in msg["other_lecture"]


def test_flat_file_student_is_its_stem(batch):
    _, out, _, _ = batch
    rows = [r for r in _rows(out) if r["student"] == "carol"]
    assert sum(float(r["points"]) for r in rows) == 4


def test_feedback_never_leaks_hidden_code_nor_claims_all_tests(batch):
    _, out, cases, _ = batch
    hidden = [c.source for c in parse_master(MASTER).nb.cells if c.source.startswith("# HIDDEN")]
    texts = {p.stem: p.read_text() for p in (out / "feedback").glob("*.md")}
    assert set(texts) >= set(cases)
    for text in texts.values():
        assert "all tests passed" not in text.lower()
        assert "hidden-add-marker" not in text and "observe(" not in text
        for src in hidden:
            assert src not in text
    assert "graded checks passed" in texts["full"]
    assert "timeout" in texts["infinite_loop"]


def test_records_hold_hash_status_and_time(batch):
    _, out, _, _ = batch
    records = [json.loads(p.read_text()) for p in (out / "records").glob("*.json")]
    assert len(records) == len(_hostile()) + 1
    for rec in records:
        assert len(rec["sha256"]) == 64 and rec["graded_at"]
        assert rec["status"] in {"ok", "timeout", "crashed", "tampered", "invalid"}
        assert rec["sandbox"] is True


def test_rerun_skips_finished_work_and_rebuilds_the_same_csv(batch, tmp_path, capsys):
    root, out, _, args = batch
    work = tmp_path / "out"
    shutil.copytree(out, work)
    before = (out / "grades.csv").read_bytes()
    # An interrupted batch: some records never got written.
    removed = sorted((work / "records").glob("full__*.json")) + sorted((work / "records").glob("partial__*.json"))
    assert len(removed) == 2
    for p in removed:
        p.unlink()
    base = ["grade", *args, "--out", str(work), "--solutions", str(FIXTURE), "--timeout", str(TIMEOUT),
            "--memory", "1024", "--no-progress"]
    capsys.readouterr()
    assert main(base) == 0
    assert "2 graded" in capsys.readouterr().out
    assert (work / "grades.csv").read_bytes() == before
    # A changed submission is graded again; the rest are skipped.
    _write(root / "subs" / "untouched" / "99_demo.ipynb", solved_lecture())
    try:
        assert main(base) == 0
        assert "1 graded" in capsys.readouterr().out
        rows = [r for r in _rows(work) if r["student"] == "untouched"]
        assert sum(float(r["points"]) for r in rows) == 4
    finally:
        _write(root / "subs" / "untouched" / "99_demo.ipynb", lecture_notebook(parse_master(MASTER)))


def test_corrupt_master_stops_grading_with_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "solutions"
    bad.mkdir()
    nb = nbformat.read(str(MASTER), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("# HIDDEN 99.nosuch\nobserve('99.nosuch', 'x', 1)"))
    nbformat.write(nb, str(bad / "99_demo.ipynb"))
    rc = main(["grade", str(MASTER), "--out", str(tmp_path / "out"), "--solutions", str(bad)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "99_demo.ipynb" in err and "unknown exercise 99.nosuch" in err


def test_a_syntax_error_is_reported_at_the_line_of_the_cell(batch):
    """Not at IPython's temporary file name ('154142477.py'), which the student never sees."""
    _, out, _, _ = batch
    text = (out / "feedback" / "syntax_error.md").read_text()
    assert "your answer cell raised SyntaxError" in text
    assert "(line 3 of the cell)" in text
    assert ".py, line" not in text
