"""A small scalar autograd engine: the computational graphs of notebook 05.

Every arithmetic step on a ``Value`` makes a new ``Value`` that remembers its inputs
(``.children``), the operation (``.op``) and how to pass a gradient back to its inputs. Calling
``backward()`` on the final result visits the graph in reverse topological order and applies the
chain rule at each node, so afterwards ``v.grad`` holds d(result)/d(v) for every ``v`` in the
graph. Each operation's backward rule sits right under its forward rule.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)

Gradient bookkeeping (the same as PyTorch): a value used in two places collects the sum of both
paths' gradients; ``backward()`` starts the root at 1 and recomputes every interior node's
gradient from scratch, while leaf gradients (inputs, parameters) add up across calls until
``zero_grad()`` clears them. So ``zero_grad(); backward()`` twice gives identical gradients.

``Neuron``, ``NeuronLayer`` and ``MLP`` build a small network on top; ``graph_values`` evaluates a
function of named inputs and backpropagates. ``coursekit.plotting.computational_graph`` draws a
graph with its values and gradients (the engine itself needs only Python).
"""
from __future__ import annotations

import math
import numbers
import random
from typing import Callable

from .errors import choose

__all__ = ["Value", "Neuron", "NeuronLayer", "MLP", "graph_values", "trace"]


def _as_value(x) -> "Value":
    return x if isinstance(x, Value) else Value(x)


