"""The environment report that notebook 00 (setup_and_tour) starts with.

``report()`` says which Python and which course packages are installed, which array backends
can run coursekit's maths here, and what is missing, in a form a student can paste into a
question to the course staff. ``check()`` turns the same facts into a pass/fail verdict.
"""
from __future__ import annotations

import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata

#: (distribution name, import name, minimum version, needed for)
REQUIRED = [
    ("numpy", "numpy", "1.24", "all the maths"),
    ("matplotlib", "matplotlib", "3.7", "every picture"),
    ("scikit-learn", "sklearn", "1.3", "the digits data and reference models"),
    ("ipywidgets", "ipywidgets", "8.0", "the interactive demos"),
    ("array-api-compat", "array_api_compat", "1.8", "running the network on any array library"),
    ("array-api-strict", "array_api_strict", "2.0", "proving the code uses only the array API"),
    ("jupyterlab", "jupyterlab", "4.0", "opening the course"),
    ("nbval", "nbval", "0.11", "checking the solution notebooks"),
]
OPTIONAL = [
    ("torch", "torch", "2.0", "the PyTorch backend (CPU or GPU) in notebook 09"),
    ("cupy", "cupy", "12.0", "the CuPy backend on an NVIDIA GPU in notebook 09"),
]


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("+")[0].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


@dataclass
class PackageStatus:
    name: str
    version: str | None
    minimum: str
    purpose: str

    @property
    def ok(self) -> bool:
        return self.version is not None and _version_tuple(self.version) >= _version_tuple(self.minimum)


@dataclass
class EnvironmentReport:
    python: str
    platform: str
    required: list[PackageStatus] = field(default_factory=list)
    optional: list[PackageStatus] = field(default_factory=list)
    backends: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        out = []
        if sys.version_info < (3, 10):
            out.append(f"Python {self.python} is too old: the course needs Python 3.10 or newer")
        for p in self.required:
            if p.version is None:
                out.append(f"{p.name} is not installed (needed for {p.purpose}): run `make lab` again")
            elif not p.ok:
                out.append(f"{p.name} {p.version} is older than {p.minimum} (needed for {p.purpose})")
        return out

    def __str__(self) -> str:
        lines = [f"Python      {self.python} on {self.platform}"]
        for p in self.required + self.optional:
            mark = "ok" if p.ok else ("missing" if p.version is None else "too old")
            if p in self.optional and p.version is None:
                mark = "not installed (optional)"
            lines.append(f"{p.name:<17} {p.version or '-':<12} {mark}")
        lines.append("backends    " + ", ".join(self.backends))
        lines.append("verdict     " + ("ready for the course" if not self.problems else
                                       "fix these first: " + "; ".join(self.problems)))
        return "\n".join(lines)


def _status(dist: str, minimum: str, purpose: str) -> PackageStatus:
    try:
        version = metadata.version(dist)
    except metadata.PackageNotFoundError:
        version = None
    return PackageStatus(dist, version, minimum, purpose)


def report(include_gpu: bool = True) -> EnvironmentReport:
    """Collect the facts (no network, no slow imports beyond the backends themselves)."""
    from .backend import available_backends

    rep = EnvironmentReport(python=platform.python_version(), platform=f"{platform.system()} {platform.machine()}")
    rep.required = [_status(d, m, p) for d, _, m, p in REQUIRED]
    rep.optional = [_status(d, m, p) for d, _, m, p in OPTIONAL]
    rep.backends = [b.name for b in available_backends(include_gpu=include_gpu)]
    return rep


def check() -> bool:
    """Print the report; return True when the course can run here."""
    rep = report()
    print(rep)
    return not rep.problems
