"""Public checks of notebook 04, multilayer perceptrons and expressiveness.

Each ``check_*`` runs the student's answer on small cases and prints one verdict per case.
Expected values come from truth tables and formulas here, never from a reference solution.
"""
from __future__ import annotations

import numpy as np

from ..datasets import parity, truth_table
from ..lessons.nb04 import ThresholdCircuit, one_hidden_layer, sigmoid, sign
from .core import Checks
from .verdict import Verdict

__all__ = ["check_xor_weights", "check_dnf_network", "check_pulse", "check_pulse_sum",
           "check_parity_wide", "check_parity_deep"]

_PM = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])


def _as_float(a):
    return np.asarray(a, dtype=float)


def check_xor_weights(W1, b1, w2, b2) -> Verdict:
    """XOR in the +-1 encoding: h = sign(X W1^T + b1), y = sign(h . w2 + b2)."""
    c = Checks("04.xor_weights", "XOR = OR(AND(x1, not x2), AND(not x1, x2))")
    try:
        W1, b1, w2, b2 = _as_float(W1), _as_float(b1), _as_float(w2), float(np.asarray(b2, dtype=float))
    except Exception as err:
        c.case(False, "the four answers are numbers", f"could not read them as numbers ({err})")
        return Verdict(c.report())
        return
    ok = c.equal(W1.shape, (2, 2), "W1 has shape (2, 2): one row per hidden unit")
    ok &= c.equal(b1.shape, (2,), "b1 has shape (2,)")
    ok &= c.equal(w2.shape, (2,), "w2 has shape (2,)")
    if ok:
        h = sign(_PM @ W1.T + b1)
        c.equal(h[:, 0], [-1, -1, 1, -1], "hidden unit 1 computes AND(x1, not x2) on the 4 inputs",
                "it must fire (+1) only for x1 = +1, x2 = -1")
        c.equal(h[:, 1], [-1, 1, -1, -1], "hidden unit 2 computes AND(not x1, x2) on the 4 inputs",
                "it must fire (+1) only for x1 = -1, x2 = +1")
        y = sign(h @ w2 + b2)
        c.equal(y, [-1, 1, 1, -1], "the output computes XOR on the 4 inputs",
                "the output unit is an OR of the hidden units: +1 when at least one fires")
    return Verdict(c.report())


def check_dnf_network(dnf_network) -> Verdict:
    """dnf_network(outputs) -> (W1, b1, w2) reproduces each truth table with one unit per 1."""
    c = Checks("04.dnf_builder", "a one-hidden-layer network from a truth table")
    cases = [("AND of 2 inputs", [0, 0, 0, 1]), ("OR of 2 inputs", [0, 1, 1, 1]),
             ("XOR of 2 inputs", [0, 1, 1, 0]),
             ("majority of 3 inputs", [0, 0, 0, 1, 0, 1, 1, 1]),
             ("x1 AND NOT x3 (3 inputs)", [0, 0, 0, 0, 1, 0, 1, 0])]
    for name, column in cases:
        n = int(np.log2(len(column)))
        X, y = truth_table(column, n)
        net = c.call(dnf_network, np.array(column), description=f"dnf_network({name})")
        if net is None:
            continue
        try:
            W1, b1, w2 = (_as_float(a) for a in net)
        except Exception:
            c.case(False, f"{name}: returns (W1, b1, w2)", "return a tuple of three arrays")
            continue
        k = int(np.sum(column))
        if not c.equal(W1.shape, (k, n), f"{name}: W1 has one row per 1 in the table, shape ({k}, {n})"):
            continue
        out = c.call(one_hidden_layer, X, W1, b1, w2, description=f"{name}: forward pass")
        if out is not None:
            c.close(out, y, f"{name}: correct on all {2 ** n} rows",
                    "each hidden unit must fire on exactly one row; the output sums them")
    return Verdict(c.report())


