"""Submissions from an LMS zip (Canvas, Moodle) and grades back to the LMS (coursekit export).

The zips are built here in each LMS's layout from the tiny fixture master (99_demo) and a
second master made from it (98_extra), graded once per module, and compared with the same
notebooks graded from folders; the exports are compared byte for byte with
tests/fixtures/lms/. Expected points: 99_demo and 98_extra have 99/98.add 1, .square 2, .mean 1.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from _course_fixture import MASTER, solved_lecture

from coursekit.course import lms
from coursekit.course.build import lecture_notebook
from coursekit.course.cli import main
from coursekit.course.markers import parse_master

EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "lms"
TIMEOUT = 10

CANVAS_ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section,99_demo (1234),Current Score\n"
    "    Points Possible,,,,,4.00,(read only)\n"
    '"Doe, Jane",1001,S1001,jdoe,Section A,,\n'
    '"Müller Åberg, José",1002,S1002,jmuller,Section A,,\n'
    '"Smith, Bob",1003,S1003,bsmith,Section B,,\n'
    '"Lee, Ann",1004,S1004,alee,Section B,,\n')
MOODLE_ROSTER = (
    "First name,Last name,ID number,Institution,Department,Email address,"
    "Assignment: 99_demo (Real),Last downloaded from this course\n"
    "Jane,Doe,S1001,,,jane.doe@example.edu,-,1700000000\n"
    "José,Müller Åberg,S1002,,,jose.muller@example.edu,-,1700000000\n"
    "Ann,Lee,S1004,,,ann.lee@example.edu,-,1700000000\n")


def _answer(nb, ex_id: str, body: str):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.source.startswith(f"# EXERCISE {ex_id} "):
            cell.source = cell.source.splitlines()[0] + "\n" + body
            return nb
    raise AssertionError(ex_id)


def _bytes(nb) -> bytes:
    return nbformat.writes(nb).encode()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Two masters (99_demo and a copy renamed 98_extra) and the notebooks students hand in."""
    root = tmp_path_factory.mktemp("lms")
    sols = root / "solutions"
    sols.mkdir()
    shutil.copy(MASTER, sols / "99_demo.ipynb")
    (sols / "98_extra.ipynb").write_text(MASTER.read_text().replace("99.", "98.").replace("99 Demo", "98 Extra"))
    m99, m98 = parse_master(sols / "99_demo.ipynb"), parse_master(sols / "98_extra.ipynb")
    nbs = {
        "full99": _bytes(solved_lecture(m99)),
        "part99": _bytes(_answer(solved_lecture(m99), "99.square", "def square(x):\n    return x * abs(x)\n")),
        "none99": _bytes(lecture_notebook(m99)),
        "full98": _bytes(solved_lecture(m98)),
        "part98": _bytes(_answer(solved_lecture(m98), "98.mean", "def mean(xs):\n    return 0.0\n")),
    }
    return root, sols, nbs


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _canvas_members(nbs) -> dict[str, bytes]:
    return {
        "doejane_1001_5001_99_demo.ipynb": nbs["full99"],
        "doejane_1001_5002_98_extra.ipynb": nbs["part98"],
        "mülleråbergjosé_LATE_1002_5003_99_demo.ipynb": nbs["part99"],   # late, non-ASCII
        "smithbob_1003_5004_99_demo.ipynb": nbs["none99"],                # first version ...
        "smithbob_1003_5006_99_demo-2.ipynb": nbs["full99"],              # ... the latest
        "smithbob_1003_5005_99_demo-1.ipynb": nbs["part99"],
        "leeann_1004_text.html": b"<html>my answer is in the text box</html>",  # not a file
        "outsiderola_1005_5007_98_extra.ipynb": nbs["full98"],            # not in the roster
    }


def _moodle_members(nbs) -> dict[str, bytes]:
    return {
        "Jane Doe_201_assignsubmission_file_/99_demo.ipynb": nbs["part99"],
        "Jane Doe_201_assignsubmission_file_/98_extra.ipynb": nbs["full98"],
        "Jane Doe_201_assignsubmission_onlinetext_/onlinetext.html": b"<p>notes</p>",
        "José Müller Åberg_202_assignsubmission_file_/99_demo.ipynb": nbs["full99"],
        "Ola Outsider_203_assignsubmission_file_/99_demo.ipynb": nbs["none99"],
    }


