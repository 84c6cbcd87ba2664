"""Weight initialisers by name (notebook 07, activations_initialization_normalization).

Every initialiser draws from a seeded NumPy ``Generator`` on the host, then moves the array to the
requested namespace, device and dtype, so the same seed gives the same weights on every backend.

Fans: for a Dense weight of shape (in, out), ``fan_in = in`` and ``fan_out = out``. For a
convolution kernel of shape (out_ch, in_ch, kh, kw), ``fan_in = in_ch*kh*kw`` and
``fan_out = out_ch*kh*kw``.

- ``zeros``: all zero (fails to break symmetry: every hidden unit learns the same thing);
- ``normal``: N(0, std²), ``std`` given (0.01 by default);
- ``glorot_normal``: N(0, 2/(fan_in+fan_out));
- ``glorot_uniform``: U(-a, a) with a = sqrt(6/(fan_in+fan_out)), the same variance;
- ``he_normal``: N(0, 2/fan_in), for ReLU layers.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ..backend import asarray, default_namespace, resolve_dtype
from ..errors import choose

__all__ = ["initialize", "init_weights", "INITIALIZERS", "fans"]


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` (see the module docstring for the convention)."""
    shape = tuple(int(s) for s in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _zeros(shape, rng, fan_in, fan_out, std):
    return np.zeros(shape)


def _normal(shape, rng, fan_in, fan_out, std):
    return rng.normal(0.0, std, size=shape)


def _glorot_normal(shape, rng, fan_in, fan_out, std):
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


def _glorot_uniform(shape, rng, fan_in, fan_out, std):
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=shape)


def _he_normal(shape, rng, fan_in, fan_out, std):
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)


#: name -> function(shape, rng, fan_in, fan_out, std) returning a float64 NumPy array.
INITIALIZERS: dict[str, Callable] = {
    "zeros": _zeros,
    "normal": _normal,
    "glorot_normal": _glorot_normal,
    "glorot_uniform": _glorot_uniform,
    "he_normal": _he_normal,
}


def initialize(name: str, shape, *, rng=None, seed=None, std: float = 0.01, xp=None,
               device=None, dtype=None, fan_in=None, fan_out=None):
    """A weight array of ``shape`` drawn by the initialiser ``name``.

    Parameters
    ----------
    name : str
        One of ``INITIALIZERS``: zeros, normal, glorot_normal, glorot_uniform, he_normal.
    shape : tuple of int
        (in, out) for Dense, (out_ch, in_ch, kh, kw) for Conv2D.
    rng : numpy.random.Generator, optional
        Where the random numbers come from. If omitted, ``np.random.default_rng(seed)`` with
        ``seed`` (0 when not given either), so results are always reproducible.
    std : float
        Standard deviation for ``normal``.
    xp, device, dtype
        Namespace (NumPy by default), device and dtype (float64 by default; "float32" accepted).
    fan_in, fan_out : int, optional
        Override the fans computed from ``shape``.

    Returns
    -------
    array of ``shape`` in ``xp`` on ``device``.
    """
    draw = choose(name, INITIALIZERS, "initialiser")
    shape = tuple(int(s) for s in shape)
    if any(s <= 0 for s in shape):
        raise ValueError(f"Every dimension of a weight must be positive, got shape {shape}.")
    if rng is None:
        rng = np.random.default_rng(0 if seed is None else seed)
    elif seed is not None:
        raise ValueError("Give either rng or seed to initialize, not both.")
    fi, fo = fans(shape)
    fan_in = fi if fan_in is None else int(fan_in)
    fan_out = fo if fan_out is None else int(fan_out)
    w = draw(shape, rng, fan_in, fan_out, std)
    if xp is None:
        xp = default_namespace()
    return asarray(w, xp, dtype=resolve_dtype(xp, dtype), device=device)


def init_weights(shape, fan_in: int, fan_out: int, init: str | float, seed: int):
    """Seeded float64 NumPy weights for a layer: an initialiser name (he_normal, glorot_normal,
    glorot_uniform, normal, zeros) or, given a number, a normal with that std."""
    if isinstance(init, (int, float)) and not isinstance(init, bool):
        return initialize("normal", shape, seed=seed, std=float(init), fan_in=fan_in, fan_out=fan_out)
    return initialize(init, shape, seed=seed, fan_in=fan_in, fan_out=fan_out)
