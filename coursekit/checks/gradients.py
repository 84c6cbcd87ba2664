"""Gradient exercises checked the way CS231n does: each gradient's relative error, then a cause.

``compare_gradients`` prints, per parameter, the relative error between the student's gradient
and the expected one (a numerical gradient or the reference layer's), marks the first one that is
off, and names the usual cause when it recognises it:

- a factor N (the 1/N of a mean forgotten, or applied twice);
- the opposite sign;
- a transposed array (the shape is the expected one reversed, or the values are its transpose);
- a case the exercise knows (a dropped term of the chain rule, a missing derivative): the
  caller passes the gradients that mistake would give, and the hint to show when they match.

A passing gradient is reported against the threshold ("relative error below 1e-07"), never by
its last digits, so a saved notebook shows the same line on every machine; a failing one shows
its relative error, so a cross never sits beside two arrays whose printed digits look the same.
"""
from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..nn.gradcheck import relative_error

__all__ = ["compare_gradients"]


def _as_array(g):
    try:
        return np.asarray(to_numpy(g), dtype=float)
    except Exception:  # a list of arrays, None, a string...
        return None


def _generic_cause(g, w, n_examples):
    """A cause every gradient can have, in a student's words, or ''."""
    if np.allclose(g, 0) and not np.allclose(w, 0):
        return "it is all zeros: is the gradient computed, and returned (not a fresh np.zeros)?"
    if np.allclose(g, -w, rtol=1e-6, atol=1e-9):
        return "it has the opposite sign: the gradient of the loss, not of its negative"
    for k in {n_examples, 2} - {0, 1}:
        if np.allclose(g, w * k, rtol=1e-6, atol=1e-9):
            return f"it is {k} times too large: the loss is a mean, so divide by {k}"
        if np.allclose(g * k, w, rtol=1e-6, atol=1e-9):
            return f"it is {k} times too small: the 1/{k} of the mean is applied twice"
    if g.ndim == 2 and g.shape == w.shape and g.shape[0] == g.shape[1] and np.allclose(g, w.T):
        return "it is the transpose of the right one: check which side of the product it sits"
    return ""


def compare_gradients(c, label, got, want, *, hints, tol=1e-7, n_examples=0, mistakes=()):
    """Report each gradient of one case on the ``Checks`` object ``c``.

    got, want : sequences of arrays, in the order of ``hints``'s keys (the names: "dW", "db"...)
    hints : name -> the formula to look at when that gradient is off, in the order of ``got``
    n_examples : N of the case, to recognise a forgotten or doubled 1/N
    mistakes : (hint, gradients that mistake gives, in the same order) pairs, tried in order
    Returns True when every gradient matched.
    """
    names = list(hints)
    first_off = True
    all_ok = True
    for k, (name, g, w) in enumerate(zip(names, got, want)):
        w = np.asarray(to_numpy(w), dtype=float)
        g = _as_array(g)
        if g is None or g.shape != w.shape:
            shape = "nothing usable" if g is None else f"shape {g.shape}"
            why = ("transposed: the expected shape reversed" if g is not None and g.shape == w.shape[::-1]
                   and g.ndim == 2 else hints[name])
            c.case(False, f"{label}: {name} of shape {w.shape}", f"got {shape}; {why}")
            all_ok = first_off = False
            continue
        err = relative_error(g, w)
        if err < tol:
            c.case(True, f"{label}: {name} matches (relative error below {tol:.0e})")
            continue
        cause = next((h for h, alt in mistakes if np.allclose(g, np.asarray(alt[k], dtype=float),
                                                               rtol=1e-6, atol=1e-9)), "")
        cause = cause or _generic_cause(g, w, n_examples) or hints[name]
        mark = " (the first gradient that is off)" if first_off else ""
        c.case(False, f"{label}: {name}{mark}, relative error {err:.1e}", cause)
        all_ok = first_off = False
    return all_ok