#: The same notebooks in folders, named as the LMS names the students.
def _folder_layout(nbs) -> dict[str, bytes]:
    return {
        "doejane/99_demo.ipynb": nbs["full99"], "doejane/98_extra.ipynb": nbs["part98"],
        "mülleråbergjosé/99_demo.ipynb": nbs["part99"], "smithbob/99_demo.ipynb": nbs["full99"],
        "outsiderola/98_extra.ipynb": nbs["full98"],
        "Jane Doe/99_demo.ipynb": nbs["part99"], "Jane Doe/98_extra.ipynb": nbs["full98"],
        "José Müller Åberg/99_demo.ipynb": nbs["full99"], "Ola Outsider/99_demo.ipynb": nbs["none99"],
    }


def _grade(args, out, sols) -> int:
    return main(["grade", *map(str, args), "--out", str(out), "--solutions", str(sols), "--jobs", "2",
                 "--timeout", str(TIMEOUT), "--memory", "1024", "--no-progress"])


@pytest.fixture(scope="module")
def graded(course):
    root, sols, nbs = course
    canvas = _zip(root / "canvas submissions.zip", _canvas_members(nbs))
    moodle = _zip(root / "moodle-all.zip", _moodle_members(nbs))
    out_c, out_m, out_f = root / "out_canvas", root / "out_moodle", root / "out_folders"
    assert _grade([canvas], out_c, sols) == 0
    for out in (out_m, out_f):  # the masters' reference runs are cached: reuse them
        shutil.copytree(out_c / "reference", out / "reference")
    assert _grade([moodle], out_m, sols) == 0
    folders = root / "folders"
    for rel, data in _folder_layout(nbs).items():
        (folders / rel).parent.mkdir(parents=True, exist_ok=True)
        (folders / rel).write_bytes(data)
    assert _grade([folders], out_f, sols) == 0
    return root, sols, out_c, out_m, out_f


def _rows(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _points(rows) -> dict:
    return {(r["student"], r["notebook"], r["exercise"]): (r["points"], r["status"]) for r in rows}


def test_zips_grade_to_the_same_scores_as_folders(graded):
    _, _, out_c, out_m, out_f = graded
    zipped = _points(_rows(out_c)) | _points(_rows(out_m))
    assert zipped == _points(_rows(out_f))
    total = {}
    for (student, _, _), (pts, _) in zipped.items():
        total[student] = total.get(student, 0) + float(pts)
    assert total == {"doejane": 7, "mülleråbergjosé": 3, "smithbob": 4, "outsiderola": 4,
                     "Jane Doe": 7, "José Müller Åberg": 4, "Ola Outsider": 0}


def test_late_flag_reaches_the_csv_and_the_record(graded):
    _, _, out_c, out_m, out_f = graded
    late = {r["student"] for r in _rows(out_c) if r["late"] == "yes"}
    assert late == {"mülleråbergjosé"}
    assert all(r["late"] == "" for r in _rows(out_m) + _rows(out_f))
    recs = [json.loads(p.read_text()) for p in (out_c / "records").glob("*.json")]
    jose = [r for r in recs if r["student"] == "mülleråbergjosé"][0]
    assert jose["lms"] == {"lms": "canvas", "id": "1002", "name": "mülleråbergjosé", "late": True,
                           "source": "canvas submissions.zip!mülleråbergjosé_LATE_1002_5003_99_demo.ipynb"}
    assert jose["path"] == jose["lms"]["source"]  # never the temporary folder it was unpacked into
    bob = [r for r in recs if r["student"] == "smithbob"][0]
    assert bob["lms"]["versions"] == 3 and bob["lms"]["source"].endswith("_5006_99_demo-2.ipynb")
    moodle = [json.loads(p.read_text()) for p in (out_m / "records").glob("*.json")]
    assert {(r["student"], r["lms"]["id"]) for r in moodle} == {
        ("Jane Doe", "201"), ("José Müller Åberg", "202"), ("Ola Outsider", "203")}


def test_unpacked_files_do_not_outlive_the_batch(graded):
    """The zips are unpacked into temporary folders of the grader's, gone once it returns."""
    assert not list(Path(tempfile.gettempdir()).glob("coursekit-lms-*"))


def test_canvas_export_matches_expected_file(graded, tmp_path, capsys):
    root, _, out_c, _, _ = graded
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b"\xef\xbb\xbf" + CANVAS_ROSTER.encode())  # Canvas's export starts with a BOM
    capsys.readouterr()
    assert main(["export", "--lms", "canvas", "--out", str(out_c), "--roster", str(roster)]) == 0
    err = capsys.readouterr().err
    assert "outsiderola (ID 1005)" in err and "not in the roster" in err
    assert (out_c / "canvas_grades.csv").read_bytes() == (EXPECTED / "canvas_grades.csv").read_bytes()
    # Without a roster: one row per student graded, named and identified as in the zip.
    assert main(["export", "--lms", "canvas", "--out", str(out_c)]) == 0
    assert (out_c / "canvas_grades.csv").read_bytes() == (EXPECTED / "canvas_grades_no_roster.csv").read_bytes()


