"""Every master notebook in solutions/: up-to-date lectures, nbval, and the grading round trip.

Slow (each master runs, some twice): marked ``notebooks``; ``make test-fast`` leaves it out.
Skips with a message while solutions/ holds no master.
"""
from __future__ import annotations

import copy
import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from _course_fixture import solved_lecture

from coursekit.course.build import lecture_notebook, master_paths
from coursekit.course.cli import main
from coursekit.course.grade import DEFAULT_MEMORY_MB
from coursekit.course.markers import parse_master
from coursekit.course.runner import run_notebook

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
MASTERS = master_paths(SOLUTIONS)
NO_MASTERS = "solutions/ holds no master notebook yet: nothing to validate"


@pytest.mark.skipif(not MASTERS, reason=NO_MASTERS)
def test_lectures_are_what_the_build_writes(capsys):
    rc = main(["build", "--check", "--solutions", str(SOLUTIONS), "--lectures", str(ROOT / "lectures")])
    assert rc == 0, capsys.readouterr().err + "\nrun `coursekit build` (make lectures) and commit lectures/"


@pytest.mark.skipif(not MASTERS, reason=NO_MASTERS)
def test_masters_pass_nbval():
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "--nbval-cell-timeout=300",
           "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), "-p", "no:randomly",
           "-p", "no:cacheprovider", "-q", "--rootdir", str(ROOT), str(SOLUTIONS)]
    # The kernel must draw inline, as in JupyterLab, whatever backend the caller set.
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


@pytest.mark.skipif(not MASTERS, reason=NO_MASTERS)
@pytest.mark.parametrize("master_path", MASTERS, ids=[p.name for p in MASTERS])
def test_grading_round_trip(master_path, tmp_path):
    """The master itself earns full marks; its untouched lecture earns zero, without failing."""
    master = parse_master(master_path)
    (tmp_path / "master").mkdir()
    (tmp_path / "master" / master_path.name).write_bytes(master_path.read_bytes())
    (tmp_path / "lecture").mkdir()
    nbformat.write(lecture_notebook(master), str(tmp_path / "lecture" / master_path.name))
    out = tmp_path / "out"
    rc = main(["grade", str(tmp_path / "master"), str(tmp_path / "lecture"), "--out", str(out),
               "--solutions", str(SOLUTIONS), "--timeout", "300", "--jobs", "2", "--no-progress"])
    assert rc == 0
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    full = [r for r in rows if r["student"] == "master"]
    zero = [r for r in rows if r["student"] == "lecture"]
    assert {r["exercise"] for r in full} == set(master.exercises)
    for row in full:
        assert row["status"] == "ok" and float(row["points"]) == float(row["max_points"]), \
            f"{row['exercise']}: {row['status']}, {row['points']} points: {row.get('message')}"
    for row in zero:
        assert row["status"] == "ok" and float(row["points"]) == 0, \
            f"{row['exercise']}: {row['status']}, {row['points']} points: {row.get('message')}"


@pytest.mark.skipif(not MASTERS, reason=NO_MASTERS)
def test_the_heaviest_master_runs_under_half_the_default_memory_cap():
    """Headroom under the grading kernel's address-space cap. Notebook 09 loads PyTorch (where
    installed) and every backend; glibc's per-thread malloc arenas once took it to 1.56 GB of the
    2 GB cap, and a lecture run died there in CI with `crashed`."""
    master = parse_master(SOLUTIONS / "09_vectorization_and_gpus.ipynb")
    result = run_notebook(copy.deepcopy(master.nb), master, timeout=300, memory_mb=DEFAULT_MEMORY_MB // 2)
    assert result.restarts == 0 and all(s == "ok" for s, _ in result.status.values()), result.status


@pytest.mark.skipif(not MASTERS, reason=NO_MASTERS)
@pytest.mark.parametrize("master_path", MASTERS, ids=[p.name for p in MASTERS])
def test_a_solved_lecture_runs_to_the_end_and_passes_its_checks(master_path):
    """A student who answers every exercise right can run the lecture top to bottom: no teaching
    cell depends on something only the master's hidden cells define, and every public check
    says so."""
    from nbclient import NotebookClient

    nb = solved_lecture(parse_master(master_path))
    env_backend = os.environ.pop("MPLBACKEND", None)  # draw inline, as in JupyterLab
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True).execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(nb.cells)
              if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == [], f"cells that fail in the solved lecture: {errors[:3]}"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.startswith("# CHECK "):
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            assert "public checks passed" in text, f"cell {i} ({cell.source.splitlines()[0]}): {text[-300:]}"
