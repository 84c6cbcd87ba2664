"""Run a rebuilt notebook cell by cell, so that each failure costs only the exercise it hit.

One kernel per notebook. A cell past its time limit is interrupted; if the kernel does not
answer a probe afterwards, or if it dies (``os._exit``, a kill, the memory cap), it is started
again, the setup (teaching cells and the other exercises' answer cells) is replayed, and the run
goes on with the next exercise. The exercise being run when it happened is marked ``timeout``
or ``crashed`` and the rest of its cells are skipped.

A kernel that dies is given one second chance per exercise: the exercise is run again from its
answer cell in a fresh kernel, and only a second death marks it ``crashed``. Code that kills the
kernel on purpose or by a bug does so twice; a death that was the machine's doing (a passing
memory squeeze, a signal from outside) should not cost a student the exercise.

Before and after every HIDDEN cell the kernel's execution machinery is checked (guard.py): an
answer that installed transformers, event callbacks, display or trace hooks to fabricate or drop
observations is marked ``tampered`` (zero), the kernel is restarted without that answer, and
grading goes on with the next exercise.
"""
from __future__ import annotations

import asyncio
import copy
import json
import secrets
import tempfile
from dataclasses import dataclass, field

import nbformat
from nbclient.exceptions import DeadKernelError

from .markers import Master
from .kernel import MESSAGE_LIMIT, new_client, output_lost, start_kernel, stop_kernel

PROBE_TIMEOUT = 10  # at most this many seconds for a healthy kernel to answer `pass` after an interrupt
GUARD = "__import__('coursekit.course.guard', fromlist=['guard'])"


@dataclass
class RunResult:
    """Per exercise: ("ok" | "timeout" | "crashed", message). Outputs are in the notebook."""

    status: dict[str, tuple[str, str]] = field(default_factory=dict)
    restarts: int = 0


def owners(master: Master) -> list[str | None]:
    """For each cell, the exercise whose student code it runs (None: setup before any exercise).

    An exercise owns its EXERCISE cell and every cell up to the next EXERCISE cell: teaching
    cells in between may call the student's functions, so a crash there is that answer's doing.
    """
    result, current = [], None
    for kind, ex_id in master.kinds:
        if kind == "exercise":
            current = ex_id
        result.append(current)
    return result


def run_notebook(nb: nbformat.NotebookNode, master: Master, *, timeout: float, memory_mb: int,
                 sandboxed: bool = True, on_kernel_start=None) -> RunResult:
    """Execute ``nb`` (cells aligned with ``master``) in place; see the module docstring."""
    return asyncio.run(_run(nb, master, timeout, memory_mb, sandboxed, on_kernel_start))


async def _run(nb, master, timeout, memory_mb, sandboxed, on_kernel_start) -> RunResult:
    result = RunResult({ex: ("ok", "") for ex in master.exercises})
    owner = owners(master)
    first_cell = {}  # exercise (None: the setup) -> index of the first cell it owns
    for i, ex in enumerate(owner):
        first_cell.setdefault(ex, i)
    second_chances: set[str | None] = set()
    max_restarts = 2 * len(master.exercises) + 3
    with tempfile.TemporaryDirectory(prefix="coursekit-grade-") as cwd:
        client = new_client(nb, timeout=timeout, memory_mb=memory_mb, cwd=cwd, sandboxed=sandboxed,
                            on_kernel_start=on_kernel_start)
        try:
            await _start(client)
            index = 0
            while index < len(nb.cells):
                cell, ex = nb.cells[index], owner[index]
                if cell.cell_type != "code" or (ex is not None and result.status[ex][0] != "ok"):
                    index += 1
                    continue
                try:
                    problem = await _execute_cell(client, cell, index,
                                                  master.kinds[index][0] == "hidden", timeout)
                except DeadKernelError as err:
                    problem = getattr(err, "problem", None)
                    result.restarts += 1
                    if problem is None and ex not in second_chances:
                        # Run the whole exercise again: replay the setup before its first cell.
                        second_chances.add(ex)
                        replay_to = resume = first_cell[ex]
                    else:
                        if problem is None:
                            problem = ("crashed", "the kernel died while running this exercise, "
                                       "twice (sys.exit is harmless, but os._exit, killing the "
                                       "process or running out of memory ends it): this "
                                       "exercise scores zero")
                        _mark(result, ex, master, problem)
                        # Go on after the cell that killed it, never replaying that cell.
                        replay_to, resume = index, index + 1
                    if result.restarts > max_restarts or not await _restart(client, nb, master, owner,
                                                                            result, replay_to):
                        _give_up(result, master, resume - 1, owner)
                        break
                    index = resume
                    continue
                if problem:
                    _mark(result, ex, master, problem)
                index += 1
        finally:
            await stop_kernel(client)
    return result


def _dead(problem: tuple[str, str], why: str) -> DeadKernelError:
    """The kernel must go; ``problem`` (status, message) is what the exercise is marked with."""
    err = DeadKernelError(why)
    err.problem = problem
    return err