def test_moodle_export_matches_expected_file(graded, tmp_path, capsys):
    _, _, _, out_m, _ = graded
    roster = tmp_path / "Course grades.csv"
    roster.write_text(MOODLE_ROSTER, encoding="utf-8")
    capsys.readouterr()
    assert main(["export", "--lms", "moodle", "--out", str(out_m), "--roster", str(roster)]) == 0
    err = capsys.readouterr().err
    assert "Ola Outsider" in err and "not in the roster" in err
    assert (out_m / "moodle_grades.csv").read_bytes() == (EXPECTED / "moodle_grades.csv").read_bytes()
    assert main(["export", "--lms", "moodle", "--out", str(out_m), "--roster", str(roster),
                 "--id-field", "ID number"]) == 0
    assert (out_m / "moodle_grades.csv").read_bytes() == (EXPECTED / "moodle_grades_idnumber.csv").read_bytes()


def test_export_of_grades_from_another_lms_or_folders_is_refused(graded, tmp_path, capsys):
    _, _, out_c, out_m, out_f = graded
    _bad(capsys, ["export", "--lms", "canvas", "--out", str(out_f)], "no record was graded from a Canvas zip")
    roster = tmp_path / "Course grades.csv"
    roster.write_text(MOODLE_ROSTER, encoding="utf-8")
    _bad(capsys, ["export", "--lms", "moodle", "--out", str(out_c), "--roster", str(roster)],
         "no record was graded from a Moodle zip")
    assert not (out_f / "canvas_grades.csv").exists() and not (out_c / "moodle_grades.csv").exists()
    # Folder grades beside zip grades: exported without them, and the warning names them.
    mixed = tmp_path / "mixed"
    shutil.copytree(out_m, mixed)
    for p in (out_f / "records").glob("doejane__*.json"):
        shutil.copy(p, mixed / "records" / p.name)
    capsys.readouterr()
    assert main(["export", "--lms", "moodle", "--out", str(mixed), "--roster", str(roster)]) == 0
    assert "not from a Moodle zip, so not exported (no Moodle identity): doejane" in capsys.readouterr().err
    assert (mixed / "moodle_grades.csv").read_bytes() == (EXPECTED / "moodle_grades.csv").read_bytes()


# ---- bad input: one line, exit code 2, nothing written ----------------------------------

def _bad(capsys, argv, *expected):
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    for text in expected:
        assert text in err, err


def test_a_roster_without_the_id_column_is_refused(graded, tmp_path, capsys):
    _, _, out_c, _, _ = graded
    (out_c / "canvas_grades.csv").unlink(missing_ok=True)
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,SIS User ID,Section\n\"Doe, Jane\",S1001,A\n")
    _bad(capsys, ["export", "--lms", "canvas", "--out", str(out_c), "--roster", str(roster)],
         "no 'ID' column", "Export Entire Gradebook")
    assert not (out_c / "canvas_grades.csv").exists()
    roster.write_text("First name,Last name,ID number\nJane,Doe,S1\n")
    _bad(capsys, ["export", "--lms", "moodle", "--out", str(out_c), "--roster", str(roster)],
         "'Email address'")
    _bad(capsys, ["export", "--lms", "moodle", "--out", str(out_c)], "needs --roster")
    _bad(capsys, ["export", "--lms", "canvas", "--out", str(tmp_path)], "no records/")
    assert not (out_c / "moodle_grades.csv").exists()


