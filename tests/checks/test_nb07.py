"""The public checks of notebook 07 accept the reference answers and reject typical mistakes."""
import numpy as np
import pytest

from coursekit.checks import nb07
from coursekit.nn import activations as A


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


ACTS = dict(sigmoid=sigmoid, sigmoid_grad=lambda z: sigmoid(z) * (1 - sigmoid(z)),
            tanh_grad=lambda z: 1 - np.tanh(z) ** 2, relu=lambda z: np.maximum(z, 0),
            relu_grad=lambda z: (z > 0).astype(float),
            leaky_relu=lambda z, a=0.01: np.where(z > 0, z, a * z),
            leaky_relu_grad=lambda z, a=0.01: np.where(z > 0, 1.0, a),
            elu=lambda z, a=1.0: np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))),
            elu_grad=lambda z, a=1.0: np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0))))


def test_activations(capsys):
    assert nb07.check_activations(**ACTS)
    with np.errstate(over="ignore", invalid="ignore"):
        assert not nb07.check_activations(**{**ACTS, "sigmoid": lambda z: np.exp(z) / (1 + np.exp(z))})
    assert not nb07.check_activations(**{**ACTS, "relu_grad": lambda z: (z >= 0).astype(float)})
    assert not nb07.check_activations(**{**ACTS, "tanh_grad": lambda z: 1 - np.tanh(z)})
    assert not nb07.check_activations(**{**ACTS, "elu": A.relu})

    def todo(z, *a):
        raise NotImplementedError
    assert not nb07.check_activations(**{**ACTS, "relu": todo})
    assert "1 - tanh(z)^2" in capsys.readouterr().out


def activation_variances(X, weights, f):
    h, out = X, []
    for W in weights:
        h = f(h @ W)
        out.append(h.var())
    return np.array(out)


def test_variance_experiment():
    assert nb07.check_variance_experiment(activation_variances)
    assert not nb07.check_variance_experiment(lambda X, Ws, f: activation_variances(X, Ws, f) * 2)
    # variance of the pre-activation instead of the output
    def pre(X, Ws, f):
        h, out = X, []
        for W in Ws:
            z = h @ W
            out.append(z.var())
            h = f(z)
        return np.array(out)
    assert not nb07.check_variance_experiment(pre)
    # per-unit variances averaged: a different number
    assert not nb07.check_variance_experiment(
        lambda X, Ws, f: np.array([np.mean(np.var(f(X @ Ws[0]), axis=0))] * len(Ws)))


def gn(n_in, n_out, rng):
    return rng.normal(0, np.sqrt(2 / (n_in + n_out)), size=(n_in, n_out))


def gu(n_in, n_out, rng):
    a = np.sqrt(6 / (n_in + n_out))
    return rng.uniform(-a, a, size=(n_in, n_out))


def he(n_in, n_out, rng):
    return rng.normal(0, np.sqrt(2 / n_in), size=(n_in, n_out))


def test_glorot_he():
    assert nb07.check_glorot_he(gn, gu, he)
    # the deck's bound without the square root
    assert not nb07.check_glorot_he(gn, lambda i, o, r: r.uniform(-6 / (i + o), 6 / (i + o), size=(i, o)), he)
    # variance passed as the standard deviation
    assert not nb07.check_glorot_he(lambda i, o, r: r.normal(0, 2 / (i + o), size=(i, o)), gu, he)
    assert not nb07.check_glorot_he(gn, gu, lambda i, o, r: r.normal(0, np.sqrt(1 / i), size=(i, o)))
    assert not nb07.check_glorot_he(lambda i, o, r: np.random.normal(0, np.sqrt(2 / (i + o)), size=(i, o)), gu, he)
    assert not nb07.check_glorot_he(lambda i, o, r: gn(o, i, r), gu, he)


def test_glorot_he_names_the_missing_square_root(capsys):
    """Variance passed as the std: one failure, which names the square root, and no false claim
    that the draws are not normal."""
    assert not nb07.check_glorot_he(lambda i, o, r: r.normal(0, 2 / (i + o), size=(i, o)), gu, he)
    out = capsys.readouterr().out
    assert "passed the variance 2 / (n_in + n_out) as the standard deviation" in out
    assert "np.sqrt(2 / (n_in + n_out))" in out
    assert "✔ glorot_normal is a normal distribution" in out
    assert not nb07.check_glorot_he(gn, gu, lambda i, o, r: r.normal(0, 2 / i, size=(i, o)))
    assert "np.sqrt(2 / n_in)" in capsys.readouterr().out
    # a uniform draw of the right variance is still caught as not normal
    assert not nb07.check_glorot_he(gu, gu, he)
    assert "draw with rng.normal, not rng.uniform" in capsys.readouterr().out


def fit_std(X):
    s = X.std(axis=0)
    return X.mean(axis=0), np.where(s > 0, s, 1.0)


# The second case divides by a zero standard deviation on purpose (the slip the check must catch).
@pytest.mark.filterwarnings("ignore:.*encountered in divide:RuntimeWarning")
def test_standardize():
    assert nb07.check_standardize(fit_std, lambda X, m, s: (X - m) / s)
    assert not nb07.check_standardize(lambda X: (X.mean(axis=0), X.std(axis=0)), lambda X, m, s: (X - m) / s)
    assert not nb07.check_standardize(fit_std, lambda X, m, s: (X - X.mean(axis=0)) / s)
    assert not nb07.check_standardize(lambda X: (X.mean(axis=1), X.std(axis=1)), lambda X, m, s: X)