def check_pulse(pulse) -> Verdict:
    """pulse(x, t1, t2, k) = sigmoid(k (x - t1)) - sigmoid(k (x - t2))."""
    c = Checks("04.pulse_approximator", "pulse")
    x = np.array([-1.0, -0.3, 0.0, 0.2, 0.5, 0.9])
    for t1, t2, k in [(-0.25, 0.25, 50.0), (0.0, 0.6, 10.0), (-1.0, -0.5, 200.0)]:
        want = sigmoid(k * (x - t1)) - sigmoid(k * (x - t2))
        got = c.call(pulse, x, t1, t2, k, description=f"pulse(x, {t1}, {t2}, {k})")
        if got is not None:
            c.close(got, want, f"pulse(x, t1={t1}, t2={t2}, k={k}) on 6 points", atol=1e-9,
                    hint="a rising sigmoid at t1 minus a rising sigmoid at t2")
    big = c.call(pulse, np.array([-1.0, 1.0]), -0.01, 0.01, 2000.0,
                 description="pulse with k = 2000")
    if big is not None:
        c.close(big, [0.0, 0.0], "no overflow for steep sigmoids (k = 2000)", atol=1e-9,
                hint="use a sigmoid that does not compute exp of a large positive number")
    return Verdict(c.report())


def _reference_sum(f, x, n, k, lo, hi):
    edges = np.linspace(lo, hi, n + 1)
    mids = (edges[:-1] + edges[1:]) / 2
    x = np.asarray(x, dtype=float)[:, None]
    return (f(mids) * (sigmoid(k * (x - edges[:-1])) - sigmoid(k * (x - edges[1:])))).sum(axis=1)


def check_pulse_sum(pulse_sum) -> Verdict:
    """pulse_sum(f, x, n_pulses, k, lo, hi): n equal pulses on [lo, hi], heights f(midpoints)."""
    c = Checks("04.pulse_approximator", "sum of pulses")
    x = np.linspace(-1, 1, 9)
    for name, f, n, k in [("constant 2", lambda t: 2.0 + 0 * t, 4, 40.0),
                          ("sin(pi x)", lambda t: np.sin(np.pi * t), 10, 100.0),
                          ("x squared", lambda t: t ** 2, 3, 30.0)]:
        got = c.call(pulse_sum, f, x, n, k, -1.0, 1.0, description=f"pulse_sum({name}, n={n})")
        if got is not None:
            c.close(got, _reference_sum(f, x, n, k, -1.0, 1.0), f"{name} with {n} pulses, k={k}",
                    atol=1e-9, hint="edges = linspace(lo, hi, n + 1); height of pulse i = f(midpoint i)")
    return Verdict(c.report())


def _wide_outputs(net, X):
    W1, b1, w2 = (_as_float(a) for a in net)
    return W1, b1, w2, one_hidden_layer(X, W1, b1, w2)


def check_parity_wide(parity_wide) -> Verdict:
    """parity_wide(n) -> (W1, b1, w2): 2^(n-1) minterm units, correct on all 2^n inputs."""
    c = Checks("04.parity_wide", "parity with one hidden layer")
    for n in (2, 3, 4, 5):
        X, y = parity(n)
        net = c.call(parity_wide, n, description=f"parity_wide({n})")
        if net is None:
            continue
        try:
            W1, b1, w2, out = _wide_outputs(net, X)
        except Exception as err:
            c.case(False, f"n={n}: a network (W1, b1, w2)", f"could not run it ({err})")
            continue
        c.equal(W1.shape, (2 ** (n - 1), n), f"n={n}: W1 has shape ({2 ** (n - 1)}, {n})",
                "one hidden unit per input pattern with an odd number of ones")
        c.close(out, y, f"n={n}: correct on all {2 ** n} inputs")
        c.equal(W1.size + b1.size + w2.size, (n + 2) * 2 ** (n - 1),
                f"n={n}: (n+2)*2^(n-1) = {(n + 2) * 2 ** (n - 1)} weights and biases")
    return Verdict(c.report())


def check_parity_deep(parity_deep) -> Verdict:
    """parity_deep(n) -> ThresholdCircuit: n-1 XOR blocks of 3 step units, right on all inputs."""
    c = Checks("04.parity_deep", "parity as a tree of XORs")
    for n in (2, 3, 4, 5):
        X, y = parity(n)
        net = c.call(parity_deep, n, description=f"parity_deep({n})")
        if net is None:
            continue
        if not isinstance(net, ThresholdCircuit):
            c.case(False, f"n={n}: returns a ThresholdCircuit", f"got {type(net).__name__}")
            continue
        out = c.call(net, X, description=f"n={n}: evaluating the circuit")
        if out is not None:
            c.close(out, y, f"n={n}: correct on all {2 ** n} inputs")
        c.equal(net.n_units, 3 * (n - 1), f"n={n}: 3(n-1) = {3 * (n - 1)} units")
        c.equal(net.n_parameters, 9 * (n - 1), f"n={n}: 9(n-1) = {9 * (n - 1)} weights and biases",
                "each unit reads exactly two nodes")
    return Verdict(c.report())
