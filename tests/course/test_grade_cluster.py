"""Grading on a Dask cluster of real processes on loopback: the same grades as a local batch, and
nothing lost when a worker is killed mid-batch (docs/GRADING.md, "Grading on a cluster").

The module starts one ``dask scheduler`` and two single-threaded ``dask worker`` processes on
127.0.0.1 and stops them, and everything they started, whatever happens.
"""
from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _course_fixture import FIXTURE, course_test_module

_file_name, _hostile, _write = (getattr(course_test_module("test_grade"), n)
                                for n in ("_file_name", "_hostile", "_write"))
_answer, _attacks = (getattr(course_test_module("test_grade_sandbox"), n) for n in ("_answer", "_attacks"))

from coursekit.course.cli import main
from coursekit.course.cluster import wait_for_workers

try:
    import distributed
    import psutil
except ImportError:  # the last test runs without Dask; the others need it
    distributed = psutil = None
needs_dask = pytest.mark.skipif(distributed is None,
                                reason='Dask is not installed: pip install "coursekit[cluster]"')

TIMEOUT = 3
DASK = str(Path(sys.executable).parent / "dask")
#: A mix of honest, broken and hostile submissions (test_grade.py, test_grade_sandbox.py).
PICKED = ["full", "partial", "missing_answer", "redefines_checks", "os_exit", "kills_kernel",
          "kills_grader", "infinite_loop", "not_a_notebook", "syntax_error"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="2")
    return subprocess.Popen([DASK, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    """Kill each started process and every process below it (nannies' workers, graders)."""
    found = []
    for proc in procs:
        try:
            found += [proc.pid] + [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    for pid in found + list(_stray):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for proc in procs:
        proc.wait(timeout=30)


_stray: set[int] = set()  # processes left behind by a worker the tests killed


@contextlib.contextmanager
def _cluster(workers: int):
    """(address, [scheduler, worker...]) of a new cluster on loopback, stopped on exit."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"])]
    try:
        for _ in range(workers):
            procs.append(_start(["worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                 "--no-dashboard", "--death-timeout", "60"]))
        wait_for_workers(address, workers)
        yield address, procs
    finally:
        _stop(procs)


@pytest.fixture(scope="module")
def scheduler():
    with _cluster(2) as found:
        yield found


def _batch(root: Path) -> list[str]:
    cases = _hostile()
    solved = cases["full"][0]
    args = []
    for student in PICKED:
        content = cases[student][0]
        _write(root / "subs" / student / _file_name(student, content), content)
        args.append(str(root / "subs" / student))
    snoop = copy.deepcopy(solved)
    paths = {k: str(root / k) for k in ("solutions", "out", "records", "reference", "subs", "honest")}
    _answer(snoop, *_attacks(dict(paths, master=str(FIXTURE / "99_demo.ipynb")), 9)["known_paths"])
    _write(root / "subs" / "known_paths" / "99_demo.ipynb", snoop)
    return args + [str(root / "subs" / "known_paths")]


def _grade(args: list[str], out: Path, *extra: str) -> int:
    return main(["grade", *args, "--out", str(out), "--solutions", str(FIXTURE), "--timeout",
                 str(TIMEOUT), "--memory", "1024", "--no-progress", *extra])


def _records(out: Path) -> dict[str, dict]:
    found = {}
    for p in sorted((out / "records").glob("*.json")):
        rec = json.loads(p.read_text())
        rec.pop("graded_at")
        found[p.name] = rec
    return found


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@needs_dask
def test_a_cluster_batch_gives_the_local_batchs_grades_byte_for_byte(scheduler, tmp_path):
    args = _batch(tmp_path)
    assert _grade(args, tmp_path / "local", "--jobs", "2") == 0
    assert _grade(args, tmp_path / "dask", "--scheduler", scheduler[0]) == 0
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert (dask / "grades.csv").read_bytes() == (local / "grades.csv").read_bytes()
    assert _records(dask) == _records(local)
    assert _tree(dask / "feedback") == _tree(local / "feedback")
    assert len(_records(dask)) == len(args)
    statuses = {r["student"]: r["status"] for r in _records(dask).values()}
    assert statuses["full"] == "ok" and statuses["not_a_notebook"] == "invalid"
    # A re-run into the same folder grades nothing again.
    before = _tree(dask / "records")
    assert _grade(args, dask, "--scheduler", scheduler[0]) == 0
    assert _tree(dask / "records") == before


def _good_batch(root: Path, n: int) -> list[str]:
    solved = _hostile()["full"][0]
    for i in range(n):
        _write(root / "subs" / f"student{i:02d}" / "99_demo.ipynb", solved)
    return [str(root / "subs")]


def _grader(args: list[str], out: Path, address: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "coursekit", "grade", *args, "--out", str(out), "--solutions",
           str(FIXTURE), "--timeout", str(TIMEOUT), "--memory", "1024", "--no-progress",
           "--scheduler", address]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for_a_record(out: Path, n: int) -> None:
    deadline = time.monotonic() + 240
    while not list((out / "records").glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    done = len(list((out / "records").glob("*.json")))
    assert 0 < done < n, f"{done} of {n} records before the fault: the test proves nothing"


@needs_dask
def test_a_worker_killed_mid_batch_loses_nothing(scheduler, tmp_path):
    address, procs = scheduler
    n, out = 8, tmp_path / "out"
    args = _good_batch(tmp_path, n)
    grader = _grader(args, out, address)
    try:
        _wait_for_a_record(out, n)
        victim = next(c for c in psutil.Process(procs[1].pid).children()  # the nanny's worker
                      if "resource_tracker" not in " ".join(c.cmdline()))
        _stray.update(c.pid for c in victim.children(recursive=True))
        victim.send_signal(signal.SIGKILL)
        output, _ = grader.communicate(timeout=300)
    finally:
        if grader.poll() is None:
            grader.kill()
    assert grader.returncode == 0, output
    records = _records(out)
    assert len(records) == n
    assert {r["status"] for r in records.values()} == {"ok"}
    assert all(e["points"] == e["max_points"] for r in records.values() for e in r["exercises"])


@needs_dask
def test_a_scheduler_that_goes_away_stops_the_batch_and_keeps_its_records(tmp_path):
    n, out = 6, tmp_path / "out"
    args = _good_batch(tmp_path, n)
    with _cluster(1) as (address, procs):
        grader = _grader(args, out, address)
        try:
            _wait_for_a_record(out, n)
            kept = sorted((out / "records").glob("*.json"))
            _stop(procs[:1])  # the scheduler, and only it
            output, _ = grader.communicate(timeout=120)
        finally:
            if grader.poll() is None:
                grader.kill()
    assert grader.returncode == 2, output
    assert "Traceback" not in output, output
    assert "went away" in output and "run the same command again" in output, output
    assert set(kept) <= set((out / "records").glob("*.json"))
    assert (out / "grades.csv").exists()


def test_without_dask_the_error_says_what_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    rc = _grade(_good_batch(tmp_path, 1), tmp_path / "out", "--scheduler", "tcp://127.0.0.1:1")
    assert rc == 2
    assert 'pip install "coursekit[cluster]"' in capsys.readouterr().err


@needs_dask
def test_waiting_for_workers_that_never_come_says_what_to_check():
    from coursekit.course.cluster import ClusterError

    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens here
    with pytest.raises(ClusterError, match=r"1 Dask worker\(s\) did not connect to .* within 3 s.*pointed at this address"):
        wait_for_workers(address, 1, timeout=3)