def test_unknown_zip_layout_is_refused_before_anything_is_written(course, tmp_path, capsys):
    _, sols, nbs = course
    bad = _zip(tmp_path / "mine.zip", {"alice/99_demo.ipynb": nbs["full99"]})
    _bad(capsys, ["grade", str(bad), "--out", str(tmp_path / "out"), "--solutions", str(sols)],
         "'alice/99_demo.ipynb'", "Download Submissions", "assignsubmission_file_")
    assert not (tmp_path / "out").exists()
    (tmp_path / "notzip.zip").write_bytes(b"not a zip")
    _bad(capsys, ["grade", str(tmp_path / "notzip.zip"), "--out", str(tmp_path / "out"), "--solutions",
                  str(sols)], "not a readable zip")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["../evil_1_2_99_demo.ipynb", "/etc/x_1_2_99_demo.ipynb",
                                  "doe_1_2_a/../../x.ipynb", "C:/x_1_2_99_demo.ipynb"])
def test_zip_slip_is_refused(tmp_path, name):
    z = tmp_path / "s.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name), b"{}")
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(lms.LmsError, match="outside the folder"):
        lms.unpack_zip(z, dest, log=lambda m: None)
    assert list(dest.iterdir()) == []


def test_size_and_count_caps(tmp_path, monkeypatch):
    z = _zip(tmp_path / "big.zip", {f"doe_1_{i}_99_demo.ipynb": b"x" * 1000 for i in range(5)})
    monkeypatch.setattr(lms, "MAX_BYTES", 4000)
    with pytest.raises(lms.LmsError, match="MiB uncompressed"):
        lms.unpack_zip(z, tmp_path, log=lambda m: None)
    monkeypatch.setattr(lms, "MAX_BYTES", 1 << 30)
    monkeypatch.setattr(lms, "MAX_FILES", 4)
    with pytest.raises(lms.LmsError, match="5 files"):
        lms.unpack_zip(z, tmp_path, log=lambda m: None)


def test_layout_details(tmp_path):
    """Moodle's flat layout, a download re-zipped in its folder, macOS litter, a name stored
    in cp437 by a Windows zipper, an anonymous Canvas assignment, two students of one name."""
    nb = b'{"cells": []}'
    flat = _zip(tmp_path / "flat.zip", {
        "subs/Jane Doe_7_assignsubmission_file_99_demo.ipynb": nb,
        "subs/Żaneta Kowalska_8_assignsubmission_file_99_demo.ipynb": nb,
        "__MACOSX/subs/._x": b"", "subs/.DS_Store": b""})
    out = tmp_path / "a"
    out.mkdir()
    layout, files = lms.unpack_zip(flat, out, log=lambda m: None)
    assert layout == "moodle"
    assert sorted((f.student, f.path.name) for f in files) == [("Jane Doe", "99_demo.ipynb"),
                                                               ("Żaneta Kowalska", "99_demo.ipynb")]
    assert all(out in f.path.parents for f in files)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("sXXren_LATE_9_1_99_demo.ipynb", nb)  # renamed below, with no UTF-8 flag
        zf.writestr("anon_Xy7q2_3_99_demo.ipynb", nb)
        zf.writestr("smithjohn_10_4_99_demo.ipynb", nb)
        zf.writestr("smithjohn_11_5_99_demo.ipynb", nb)
    data = buf.getvalue().replace(b"sXXren", "søren".encode())  # a Windows zipper's raw bytes
    (tmp_path / "c.zip").write_bytes(data)
    out = tmp_path / "c"
    out.mkdir()
    layout, files = lms.unpack_zip(tmp_path / "c.zip", out, log=lambda m: None)
    assert layout == "canvas"
    assert sorted((f.student, f.lms["id"], f.lms["late"]) for f in files) == [
        ("anon_Xy7q2", "anon_Xy7q2", False), ("smithjohn (10)", "10", False),
        ("smithjohn (11)", "11", False), ("søren", "9", True)]
