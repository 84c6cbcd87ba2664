"""Public checks of notebook 00 (setup_and_tour): the environment and two warm-up functions."""
from __future__ import annotations

import numpy as np

from ..backend import available_backends, to_numpy
from .core import Checks
from .verdict import Verdict

__all__ = ["check_environment", "check_mse", "check_weighted_sum"]


def check_environment(env_ok, backend_names) -> Verdict:
    """env_ok: the bool ``coursekit.environment.check()`` returned; backend_names: list of str."""
    c = Checks("00.environment", "your environment")
    c.case(isinstance(env_ok, (bool, np.bool_)), "env_ok is True or False",
           f"got {type(env_ok).__name__}: store what coursekit.environment.check() returns")
    c.case(env_ok is True or env_ok is np.True_, "the environment is ready for the course",
           "read the 'verdict' line of the report above: it says what to install")
    expected = [b.name for b in available_backends()]
    ok_list = isinstance(backend_names, (list, tuple)) and all(isinstance(n, str) for n in backend_names)
    c.case(ok_list, "backend_names is a list of strings",
           f"got {type(backend_names).__name__}: use [b.name for b in ...]")
    if ok_list:
        c.case("numpy" in backend_names, "NumPy is among the backends", "the list should contain 'numpy'")
        c.case(list(backend_names) == expected, "the list names every backend found here, in order",
               f"expected {expected}, got {list(backend_names)}")
    return Verdict(c.report())


def check_mse(mse) -> Verdict:
    """mse(y (N,), y_hat (N,)) -> float, the mean of the squared differences."""
    c = Checks("00.warmup", "mean squared error")
    y = np.array([1.0, 2.0, 3.0])
    out = c.call(mse, y, y.copy(), description="mse(y, y)")
    if out is not None:
        c.close(out, 0.0, "a perfect prediction has error 0")
    out = c.call(mse, np.array([0.0, 0.0]), np.array([1.0, 3.0]), description="mse([0, 0], [1, 3])")
    if out is not None:
        v = float(np.asarray(to_numpy(out)).reshape(-1)[0]) if np.size(to_numpy(out)) == 1 else None
        hint = {10.0: "that is the sum: divide by the number of examples (take the mean)",
                2.0: "square each difference before averaging",
                -2.0: "square each difference before averaging",
                5.0 ** 0.5: "that is the root of the mean: leave out the square root",
                2.5: "no factor 1/2 here: the mean of the squares"}.get(v, "")
        c.close(out, 5.0, "mse([0, 0], [1, 3]) = (1 + 9) / 2 = 5", hint)
    out = c.call(mse, np.array([2.0, -1.0, 0.5, 4.0]), np.array([1.0, 1.0, 0.5, 2.0]),
                 description="mse of 4 values")
    if out is not None:
        shape = np.shape(to_numpy(out))
        c.case(shape in ((), (1,)), "returns one number, not an array per example",
               f"got shape {shape}: average over the examples")
        c.close(np.asarray(to_numpy(out)).reshape(()) if np.size(to_numpy(out)) == 1 else out, 2.25,
                "mse([2, -1, 0.5, 4], [1, 1, 0.5, 2]) = 2.25")
    return Verdict(c.report())


def check_weighted_sum(weighted_sum) -> Verdict:
    """weighted_sum(X (N, d), w (d,), b scalar) -> (N,) the rows' weighted sums X @ w + b."""
    c = Checks("00.weighted_sum", "a neuron's weighted sum for a batch")
    X = np.array([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]])
    w = np.array([0.5, -1.0])
    out = c.call(weighted_sum, X, w, 0.0, description="weighted_sum(X (3, 2), w, 0)")
    if out is not None:
        c.close(out, [-1.5, -2.5, -1.0], "three rows, b = 0: X @ w",
                "row i gives X[i, 0]·w[0] + X[i, 1]·w[1]; the result has shape (N,)")
    out = c.call(weighted_sum, X, w, 2.0, description="weighted_sum(X (3, 2), w, 2)")
    if out is not None:
        c.close(out, [0.5, -0.5, 1.0], "b = 2 is added to every row", "add b once per row, after the sum")
    X1 = np.array([[2.0, 0.0, 1.0]])
    out = c.call(weighted_sum, X1, np.array([1.0, 5.0, -3.0]), -1.0, description="weighted_sum of one row of 3")
    if out is not None:
        c.close(out, [-2.0], "one example with three inputs: shape (1,)")
    return Verdict(c.report())
