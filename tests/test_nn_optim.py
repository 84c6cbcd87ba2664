"""Optimisers: the update rules, state per parameter slot, every backend."""
import numpy as np
import pytest

from coursekit.backend import asarray, to_numpy
from coursekit.nn import SGD, Adam, Dense, Sequential


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


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.9), lambda: Adam(0.1)],
                         ids=["sgd-momentum", "adam"])
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
