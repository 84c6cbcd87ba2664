"""The sandbox's command line, and what the grader does where no sandbox can run."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import nbformat
import pytest

from _course_fixture import FIXTURE, solved_lecture

from coursekit.course import sandbox
from coursekit.course.cli import main


def _command(tmp_path, **limits):
    sandbox.write_etc(tmp_path / "etc")
    (tmp_path / "ipc").mkdir(exist_ok=True)
    return sandbox.bwrap_command(["python", "-m", "ipykernel_launcher"], ipc_dir=tmp_path / "ipc",
                                 etc_dir=tmp_path / "etc", limits=sandbox.Limits(**limits),
                                 env={"COURSEKIT_GRADING": "1", "PATH": "/usr/bin"})


def _binds(cmd, flag):
    return [cmd[i + 1] for i, a in enumerate(cmd) if a == flag]


def test_every_namespace_is_new_and_nothing_outlives_the_launcher(tmp_path):
    cmd = _command(tmp_path)
    for flag in ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                 "--new-session", "--clearenv"):
        assert flag in cmd
    assert cmd[cmd.index("--cap-drop") + 1] == "ALL"
    assert cmd[cmd.index("--uid") + 1] == str(sandbox.SANDBOX_UID)
    assert "--share-net" not in cmd
    assert cmd[cmd.index("--") + 1:] == ["python", "-m", "ipykernel_launcher"]


def test_only_python_and_the_package_are_readable(tmp_path):
    cmd = _command(tmp_path)
    readonly = _binds(cmd, "--ro-bind")
    repo = Path(__file__).resolve().parents[2]
    assert str(sandbox.package_folder()) in readonly
    assert str(Path(sys.prefix).resolve()) in readonly or any(
        Path(sys.prefix).resolve().is_relative_to(p) for p in map(Path, readonly))
    for bound in readonly:
        assert bound != str(repo) and not repo.is_relative_to(bound) or bound == "/usr", bound
        assert not Path(bound).is_relative_to(repo / "solutions")
        assert not Path(bound).is_relative_to(repo / "tests")
    assert str(Path.home()) not in readonly
    # The only writable bind is the IPC folder; /tmp is a tmpfs of the given size.
    assert _binds(cmd, "--bind") == [str((tmp_path / "ipc").resolve())]
    assert cmd[cmd.index("--tmpfs") - 1] == str(sandbox.Limits().tmp_bytes)


def test_the_environment_is_only_what_the_kernel_is_given(tmp_path):
    cmd = _command(tmp_path)
    names = _binds(cmd, "--setenv")
    assert set(names) == {"COURSEKIT_GRADING", "PATH"}


def test_the_launcher_sets_the_limits_then_becomes_bwrap(tmp_path):
    limits = sandbox.Limits(memory_bytes=123 << 20, file_bytes=7 << 20, processes=9)
    cmd = sandbox.launcher_command(["bwrap", "--", "x"], limits, "/sys/fs/cgroup/pids/ck")
    assert cmd[:2] == [sys.executable, "-c"]
    assert cmd[3:9] == [str(123 << 20), str(7 << 20), "9", "/sys/fs/cgroup/pids/ck", "--", "bwrap"]
    assert "RLIMIT_AS" in cmd[2] and "RLIMIT_FSIZE" in cmd[2] and "cgroup.procs" in cmd[2]


def test_a_protected_folder_inside_a_bound_one_is_refused(tmp_path):
    with pytest.raises(sandbox.SandboxUnavailable, match="inside"):
        sandbox.refuse_overlap([sandbox.package_folder() / "data"])
    sandbox.refuse_overlap([tmp_path])  # elsewhere: fine


def _one_submission(tmp_path) -> Path:
    sub = tmp_path / "subs" / "ann" / "99_demo.ipynb"
    sub.parent.mkdir(parents=True)
    nbformat.write(solved_lecture(), str(sub))
    return sub.parent.parent


def test_no_bwrap_stops_before_grading_and_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "why_unavailable", lambda: "bubblewrap (`bwrap`) is not installed")
    subs = _one_submission(tmp_path)
    rc = main(["grade", str(subs), "--out", str(tmp_path / "out"), "--solutions", str(FIXTURE),
               "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "bubblewrap (`bwrap`) is not installed" in err and "apt-get install bubblewrap" in err
    assert "--no-sandbox" in err
    assert not (tmp_path / "out").exists()  # nothing graded, nothing written


@pytest.mark.notebooks
def test_no_sandbox_grades_and_says_so_everywhere(tmp_path, capsys):
    subs = _one_submission(tmp_path)
    out = tmp_path / "out"
    rc = main(["grade", str(subs), "--out", str(out), "--solutions", str(FIXTURE), "--no-sandbox",
               "--timeout", "30", "--no-progress"])
    assert rc == 0
    assert "WITHOUT a sandbox" in capsys.readouterr().err
    rows = list(csv.DictReader(open(out / "grades.csv", newline="")))
    assert rows and all(r["sandbox"] == "no" for r in rows)
    assert sum(float(r["points"]) for r in rows) == 4
    rec = json.loads(next((out / "records").glob("*.json")).read_text())
    assert rec["sandbox"] is False
    assert "graded WITHOUT a sandbox" in (out / "feedback" / "ann.md").read_text()
