"""Public checks of notebook 07, activations, initialisation and normalisation.

Each ``check_*`` runs the student's answer on small cases and prints one verdict per case.
Expected values come from closed forms written here (or from statistics of large draws), never
from the student's own code.
"""
from __future__ import annotations

import math

import numpy as np

from ..backend import to_numpy
from .core import Checks
from .verdict import Verdict

__all__ = ["check_activations", "check_variance_experiment", "check_glorot_he", "check_standardize"]

_Z = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 2.0, 4.0])


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))  # no overflow anywhere


def check_activations(sigmoid, sigmoid_grad, tanh_grad, relu, relu_grad, leaky_relu,
                      leaky_relu_grad, elu, elu_grad) -> Verdict:
    """Nine elementwise functions of an array z (any shape) -> array of the same shape."""
    c = Checks("07.activations", "activation functions and their derivatives")
    s = _sig(_Z)
    cases = [
        ("sigmoid", sigmoid, (), s, "1 / (1 + exp(-z))"),
        ("sigmoid_grad", sigmoid_grad, (), s * (1 - s), "sigma(z) (1 - sigma(z))"),
        ("tanh_grad", tanh_grad, (), 1 - np.tanh(_Z) ** 2, "1 - tanh(z)^2"),
        ("relu", relu, (), np.maximum(_Z, 0), "max(0, z)"),
        ("relu_grad", relu_grad, (), (_Z > 0).astype(float), "1 where z > 0, else 0 (also at z = 0)"),
        ("leaky_relu", leaky_relu, (0.1,), np.where(_Z > 0, _Z, 0.1 * _Z), "z if z > 0 else alpha z"),
        ("leaky_relu_grad", leaky_relu_grad, (0.1,), np.where(_Z > 0, 1.0, 0.1), "1 if z > 0 else alpha"),
        ("elu", elu, (1.0,), np.where(_Z > 0, _Z, np.expm1(np.minimum(_Z, 0))), "z if z > 0 else alpha (e^z - 1)"),
        ("elu_grad", elu_grad, (1.0,), np.where(_Z > 0, 1.0, np.exp(np.minimum(_Z, 0))),
         "1 if z > 0 else alpha e^z"),
    ]
    shown = "[-3, -1, -0.5, 0, 0.5, 2, 4]"
    for name, fn, extra, want, formula in cases:
        out = c.call(fn, _Z.copy(), *extra, description=f"{name}(z)")
        if out is not None:
            args = ", " + ", ".join(str(a) for a in extra) if extra else ""
            c.close(out, want, f"{name}(z{args}) at z = {shown}", f"it should be {formula}", atol=1e-9)
    out = c.call(sigmoid, np.array([-1000.0, 1000.0]), description="sigmoid of +-1000")
    if out is not None:
        c.close(out, [0.0, 1.0], "sigmoid([-1000, 1000]) = [0, 1] without nan", atol=1e-12,
                hint="exp(1000) overflows: compute exp(-|z|) only, or use np.tanh")
    zz = np.array([[-2.0, 0.0], [1.0, 3.0]])
    out = c.call(relu_grad, zz, description="relu_grad on a (2, 2) array")
    if out is not None:
        c.close(out, [[0.0, 0.0], [1.0, 1.0]], "relu_grad keeps the shape (2, 2)")
    return Verdict(c.report())


def _variances_reference(X, weights, f):
    h, out = X, []
    for W in weights:
        h = f(h @ W)
        out.append(h.var())
    return np.array(out)


def check_variance_experiment(activation_variances) -> Verdict:
    """activation_variances(X (N, n0), weights list of (n_in, n_out), f) -> (L,) variances."""
    c = Checks("07.variance_experiment", "activation variance per layer")
    X = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]])
    W1 = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    W2 = np.array([[1.0], [-1.0], [0.5]])
    ident = lambda z: z  # noqa: E731
    out = c.call(activation_variances, X, [W1], ident, description="one linear layer")
    if out is not None:
        h = X @ W1
        c.close(out, [h.var()], f"one linear layer: variance of X @ W1 over all entries = {h.var():.4f}",
                "take the variance over all N * n_out values of the layer's output (np.var of the array)")
    out = c.call(activation_variances, X, [W1, W2], np.tanh, description="two tanh layers")
    if out is not None:
        want = _variances_reference(X, [W1, W2], np.tanh)
        c.close(out, want, "two tanh layers: one variance per layer, shape (2,)",
                "feed each layer's OUTPUT (after f) into the next layer; no biases", rtol=1e-9)
    rng = np.random.default_rng(7)
    Xr = rng.normal(size=(200, 50))
    Ws = [rng.normal(0, 1 / math.sqrt(50), size=(50, 50)) for _ in range(3)]
    out = c.call(activation_variances, Xr, Ws, ident, description="three linear layers of 50")
    if out is not None:
        c.close(out, _variances_reference(Xr, Ws, ident), "three linear layers with Var(W) = 1/50",
                rtol=1e-9)
    return Verdict(c.report())


