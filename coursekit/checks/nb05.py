"""Public checks of notebook 05, backpropagation and computational graphs.

Expected values come from the formulas and from central differences computed here, never from
a reference solution.
"""
from __future__ import annotations

import numpy as np

from ..nn.gradcheck import numerical_gradient
from .core import Checks
from .gradients import compare_gradients
from .verdict import Verdict

__all__ = ["check_gate_backward", "check_two_layer_backprop", "check_gradient_check", "check_value_ops",
           "check_value_backward", "check_value_mlp",
           "two_layer_loss"]


def _sig(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _pair(c, out, name):
    if out is None:
        return None
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        c.case(False, f"{name} returns a pair (dx, dy)", f"got {type(out).__name__}")
        return None
    return out


def check_gate_backward(add_backward, mul_backward, max_backward, sigmoid_backward) -> Verdict:
    """The local backward rules of the add, multiply, max and sigmoid gates."""
    c = Checks("05.gate_backward", "add distributes, mul switches, max routes, sigmoid scales")
    # the (x + y) z graph: q = x + y = 3 receives dq = z = -4
    out = _pair(c, c.call(add_backward, -2.0, 5.0, -4.0, description="add_backward"), "add_backward")
    if out:
        c.close(out[0], -4.0, "add gate of (x + y) z: dx = -4", "the add gate passes dout unchanged")
        c.close(out[1], -4.0, "add gate of (x + y) z: dy = -4")
    out = _pair(c, c.call(mul_backward, 3.0, -4.0, 1.0, description="mul_backward"), "mul_backward")
    if out:
        c.close(out, [-4.0, 3.0], "mul gate q * z at q=3, z=-4: (dq, dz) = (-4, 3)",
                "each input gets the OTHER input times dout")
    x = np.array([1.0, -2.0, 3.0])
    y = np.array([2.0, -3.0, 0.5])
    d = np.array([0.5, 2.0, -1.0])
    out = _pair(c, c.call(max_backward, x, y, d, description="max_backward"), "max_backward")
    if out:
        c.close(out, [[0.0, 2.0, -1.0], [0.5, 0.0, 0.0]], "max gate on arrays routes dout to the larger input",
                "the winner gets all of dout, the loser gets 0")
    out = c.call(add_backward, x, y, d, description="add_backward on arrays")
    if _pair(c, out, "add_backward"):
        c.close(out, [d, d], "add gate on arrays: both inputs get dout")
    out = _pair(c, c.call(mul_backward, x, y, d, description="mul_backward on arrays"), "mul_backward")
    if out:
        c.close(out, [y * d, x * d], "mul gate on arrays, elementwise")
    z = np.array([0.0, 1.0, -3.0, 40.0])
    got = c.call(sigmoid_backward, z, np.ones(4), description="sigmoid_backward")
    if got is not None:
        s = _sig(z)
        c.close(got, s * (1 - s), "sigmoid gate at z = 0, 1, -3, 40 with dout = 1: sigma(z)(1 - sigma(z))",
                "sigma'(z) = sigma(z) (1 - sigma(z)); at z=0 it is 0.25", atol=1e-12)
    got = c.call(sigmoid_backward, np.array([1.0]), np.array([2.0]), description="sigmoid_backward")
    if got is not None:
        s = _sig(1.0)
        c.close(got, [2.0 * s * (1 - s)], "sigmoid gate multiplies by dout", atol=1e-12)
    return Verdict(c.report())


def two_layer_loss(X, Y, params) -> float:
    """The loss of notebook 05's two-layer network: sigmoid hidden layer, linear output,
    L = 1/(2N) * sum of squared errors. X (N, D), Y (N, C), params W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)."""
    A1 = _sig(X @ params["W1"] + params["b1"])
    Yhat = A1 @ params["W2"] + params["b2"]
    return float(0.5 * np.sum((Yhat - Y) ** 2) / X.shape[0])


def _problem(seed, N, D, H, C):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(N, D)), rng.normal(size=(N, C))
    params = {"W1": rng.normal(size=(D, H)), "b1": rng.normal(size=H) * 0.5,
              "W2": rng.normal(size=(H, C)), "b2": rng.normal(size=C) * 0.5}
    return X, Y, params


