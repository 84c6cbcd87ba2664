"""Grading throughput, by hand: submissions per minute with and without the sandbox, on Dask, and the floor.

    python benchmarks/bench_grading.py [MASTER.ipynb ...] [--copies N] [--jobs 1 2] [--no-cluster]
    python benchmarks/bench_grading.py --sizing [--students 1000] [--minutes 30]

For each master, grades N copies of it (full marks, every cell runs) at each --jobs value, with
the sandbox and without (--no-sandbox), interleaved so that a load spike hits both alike. Beside
them, the floor: executing the same rebuilt notebook once with nbclient in a fresh, plain kernel
(what any notebook grader must at least pay). The master's reference run is done before the clock
starts. Then where one submission's time goes: worker process start, kernel start (plain and
sandboxed), the guard's baseline and one integrity probe.
Default masters: the tests' tiny fixture (the grader's own overhead), lectures 00 and 03.

Cluster mode (when Dask is installed, unless --no-cluster): the same copies graded through
``--scheduler`` on a ``dask scheduler`` with 1, then 2, single-threaded ``dask worker`` processes
on loopback, started before the clock as an instructor's cluster would be; printed beside the
local --jobs rows with the two ratios the cluster must meet (2 workers against 1; 2 workers
against local --jobs 2).

--sizing grades one copy of each of the 13 masters, one at a time (sandbox on, --jobs 1), and
sizes a class: the worker cores that grade ``--students`` x 13 submissions in ``--minutes``.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from coursekit.course.cluster import ClusterError, require_dask, wait_for_workers
from coursekit.course.grade import grade
from coursekit.course.kernel import new_client, start_kernel, stop_kernel
from coursekit.course.markers import parse_master
from coursekit.course.runner import _silent, _tampering, GUARD
from coursekit.course.submission import rebuild

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "course" / "solutions" / "99_demo.ipynb"
DEFAULTS = [FIXTURE, ROOT / "solutions" / "00_setup_and_tour.ipynb",
            ROOT / "solutions" / "03_logistic_and_softmax_regression.ipynb"]


def _floor(master: Path) -> float:
    """Seconds to execute the rebuilt notebook once in a fresh plain kernel with nbclient."""
    parsed = parse_master(master)
    nb, _ = rebuild(parsed, {ex: parsed.nb.cells[e.cell].source for ex, e in parsed.exercises.items()})
    with tempfile.TemporaryDirectory() as cwd:
        env = dict(os.environ, COURSEKIT_GRADING="1", OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, allow_errors=True, kernel_name="python3",
                       resources={"metadata": {"path": cwd}}).execute(env=env)
        return time.perf_counter() - start


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(workers: int):
    """The address of a ``dask scheduler`` with ``workers`` one-thread ``dask worker`` processes
    on 127.0.0.1, all connected before this yields; every process is killed on exit."""
    import psutil

    dask_cli = str(Path(sys.executable).parent / "dask")
    port = _port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    procs = [subprocess.Popen([dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], **quiet)]
    try:
        procs += [subprocess.Popen([dask_cli, "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                    "--no-dashboard"], **quiet) for _ in range(workers)]
        wait_for_workers(address, workers)
        yield address
    finally:
        for proc in procs:  # the nannies' worker processes and their graders go too
            with contextlib.suppress(psutil.NoSuchProcess):
                for child in psutil.Process(proc.pid).children(recursive=True):
                    child.kill()
            proc.kill()
            proc.wait(timeout=30)


def bench(master: Path, copies: int, jobs_list: list[int], cluster: bool = True) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        solutions = tmp / "solutions"
        solutions.mkdir()
        shutil.copy(master, solutions / master.name)
        subs = []
        for i in range(copies):
            d = tmp / "subs" / f"student{i:03d}"
            d.mkdir(parents=True)
            shutil.copy(master, d / master.name)
            subs.append(d)
        ref = tmp / "reference-warmup"
        grade([subs[0]], ref, solutions, progress=False, log=lambda m: None)  # reference run, cached
        print(f"{master.name}: {copies} submissions, {os.cpu_count()} CPU cores")
        floor = statistics.median(_floor(master) for _ in range(3))
        local = {}
        print(f"  floor (nbclient, one plain kernel): {floor:6.2f} s per notebook, "
              f"{60 / floor:6.1f} notebooks/minute")
        for jobs in jobs_list:
            rates = {}
            for sandboxed in (True, False):
                out = tmp / f"out-{jobs}-{sandboxed}"
                out.mkdir()
                shutil.copytree(ref / "reference", out / "reference")
                start = time.perf_counter()
                grade(subs, out, solutions, jobs=jobs, sandboxed=sandboxed, progress=False,
                      log=lambda m: None)
                elapsed = time.perf_counter() - start
                rates[sandboxed] = copies / elapsed * 60
                print(f"  --jobs {jobs} {'sandbox' if sandboxed else 'no sandbox'}: {elapsed:6.1f} s, "
                      f"{rates[sandboxed]:6.1f} submissions/minute"
                      + (f" ({elapsed / copies * jobs / floor:4.2f}x the floor per submission)"
                         if jobs == 1 else ""))
            print(f"  --jobs {jobs}: the sandbox costs {100 * (1 - rates[True] / rates[False]):4.1f}% "
                  "of throughput")
            local[jobs] = rates[True]
        if not cluster:
            return
        dask_rates = {}
        for workers in (1, 2):
            out = tmp / f"out-dask-{workers}"
            out.mkdir()
            shutil.copytree(ref / "reference", out / "reference")
            with dask_cluster(workers) as address:
                start = time.perf_counter()
                grade(subs, out, solutions, sandboxed=True, progress=False, log=lambda m: None,
                      cluster=address)
                elapsed = time.perf_counter() - start
            dask_rates[workers] = copies / elapsed * 60
            print(f"  Dask, {workers} worker{'s' if workers > 1 else ''} of 1 thread, sandbox: {elapsed:6.1f} s, "
                  f"{dask_rates[workers]:6.1f} submissions/minute")
        print(f"  Dask: 2 workers reach {dask_rates[2] / dask_rates[1]:4.2f}x one worker (target 1.7x)"
              + (f"; 2 workers are {100 * (dask_rates[2] / local[2] - 1):+5.1f}% against local --jobs 2 "
                 "(target within 15%)" if 2 in local else ""))


def breakdown(repeats: int = 5) -> None:
    """Median seconds of the fixed costs every submission pays."""
    worker = [_timed(lambda: subprocess.run([sys.executable, "-c", "import coursekit.course.worker"],
                                            check=True)) for _ in range(repeats)]
    print(f"worker process start (python + imports): {statistics.median(worker):.2f} s")

    async def one(sandboxed: bool):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        client = new_client(nb, timeout=30, memory_mb=2048, cwd="/tmp", sandboxed=sandboxed)
        t0 = time.perf_counter()
        await start_kernel(client)
        t1 = time.perf_counter()
        await _silent(client, f"{GUARD}.baseline()")
        t2 = time.perf_counter()
        await _tampering(client)
        t3 = time.perf_counter()
        await stop_kernel(client)
        return t1 - t0, t2 - t1, t3 - t2

    for sandboxed in (False, True):
        runs = [asyncio.run(one(sandboxed)) for _ in range(repeats)]
        start, base, probe = (statistics.median(r[i] for r in runs) for i in range(3))
        print(f"kernel start {'sandboxed' if sandboxed else 'plain'}: {start:.2f} s; guard baseline "
              f"{base:.3f} s; one integrity probe {probe:.3f} s")


def sizing(students: int, minutes: float) -> None:
    """Seconds per sandboxed submission of each master, and the cores a class of ``students`` needs."""
    masters = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    per = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for master in masters:
            solutions = tmp / master.stem / "solutions"
            solutions.mkdir(parents=True)
            shutil.copy(master, solutions / master.name)
            subs = []
            for name in ("warmup", "timed"):
                d = tmp / master.stem / "subs" / name
                d.mkdir(parents=True)
                shutil.copy(master, d / master.name)
                subs.append(d)
            out = tmp / master.stem / "out"
            grade([subs[0]], out, solutions, progress=False, log=lambda m: None)  # the reference run
            start = time.perf_counter()
            grade([subs[1]], out, solutions, progress=False, log=lambda m: None)
            per[master.name] = time.perf_counter() - start
            print(f"  {master.name:55s} {per[master.name]:6.1f} s per submission")
    total = sum(per.values())
    core_seconds = total * students
    cores = core_seconds / (minutes * 60)
    print(f"one student's {len(per)} notebooks: {total:.0f} s of one core (each includes a grading "
          "process start, which a long batch pays once per worker)")
    print(f"{students} students x {len(per)} notebooks = {students * len(per)} submissions, "
          f"{core_seconds / 3600:.1f} core-hours: {cores:.0f} single-threaded worker cores finish in "
          f"{minutes:g} minutes (plus the {len(per)} reference runs, {total:.0f} s, done once on the client)")


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("masters", nargs="*", type=Path, default=DEFAULTS)
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-cluster", action="store_true", help="skip the Dask rows")
    parser.add_argument("--sizing", action="store_true", help="time each of the 13 masters and size a class")
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=30)
    args = parser.parse_args()
    if args.sizing:
        sizing(args.students, args.minutes)
        return
    breakdown()
    cluster = not args.no_cluster
    if cluster:
        try:
            require_dask()
        except ClusterError as err:
            print(f"{err}: no cluster rows")
            cluster = False
    for master in args.masters:
        bench(master, args.copies, args.jobs, cluster)


if __name__ == "__main__":
    main()
