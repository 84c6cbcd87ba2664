"""Grade rebuilt submissions in a process of the grader's own: ``python -m coursekit.course.worker
JOB`` for one, ``... --serve`` for one job file path per line of stdin (workers.WorkerPool).

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
        "worker_peak_mb": _peak_mb(),
    }


def _peak_mb() -> float:
    """This process's peak resident memory in MB. VmHWM, not ru_maxrss: Linux carries the
    parent's peak across fork and exec into ru_maxrss, so a worker started by a big process
    would report that process's memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _one(job_path: Path) -> None:
    job = json.loads(job_path.read_text())
    atomic_write_json(Path(job["result"]), run_job(job))


def serve() -> int:
    """Grade one job per line of stdin (a job file's path); answer each with a line on stdout.

    A long-lived worker pays Python's start and the imports (about 2.5 s here, most of it
    nbformat's jsonschema) once per batch slot instead of once per submission. An exception in
    one job is reported for that job; the worker goes on.
    """
    for line in sys.stdin:
        try:
            _one(Path(line.strip()))
            answer = "done"
        except Exception as err:  # the grader's bug on this notebook: report it, keep serving
            answer = "error " + f"{type(err).__name__}: {err}".replace("\n", " ")[:500]
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--serve"]:
        return serve()
    _one(Path(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
