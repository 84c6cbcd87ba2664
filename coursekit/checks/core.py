"""The machinery behind every public check and every hidden observation.

Public checks (students run them): a ``Checks`` object collects one verdict per small case and
prints it, with a hint when the case fails, then says "public checks passed" (never "all tests
passed": hidden checks decide the grade). Exceptions inside the student's code become failed
cases with the error's message, so a check cell never crashes on a half-finished answer.

Hidden observations (the grader reads them): ``observe(exercise, name, value)`` in a hidden check
cell records a value that the grader compares, outside the student's kernel, with the value the
master notebook records at the same place. Outside grading it does nothing visible.
See docs/AUTHORING.md.
"""
from __future__ import annotations

import json
import math
import os
import traceback
from typing import Any, Callable

import numpy as np

from ..backend import to_numpy
from .verdict import Verdict

#: MIME type of an observation in a cell's outputs while grading.
OBSERVATION_MIME = "application/vnd.coursekit.observation+json"
#: MIME type of a public check's verdict while grading: the feedback quotes these, never the
#: raw printed text, which the student's code can add to.
VERDICT_MIME = "application/vnd.coursekit.verdict+json"
#: Set to "1" by the grader in the kernel's environment.
GRADING_ENV = "COURSEKIT_GRADING"

PASS = "\u2714"  # check mark
FAIL = "\u2718"  # cross


def _short(x: Any, limit: int = 80) -> str:
    """A one-line description of a value for a verdict."""
    try:
        arr = np.asarray(to_numpy(x))
        if arr.ndim > 0:
            text = np.array2string(arr, precision=4, separator=", ", threshold=8, max_line_width=10_000)
            text = " ".join(text.split())
        else:
            text = repr(arr.item())
    except Exception:
        text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Checks:
    """Collect and print the verdicts of one exercise's public checks.

    >>> c = Checks("03.softmax")
    >>> out = c.call(softmax, np.array([[1.0, 2.0]]))      # doctest: +SKIP
    >>> c.close(out, [[0.2689, 0.7311]], "softmax([[1, 2]])", atol=1e-4)  # doctest: +SKIP
    >>> c.report()                                          # doctest: +SKIP
    """

    def __init__(self, exercise: str, title: str = ""):
        self.exercise = exercise
        self.title = title
        self.results: list[tuple[bool, str]] = []
        self.not_attempted = False

    # -- calling the student's code -------------------------------------------------------
    def call(self, fn: Callable, *args, description: str | None = None,
             require_value: bool = True, **kwargs):
        """Call ``fn(*args, **kwargs)``; an exception becomes a failed case and returns None.

        A function that returns None (a forgotten ``return``) is also a failed case, so that a
        check skipped for want of a value never reads as "no checks ran";
        ``require_value=False`` for a student function that is meant to return nothing.
        """
        name = description or f"{getattr(fn, '__name__', 'your function')}(...)"
        try:
            out = fn(*args, **kwargs)
            if out is None and require_value:
                self.case(False, f"{name} returns a value", "it returned None: did you forget `return`?")
            return out
        except NotImplementedError:
            self.not_attempted = True
            self.case(False, f"{name} runs", "it still raises NotImplementedError: replace the "
                      "`raise NotImplementedError(...)` line with your code")
        except Exception as err:  # the student's bug, reported in a sentence, not a traceback
            frame = traceback.extract_tb(err.__traceback__)[-1]
            where = f" (line {frame.lineno})" if frame.filename.startswith("<") else ""
            self.case(False, f"{name} runs", f"it raised {type(err).__name__}: {err}{where}")
        return None

    # -- verdicts ----------------------------------------------------------------------
    def case(self, ok: bool, description: str, hint: str = "") -> bool:
        """Record one verdict. ``hint`` is shown only when the case fails."""
        ok = bool(ok)
        self.results.append((ok, description if ok or not hint else f"{description}: {hint}"))
        return ok

    def close(self, actual, expected, description: str, hint: str = "", *, rtol: float = 1e-6,
              atol: float = 1e-8) -> bool:
        """Check that ``actual`` matches ``expected`` in shape and value (NaN-aware hints)."""
        if actual is None:
            return self.case(False, description, "nothing was returned (did you forget `return`?)")
        try:
            a = np.asarray(to_numpy(actual), dtype=float)
        except Exception:
            return self.case(False, description, f"expected an array of numbers, got {type(actual).__name__}")
        e = np.asarray(expected, dtype=float)
        if a.shape != e.shape:
            return self.case(False, description, f"expected shape {e.shape}, got shape {a.shape}"
                             + (f". {hint}" if hint else ""))
        if not np.all(np.isfinite(a)) and np.all(np.isfinite(e)):
            return self.case(False, description, f"returned {_short(a)} with nan or inf"
                             + (f": {hint}" if hint else ""))
        if not np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
            return self.case(False, description, f"expected {_short(e)}, got {_short(a)}"
                             + (f". {hint}" if hint else ""))
        return self.case(True, description)

    def equal(self, actual, expected, description: str, hint: str = "") -> bool:
        """Exact equality (labels, counts, booleans)."""
        try:
            ok = bool(np.array_equal(np.asarray(to_numpy(actual)), np.asarray(expected)))
        except Exception:
            ok = False
        return self.case(ok, description, f"expected {_short(expected)}, got {_short(actual)}"
                         + (f". {hint}" if hint else ""))

    # -- summary ----------------------------------------------------------------------
    def report(self) -> Verdict:
        """Print every verdict and a one-line summary; return a Verdict (true when every case
        passed) that displays nothing, so a check cell shows only the printed lines."""
        head = f"Exercise {self.exercise}" + (f" ({self.title})" if self.title else "")
        lines = [head]
        if self.not_attempted:
            lines.append("  not attempted yet: replace the `raise NotImplementedError(...)` line with your code")
            print("\n".join(lines))
            _grading_verdict(self.exercise, lines)
            return Verdict(False)
        for ok, text in self.results:
            lines.append(f"  {PASS if ok else FAIL} {text}")
        failed = sum(1 for ok, _ in self.results if not ok)
        if not self.results:
            lines.append("  (no checks ran)")
        if failed == 0 and self.results:
            lines.append(f"  public checks passed ({len(self.results)}/{len(self.results)}); "
                         "hidden checks will also grade this exercise")
        else:
            lines.append(f"  {failed} of {len(self.results)} public checks failed")
        print("\n".join(lines))
        _grading_verdict(self.exercise, lines)
        return Verdict(failed == 0 and bool(self.results))


