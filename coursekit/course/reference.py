"""The master's own run under the grader: the values every submission is compared with.

Cached per master hash in OUT/reference/, so a batch runs each master once, and a changed
master is run again. A master whose run fails, or whose hidden cells observe nothing, is the
instructor's bug: it raises MasterError with the cell to fix instead of grading everyone zero.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .markers import Master, MasterError
from .records import atomic_write_json
from .runner import run_notebook
from .scoring import cell_error, hidden_observations
from .submission import rebuild


def master_sha256(master: Master) -> str:
    return hashlib.sha256(master.path.read_bytes()).hexdigest()


def reference_observations(master: Master, cache_dir: Path, *, timeout: float, memory_mb: int) -> dict:
    """{str(hidden cell index): [observation records]} from the master's run (cached)."""
    sha = master_sha256(master)
    cache = Path(cache_dir) / f"{master.name}.{sha[:16]}.json"
    if cache.exists():
        try:
            data = json.loads(cache.read_text())
            if data.get("master_sha256") == sha:
                return data["observations"]
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is simply recomputed
    answers = {ex_id: master.nb.cells[ex.cell].source for ex_id, ex in master.exercises.items()}
    nb, _ = rebuild(master, answers)
    result = run_notebook(nb, master, timeout=timeout, memory_mb=memory_mb)
    for ex_id, (status, message) in result.status.items():
        if status != "ok":
            raise MasterError(f"{master.path}: the master's own run failed in exercise {ex_id} "
                              f"({status}: {message}); fix the master, or raise --timeout/--memory")
    obs = hidden_observations(nb, master)
    for ex_id, ex in master.exercises.items():
        for i in ex.hidden:
            err = cell_error(nb.cells[i])
            if err:
                raise MasterError(f"{master.path}, cell {i + 1} (HIDDEN {ex_id}): the master's own run "
                                  f"raised {err}")
            for rec in obs[str(i)]:
                if rec.get("exercise") != ex_id:
                    raise MasterError(f"{master.path}, cell {i + 1}: HIDDEN {ex_id} observes for "
                                      f"exercise {rec.get('exercise')!r}; use observe({ex_id!r}, ...)")
        if not any(obs[str(i)] for i in ex.hidden):
            raise MasterError(f"{master.path}: the HIDDEN cells of {ex_id} record no observation; "
                              f"call observe({ex_id!r}, name, value) in them")
    atomic_write_json(cache, {"master": str(master.path), "master_sha256": sha, "observations": obs})
    return obs
