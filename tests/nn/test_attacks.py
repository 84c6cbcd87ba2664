"""coursekit.nn.attacks: input gradients by backprop match finite differences; FGSM and noise."""
import copy

import numpy as np

from coursekit.nn import attacks as adv
from coursekit import nn
from coursekit.backend import available_backends


def _model():
    return nn.Sequential(nn.Dense(5, 6, seed=1), nn.Tanh(), nn.Dense(6, 3, seed=2))


def _loss(model, X, y):
    return nn.SoftmaxCrossEntropy().forward(model.forward(X, train=False), y)


def test_input_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    X, y, m = rng.uniform(size=(4, 5)), np.array([0, 1, 2, 1]), _model()
    g = adv.input_gradient(m, X, y)
    h, num = 1e-5, np.zeros_like(X)
    for idx in np.ndindex(*X.shape):
        Xp, Xm = X.copy(), X.copy()
        Xp[idx] += h
        Xm[idx] -= h
        num[idx] = (_loss(m, Xp, y) - _loss(m, Xm, y)) / (2 * h)
    assert np.allclose(g, num, rtol=1e-5, atol=1e-8)


def test_input_gradient_on_array_api_strict():
    rng = np.random.default_rng(1)
    X, y, m = rng.uniform(size=(3, 5)), np.array([2, 0, 1]), _model()
    strict = next(b for b in available_backends(include_gpu=False) if b.name == "array-api-strict")
    m2 = copy.deepcopy(m).to(strict.xp)
    assert np.allclose(adv.input_gradient(m2, X, y), adv.input_gradient(m, X, y))


def test_fgsm_and_noise_stay_in_range_and_budget():
    rng = np.random.default_rng(2)
    X, y, m = rng.uniform(size=(10, 5)), rng.integers(0, 3, 10), _model()
    for Xa in (adv.fgsm(m, X, y, 0.2), adv.random_sign_noise(X, 0.2, seed=3)):
        assert Xa.min() >= 0 and Xa.max() <= 1 and np.all(np.abs(Xa - X) <= 0.2 + 1e-12)
    assert _loss(m, adv.fgsm(m, X, y, 0.2), y) > _loss(m, X, y)
    assert np.array_equal(adv.random_sign_noise(X, 0.1, seed=4), adv.random_sign_noise(X, 0.1, seed=4))


def test_confidence_and_accuracy():
    m = _model()
    X = np.random.default_rng(3).uniform(size=(7, 5))
    p, c = adv.confidence(m, X)
    probs = adv.predict_proba(m, X)
    assert np.allclose(probs.sum(1), 1) and np.allclose(p, probs.max(1)) and np.array_equal(c, probs.argmax(1))
    assert adv.accuracy(m, X, c) == 1.0