_TWO_LAYER_HINTS = {
    "dW2": "dW2 = A1^T dZ2 with dZ2 = (Yhat - Y) / N",
    "db2": "db2 = sum of dZ2 over the examples (axis 0)",
    "dW1": "dZ1 = (dZ2 W2^T) * A1 (1 - A1); dW1 = X^T dZ1",
    "db1": "db1 = sum of dZ1 over the examples (axis 0)",
}
_TWO_LAYER_ORDER = ("W2", "b2", "W1", "b1")


def _two_layer_grads(X, Y, p, *, mean=True, sigma_prime=True, transpose_w2=False):
    """The gradients of two_layer_loss by the formulas; the flags give the usual mistakes'."""
    A1 = _sig(X @ p["W1"] + p["b1"])
    dZ2 = (A1 @ p["W2"] + p["b2"] - Y) / (X.shape[0] if mean else 1.0)
    W2 = p["W2"].T if transpose_w2 and p["W2"].shape[0] == p["W2"].shape[1] else p["W2"]
    dZ1 = dZ2 @ W2.T * (A1 * (1.0 - A1) if sigma_prime else 1.0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def _two_layer_mistakes(X, Y, p):
    """(hint, gradients in _TWO_LAYER_ORDER) for the usual mistakes of 05.two_layer_backprop."""
    mistakes = [("the 1/N of the mean is missing: dZ2 = (Yhat - Y) / N, since L divides by N",
                 _two_layer_grads(X, Y, p, mean=False)),
                ("the sigmoid's derivative is missing: dZ1 = (dZ2 W2^T) * A1 (1 - A1), the sigma' factor "
                 "A1 (1 - A1) comes from the hidden layer's activation", _two_layer_grads(X, Y, p, sigma_prime=False))]
    if p["W2"].shape[0] == p["W2"].shape[1]:
        mistakes.append(("W2 is used without its transpose on the way back: dA1 = dZ2 W2^T",
                         _two_layer_grads(X, Y, p, transpose_w2=True)))
    return [(hint, [g[k] for k in _TWO_LAYER_ORDER]) for hint, g in mistakes]


def check_two_layer_backprop(forward_backward) -> Verdict:
    """forward_backward(X, Y, params) -> (loss, grads), each gradient against central differences.

    Per parameter (dW2, db2, dW1, db1: the order backprop finds them) the relative error to the
    numerical gradient is reported, the first one off is named, and a missing 1/N, a transpose or
    a missing sigma' is recognised (checks.gradients.compare_gradients).
    """
    c = Checks("05.two_layer_backprop", "backprop through sigmoid hidden layer and linear output")
    for seed, shape in [(1, (1, 2, 3, 1)), (2, (5, 3, 4, 2)), (3, (4, 3, 3, 3))]:
        X, Y, params = _problem(seed, *shape)
        copy = {k: v.copy() for k, v in params.items()}
        out = c.call(forward_backward, X, Y, params, description="forward_backward")
        if out is None:
            continue
        try:
            loss, grads = out
        except Exception:
            c.case(False, "returns (loss, grads)", f"got {type(out).__name__}")
            continue
        tag = f"N={shape[0]}, D={shape[1]}, H={shape[2]}, C={shape[3]}"
        c.close(loss, two_layer_loss(X, Y, copy), f"{tag}: the loss", "L = sum of squared errors / (2N)")
        if not isinstance(grads, dict):
            c.case(False, f"{tag}: grads is a dict", f"got {type(grads).__name__}")
            continue
        want = [numerical_gradient(lambda w, k=k: two_layer_loss(X, Y, {**copy, k: w}), copy[k].copy(), h=1e-6)
                for k in _TWO_LAYER_ORDER]
        compare_gradients(c, tag, [grads.get(k) for k in _TWO_LAYER_ORDER], want, hints=_TWO_LAYER_HINTS,
                          tol=1e-6, n_examples=shape[0], mistakes=_two_layer_mistakes(X, Y, copy))
        if any(not np.array_equal(params[k], copy[k]) for k in params):
            c.case(False, f"{tag}: params unchanged", "do not modify the parameters in place")
    return Verdict(c.report())


def check_gradient_check(relative_error, numerical_gradient) -> Verdict:
    """relative_error(a, b) and numerical_gradient(f, x, h)."""
    c = Checks("05.gradient_check", "relative error and central differences")
    for a, b, want, name in [([1.0, 2.0], [1.0, 2.0], 0.0, "equal arrays"),
                             ([1.0, 0.0], [0.0, 1.0], np.sqrt(2) / 2, "[1, 0] vs [0, 1]"),
                             ([[3.0, 0.0]], [[0.0, 4.0]], 5.0 / 7.0, "[[3, 0]] vs [[0, 4]] (2-D)"),
                             ([0.0, 0.0], [0.0, 0.0], 0.0, "two zero arrays (no division by zero)")]:
        got = c.call(relative_error, np.array(a), np.array(b), description=f"relative_error({name})")
        if got is not None:
            c.close(got, want, f"relative_error: {name}", "||a - b|| / max(||a|| + ||b||, 1e-300)")
    x = np.array([1.0, -2.0, 0.5])
    x0 = x.copy()
    got = c.call(numerical_gradient, lambda v: float(np.sum(v ** 3)), x, description="numerical_gradient")
    if got is not None:
        c.close(got, 3 * x0 ** 2, "gradient of sum(x^3) at [1, -2, 0.5] is 3 x^2", rtol=1e-6, atol=1e-7,
                hint="(f(x + h e_i) - f(x - h e_i)) / (2h) for each coordinate i")
        c.equal(x, x0, "x is unchanged afterwards", "put each coordinate back after perturbing it")
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = c.call(numerical_gradient, lambda v: float(v[0, 0] * v[1, 1] - v[0, 1] ** 2), M.copy(),
                 description="numerical_gradient on a matrix")
    if got is not None:
        c.close(got, [[4.0, -4.0], [0.0, 1.0]], "gradient of a*d - b^2 for a 2x2 matrix (same shape as x)",
                rtol=1e-6, atol=1e-7)
    return Verdict(c.report())


# --- 05.value_ops, 05.value_backward, 05.value_mlp: the students' own Value ----------------------
# The students' class has the interface of the notebook's skeleton: Value(data, children=(), op="",
# label=""), attributes data, grad, children, op, label and _backward (a function, a no-op for a
# leaf). The expected numbers come from coursekit.autograd, the course's reference engine.

def _local(c, Value, build, out_grad, want, what, wrong=()):
    """Run one operation's _backward alone (out.grad preset) and compare the inputs' grads.

    build(Value) -> (out, inputs); want: the inputs' expected grads; wrong: (grads, hint) pairs,
    the grads a usual mistake gives, each with the hint that names it.
    """
    try:
        out, inputs = build(Value)
        out.grad = out_grad
        out._backward()
        got = [float(v.grad) for v in inputs]
    except NotImplementedError:
        c.not_attempted = True
        return c.case(False, what, "it still raises NotImplementedError")
    except Exception as err:
        return c.case(False, what, f"it raised {type(err).__name__}: {err}")
    hint = next((h for g, h in wrong if np.allclose(got, g, rtol=1e-9, atol=1e-12)), "")
    return c.close(got, want, what, hint, rtol=1e-9, atol=1e-12)


def _forward_cases(c, Value):
    a, b = Value(2.0), Value(-3.0)
    for expr, want, name in [(lambda: a + b, -1.0, "a + b"), (lambda: a * b, -6.0, "a * b"),
                             (lambda: a ** 3, 8.0, "a ** 3"), (lambda: a.tanh(), np.tanh(2.0), "a.tanh()"),
                             (lambda: a + 1, 3.0, "a + 1 (a number on the right)"),
                             (lambda: 1 + a, 3.0, "1 + a (__radd__)"), (lambda: 2 * a, 4.0, "2 * a (__rmul__)"),
                             (lambda: a * b + a, -4.0, "a * b + a")]:
        out = c.call(expr, description=name)
        if out is not None:
            c.close(getattr(out, "data", None), want, f"forward: {name} at a = 2, b = -3: .data = {want:.6g}",
                    "compute .data from the inputs' .data; wrap a plain number as Value(number)", rtol=1e-12)
    out = c.call(lambda: a * b, description="a * b")
    if out is not None:
        kids = tuple(getattr(out, "children", ()))
        c.case(len(kids) == 2 and kids[0] is a and kids[1] is b, "a * b records its inputs: children == (a, b)",
               "pass (self, other) as the children of the new Value: backward and the drawing follow them")


def _usable_value_class(c, Value) -> bool:
    """False, with a failed case saying why, unless ``Value(1.0)`` makes a node with ``.data``:
    a class not written yet, or one that raises, costs this check, not a traceback."""
    if not callable(Value):
        c.case(False, "Value is your class", f"got {type(Value).__name__}: pass the class itself, "
               "check(Value), after running the cell that defines it")
        return False
    node = c.call(Value, 1.0, description="Value(1.0)")
    if node is None:
        return False
    if not hasattr(node, "data"):
        c.case(False, "Value(1.0).data is 1.0", "store the number in self.data")
        return False
    return True


def check_value_ops(Value) -> Verdict:
    """The forward operations of the students' Value and each one's local backward rule."""
    c = Checks("05.value_ops", "+, *, ** and tanh: forward values and the _backward closures")
    if not _usable_value_class(c, Value):
        return Verdict(c.report())
    _forward_cases(c, Value)
    t = np.tanh(0.8)
    forgot = "multiply by out.grad: the chain rule scales the local derivative by the gradient arriving"
    _local(c, Value, lambda V: ((lambda a, b: (a * b, (a, b)))(V(2.0), V(-3.0))), 2.0, [-6.0, 4.0],
           "mul: out = a * b, out.grad = 2 gives a.grad = b * 2, b.grad = a * 2",
           [([4.0, -6.0], "each input gets the OTHER input's data times out.grad"), ([-3.0, 2.0], forgot)])
    _local(c, Value, lambda V: ((lambda a, b: (a + b, (a, b)))(V(2.0), V(-3.0))), 2.0, [2.0, 2.0],
           "add: out = a + b, out.grad = 2 gives both inputs 2",
           [([1.0, 1.0], forgot)])
    _local(c, Value, lambda V: ((lambda a: (a ** 3, (a,)))(V(2.0))), 0.5, [6.0],
           "pow: out = a ** 3 at a = 2, out.grad = 0.5 gives 3 a**2 * 0.5 = 6",
           [([12.0], forgot), ([2.0], "the derivative of a**k is k * a**(k - 1), not k * a**(k - 2)"),
            ([8.0], "the derivative of a**k is k * a**(k - 1), not a**k")])
    _local(c, Value, lambda V: ((lambda a: (a.tanh(), (a,)))(V(0.8))), 2.0, [(1 - t * t) * 2.0],
           "tanh: out = tanh(0.8), out.grad = 2 gives (1 - t**2) * 2 with t = tanh(0.8)",
           [([(1 - t) * 2.0], "tanh' = 1 - t**2 (t squared), not 1 - t"),
            ([(1 - 0.64) * 2.0], "tanh' = 1 - t**2 with t = tanh(x), the OUTPUT, not 1 - x**2"),
            ([1 - t * t], forgot)])
    branch = "a value used twice must collect both shares: write self.grad += ... and other.grad += ..."
    _local(c, Value, lambda V: ((lambda a: (a * a, (a,)))(V(3.0))), 1.0, [6.0],
           "branch: out = a * a at a = 3 gives a.grad = 3 + 3 = 6",
           [([3.0], branch + " (with = the second assignment overwrites the first)")])
    _local(c, Value, lambda V: ((lambda a: (a + a, (a,)))(V(3.0))), 1.0, [2.0],
           "branch: out = a + a gives a.grad = 1 + 1 = 2", [([1.0], branch)])
    _local(c, Value, lambda V: ((lambda a: (a * 4, (a,)))(V(3.0))), 1.0, [4.0],
           "a number on the right: out = a * 4 gives a.grad = 4")
    return Verdict(c.report())


class _Node:
    """A correct Value with the students' interface, so 05.value_backward is checked on its own
    (a slip in 05.value_ops does not show up as a slip in backward)."""

    def __init__(self, data, children=(), op="", label=""):
        self.data, self.grad, self.children, self.op, self.label = float(data), 0.0, tuple(children), op, label
        self._backward = lambda: None

    def _make(self, data, children, op, rule):
        out = _Node(data, children, op)

        def backward():
            for child, local in zip(children, rule()):
                child.grad += local * out.grad
        out._backward = backward
        return out

    def __add__(self, other):
        return self._make(self.data + other.data, (self, other), "+", lambda: (1.0, 1.0))

    def __mul__(self, other):
        return self._make(self.data * other.data, (self, other), "*", lambda: (other.data, self.data))

    def tanh(self):
        t = float(np.tanh(self.data))
        return self._make(t, (self,), "tanh", lambda: (1.0 - t * t,))


def _graphs(V):
    """(name, root, leaves) of the graphs backward is tried on, built from V (a Value class)."""
    x = V(0.5)
    u = x * V(3.0)
    uneven = (u + u.tanh().tanh(), [x])      # u feeds a short and a long path: order matters
    y = V(-0.7)
    v = y + V(1.0)
    shared = (v * v, [y])                    # an interior node used twice
    a, b = V(0.3), V(-1.2)
    neuron = (((a * V(2.0)) + (b * V(-1.0)) + V(0.5)).tanh(), [a, b])
    return [("f = u + tanh(tanh(u)), u = 3x at x = 0.5", *uneven),
            ("f = v * v, v = y + 1 at y = -0.7", *shared),
            ("f = tanh(2a - b + 0.5) at a = 0.3, b = -1.2", *neuron)]


def _expected_grads():
    from ..autograd import Value as Ref
    out = []
    for _, root, leaves in _graphs(lambda d: Ref(float(d))):
        root.backward()
        out.append([v.grad for v in leaves])
    return out


def _check_order(c, topological_order):
    for name, root, _ in _graphs(_Node)[:2]:
        order = c.call(topological_order, root, description=f"topological_order of {name}")
        if order is None:
            continue
        order = list(order)
        ids = [id(n) for n in order]
        pos = {i: k for k, i in enumerate(ids)}
        want = {id(n) for n in _walk(root)}
        c.case(len(ids) == len(set(ids)), f"{name}: each node once in the order",
               "a node used twice appears twice: keep a set of visited nodes and skip those seen")
        c.case(set(ids) == want, f"{name}: all {len(want)} nodes of the graph, nothing else",
               f"got {len(set(ids))} distinct nodes; visit every child of every node")
        c.case(all(pos.get(id(k), -1) < pos[id(n)] for n in order if id(n) in pos for k in n.children),
               f"{name}: every node after its children, the root last",
               "append a node only after all its children (depth-first search, post-order)")


def _walk(root):
    seen, stack = {}, [root]
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen[id(n)] = n
            stack.extend(n.children)
    return list(seen.values())


_ORDER_HINT = ("a node passed its gradient on before every use of it had reported: call each node's "
               "_backward in reverse topological order (the root first), once per node")


def _run_backward(c, backward, root, leaves, want, name):
    """backward(root) twice on one graph: the grads, the seed, no double counting."""
    n = len(c.results)
    c.call(backward, root, description=f"backward on {name}", require_value=False)
    if len(c.results) > n:  # it raised: the failure is recorded
        return
    got = [v.grad for v in leaves]
    if np.allclose(got, 0.0) and not np.allclose(want, 0.0):
        c.case(False, f"{name}: d f / d leaves", "every gradient is 0: seed the root with root.grad = 1.0 "
               "(after zeroing, before the first _backward)")
        return
    twice = np.allclose(got, 2 * np.asarray(want), rtol=1e-9)
    if not c.close(got, want, f"{name}: d f / d leaves = {np.round(want, 6).tolist()}",
                   "a node used twice was processed twice: visit each node once" if twice else _ORDER_HINT,
                   rtol=1e-9, atol=1e-12):
        return
    c.close(root.grad, 1.0, f"{name}: root.grad is 1 afterwards", "d f / d f = 1: set root.grad = 1.0")
    c.call(backward, root, description=f"backward on {name} a second time", require_value=False)
    c.close([v.grad for v in leaves], want, f"{name}: calling backward again gives the same gradients",
            "the gradients doubled: set every node's grad to 0 at the start of backward "
            "(each call then computes d root / d node afresh)", rtol=1e-9, atol=1e-12)


def check_value_backward(topological_order, backward, Value=None) -> Verdict:
    """topological_order(root) and backward(root), on correct nodes and then on the students' Value.

    Expected gradients: coursekit.autograd on the same graphs.
    """
    c = Checks("05.value_backward", "topological order, accumulation, the seed, no double counting")
    _check_order(c, topological_order)
    want = _expected_grads()
    for (name, root, leaves), w in zip(_graphs(_Node), want):
        _run_backward(c, backward, root, leaves, w, name)
    if Value is not None:
        try:
            graphs = _graphs(Value)
        except NotImplementedError:
            c.not_attempted = True
            graphs = []
            c.case(False, "the graphs built from your Value", "05.value_ops still raises NotImplementedError")
        except Exception as err:
            graphs = []
            c.case(False, "the graphs built from your Value", f"it raised {type(err).__name__}: {err}")
        for (name, root, leaves), w in zip(graphs, want):
            _run_backward(c, backward, root, leaves, w, f"your Value, {name}")
    return Verdict(c.report())


def _ref_mlp(p, x):
    hidden = [sum((w * xi for w, xi in zip(row, x)), b).tanh() for row, b in zip(p["W1"], p["b1"])]
    return sum((w * h for w, h in zip(p["W2"], hidden)), p["b2"])


def _ref_loss(p, X, Y):
    return sum(((_ref_mlp(p, x) - y) ** 2 * 0.5 for x, y in zip(X, Y)), 0.0) * (1.0 / len(X))


def _ref_train(p, X, Y, steps, lr):
    from ..lessons.nb05 import mlp_parameters
    losses = []
    for _ in range(steps):
        loss = _ref_loss(p, X, Y)
        loss.zero_grad()
        loss.backward()
        losses.append(loss.data)
        for w in mlp_parameters(p):
            w.data -= lr * w.grad
    return losses


def _mlp_forward_cases(c, mlp, loss_fn, Value, X, Y, ref):
    from ..lessons.nb05 import mlp_params
    p = mlp_params(Value, 2, 3, seed=5)
    out = c.call(mlp, p, X[1], description="mlp(params, x)")
    want = _ref_mlp(ref, X[1]).data
    if out is not None:
        c.close(getattr(out, "data", None), want, f"mlp at x = {X[1]}: the output .data",
                "no tanh on the output neuron: it is linear" if np.isclose(getattr(out, "data", 0), np.tanh(want))
                else "hidden h_j = tanh(sum_i W1[j][i] x_i + b1[j]); output sum_j W2[j] h_j + b2", rtol=1e-9)
    loss = c.call(loss_fn, p, X, Y, description="loss_fn(params, X, Y)")
    want = _ref_loss(ref, X, Y).data
    got = getattr(loss, "data", None)
    if loss is None:
        return None
    g = float(got) if isinstance(got, (int, float)) else np.nan
    hint = ("average over the examples (divide by N)" if np.isclose(g, want * len(X)) else
            "half the squared error, 0.5 * (out - y)**2, as nn.MSE" if np.isclose(g, 2 * want) else
            "the mean over the examples of 0.5 * (mlp(params, x) - y)**2")
    if not c.close(got, want, f"the loss on the {len(X)} toy points", hint, rtol=1e-9):
        return None
    return p, loss


def check_value_mlp(mlp, loss_fn, train, Value) -> Verdict:
    """mlp(params, x), loss_fn(params, X, Y) and train(params, X, Y, steps, lr) on the students'
    Value, against the same network built from coursekit.autograd (same weights, same data)."""
    from ..autograd import Value as Ref
    from ..lessons.nb05 import mlp_params, mlp_parameters, toy_data
    c = Checks("05.value_mlp", "an MLP of your Values: forward, gradients, a few steps of training")
    if not _usable_value_class(c, Value):
        return Verdict(c.report())
    X, Y = toy_data()
    ref = mlp_params(Ref, 2, 3, seed=5)
    got = _mlp_forward_cases(c, mlp, loss_fn, Value, X, Y, ref)
    if got is not None:
        p, loss = got
        if c.call(loss.backward, description="loss.backward()", require_value=False) is None:
            r = _ref_loss(ref, X, Y)
            r.backward()
            c.close([w.grad for w in mlp_parameters(p)], [w.grad for w in mlp_parameters(ref)],
                    "d loss / d every weight and bias equals coursekit.autograd's",
                    "the loss is right but not its gradients: pass 05.value_ops and 05.value_backward first",
                    rtol=1e-9, atol=1e-12)
    p = mlp_params(Value, 2, 3, seed=6)
    losses = c.call(train, p, X, Y, 8, 0.3, description="train(params, X, Y, steps=8, lr=0.3)")
    want = _ref_train(mlp_params(Ref, 2, 3, seed=6), X, Y, 8, 0.3)
    if losses is not None:
        losses = [float(getattr(v, "data", v)) for v in losses]
        c.equal(len(losses), 8, "train returns one loss per step (8)", "append loss.data once per step")
        if len(losses) == 8:
            up = losses[-1] > losses[0]
            c.case(not up, f"the loss decreases over 8 steps ({losses[0]:.4f} -> {losses[-1]:.4f})",
                   "step against the gradient: p.data -= lr * p.grad")
            c.close(losses, want, "the 8 losses equal coursekit.autograd's training run",
                    "the first loss is right but not the later ones: each step computes the loss, calls "
                    "backward, then updates every parameter once (mlp_parameters(params))"
                    if np.isclose(losses[0], want[0]) else "record the loss before each update",
                    rtol=1e-8)
    return Verdict(c.report())
