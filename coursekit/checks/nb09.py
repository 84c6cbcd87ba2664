"""Public checks of notebook 09, vectorization and GPUs.

Expected values come from the loop reference implementations and the FLOP formula in
``coursekit.lessons.nb09``, and from the NumPy run of the same model.
"""
from __future__ import annotations

import copy
import time

import numpy as np

from ..backend import available_backends, to_numpy
from ..lessons.nb09 import dense_backward_loop, dense_forward_loop
from .core import Checks
from .verdict import Verdict

__all__ = ["check_vectorize", "check_count_flops", "check_other_backend"]


def _case(seed, N, D, H):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, D)), rng.normal(size=(D, H)), rng.normal(size=H), rng.normal(size=(N, H))


def check_vectorize(dense_forward, dense_backward) -> Verdict:
    """dense_forward(X, W, b) -> X W + b; dense_backward(X, W, dout) -> (dX, dW, db)."""
    c = Checks("09.vectorize", "a dense layer as matrix products")
    for seed, (N, D, H) in enumerate([(3, 4, 2), (1, 5, 3), (6, 2, 7)]):
        X, W, b, dout = _case(seed, N, D, H)
        out = c.call(dense_forward, X, W, b, description=f"dense_forward on N={N}, D={D}, H={H}")
        if out is not None:
            c.close(out, dense_forward_loop(X, W, b), f"forward (N={N}, D={D}, H={H}) equals the loop version",
                    hint="out = X @ W + b, with b broadcast over the rows")
        grads = c.call(dense_backward, X, W, dout, description=f"dense_backward on N={N}, D={D}, H={H}")
        if grads is None:
            continue
        if not (isinstance(grads, (tuple, list)) and len(grads) == 3):
            c.case(False, "dense_backward returns (dX, dW, db)", "return a tuple of three arrays")
            continue
        want = dense_backward_loop(X, W, dout)
        for name, got, ref, hint in zip(("dX", "dW", "db"), grads, want,
                                        ("dX = dout @ W.T", "dW = X.T @ dout", "db = dout summed over the rows (axis 0)")):
            c.close(got, ref, f"{name} (N={N}, D={D}, H={H}) equals the loop version", hint=hint)
    X, W, b, dout = _case(9, 1000, 64, 64)
    t0 = time.perf_counter()
    out = c.call(dense_forward, X, W, b, description="dense_forward on 1000 examples")
    grads = c.call(dense_backward, X, W, dout, description="dense_backward on 1000 examples")
    took = time.perf_counter() - t0
    if out is not None and grads is not None:
        c.case(took < 0.5, "1000 examples x 64 inputs x 64 units, forward and backward, in under 0.5 s",
               f"it took {took:.2f} s: use matrix products, no Python loops")
    return Verdict(c.report())


def _reference_flops(sizes, n):
    f = sum(2 * a * b for a, b in zip(sizes[:-1], sizes[1:])) * n
    return f, 2 * f


def check_count_flops(mlp_flops) -> Verdict:
    """mlp_flops(sizes, n_examples) -> (forward FLOPs, backward FLOPs)."""
    c = Checks("09.count_flops", "FLOPs of an MLP")
    for sizes, n in [([64, 32, 10], 1), ([784, 100, 10], 32), ([2, 3], 5)]:
        got = c.call(mlp_flops, sizes, n, description=f"mlp_flops({sizes}, {n})")
        if got is None:
            continue
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            c.case(False, f"mlp_flops({sizes}, {n}) returns (forward, backward)", "return a pair of numbers")
            continue
        f, b = _reference_flops(sizes, n)
        c.close(got[0], f, f"forward FLOPs of layers {sizes} on {n} example(s)",
                hint="2 * n_in * n_out per dense layer and example, summed over the layers", rtol=0)
        c.close(got[1], b, f"backward FLOPs of layers {sizes} on {n} example(s)",
                hint="dW = x^T delta and dx = delta W^T: two products of the forward's size", rtol=0)
    return Verdict(c.report())


def _small_model(seed=0):
    from ..nn import Dense, ReLU, Sequential

    return Sequential(Dense(6, 8, seed=seed), ReLU(), Dense(8, 4, seed=seed + 1))


def check_other_backend(predict_on) -> Verdict:
    """predict_on(model, X, backend) -> NumPy array (N,) of predicted classes."""
    c = Checks("09.other_backend", "the same model on another array library")
    backends = {b.name: b for b in available_backends(include_gpu=False)}
    rng = np.random.default_rng(90)
    X = rng.normal(size=(25, 6))
    model = _small_model(3)
    want = np.argmax(to_numpy(model.forward(X, train=False)), axis=1)
    for name in ("array-api-strict", "numpy"):
        if name not in backends:
            continue
        got = c.call(predict_on, copy.deepcopy(model), X, backends[name],
                     description=f"predict_on(model, X, {name})")
        if got is None:
            c.case(False, f"{name}: returns the predictions", "it returned None: did you forget `return`?")
            continue
        c.case(isinstance(got, np.ndarray), f"{name}: returns a NumPy array",
               f"it returned a {type(got).__module__}.{type(got).__name__}: convert with to_numpy(...)")
        c.equal(got, want, f"{name}: the 25 predictions equal NumPy's",
                "move the model with model.to(backend.xp, device=backend.device), the data with "
                "backend.asarray(X), then take the argmax of the scores")
    return Verdict(c.report())
