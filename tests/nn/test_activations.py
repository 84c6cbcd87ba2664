"""Activations: values, derivatives, stability at ±1000, layers' gradients, Maxout."""
import numpy as np
import pytest

from coursekit.backend import asarray, to_numpy
from coursekit.nn import (ELU, LeakyReLU, Maxout, ReLU, ShapeError, Sigmoid, Softplus, Step, Tanh,
                          activations as A, gradient_check, numerical_gradient)

PAIRS = [
    ("step", A.step, A.step_grad), ("sigmoid", A.sigmoid, A.sigmoid_grad),
    ("tanh", A.tanh, A.tanh_grad), ("relu", A.relu, A.relu_grad),
    ("leaky_relu", A.leaky_relu, A.leaky_relu_grad), ("elu", A.elu, A.elu_grad),
    ("softplus", A.softplus, A.softplus_grad),
]

Z = np.array([-2.0, -0.5, 0.3, 1.7])
EXPECTED = {
    "step": [0, 0, 1, 1], "sigmoid": 1 / (1 + np.exp(-Z)), "tanh": np.tanh(Z),
    "relu": [0, 0, 0.3, 1.7], "leaky_relu": [-0.02, -0.005, 0.3, 1.7],
    "elu": [np.exp(-2) - 1, np.exp(-0.5) - 1, 0.3, 1.7], "softplus": np.log1p(np.exp(Z)),
}


@pytest.mark.parametrize("name,f,df", PAIRS, ids=[p[0] for p in PAIRS])
def test_values_and_derivatives(backend, name, f, df):
    _, xp, dev = backend
    z = asarray(Z, xp, device=dev)
    assert np.allclose(to_numpy(f(z)), EXPECTED[name])
    num = numerical_gradient(lambda t: float(xp.sum(f(t))), z)
    assert np.allclose(to_numpy(df(z)), to_numpy(num), atol=1e-7)


def test_known_derivative_facts():
    assert A.sigmoid_grad(np.array([0.0]))[0] == pytest.approx(0.25)
    assert A.tanh_grad(np.array([0.0]))[0] == pytest.approx(1.0)
    assert np.all(A.step_grad(Z) == 0)


@pytest.mark.parametrize("name,f,df", PAIRS, ids=[p[0] for p in PAIRS])
def test_stable_at_plus_minus_1000(backend, name, f, df):
    _, xp, dev = backend
    z = asarray([-1000.0, 1000.0], xp, device=dev)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow warning
        v, g = to_numpy(f(z)), to_numpy(df(z))
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(g))
    if name == "sigmoid":   # e^(-z) is capped at e^700: 1e-304 stands in for 5e-435, as good as 0
        assert 0.0 <= v[0] < 1e-300 and v[1] == 1.0


LAYERS = [Sigmoid, Tanh, ReLU, lambda: LeakyReLU(0.1), lambda: ELU(0.7), Softplus]


@pytest.mark.parametrize("make", LAYERS, ids=["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU",
                                              "Softplus"])
def test_layers_gradient_check(backend, make, rng):
    _, xp, dev = backend
    x_np = rng.standard_normal((4, 5))
    x_np[np.abs(x_np) < 0.05] = 0.5  # keep away from the kink at 0
    x = asarray(x_np, xp, device=dev)
    assert gradient_check(make(), x).max() < 1e-6


def test_layer_backward_leaves_dout_alone(backend, rng):
    _, xp, dev = backend
    x = asarray(rng.standard_normal((3, 4)), xp, device=dev)
    dout_np = rng.standard_normal((3, 4))
    dout = asarray(dout_np, xp, device=dev)
    for layer in (Sigmoid(), ReLU(), ELU(), Step()):
        layer.forward(x)
        layer.backward(dout)
    assert np.array_equal(to_numpy(dout), dout_np)


def test_step_layer_has_zero_gradient():
    s = Step()
    assert np.array_equal(s.forward(np.array([[-1.0, 0.0, 2.0]])), [[0.0, 1.0, 1.0]])
    assert np.all(s.backward(np.ones((1, 3))) == 0)


def test_maxout_forward_and_gradient(backend, rng):
    _, xp, dev = backend
    m = Maxout(3, 2, pieces=3, seed=4).to(xp, device=dev)
    x_np = rng.standard_normal((5, 3))
    out = m.forward(asarray(x_np, xp, device=dev))
    W, b = to_numpy(m.params["W"]), to_numpy(m.params["b"])
    expected = np.max(np.stack([x_np @ W[k] + b[k] for k in range(3)]), axis=0)
    assert out.shape == (5, 2) and np.allclose(to_numpy(out), expected)
    assert gradient_check(m, asarray(x_np, xp, device=dev)).max() < 1e-6


def test_activation_errors():
    r = ReLU()
    with pytest.raises(ShapeError, match="empty batch"):
        r.forward(np.ones((0, 3)))
    r.forward(np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"expected an upstream gradient of shape \(2, 3\)"):
        r.backward(np.ones((3, 2)))
    with pytest.raises(ShapeError, match=r"Maxout expected input of shape \(N, 3\)"):
        Maxout(3, 2).forward(np.ones((2, 4)))


def test_step_takes_its_value_at_zero_as_an_argument():
    from coursekit.nn.activations import step
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(step(z), [0.0, 1.0, 1.0])          # McCulloch-Pitts: fires at 0
    np.testing.assert_array_equal(step(z, at_zero=0.0), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(step(z, at_zero=0.5), [0.0, 0.5, 1.0])
