"""Optimisers: the update rules, state per parameter slot, every backend."""
import numpy as np
import pytest

from coursekit.backend import asarray, to_numpy
from coursekit.nn import SGD, Adam, Dense, Momentum, RMSProp, Sequential


def layer_with_grad(xp, dev, w, g):
    layer = Dense(2, 1).to(xp, device=dev)
    layer.params = {"W": asarray(np.full((2, 1), w), xp, device=dev)}
    layer.grads = {"W": asarray(np.full((2, 1), g), xp, device=dev)}
    return layer


def test_sgd_rules(backend):
    _, xp, dev = backend
    layer = layer_with_grad(xp, dev, 1.0, 0.5)
    SGD(0.1).step(layer)
    assert np.allclose(to_numpy(layer.params["W"]), 0.95)
    layer = layer_with_grad(xp, dev, 1.0, 0.5)
    opt = SGD(0.1, momentum=0.9)
    opt.step(layer)  # v = -0.05
    opt.step(layer)  # v = 0.9*-0.05 - 0.05 = -0.095
    assert np.allclose(to_numpy(layer.params["W"]), 1.0 - 0.05 - 0.095)
    layer = layer_with_grad(xp, dev, 2.0, 0.0)
    SGD(0.1, weight_decay=0.5).step(layer)  # g = 0 + 0.5*2 = 1
    assert np.allclose(to_numpy(layer.params["W"]), 1.9)


def test_weight_decay_spares_biases():
    layer = Dense(2, 3)
    layer.params["b"] = np.ones(3)
    layer.grads = {"W": np.zeros((2, 3)), "b": np.zeros(3)}
    SGD(0.1, weight_decay=1.0).step(layer)
    assert np.all(layer.params["b"] == 1.0)


def test_adam_first_step_is_lr_times_sign(backend):
    _, xp, dev = backend
    layer = layer_with_grad(xp, dev, 1.0, 0.003)
    Adam(0.01).step(layer)  # bias-corrected m/sqrt(v) = sign(g) on the first step
    assert np.allclose(to_numpy(layer.params["W"]), 0.99, atol=1e-6)


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.9), lambda: Adam(0.1), lambda: Momentum(0.1),
                                  lambda: Momentum(0.1, nesterov=True), lambda: RMSProp(0.1)],
                         ids=["sgd-momentum", "adam", "momentum", "nesterov", "rmsprop"])
def test_state_is_per_layer_not_per_name(backend, make):
    """Two identical layers, different gradients: each keeps its own velocity/moments."""
    _, xp, dev = backend
    a, b = layer_with_grad(xp, dev, 1.0, 1.0), layer_with_grad(xp, dev, 1.0, -1.0)
    solo_a, solo_b = layer_with_grad(xp, dev, 1.0, 1.0), layer_with_grad(xp, dev, 1.0, -1.0)
    shared, opt_a, opt_b = make(), make(), make()
    for _ in range(3):
        shared.step([a, b])
        opt_a.step(solo_a)
        opt_b.step(solo_b)
    assert np.allclose(to_numpy(a.params["W"]), to_numpy(solo_a.params["W"]))
    assert np.allclose(to_numpy(b.params["W"]), to_numpy(solo_b.params["W"]))
    assert not np.allclose(to_numpy(a.params["W"]), to_numpy(b.params["W"]))


def test_step_walks_a_sequential():
    model = Sequential(Dense(2, 2, seed=1), Dense(2, 2, seed=2))
    for layer in model.layers:
        layer.grads = {k: np.ones_like(v) for k, v in layer.params.items()}
    before = model.params
    SGD(0.5).step(model)
    for k, v in model.params.items():
        assert np.allclose(v, before[k] - 0.5)


def test_errors():
    with pytest.raises(ValueError, match="learning rate must be a positive"):
        SGD(0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.5)
    with pytest.raises(RuntimeError, match="call model.backward"):
        SGD(0.1).step(Dense(2, 2))


def test_momentum_rules(backend):
    _, xp, dev = backend
    layer = layer_with_grad(xp, dev, 1.0, 0.5)
    opt = Momentum(0.1, beta=0.9)
    opt.step(layer)  # v = -0.05
    opt.step(layer)  # v = 0.9*-0.05 - 0.05 = -0.095
    assert np.allclose(to_numpy(layer.params["W"]), 1.0 - 0.05 - 0.095)
    # Nesterov: p <- p + beta*v_new - lr*g, v_new = beta*v - lr*g
    layer = layer_with_grad(xp, dev, 1.0, 0.5)
    opt = Momentum(0.1, beta=0.9, nesterov=True)
    opt.step(layer)  # v = -0.05; p = 1 + 0.9*-0.05 - 0.05 = 0.905
    assert np.allclose(to_numpy(layer.params["W"]), 0.905)
    opt.step(layer)  # v = -0.095; p = 0.905 + 0.9*-0.095 - 0.05 = 0.7695
    assert np.allclose(to_numpy(layer.params["W"]), 0.7695)


def test_rmsprop_rules(backend):
    _, xp, dev = backend
    layer = layer_with_grad(xp, dev, 1.0, 0.5)
    opt = RMSProp(0.01, rho=0.9, eps=1e-12)
    opt.step(layer)  # s = 0.1*0.25 = 0.025; step = 0.01*0.5/sqrt(0.025)
    p1 = 1.0 - 0.01 * 0.5 / np.sqrt(0.025)
    assert np.allclose(to_numpy(layer.params["W"]), p1)
    opt.step(layer)  # s = 0.9*0.025 + 0.025 = 0.0475
    assert np.allclose(to_numpy(layer.params["W"]), p1 - 0.01 * 0.5 / np.sqrt(0.0475))
    # the step does not depend on the gradient's scale (for a constant gradient)
    big, small = layer_with_grad(xp, dev, 0.0, 100.0), layer_with_grad(xp, dev, 0.0, 0.01)
    RMSProp(0.01).step(big)
    RMSProp(0.01).step(small)
    assert np.allclose(to_numpy(big.params["W"]), to_numpy(small.params["W"]), rtol=1e-5)


def _steps_on_narrow_valley(opt, threshold=1e-6, max_steps=2000):
    """Steps until f(p) = 1/2 (p1^2 + 0.01 p2^2) from (1, 1) falls below threshold."""
    lam = np.array([[1.0], [0.01]])
    layer = Dense(2, 1)
    layer.params = {"W": np.ones((2, 1))}
    for t in range(1, max_steps + 1):
        layer.grads = {"W": lam * layer.params["W"]}
        opt.step(layer)
        if 0.5 * float(np.sum(lam * layer.params["W"] ** 2)) < threshold:
            return t
    return max_steps + 1


def test_momentum_crosses_a_narrow_valley_faster_than_sgd():
    """What a student should see in notebook 02: at the same lr, momentum needs far fewer steps."""
    sgd = _steps_on_narrow_valley(SGD(1.0))
    heavy = _steps_on_narrow_valley(Momentum(1.0, beta=0.9))
    nesterov = _steps_on_narrow_valley(Momentum(1.0, beta=0.9, nesterov=True))
    assert heavy < sgd / 3 and nesterov < sgd / 3, (sgd, heavy, nesterov)


def test_new_optimizer_errors():
    with pytest.raises(ValueError, match="plain SGD"):
        Momentum(0.1, beta=0.0)
    with pytest.raises(ValueError, match="rho"):
        RMSProp(0.1, rho=1.0)
    with pytest.raises(ValueError, match="learning rate must be a positive"):
        RMSProp(-1.0)
    with pytest.raises(RuntimeError, match="call model.backward"):
        Momentum(0.1).step(Dense(2, 2))
