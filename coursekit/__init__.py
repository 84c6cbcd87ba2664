"""coursekit: the helper package of the neural-networks course.

Every notebook starts with ``import coursekit as ck`` (or imports the parts it needs):
``ck.datasets``, ``ck.plotting``, ``ck.widgets``, ``ck.autograd``, ``ck.nn``, ``ck.checks``,
``ck.backend``. Submodules load on first use so that importing the package stays quick.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {"backend", "datasets", "plotting", "widgets", "autograd", "nn", "checks", "course",
               "environment"}
__all__ = sorted(_SUBMODULES) + ["__version__"]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'coursekit' has no attribute {name!r}")


def __dir__():
    return __all__
