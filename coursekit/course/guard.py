"""Runs inside a grading kernel: has the student's code bent IPython's execution machinery?

A HIDDEN cell's observations are worth something only if they report what the student's
functions compute. An answer can instead install an input or AST transformer (rewriting the
hidden cell), an event callback (``pre_run_cell``...), a patched ``display``, display publisher
or ``sys.displayhook`` (fabricating or dropping observations), a trace or profile function, a
replaced ``observe`` or builtin. The grader runs ``baseline()`` silently as soon as a kernel
starts, before any notebook code, and ``report(token)`` before and after every HIDDEN cell;
``report`` prints ``<token> <json list of findings>`` through the kernel's original stdout.
The grader treats a missing or non-empty report as tampering (runner.py). This detects the
common ways; it is not a proof, since the student's code runs in the same process.

Only standard-library imports here: this module is imported inside the student's kernel.
"""
from __future__ import annotations

import builtins
import json
import sys

_BASE: dict = {}
#: Notebook code compiles to '<ipython-input-...>' or to ipykernel's cell files.
_CELL_FILE_MARKS = ("<", "/ipykernel_", "\\ipykernel_")
_BUILTINS = ("print", "__import__", "compile", "exec", "eval", "open", "getattr", "isinstance")


def _shell():
    from IPython import get_ipython

    return get_ipython()


def _defined_in_a_cell(obj, depth: int = 0) -> bool:
    """True for a function, method, class or instance whose code was typed in a notebook cell."""
    if depth > 3 or obj is None:
        return False
    func = getattr(obj, "__func__", obj)
    code = getattr(func, "__code__", None)
    if code is not None:
        return code.co_filename.startswith(_CELL_FILE_MARKS[0]) or any(
            m in code.co_filename for m in _CELL_FILE_MARKS[1:])
    inner = getattr(obj, "func", None) or getattr(obj, "__wrapped__", None)  # partial, wraps
    if inner is not None and inner is not obj:
        return _defined_in_a_cell(inner, depth + 1)
    cls = obj if isinstance(obj, type) else type(obj)
    if cls.__module__ == "__main__":
        return True
    for name in ("__call__", "visit", "transform", "publish", "write"):
        method = cls.__dict__.get(name)
        if method is not None and _defined_in_a_cell(method, depth + 1):
            return True
    return False


def _hooks(ip) -> dict:
    """Every place where code can step into the execution of a cell, by name."""
    tm = ip.input_transformer_manager
    found = {
        "input transformer": list(ip.input_transformers_cleanup) + list(ip.input_transformers_post)
        + list(getattr(tm, "cleanup_transforms", [])) + list(getattr(tm, "line_transforms", []))
        + list(getattr(tm, "token_transformers", [])),
        "AST transformer": list(ip.ast_transformers),
        "event callback": [cb for cbs in ip.events.callbacks.values() for cb in cbs],
    }
    return found


def _methods(ip) -> dict:
    """Objects whose identity must not change once the kernel has started."""
    import IPython.display
    from IPython.core import display_functions

    objs = {
        "sys.displayhook": sys.displayhook,
        "IPython's displayhook": type(ip.displayhook).__call__,
        "the display publisher": type(ip.display_pub).publish,
        "IPython.display.display": IPython.display.display,
        "IPython's display function": display_functions.display,
        "sys.stdout": type(sys.stdout).write,
        "run_cell": type(ip).run_cell,
        "run_ast_nodes": type(ip).run_ast_nodes,
        "transform_cell": type(ip).transform_cell,
    }
    kernel = getattr(ip, "kernel", None)
    if kernel is not None:
        objs["the kernel's execute handler"] = type(kernel).do_execute
        objs["the kernel's message sender"] = type(kernel.session).send
    for name in _BUILTINS:
        objs[f"builtins.{name}"] = getattr(builtins, name, None)
    core = sys.modules.get("coursekit.checks.core")
    if core is None:
        from coursekit.checks import core
    for name in ("observe", "_encode", "to_numpy", "Checks"):
        objs[f"coursekit's {name}"] = getattr(core, name, None)
    return objs


def _instance_overrides(ip) -> list[str]:
    """Methods replaced on the objects themselves rather than on their classes."""
    checks = [(ip, ("run_cell", "run_cell_async", "run_ast_nodes", "transform_cell", "run_code")),
              (ip.display_pub, ("publish",)), (ip.displayhook, ("__call__", "write_format_data")),
              (sys.stdout, ("write",))]
    kernel = getattr(ip, "kernel", None)
    if kernel is not None:
        checks += [(kernel, ("do_execute", "execute_request")), (kernel.session, ("send",))]
    return [f"{type(o).__name__}.{n}" for o, names in checks for n in names
            if n in getattr(o, "__dict__", {})]


def baseline() -> None:
    """Remember the untouched machinery (run once per kernel, before any notebook code)."""
    ip = _shell()
    _BASE.clear()
    _BASE["stdout"] = sys.stdout
    _BASE["hooks"] = {k: [id(h) for h in v] for k, v in _hooks(ip).items()}
    _BASE["methods"] = _methods(ip)
    _BASE["overrides"] = set(_instance_overrides(ip))
    _BASE["trace"] = (sys.gettrace(), sys.getprofile())


def findings() -> list[str]:
    """What changed since ``baseline()``, in a student's words (empty: nothing seen)."""
    if not _BASE:
        return ["the grader's baseline of the kernel is gone"]
    ip = _shell()
    found = []
    for kind, hooks in _hooks(ip).items():
        for hook in hooks:
            if id(hook) not in _BASE["hooks"].get(kind, []) and (
                    kind == "AST transformer" or _defined_in_a_cell(hook)):
                found.append(f"an {kind} ({getattr(hook, '__name__', type(hook).__name__)})")
    for name, obj in _methods(ip).items():
        if obj is not _BASE["methods"].get(name):
            found.append(f"a replaced {name}")
    for name in sorted(set(_instance_overrides(ip)) - _BASE["overrides"]):
        found.append(f"a replaced {name}")
    if (sys.gettrace(), sys.getprofile()) != _BASE["trace"]:
        found.append("a trace or profile function (sys.settrace / sys.setprofile)")
    try:
        import threading
        if getattr(threading, "_trace_hook", None) or getattr(threading, "_profile_hook", None):
            found.append("a trace or profile function for threads")
    except Exception:
        pass
    observe = ip.user_ns.get("observe")
    if observe is not None:
        from coursekit.checks import core
        if observe is not core.observe or _defined_in_a_cell(observe):
            found.append("a replaced observe function")
    return found


def report(token: str) -> None:
    """Print the token and the findings through the stdout the kernel started with."""
    try:
        result = findings()
    except Exception as err:  # a broken machinery is itself a finding
        result = [f"the kernel's machinery is broken ({type(err).__name__}: {err})"]
    out = _BASE.get("stdout") or sys.stdout
    out.write(f"{token} {json.dumps(result)}\n")
    out.flush()
