"""The set-up files agree with each other, and the environment report tells the truth."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[2]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]} | {_name(r) for r in project["optional-dependencies"]["test"]}
    conda = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"\s*-\s+([A-Za-z0-9_.\-]+)", line)
        if m and not line.strip().startswith("- -e"):
            conda.add(_name(m.group(1)))
    conda -= {"python", "pip", "pip:"}
    assert wanted - conda == set(), f"environment.yml lacks {sorted(wanted - conda)}"
    assert conda - wanted == set(), f"environment.yml names packages pyproject does not: {sorted(conda - wanted)}"


def test_readme_opens_with_the_two_commands_and_ci_calls_the_test_one():
    readme = (ROOT / "README.md").read_text()
    head = readme[:1500]
    assert "make lab" in head and "make test" in head
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_makefile_targets_exist():
    out = subprocess.run(["make", "-n", "-C", str(ROOT), "lab", "test"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_environment_report_lists_backends_and_finds_no_problem_here():
    from coursekit import environment

    rep = environment.report(include_gpu=False)
    assert "numpy" in rep.backends and "array-api-strict" in rep.backends
    assert rep.problems == [], rep.problems
    text = str(rep)
    assert "ready for the course" in text and "numpy" in text


def test_environment_report_names_a_missing_package(monkeypatch):
    from coursekit import environment

    real = environment.metadata.version

    def fake(dist):
        if dist == "ipywidgets":
            raise environment.metadata.PackageNotFoundError(dist)
        return real(dist)

    monkeypatch.setattr(environment.metadata, "version", fake)
    rep = environment.report(include_gpu=False)
    assert any("ipywidgets is not installed" in p for p in rep.problems)
    assert "fix these first" in str(rep)
