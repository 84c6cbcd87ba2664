"""Activation functions beside their derivatives (notebook 07).

The formulas here are plain NumPy on purpose: a picture must not depend on the network code the
students are still writing. Sigmoid and softplus are written in their overflow-safe forms.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from ..errors import choose
from .style import color, new_grid, style_axes

__all__ = ["ACTIVATIONS", "activation_functions", "get_activation"]


def _sigmoid(z):
    # exp of a negative number only: no overflow for z = -1000.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


# name -> (f, f'); the derivative at a kink uses the convention of the course (ReLU'(0) = 0).
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "step": (lambda z: (z > 0).astype(float), lambda z: np.zeros_like(z, dtype=float)),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.1 * z), lambda z: np.where(z > 0, 1.0, 0.1)),
    "elu": (_elu, lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))),
    "softplus": (_softplus, _sigmoid),
    "linear": (lambda z: np.asarray(z, dtype=float), lambda z: np.ones_like(z, dtype=float)),
}

_PRETTY = {"relu": "ReLU", "leaky_relu": "leaky ReLU (0.1)", "elu": "ELU", "tanh": "tanh",
           "sigmoid": "sigmoid σ", "softplus": "softplus", "step": "step", "linear": "linear"}


def get_activation(name: str) -> tuple[Callable, Callable]:
    """(f, f') for a known activation name (case and '-'/' ' do not matter)."""
    key = str(name).lower().replace("-", "_").replace(" ", "_")
    if key not in ACTIVATIONS:
        choose(name, ACTIVATIONS, "activation")
    return ACTIVATIONS[key]


def _numerical_derivative(f, z, h=1e-4):
    return (np.asarray(f(z + h), dtype=float) - np.asarray(f(z - h), dtype=float)) / (2 * h)


def _resolve(activations) -> dict[str, tuple[Callable, Callable]]:
    if isinstance(activations, str):
        activations = [activations]
    if isinstance(activations, Mapping):
        out = {}
        for name, spec in activations.items():
            if callable(spec):  # derivative not given: central differences are fine for a picture
                out[str(name)] = (spec, lambda z, f=spec: _numerical_derivative(f, z))
            elif isinstance(spec, (tuple, list)) and len(spec) == 2 and all(map(callable, spec)):
                out[str(name)] = tuple(spec)
            else:
                raise TypeError(f"activations[{name!r}] must be a function f or a pair (f, df)")
        return out
    return {_PRETTY.get(str(n).lower(), str(n)): get_activation(n) for n in activations}


def activation_functions(activations=("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus"),
                         z_range=(-5.0, 5.0), ncols=3, title="Activation functions and their "
                         "derivatives"):
    """A grid of small panels: each activation f(z) (solid) with its derivative f'(z) (dashed).

    activations : names from ``ACTIVATIONS``, or dict name -> f or (f, df) of NumPy functions.
    Returns the figure.
    """
    acts = _resolve(activations)
    if not acts:
        raise ValueError("give at least one activation")
    z = np.linspace(*z_range, 401)
    n = len(acts)
    ncols = max(1, min(int(ncols), n))
    nrows = -(-n // ncols)
    fig, axes = new_grid(nrows, ncols, panel=(2.7, 2.2), sharex=True)
    for ax, (name, (f, df)) in zip(axes.flat, acts.items()):
        ax.axhline(0, color="black", linewidth=0.6)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.plot(z, f(z), color=color(0), linewidth=2.2, label="$f(z)$")
        ax.plot(z, df(z), "--", color=color(5), linewidth=2, label="$f'(z)$")
        style_axes(ax, name)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for col in range(ncols):  # label the lowest visible panel of each column
        visible = [ax for ax in axes[:, col] if ax.get_visible()]
        visible[-1].set_xlabel("$z$")
        visible[-1].xaxis.set_tick_params(labelbottom=True)
    axes.flat[0].legend(fontsize="small", loc="upper left")
    fig.suptitle(title)
    return fig
