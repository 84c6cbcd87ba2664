"""What networks of threshold units can compute (notebook 04).

Boolean circuits, decision regions and the pulses of the universal-approximation argument, as
small NumPy functions the notebook calls so that its cells stay short.

Conventions (the notebook's):

- a *layer* is a pair ``(W, b)`` with ``W`` of shape (n_units, n_inputs), one row per unit (the
  deck's w_ji: unit j, input i), and ``b`` of shape (n_units,);
- ``step(z) = 1 if z > 0 else 0`` (the threshold unit of notebook 01) and
  ``sign(z) = +1 if z > 0 else -1`` (the same unit in the +-1 encoding);
- a one-hidden-layer Boolean network is ``(W1, b1, w2)``: ``h = step(X W1^T + b1)`` and the
  output is the plain sum ``h @ w2`` (see ``one_hidden_layer``).

========================  =================================================================
function                  what it does
========================  =================================================================
step, sign, sigmoid       the unit activations (sigmoid without overflow)
threshold_forward         X through a list of layers of threshold units
one_hidden_layer          X through (W1, b1, w2): the DNF / wide-parity network
parity_counting           N-bit parity with one hidden layer of N units that count the ones
ThresholdCircuit          any acyclic network of threshold units (the deep parity tree),
                          with unit and parameter counts
polygon_units             the half-spaces whose AND is a convex polygon
region_network            the two-hidden-layer network of a union of convex polygons
plot_region               colour the plane by a 0/1 predictor
pulse_explorer            the widget: a target function and its sum of sigmoid pulses
========================  =================================================================
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..errors import choose
from ..nn.activations import sigmoid as _sigmoid, step as _step

# Drawn and shown by the lower floors; notebook 04 calls them as ex.plot_region, ex.pulse_explorer.
from ..plotting.regions import plot_region
from ..widgets.pulses import pulse_explorer

__all__ = ["step", "sign", "sigmoid", "threshold_forward", "one_hidden_layer", "parity_counting", "ThresholdCircuit",
           "polygon_units", "region_network", "plot_region", "pulse_explorer"]


# -- units ---------------------------------------------------------------------------------
def step(z):
    """Heaviside step 1[z > 0] as float64, elementwise (step(0) = 0: a unit fires only above
    its threshold); ``nn.activations.step`` with ``at_zero=0``."""
    return _step(np.asarray(z, dtype=float), at_zero=0.0)


def sign(z):
    """+1 where z > 0, -1 elsewhere (the threshold unit in the +-1 encoding), float64."""
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, -1.0)


def sigmoid(z):
    """Logistic function 1 / (1 + exp(-z)) without overflow, as float64 (``nn.activations``)."""
    return _sigmoid(np.asarray(z, dtype=float))


_ACTIVATIONS = {"step": step, "sign": sign, "sigmoid": sigmoid}


def _activation(name_or_fn):
    if callable(name_or_fn):
        return name_or_fn
    return choose(name_or_fn, _ACTIVATIONS, "activation (or pass a function)")


# -- layered networks ------------------------------------------------------------------------
def threshold_forward(X, layers: Sequence, activation="step"):
    """Run X through layers of threshold units.

    Parameters
    ----------
    X : (M, n) inputs, one row per example
    layers : list of (W, b), W (n_units, n_in) one row per unit, b (n_units,)
    activation : "step", "sign", "sigmoid" or a function, applied after every layer

    Returns
    -------
    (M, n_units_of_last_layer) float64 outputs of the last layer
    """
    act = _activation(activation)
    a = np.asarray(X, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"X must be (M, n), got shape {a.shape}")
    for i, (W, b) in enumerate(layers):
        W = np.atleast_2d(np.asarray(W, dtype=float))
        b = np.atleast_1d(np.asarray(b, dtype=float))
        if W.shape[1] != a.shape[1] or b.shape != (W.shape[0],):
            raise ValueError(f"layer {i}: W {W.shape} and b {b.shape} do not fit inputs with "
                             f"{a.shape[1]} columns (W must be (n_units, {a.shape[1]}), b (n_units,))")
        a = act(a @ W.T + b)
    return a


def one_hidden_layer(X, W1, b1, w2, b2: float = 0.0):
    """The one-hidden-layer Boolean network: ``step(X W1^T + b1) @ w2 + b2``.

    X (M, n), W1 (H, n), b1 (H,), w2 (H,) -> (M,) float64. With one step unit per minterm (at
    most one fires) and w2 = 1, the output is exactly 0 or 1: the OR of the ANDs.
    """
    X = np.asarray(X, dtype=float)
    W1 = np.asarray(W1, dtype=float).reshape(-1, X.shape[1])
    h = step(X @ W1.T + np.asarray(b1, dtype=float).reshape(-1))
    return h @ np.asarray(w2, dtype=float).reshape(-1) + b2


def parity_counting(n: int):
    """N-bit parity with one hidden layer of only n threshold units: ``(W1, b1, w2)``.

    Hidden unit k (k = 1..n) is ``step(sum(x) - k + 1/2)``: it fires when at least k inputs are 1.
    With m ones, units 1..m fire, and the alternating output weights +1, -1, +1, ... sum to 1
    when m is odd and 0 when m is even. Returns W1 (n, n) of ones, b1 (n,) and w2 (n,), for
    ``one_hidden_layer`` (a summing output, no output bias): n^2 + 2n weights and biases.

    >>> W1, b1, w2 = parity_counting(3)
    >>> one_hidden_layer(np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]]), W1, b1, w2).tolist()
    [0.0, 1.0, 0.0, 1.0]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"parity_counting needs a whole number of inputs n >= 1, got {n!r}")
    k = np.arange(1, n + 1, dtype=float)
    W1 = np.ones((n, n))                       # every hidden unit counts all the inputs
    b1 = 0.5 - k                               # unit k fires when at least k inputs are 1
    w2 = np.where(k % 2 == 1, 1.0, -1.0)       # +1 - 1 + 1 ...: 1 for an odd count, 0 for even
    return W1, b1, w2


