"""Public checks of notebook 01 (neurons_and_perceptrons).

Conventions (as in the notebook and ``coursekit.lessons.nb01``): X (N, d); weights (d + 1,) with
the bias weight w0 first; labels 0/1; a unit fires when its weighted sum is >= its threshold.
"""
from __future__ import annotations

import numpy as np

from ..lessons import nb01 as ref
from ..backend import to_numpy
from .core import Checks
from .verdict import Verdict

__all__ = [
    "check_threshold_unit",
    "check_perceptron_predict",
    "check_gate_weights",
    "check_perceptron_train",
    "check_line_errors",
    "check_xor_errors",
    "check_weight_cycle",
    "check_xor_cycle",
    "first_repeat",
    "GATES",
]

#: The two-input truth table, rows 00, 01, 10, 11.
TABLE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
#: Output column of each gate on TABLE.
GATES = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1]), "NAND": np.array([1, 1, 1, 0])}


def check_threshold_unit(threshold_unit) -> Verdict:
    """threshold_unit(X (N, d), w (d,), theta) -> (N,) 0/1: 1 where X @ w >= theta."""
    c = Checks("01.threshold_unit", "McCulloch-Pitts threshold unit")
    out = c.call(threshold_unit, TABLE, np.array([1.0, 1.0]), 1.5, description="threshold_unit(table, [1, 1], 1.5)")
    if out is not None:
        c.equal(np.asarray(to_numpy(out)).astype(int), GATES["AND"], "w = (1, 1), θ = 1.5 computes AND",
                "the unit outputs 1 exactly where x·w >= θ")
    out = c.call(threshold_unit, TABLE, np.array([1.0, 1.0]), 1.0, description="threshold_unit(table, [1, 1], 1)")
    if out is not None:
        got = np.asarray(to_numpy(out)).astype(int)
        hint = ("at x·w = θ exactly the unit must fire: compare with >=, not >"
                if np.array_equal(got, GATES["AND"]) else "")
        c.equal(got, GATES["OR"], "w = (1, 1), θ = 1 computes OR (the sum equals θ on 01 and 10)", hint)
    X3 = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    out = c.call(threshold_unit, X3, np.array([2.0, -1.0, 0.5]), 0.0,
                 description="threshold_unit(3 rows of 3 inputs, [2, -1, 0.5], 0)")
    if out is not None:
        c.equal(out, np.array([1, 0, 1]), "three inputs, a negative weight, θ = 0 gives [1, 0, 1]",
                "return one 0/1 value per row of X, shape (N,)")
    return Verdict(c.report())


def check_perceptron_predict(perceptron_predict) -> Verdict:
    """perceptron_predict(w (d+1,), X (N, d)) -> (N,) 0/1 with w[0] the bias weight."""
    c = Checks("01.perceptron_predict", "perceptron output, bias as w0·x0")
    out = c.call(perceptron_predict, np.array([-1.5, 1.0, 1.0]), TABLE,
                 description="perceptron_predict([-1.5, 1, 1], table)")
    if out is not None:
        c.equal(np.asarray(to_numpy(out)).astype(int), GATES["AND"], "w = (-1.5, 1, 1) computes AND",
                "w[0] is the bias weight on the constant input x0 = 1; w[1:] weigh x1, x2")
    out = c.call(perceptron_predict, np.array([0.5, -1.0, 0.0]), TABLE,
                 description="perceptron_predict([0.5, -1, 0], table)")
    if out is not None:
        got = np.asarray(to_numpy(out)).astype(int)
        hint = ""
        if np.array_equal(got, [1, 1, 1, 1]):
            hint = "the output ignores x1: is w[1] the weight of the first input column?"
        c.equal(got, np.array([1, 1, 0, 0]), "w = (0.5, -1, 0) fires when x1 = 0 (NOT x1)", hint)
    out = c.call(perceptron_predict, np.array([0.0, 1.0, -1.0]), TABLE,
                 description="perceptron_predict([0, 1, -1], table)")
    if out is not None:
        c.equal(np.asarray(to_numpy(out)).astype(int), np.array([1, 0, 1, 1]),
                "a weighted sum of exactly 0 gives 1 (rows 00 and 11)", "fire when w·x̃ >= 0, not > 0")
    X3 = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])
    out = c.call(perceptron_predict, np.array([-1.0, 0.5, -0.5, 0.25]), X3,
                 description="perceptron_predict(w of length 4, X of shape (2, 3))")
    if out is not None:
        c.equal(out, np.array([0, 0]), "three inputs: w has d + 1 = 4 entries, output shape (2,)")
    return Verdict(c.report())


