"""RNN: shapes, the recurrence, BPTT against numerical gradients and torch.nn.RNN, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _numgrad import check_layer, numerical_gradient, rel_error
from coursekit.backend import asarray, to_numpy
from coursekit.nn import RNN, ShapeError


def test_forward_follows_the_recurrence(backend):
    _, xp, dev = backend
    rng = np.random.default_rng(0)
    layer = RNN(3, 4, seed=1)
    layer.params["b"] = rng.normal(size=4)
    x, h0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4))
    p = {k: v.copy() for k, v in layer.params.items()}
    layer.to(xp, device=dev)
    hs = to_numpy(layer.forward(asarray(x, xp, device=dev), h0=asarray(h0, xp, device=dev)))
    assert hs.shape == (2, 5, 4)
    h = h0
    for t in range(5):
        h = np.tanh(x[:, t] @ p["Wx"] + h @ p["Wh"] + p["b"])
        np.testing.assert_allclose(hs[:, t], h, atol=1e-12)


def test_zero_initial_state_by_default():
    layer = RNN(2, 3)
    x = np.random.default_rng(1).normal(size=(4, 6, 2))
    np.testing.assert_array_equal(layer.forward(x), layer.forward(x, h0=np.zeros((4, 3))))


@pytest.mark.parametrize("N,T,D,H", [(2, 4, 3, 5), (1, 7, 2, 3)])
def test_bptt_gradient_check(backend, N, T, D, H):
    _, xp, dev = backend
    layer = RNN(D, H, seed=2)
    layer.params["b"] = np.random.default_rng(3).normal(size=H)
    x = np.random.default_rng(4).normal(size=(N, T, D))
    errors = check_layer(layer, x, xp, dev)
    assert max(errors.values()) < 1e-6, errors


def test_gradient_with_respect_to_h0(backend):
    _, xp, dev = backend
    rng = np.random.default_rng(5)
    layer = RNN(2, 3, seed=6).to(xp, device=dev)
    x, h0, dH = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 4, 3))
    xa = asarray(x, xp, device=dev)
    layer.forward(xa, h0=asarray(h0, xp, device=dev))
    layer.backward(asarray(dH, xp, device=dev))

    def loss(h):
        return float(np.sum(to_numpy(layer.forward(xa, h0=asarray(h, xp, device=dev))) * dH))

    assert rel_error(layer.dh0, numerical_gradient(loss, h0.copy())) < 1e-6


def test_matches_torch_rnn():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    N, T, D, H = 3, 6, 4, 5
    layer = RNN(D, H, seed=8)
    layer.params["b"] = rng.normal(size=H)
    ref = torch.nn.RNN(D, H, batch_first=True, nonlinearity="tanh").double()
    with torch.no_grad():   # torch computes x W_ih^T + h W_hh^T + b_ih + b_hh
        ref.weight_ih_l0.copy_(torch.from_numpy(layer.params["Wx"].T))
        ref.weight_hh_l0.copy_(torch.from_numpy(layer.params["Wh"].T))
        ref.bias_ih_l0.copy_(torch.from_numpy(layer.params["b"]))
        ref.bias_hh_l0.zero_()
    x, h0, dH = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, T, H))
    hs = layer.forward(x, h0=h0)
    dx = layer.backward(dH)
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    out, _ = ref(xt, h0t)
    out.backward(torch.from_numpy(dH))
    np.testing.assert_allclose(hs, out.detach().numpy(), atol=1e-12)
    assert rel_error(dx, xt.grad.numpy()) < 1e-10
    assert rel_error(layer.dh0, h0t.grad.numpy()[0]) < 1e-10
    assert rel_error(layer.grads["Wx"], ref.weight_ih_l0.grad.numpy().T) < 1e-10
    assert rel_error(layer.grads["Wh"], ref.weight_hh_l0.grad.numpy().T) < 1e-10
    assert rel_error(layer.grads["b"], ref.bias_ih_l0.grad.numpy()) < 1e-10


def test_grad_norms_show_vanishing_gradients():
    # Small recurrent weights: the gradient of a last-step loss shrinks going back in time.
    layer = RNN(2, 8, seed=9)
    layer.params["Wh"] = layer.params["Wh"] * 0.3
    x = np.random.default_rng(10).normal(size=(4, 20, 2))
    layer.forward(x)
    dH = np.zeros((4, 20, 8))
    dH[:, -1] = 1.0
    layer.backward(dH)
    norms = to_numpy(layer.grad_norms)
    assert norms.shape == (20,)
    assert norms[-1] == pytest.approx(np.sqrt(4 * 8))
    assert norms[0] < 1e-4 * norms[-1]
    assert np.all(np.diff(norms) > 0)


def test_errors_are_explained():
    layer = RNN(3, 4)
    with pytest.raises(ShapeError, match=r"RNN expected input of shape \(N, T, 3\).*got \(5, 3\).*batch axis"):
        layer.forward(np.zeros((5, 3)))
    with pytest.raises(ShapeError, match=r"got \(2, 3, 7\).*time on axis 2"):
        layer.forward(np.zeros((2, 3, 7)))
    with pytest.raises(ShapeError, match=r"h0 of shape \(2, 4\)"):
        layer.forward(np.zeros((2, 5, 3)), h0=np.zeros((4,)))
    layer.forward(np.zeros((2, 5, 3)))
    with pytest.raises(ShapeError, match=r"dH of shape \(2, 5, 4\)"):
        layer.backward(np.zeros((2, 4)))
