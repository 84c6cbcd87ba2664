"""Records, the CSV and the feedback: everything the grader writes, written so nothing is lost.

One JSON record per submission, written atomically (a temp file, then ``os.replace``): a batch
killed at any moment leaves whole records or none. grades.csv and the feedback files are built
from the records alone, so re-running a batch rebuilds the same CSV.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path

CSV_COLUMNS = ["student", "notebook", "exercise", "points", "max_points", "status", "message", "sandbox",
               "late"]
#: A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NO_SANDBOX_NOTE = ("graded WITHOUT a sandbox (--no-sandbox): the student's code could read the "
                   "grader's files and change its own grade")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_json(path: Path, data) -> None:
    atomic_write_bytes(path, (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode())


def safe_name(name: str) -> str:
    """A file-name-safe form of a student or notebook name (kept unique by a short hash)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "unnamed"
    if safe != name:
        safe += "-" + hashlib.sha1(name.encode()).hexdigest()[:6]
    return safe


def record_path(out: Path, student: str, notebook: str) -> Path:
    return Path(out) / "records" / f"{safe_name(student)}__{safe_name(Path(notebook).stem)}.json"


_REQUIRED = ("student", "notebook", "status")


def load_records(out: Path, log=None) -> list[dict]:
    """Every record in OUT/records/ that is whole and sits at the path its contents name.

    A file that is not one (a stray or hand-made file, a record renamed or copied to another
    student's name) is left out of the CSV and the feedback, and reported through ``log``.
    """
    records = []
    for path in sorted((Path(out) / "records").glob("*.json")):
        try:
            rec = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # only whole records are ever written; anything else is not ours
        if (not isinstance(rec, dict) or not all(isinstance(rec.get(k), str) for k in _REQUIRED)
                or record_path(out, rec["student"], rec["notebook"]).name != path.name):
            if log is not None:
                log(f"warning: {path} is not a record this grader wrote for the name it has; left out")
            continue
        records.append(rec)
    return records


def spreadsheet_safe(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading formula character gets a quote first."""
    text = str(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _fmt(x) -> str:
    if x is None or x == "":
        return ""
    text = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def csv_rows(records: list[dict]) -> list[list[str]]:
    """One row per student, notebook and exercise (one row for an invalid file), sorted; text
    cells made safe for spreadsheets."""
    rows = []
    for rec in records:
        sandbox = "yes" if rec.get("sandbox") else "no"
        late = "yes" if (rec.get("lms") or {}).get("late") else ""  # the LMS's flag; no penalty
        safe = spreadsheet_safe
        if not rec.get("exercises"):
            rows.append([safe(rec["student"]), safe(rec["notebook"]), "", "0", _fmt(rec.get("max_points")),
                         rec["status"], safe(rec.get("message", "")), sandbox, late])
            continue
        for ex in rec["exercises"]:
            rows.append([safe(rec["student"]), safe(rec["notebook"]), safe(ex["id"]), _fmt(ex["points"]),
                         _fmt(ex["max_points"]), ex["status"], safe(ex.get("message", "")), sandbox, late])
    return sorted(rows)


def write_csv(out: Path, records: list[dict]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(records))
    path = Path(out) / "grades.csv"
    atomic_write_bytes(path, buf.getvalue().encode())
    return path


def _public_check_text(text: str) -> str:
    """The public checks' verdicts, minus any line claiming that all tests passed."""
    keep = [line for line in text.splitlines() if "all tests passed" not in line.lower()]
    return "\n".join(keep).strip("\n")


def _also_printed(printed: str, verdicts: str, limit: int = 600) -> str:
    """What else the check cells printed (the student's code, called by the checks), trimmed."""
    ours = set(verdicts.splitlines())
    extra = "\n".join(line for line in printed.splitlines()
                      if line not in ours and "all tests passed" not in line.lower()).strip("\n")
    return extra if len(extra) <= limit else extra[:limit] + "\n[... cut]"


def _fenced(text: str) -> list[str]:
    """A code block that the text cannot close early: its fence is longer than any run of
    backticks inside (the student's code may print some, to pass itself off as the grader)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, text, fence]


def _points_word(max_points) -> str:
    return " point" if max_points == 1 else " points"


def feedback_markdown(student: str, records: list[dict]) -> str:
    """A student's feedback: scores, graded checks passed, failure messages; never test code."""
    lines = [f"# Feedback for {student}", ""]
    for rec in sorted(records, key=lambda r: r["notebook"]):
        lines.append(f"## {rec['notebook']}")
        lines.append("")
        if not rec.get("sandbox"):
            lines += [f"Note: {NO_SANDBOX_NOTE}.", ""]
        if rec.get("lecture") and Path(rec["notebook"]).stem != rec["lecture"]:
            lines += [f"Graded as lecture {rec['lecture']} (the file's name is not the "
                      "lecture's; its exercises say which lecture it is).", ""]
        if rec["status"] == "invalid" or not rec.get("exercises"):
            lines += [f"Not graded: {rec.get('message', '')}", ""]
            continue
        total = sum(e["points"] for e in rec["exercises"])
        lines += [f"Score: {_fmt(total)} / {_fmt(rec.get('max_points'))}{_points_word(rec.get('max_points'))}", ""]
        for ex in rec["exercises"]:
            head = (f"### {ex['id']}: {_fmt(ex['points'])} / {_fmt(ex['max_points'])}{_points_word(ex['max_points'])} "
                    f"({ex.get('passed', 0)} of {ex.get('total', 0)} graded checks passed)")
            lines += [head, ""]
            if ex["status"] != "ok":
                lines.append(f"- {ex['status']}: {ex.get('message', '')}")
            elif ex.get("passed") == ex.get("total"):
                lines.append("- graded checks passed")
            for msg in ex.get("failures", []):
                lines.append(f"- failed: {msg}")
            if ex.get("error"):
                lines.append(f"- your answer cell raised {ex['error']}")
            elif ex.get("raised"):
                todo = (" (this exercise still looks unanswered)"
                        if ex["raised"].startswith("NotImplementedError") else "")
                lines.append(f"- when the graded checks called your code, it raised {ex['raised']}{todo}")
            if ex.get("note"):
                lines.append(f"- note: {ex['note']}")
            for shortcut in ex.get("shortcuts", []):
                lines.append(f"- flagged for your instructor: your answer uses {shortcut}, the "
                             "course's own code for what this exercise asks you to build")
            public = _public_check_text(ex.get("public_checks", ""))
            if public and ex.get("passed") != ex.get("total"):
                lines += ["", "The public checks' verdicts (the hints you also see in the notebook):",
                          "", *_fenced(public)]
            extra = _also_printed(ex.get("printed", ""), ex.get("public_checks", ""))
            if extra and ex.get("passed") != ex.get("total"):
                lines += ["", "Printed by your own code while the public checks ran (not a verdict):",
                          "", *_fenced(extra)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_feedback(out: Path, records: list[dict]) -> list[Path]:
    by_student: dict[str, list[dict]] = {}
    for rec in records:
        by_student.setdefault(rec["student"], []).append(rec)
    paths = []
    for student, recs in sorted(by_student.items()):
        path = Path(out) / "feedback" / f"{safe_name(student)}.md"
        atomic_write_bytes(path, feedback_markdown(student, recs).encode())
        paths.append(path)
    return paths
