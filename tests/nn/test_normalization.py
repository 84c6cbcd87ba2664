"""BatchNorm: standardised outputs, running statistics, test mode, gradients, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _numgrad import check_layer
from coursekit.backend import asarray, to_numpy
from coursekit.nn import BatchNorm, ShapeError


def test_train_output_is_standardised_per_feature(backend):
    _, xp, dev = backend
    x = np.random.default_rng(0).normal(loc=[3.0, -2.0, 10.0], scale=[1.0, 5.0, 0.1], size=(64, 3))
    out = to_numpy(BatchNorm(3).to(xp, device=dev).forward(asarray(x, xp, device=dev)))
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-3)


def test_images_are_normalised_per_channel(backend):
    _, xp, dev = backend
    x = np.random.default_rng(1).normal(size=(4, 2, 3, 5)) * np.array([1, 7]).reshape(1, 2, 1, 1) + 4
    layer = BatchNorm(2).to(xp, device=dev)
    layer.params["gamma"] = asarray(np.array([2.0, 0.5]), xp, device=dev)
    layer.params["beta"] = asarray(np.array([1.0, -1.0]), xp, device=dev)
    out = to_numpy(layer.forward(asarray(x, xp, device=dev)))
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), [1.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), [2.0, 0.5], atol=1e-3)


def test_running_statistics_and_test_mode_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    layer = BatchNorm(3, momentum=0.9)
    ref = torch.nn.BatchNorm2d(3, momentum=0.1, eps=1e-5).double()
    for _ in range(5):
        x = rng.normal(loc=2.0, scale=3.0, size=(4, 3, 2, 2))
        np.testing.assert_allclose(layer.forward(x), ref(torch.from_numpy(x)).detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(layer.running_mean, ref.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.running_var, ref.running_var.numpy(), atol=1e-12)
    ref.eval()
    x = rng.normal(size=(2, 3, 2, 2))
    np.testing.assert_allclose(layer.forward(x, train=False), ref(torch.from_numpy(x)).detach().numpy(),
                               atol=1e-10)


def test_test_mode_does_not_depend_on_the_batch():
    layer = BatchNorm(2)
    rng = np.random.default_rng(3)
    for _ in range(20):
        layer.forward(rng.normal(loc=5.0, size=(16, 2)))
    x = rng.normal(size=(8, 2))
    alone = layer.forward(x[:1], train=False)
    np.testing.assert_allclose(layer.forward(x, train=False)[:1], alone)
    before = layer.running_mean.copy()
    layer.forward(x, train=False)
    np.testing.assert_array_equal(layer.running_mean, before)   # test time never updates them


@pytest.mark.parametrize("shape", [(5, 3), (3, 3, 2, 2)])
@pytest.mark.parametrize("train", [True, False])
def test_gradient_check(backend, shape, train):
    _, xp, dev = backend
    rng = np.random.default_rng(4)
    layer = BatchNorm(3)
    layer.params["gamma"] = rng.normal(size=3)
    layer.params["beta"] = rng.normal(size=3)
    layer.buffers["running_mean"] = rng.normal(size=3)
    layer.buffers["running_var"] = rng.uniform(0.5, 2.0, size=3)
    errors = check_layer(layer, rng.normal(size=shape) * 2 + 1, xp, dev, train=train)
    assert max(errors.values()) < 1e-6, errors


def test_to_moves_the_running_statistics(backend):
    name, xp, dev = backend
    layer = BatchNorm(4).to(xp, device=dev)
    assert type(layer.running_mean) is type(layer.params["gamma"])
    layer.forward(asarray(np.ones((2, 4)), xp, device=dev), train=False)


def test_errors_are_explained():
    with pytest.raises(ShapeError, match=r"BatchNorm\(3\) expected input of shape \(N, 3\) or "
                                         r"\(N, 3, H, W\), got \(8, 4\)"):
        BatchNorm(3).forward(np.zeros((8, 4)))
    with pytest.raises(ShapeError, match="channels last"):
        BatchNorm(3).forward(np.zeros((2, 5, 5, 3)))
    with pytest.raises(ShapeError, match="more than one value per feature"):
        BatchNorm(3).forward(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(3, momentum=1.0)
