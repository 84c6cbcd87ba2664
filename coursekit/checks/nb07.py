"""Public checks of notebook 07, activations, initialisation and normalisation.

Each ``check_*`` runs the student's answer on small cases and prints one verdict per case.
Expected values come from closed forms written here (or from statistics of large draws), from
``coursekit.nn.BatchNorm`` and from numerical gradients, never from the student's own code.
"""
from __future__ import annotations

import math

import numpy as np

from .. import nn
from ..backend import to_numpy
from ..nn.gradcheck import numerical_gradient
from .core import Checks
from .gradients import compare_gradients
from .verdict import Verdict

__all__ = ["check_activations", "check_variance_experiment", "check_glorot_he", "check_standardize",
           "check_batchnorm_forward", "check_batchnorm_backward", "check_batchnorm_experiment"]

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


# -- 07.batchnorm_forward, 07.batchnorm_backward, 07.batchnorm_experiment ---------------------
# The reference is coursekit.nn.BatchNorm (biased variance to normalise, unbiased running
# variance, momentum = the share of the old running value kept); the variants below are the
# usual slips, each computed here so that a wrong answer is named, not only flagged.

def _bn_state(D, momentum=0.9, eps=1e-5, mean=None, var=None):
    return {"running_mean": np.zeros(D) if mean is None else np.array(mean, dtype=float),
            "running_var": np.ones(D) if var is None else np.array(var, dtype=float),
            "momentum": momentum, "eps": eps}


def _bn_layer(state):
    layer = nn.BatchNorm(len(state["running_mean"]), momentum=state["momentum"], eps=state["eps"])
    layer.buffers["running_mean"] = np.array(state["running_mean"], dtype=float)
    layer.buffers["running_var"] = np.array(state["running_var"], dtype=float)
    return layer


def _bn_reference(x, gamma, beta, state, train):
    """(out, running_mean, running_var) of nn.BatchNorm from this state."""
    layer = _bn_layer(state)
    layer.params["gamma"], layer.params["beta"] = np.array(gamma, float), np.array(beta, float)
    out = layer.forward(np.array(x, dtype=float), train=train)
    return out, layer.running_mean, layer.running_var


def _forward_variants(x, gamma, beta, eps):
    """hint -> the train-mode output that mistake gives."""
    mu, var = x.mean(axis=0), x.var(axis=0)
    m = x.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "it normalises with the unbiased variance (divided by N - 1): normalise with the "
            "biased one, np.var(x, axis=0) (divided by N); only the running variance is unbiased":
                gamma * (x - mu) / np.sqrt(var * m / (m - 1) + eps) + beta,
            "eps is missing: divide by np.sqrt(var + eps), so that a feature of (almost) constant "
            "values is not divided by (almost) 0": gamma * (x - mu) / np.sqrt(var) + beta,
            "eps is outside the square root: divide by np.sqrt(var + eps), not np.sqrt(var) + eps":
                gamma * (x - mu) / (np.sqrt(var) + eps) + beta,
            "it divides by the variance: divide by the standard deviation, np.sqrt(var + eps)":
                gamma * (x - mu) / (var + eps) + beta,
            "the statistics are taken over the features (axis 1): take them over the batch, "
            "axis 0, one mean and one variance per feature": gamma * (x - x.mean(axis=1, keepdims=True))
                / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta,
            "gamma and beta are not applied: out = gamma * xhat + beta": (x - mu) / np.sqrt(var + eps),
        }


