"""coursekit.lessons.nb07: per-layer statistics, steps to a loss, and weight-space symmetries."""
import numpy as np
import pytest

from coursekit.lessons import nb07 as dg
from coursekit import nn


def _data(n=60, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.argmax(X[:, :k], axis=1)
    return X, y


def test_mlp_layers_and_options():
    m = dg.mlp([5, 8, 8, 3], "tanh", "glorot_normal", batchnorm=True, dropout=0.2)
    names = [type(l).__name__ for l in m.layers]
    assert names == ["Dense", "BatchNorm", "Tanh", "Dropout", "Dense", "BatchNorm", "Tanh", "Dropout", "Dense"]
    assert m.forward(np.zeros((2, 5))).shape == (2, 3)
    with pytest.raises(ValueError):
        dg.mlp([5], "relu")
    with pytest.raises(ValueError):
        dg.mlp([5, 3, 2], "swish")
    a, b = dg.mlp([5, 4, 2], seed=3), dg.mlp([5, 4, 2], seed=3)
    assert np.array_equal(a.layers[0].params["W"], b.layers[0].params["W"])


def test_layer_outputs_and_gradient_norms():
    X, y = _data()
    m = dg.mlp([5, 7, 6, 3], "sigmoid", "glorot_normal")
    outs = dg.layer_outputs(m, X)
    assert list(outs) == ["layer 1", "layer 2"]
    assert outs["layer 1"].shape == (60, 7) and np.all((outs["layer 2"] > 0) & (outs["layer 2"] < 1))
    norms = dg.weight_gradient_norms(m, X, y)
    assert norms.shape == (3,) and np.all(norms > 0)
    # the norm of the first layer's gradient equals a direct computation
    loss = nn.SoftmaxCrossEntropy()
    loss.forward(m.forward(X), y)
    m.backward(loss.backward())
    assert np.isclose(norms[0], np.linalg.norm(m.layers[0].grads["W"]))


def test_vanishing_gradients_in_deep_sigmoid_net():
    X, y = _data(n=64, d=16)
    sig = dg.weight_gradient_norms(dg.mlp([16] + [16] * 8 + [3], "sigmoid", "glorot_normal", seed=1), X, y)
    relu = dg.weight_gradient_norms(dg.mlp([16] + [16] * 8 + [3], "relu", "he_normal", seed=1), X, y)
    assert sig[-1] / sig[0] > 100
    assert relu[-1] / relu[0] < 100


def test_steps_to_loss():
    X, y = _data()
    m = dg.mlp([5, 16, 3], "relu")
    steps, curve = dg.steps_to_loss(m, X, y, optimizer=nn.SGD(lr=0.1), threshold=0.5, max_steps=2000,
                                    eval_every=5, batch_size=10)
    assert steps is not None and steps % 5 == 0
    assert curve[-1, 1] < 0.5 <= curve[-2, 1] and curve[0, 0] == 0
    steps, curve = dg.steps_to_loss(dg.mlp([5, 4, 3]), X, y, optimizer=nn.SGD(lr=1e-6), threshold=0.01,
                                    max_steps=20, eval_every=10)
    assert steps is None and len(curve) == 3
    assert dg.steps_to_loss(m, X, y, optimizer=nn.SGD(lr=0.1), threshold=100.0)[0] == 0


def test_permute_hidden_same_function_and_interpolate():
    X, _ = _data()
    m = dg.mlp([5, 6, 4, 3], "tanh", "glorot_normal", batchnorm=True)
    m.forward(X, train=True)  # update the running statistics
    perm = np.array([2, 0, 1, 5, 4, 3])
    twin = dg.permute_hidden(m, 1, perm)
    assert np.allclose(m.forward(X, train=False), twin.forward(X, train=False))
    assert not np.allclose(m.layers[0].params["W"], twin.layers[0].params["W"])
    twin2 = dg.permute_hidden(m, 2, [3, 2, 1, 0])
    assert np.allclose(m.forward(X, train=False), twin2.forward(X, train=False))
    with pytest.raises(ValueError):
        dg.permute_hidden(m, 3, [0, 1, 2])
    with pytest.raises(ValueError):
        dg.permute_hidden(m, 1, [0, 0, 1, 2, 3, 4])
    mid = dg.interpolate(m, twin, 0.5)
    assert np.allclose(mid.layers[0].params["W"], 0.5 * (m.layers[0].params["W"] + twin.layers[0].params["W"]))
    assert np.allclose(dg.interpolate(m, twin, 0.0).forward(X, train=False), m.forward(X, train=False))


def test_loss_curve_rows_and_divergence():
    X, y = _data()
    curve = dg.loss_curve(dg.mlp([5, 16, 3], "relu"), X, y, lr=0.1, steps=40, every=10, batch_size=10)
    assert curve.shape == (4, 2) and list(curve[:, 0]) == [10, 20, 30, 40]
    assert np.all(np.isfinite(curve[:, 1])) and curve[-1, 1] < curve[0, 1]
    # the rows are the means of the mini-batch losses SGD saw, in steps_to_loss's batch order
    twin = dg.mlp([5, 16, 3], "relu")
    loss, opt, rng = nn.SoftmaxCrossEntropy(), nn.SGD(lr=0.1), np.random.default_rng(0)
    order, seen = rng.permutation(60), []
    for k in range(10):
        if k == 6:  # 60 samples, batches of 10: a fresh shuffle after six steps
            order = rng.permutation(60)
        idx = order[(k % 6) * 10:(k % 6) * 10 + 10]
        seen.append(loss.forward(twin.forward(X[idx], train=True), y[idx]))
        twin.backward(loss.backward())
        opt.step(twin)
    assert np.isclose(curve[0, 1], np.mean(seen))
    boom = dg.loss_curve(dg.mlp([5, 16, 16, 3], "relu", std=3.0, init="normal"), X * 50, y, lr=5.0,
                         steps=200, every=10, batch_size=10)
    assert np.isinf(boom[-1, 1]) and boom[-1, 0] < 200 and np.all(np.isfinite(boom[:-1, 1]))
    with pytest.raises(ValueError):
        dg.loss_curve(twin, X, y, lr=0.1, steps=0)


def test_mlp_takes_a_batchnorm_class():
    made = []

    class Mine(nn.BatchNorm):
        def __init__(self, d):
            made.append(d)
            super().__init__(d)

    m = dg.mlp([5, 8, 6, 3], "relu", batchnorm=Mine)
    assert made == [8, 6] and [type(l).__name__ for l in m.layers] == ["Dense", "Mine", "ReLU", "Dense",
                                                                       "Mine", "ReLU", "Dense"]
