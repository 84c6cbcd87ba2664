"""A check's return value that is true or false in code but shows nothing in a notebook.

A check cell ends with the check call, so IPython would print the returned ``True``/``False``
under the verdicts. The usual ``;`` that silences it is ignored when nbval runs the notebook
(nbval executes with ``store_history=False``, and IPython looks for the ``;`` in the history),
so the master's saved output and nbval's would differ. ``Verdict`` displays nothing instead.
"""
from __future__ import annotations

__all__ = ["Verdict"]


class Verdict:
    """``bool(Verdict(True))`` is True; in a notebook it displays nothing."""

    __slots__ = ("passed",)

    def __init__(self, passed: bool):
        self.passed = bool(passed)

    def __bool__(self) -> bool:
        return self.passed

    def __eq__(self, other) -> bool:
        return bool(self) == bool(other)

    def __hash__(self) -> int:
        return hash(self.passed)

    def __repr__(self) -> str:
        return f"Verdict(passed={self.passed})"

    def _ipython_display_(self) -> None:
        """Show nothing: the verdicts were already printed."""
