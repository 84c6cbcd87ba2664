"""Grading throughput, by hand: submissions per minute with and without the sandbox, and the floor.

    python benchmarks/bench_grading.py [MASTER.ipynb ...] [--copies N] [--jobs 1 2]

For each master, grades N copies of it (full marks, every cell runs) at each --jobs value, with
the sandbox and without (--no-sandbox), interleaved so that a load spike hits both alike. Beside
them, the floor: executing the same rebuilt notebook once with nbclient in a fresh, plain kernel
(what any notebook grader must at least pay). The master's reference run is done before the clock
starts. Then where one submission's time goes: worker process start, kernel start (plain and
sandboxed), the guard's baseline and one integrity probe.
Default masters: the tests' tiny fixture (the grader's own overhead), lectures 00 and 03.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

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


def bench(master: Path, copies: int, jobs_list: list[int]) -> None:
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


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("masters", nargs="*", type=Path, default=DEFAULTS)
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    breakdown()
    for master in args.masters:
        bench(master, args.copies, args.jobs)


if __name__ == "__main__":
    main()