def check_gate_weights(w_and, w_or, w_nand) -> Verdict:
    """Each of w_and, w_or, w_nand: (3,) weights (bias first) computing the gate on the truth table."""
    c = Checks("01.gate_weights", "AND, OR and NAND by hand")
    for name, w in (("AND", w_and), ("OR", w_or), ("NAND", w_nand)):
        try:
            w = np.asarray(to_numpy(w), dtype=float).reshape(-1)
        except Exception:
            c.case(False, f"w_{name.lower()} is an array of 3 numbers", f"got {type(w).__name__}")
            continue
        if w.shape != (3,):
            c.case(False, f"w_{name.lower()} has 3 entries (w0, w1, w2)", f"got shape {w.shape}")
            continue
        got = ref.predict(w, TABLE)
        wrong = [f"{int(a)}{int(b)}" for (a, b), g, t in zip(TABLE, got, GATES[name]) if g != t]
        c.case(not wrong, f"w_{name.lower()} computes {name} on all four rows",
               f"wrong on rows {', '.join(wrong)} (the unit fires where w0 + w1·x1 + w2·x2 >= 0)")
    return Verdict(c.report())


def _vec(w) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in np.asarray(w, dtype=float).reshape(-1)) + ")"


# -- training ---------------------------------------------------------------------------------
def _variants(X, y, eta, max_epochs):
    """Typical wrong versions of the perceptron rule, with the hint each deserves."""
    Xb = ref.add_bias(X)
    out = []

    def run(fire, batch=False, stop_zero_counted=True, update_always=False, delta_on_mistakes=False,
            bias_last=False):
        Xb_ = np.hstack([X, np.ones((X.shape[0], 1))]) if bias_last else Xb
        w = np.zeros(Xb_.shape[1])
        errs = []
        for _ in range(max_epochs):
            if batch:
                pred = np.array([1 if fire(x @ w) else 0 for x in Xb_])
                m = int(np.sum(pred != y))
                w = w + eta * ((y - pred) @ Xb_)
            else:
                m = 0
                for x, t in zip(Xb_, y):
                    p = 1 if fire(x @ w) else 0
                    if update_always or (delta_on_mistakes and p != t):
                        w = w + eta * (t - x @ w) * x
                    elif p != t:
                        w = w + eta * (t - p) * x
                    m += int(p != t)
            if m == 0:
                if stop_zero_counted:
                    errs.append(0)
                break
            errs.append(m)
        return w, errs  # bias_last: the weights as that student returns them, bias at the end

    ge = lambda z: z >= 0  # noqa: E731
    gt = lambda z: z > 0   # noqa: E731
    out.append((run(gt), "the unit fires when w·x̃ >= 0 (a sum of exactly 0 counts as 1), not > 0"))
    out.append((run(ge, batch=True), "update after each example, with the weights as they are "
                "at that moment, not once per epoch"))
    out.append((run(ge, stop_zero_counted=False), "count the last epoch too: the list ends with 0 "
                "when training converged"))
    delta = ("that is the delta rule (y − w·x̃): the perceptron rule uses the thresholded output "
             "ŷ, so the factor is y − ŷ, one of −1, 0, +1")
    out.append((run(ge, update_always=True), delta))
    out.append((run(ge, delta_on_mistakes=True), delta))
    bias_last = run(ge, bias_last=True)
    out.append((bias_last, "the weights are right but in the wrong order: put the bias first, "
                "x̃ = (1, x_1, ..., x_d) and w = (w_0, w_1, ..., w_d)"))
    return out


