"""The same network trains on a CUDA GPU (skips cleanly without one)."""
import numpy as np

from coursekit.backend import asarray, to_numpy
from coursekit.nn import SGD, Dense, ReLU, Sequential, SoftmaxCrossEntropy, fit, gradient_check, predict


def test_mlp_trains_on_cuda(cuda_backend):
    _, xp, dev = cuda_backend
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.arange(150) % 3
    X = centres[y] + 0.5 * rng.standard_normal((150, 2))
    model = Sequential(Dense(2, 32, seed=1), ReLU(), Dense(32, 3, seed=2)).to(xp, device=dev)
    assert model.layers[0].params["W"].device.type == "cuda"
    hist = fit(model, X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=10,
               batch_size=16, progress=False)
    assert hist.accuracy[-1] > 0.95
    assert model.layers[0].params["W"].device.type == "cuda"
    assert np.mean(to_numpy(predict(model, asarray(X, xp, device=dev))) == y) > 0.95


def test_gradient_check_on_cuda(cuda_backend):
    _, xp, dev = cuda_backend
    x = asarray(np.random.default_rng(1).standard_normal((3, 4)), xp, device=dev)
    assert gradient_check(Dense(4, 2).to(xp, device=dev), x).max() < 1e-6