def _running_variants(x, state):
    """hint -> (running_mean, running_var) that mistake leaves in the state."""
    mom, rm, rv = state["momentum"], state["running_mean"], state["running_var"]
    mu, var = x.mean(axis=0), x.var(axis=0)
    unb = var * x.shape[0] / (x.shape[0] - 1)
    return {
        "the running averages were not updated: in training, state['running_mean'] = momentum * "
        "running_mean + (1 - momentum) * batch mean, and the same for the variance": (rm, rv),
        "the momentum convention is reversed: momentum is the share of the OLD running value kept, "
        "running = momentum * running + (1 - momentum) * batch value":
            ((1 - mom) * rm + mom * mu, (1 - mom) * rv + mom * unb),
        "the running averages are overwritten by the batch statistics: average them, running = "
        "momentum * running + (1 - momentum) * batch value": (mu, unb),
        "the running variance uses the biased batch variance: keep the unbiased one, "
        "var * N / (N - 1), as coursekit.nn.BatchNorm and PyTorch do": (mom * rm + (1 - mom) * mu,
                                                                          mom * rv + (1 - mom) * var),
    }


def _matches(a, b):
    try:
        return bool(np.allclose(np.asarray(a, dtype=float), b, rtol=1e-6, atol=1e-9))
    except Exception:
        return False


def _forward_cause(out, variants, default):
    return next((hint for hint, alt in variants.items() if _matches(out, alt)), default)


def _only_out(c, out, label):
    """The output array, or None after a failed case when a tuple came back (out, cache)."""
    if isinstance(out, (tuple, list)):
        c.case(False, f"{label}: returns out, one array (N, D)",
               f"it returned a {type(out).__name__} of {len(out)}: return only out; the running "
               "averages go into the state dict, and the backward pass recomputes what it needs from x")
        return None
    return out


def _call_forward(c, fn, label, x, gamma, beta, state, train):
    """The student's forward on copies (the state's running arrays too): (out or None, that state)."""
    st = {k: np.array(v, dtype=float) if k.startswith("running") else v for k, v in state.items()}
    out = _only_out(c, c.call(fn, x.copy(), gamma.copy(), beta.copy(), st, train,
                              description=f"{label} (train={train})"), label)
    return out, st


def _bn_train_case(c, fn, label, x, gamma, beta, state):
    """One train-mode call: the output, then the running averages left in the state."""
    out, st = _call_forward(c, fn, label, x, gamma, beta, state, True)
    if out is None:
        return
    want, rm, rv = _bn_reference(x, gamma, beta, state, True)
    if not _matches(out, want):
        hint = _forward_cause(out, _forward_variants(x, gamma, beta, state["eps"]),
                              "xhat = (x - batch mean) / sqrt(batch variance + eps), out = gamma * xhat + beta")
        c.close(out, want, f"{label}: output", hint)
    else:
        c.case(True, f"{label}: output gamma * (x - mean) / sqrt(var + eps) + beta, batch statistics")
    got = (st.get("running_mean"), st.get("running_var"))
    ok = _matches(got[0], rm) and _matches(got[1], rv)
    hint = next((h for h, (a, b) in _running_variants(x, state).items() if _matches(got[0], a)
                 and _matches(got[1], b)), "running = momentum * running + (1 - momentum) * batch "
                 "value, with state['momentum'] (the running variance from the unbiased batch variance)")
    c.case(ok, f"{label}: running averages updated in state (momentum {state['momentum']})", hint)


def _bn_test_case(c, fn, label, x, gamma, beta, state):
    out, st = _call_forward(c, fn, label, x, gamma, beta, state, False)
    if out is None:
        return
    want, _, _ = _bn_reference(x, gamma, beta, state, False)
    batch = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + state["eps"]) + beta
    rm, rv, eps = state["running_mean"], state["running_var"], state["eps"]
    variants = {"at test time normalise with the RUNNING mean and variance of the state, not the "
                "batch's: a prediction must not depend on the other samples": batch,
                "eps is missing: divide by np.sqrt(running_var + eps)": gamma * (x - rm) / np.sqrt(rv) + beta,
                "eps is outside the square root: divide by np.sqrt(running_var + eps)":
                    gamma * (x - rm) / (np.sqrt(rv) + eps) + beta}
    hint = _forward_cause(out, variants, "gamma * (x - running_mean) / sqrt(running_var + eps) + beta")
    c.close(out, want, f"{label}: output from the running averages", hint)
    same = _matches(st.get("running_mean"), state["running_mean"]) and _matches(
        st.get("running_var"), state["running_var"])
    c.case(same, f"{label}: the running averages are left unchanged at test time",
           "a running average was updated at test time: update them only when train=True")