class ThresholdCircuit:
    """An acyclic network of threshold units, built one unit at a time.

    Nodes ``0 .. n_inputs-1`` are the inputs; every ``add_unit`` creates the next node, a unit
    ``activation(sum_k weights[k] * node[inputs[k]] + bias)`` that may read any earlier node.
    The last unit added is the output.

    >>> c = ThresholdCircuit(2, activation="step")
    >>> h = c.add_unit([0, 1], [1.0, 1.0], -1.5)      # AND of the two inputs
    >>> c(np.array([[0., 0.], [1., 1.]])).tolist()
    [0.0, 1.0]
    """

    def __init__(self, n_inputs: int, activation="step"):
        if int(n_inputs) < 1:
            raise ValueError(f"n_inputs must be at least 1, got {n_inputs}")
        self.n_inputs = int(n_inputs)
        self.activation = activation
        self._act = _activation(activation)
        self.units: list[tuple[tuple[int, ...], np.ndarray, float]] = []

    @property
    def n_nodes(self) -> int:
        return self.n_inputs + len(self.units)

    def add_unit(self, inputs: Sequence[int], weights: Sequence[float], bias: float) -> int:
        """Add a unit reading the nodes ``inputs`` with ``weights`` and ``bias``; return its node id."""
        inputs = tuple(int(i) for i in inputs)
        weights = np.asarray(weights, dtype=float).reshape(-1)
        if len(inputs) != weights.size or not inputs:
            raise ValueError(f"a unit needs one weight per input: got {len(inputs)} inputs and "
                             f"{weights.size} weights")
        for i in inputs:
            if not 0 <= i < self.n_nodes:
                raise ValueError(f"input node {i} does not exist yet (nodes 0..{self.n_nodes - 1}; "
                                 f"0..{self.n_inputs - 1} are the inputs)")
        self.units.append((inputs, weights, float(bias)))
        return self.n_nodes - 1

    @property
    def n_units(self) -> int:
        """Number of units (hidden units and the output unit; inputs are not units)."""
        return len(self.units)

    @property
    def n_parameters(self) -> int:
        """Number of weights and biases: one weight per connection plus one bias per unit."""
        return sum(w.size + 1 for _, w, _ in self.units)

    @property
    def depth(self) -> int:
        """Number of unit layers on the longest path from an input to the output."""
        level = [0] * self.n_inputs
        for inputs, _, _ in self.units:
            level.append(1 + max(level[i] for i in inputs))
        return max(level[self.n_inputs:], default=0)

    def values(self, X) -> np.ndarray:
        """All node values for X (M, n_inputs): (M, n_nodes), inputs first."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"X must be (M, {self.n_inputs}), got shape {X.shape}")
        nodes = list(X.T)
        for inputs, w, b in self.units:
            nodes.append(self._act(sum(wk * nodes[i] for wk, i in zip(w, inputs)) + b))
        return np.stack(nodes, axis=1)

    def __call__(self, X) -> np.ndarray:
        """The output unit's value for each row of X: (M,)."""
        if not self.units:
            raise ValueError("the circuit has no units yet: add_unit(...) first")
        return self.values(X)[:, -1]

    def __repr__(self) -> str:
        return (f"ThresholdCircuit(n_inputs={self.n_inputs}, units={self.n_units}, "
                f"parameters={self.n_parameters}, depth={self.depth})")


# -- decision regions -----------------------------------------------------------------------
def polygon_units(vertices):
    """The half-spaces of a convex polygon: a point is inside when all units fire.

    vertices : (k, 2) corners in counter-clockwise order.
    Returns W (k, 2), b (k,): unit j is ``step(W[j] . x + b[j])``, 1 on the inner side of edge j.
    """
    V = np.asarray(vertices, dtype=float)
    if V.ndim != 2 or V.shape[1] != 2 or len(V) < 3:
        raise ValueError(f"vertices must be (k, 2) with k >= 3, got shape {V.shape}")
    d = np.roll(V, -1, axis=0) - V                 # edge directions
    W = np.stack([-d[:, 1], d[:, 0]], axis=1)       # left normals: inside for a CCW polygon
    b = -(W * V).sum(axis=1)
    if np.any(W @ V.mean(axis=0) + b <= 0):
        raise ValueError("vertices must be a convex polygon in counter-clockwise order")
    return W, b


def region_network(polygons):
    """Layers of the step network that fires inside the union of convex polygons.

    Layer 1: every polygon's half-spaces; layer 2: one AND unit per polygon
    (fires when all k of its half-spaces do: bias -(k - 0.5)); layer 3: an OR unit (bias -0.5).
    One polygon alone needs only layers 1-2 (one hidden layer), which is what is returned then.
    Returns a list of (W, b) for ``threshold_forward(X, layers, "step")``.
    """
    parts = [polygon_units(P) for P in polygons]
    W1 = np.concatenate([W for W, _ in parts])
    b1 = np.concatenate([b for _, b in parts])
    sizes = [len(b) for _, b in parts]
    W2 = np.zeros((len(parts), W1.shape[0]))
    start = 0
    for j, k in enumerate(sizes):
        W2[j, start:start + k] = 1.0
        start += k
    b2 = -(np.asarray(sizes, dtype=float) - 0.5)
    if len(parts) == 1:
        return [(W1, b1), (W2, b2)]
    return [(W1, b1), (W2, b2), (np.ones((1, len(parts))), np.array([-0.5]))]


