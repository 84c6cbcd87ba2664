"""Every check function, fed what a half-finished notebook gives it, answers with a verdict.

A student's function that returns None (a forgotten ``return``), raises, or a value left as None
must give failed cases with a hint: never a traceback from the check itself, never a pass, and
never "(no checks ran)", which reads as if nothing was wrong.
"""
from __future__ import annotations

import contextlib
import importlib
import inspect
import io

import pytest


def _check_functions():
    out = []
    for i in range(13):
        mod = importlib.import_module(f"coursekit.checks.nb{i:02d}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if name.startswith("check_") and fn.__module__ == mod.__name__:
                out.append(pytest.param(fn, id=f"nb{i:02d}.{name}"))
    return out


def _returns_none(*args, **kwargs):
    return None


def _raises(*args, **kwargs):
    raise ValueError("a bug in the student's code")


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("check", _check_functions())
@pytest.mark.parametrize("answer", [_returns_none, _raises, None],
                         ids=["returns-None", "raises", "left-None"])
def test_a_check_reports_a_failure_for_an_unfinished_answer(check, answer):
    required = [p for p in inspect.signature(check).parameters.values()
                if p.default is inspect.Parameter.empty]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        verdict = check(*[answer for _ in required])
    text = printed.getvalue()
    assert not bool(verdict), f"{check.__name__} passed an unfinished answer:\n{text}"
    assert "no checks ran" not in text, text
    assert "✘" in text, f"no failed case was shown:\n{text}"


def test_there_is_a_check_for_every_notebook():
    assert {p.id.split(".")[0] for p in _check_functions()} == {f"nb{i:02d}" for i in range(13)}