def _train_case(c, perceptron_train, X, y, eta, max_epochs, label):
    expected = ref.train(X, y, eta=eta, max_epochs=max_epochs)
    out = c.call(perceptron_train, X, y, eta=eta, max_epochs=max_epochs,
                 description=f"perceptron_train({label}, eta={eta}, max_epochs={max_epochs})")
    if out is None:
        return
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        c.case(False, f"{label}: returns (w, errors)", f"got {type(out).__name__}")
        return
    w, errors = out
    try:
        w = np.asarray(to_numpy(w), dtype=float).reshape(-1)
        errors = [int(e) for e in np.asarray(to_numpy(errors)).reshape(-1)]
    except Exception:
        c.case(False, f"{label}: returns (w, errors)", "w must be an array and errors a list of integers")
        return
    ok_errors = errors == list(expected.errors_per_epoch)
    ok_w = w.shape == expected.w.shape and np.allclose(w, expected.w)
    hint = ""
    if w.shape == (X.shape[1],):  # d weights where d + 1 were due
        hint = (f"w has {X.shape[1]} entries, one per input: the bias is missing. Prepend a column "
                f"of ones (x̃ = (1, x)) and start from np.zeros(d + 1), so the rule learns w_0 too")
    elif not (ok_errors and ok_w):
        for (vw, verrs), h in _variants(np.asarray(X, float), np.asarray(y), eta, max_epochs):
            if verrs == errors and vw.shape == w.shape and np.allclose(vw, w):
                hint = h
                break
        else:
            hint = "start from w = 0, visit the examples in order, update only on mistakes"
    c.case(ok_errors, f"{label}: mistakes per epoch {list(expected.errors_per_epoch)}",
           f"got {errors}. {hint}" if not ok_errors else "")
    c.case(ok_w, f"{label}: final w = {_vec(expected.w)}", f"got {_vec(w)}. {hint}" if not ok_w else "")


def check_perceptron_train(perceptron_train) -> Verdict:
    """perceptron_train(X, y, eta=1.0, max_epochs=100) -> (w (d+1,), errors per epoch)."""
    c = Checks("01.perceptron_train", "the perceptron rule")
    _train_case(c, perceptron_train, TABLE, GATES["OR"], 1.0, 100, "OR")
    _train_case(c, perceptron_train, TABLE, GATES["AND"], 0.5, 100, "AND")
    X1 = np.array([[2.0], [-1.0], [3.0], [0.5]])
    _train_case(c, perceptron_train, X1, np.array([1, 0, 1, 0]), 1.0, 100, "1-D points")
    return Verdict(c.report())


