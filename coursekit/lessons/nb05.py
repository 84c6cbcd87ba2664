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

__all__ = ["graph_values", "graph_explorer", "value_array", "grad_array", "mlp_params", "mlp_parameters",
           "toy_data"]


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


def mlp_params(Value, n_inputs: int = 2, n_hidden: int = 3, seed: int = 0) -> dict:
    """Weights of a one-hidden-layer MLP as Values of the class ``Value`` (the students' or the
    course's): ``{"W1": n_hidden lists of n_inputs Values, "b1": n_hidden Values,
    "W2": n_hidden Values, "b2": one Value}``, drawn uniform in [-1, 1] from ``seed``
    (biases in [-0.1, 0.1]), each labelled for drawings."""
    import numpy as np

    rng = np.random.default_rng(seed)
    w1, b1 = rng.uniform(-1, 1, (n_hidden, n_inputs)), rng.uniform(-0.1, 0.1, n_hidden)
    w2, b2 = rng.uniform(-1, 1, n_hidden), rng.uniform(-0.1, 0.1)
    return {"W1": [[Value(float(w), label=f"W1[{j}][{i}]") for i, w in enumerate(row)]
                   for j, row in enumerate(w1)],
            "b1": [Value(float(b), label=f"b1[{j}]") for j, b in enumerate(b1)],
            "W2": [Value(float(w), label=f"W2[{j}]") for j, w in enumerate(w2)],
            "b2": Value(float(b2), label="b2")}


def mlp_parameters(params: dict) -> list:
    """Every parameter Value of ``mlp_params``'s dict, in one list (W1 row by row, b1, W2, b2)."""
    return [w for row in params["W1"] for w in row] + list(params["b1"]) + list(params["W2"]) + [params["b2"]]


def toy_data():
    """Eight 2-D points and their targets y = x0 * x1 (a saddle; no straight line fits it).

    Returns X (a list of 8 lists of 2 floats) and Y (a list of 8 floats).
    """
    X = [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0],
         [-0.5, 0.5], [0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]]
    return X, [x0 * x1 for x0, x1 in X]
