"""Grade one rebuilt submission in a process of its own: ``python -m coursekit.course.worker JOB``.

The batch runs each submission in a separate worker process so that a submission that kills
its parent (``os.kill(os.getppid(), 9)``) takes down one worker, not the batch. The worker
writes its kernel's process group to JOB.pgid each time a kernel starts, so the batch can kill
what is left if the worker itself is killed. The result (per-exercise status, the hidden cells'
observations, the public checks' text) goes to JOB.result as JSON; scoring happens in the batch.
"""
from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from .markers import parse_master
from .records import atomic_write_json
from .runner import run_notebook
from .scoring import cell_error, cell_text, hidden_observations, verdict_text
from .submission import rebuild


def run_job(job: dict) -> dict:
    master = parse_master(job["master"])
    nb, missing = rebuild(master, job["answers"])
    pgid_file = Path(job["pgid_file"]) if job.get("pgid_file") else None

    def remember(pgid):
        if pgid_file is not None and pgid:
            pgid_file.write_text(str(pgid))

    result = run_notebook(nb, master, timeout=job["timeout"], memory_mb=job["memory_mb"],
                          sandboxed=job.get("sandboxed", True), on_kernel_start=remember)
    return {
        "status": result.status,
        "restarts": result.restarts,
        "missing": missing,
        "observations": hidden_observations(nb, master),
        "errors": {ex_id: cell_error(nb.cells[ex.cell]) for ex_id, ex in master.exercises.items()},
        # What the student's code raised when the graded checks called it: the exception's type
        # and message only (never the hidden cell's code or traceback).
        "hidden_errors": {ex_id: next((e for e in (cell_error(nb.cells[i]) for i in ex.hidden) if e), None)
                          for ex_id, ex in master.exercises.items()},
        # The checks' own verdicts, and apart from them what else was printed there (by the
        # student's code, when the checks called it): feedback never mixes the two.
        "public_checks": {ex_id: "\n".join(verdict_text(nb.cells[i]) for i in ex.checks).strip("\n")
                          for ex_id, ex in master.exercises.items()},
        "printed": {ex_id: "".join(cell_text(nb.cells[i]) for i in ex.checks)
                    for ex_id, ex in master.exercises.items()},
        "tampered": {ex_id: message for ex_id, (status, message) in result.status.items()
                     if status == "tampered"},
        "worker_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job_path = Path(argv[0])
    job = json.loads(job_path.read_text())
    atomic_write_json(Path(job["result"]), run_job(job))
    return 0


if __name__ == "__main__":
    sys.exit(main())
