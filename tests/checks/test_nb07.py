"""The public checks of notebook 07 accept the reference answers and reject typical mistakes."""
import numpy as np
import pytest

from coursekit.checks import nb07
from coursekit import nn
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


# -- batch normalisation: a student's answer written out, each slip a switch -------------------
def bn_forward(x, gamma, beta, state, train, *, slip=None):
    """The master's batchnorm_forward; ``slip`` names one of the usual mistakes."""
    mom, eps = state["momentum"], state["eps"]
    if train or slip == "batch stats at test":
        mu, var = x.mean(axis=0, keepdims=True), x.var(axis=0, keepdims=True)
        m = x.shape[0]
        unb = var * m / (m - 1) if m > 1 else var
        if train and slip != "no update":
            new_m = {"reversed": (1 - mom) * state["running_mean"] + mom * mu.ravel(),
                     "overwrite": mu.ravel()}.get(slip, mom * state["running_mean"] + (1 - mom) * mu.ravel())
            v = var.ravel() if slip == "biased running" else unb.ravel()
            new_v = {"reversed": (1 - mom) * state["running_var"] + mom * v,
                     "overwrite": v}.get(slip, mom * state["running_var"] + (1 - mom) * v)
            state["running_mean"], state["running_var"] = new_m, new_v
        if slip == "unbiased":
            var = unb
        if slip == "axis 1":  # normalises each sample over its features
            mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    else:
        mu, var = state["running_mean"], state["running_var"]
        if slip == "update at test":
            state["running_mean"] = mom * mu + (1 - mom) * x.mean(axis=0)
    if slip == "by variance":
        xhat = (x - mu) / (var + eps)
    elif slip == "no eps":
        xhat = (x - mu) / np.sqrt(var)
    elif slip == "eps outside":
        xhat = (x - mu) / (np.sqrt(var) + eps)
    else:
        xhat = (x - mu) / np.sqrt(var + eps)
    return xhat if slip == "no gamma beta" else gamma * xhat + beta


def bn_backward(dout, x, gamma, eps, *, slip=None):
    m = x.shape[0]
    var = x.var(axis=0) * (m / (m - 1) if slip == "unbiased" else 1)
    inv = 1 / np.sqrt(var + eps)
    xhat = (x - x.mean(axis=0)) * inv
    dxhat = dout * gamma
    mean_term = 0 if slip in ("direct only", "no mean term") else dxhat.mean(axis=0)
    var_term = 0 if slip in ("direct only", "no var term") else xhat * (dxhat * xhat).mean(axis=0)
    dx = inv * (dxhat - mean_term - var_term)
    dgamma = dout * (x if slip == "dgamma x" else xhat)
    dbeta = dout
    if slip != "not summed":
        dgamma, dbeta = dgamma.sum(axis=0), dbeta.sum(axis=0)
    return dx, dgamma, dbeta


def _slipped(fn, slip):
    return lambda *a: fn(*a, slip=slip)


def test_batchnorm_forward_passes_the_master_and_agrees_with_coursekit(capsys):
    assert nb07.check_batchnorm_forward(bn_forward)
    layer, st = nn.BatchNorm(4), {"running_mean": np.zeros(4), "running_var": np.ones(4), "momentum": 0.9, "eps": 1e-5}
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.normal(2, 3, size=(6, 4))
        assert np.allclose(bn_forward(x, np.ones(4), np.zeros(4), st, True), layer.forward(x, train=True))
    assert np.allclose(st["running_var"], layer.running_var) and np.allclose(st["running_mean"], layer.running_mean)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("slip, hint", [
    ("update at test", "a running average was updated at test time"),
    ("batch stats at test", "at test time normalise with the RUNNING mean and variance"),
    ("unbiased", "it normalises with the unbiased variance"),
    ("no eps", "eps is missing"),
    ("eps outside", "eps is outside the square root"),
    ("reversed", "the momentum convention is reversed"),
    ("biased running", "the running variance uses the biased batch variance"),
    ("overwrite", "overwritten by the batch statistics"),
    ("no update", "the running averages were not updated"),
    ("axis 1", "over the features (axis 1)"),
    ("by variance", "it divides by the variance"),
    ("no gamma beta", "gamma and beta are not applied"),
    ("no eps", "eps is missing: divide by np.sqrt(running_var + eps)"),             # test mode
    ("eps outside", "eps is outside the square root: divide by np.sqrt(running_var + eps)"),
])
def test_batchnorm_forward_names_each_slip(slip, hint, capsys):
    assert not nb07.check_batchnorm_forward(_slipped(bn_forward, slip))
    assert hint in capsys.readouterr().out


