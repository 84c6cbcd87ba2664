import numpy as np
import pytest

import coursekit.nn as nn
from coursekit.nn.base import ShapeError
from coursekit.lessons.nb11 import StepDense, sequence_accuracy, sequence_cross_entropy


def _numgrad(f, x, h=1e-6):
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def test_step_dense_and_loss_gradients_match_numerical():
    rng = np.random.default_rng(0)
    layer = StepDense(3, 4, seed=1)
    x = rng.normal(size=(2, 5, 3))
    Y = rng.integers(0, 4, size=(2, 5))
    loss = lambda: sequence_cross_entropy(layer.forward(x), Y)[0]  # noqa: E731
    _, d = sequence_cross_entropy(layer.forward(x), Y)
    dx = layer.backward(d)
    assert np.allclose(dx, _numgrad(loss, x), atol=1e-7)
    assert np.allclose(layer.grads["W"], _numgrad(loss, layer.params["W"]), atol=1e-7)
    assert np.allclose(layer.grads["b"], _numgrad(loss, layer.params["b"]), atol=1e-7)


def test_accuracy_and_shape_errors():
    scores = np.zeros((1, 3, 2))
    scores[0, :, 1] = 1.0
    assert sequence_accuracy(scores, np.array([[1, 0, 1]])) == pytest.approx(2 / 3)
    with pytest.raises(ShapeError):
        sequence_cross_entropy(scores, np.array([1, 0, 1]))
    with pytest.raises(ShapeError):
        StepDense(3, 2).forward(np.zeros((4, 3)))


def test_an_rnn_with_a_step_readout_learns_running_parity():
    from coursekit.datasets import running_parity

    X, Y = running_parity(200, 6, seed=0)
    model = nn.Sequential(nn.RNN(1, 8, seed=0), StepDense(8, 2, seed=1))
    opt = nn.Adam(0.03)
    for _ in range(300):
        _, d = sequence_cross_entropy(model.forward(X), Y)
        model.backward(d)
        opt.step(model)
    assert sequence_accuracy(model.forward(X), Y) > 0.95


def _indexing_reference(scores, Y):
    """The textbook NumPy version (fancy indexing) the array-API code must reproduce bit for bit."""
    N, T, _ = scores.shape
    z = scores - scores.max(axis=2, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
    n, t = np.meshgrid(np.arange(N), np.arange(T), indexing="ij")
    d = np.exp(logp)
    d[n, t, Y] -= 1.0
    return float(-logp[n, t, Y].mean()), d / (N * T)


def test_numpy_numbers_are_those_of_the_indexing_version():
    rng = np.random.default_rng(5)
    scores, Y = rng.normal(size=(7, 9, 3)) * 4, rng.integers(0, 3, size=(7, 9))
    loss, d = sequence_cross_entropy(scores, Y)
    ref_loss, ref_d = _indexing_reference(scores, Y)
    assert loss == ref_loss
    assert np.array_equal(d, ref_d)
    assert sequence_accuracy(scores, Y) == float(np.mean(scores.argmax(axis=2) == Y))


def test_sequence_model_on_every_backend(backend):
    """StepDense and the sequence loss run where the RNN runs; NumPy targets follow the scores."""
    from coursekit.backend import asarray, to_numpy

    _, xp, dev = backend
    rng = np.random.default_rng(6)
    x, Y = rng.normal(size=(3, 4, 2)), rng.integers(0, 2, size=(3, 4))
    ref = nn.Sequential(nn.RNN(2, 5, seed=0), StepDense(5, 2, seed=1))
    moved = nn.Sequential(nn.RNN(2, 5, seed=0), StepDense(5, 2, seed=1)).to(xp, device=dev)
    ref_loss, ref_d = sequence_cross_entropy(ref.forward(x), Y)
    loss, d = sequence_cross_entropy(moved.forward(asarray(x, xp, device=dev)), Y)
    assert abs(loss - ref_loss) < 1e-12
    ref.backward(ref_d)
    moved.backward(d)
    for (layer, k), (layer_ref, _) in zip(nn.optim.param_slots(moved), nn.optim.param_slots(ref)):
        assert np.allclose(to_numpy(layer.grads[k]), layer_ref.grads[k], atol=1e-12)
    assert sequence_accuracy(moved.forward(asarray(x, xp, device=dev)), Y) == \
        sequence_accuracy(ref.forward(x), Y)
