"""LSTM: the gate equations, BPTT against numerical gradients and torch.nn.LSTM, memory, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _numgrad import check_layer, numerical_gradient, rel_error
from coursekit.backend import asarray, to_numpy
from coursekit.nn import LSTM, RNN, ShapeError


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _reference(x, h, c, p, H):
    """The equations of Hochreiter & Schmidhuber with a forget gate, one step at a time."""
    hs = []
    for t in range(x.shape[1]):
        a = x[:, t] @ p["Wx"] + h @ p["Wh"] + p["b"]
        i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 2 * H:3 * H])
        g = np.tanh(a[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), c


def test_forward_follows_the_gate_equations(backend):
    _, xp, dev = backend
    rng = np.random.default_rng(0)
    layer = LSTM(3, 4, seed=1)
    layer.params["b"] = rng.normal(size=16)
    x, h0, c0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    p = {k: v.copy() for k, v in layer.params.items()}
    layer.to(xp, device=dev)
    hs = to_numpy(layer.forward(*(asarray(a, xp, device=dev) for a in (x,)),
                                h0=asarray(h0, xp, device=dev), c0=asarray(c0, xp, device=dev)))
    np.testing.assert_allclose(hs, _reference(x, h0, c0, p, 4)[0], atol=1e-12)


def test_the_forget_gate_starts_open():
    b = LSTM(2, 3).params["b"]
    np.testing.assert_array_equal(b, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])


@pytest.mark.parametrize("N,T,D,H", [(2, 4, 3, 5), (1, 7, 2, 3)])
def test_bptt_gradient_check(backend, N, T, D, H):
    _, xp, dev = backend
    layer = LSTM(D, H, seed=2)
    layer.params["b"] = np.random.default_rng(3).normal(size=4 * H)
    x = np.random.default_rng(4).normal(size=(N, T, D))
    errors = check_layer(layer, x, xp, dev)
    assert max(errors.values()) < 1e-6, errors


def test_gradients_with_respect_to_the_initial_state():
    rng = np.random.default_rng(5)
    layer = LSTM(2, 3, seed=6)
    x, h0, c0, dH = (rng.normal(size=s) for s in ((2, 4, 2), (2, 3), (2, 3), (2, 4, 3)))
    layer.forward(x, h0=h0, c0=c0)
    layer.backward(dH)
    assert rel_error(layer.dh0, numerical_gradient(
        lambda h: float(np.sum(layer.forward(x, h0=h, c0=c0) * dH)), h0.copy())) < 1e-6
    assert rel_error(layer.dc0, numerical_gradient(
        lambda c: float(np.sum(layer.forward(x, h0=h0, c0=c) * dH)), c0.copy())) < 1e-6


def test_matches_torch_lstm():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    N, T, D, H = 3, 6, 4, 5
    layer = LSTM(D, H, seed=8)
    layer.params["b"] = rng.normal(size=4 * H)
    ref = torch.nn.LSTM(D, H, batch_first=True).double()
    order = np.r_[0:H, H:2 * H, 3 * H:4 * H, 2 * H:3 * H]  # torch's blocks: i, f, g, o
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.from_numpy(layer.params["Wx"][:, order].T.copy()))
        ref.weight_hh_l0.copy_(torch.from_numpy(layer.params["Wh"][:, order].T.copy()))
        ref.bias_ih_l0.copy_(torch.from_numpy(layer.params["b"][order].copy()))
        ref.bias_hh_l0.zero_()
    x, dH = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, H))
    hs = layer.forward(x)
    dx = layer.backward(dH)
    xt = torch.tensor(x, requires_grad=True)
    out, _ = ref(xt)
    out.backward(torch.from_numpy(dH))
    np.testing.assert_allclose(hs, out.detach().numpy(), atol=1e-12)
    assert rel_error(dx, xt.grad.numpy()) < 1e-10
    assert rel_error(layer.grads["Wh"][:, order], ref.weight_hh_l0.grad.numpy().T) < 1e-10


def test_the_memory_carries_the_gradient_where_the_plain_rnn_loses_it():
    """A loss on the last of 30 steps: the RNN's gradient at step 0 has all but vanished, the
    LSTM's (forget gates near 1) keeps a sizeable fraction."""
    x = np.random.default_rng(10).normal(size=(4, 30, 2))
    ratios = {}
    for layer in (RNN(2, 8, seed=9), LSTM(2, 8, seed=9, forget_bias=3.0)):
        layer.forward(x)
        dH = np.zeros((4, 30, 8))
        dH[:, -1] = 1.0
        layer.backward(dH)
        norms = to_numpy(layer.grad_norms)
        assert norms.shape == (30,)
        ratios[type(layer).__name__] = norms[0] / norms[-1]
    assert ratios["RNN"] < 1e-3 and ratios["LSTM"] > 0.05, ratios


def test_errors_are_explained():
    layer = LSTM(3, 4)
    with pytest.raises(ShapeError, match=r"LSTM expected input of shape \(N, T, 3\).*got \(5, 3\).*batch axis"):
        layer.forward(np.zeros((5, 3)))
    with pytest.raises(ShapeError, match=r"c0 of shape \(2, 4\)"):
        layer.forward(np.zeros((2, 5, 3)), c0=np.zeros((4,)))
    layer.forward(np.zeros((2, 5, 3)))
    with pytest.raises(ShapeError, match=r"dH of shape \(2, 5, 4\)"):
        layer.backward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="at least 1"):
        LSTM(0, 3)
