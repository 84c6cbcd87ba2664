"""Read a student's file, decide which lecture it is, and rebuild it inside the master.

Nothing of the submission is trusted but the source of its EXERCISE cells: the JSON is read
by hand (not validated by nbformat, which would reject half the notebooks students save), the
lecture is found from the file name or from the exercise ids, and the notebook that runs is
the master's own, with only the student's answer cells put in.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat

from .markers import Master, exercise_id_of, strip_code_solution


class InvalidSubmission(ValueError):
    """A file that cannot be graded; the message is written for the student."""


def read_answers(path: Path, copies: dict[str, int] | None = None) -> dict[str, str]:
    """{exercise id: source} of the submission's exercise cells (a duplicated id: the last one).

    ``copies``, when given, receives how many cells claim each id (more than 1: pasted twice).
    """
    data = Path(path).read_bytes()
    if not data.strip():
        raise InvalidSubmission("the file is empty: save the notebook in Jupyter and submit it again")
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidSubmission(f"not a Jupyter notebook: the file is not valid notebook JSON ({err}); "
                                "submit the .ipynb file saved by Jupyter") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", nb.get("worksheets")), list):
        raise InvalidSubmission("not a Jupyter notebook: the JSON has no list of cells; submit the "
                                ".ipynb file saved by Jupyter")
    if "worksheets" in nb and "cells" not in nb:  # nbformat 3: let nbformat convert it
        try:
            nb = json.loads(nbformat.writes(nbformat.reads(data.decode("utf-8"), as_version=4)))
        except Exception as err:
            raise InvalidSubmission(f"an old notebook format that could not be read ({err}); open and "
                                    "save it in JupyterLab") from None
    if not nb["cells"]:
        raise InvalidSubmission("the notebook has no cells: it was saved empty. Open your lecture "
                                "notebook, check that your answers are in it, save it (Ctrl+S) "
                                "and submit that file")
    answers: dict[str, str] = {}
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        ex_id = exercise_id_of(source)
        if ex_id:
            if copies is not None:
                copies[ex_id] = copies.get(ex_id, 0) + 1
            answers[ex_id] = source  # a later copy of the same cell wins: it is what the student edited last
    return answers


_NN = re.compile(r"^(\d{2})(?:[_\W]|$)")


def identify(filename: str, answers: dict[str, str], masters: dict[str, Master]) -> Master:
    """The lecture a submission belongs to: by file name, else by the exercise ids it holds."""
    stem = Path(filename).stem
    by_name = masters.get(stem)
    if by_name is None:
        m = _NN.match(stem)
        candidates = [ms for ms in masters.values() if m and ms.name[:2] == m.group(1)]
        by_name = candidates[0] if len(candidates) == 1 else None
    ids = set(answers)
    owners = {ms.name: len(ids & set(ms.exercises)) for ms in masters.values()}
    owners = {name: n for name, n in owners.items() if n}
    if by_name is not None:
        if ids and not ids & set(by_name.exercises) and owners:
            other = ", ".join(sorted(owners))
            raise InvalidSubmission(f"the file is named like lecture {by_name.name} but holds the "
                                    f"exercises of {other} ({', '.join(sorted(ids))}): submit "
                                    f"your {by_name.name}.ipynb")
        return by_name
    if owners:
        best = max(owners.values())
        top = sorted(name for name, n in owners.items() if n == best)
        if len(top) == 1:
            return masters[top[0]]
        raise InvalidSubmission(f"the notebook holds exercises of several lectures ({', '.join(top)}); "
                                "submit one notebook per lecture")
    if ids:
        raise InvalidSubmission(f"the notebook's exercises ({', '.join(sorted(ids))}) belong to no "
                                "lecture being graded (a notebook of another lecture?)")
    raise InvalidSubmission("the notebook belongs to no lecture being graded: its name is not one "
                            f"of {', '.join(sorted(masters)) or '(none)'} and it has no "
                            "`# EXERCISE NN.name` cell")


def rebuild(master: Master, answers: dict[str, str]) -> tuple[nbformat.NotebookNode, list[str]]:
    """The master with the student's answers in place of its solution cells, outputs cleared.

    Returns (notebook, ids of exercises the student did not answer: they get the stub).
    """
    nb = copy.deepcopy(master.nb)
    missing = []
    for ex_id, ex in master.exercises.items():
        cell = nb.cells[ex.cell]
        if ex_id in answers:
            cell.source = answers[ex_id]
        else:
            missing.append(ex_id)
            cell.source = strip_code_solution(cell.source, ex_id)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb, missing
