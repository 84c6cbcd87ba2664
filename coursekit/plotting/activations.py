"""Activation functions beside their derivatives (notebook 07).

The functions are coursekit.nn's own (``nn.activations``), on float64 NumPy arrays, so a picture
shows exactly what the layers compute; the leaky ReLU is drawn with slope 0.1, steeper than the
layer's default 0.01, so that the slope can be seen.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from ..errors import choose
from ..nn import activations as act
from ..nn.gradcheck import numerical_gradient
from .style import color, new_grid, style_axes

__all__ = ["ACTIVATIONS", "activation_functions", "get_activation"]


def _on_floats(fn, **kwargs) -> Callable:
    """``fn`` of nn.activations applied to ``z`` as a float64 NumPy array (lists and ints too)."""
    return lambda z: fn(np.asarray(z, dtype=float), **kwargs)


# name -> (f, f'); the derivative at a kink uses the convention of the course (ReLU'(0) = 0).
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "step": (_on_floats(act.step, at_zero=0.0), _on_floats(act.step_grad)),
    "sigmoid": (_on_floats(act.sigmoid), _on_floats(act.sigmoid_grad)),
    "tanh": (_on_floats(act.tanh), _on_floats(act.tanh_grad)),
    "relu": (_on_floats(act.relu), _on_floats(act.relu_grad)),
    "leaky_relu": (_on_floats(act.leaky_relu, alpha=0.1), _on_floats(act.leaky_relu_grad, alpha=0.1)),
    "elu": (_on_floats(act.elu), _on_floats(act.elu_grad)),
    "softplus": (_on_floats(act.softplus), _on_floats(act.softplus_grad)),
    "linear": (_on_floats(lambda z: z), _on_floats(np.ones_like)),
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
    """f'(z) for an elementwise f, (n,) -> (n,): the gradient of Σ f(z), by nn's central differences."""
    return numerical_gradient(lambda v: np.sum(np.asarray(f(v), dtype=float)), np.asarray(z, dtype=float), h=h)


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