def check_batchnorm_forward(batchnorm_forward) -> Verdict:
    """batchnorm_forward(x (N, D), gamma (D,), beta (D,), state, train) -> out (N, D).

    state: dict with "running_mean", "running_var" (D,), "momentum", "eps"; updated in training.
    Compared with coursekit.nn.BatchNorm on the same numbers.
    """
    c = Checks("07.batchnorm_forward", "batch normalisation, train and test mode")
    # column 3 varies by 2e-3 only: there eps, its place and the variance's divisor all show
    x = np.array([[1.0, 10.0, 1.000], [2.0, 30.0, 1.002], [4.0, 20.0, 0.998], [5.0, 60.0, 1.000]])
    gamma, beta = np.array([1.5, 0.5, 2.0]), np.array([0.1, -1.0, 0.3])
    _bn_train_case(c, batchnorm_forward, "4 x 3 batch, fresh state", x, gamma, beta, _bn_state(3))
    state = _bn_state(3, momentum=0.6, eps=0.1, mean=[1.0, -1.0, 0.5], var=[2.0, 0.5, 1.0])
    _bn_train_case(c, batchnorm_forward, "momentum 0.6, eps 0.1, running averages not at 0 and 1",
                   x, gamma, beta, state)
    _bn_test_case(c, batchnorm_forward, "test mode on the same batch", x, gamma, beta, state)
    _bn_test_case(c, batchnorm_forward, "test mode on one sample", x[:1], gamma, beta, state)
    # three training steps then test, against one nn.BatchNorm layer (state carried over)
    rng = np.random.default_rng(73)
    st, layer = _bn_state(5), nn.BatchNorm(5)
    g, b = rng.normal(1, 0.3, size=5), rng.normal(0, 0.5, size=5)
    layer.params["gamma"], layer.params["beta"] = g, b
    try:
        for step in range(3):
            xb = rng.normal(step, 2.0, size=(8, 5))
            layer.forward(xb, train=True)
            batchnorm_forward(xb, g.copy(), b.copy(), st, True)
        xt = rng.normal(1.0, 2.0, size=(4, 5))
        out = batchnorm_forward(xt, g.copy(), b.copy(), st, False)
    except Exception as err:
        c.case(False, "three training batches then a test batch", f"it raised {type(err).__name__}: {err}")
    else:
        c.close(out, layer.forward(xt, train=False), "three training batches, then a test batch: "
                "the same outputs as coursekit.nn.BatchNorm",
                "fix the cases above first; then: the running averages carry over from one call to "
                "the next in the state dict (update its entries, do not make a new dict)")
    return Verdict(c.report())


def _bn_grads(dout, x, gamma, eps, *, mean_path=True, var_path=True, unbiased=False, dgamma_x=False):
    """(dx, dgamma, dbeta) of out = gamma * xhat + beta, train mode, or of one of its slips."""
    m = x.shape[0]
    var = x.var(axis=0) * (m / (m - 1) if unbiased else 1.0)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - x.mean(axis=0)) * inv
    dxhat = dout * gamma
    dx = dxhat - (dxhat.mean(axis=0) if mean_path else 0.0) - (
        xhat * (dxhat * xhat).mean(axis=0) if var_path else 0.0)
    return inv * dx, (dout * (x if dgamma_x else xhat)).sum(axis=0), dout.sum(axis=0)


def _bn_numeric(dout, x, gamma, beta, eps):
    """Central differences of sum(out * dout) with respect to x, gamma and beta."""
    def out(xx, gg, bb):
        mu, var = xx.mean(axis=0), xx.var(axis=0)
        return float(np.sum((gg * (xx - mu) / np.sqrt(var + eps) + bb) * dout))

    return (numerical_gradient(lambda v: out(v, gamma, beta), x.copy()),
            numerical_gradient(lambda v: out(x, v, beta), gamma.copy()),
            numerical_gradient(lambda v: out(x, gamma, v), beta.copy()))