def check_line_errors(line_errors) -> Verdict:
    """line_errors(W (M, d+1), X (N, d), y (N,)) -> (M,) number of mistakes of each candidate."""
    c = Checks("01.line_errors", "mistakes of many candidate lines at once")
    W = np.array([[-1.5, 1.0, 1.0], [-0.5, 1.0, 1.0], [1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
    out = c.call(line_errors, W, TABLE, GATES["AND"], description="line_errors(4 lines, table, AND)")
    if out is not None:
        shape = np.shape(to_numpy(out))
        hint = ("sum the mistakes over the examples (axis 0 of the (N, M) predictions)"
                if shape in ((4, 4), (4,)) else "")
        c.close(out, [0, 2, 3, 1], "AND: the AND line 0, the OR line 2, always-1 3, always-0 1", hint)
    W2 = np.array([[0.0, 1.0, -1.0], [-0.5, 1.0, 0.0]])
    out = c.call(line_errors, W2, TABLE, GATES["OR"], description="line_errors(2 lines, table, OR)")
    if out is not None:
        shape = np.shape(to_numpy(out))
        hint = "return one count per candidate: shape (M,)" if shape != (2,) else (
            "a weighted sum of exactly 0 fires (>= 0)")
        c.close(out, [2, 1], "OR with M = 2 candidates (N = 4 examples): shape (2,), counts [2, 1]", hint)
    return Verdict(c.report())


def check_xor_errors(xor_errors, n_epochs: int = 20) -> Verdict:
    """xor_errors: the mistakes per epoch of ``perceptron_train`` on XOR with max_epochs=n_epochs."""
    c = Checks("01.xor_nonconvergence", "the perceptron on XOR")
    try:
        errs = [int(e) for e in np.asarray(to_numpy(xor_errors)).reshape(-1)]
    except Exception:
        c.case(False, "xor_errors is a list of integers", f"got {type(xor_errors).__name__}")
        return Verdict(c.report())
    c.case(len(errs) == n_epochs, f"one count per epoch: {n_epochs} epochs",
           f"got {len(errs)}: train with max_epochs={n_epochs}; training on XOR never stops early")
    c.case(len(errs) > 0 and min(errs) > 0, "no epoch is free of mistakes",
           "an epoch with 0 mistakes would mean a line separates XOR: check your data set (y = 0, 1, 1, 0)")
    c.case(all(0 <= e <= 4 for e in errs), "each epoch makes between 1 and 4 mistakes on 4 points")
    return Verdict(c.report())


def first_repeat(weights):
    """The reference of 01.xor_nonconvergence: (start, period) of the first repeated row, or None.

    weights: (T, k) a sequence of weight vectors, one per row. Scanning the rows in order, at the
    first row equal to an earlier one, returns (index of the earlier row, distance between them).
    """
    seen = {}
    for i, row in enumerate(np.asarray(to_numpy(weights), dtype=float)):
        key = tuple(row.tolist())
        if key in seen:
            return seen[key], i - seen[key]
        seen[key] = i
    return None


#: (description, sequence) of the public cases, each a different slip's trap.
_CYCLE_CASES = [
    ("a cycle of period 2 entered after one step: rows 0, 1, 2, 1, 2", [[0.0], [1.0], [2.0], [1.0], [2.0]]),
    ("the same vector twice in a row", [[5.0, 5.0], [5.0, 5.0], [1.0, 2.0]]),
    ("rows compared as whole vectors: (1, 2), (2, 1), (1, 3), (2, 1)",
     [[1.0, 2.0], [2.0, 1.0], [1.0, 3.0], [2.0, 1.0]]),
    ("no row repeats", [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]),
]


def _cycle_hint(got, want) -> str:
    """The usual slip behind a wrong (start, period)."""
    if want is None:
        return "no row appears twice here: return None"
    if got is None:
        return "a row does repeat: compare each row with all the earlier ones, not only the previous one"
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return "return a pair (start, period) of ints"
    start, period = got
    if (start, period) == (want[1], want[0]):
        return "the pair is (start, period), in that order"
    if start == want[0] + want[1]:
        return "start is the index of the *earlier* of the two equal rows"
    if start == want[0]:
        return "the period is the number of steps between the two equal rows (later index - earlier index)"
    return ("compare whole rows (tuple(row) as a dict key, or np.array_equal), and stop at the first row "
            "that equals an earlier one")


def check_weight_cycle(weight_cycle) -> Verdict:
    """weight_cycle(weights (T, k)) -> (start, period) of the first repeated row, or None."""
    c = Checks("01.xor_nonconvergence", "when does the perceptron repeat itself?")
    for label, seq in _CYCLE_CASES:
        # wrapped in a 1-tuple: None is a right answer here, and c.call returns None on an error
        boxed = c.call(lambda a: (weight_cycle(a),), np.array(seq), description=f"weight_cycle on {label}")
        if boxed is None:
            continue                                  # c.call already reported the error
        out, want = boxed[0], first_repeat(seq)
        try:
            got = tuple(int(v) for v in out) if isinstance(out, (tuple, list)) else out
        except (TypeError, ValueError):
            got = out
        c.case(got == want, f"{label}: {want}", f"got {out!r}; {_cycle_hint(got, want)}")
    return Verdict(c.report())


def check_xor_cycle(xor_cycle, n_distinct) -> Verdict:
    """xor_cycle: weight_cycle of the XOR run's weights; n_distinct: distinct weight vectors in it."""
    c = Checks("01.xor_nonconvergence", "the perceptron on XOR goes round in a circle")
    ok = isinstance(xor_cycle, (tuple, list)) and len(xor_cycle) == 2
    if not c.case(ok, "xor_cycle is a pair (start, period)",
                  f"got {xor_cycle!r}: call weight_cycle(run_xor.weights) (the weights after every update)"):
        return Verdict(c.report())
    period = int(xor_cycle[1])
    c.case(period == 4, "the period is counted in updates: one lap of the cycle per epoch of 4 mistakes",
           f"got {period}: pass run_xor.weights, the weights after every update, not one row per epoch")
    c.case(isinstance(n_distinct, (int, np.integer)) and 4 <= int(n_distinct) <= 12,
           "a handful of distinct weight vectors, however many epochs",
           f"got {n_distinct!r}: count distinct rows, e.g. len(np.unique(run_xor.weights, axis=0))")
    return Verdict(c.report())
