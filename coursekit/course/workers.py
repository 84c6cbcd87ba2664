"""Launch grading jobs in worker processes, each within a deadline.

Both the batch (grade.py, through a WorkerPool of long-lived workers, one per job slot) and the
master's second reference run (reference.py, ``run_worker``: one process for one job) grade
through here, so a submission and the master get the same process, limits and sandbox. A worker
that dies or runs past its deadline costs only the job it had; the pool starts a fresh one. The worker
(worker.py) writes its kernel's process group to a file each time a kernel starts, so that what
is left can be killed if the worker itself is killed.
"""
from __future__ import annotations

import json
import select
import subprocess
import sys
import tempfile
import threading
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


def _job_file(job: dict, workdir: Path) -> Path:
    job_path = workdir / "job.json"
    job = dict(job, result=str(workdir / "result.json"), pgid_file=str(workdir / "kernel.pgid"))
    job_path.write_text(json.dumps(job))
    return job_path


def _kill_kernel_of(workdir: Path) -> None:
    pgid_file = workdir / "kernel.pgid"
    if pgid_file.exists():
        try:
            kill_process_group(int(pgid_file.read_text()))
        except ValueError:
            pass


class _Worker:
    """One long-lived ``python -m coursekit.course.worker --serve`` process."""

    def __init__(self):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-m", "coursekit.course.worker", "--serve"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     start_new_session=True, text=True, bufsize=1)

    def run(self, job_path: Path, limit: float) -> str | None:
        """The worker's answer line, or None if it died or ran past ``limit`` (then it is killed)."""
        ready = True
        try:
            self.proc.stdin.write(f"{job_path}\n")
            self.proc.stdin.flush()
            ready, _, _ = select.select([self.proc.stdout], [], [], limit)
            line = self.proc.stdout.readline() if ready else ""
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            self.kill()
            return None if ready else "timeout"
        return line.strip()

    def last_error(self) -> str:
        self.stderr.seek(0)
        tail = self.stderr.read().decode(errors="replace").strip().splitlines()
        return tail[-1] if tail else f"the worker exited with code {self.proc.returncode}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()
        self.stderr.close()


class WorkerPool:
    """Long-lived workers, one per calling thread (a job slot of the batch)."""

    def __init__(self):
        self._local = threading.local()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()

    def _worker(self) -> _Worker:
        worker = getattr(self._local, "worker", None)
        if worker is None or worker.proc.poll() is not None:
            worker = self._local.worker = _Worker()
            with self._lock:
                self._all.append(worker)
        return worker

    def run(self, job: dict, workdir: Path, limit: float) -> dict:
        """As ``run_worker``, in this thread's worker (started on first use, again after a death)."""
        worker = self._worker()
        answer = worker.run(_job_file(job, workdir), limit)
        if answer != "done" or not (workdir / "result.json").exists():
            _kill_kernel_of(workdir)  # the worker may have died before it could clean up
        if answer == "done" and (workdir / "result.json").exists():
            return json.loads((workdir / "result.json").read_text())
        if answer == "timeout":
            return {"worker_error": "the whole submission ran past its overall time limit",
                    "returncode": -9}
        if answer is None:
            return {"worker_error": worker.last_error(), "returncode": worker.proc.returncode}
        return {"worker_error": answer.removeprefix("error "), "returncode": 1}

    def close(self) -> None:
        for worker in self._all:
            worker.close()
