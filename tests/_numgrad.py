"""A small central-difference gradient checker for the layer tests (independent of nn.gradcheck).

``check_layer`` compares a layer's backward with numerical derivatives of the scalar
L = sum(forward(x) * dout) for a fixed random ``dout``: dL/dx and dL/dparam for every param.
The perturbations are made in NumPy float64 and moved to the layer's backend for each forward.
"""
from __future__ import annotations

import numpy as np

from coursekit.backend import asarray, to_numpy


def rel_error(a, b) -> float:
    """max |a - b| / max(|a| + |b|, tiny): the relative error used by CS231n-style checks."""
    a, b = to_numpy(a).astype(np.float64), to_numpy(b).astype(np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-12))


def numerical_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar function f at the NumPy array x (x is restored)."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = f(x)
        flat[i] = old - h
        fm = f(x)
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * h)
    return grad


def check_layer(layer, x_np: np.ndarray, xp, device=None, seed: int = 0, train: bool = True,
                forward_kwargs=None, reset=None):
    """Return {'x': err, param: err, ...}: relative errors of backward vs central differences.

    ``reset`` (optional) is called before every forward, for layers with random state (Dropout)
    or running statistics that must not drift between evaluations.
    """
    forward_kwargs = forward_kwargs or {}
    layer.to(xp, device=device, dtype=xp.float64)
    x_np = np.array(x_np, dtype=np.float64)

    def run(x_arr):
        if reset is not None:
            reset(layer)
        return layer.forward(asarray(x_arr, xp, device=device), train=train, **forward_kwargs)

    out = run(x_np)
    dout_np = np.random.default_rng(seed + 1).normal(size=tuple(out.shape))
    dout = asarray(dout_np, xp, device=device)
    dout_before = to_numpy(dout).copy()
    dx = layer.backward(dout)
    assert np.array_equal(to_numpy(dout), dout_before), f"{layer.name}.backward mutated its input"
    analytic = {"x": to_numpy(dx)}
    analytic.update({k: to_numpy(g) for k, g in layer.grads.items()})

    def loss_of_x(xv):
        return float(np.sum(to_numpy(run(xv)) * dout_np))

    errors = {"x": rel_error(analytic["x"], numerical_gradient(loss_of_x, x_np.copy()))}
    for name in list(layer.params):
        p_np = np.array(to_numpy(layer.params[name]), dtype=np.float64)

        def loss_of_p(pv, name=name):
            layer.params[name] = asarray(pv, xp, device=device)
            return loss_of_x(x_np)

        num = numerical_gradient(loss_of_p, p_np)
        layer.params[name] = asarray(p_np, xp, device=device)
        assert analytic[name].shape == p_np.shape, f"grads[{name!r}] has the wrong shape"
        errors[name] = rel_error(analytic[name], num)
    return errors