def test_batchnorm_forward_returning_a_cache_too_is_told_to_return_out_only(capsys):
    assert not nb07.check_batchnorm_forward(lambda *a: (bn_forward(*a), None))
    assert "return only out" in capsys.readouterr().out


def test_batchnorm_backward_passes_the_master(capsys):
    assert nb07.check_batchnorm_backward(bn_backward)
    x, dout = np.random.default_rng(1).normal(size=(2, 5, 3))
    layer = nn.BatchNorm(3)
    layer.forward(x)
    assert np.allclose(layer.backward(dout), bn_backward(dout, x, np.ones(3), 1e-5)[0])
    assert "dx matches (relative error below 1e-06)" in capsys.readouterr().out


@pytest.mark.parametrize("slip, hint", [
    ("not summed", "dgamma of shape (3,): got shape (4, 3); dgamma = sum over the batch (axis 0)"),
    ("direct only", "dx lacks the terms through the batch mean and variance"),
    ("no var term", "dx lacks the term through the variance"),
    ("no mean term", "dx lacks the term through the mean"),
    ("dgamma x", "dgamma uses x"),
    ("unbiased", "it uses the unbiased variance"),
])
def test_batchnorm_backward_names_each_slip(slip, hint, capsys):
    assert not nb07.check_batchnorm_backward(_slipped(bn_backward, slip))
    out = capsys.readouterr().out
    assert hint in out, out
    assert slip == "not summed" or "(the first gradient that is off)" in out


class BNLayer(nn.Layer):
    """The master's BatchNormLayer."""

    def __init__(self, num_features, momentum=0.9, eps=1e-5, forward=bn_forward, backward=bn_backward):
        super().__init__()
        self.params = {"gamma": np.ones(num_features), "beta": np.zeros(num_features)}
        self.state = {"running_mean": np.zeros(num_features), "running_var": np.ones(num_features),
                      "momentum": momentum, "eps": eps}
        self._fw, self._bw = forward, backward

    def forward(self, x, train=True):
        self.cache = x
        return self._fw(x, self.params["gamma"], self.params["beta"], self.state, train)

    def backward(self, dout):
        dx, self.grads["gamma"], self.grads["beta"] = self._bw(dout, self.cache, self.params["gamma"],
                                                               self.state["eps"])
        return dx


def _curves(plain_end=np.inf, bn_end=0.2, bn_steps=300):
    plain = np.array([[4, 70.0], [5, plain_end]]) if not np.isfinite(plain_end) else \
        np.array([[s, plain_end] for s in range(10, 301, 10)], dtype=float)
    bn = np.array([[s, 2.0 if s < bn_steps else bn_end] for s in range(10, bn_steps + 1, 10)], dtype=float)
    return {"plain": plain, "batch norm": bn}


def test_batchnorm_experiment_reads_the_layer_and_the_curves(capsys):
    assert nb07.check_batchnorm_experiment(BNLayer, _curves())
    assert nb07.check_batchnorm_experiment(BNLayer, _curves(plain_end=2.3))   # stuck, not diverged
    capsys.readouterr()
    assert not nb07.check_batchnorm_experiment(BNLayer, _curves(plain_end=0.3))
    assert "train the plain net (batchnorm=False) with lr = 1.0" in capsys.readouterr().out
    assert not nb07.check_batchnorm_experiment(BNLayer, _curves(bn_end=np.inf))
    assert "is a BatchNormLayer before every ReLU" in capsys.readouterr().out
    assert not nb07.check_batchnorm_experiment(BNLayer, _curves(bn_end=0.9))
    assert "it ends at 0.900" in capsys.readouterr().out
    assert not nb07.check_batchnorm_experiment(BNLayer, {"plain": _curves()["plain"]})
    assert "keys 'plain' and 'batch norm'" in capsys.readouterr().out


def test_batchnorm_experiment_catches_a_layer_without_grads_or_with_a_slip(capsys):
    class NoGrads(BNLayer):
        def backward(self, dout):
            return self._bw(dout, self.cache, self.params["gamma"], self.state["eps"])[0]

    assert not nb07.check_batchnorm_experiment(NoGrads, _curves())
    assert "store dgamma and dbeta in self.grads" in capsys.readouterr().out
    assert not nb07.check_batchnorm_experiment(
        lambda d: BNLayer(d, forward=_slipped(bn_forward, "update at test")), _curves())
    assert "✘ test batch 2: forward from the running averages" in capsys.readouterr().out
