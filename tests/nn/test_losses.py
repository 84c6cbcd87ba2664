"""Losses: hand-computed cases, gradient checks, stability at ±1000, errors in words."""
import numpy as np
import pytest

from coursekit.backend import asarray, to_numpy
from coursekit.nn import (MSE, Hinge, ShapeError, SoftmaxCrossEntropy, gradient_check,
                          log_softmax, softmax)


def labels(y, xp, dev):
    return asarray(np.asarray(y, dtype=np.int64), xp, device=dev)


def test_cross_entropy_gradient_is_softmax_minus_onehot(backend):
    _, xp, dev = backend
    # scores whose softmax is [0.2, 0.3, 0.5]; the middle class is correct
    p = np.array([[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]])
    scores = asarray(np.log(p), xp, device=dev)
    loss = SoftmaxCrossEntropy()
    value = loss.forward(scores, labels([1, 1], xp, dev))
    assert isinstance(value, float) and value == pytest.approx(-np.log(0.3))
    assert np.allclose(to_numpy(loss.backward()), np.array([[0.2, -0.7, 0.5]] * 2) / 2)


def test_softmax_and_log_softmax(backend):
    _, xp, dev = backend
    s = asarray([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]], xp, device=dev)
    p = to_numpy(softmax(s))
    e = np.exp([1.0, 2.0, 3.0])
    assert np.allclose(p[0], e / e.sum()) and np.allclose(p.sum(axis=1), 1.0)
    assert np.allclose(p[1], [1.0, 0.0, 0.0])
    assert np.allclose(to_numpy(log_softmax(s))[1], [0.0, -1000.0, -2000.0])


@pytest.mark.parametrize("make", [SoftmaxCrossEntropy, Hinge])
def test_label_losses_stable_at_1000(backend, make):
    _, xp, dev = backend
    scores = asarray([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]], xp, device=dev)
    loss = make()
    value = loss.forward(scores, labels([1, 1], xp, dev))
    assert np.isfinite(value) and value > 100  # first row is badly wrong, and it shows
    assert np.all(np.isfinite(to_numpy(loss.backward())))


def test_hinge_hand_computed(backend):
    _, xp, dev = backend
    # CS231n's example: scores [3.2, 5.1, -1.7], class 0 correct, margin 1 -> 2.9 + 0 = 2.9
    loss = Hinge()
    value = loss.forward(asarray([[3.2, 5.1, -1.7]], xp, device=dev), labels([0], xp, dev))
    assert value == pytest.approx(2.9)
    assert np.allclose(to_numpy(loss.backward()), [[-1.0, 1.0, 0.0]])


def test_mse_half_mean_convention(backend):
    _, xp, dev = backend
    pred = asarray([[1.0, 2.0], [3.0, 5.0]], xp, device=dev)
    y = asarray([[0.0, 2.0], [3.0, 3.0]], xp, device=dev)
    loss = MSE()
    # per sample ½‖ŷ−y‖²: 0.5, 2.0; mean over samples 1.25
    assert loss.forward(pred, y) == pytest.approx(1.25)
    assert np.allclose(to_numpy(loss.backward()), [[0.5, 0.0], [0.0, 1.0]])
    one = asarray([[1.0], [3.0]], xp, device=dev)
    assert loss.forward(one, asarray([0.0, 1.0], xp, device=dev)) == pytest.approx((1 + 4) / 4)


@pytest.mark.parametrize("make", [SoftmaxCrossEntropy, Hinge, MSE])
def test_gradient_check(backend, make, rng):
    _, xp, dev = backend
    scores = asarray(rng.standard_normal((5, 4)), xp, device=dev)
    if make is MSE:
        y = asarray(rng.standard_normal((5, 4)), xp, device=dev)
    else:
        y = labels(rng.integers(0, 4, 5), xp, dev)
    assert gradient_check(make(), scores, y)["x"] < 1e-6


def test_one_sample_batch(backend):
    _, xp, dev = backend
    loss = SoftmaxCrossEntropy()
    assert loss.forward(asarray([[0.0, 0.0]], xp, device=dev), labels([0], xp, dev)) == \
        pytest.approx(np.log(2))


def test_errors_in_words(backend):
    _, xp, dev = backend
    ce = SoftmaxCrossEntropy()
    s = asarray(np.zeros((3, 4)), xp, device=dev)
    with pytest.raises(ValueError, match=r"label 4 is out of range.*0\.\.3"):
        ce.forward(s, labels([0, 4, 1], xp, dev))
    with pytest.raises(ValueError, match="label -1 is out of range"):
        ce.forward(s, labels([0, -1, 1], xp, dev))
    with pytest.raises(ShapeError, match=r"expected labels of shape \(3,\).*got \(2,\)"):
        ce.forward(s, labels([0, 1], xp, dev))
    with pytest.raises(ShapeError, match="one-hot"):
        ce.forward(s, labels(np.eye(4)[:3], xp, dev))
    with pytest.raises(ValueError, match="integer class labels"):
        ce.forward(s, asarray([0.0, 1.0, 2.0], xp, device=dev))
    with pytest.raises(ShapeError, match="empty batch"):
        ce.forward(asarray(np.zeros((0, 4)), xp, device=dev), labels(np.zeros(0), xp, dev))
    with pytest.raises(ShapeError, match=r"MSE expected targets of shape \(3, 4\)"):
        MSE().forward(s, asarray(np.zeros((3, 2)), xp, device=dev))
    with pytest.raises(RuntimeError, match="before forward"):
        Hinge().backward()
