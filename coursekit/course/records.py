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

CSV_COLUMNS = ["student", "notebook", "exercise", "points", "max_points", "status", "message"]


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


def load_records(out: Path) -> list[dict]:
    records = []
    for path in sorted((Path(out) / "records").glob("*.json")):
        try:
            records.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue  # only whole records are ever written; anything else is not ours
    return records


def _fmt(x) -> str:
    if x is None or x == "":
        return ""
    text = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def csv_rows(records: list[dict]) -> list[list[str]]:
    rows = []
    for rec in records:
        if not rec.get("exercises"):
            rows.append([rec["student"], rec["notebook"], "", "0", _fmt(rec.get("max_points")),
                         rec["status"], rec.get("message", "")])
            continue
        for ex in rec["exercises"]:
            rows.append([rec["student"], rec["notebook"], ex["id"], _fmt(ex["points"]),
                         _fmt(ex["max_points"]), ex["status"], ex.get("message", "")])
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
    """The public checks' printed verdicts, minus any line claiming that all tests passed.

    The text was printed inside the student's kernel, so the student's code can add to it;
    a forged "all tests passed" must not reach the feedback as if the grader said it.
    """
    keep = [line for line in text.splitlines() if "all tests passed" not in line.lower()]
    return "\n".join(keep).strip("\n")


def _points_word(max_points) -> str:
    return " point" if max_points == 1 else " points"


def feedback_markdown(student: str, records: list[dict]) -> str:
    """A student's feedback: scores, graded checks passed, failure messages; never test code."""
    lines = [f"# Feedback for {student}", ""]
    for rec in sorted(records, key=lambda r: r["notebook"]):
        lines.append(f"## {rec['notebook']}")
        lines.append("")
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
            public = _public_check_text(ex.get("public_checks", ""))
            if public and ex.get("passed") != ex.get("total"):
                lines += ["", "Output of the public checks (the hints you also see in the notebook):",
                          "", "```", public, "```"]
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
