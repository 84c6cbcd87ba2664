"""Argument checks shared by the data-set makers: one clear message per kind of mistake."""
from __future__ import annotations

import numbers

import numpy as np


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


def choice(value, name: str, valid) -> str:
    """``value`` if it is one of ``valid``; the error lists every valid choice."""
    if value not in valid:
        listed = ", ".join(repr(v) for v in valid)
        raise ValueError(f"unknown {name} {value!r}; choose one of {listed}")
    return value


def rng_from(seed) -> np.random.Generator:
    """A seeded NumPy Generator (an int seed, or a Generator passed through)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number 0 or more (or a numpy Generator), got {seed!r}")
    return np.random.default_rng(int(seed))