_BN_HINTS = {
    "dx": "dx = gamma / sqrt(var + eps) * (dout - mean(dout) - xhat * mean(dout * xhat)), means over "
          "the batch (axis 0): x reaches the output directly and through the batch mean and variance",
    "dgamma": "dgamma = sum over the batch (axis 0) of dout * xhat: one number per feature, shape (D,)",
    "dbeta": "dbeta = sum over the batch (axis 0) of dout: one number per feature, shape (D,)",
}


def check_batchnorm_backward(batchnorm_backward) -> Verdict:
    """batchnorm_backward(dout (N, D), x (N, D), gamma (D,), eps) -> (dx, dgamma, dbeta), train mode.

    Each gradient against a numerical gradient of sum(out * dout), by its relative error; the
    usual slips (the paths through the mean and the variance dropped, x for xhat in dgamma, the
    unbiased variance) are named.
    """
    c = Checks("07.batchnorm_backward", "the backward pass of batch normalisation")
    rng = np.random.default_rng(74)
    for N, D, eps in [(4, 3, 1e-5), (7, 5, 0.1)]:
        x = rng.normal(1.0, 2.0, size=(N, D))
        gamma, beta, dout = rng.normal(1.0, 0.5, size=D), rng.normal(size=D), rng.normal(size=(N, D))
        label = f"N={N}, D={D}, eps={eps}"
        got = c.call(batchnorm_backward, dout.copy(), x.copy(), gamma.copy(), eps, description=label)
        if got is None:
            continue
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            c.case(False, f"{label}: returns (dx, dgamma, dbeta)", "return the three gradients as a tuple")
            continue
        slips = [("dx lacks the terms through the batch mean and variance: both depend on x, so dx is "
                  "not just gamma / sqrt(var + eps) * dout", dict(mean_path=False, var_path=False)),
                 ("dx lacks the term through the variance: - xhat * mean(dout * gamma * xhat)",
                  dict(var_path=False)),
                 ("dx lacks the term through the mean: - mean(dout * gamma)", dict(mean_path=False)),
                 ("it uses the unbiased variance (N - 1): the forward pass normalises with the biased "
                  "one, np.var(x, axis=0)", dict(unbiased=True)),
                 ("dgamma uses x: it is the sum of dout * xhat, the NORMALISED x", dict(dgamma_x=True))]
        compare_gradients(c, label, got, _bn_numeric(dout, x, gamma, beta, eps), hints=_BN_HINTS,
                          tol=1e-6, n_examples=N,
                          mistakes=[(h, _bn_grads(dout, x, gamma, eps, **kw)) for h, kw in slips])
    return Verdict(c.report())


