"""Small helpers for notebook 05 (backpropagation and computational graphs).

``graph_values`` evaluates a function of named scalar inputs as a ``coursekit.autograd`` graph and
returns its value and the gradient for every input; ``graph_explorer`` puts sliders on the inputs
and redraws the graph, values and gradients, at each change (a ``coursekit.widgets.Demo``).

    >>> r = graph_values(lambda x, y, z: (x + y) * z, x=-2.0, y=5.0, z=-4.0)
    >>> r["f"], r["grads"]
    (-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
"""
from __future__ import annotations

import inspect
from typing import Callable

from .autograd import Value

__all__ = ["graph_values", "graph_explorer", "value_array", "grad_array"]


def graph_values(build: Callable, **inputs) -> dict:
    """Run ``build(**values)`` on labelled ``Value`` inputs and backpropagate.

    Parameters
    ----------
    build : callable taking one ``Value`` per keyword and returning the output ``Value``
    **inputs : float, the input values by name (the names label the graph's leaves)

    Returns
    -------
    dict with ``f`` (the output, float), ``grads`` (name -> d f / d input, float) and ``root``
    (the output ``Value``, for drawing).
    """
    leaves = {name: Value(float(v), name) for name, v in inputs.items()}
    root = build(**leaves)
    if not isinstance(root, Value):
        raise TypeError(f"build must return a Value (the graph's output), got {type(root).__name__}")
    root.label = root.label or "f"
    root.backward()
    return {"f": root.data, "grads": {k: v.grad for k, v in leaves.items()}, "root": root}


def graph_explorer(build: Callable, low: float = -5.0, high: float = 5.0, **inputs):
    """Sliders for the inputs of ``build``; the graph is redrawn with values and gradients.

    ``inputs`` give the starting values (by default 1.0 for each parameter of ``build``).
    Returns a ``coursekit.widgets.Demo``: its ``result`` is the latest ``graph_values`` answer.
    Tag the cell that shows it ``nbval-ignore-output``.
    """
    import ipywidgets as widgets

    from .plotting import computational_graph
    from .widgets._base import STYLE, Demo, slider_layout

    names = list(inspect.signature(build).parameters)
    start = {n: float(inputs.get(n, 1.0)) for n in names}
    controls = {n: widgets.FloatSlider(value=start[n], min=low, max=high, step=0.5, description=n,
                                       continuous_update=False, style=STYLE, layout=slider_layout())
                for n in names}

    def compute(**values):
        return graph_values(build, **values)

    def draw(result, values, fig):
        ax = fig.add_subplot(1, 1, 1)
        computational_graph(result["root"], ax=ax)
        grads = ", ".join(f"∂f/∂{k} = {g:.3g}" for k, g in result["grads"].items())
        return f"f = {result['f']:.4g}; {grads}"

    return Demo(controls, compute, draw, figsize=(7.0, 3.6), title="Move the inputs: values and gradients")


def value_array(a, prefix: str = ""):
    """A NumPy object array of ``Value`` leaves with the numbers of ``a`` (same shape).

    NumPy's ``@``, ``+``, ``*`` and ``sum`` work on such arrays through the Values' own operators,
    so a NumPy forward pass written for floats builds a computational graph unchanged.
    """
    import numpy as np

    a = np.asarray(a, dtype=float)
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(a.shape):
        out[idx] = Value(float(a[idx]), f"{prefix}{list(idx)}" if prefix else "")
    return out


def grad_array(values):
    """The ``.grad`` of every Value in an object array, as a float array of the same shape."""
    import numpy as np

    values = np.asarray(values, dtype=object)
    out = np.empty(values.shape, dtype=float)
    for idx in np.ndindex(values.shape):
        out[idx] = values[idx].grad
    return out
