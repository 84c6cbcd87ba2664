"""The master's own run under the grader: the values every submission is compared with.

Cached per master hash in OUT/reference/, so a batch runs each master once, and a changed
master is run again. A master whose run fails (any cell raising, a timeout, a crash), whose hidden
cells observe nothing, or whose observations differ between two runs (random numbers without a
seed) is the instructor's bug: it raises MasterError with the cell to fix instead of grading
everyone below full marks. The two runs go side by side (the second in a worker process), so
the check costs CPU, not time.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from pathlib import Path

from .markers import Master, MasterError
from .records import atomic_write_json
from .runner import run_notebook
from .scoring import cell_error, hidden_observations, score
from .submission import rebuild
from .workers import deadline, run_worker


def master_sha256(master: Master) -> str:
    return hashlib.sha256(master.path.read_bytes()).hexdigest()


def reference_observations(master: Master, cache_dir: Path, *, timeout: float, memory_mb: int,
                           sandboxed: bool = True) -> dict:
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
    second: dict = {}
    twin = threading.Thread(target=_second_run, args=(master, answers, timeout, memory_mb, sandboxed,
                                                     second))
    twin.start()
    try:
        result = run_notebook(nb, master, timeout=timeout, memory_mb=memory_mb, sandboxed=sandboxed)
    finally:
        twin.join()
    for ex_id, (status, message) in result.status.items():
        if status != "ok":
            raise MasterError(f"{master.path}: the master's own run failed in exercise {ex_id} "
                              f"({status}: {message}); fix the master, or raise --timeout/--memory")
    _first_error(nb, master)
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
    _same_twice(master, obs, second)
    atomic_write_json(cache, {"master": str(master.path), "master_sha256": sha, "observations": obs})
    return obs


def _cell_name(master: Master, index: int) -> str:
    kind, ex_id = master.kinds[index]
    return f"cell {index + 1}" + (f" ({kind.upper()} {ex_id})" if ex_id else " (a teaching cell)")


def _first_error(nb, master: Master) -> None:
    """The master must run clean: the first cell that raised (nbval's `raises-exception` aside)."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        err = cell_error(cell)
        if err:
            raise MasterError(f"{master.path}, {_cell_name(master, index)}: the master's own run under "
                              f"the grader raised {err}; every cell of a master must run without "
                              "errors in an empty folder (load data through coursekit.datasets)")


def _second_run(master: Master, answers: dict, timeout: float, memory_mb: int, sandboxed: bool,
                out: dict) -> None:
    """Run the master again in a worker process (what a submission gets); result into ``out``."""
    try:
        with tempfile.TemporaryDirectory(prefix="coursekit-ref-") as tmp:
            out.update(run_worker({"master": str(master.path), "answers": answers, "timeout": timeout,
                                   "memory_mb": memory_mb, "sandboxed": sandboxed}, Path(tmp),
                                  deadline(master, timeout)))
    except Exception as err:  # reported by _same_twice, never lost in the thread
        out["worker_error"] = f"{type(err).__name__}: {err}"


def _same_twice(master: Master, obs: dict, second: dict) -> None:
    """Both runs of the master must observe the same values, else every student is graded by chance."""
    if "worker_error" in second:
        raise MasterError(f"{master.path}: the master's second run (to check that its hidden values "
                          f"are reproducible) failed: {second['worker_error']}")
    bad = [(ex_id, ex_id_status) for ex_id, ex_id_status in second["status"].items()
           if ex_id_status[0] != "ok"]
    if bad:
        ex_id, (status, message) = bad[0]
        raise MasterError(f"{master.path}: the master's second run failed in exercise {ex_id} "
                          f"({status}: {message}); the master must give the same result every run")
    scores = score(master, obs, second["observations"])
    for ex_id, ex in master.exercises.items():
        matched, total, failures = scores[ex_id]
        if matched != total:
            names = "; ".join(failures)
            raise MasterError(f"{master.path}, HIDDEN {ex_id} (cell {ex.hidden[0] + 1}): two runs of the "
                              f"master observe different values ({names}), so even the master would "
                              "lose points. Seed every random draw the observed values depend on "
                              "(np.random.default_rng(SEED), also in teaching cells before it), or "
                              "give observe() a tolerance (rtol=..., atol=...) for values that "
                              "legitimately vary")