class Value:
    """One scalar in a computational graph.

    Attributes
    ----------
    data : float
        The number computed in the forward pass.
    grad : float
        d(root)/d(this value) after ``root.backward()``; 0.0 before.
    label : str
        A name for drawings (``"x"``, ``"w0"``); empty by default.
    op : str
        The operation that made this value (``"+"``, ``"*"``, ``"sigmoid"``, ...); ``""`` for a leaf.
    children : tuple of Value
        The inputs of that operation, in order; ``()`` for a leaf.
    """

    __slots__ = ("data", "grad", "label", "op", "children", "_backward")

    def __init__(self, data, label: str = "", *, children=(), op: str = ""):
        if isinstance(data, Value):
            raise TypeError("Value(...) needs a plain number; this is already a Value (use it directly)")
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"a Value holds one real number, got {data!r} ({type(data).__name__})")
        self.data = float(data)
        self.grad = 0.0
        self.label = str(label)
        self.op = op
        self.children = tuple(children)
        self._backward = None  # set by the operation that made this value; None for leaves

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # --- arithmetic: forward, then backward -------------------------------------------------------

    def __add__(self, other):
        other = _as_value(other)
        out = Value(self.data + other.data, children=(self, other), op="+")

        def backward():  # d(a+b)/da = d(a+b)/db = 1: the add gate hands its gradient to both
            self.grad += out.grad
            other.grad += out.grad
        out._backward = backward
        return out

    def __sub__(self, other):
        other = _as_value(other)
        out = Value(self.data - other.data, children=(self, other), op="-")

        def backward():
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = backward
        return out

    def __mul__(self, other):
        other = _as_value(other)
        out = Value(self.data * other.data, children=(self, other), op="*")

        def backward():  # the multiply gate switches its inputs: d(ab)/da = b
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = backward
        return out

    def __truediv__(self, other):
        other = _as_value(other)
        if other.data == 0:
            raise ZeroDivisionError(f"division by a Value equal to zero ({other!r})")
        out = Value(self.data / other.data, children=(self, other), op="/")

        def backward():  # d(a/b)/da = 1/b, d(a/b)/db = -a/b**2
            self.grad += out.grad / other.data
            other.grad -= out.grad * self.data / other.data ** 2
        out._backward = backward
        return out

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError("only numeric powers are supported (x ** 2, x ** -0.5); "
                            "for a Value exponent write (b * a.log()).exp()")
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"the exponent must be a number, got {exponent!r}")
        k = float(exponent)
        if self.data == 0 and k < 0:
            raise ZeroDivisionError(f"0 raised to a negative power ({exponent}) is undefined")
        if self.data < 0 and not k.is_integer():
            raise ValueError(f"a negative number ({self.data}) to a fractional power ({exponent}) is not real")
        out = Value(self.data ** k, children=(self,), op=f"**{exponent:g}")

        def backward():  # d(a**k)/da = k a**(k-1)
            if k == 0:
                return
            if self.data == 0 and k < 1:  # e.g. sqrt at 0: the slope is infinite
                self.grad += math.copysign(math.inf, k * out.grad)
                return
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = backward
        return out

    def __neg__(self):
        out = Value(-self.data, children=(self,), op="neg")

        def backward():
            self.grad -= out.grad
        out._backward = backward
        return out

    # Numbers on the left: 2 * x, 1 - x, 1 / x, sum([...]) (which starts from 0 + ...).
    def __radd__(self, other):
        return _as_value(other) + self

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rmul__(self, other):
        return _as_value(other) * self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    # --- functions -------------------------------------------------------------------------------

    def exp(self):
        try:
            e = math.exp(self.data)
        except OverflowError:  # exp(710) and beyond: infinity, as NumPy gives
            e = math.inf
        out = Value(e, children=(self,), op="exp")

        def backward():  # exp is its own derivative
            self.grad += out.data * out.grad
        out._backward = backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log is defined only for positive numbers, got {self.data}")
        out = Value(math.log(self.data), children=(self,), op="log")

        def backward():
            self.grad += out.grad / self.data
        out._backward = backward
        return out

    def tanh(self):
        t = math.tanh(self.data)  # math.tanh saturates at ±1 without overflow
        out = Value(t, children=(self,), op="tanh")

        def backward():  # tanh' = 1 - tanh**2
            self.grad += (1.0 - t * t) * out.grad
        out._backward = backward
        return out

    def sigmoid(self):
        # 1/(1+exp(-z)) overflows for z = -1000; use exp of a non-positive number only.
        if self.data >= 0:
            s = 1.0 / (1.0 + math.exp(-self.data))
        else:
            e = math.exp(self.data)
            s = e / (1.0 + e)
        out = Value(s, children=(self,), op="sigmoid")

        def backward():  # sigma' = sigma (1 - sigma)
            self.grad += s * (1.0 - s) * out.grad
        out._backward = backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, children=(self,), op="relu")

        def backward():  # relu' = 1[z > 0] (0 at z = 0, by convention)
            self.grad += (self.data > 0) * out.grad
        out._backward = backward
        return out

    def max(self, other):
        """The larger of two values. The max gate routes the whole gradient to the winner
        (to ``self`` on a tie)."""
        other = _as_value(other)
        self_wins = self.data >= other.data
        out = Value(self.data if self_wins else other.data, children=(self, other), op="max")

        def backward():
            if self_wins:
                self.grad += out.grad
            else:
                other.grad += out.grad
        out._backward = backward
        return out

    # --- the graph -------------------------------------------------------------------------------

    def topological_order(self) -> list:
        """Every Value this one depends on (itself included), each after all of its children.

        Depth-first search with an explicit stack rather than recursion, so a chain of 100,000
        operations does not hit Python's recursion limit.
        """
        order, done, entered = [], set(), set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                if id(node) not in done:
                    done.add(id(node))
                    order.append(node)
                continue
            if id(node) in entered:
                continue
            entered.add(id(node))
            stack.append((node, True))  # come back to it once its children are placed
            stack.extend((c, False) for c in reversed(node.children) if id(c) not in entered)
        return order

    def backward(self) -> None:
        """Fill ``.grad`` of every value in the graph with d(self)/d(value).

        Interior nodes are recomputed from zero on every call; leaves add to what they hold
        (call ``zero_grad()`` first to start afresh).
        """
        order = self.topological_order()
        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):  # root first: each node's gradient is complete when used
            if node._backward is not None:
                node._backward()

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on every value in this graph (leaves included)."""
        for node in self.topological_order():
            node.grad = 0.0


def trace(root: Value):
    """The graph under ``root`` as plain lists, for drawing or inspection.

    Returns
    -------
    nodes : list of Value, children before parents (``root.topological_order()``)
    edges : list of (child, parent) pairs, one per use (a value used twice gives two edges)
    """
    nodes = root.topological_order()
    edges = [(child, node) for node in nodes for child in node.children]
    return nodes, edges


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


# --- a small network built on Value ----------------------------------------------------------------

_ACTIVATIONS = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "linear": lambda v: v,
}


def _rng(seed) -> random.Random:
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number, got {seed!r}")
    return random.Random(int(seed))


class Module:
    """Something with parameters: ``parameters()`` lists them, ``zero_grad()`` clears their grads."""

    def parameters(self) -> list:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """act(w · x + b) for ``n_inputs`` inputs.

    Weights start uniform in [-1, 1] / sqrt(n_inputs) (drawn from ``seed``), the bias at 0.
    Parameters are labelled ``w0, w1, ..., b`` (with ``prefix`` in front) for drawings.
    """

    def __init__(self, n_inputs: int, activation: str = "tanh", seed=0, prefix: str = ""):
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, numbers.Integral) or n_inputs < 1:
            raise ValueError(f"n_inputs must be a whole number of at least 1, got {n_inputs!r}")
        choose(activation, _ACTIVATIONS, "activation")
        rng = _rng(seed)
        scale = 1.0 / math.sqrt(n_inputs)  # keeps w · x of order 1, so tanh does not start saturated
        self.w = [Value(rng.uniform(-1, 1) * scale, f"{prefix}w{i}") for i in range(n_inputs)]
        self.b = Value(0.0, f"{prefix}b")
        self.activation = activation

    def __call__(self, x) -> Value:
        x = list(x)
        if len(x) != len(self.w):
            raise ValueError(f"this neuron has {len(self.w)} inputs but was given {len(x)}")
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return _ACTIVATIONS[self.activation](z)

    def parameters(self) -> list:
        return self.w + [self.b]

    def __repr__(self):
        return f"Neuron({len(self.w)} inputs, {self.activation})"


class NeuronLayer(Module):
    """``n_outputs`` neurons reading the same ``n_inputs`` inputs; returns a list of Values."""

    def __init__(self, n_inputs: int, n_outputs: int, activation: str = "tanh", seed=0, prefix: str = ""):
        if isinstance(n_outputs, bool) or not isinstance(n_outputs, numbers.Integral) or n_outputs < 1:
            raise ValueError(f"n_outputs must be a whole number of at least 1, got {n_outputs!r}")
        rng = _rng(seed)
        self.neurons = [Neuron(n_inputs, activation, rng, prefix=f"{prefix}n{j}.") for j in range(n_outputs)]

    def __call__(self, x) -> list:
        x = list(x)
        return [n(x) for n in self.neurons]

    def parameters(self) -> list:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"NeuronLayer({len(self.neurons)} x {self.neurons[0]!r})"


class MLP(Module):
    """A multilayer perceptron of Values.

    ``MLP(2, [8, 8, 1])`` has two hidden layers of 8 ``activation`` units and one output unit with
    ``output_activation`` (``"linear"`` by default). Calling it on a list of ``n_inputs`` numbers
    returns one Value when the last layer has one unit, otherwise a list of Values.
    All weights come from one generator seeded with ``seed``.
    """

    def __init__(self, n_inputs: int, layer_sizes, activation: str = "tanh",
                 output_activation: str = "linear", seed=0):
        layer_sizes = list(layer_sizes)
        if not layer_sizes:
            raise ValueError("layer_sizes must list at least one layer, e.g. [8, 1]")
        rng = _rng(seed)
        sizes = [n_inputs] + layer_sizes
        self.layers = [
            NeuronLayer(sizes[i], sizes[i + 1], activation if i < len(layer_sizes) - 1 else output_activation,
                  rng, prefix=f"L{i + 1}.")
            for i in range(len(layer_sizes))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        sizes = [len(self.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in self.layers]
        return f"MLP({' -> '.join(map(str, sizes))}, {len(self.parameters())} parameters)"
