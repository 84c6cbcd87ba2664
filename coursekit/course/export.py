"""``coursekit export``: the grades of DIR/records/ as a file Canvas or Moodle imports.

One row per student, one column per lecture notebook (the sum of its exercises' points).
Students are matched by what the LMS zip told the grader (records' ``lms`` field): Canvas by
its user id (the roster's ``ID`` column), Moodle by the student's full name, since Moodle's
download carries only the name and a per-assignment participant number; the roster (Moodle's
own gradebook export) then supplies the identifier its grade import matches on. A roster
student with no graded submission gets an empty cell, never a zero. See docs/GRADING.md.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .records import _fmt, atomic_write_bytes, load_records, spreadsheet_safe

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "    Points Possible"  # as Canvas writes it in its own export
MOODLE_DEFAULT_ID = "Email address"
OUTPUT = {"canvas": "canvas_grades.csv", "moodle": "moodle_grades.csv"}


class ExportError(ValueError):
    """Bad input for an export; nothing was written."""


@dataclass
class ExportReport:
    path: Path
    students: int = 0
    assignments: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _name_key(name: str) -> str:
    """A full name compared the way Moodle writes it into file names: underscores as spaces,
    the characters clean_filename() drops removed, case and spacing ignored."""
    name = unicodedata.normalize("NFC", name).replace("_", " ")
    name = re.sub(r'[\x00-\x1f/\\:*?"<>|]', "", name)
    return " ".join(name.split()).casefold()


def _read_roster(path: Path) -> tuple[list[str], list[dict]]:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise ExportError(f"{path}: cannot read the roster ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise ExportError(f"{path}: the roster is not UTF-8 text; export it from the LMS again") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise ExportError(f"{path}: the roster is empty")
    header = [h.strip() for h in rows[0]]
    return header, [dict(zip(header, r)) for r in rows[1:]]


def _collect(records: list[dict], lms: str, key_of) -> tuple[dict, dict, list[str], list[str]]:
    """(scores {student key: {lecture: points}}, max points {lecture: points}, names {key:
    name}, warnings)."""
    scores: dict[str, dict[str, float]] = {}
    maxima: dict[str, float] = {}
    names: dict[str, str] = {}
    unidentified, invalid, warnings = set(), [], []
    for rec in records:
        meta = rec.get("lms") or {}
        if meta.get("lms") != lms or not meta.get("id"):
            unidentified.add(rec["student"])
            continue
        if not rec.get("lecture"):
            invalid.append(f"{rec['student']}'s {rec['notebook']}")
            continue
        key = key_of(meta)
        names[key] = meta.get("name") or rec["student"]
        total = round(sum(float(e.get("points", 0)) for e in rec.get("exercises", [])), 2)
        lecture = rec["lecture"]
        maxima[lecture] = max(maxima.get(lecture, 0.0), float(rec.get("max_points") or 0))
        have = scores.setdefault(key, {})
        if lecture in have:
            warnings.append(f"{rec['student']} has several notebooks graded as {lecture}; the "
                            "export takes the highest score (see grades.csv)")
            total = max(total, have[lecture])
        have[lecture] = total
    if not scores and not invalid:
        raise ExportError(f"no record was graded from a {lms.capitalize()} zip, so there is nothing "
                          f"{lms.capitalize()} could match: grade the zip of its download into this "
                          "folder first (folders give no LMS identity)")
    if unidentified:
        warnings.append(f"not from a {lms.capitalize()} zip, so not exported (no {lms.capitalize()} "
                        f"identity): {', '.join(sorted(unidentified))}")
    if invalid:
        warnings.append(f"not graded (invalid, see grades.csv), so no score exported: {', '.join(sorted(invalid))}")
    return scores, maxima, names, warnings


def _column_for(lecture: str, header: list[str]) -> str:
    """The roster's own column for a lecture ('99_demo (1234)'), else the lecture's name."""
    for h in header:
        if re.sub(r"\s*\(\d+\)$", "", h).strip() == lecture:
            return h
    return lecture


def _canvas(records, roster) -> tuple[list[list[str]], list[str], int, list[str]]:
    scores, maxima, names, warnings = _collect(records, "canvas", lambda m: str(m["id"]))
    lectures = sorted(maxima)
    if roster is None:
        header = []
        identity = list(CANVAS_IDENTITY)
        people = [{"Student": spreadsheet_safe(names[k]), "ID": k} for k in sorted(scores, key=lambda k: (names[k], k))]
    else:
        header, people = roster
        missing = [c for c in ("Student", "ID") if c not in header]
        if missing:
            raise ExportError(f"the Canvas roster has no {' or '.join(repr(c) for c in missing)} column; "
                              f"expected Canvas's gradebook export (Grades > Export > Export Entire "
                              f"Gradebook), whose first columns are {', '.join(CANVAS_IDENTITY)}")
        identity = CANVAS_IDENTITY[:4] + (["Integration ID"] if "Integration ID" in header else []) + ["Section"]
        people = [p for p in people if (p.get("ID") or "").strip()
                  and (p.get("Student") or "").strip() != "Points Possible"]
        in_roster = {p["ID"].strip() for p in people}
        strays = sorted(f"{names[k]} (ID {k})" for k in scores if k not in in_roster)
        if strays:
            warnings.append(f"graded but not in the roster, so not exported: {', '.join(strays)}")
    columns = [_column_for(lec, header) for lec in lectures]
    rows = [identity + columns,
            [POINTS_POSSIBLE] + [""] * (len(identity) - 1) + [_fmt(maxima[lec]) for lec in lectures]]
    for p in people:
        got = scores.get((p.get("ID") or "").strip(), {})
        rows.append([p.get(c, "") for c in identity] + [_fmt(got[lec]) if lec in got else "" for lec in lectures])
    return rows, columns, len(people), warnings


def _moodle(records, roster, id_field: str) -> tuple[list[list[str]], list[str], int, list[str]]:
    if roster is None:
        raise ExportError("a Moodle export needs --roster: Moodle's download names students only by "
                          "full name and a per-assignment participant number, and its grade import "
                          f"matches on a user field ({MOODLE_DEFAULT_ID!r}, 'ID number', ...) that only "
                          "the gradebook export (Grades > Export > Plain text file) carries")
    header, people = roster
    missing = [c for c in ("First name", "Last name", id_field) if c not in header]
    if missing:
        raise ExportError(f"the Moodle roster has no {' or '.join(repr(c) for c in missing)} column; "
                          "expected Moodle's gradebook export (Grades > Export > Plain text file), "
                          f"with the columns First name, Last name and {id_field!r} (--id-field)")
    scores, maxima, names, warnings = _collect(records, "moodle", lambda m: _name_key(m.get("name", "")))
    lectures = sorted(maxima)
    by_name: dict[str, list[dict]] = {}
    for p in people:
        by_name.setdefault(_name_key(f"{p.get('First name', '')} {p.get('Last name', '')}"), []).append(p)
    for key, same in by_name.items():
        if len(same) > 1 and key in scores:
            warnings.append(f"{len(same)} students in the roster are named {names[key]!r}: their cells "
                            "are left empty; enter this grade by hand")
    strays = sorted(names[k] for k in scores if k not in by_name)
    if strays:
        warnings.append(f"graded but not in the roster, so not exported: {', '.join(strays)}")
    rows = [[id_field] + lectures]
    for p in people:
        key = _name_key(f"{p.get('First name', '')} {p.get('Last name', '')}")
        got = scores.get(key, {}) if len(by_name[key]) == 1 else {}
        ident = (p.get(id_field) or "").strip()
        if not ident:
            if got:
                warnings.append(f"{p.get('First name', '')} {p.get('Last name', '')} has no "
                                f"{id_field!r} in the roster: not exported")
            continue
        rows.append([ident] + [_fmt(got[lec]) if lec in got else "" for lec in lectures])
    return rows, lectures, len(rows) - 1, warnings


def export(out: Path, lms: str, roster: Path | None = None, id_field: str | None = None) -> ExportReport:
    """Write OUT/canvas_grades.csv or OUT/moodle_grades.csv from OUT/records/ (atomically; on
    bad input, raise ExportError and write nothing)."""
    out = Path(out)
    if lms not in OUTPUT:
        raise ExportError(f"unknown LMS {lms!r}: expected one of {', '.join(OUTPUT)}")
    if not (out / "records").is_dir():
        raise ExportError(f"{out}: no records/ folder; expected the --out folder of `coursekit grade`")
    records = load_records(out)
    if not records:
        raise ExportError(f"{out / 'records'}: no grade records to export")
    table = _read_roster(roster) if roster is not None else None
    if lms == "canvas":
        rows, columns, students, warnings = _canvas(records, table)
    else:
        rows, columns, students, warnings = _moodle(records, table, id_field or MOODLE_DEFAULT_ID)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path = out / OUTPUT[lms]
    atomic_write_bytes(path, buf.getvalue().encode())
    return ExportReport(path, students, columns, warnings)
