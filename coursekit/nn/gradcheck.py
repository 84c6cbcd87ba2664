"""Numerical gradient checking (notebooks 05, 06, 10, 11): is my backward right?

The derivative of a scalar function f along one coordinate is estimated by central differences,

    ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / (2h),

whose error shrinks like h². Compared with the analytic gradient from ``backward`` by the
relative error ‖a − n‖ / max(‖a‖ + ‖n‖, tiny) per parameter: below 1e-7 is right in float64,
above 1e-3 is a bug. Use float64 (float32 has only 7 digits) and inputs away from kinks (ReLU at 0).
"""
from __future__ import annotations

import numpy as np

from ..backend import asarray, to_numpy
from ..backend import xp_of

__all__ = ["numerical_gradient", "relative_error", "gradient_check", "GradCheckResult"]


def numerical_gradient(f, x, h: float = 1e-5):
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` (a Python number or a 0-d array).
    x : array, any shape, any array library
    h : float
        Step size.

    Returns
    -------
    array of ``x``'s shape, in ``x``'s library and device, float64. ``x`` is left unchanged.
    """
    xp = xp_of(x)
    device = getattr(x, "device", None)
    base = np.array(to_numpy(x), dtype=np.float64)  # a private host copy to perturb
    grad = np.zeros_like(base)
    flat, gflat = base.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = float(f(asarray(base, xp, device=device)))
        flat[i] = old - h
        fm = float(f(asarray(base, xp, device=device)))
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * h)
    return asarray(grad, xp, device=device)


def relative_error(a, b) -> float:
    """‖a − b‖ / max(‖a‖ + ‖b‖, 1e-300): 0 when both are zero."""
    a = np.asarray(to_numpy(a), dtype=np.float64)
    b = np.asarray(to_numpy(b), dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs arrays of one shape, got {a.shape} and {b.shape}.")
    num = float(np.linalg.norm(a - b))
    den = float(np.linalg.norm(a) + np.linalg.norm(b))
    return num / max(den, 1e-300)


class GradCheckResult(dict):
    """name -> relative error (``"x"`` for the input, ``"W"``/``"0.W"`` for parameters)."""

    def max(self) -> float:
        return max(self.values()) if self else 0.0

    def passed(self, tol: float = 1e-6) -> bool:
        return all(v < tol for v in self.values())

    def __repr__(self):
        width = max((len(k) for k in self), default=4)
        rows = [f"{k.ljust(width)}  relative error {v:.2e}  {'ok' if v < 1e-6 else 'CHECK'}"
                for k, v in self.items()]
        return "\n".join(rows) if rows else "GradCheckResult(no gradients)"


def _is_loss(obj) -> bool:
    from .losses import Loss

    return isinstance(obj, Loss) or (hasattr(obj, "forward") and not hasattr(obj, "params")
                                     and not hasattr(obj, "layers"))


def _slots(obj):
    """(name, layer, key) for the parameters of a layer or a model."""
    if hasattr(obj, "layers"):
        out = []
        for i, layer in enumerate(obj.layers):
            out.extend((f"{i}.{name}", lay, k) for name, lay, k in _slots(layer))
        return out
    return [(k, obj, k) for k in getattr(obj, "params", {}) or {}]


def _require_float64(name, arr):
    if hasattr(arr, "dtype") and "float64" not in str(arr.dtype):
        raise TypeError(f"gradient_check needs float64 for a meaningful comparison, but {name} is "
                        f"{arr.dtype}: use model.to(dtype='float64') and float64 inputs.")


def gradient_check(obj, x, y=None, *, loss=None, h: float = 1e-5, seed: int = 0,
                   train: bool = True) -> GradCheckResult:
    """Compare ``backward`` with numerical gradients for a layer, a model or a loss.

    Parameters
    ----------
    obj : layer, Sequential, or loss
        A loss is checked with respect to its scores: ``gradient_check(SoftmaxCrossEntropy(),
        scores, y)``.
    x : array
        Input of the layer/model (scores for a loss), float64.
    y : array, optional
        Targets, for a loss or for a model checked through ``loss``.
    loss : loss, optional
        With a layer or model: check the scalar ``loss(obj(x), y)``. Without: the scalar
        ``sum(obj(x) * dout)`` for a fixed random ``dout`` (seeded by ``seed``).
    h : float
        Finite-difference step.
    train : bool
        Passed to ``forward``. A layer that draws random numbers in training (Dropout) must draw
        the same ones at every call for the check to mean anything.

    Returns
    -------
    GradCheckResult
        Relative error per gradient: ``"x"`` for the input, then each parameter.
    """
    _require_float64("x", x)
    result = GradCheckResult()
    if _is_loss(obj):
        obj.forward(x, y)
        analytic = obj.backward()
        result["x"] = relative_error(analytic, numerical_gradient(lambda s: obj.forward(s, y), x, h))
        return result

    slots = _slots(obj)
    for name, layer, k in slots:
        _require_float64(name, layer.params[k])
    objective, dx = _objective_and_backward(obj, x, y, loss, seed, train)
    analytic = {name: layer.grads[k] for name, layer, k in slots}
    result["x"] = relative_error(dx, numerical_gradient(objective, x, h))
    for name, layer, k in slots:
        result[name] = relative_error(analytic[name], _parameter_gradient(objective, x, layer, k, h))
    return result


def _objective_and_backward(obj, x, y, loss, seed, train):
    """(objective, dx): the scalar function of the input that is checked, and the analytic
    gradient of it with respect to x (backward has also filled every layer's ``grads``).

    With ``loss``: loss(obj(x), y). Without: sum(obj(x) * dout) for a fixed random dout, seeded,
    so every output element contributes with its own weight."""
    if loss is not None:
        def objective(inp):
            return loss.forward(obj.forward(inp, train=train), y)

        objective(x)
        return objective, obj.backward(loss.backward())
    xp = xp_of(x)
    out = obj.forward(x, train=train)
    rng = np.random.default_rng(seed)
    dout = asarray(rng.standard_normal(tuple(out.shape)), xp, device=getattr(x, "device", None))

    def objective(inp):
        return float(xp.sum(obj.forward(inp, train=train) * dout))

    return objective, obj.backward(dout)


def _parameter_gradient(objective, x, layer, k, h):
    """Numerical gradient of ``objective(x)`` with respect to ``layer.params[k]``; the parameter
    is put back afterwards, even when the objective raises."""
    original = layer.params[k]

    def with_param(p):
        layer.params[k] = p
        return objective(x)

    try:
        return numerical_gradient(with_param, original, h)
    finally:
        layer.params[k] = original
