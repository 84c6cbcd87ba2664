"""The exceptions coursekit raises, one type per kind of mistake, and the checks that raise them.

- a name that is not in a table (an activation, an initialiser, a filter, a data set's option):
  ``choose`` raises ``ValueError`` ``unknown <kind> 'x'; choose one of a, b, c``;
- a number out of range or of the wrong kind (a size, a seed, a noise level): ``ValueError``
  (``positive_int``, ``non_negative``, ``rng_from``);
- an array of the wrong shape: ``ShapeError`` (a ``ValueError``), which names the layer, the shape
  expected and the shape given (``describe_shape`` writes shapes the same way everywhere);
- a class where an object is wanted, or an object of the wrong type: ``TypeError``.

This module sits on the lowest floor (docs/ARCHITECTURE.md): it imports nothing from coursekit.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["ShapeError", "choose", "describe_shape", "positive_int", "non_negative", "rng_from"]


class ShapeError(ValueError):
    """An input of the wrong shape or kind, explained in words (layer, expected, given)."""


def describe_shape(shape) -> str:
    """A shape as Python prints a tuple: ``(32, 784)``, ``(5,)``, ``()``; names pass through."""
    items = [str(int(s)) if isinstance(s, (int, np.integer)) else str(s) for s in shape]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def choose(value, valid, kind: str):
    """``valid[value]`` (a mapping) or ``value`` (a list, tuple or set of names).

    Raises ``ValueError("unknown <kind> 'value'; choose one of ...")`` listing every valid name.
    """
    try:
        known = value in valid
    except TypeError:  # an unhashable value is not a name
        known = False
    if not known:
        listed = ", ".join(repr(v) for v in valid)
        raise ValueError(f"unknown {kind} {value!r}; choose one of {listed}")
    return valid[value] if isinstance(valid, dict) else value


def positive_int(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``; a ValueError in plain words otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def non_negative(value, name: str) -> float:
    """``value`` as a float >= 0 (noise levels, spreads)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {value}")
    return float(value)


def rng_from(seed) -> np.random.Generator:
    """A seeded NumPy Generator (an int seed, or a Generator passed through)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number 0 or more (or a numpy Generator), got {seed!r}")
    return np.random.default_rng(int(seed))
