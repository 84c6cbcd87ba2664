"""Student-facing checks, one module per notebook (``coursekit.checks.nb03`` for notebook 03).

Each module's ``check_*`` functions take the student's function or value, run it on small cases
and print a verdict per case with a hint on failure. ``observe`` is for hidden check cells only.
"""
from .core import Checks, observe

__all__ = ["Checks", "observe"]