def check_glorot_he(glorot_normal, glorot_uniform, he_normal) -> Verdict:
    """Each initialiser(n_in, n_out, rng) -> array (n_in, n_out)."""
    c = Checks("07.glorot_he", "Glorot and He initialisers")
    n_in, n_out = 300, 500
    specs = [("glorot_normal", glorot_normal, 2 / (n_in + n_out), "2 / (n_in + n_out)"),
             ("glorot_uniform", glorot_uniform, 2 / (n_in + n_out), "2 / (n_in + n_out)"),
             ("he_normal", he_normal, 2 / n_in, "2 / n_in")]
    draws = {}
    for name, fn, var, formula in specs:
        W = c.call(fn, n_in, n_out, np.random.default_rng(0), description=f"{name}({n_in}, {n_out}, rng)")
        if W is None:
            continue
        W = np.asarray(to_numpy(W), dtype=float)
        if not c.equal(W.shape, (n_in, n_out), f"{name}: shape ({n_in}, {n_out})"):
            continue
        draws[name] = W
        c.case(abs(W.mean()) < 0.05 * math.sqrt(var), f"{name}: mean close to 0",
               f"the sample mean is {W.mean():.4f}")
        c.close(W.var(), var, f"{name}: sample variance close to {formula} = {var:.5f}", rtol=0.05,
                hint=_variance_hint(name, W.var(), var, formula))
    W = draws.get("glorot_uniform")
    if W is not None:
        bound = math.sqrt(6 / (n_in + n_out))
        c.case(np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound,
               f"glorot_uniform: values fill [-a, a] with a = sqrt(6 / (n_in + n_out)) = {bound:.4f}",
               f"the largest |value| is {np.abs(W).max():.4f}")
        c.case(np.unique(W).size > 0.9 * W.size, "glorot_uniform draws from a continuous uniform distribution")
    W = draws.get("glorot_normal")
    if W is not None:
        # Scale-free, so that a wrong variance is reported once (above) and not again here: a
        # uniform draw never goes beyond sqrt(3) standard deviations, 150,000 normal draws do.
        c.case(np.abs(W).max() > 3 * W.std(),
               "glorot_normal is a normal distribution (some values beyond 3 standard deviations)",
               f"the largest |value| is {np.abs(W).max() / W.std():.2f} standard deviations: "
               "draw with rng.normal, not rng.uniform")
    for name, fn, _, _ in specs[:1]:
        a = c.call(fn, 4, 3, np.random.default_rng(1), description=f"{name} with a seeded rng")
        b = c.call(fn, 4, 3, np.random.default_rng(1), description=f"{name} with a seeded rng")
        if a is not None and b is not None:
            c.close(a, b, f"{name}: the same rng seed gives the same weights",
                    "draw from the rng you are given, not from np.random")
    return Verdict(c.report())


def _variance_hint(name: str, got: float, var: float, formula: str) -> str:
    """What a wrong sample variance most likely means; the usual slip is a missing square root."""
    hint = f"your weights have variance {got:.3g}"
    if "normal" in name and abs(got - var ** 2) < 0.05 * var ** 2:
        return (f"{hint} = ({var:.5f})^2: you passed the variance {formula} as the standard "
                f"deviation; rng.normal(0, std) takes the std, so use np.sqrt({formula})")
    if "normal" in name and abs(got - math.sqrt(var)) < 0.05 * math.sqrt(var):
        return f"{hint} = sqrt({var:.5f}): the square root was taken twice (or the std passed squared)"
    return hint


def check_standardize(fit_standardizer, standardize) -> Verdict:
    """fit_standardizer(X_train) -> (mean (d,), std (d,)); standardize(X, mean, std) -> (N, d)."""
    c = Checks("07.standardize", "input standardisation")
    Xtr = np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 20.0, 5.0], [7.0, 40.0, 5.0]])
    fitted = c.call(fit_standardizer, Xtr.copy(), description="fit_standardizer(X_train)")
    if fitted is None:
        return Verdict(c.report())
    try:
        mean, std = (np.asarray(to_numpy(a), dtype=float) for a in fitted)
    except Exception:
        c.case(False, "fit_standardizer returns (mean, std)", "return a pair of arrays")
        return Verdict(c.report())
    c.close(mean, Xtr.mean(axis=0), "mean: one value per column (feature), shape (3,)",
            "average over the rows (axis=0)")
    c.close(std, [Xtr[:, 0].std(), Xtr[:, 1].std(), 1.0], "std: per column; a constant column gets 1, not 0",
            "use the population std (np.std); replace zeros by 1 so nothing is divided by 0")
    Z = c.call(standardize, Xtr.copy(), mean, std, description="standardize(X_train, mean, std)")
    if Z is not None:
        Z = np.asarray(to_numpy(Z), dtype=float)
        c.close(Z.mean(axis=0), [0.0, 0.0, 0.0], "standardised training data: column means 0", atol=1e-9)
        c.close(Z.std(axis=0), [1.0, 1.0, 0.0], "column standard deviations 1 (the constant column stays 0)",
                atol=1e-9)
    Xte = np.array([[4.0, 25.0, 5.0], [8.0, 50.0, 6.0]])
    Z = c.call(standardize, Xte.copy(), mean, std, description="standardize(X_test, mean, std)")
    if Z is not None:
        c.close(Z, (Xte - Xtr.mean(axis=0)) / np.array([Xtr[:, 0].std(), Xtr[:, 1].std(), 1.0]),
                "test data use the TRAINING mean and std", "never recompute statistics on the test data")
    return Verdict(c.report())
