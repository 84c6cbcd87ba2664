"""Public checks of notebook 12, weaknesses and adversarial examples.

The input gradient is compared with central finite differences of the loss; FGSM with its
definition (a step of size ε along the sign of that gradient, clipped to [0, 1]); the sweep
with attacks whose accuracies are known.
"""
from __future__ import annotations

import copy

import numpy as np

from ..nn.attacks import accuracy, input_gradient as _reference_gradient
from ..backend import to_numpy
from ..nn.gradcheck import numerical_gradient
from .core import Checks
from .verdict import Verdict

__all__ = ["check_input_gradient", "check_fgsm", "check_epsilon_sweep"]


def _small_model(seed=0, d=5, k=3):
    from ..nn import Dense, Sequential, Tanh

    return Sequential(Dense(d, 7, seed=seed), Tanh(), Dense(7, k, seed=seed + 1))


def _mean_loss(model, X, y):
    from ..nn import SoftmaxCrossEntropy

    return SoftmaxCrossEntropy().forward(model.forward(X, train=False), y)


def _numerical_gradient(model, X, y, h=1e-5):
    """d(mean loss)/dX (N, D) by central differences."""
    return numerical_gradient(lambda X_: _mean_loss(model, X_, y), X, h)


def _data(seed, n, d, k):
    rng = np.random.default_rng(seed)
    return rng.uniform(size=(n, d)), rng.integers(0, k, size=n)


def _array(c, got, description):
    try:
        return np.asarray(to_numpy(got), dtype=float)
    except Exception:
        c.case(False, description, f"expected an array of numbers, got {type(got).__name__}")
        return None


def check_input_gradient(input_gradient) -> Verdict:
    """input_gradient(model, X, y) -> dL/dX (N, D) of the mean cross-entropy."""
    c = Checks("12.input_gradient", "gradient of the loss with respect to the input")
    for seed, (n, d, k) in enumerate([(1, 5, 3), (4, 5, 3), (3, 6, 4)]):
        model = _small_model(seed, d, k)
        X, y = _data(seed + 20, n, d, k)
        got = c.call(input_gradient, copy.deepcopy(model), X.copy(), y,
                     description=f"input_gradient on {n} input(s) of {d} features")
        if got is not None:
            c.close(got, _numerical_gradient(model, X, y), f"{n} input(s), {d} features, {k} classes: "
                    "matches finite differences of the mean loss", rtol=1e-4, atol=1e-7,
                    hint="forward, loss.forward, then model.backward(loss.backward()) returns dL/dX")
    return Verdict(c.report())


def check_fgsm(fgsm) -> Verdict:
    """fgsm(model, X, y, eps) -> clip(X + eps * sign(dL/dX), 0, 1)."""
    c = Checks("12.fgsm", "fast gradient sign method")
    model = _small_model(5, 6, 3)
    X, y = _data(31, 8, 6, 3)
    X[0, :3] = [0.0, 1.0, 0.02]  # pixels at the edges of the valid range
    for eps in (0.0, 0.05, 0.3):
        got = c.call(fgsm, copy.deepcopy(model), X.copy(), y, eps, description=f"fgsm with eps = {eps}")
        if got is None:
            continue
        a = _array(c, got, f"eps = {eps}: returns an array")
        if a is None:
            continue
        if not c.equal(a.shape, X.shape, f"eps = {eps}: same shape as X {X.shape}"):
            continue
        c.case(a.min() >= 0 and a.max() <= 1, f"eps = {eps}: every pixel stays in [0, 1]",
               "clip the result with np.clip(..., 0.0, 1.0)")
        c.case(np.all(np.abs(a - X) <= eps + 1e-12), f"eps = {eps}: no pixel moves by more than eps")
        want = np.clip(X + eps * np.sign(_reference_gradient(model, X, y)), 0.0, 1.0)
        c.close(a, want, f"eps = {eps}: equals clip(X + eps * sign(gradient), 0, 1)", atol=1e-12,
                hint="x + eps * np.sign(input_gradient(model, X, y)), then np.clip to [0, 1]")
        if eps > 0:
            c.case(_mean_loss(model, a, y) > _mean_loss(model, X, y),
                   f"eps = {eps}: the loss goes up", "move each pixel by +eps where the input gradient is positive and -eps where it is negative")
    return Verdict(c.report())


def _identity(model, X, y, eps):
    return X


def _blank(model, X, y, eps):
    return np.zeros_like(X) if eps > 0 else X


def check_epsilon_sweep(epsilon_sweep) -> Verdict:
    """epsilon_sweep(model, X, y, epsilons, attack) -> accuracies (len(epsilons),)."""
    c = Checks("12.epsilon_sweep", "accuracy against epsilon")
    model = _small_model(7, 5, 3)
    X, _ = _data(41, 30, 5, 3)
    y = np.argmax(to_numpy(model.forward(X, train=False)), axis=1)
    y[:6] = (y[:6] + 1) % 3  # six wrong labels: clean accuracy 0.8
    eps = [0.0, 0.1, 0.2]
    clean = accuracy(model, X, y)
    blank = accuracy(model, np.zeros_like(X), y)
    for attack, name, want in [(_identity, "an attack that changes nothing", [clean] * 3),
                               (_blank, "an attack that blanks the images when eps > 0",
                                [clean, blank, blank])]:
        got = c.call(epsilon_sweep, model, X, y, eps, attack, description=f"epsilon_sweep with {name}")
        if got is None:
            continue
        a = _array(c, got, f"{name}: returns an array")
        if a is not None:
            c.close(a, want, f"{name}: accuracies {np.round(want, 3).tolist()} for eps = {eps}", atol=1e-12,
                    hint="one accuracy (a fraction in [0, 1]) per eps: attack, predict, compare with y")
    return Verdict(c.report())
