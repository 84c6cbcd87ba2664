"""coursekit.autograd: the lecture's worked examples, finite differences, PyTorch, bookkeeping."""
from __future__ import annotations

import math
import random

import pytest

from coursekit.autograd import MLP, Neuron, NeuronLayer, Value, trace


def close(a, b, tol=1e-6):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


# --- the lecture's examples -------------------------------------------------------------------------

def test_circuit_x_plus_y_times_z():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_cs231n_sigmoid_neuron():
    w = [Value(2.0, "w0"), Value(-3.0, "w1"), Value(-3.0, "w2")]
    x = [Value(-1.0, "x0"), Value(-2.0, "x1")]
    f = (w[0] * x[0] + w[1] * x[1] + w[2]).sigmoid()
    f.backward()
    assert round(f.data, 2) == 0.73
    assert [round(v.grad, 2) for v in w] == [-0.2, -0.39, 0.2]
    assert [round(v.grad, 2) for v in x] == [0.39, -0.59]


def test_gate_patterns_add_distributes_max_routes_mul_switches():
    a, b = Value(3.0), Value(-1.0)
    (a + b).backward()
    assert (a.grad, b.grad) == (1.0, 1.0)
    a, b = Value(3.0), Value(-1.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    a, b = Value(3.0), Value(-1.0)
    (a * b).backward()
    assert (a.grad, b.grad) == (-1.0, 3.0)


# --- each operation against a finite difference -------------------------------------------------------

UNARY = {
    "exp": lambda v: v.exp(), "log": lambda v: v.log(), "tanh": lambda v: v.tanh(),
    "sigmoid": lambda v: v.sigmoid(), "relu": lambda v: v.relu(), "neg": lambda v: -v,
    "square": lambda v: v ** 2, "cube": lambda v: v ** 3, "sqrt": lambda v: v ** 0.5,
    "inverse": lambda v: v ** -1, "rsub": lambda v: 1 - v, "rdiv": lambda v: 2 / v,
    "radd": lambda v: 3 + v, "rmul": lambda v: 4 * v,
}
BINARY = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "max": lambda a, b: a.max(b),
}


def numeric_grad(f, xs, i, h=1e-6):
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(*[Value(v) for v in up]).data - f(*[Value(v) for v in down]).data) / (2 * h)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", [0.7, 1.9])
def test_unary_gradients(name, x):
    v = Value(x)
    UNARY[name](v).backward()
    assert close(v.grad, numeric_grad(UNARY[name], [x], 0))


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("a, b", [(1.5, -0.5), (-2.0, 3.0)])
def test_binary_gradients(name, a, b):
    va, vb = Value(a), Value(b)
    BINARY[name](va, vb).backward()
    assert close(va.grad, numeric_grad(BINARY[name], [a, b], 0))
    assert close(vb.grad, numeric_grad(BINARY[name], [a, b], 1))


def random_expression(rng: random.Random, leaves, depth):
    """A random smooth expression over ``leaves`` (no relu/max kinks, no log of negatives)."""
    if depth == 0:
        return rng.choice(leaves)
    a = random_expression(rng, leaves, depth - 1)
    b = random_expression(rng, leaves, depth - 1)
    pick = rng.randrange(8)
    if pick == 0:
        return a + b
    if pick == 1:
        return a - b * 0.5
    if pick == 2:
        return a * b
    if pick == 3:
        return a / (b * b + 1.0)
    if pick == 4:
        return a.tanh() + b.sigmoid()
    if pick == 5:
        return (a * 0.3).exp() * b
    if pick == 6:
        return (a * a + 0.5).log() - b
    return (a ** 2 + 1.0) ** 0.5 * b


@pytest.mark.parametrize("seed", range(8))
def test_random_expressions_against_finite_differences(seed):
    rng = random.Random(seed)
    xs = [rng.uniform(-1.5, 1.5) for _ in range(4)]

    def build(*values):
        return random_expression(random.Random(seed + 100), list(values), depth=4)

    leaves = [Value(v) for v in xs]
    out = build(*leaves)
    out.backward()
    for i, leaf in enumerate(leaves):
        assert close(leaf.grad, numeric_grad(build, xs, i), tol=1e-5), f"input {i} of seed {seed}"


# --- gradient bookkeeping ---------------------------------------------------------------------------

def test_a_value_used_twice_accumulates():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    x = Value(-2.0)
    y = x * x * x  # d/dx x^3 = 3x^2 = 12, through three uses
    y.backward()
    assert y.data == -8.0 and x.grad == 12.0


def test_backward_twice_after_zero_grad_gives_the_same_gradients():
    x, y = Value(0.5), Value(-1.5)
    t = x * y
    f = (t * t + t.tanh()).exp()  # interior nodes used twice: the micrograd double-count trap
    f.backward()
    first = (x.grad, y.grad)
    f.zero_grad()
    f.backward()
    assert (x.grad, y.grad) == first
    assert f.grad == 1.0


