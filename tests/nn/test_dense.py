"""Dense layer: shapes, hand-computed values, gradients, errors, on every backend."""
import numpy as np
import pytest

from coursekit.backend import asarray, to_numpy
from coursekit.nn import Dense, ShapeError, gradient_check


def test_forward_matches_hand_computation(backend):
    _, xp, dev = backend
    layer = Dense(2, 3).to(xp, device=dev)
    layer.params["W"] = asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], xp, device=dev)
    layer.params["b"] = asarray([0.5, -0.5, 0.0], xp, device=dev)
    out = layer.forward(asarray([[1.0, 1.0], [0.0, 2.0]], xp, device=dev))
    assert np.allclose(to_numpy(out), [[5.5, 6.5, 9.0], [8.5, 9.5, 12.0]])


def test_backward_shapes_and_values(backend, rng):
    _, xp, dev = backend
    layer = Dense(4, 3, seed=1).to(xp, device=dev)
    x_np = rng.standard_normal((5, 4))
    dout_np = rng.standard_normal((5, 3))
    x, dout = asarray(x_np, xp, device=dev), asarray(dout_np, xp, device=dev)
    layer.forward(x)
    dx = layer.backward(dout)
    assert dx.shape == (5, 4)
    assert layer.grads["W"].shape == (4, 3) and layer.grads["b"].shape == (3,)
    assert np.allclose(to_numpy(layer.grads["W"]), x_np.T @ dout_np)
    assert np.allclose(to_numpy(layer.grads["b"]), dout_np.sum(axis=0))
    assert np.allclose(to_numpy(dout), dout_np), "backward must not change its input"


def test_gradient_check(backend, rng):
    _, xp, dev = backend
    layer = Dense(6, 4, seed=3).to(xp, device=dev)
    x = asarray(rng.standard_normal((3, 6)), xp, device=dev)
    errors = gradient_check(layer, x)
    assert set(errors) == {"x", "W", "b"}
    assert errors.max() < 1e-6, errors


def test_one_sample_batch(backend):
    _, xp, dev = backend
    layer = Dense(3, 2).to(xp, device=dev)
    assert layer.forward(asarray(np.ones((1, 3)), xp, device=dev)).shape == (1, 2)


def test_errors_name_layer_and_shapes(backend):
    _, xp, dev = backend
    layer = Dense(3, 2).to(xp, device=dev)
    with pytest.raises(ShapeError, match=r"Dense expected input of shape \(N, 3\), got \(4, 5\)"):
        layer.forward(asarray(np.ones((4, 5)), xp, device=dev))
    with pytest.raises(ShapeError, match="empty batch"):
        layer.forward(asarray(np.ones((0, 3)), xp, device=dev))
    with pytest.raises(ShapeError, match=r"single vector.*reshape"):
        layer.forward(asarray(np.ones(3), xp, device=dev))
    with pytest.raises(ShapeError, match="Flatten"):
        layer.forward(asarray(np.ones((2, 1, 3)), xp, device=dev))
    fresh = Dense(3, 2)
    with pytest.raises(RuntimeError, match="before forward"):
        fresh.backward(np.ones((1, 2)))


def test_parameters_seeded_and_float32_selectable():
    a, b, c = Dense(5, 4, seed=7), Dense(5, 4, seed=7), Dense(5, 4, seed=8)
    assert np.array_equal(a.params["W"], b.params["W"])
    assert not np.array_equal(a.params["W"], c.params["W"])
    assert a.params["W"].dtype == np.float64
    f32 = Dense(5, 4, dtype="float32")
    assert f32.params["W"].dtype == np.float32 and f32.params["b"].dtype == np.float32
    assert f32.forward(np.ones((2, 5), dtype=np.float32)).dtype == np.float32
    assert "Dense(5 -> 4" in repr(a) and a.n_params() == 24


def test_a_model_without_parameters_changes_dtype_in_place():
    """Sequential(ReLU()).to(dtype=...) once raised TypeError: no parameter to ask for a namespace."""
    from coursekit.nn import ReLU, Sequential

    model = Sequential(ReLU())
    assert model.to(dtype="float32") is model
    out = model.forward(np.array([[-1.0, 2.0]]))
    assert out.tolist() == [[0.0, 2.0]]
