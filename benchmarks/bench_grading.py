"""Grading throughput, by hand: submissions per minute for one lecture at --jobs 1 and --jobs 2.

    python benchmarks/bench_grading.py [MASTER.ipynb] [--copies N]

Grades N copies of the master itself (full marks, every cell runs) into a fresh folder, once per
--jobs value, and prints submissions per minute. The master's reference run is done before the
clock starts, so the numbers are what a batch costs per submission. Default: the tiny fixture
master of the tests, which measures the grader's own overhead (kernel start, worker process).
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from coursekit.course.grade import grade

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "course" / "solutions" / "99_demo.ipynb"


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
        for jobs in jobs_list:
            out = tmp / f"out-{jobs}"
            out.mkdir()
            shutil.copytree(ref / "reference", out / "reference")
            start = time.perf_counter()
            grade(subs, out, solutions, jobs=jobs, progress=False, log=lambda m: None)
            elapsed = time.perf_counter() - start
            print(f"  --jobs {jobs}: {elapsed:6.1f} s, {copies / elapsed * 60:6.1f} submissions/minute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("master", nargs="?", type=Path, default=FIXTURE)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    bench(args.master, args.copies, args.jobs)


if __name__ == "__main__":
    main()
