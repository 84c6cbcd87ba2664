"""Launch one grading job in a worker process of its own, within a deadline.

Both the batch (grade.py) and the master's second reference run (reference.py) grade through
here, so a submission and the master get the same process, limits and sandbox. The worker
(worker.py) writes its kernel's process group to a file each time a kernel starts, so that what
is left can be killed if the worker itself is killed.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .kernel import kill_process_group
from .markers import Master

#: Seconds a worker may take beyond its cells' own limits: worker and kernel start-up, probes.
SLACK = 15


def deadline(master: Master, timeout: float) -> float:
    """A generous ceiling for one whole submission, for a worker wedged outside any cell:
    every code cell at its limit, each exercise restarted and replayed twice, and slack."""
    cells = sum(1 for c in master.nb.cells if c.cell_type == "code")
    return (cells + 2 * len(master.exercises) + 10) * (timeout + SLACK)


def run_worker(job: dict, workdir: Path, limit: float) -> dict:
    """Run one job in a worker process; a killed or failed worker becomes an error dict."""
    job_path = workdir / "job.json"
    job = dict(job, result=str(workdir / "result.json"), pgid_file=str(workdir / "kernel.pgid"))
    job_path.write_text(json.dumps(job))
    proc = subprocess.Popen([sys.executable, "-m", "coursekit.course.worker", str(job_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        err = b"the whole submission ran past its overall time limit"
    finally:
        pgid_file = workdir / "kernel.pgid"
        if pgid_file.exists():  # the worker may have been killed before it could clean up
            try:
                kill_process_group(int(pgid_file.read_text()))
            except ValueError:
                pass
    result = workdir / "result.json"
    if proc.returncode == 0 and result.exists():
        return json.loads(result.read_text())
    tail = (err or b"").decode(errors="replace").strip().splitlines()
    return {"worker_error": tail[-1] if tail else f"the worker exited with code {proc.returncode}",
            "returncode": proc.returncode}
