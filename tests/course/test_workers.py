"""The batch's long-lived workers: a worker that dies or overruns costs only its job."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from _course_fixture import MASTER

from coursekit.course.markers import parse_master
from coursekit.course.workers import WorkerPool

pytestmark = pytest.mark.notebooks


def _job(slow_add: bool = False) -> dict:
    master = parse_master(MASTER)
    answers = {ex: master.nb.cells[e.cell].source for ex, e in master.exercises.items()}
    if slow_add:
        answers["99.add"] = "# EXERCISE 99.add (1 point)\nimport time\ntime.sleep(20)\n"
    return {"master": str(MASTER), "answers": answers, "timeout": 30, "memory_mb": 1024, "sandboxed": True}


def test_a_killed_worker_costs_its_job_and_is_replaced(tmp_path):
    pool = WorkerPool()
    try:
        (tmp_path / "a").mkdir()
        first = pool.run(_job(), tmp_path / "a", 120)
        assert first["status"]["99.add"] == ["ok", ""]
        pid = pool._local.worker.proc.pid
        killer = threading.Timer(4, os.kill, (pid, signal.SIGKILL))
        killer.start()
        (tmp_path / "b").mkdir()
        killed = pool.run(_job(slow_add=True), tmp_path / "b", 120)
        killer.join()
        assert killed["returncode"] == -signal.SIGKILL and "worker_error" in killed
        (tmp_path / "c").mkdir()
        again = pool.run(_job(), tmp_path / "c", 120)
        assert again["status"]["99.square"] == ["ok", ""]
        assert pool._local.worker.proc.pid != pid
    finally:
        pool.close()


def test_a_worker_past_its_deadline_is_stopped(tmp_path):
    pool = WorkerPool()
    try:
        start = time.monotonic()
        run = pool.run(_job(slow_add=True), tmp_path, 6)
        assert time.monotonic() - start < 15
        assert run["worker_error"] == "the whole submission ran past its overall time limit"
    finally:
        pool.close()
