"""Public checks of notebook 08, generalisation and regularisation.

Each ``check_*`` runs the student's answer on small cases and prints one verdict per case.
Expected values come from formulas written here, never from the student's own code.
"""
from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from .core import Checks
from .verdict import Verdict

__all__ = ["check_weight_decay", "check_dropout", "check_early_stopping", "check_validation_search"]


def _arr(x):
    return np.asarray(to_numpy(x), dtype=float)


def check_weight_decay(l2_penalty, weight_decay_update) -> Verdict:
    """l2_penalty(weights, lam) -> float; weight_decay_update(W, grad, lr, lam) -> new W."""
    c = Checks("08.weight_decay_gradient", "L2 penalty and the weight-decay step")
    W1 = np.array([[1.0, -2.0], [0.5, 0.0]])
    W2 = np.array([[3.0], [-1.0]])
    out = c.call(l2_penalty, [W1], 0.1, description="l2_penalty([W1], 0.1)")
    if out is not None:
        c.close(out, 0.5 * 0.1 * 5.25, "l2_penalty([W1], 0.1) = 0.5 * 0.1 * (1 + 4 + 0.25) = 0.2625",
                "the penalty is (lam / 2) times the sum of the squared weights")
    out = c.call(l2_penalty, [W1, W2], 0.2, description="l2_penalty([W1, W2], 0.2)")
    if out is not None:
        c.close(out, 0.5 * 0.2 * (5.25 + 10.0), "two weight matrices: the squares of both are summed",
                "loop over every array in the list")
    grad = np.array([[0.1, 0.2], [-0.3, 0.4]])
    out = c.call(weight_decay_update, W1.copy(), grad, 0.5, 0.1, description="weight_decay_update")
    if out is not None:
        want = W1 - 0.5 * (grad + 0.1 * W1)
        c.close(out, want, "W - lr (grad + lam W) with lr = 0.5, lam = 0.1",
                "the gradient of (lam/2)||W||^2 is lam W; add it to the data gradient")
        c.close(out, (1 - 0.5 * 0.1) * W1 - 0.5 * grad, "the same as (1 - lr lam) W - lr grad: the weights decay")
    out = c.call(weight_decay_update, W1.copy(), np.zeros_like(W1), 0.1, 0.0, description="lam = 0")
    if out is not None:
        c.close(out, W1, "lam = 0 and no data gradient: W unchanged")
    Wc = W1.copy()
    c.call(weight_decay_update, Wc, grad, 0.5, 0.1, description="weight_decay_update on a copy")
    c.close(Wc, W1, "the input array W is not modified in place", "return a new array (W - ..., not W -= ...)")
    return Verdict(c.report())


def check_dropout(dropout_forward, dropout_backward) -> Verdict:
    """dropout_forward(x, p, rng, train) -> (out, mask); dropout_backward(dout, mask) -> dx."""
    c = Checks("08.dropout", "inverted dropout")
    x = np.arange(1.0, 13.0).reshape(3, 4)
    p = 0.25
    res = c.call(dropout_forward, x.copy(), p, np.random.default_rng(0), True, description="dropout_forward(train)")
    if res is not None:
        try:
            out, mask = (_arr(a) for a in res)
        except Exception:
            c.case(False, "dropout_forward returns (out, mask)", "return a pair of arrays")
            return Verdict(c.report())
        keep = np.random.default_rng(0).random(x.shape) >= p
        c.close(mask, keep / (1 - p), "mask = (rng.random(x.shape) >= p) / (1 - p), drawn once from rng",
                "draw rng.random(x.shape) once; keep where the number is >= p; scale kept entries by 1/(1-p)")
        c.close(out, x * keep / (1 - p), "out = x * mask: kept units are scaled up by 1/(1-p)")
    res = c.call(dropout_forward, x.copy(), p, np.random.default_rng(0), False, description="dropout_forward(test)")
    if res is not None:
        c.close(res[0], x, "at test time (train=False) the output is x itself",
                "inverted dropout rescales at training time, so test time needs no change")
        c.case(res[1] is None, "at test time the mask is None")
    big = np.ones((400, 500))
    res = c.call(dropout_forward, big, 0.5, np.random.default_rng(1), True, description="a large input")
    if res is not None:
        o = _arr(res[0])
        c.close(o.mean(), 1.0, "E[out] = x: the mean of 200,000 ones stays close to 1", atol=0.01)
        c.close((o == 0).mean(), 0.5, "with p = 0.5 about half of the units are dropped", atol=0.01)
    mask = np.array([[0.0, 2.0], [2.0, 0.0]])
    d = c.call(dropout_backward, np.array([[1.0, 2.0], [3.0, 4.0]]), mask, description="dropout_backward")
    if d is not None:
        c.close(d, [[0.0, 4.0], [6.0, 0.0]], "backward: dout * mask (dropped units get no gradient)")
    d = c.call(dropout_backward, np.array([[1.0, 2.0]]), None, description="dropout_backward(mask=None)")
    if d is not None:
        c.close(d, [[1.0, 2.0]], "backward after a test-time forward (mask None): dout unchanged")
    return Verdict(c.report())


