"""Student-facing checks, one module per notebook (``coursekit.checks.nb03`` for notebook 03).

Each module's ``check_*`` functions take the student's function or value, run it on small cases
and print a verdict per case with a hint on failure. ``observe`` is for hidden check cells only.
"""
from .core import Checks, observe

__all__ = ["Checks", "observe"]


def __getattr__(name: str):
    """Load a notebook's check module on first use, so ``checks.nb03`` works after
    ``from coursekit import checks`` without importing every notebook's module up front."""
    import importlib

    if name.startswith("nb") and name[2:].isdigit():
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"{__name__}.{name}":
                raise AttributeError(f"there is no check module {name!r} (notebook {name[2:]})") from None
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
