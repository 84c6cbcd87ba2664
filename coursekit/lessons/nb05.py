"""Small helpers for notebook 05 (backpropagation and computational graphs).

``graph_values`` evaluates a function of named scalar inputs as a ``coursekit.autograd`` graph and
returns its value and the gradient for every input; ``graph_explorer`` puts sliders on the inputs
and redraws the graph, values and gradients, at each change (a ``coursekit.widgets.Demo``).

    >>> r = graph_values(lambda x, y, z: (x + y) * z, x=-2.0, y=5.0, z=-4.0)
    >>> r["f"], r["grads"]
    (-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
"""
from __future__ import annotations


from ..autograd import Value

# Notebook 05 calls these as graph_values and graph_explorer; they live on the lower floors.
from ..autograd import graph_values
from ..widgets.graph import graph_explorer

__all__ = ["graph_values", "graph_explorer", "value_array", "grad_array"]


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
