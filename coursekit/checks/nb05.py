"""Public checks of notebook 05, backpropagation and computational graphs.

Expected values come from the formulas and from central differences computed here, never from
a reference solution.
"""
from __future__ import annotations

import numpy as np

from ..nn.gradcheck import numerical_gradient
from .core import Checks
from .verdict import Verdict

__all__ = ["check_gate_backward", "check_two_layer_backprop", "check_gradient_check",
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


def check_two_layer_backprop(forward_backward) -> Verdict:
    """forward_backward(X, Y, params) -> (loss, grads) against central differences."""
    c = Checks("05.two_layer_backprop", "backprop through sigmoid hidden layer and linear output")
    for seed, shape in [(1, (1, 2, 3, 1)), (2, (5, 3, 4, 2))]:
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
        for k in ("W1", "b1", "W2", "b2"):
            want = numerical_gradient(lambda w, k=k: two_layer_loss(X, Y, {**copy, k: w}), copy[k], h=1e-6)
            hint = {"W2": "dW2 = A1^T dZ2 with dZ2 = (Yhat - Y) / N",
                    "b2": "db2 = sum of dZ2 over the examples",
                    "W1": "dZ1 = (dZ2 W2^T) * A1 (1 - A1); dW1 = X^T dZ1",
                    "b1": "db1 = sum of dZ1 over the examples"}[k]
            c.close(grads.get(k), want, f"{tag}: d loss / d {k} (shape {copy[k].shape})", hint,
                    rtol=1e-5, atol=1e-8)
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