def _reference_stop(val, patience):
    best, best_epoch = np.inf, 0
    for epoch, v in enumerate(val, start=1):
        if v < best:
            best, best_epoch = v, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val)


def check_early_stopping(early_stopping) -> Verdict:
    """early_stopping(val_losses, patience) -> (best_epoch, stop_epoch), epochs counted from 1."""
    c = Checks("08.early_stopping", "pick the stopping epoch from a validation curve")
    cases = [([1.0, 0.8, 0.7, 0.75, 0.8, 0.9, 1.0], 2, "minimum at epoch 3, patience 2"),
             ([1.0, 0.9, 0.95, 0.85, 0.9, 0.92, 0.93, 0.94], 3, "a bump before the minimum (epoch 4)"),
             ([1.0, 0.9, 0.8, 0.7], 2, "still improving: never stops"),
             ([0.5, 0.6, 0.5, 0.7], 2, "an equal value is not an improvement")]
    for val, patience, name in cases:
        out = c.call(early_stopping, list(val), patience, description=f"early_stopping({name})")
        if out is None:
            continue
        try:
            got = tuple(int(v) for v in out)
        except Exception:
            c.case(False, f"{name}: returns (best_epoch, stop_epoch)", "return two integers")
            continue
        want = _reference_stop(val, patience)
        c.equal(got, want, f"{name}: (best, stop) = {want}",
                "epochs count from 1; stop at the first epoch that is `patience` epochs after the best; "
                "if that never happens the run ends at the last epoch")
    out = c.call(early_stopping, np.array([0.3, 0.2, 0.25]), 1, description="a NumPy array")
    if out is not None:
        c.equal(tuple(int(v) for v in out), (2, 3), "works on a NumPy array too")
    return Verdict(c.report())


def _score(lr, hidden):
    """A made-up validation accuracy, best at lr = 0.01 and 64 hidden units."""
    return 1.0 - (np.log10(lr) + 2) ** 2 / 10 - abs(hidden - 64) / 1000


def check_validation_search(validation_search) -> Verdict:
    """validation_search(train_and_score, grid) -> (best_params, results)."""
    c = Checks("08.validation_search", "hyper-parameter search on a validation set")
    calls = []

    def score(lr, hidden):
        calls.append((lr, hidden))
        return _score(lr, hidden)

    grid = {"lr": [0.001, 0.01, 0.1], "hidden": [32, 64, 128]}
    out = c.call(validation_search, score, grid, description="validation_search(score, grid)")
    if out is not None:
        try:
            best, results = out
        except Exception:
            c.case(False, "returns (best_params, results)", "return a pair")
            return Verdict(c.report())
        c.case(len(calls) == 9 and len(set(calls)) == 9, "tries each of the 3 x 3 combinations once",
               f"train_and_score was called {len(calls)} times")
        c.case(best == {"lr": 0.01, "hidden": 64}, "best_params = {'lr': 0.01, 'hidden': 64}",
               f"got {best!r}: return the dict of the combination with the HIGHEST score")
        try:
            ok = len(results) == 9 and all(isinstance(p, dict) and np.isclose(s, _score(**p))
                                           for p, s in results)
        except Exception:
            ok = False
        c.case(ok, "results: a list of 9 pairs (params dict, score)")
        try:
            order = [(p["lr"], p["hidden"]) for p, _ in results]
        except Exception:
            order = []
        c.equal(order, [(a, b) for a in grid["lr"] for b in grid["hidden"]],
                "results in grid order (the first key varies slowest, as itertools.product)")
    calls.clear()
    out = c.call(validation_search, lambda a: 0.5, {"a": [3, 1, 2]}, description="a tie")
    if out is not None:
        c.case(out[0] == {"a": 3}, "on a tie the first combination wins", f"got {out[0]!r}")
    return Verdict(c.report())