async def _execute_cell(client, cell, index, hidden, timeout):
    """Run one cell; returns the problem (status, message) to mark its exercise with, or None.

    Raises DeadKernelError when the kernel cannot be trusted or reached any more (its ``problem``
    attribute, when set, says why); HIDDEN cells are checked for tampering before and after."""
    client.timed_out = False
    tampered = await _tampering(client) if hidden else None
    if not tampered:
        client.forget_outputs(index)
        await client.async_execute_cell(cell, index)
        if await output_lost(client):
            raise _dead(("crashed", f"your code printed more than {MESSAGE_LIMIT >> 20} MB at "
                         "once, and the grader stopped reading that kernel: this exercise scores "
                         "zero (print less)"), "output connection dropped")
        tampered = await _tampering(client) if hidden and not client.timed_out else None
    if tampered:
        # Its observations cannot be trusted; the kernel carrying the hooks goes.
        raise _dead(("tampered", f"your code changed how the grader runs its checks ({tampered}): "
                     "this exercise scores zero"), "tampered with the execution machinery")
    if client.timed_out:
        problem = ("timeout", f"stopped after {timeout:g} s (an infinite loop, or far too slow): "
                   "this exercise scores zero")
        if not await _responds(client):
            raise _dead((problem[0], problem[1] + "; the kernel was restarted"),
                        "unresponsive after interrupt")
        return problem
    return None


def _mark(result: RunResult, ex: str | None, master: Master, problem: tuple[str, str]) -> None:
    if ex is None:  # a setup cell failed: the master's fault or the environment's, not a student's
        for name in master.exercises:
            result.status[name] = ("crashed", "the notebook's setup failed before any exercise: "
                                   + problem[1])
    else:
        result.status[ex] = problem


def _give_up(result: RunResult, master: Master, index: int, owner) -> None:
    """The kernel keeps dying: every exercise not finished yet is marked crashed."""
    later = {owner[i] for i in range(index + 1, len(owner))} - {None}
    for ex in later:
        if result.status[ex][0] == "ok":
            result.status[ex] = ("crashed", "not graded: the kernel died again while replaying the "
                                 "notebook's setup after an earlier crash")


async def _start(client) -> None:
    """Start a kernel and, before any notebook code runs in it, take the guard's baseline."""
    await start_kernel(client)
    await _silent(client, f"{GUARD}.baseline()")


async def _silent(client, source: str):
    """Run ``source`` as a cell of its own, outside the notebook; returns that cell."""
    probe = nbformat.v4.new_code_cell(source)
    saved = client.timeout
    client.timeout, client.timed_out = int(max(2, min(PROBE_TIMEOUT, saved or PROBE_TIMEOUT))), False
    client.forget_outputs(-1)
    try:
        await client.async_execute_cell(probe, -1, store_history=False)
    finally:
        client.timeout = saved
    return probe


async def _tampering(client, tries: int = 3) -> str | None:
    """None when the kernel's machinery looks untouched, else what was found (guard.py).

    A missing answer is asked again: a message over the size limit makes ZMQ drop the output
    connection, and what the kernel sends until it reconnects (a fraction of a second) is lost.
    """
    for attempt in range(tries):
        if attempt:
            await asyncio.sleep(0.5)
        token = "ck-guard-" + secrets.token_hex(8)
        probe = await _silent(client, f"{GUARD}.report({token!r})")
        if client.timed_out:
            client.timed_out = False
            return "the grader's integrity check got no answer"
        for out in probe.get("outputs", []):
            for line in (out.get("text") or "").splitlines():
                if line.startswith(token + " "):
                    try:
                        found = json.loads(line[len(token) + 1:])
                    except ValueError:
                        return "the grader's integrity check was garbled"
                    return "; ".join(map(str, found)) if found else None
    return "the grader's integrity check got no answer"


async def _responds(client) -> bool:
    """Is the kernel idle again after an interrupt? (A loop that swallows KeyboardInterrupt is not.)"""
    probe = nbformat.v4.new_code_cell("pass")
    saved = client.timeout
    client.timeout, client.timed_out = int(max(2, min(PROBE_TIMEOUT, saved or PROBE_TIMEOUT))), False
    try:
        await client.async_execute_cell(probe, -1, store_history=False)
        return not client.timed_out
    finally:
        client.timeout = saved


async def _restart(client, nb, master, owner, result, index) -> bool:
    """A fresh kernel with the setup replayed up to ``index``; False if it died again."""
    await stop_kernel(client)
    try:
        await _start(client)
    except Exception:
        return False
    for i in range(index):
        cell, ex = nb.cells[i], owner[i]
        kind = master.kinds[i][0]
        if cell.cell_type != "code" or kind in ("check", "hidden"):
            continue  # checks only report; replaying them would only cost time
        if ex is not None and result.status[ex][0] != "ok":
            continue  # the code that killed the kernel is not run again
        client.timed_out = False
        client.forget_outputs(i)
        try:
            await client.async_execute_cell(copy.deepcopy(cell), i, store_history=False)
        except DeadKernelError:
            return False
        if client.timed_out and not await _responds(client):
            return False
    return True