def test_backward_without_zero_grad_adds_exactly_one_more_gradient():
    # Leaves accumulate across calls (as in PyTorch); interior nodes must not compound.
    x = Value(2.0)
    f = (x * 3.0).tanh() * x
    f.backward()
    g = x.grad
    f.backward()
    assert close(x.grad, 2 * g, tol=1e-12)


def test_zero_grad_clears_every_node():
    x = Value(1.0)
    f = (x * 2.0).sigmoid()
    f.backward()
    f.zero_grad()
    assert all(v.grad == 0.0 for v in f.topological_order())


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(20000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


# --- numerical safety -------------------------------------------------------------------------------

def test_sigmoid_and_tanh_of_huge_inputs_stay_finite():
    for z, expected in [(-1000.0, 0.0), (1000.0, 1.0)]:
        v = Value(z)
        s = v.sigmoid()
        s.backward()
        assert s.data == expected and math.isfinite(v.grad) and v.grad == 0.0
        t = Value(z).tanh()
        assert abs(t.data) == 1.0


@pytest.mark.parametrize("call, error, words", [
    (lambda: Value("3"), TypeError, "real number"),
    (lambda: Value([1, 2]), TypeError, "real number"),
    (lambda: Value(-1.0).log(), ValueError, "positive"),
    (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, "zero"),
    (lambda: Value(2.0) ** Value(2.0), TypeError, "numeric powers"),
    (lambda: Value(-2.0) ** 0.5, ValueError, "fractional"),
    (lambda: Neuron(0), ValueError, "n_inputs"),
    (lambda: Neuron(2, activation="softmax"), ValueError, "'tanh'"),
    (lambda: Neuron(2)([1.0, 2.0, 3.0]), ValueError, "2 inputs"),
    (lambda: MLP(2, []), ValueError, "layer_sizes"),
])
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


# --- graph introspection for drawing -----------------------------------------------------------------

def test_graph_introspection():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    assert f.op == "*" and f.children == (q, z) and q.op == "+" and x.op == "" and x.children == ()
    assert x.sigmoid().op == "sigmoid" and (x ** 2).op == "**2"
    order = f.topological_order()
    assert order[-1] is f and len(order) == 5
    position = {id(v): i for i, v in enumerate(order)}
    assert all(position[id(c)] < position[id(v)] for v in order for c in v.children)
    nodes, edges = trace(x * x)
    assert len(nodes) == 2 and len(edges) == 2, "a value used twice gives two edges"


# --- the network -----------------------------------------------------------------------------------

def test_mlp_structure_and_seeded_init():
    net = MLP(3, [4, 4, 1], seed=0)
    assert len(net.parameters()) == (3 * 4 + 4) + (4 * 4 + 4) + (4 + 1)
    again, other = MLP(3, [4, 4, 1], seed=0), MLP(3, [4, 4, 1], seed=1)
    assert [p.data for p in net.parameters()] == [p.data for p in again.parameters()]
    assert [p.data for p in net.parameters()] != [p.data for p in other.parameters()]
    assert isinstance(net([1.0, 2.0, 3.0]), Value)
    assert len(MLP(3, [2], seed=0)([1.0, 2.0, 3.0])) == 2
    assert len(NeuronLayer(3, 5)([0.0, 0.0, 0.0])) == 5
    labels = [p.label for p in net.parameters()]
    assert len(set(labels)) == len(labels), "every parameter gets its own label for drawings"


def test_mlp_training_reduces_the_loss():
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    net = MLP(3, [4, 4, 1], seed=0)

    def loss():
        return sum((net(x) - y) ** 2 for x, y in zip(xs, ys))

    start = loss().data
    for _ in range(30):
        L = loss()
        net.zero_grad()
        L.backward()
        for p in net.parameters():
            p.data -= 0.05 * p.grad
    assert loss().data < 0.5 * start


# --- PyTorch as the reference --------------------------------------------------------------------------

def test_matches_pytorch_on_a_small_network():
    torch = pytest.importorskip("torch")
    rng = random.Random(3)
    a, b, c = (rng.uniform(-1, 1) for _ in range(3))

    def f(x, y, z, lib):
        if lib == "value":
            h = (x * y + z).tanh() + (x - z).sigmoid() * y.relu()
            return (h * h).exp() / (z * z + 1.0) + x.max(y) + (y * y + 1.0).log() - 2.0 / (x + 3.0) ** 2
        h = torch.tanh(x * y + z) + torch.sigmoid(x - z) * torch.relu(y)
        return torch.exp(h * h) / (z * z + 1.0) + torch.maximum(x, y) + torch.log(y * y + 1.0) - 2.0 / (x + 3.0) ** 2

    vs = [Value(v) for v in (a, b, c)]
    out = f(*vs, "value")
    out.backward()
    ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a, b, c)]
    ref = f(*ts, "torch")
    ref.backward()
    assert close(out.data, ref.item(), 1e-12)
    for v, t in zip(vs, ts):
        assert close(v.grad, t.grad.item(), 1e-10)
    # Accumulation across two backward calls matches PyTorch too.
    ref2 = f(*ts, "torch")
    ref2.backward()
    out.backward()
    for v, t in zip(vs, ts):
        assert close(v.grad, t.grad.item(), 1e-10)
