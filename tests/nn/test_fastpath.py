"""The NumPy fast paths of coursekit.nn give the same numbers as the generic array-API code.

A few hot spots (ReLU.backward, SoftmaxCrossEntropy, Dense's bias gradient) take a shortcut for
NumPy arrays. array-api-strict wraps NumPy and runs the generic code with the same NumPy
arithmetic underneath, so both paths must agree bit for bit (compared with ``array_equal`` and,
for zeros, with their sign).
"""
from __future__ import annotations

import numpy as np
import pytest

from coursekit.backend import asarray, to_numpy
from coursekit.nn import (SGD, Conv2D, Dense, Flatten, ReLU, Sequential, SoftmaxCrossEntropy,
                          fit)

xps = pytest.importorskip("array_api_strict")


def same_bits(a, b) -> bool:
    a, b = to_numpy(a), to_numpy(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(
        a.view(np.uint8), b.view(np.uint8))


def strict(a):
    return asarray(a, xps)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_relu_backward_matches_where(dtype):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((64, 100)).astype(dtype)
    z[0, :5] = 0.0  # the kink: gradient 0
    dout = rng.standard_normal((64, 100)).astype(dtype)  # negatives where z <= 0 give -0.0 * 0
    layer = ReLU()
    layer.forward(z)
    fast = layer.backward(dout)
    assert same_bits(fast, np.where(z > 0, dout, dtype(0.0)))
    assert not np.signbit(fast[z <= 0]).any(), "masked entries must be +0.0, as where gives"
    layer.forward(strict(z))
    assert same_bits(fast, layer.backward(strict(dout)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_cross_entropy_matches_generic(dtype):
    rng = np.random.default_rng(1)
    scores = (rng.standard_normal((64, 10)) * 5).astype(dtype)
    scores[3] = 1000.0  # large scores stay finite
    y = rng.integers(0, 10, 64)
    fast, generic = SoftmaxCrossEntropy(), SoftmaxCrossEntropy()
    assert fast.forward(scores, y) == generic.forward(strict(scores), strict(y))
    assert same_bits(fast.backward(), generic.backward())


def test_dense_matches_generic():
    rng = np.random.default_rng(2)
    x, dout = rng.standard_normal((64, 20)), rng.standard_normal((64, 7))
    a, b = Dense(20, 7, seed=3), Dense(20, 7, seed=3).to(xps)
    a.params["b"] = rng.standard_normal(7)
    b.params["b"] = strict(a.params["b"])
    assert same_bits(a.forward(x), b.forward(strict(x)))
    assert same_bits(a.backward(dout), b.backward(strict(dout)))
    for k in ("W", "b"):
        assert same_bits(a.grads[k], b.grads[k])


def test_fit_numpy_equals_fit_strict():
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((150, 12)), rng.integers(0, 3, 150)

    def run(xp):
        model = Sequential(Dense(12, 16, seed=0), ReLU(), Dense(16, 3, seed=1))
        if xp is not None:
            model.to(xp)
        hist = fit(model, X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=3,
                   batch_size=32, progress=False)
        return hist, [p for layer in model.layers for p in layer.params.values()]

    (h1, p1), (h2, p2) = run(None), run(xps)
    assert h1.loss == h2.loss and h1.accuracy == h2.accuracy
    assert all(same_bits(a, b) for a, b in zip(p1, p2))


def test_conv2d_first_layer_skips_input_gradient():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3, 8, 8))
    model = Sequential(Conv2D(3, 2, 3, padding=1), ReLU(), Flatten(), Dense(128, 5, seed=1))
    dout = rng.standard_normal((4, 5))
    model.forward(x)
    dx = model.backward(dout)
    grads = {k: v.copy() for k, v in model.grads.items()}
    model.forward(x)
    assert model.backward(dout, input_grad=False) is None
    assert dx.shape == x.shape
    for k, v in model.grads.items():
        assert same_bits(v, grads[k]), k
