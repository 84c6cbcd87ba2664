"""Turn the outputs of a graded run into points, outside the student's kernel.

Only the outputs of HIDDEN cells count, found by their position in the rebuilt notebook (the
master's positions), and each observation is compared with the master's record by
``coursekit.checks.core.decode_and_compare``. An observation printed anywhere else, a verdict
the student's code prints, a redefined check: none of them is read here.
"""
from __future__ import annotations

import re

from ..checks.core import OBSERVATION_MIME, VERDICT_MIME, decode_and_compare
from .markers import Master


def observations(cell) -> list[dict]:
    """The observation records among one cell's outputs (display_data only, as observe emits)."""
    found = []
    for out in cell.get("outputs", []):
        if out.get("output_type") != "display_data":
            continue
        record = out.get("data", {}).get(OBSERVATION_MIME)
        if isinstance(record, dict) and isinstance(record.get("name"), str) and "value" in record:
            found.append(record)
    return found


def hidden_observations(nb, master: Master) -> dict[str, list[dict]]:
    """{str(cell index): records} for every HIDDEN cell of the master's layout."""
    return {str(i): observations(nb.cells[i])
            for ex in master.exercises.values() for i in ex.hidden}


# IPython names a cell's code after a temporary file: "invalid syntax (154142477.py, line 3)"
_CELL_FILE = re.compile(r"\([^()]*?\d+\.py, line (\d+)\)")


def cell_error(cell) -> str | None:
    """'NameError: ...' for the first error output of a cell, else None. A line number is given
    as the line of the cell, which is what the student sees, not as IPython's temporary file."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            evalue = _CELL_FILE.sub(r"(line \1 of the cell)", str(out.get("evalue", "")))
            return f"{out.get('ename', 'Error')}: {evalue}".strip()
    return None


def verdict_text(cell, limit: int = 2000) -> str:
    """The verdicts the public checks of a cell reported (coursekit.checks.core.Checks), trimmed."""
    parts = []
    for out in cell.get("outputs", []):
        record = out.get("data", {}).get(VERDICT_MIME) if out.get("output_type") == "display_data" else None
        if isinstance(record, dict) and isinstance(record.get("text"), str):
            parts.append(record["text"])
    text = "\n".join(parts)
    return text if len(text) <= limit else text[:limit] + "\n[... cut]"


def cell_text(cell, limit: int = 2000) -> str:
    """The printed text of a cell (for feedback from public checks), trimmed."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}\n")
    text = "".join(parts)
    return text if len(text) <= limit else text[:limit] + "\n[... cut]"


def score(master: Master, reference: dict[str, list[dict]], student: dict[str, list[dict]]):
    """Per exercise: (matched, total, messages). Records pair up by name, in order of appearance."""
    results = {}
    for ex_id, ex in master.exercises.items():
        matched, total, messages = 0, 0, []
        for i in ex.hidden:
            pool = list(student.get(str(i), []))
            for expected in reference.get(str(i), []):
                total += 1
                got = None
                for k, rec in enumerate(pool):
                    if rec.get("name") == expected["name"] and rec.get("exercise") == expected.get("exercise"):
                        got = pool.pop(k)
                        break
                try:
                    ok, message = decode_and_compare(expected, got)
                except Exception:  # a malformed record (forged by hand) is a miss, never a crash
                    ok, message = False, f"{expected['name']}: unreadable value"
                matched += bool(ok)
                if not ok:
                    messages.append(message)
        results[ex_id] = (matched, total, messages)
    return results


def points(max_points: float, matched: int, total: int) -> float:
    return round(max_points * matched / total, 2) if total else 0.0
