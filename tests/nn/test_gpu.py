"""The same network trains on a CUDA GPU, with PyTorch tensors and with CuPy arrays.

Skips cleanly without a GPU (CI has none). On a GPU machine, ``bash benchmarks/gpu_check.sh``
runs these tests, the device tours and the GPU benchmark in one go. The tours are the ones CI
runs on array-api-strict's second device (tests/nn/test_devices.py).
"""
import copy

import numpy as np
import pytest

import _device_tour as tour
from coursekit.backend import asarray, available_backends, to_numpy
from coursekit.datasets import digits
from coursekit.nn import SGD, Dense, ReLU, Sequential, SoftmaxCrossEntropy, fit, gradient_check, predict

pytestmark = pytest.mark.gpu


def test_mlp_trains_on_the_gpu(cuda_backend):
    _, xp, dev = cuda_backend
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.arange(150) % 3
    X = centres[y] + 0.5 * rng.standard_normal((150, 2))
    model = Sequential(Dense(2, 32, seed=1), ReLU(), Dense(32, 3, seed=2)).to(xp, device=dev)
    tour.assert_on(model, dev, "after .to()")
    hist = fit(model, X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=10,
               batch_size=16, progress=False)
    assert hist.accuracy[-1] > 0.95
    tour.assert_on(model, dev)
    assert np.mean(to_numpy(predict(model, asarray(X, xp, device=dev))) == y) > 0.95


def test_gradient_check_on_the_gpu(cuda_backend):
    _, xp, dev = cuda_backend
    x = asarray(np.random.default_rng(1).standard_normal((3, 4)), xp, device=dev)
    assert gradient_check(Dense(4, 2).to(xp, device=dev), x).max() < 1e-6


def test_cnn_tour_on_the_gpu(cuda_backend, tmp_path):
    _, xp, dev = cuda_backend
    tour.tour_cnn(xp, dev, tmp_path)
    tour.tour_cnn(xp, dev, tmp_path, dtype="float32")  # the GPU's fast precision


def test_optimizers_rnn_and_gradient_checks_on_the_gpu(cuda_backend):
    _, xp, dev = cuda_backend
    tour.tour_mlp_optimizers(xp, dev)
    tour.tour_rnn(xp, dev)
    tour.tour_sequence_model(xp, dev)
    tour.tour_notebook_helpers(xp, dev)
    tour.tour_gradient_checks(xp, dev)


def test_notebook_09_backends_agree_on_the_gpu(cuda_backend):
    """What notebook 09 prints: the digits model gives NumPy's predictions on the GPU backend."""
    name, _, _ = cuda_backend
    gpu = [bk for bk in available_backends() if bk.name == name]
    assert gpu, f"available_backends() does not list {name} although the fixture found it"
    bk = gpu[0]
    d = digits(scale="unit")  # flat (N, 64) rows
    Xtr, ytr, Xte = d.X_train[:400], d.y_train[:400], d.X_test[:200]
    model = Sequential(Dense(64, 32, seed=0), ReLU(), Dense(32, 10, seed=1))
    fit(model, Xtr, ytr, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=5,
        batch_size=32, progress=False)
    reference = to_numpy(model.forward(Xte, train=False))
    moved = copy.deepcopy(model).to(bk.xp, device=bk.device)
    scores = to_numpy(moved.forward(bk.asarray(Xte), train=False))
    assert np.max(np.abs(scores - reference)) < 1e-9
    assert np.array_equal(scores.argmax(axis=1), reference.argmax(axis=1))