def _grading_verdict(exercise: str, lines: list[str]) -> None:
    """While grading, also hand the verdict lines to the grader as a record of their own."""
    if os.environ.get(GRADING_ENV) != "1":
        return
    from IPython.display import display

    display({VERDICT_MIME: {"exercise": exercise, "text": "\n".join(lines)}, "text/plain": ""}, raw=True)


# -- hidden observations -----------------------------------------------------------------
def _encode(value: Any):
    """JSON-safe encoding of numbers, arrays, strings, booleans and nested lists/dicts."""
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not all(isinstance(v, (int, float)) for v in value):
        return [_encode(v) for v in value]
    arr = np.asarray(to_numpy(value))
    if arr.dtype == bool:
        return {"bool_array": arr.tolist(), "shape": list(arr.shape)}
    if arr.dtype.kind in "iuf":
        flat = [None if not math.isfinite(v) else v for v in arr.astype(float).ravel().tolist()]
        return {"array": flat, "shape": list(arr.shape), "nonfinite": [str(v) for v in arr.ravel().tolist()
                                                                  if not math.isfinite(float(v))][:5]}
    return repr(value)


def observe(exercise: str, name: str, value: Any, *, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Record ``value`` for the grader, which compares it with the master's value at this place.

    Use only in hidden check cells. ``rtol``/``atol`` are read from the master's run, so a
    student cannot loosen them. Outside grading (``COURSEKIT_GRADING`` unset) nothing is shown.
    An exception while computing ``value`` belongs to the cell: the grader scores it as a miss.
    """
    if os.environ.get(GRADING_ENV) != "1":
        return
    from IPython.display import display

    record = {"exercise": exercise, "name": name, "value": _encode(value), "rtol": rtol, "atol": atol}
    display({OBSERVATION_MIME: record, "text/plain": f"observation {exercise}/{name}"}, raw=True)


def decode_and_compare(master: dict, student: dict | None) -> tuple[bool, str]:
    """Compare one master observation record with the student's (None when missing).

    Returns (matched, message). Lives here so tests and the grader share one rule.
    """
    if student is None:
        return False, f"{master['name']}: no value was recorded"
    mv, sv = master["value"], student["value"]
    rtol, atol = master.get("rtol", 1e-6), master.get("atol", 1e-8)
    return _match(mv, sv, rtol, atol, master["name"])


def _match(mv, sv, rtol, atol, name) -> tuple[bool, str]:
    if isinstance(mv, dict) and "array" in mv:
        if not (isinstance(sv, dict) and "array" in sv):
            return False, f"{name}: expected numbers"
        if mv["shape"] != sv["shape"]:
            return False, f"{name}: expected shape {tuple(mv['shape'])}, got {tuple(sv['shape'])}"
        m = np.array([np.nan if v is None else v for v in mv["array"]], dtype=float)
        s = np.array([np.nan if v is None else v for v in sv["array"]], dtype=float)
        if np.any(np.isnan(s)) and not np.any(np.isnan(m)):
            return False, f"{name}: contains nan or inf"
        if not np.allclose(s, m, rtol=rtol, atol=atol, equal_nan=True):
            return False, f"{name}: wrong values"
        return True, f"{name}: ok"
    if isinstance(mv, dict) and "bool_array" in mv:
        ok = isinstance(sv, dict) and sv.get("bool_array") == mv["bool_array"]
        return ok, f"{name}: {'ok' if ok else 'wrong values'}"
    if isinstance(mv, dict):
        if not isinstance(sv, dict) or set(sv) != set(mv):
            return False, f"{name}: wrong structure"
        for k in mv:
            ok, msg = _match(mv[k], sv[k], rtol, atol, f"{name}.{k}")
            if not ok:
                return ok, msg
        return True, f"{name}: ok"
    if isinstance(mv, list):
        if not isinstance(sv, list) or len(sv) != len(mv):
            return False, f"{name}: wrong length"
        for i, (a, b) in enumerate(zip(mv, sv)):
            ok, msg = _match(a, b, rtol, atol, f"{name}[{i}]")
            if not ok:
                return ok, msg
        return True, f"{name}: ok"
    ok = mv == sv
    return ok, f"{name}: {'ok' if ok else 'wrong value'}"