def _layer_against_reference(c, BatchNormLayer):
    """The student's layer, made with BatchNormLayer(5), against nn.BatchNorm(5) on the same calls."""
    layer = c.call(BatchNormLayer, 5, description="BatchNormLayer(5)")
    if layer is None:
        return
    ref, rng = nn.BatchNorm(5), np.random.default_rng(75)
    try:
        params = {k: np.asarray(layer.params[k], dtype=float) for k in ("gamma", "beta")}
    except Exception:
        c.case(False, "BatchNormLayer(5) has params 'gamma' and 'beta'", "keep the two arrays in self.params")
        return
    c.case(params["gamma"].shape == (5,) and np.all(params["gamma"] == 1) and np.all(params["beta"] == 0),
           "BatchNormLayer(5): gamma starts at ones (5,), beta at zeros (5,)")
    for step in range(2):
        xb, dout = rng.normal(step, 2.0, size=(8, 5)), rng.normal(size=(8, 5))
        out = c.call(layer.forward, xb.copy(), train=True, description=f"training batch {step + 1}: forward")
        if out is None:
            return
        c.close(out, ref.forward(xb, train=True), f"training batch {step + 1}: forward as nn.BatchNorm",
                "forward(x, train) returns batchnorm_forward(x, gamma, beta, self.state, train), "
                "with self.params['gamma'] and self.params['beta']")
        dx = c.call(layer.backward, dout.copy(), description=f"training batch {step + 1}: backward")
        if dx is None:
            return
        c.close(dx, ref.backward(dout), f"training batch {step + 1}: backward returns dx as nn.BatchNorm",
                "keep x in self.cache in forward; backward returns the dx of batchnorm_backward")
        grads = [getattr(layer, "grads", {}).get(k) for k in ("gamma", "beta")]
        c.case(all(_matches(g, ref.grads[k]) for g, k in zip(grads, ("gamma", "beta"))),
               f"training batch {step + 1}: self.grads['gamma'] and self.grads['beta'] as nn.BatchNorm",
               "store dgamma and dbeta in self.grads under the names of self.params: the optimiser reads them")
    for k in range(2):  # twice: a running average moved by the first test batch shows in the second
        xt = rng.normal(1.0 + k, 2.0, size=(3, 5))
        out = c.call(layer.forward, xt.copy(), train=False, description=f"test batch {k + 1}: forward")
        if out is not None:
            c.close(out, ref.forward(xt, train=False), f"test batch {k + 1}: forward from the running averages",
                    "the layer keeps its running averages in its state dict from call to call, and "
                    "changes them only in training")


def _curve(c, curves, label):
    try:
        curve = np.asarray(to_numpy(curves[label]), dtype=float)
    except Exception:
        c.case(False, f"curves[{label!r}]", "give the (M, 2) array that dg.loss_curve returns")
        return None
    if curve.ndim != 2 or curve.shape[1] != 2 or len(curve) == 0:
        c.case(False, f"curves[{label!r}] has rows (step, loss)", f"got shape {curve.shape}")
        return None
    return curve


def check_batchnorm_experiment(BatchNormLayer, curves, steps: int = 300) -> Verdict:
    """BatchNormLayer(num_features): a coursekit.nn layer; curves: {"plain": (M, 2), "batch norm":
    (M, 2)} from dg.loss_curve, the deep ReLU net at learning rate 1.0 for ``steps`` steps.

    The layer against nn.BatchNorm; the curves against thresholds: the plain net diverges (or
    ends above a loss of 1.5), the one with batch norm trains all the steps to below 0.6.
    """
    c = Checks("07.batchnorm_experiment", "a deep net with and without your batch norm")
    _layer_against_reference(c, BatchNormLayer)
    if not isinstance(curves, dict) or not {"plain", "batch norm"} <= set(curves):
        c.case(False, "curves has the keys 'plain' and 'batch norm'",
               f"got {type(curves).__name__}" + (f" with keys {sorted(curves)}" if isinstance(curves, dict) else ""))
        return Verdict(c.report())
    plain, bn = _curve(c, curves, "plain"), _curve(c, curves, "batch norm")
    if plain is not None:
        fails = not np.all(np.isfinite(plain[:, 1])) or plain[-1, 1] > 1.5
        c.case(fails, "without batch norm the net fails at this step size (it diverges or ends above 1.5)",
               f"its last loss is {plain[-1, 1]:.3f}: train the plain net (batchnorm=False) with lr = 1.0")
    if bn is not None:
        done = np.all(np.isfinite(bn[:, 1])) and int(bn[-1, 0]) == steps
        c.case(done, f"with batch norm it trains all {steps} steps without diverging",
               f"it stopped at step {int(bn[-1, 0])}: is a BatchNormLayer before every ReLU "
               f"(dg.mlp(..., batchnorm=BatchNormLayer)), and steps = {steps}?")
        if done:
            c.case(bn[-1, 1] < 0.6, "with batch norm the loss ends below 0.6",
                   f"it ends at {bn[-1, 1]:.3f}: check the layer's backward and that SGD updates gamma and beta")
    return Verdict(c.report())
