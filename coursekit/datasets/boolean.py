"""Boolean data: truth tables and N-bit parity (notebooks 01 and 04).

Rows follow the usual truth-table order: row ``i`` holds the bits of ``i`` written in binary,
most significant bit in column 0, so for two inputs the rows are 00, 01, 10, 11.

Two encodings, chosen with ``encoding``:

- ``"binary"``: false = 0, true = 1 (the perceptron of notebook 01);
- ``"bipolar"``: false = -1, true = +1 (the XOR and DNF networks of notebook 04).

Inputs ``X`` are float64 and labels ``y`` are int64, both in the chosen encoding.
"""
from __future__ import annotations

import numpy as np

from ..errors import choose, positive_int

__all__ = ["truth_table", "parity", "all_bit_patterns", "BOOLEAN_FUNCTIONS", "ENCODINGS"]

ENCODINGS = ("binary", "bipolar")

# Each function takes the (2**n, n) matrix of 0/1 bits and returns the (2**n,) 0/1 outputs,
# so every named function works for any number of inputs.
BOOLEAN_FUNCTIONS = {
    "and": lambda bits: bits.all(axis=1),
    "or": lambda bits: bits.any(axis=1),
    "nand": lambda bits: ~bits.all(axis=1),
    "nor": lambda bits: ~bits.any(axis=1),
    "xor": lambda bits: bits.sum(axis=1) % 2 == 1,
    "xnor": lambda bits: bits.sum(axis=1) % 2 == 0,
}

# 2**20 rows of 20 floats is already 8 MB; past that a table is a mistake, not a lesson.
_MAX_INPUTS = 20


def all_bit_patterns(n_inputs: int) -> np.ndarray:
    """Every pattern of ``n_inputs`` bits in truth-table order.

    Returns
    -------
    bits : (2**n_inputs, n_inputs) int64 of 0 and 1
    """
    n_inputs = positive_int(n_inputs, "n_inputs")
    if n_inputs > _MAX_INPUTS:
        raise ValueError(f"n_inputs={n_inputs} gives 2**{n_inputs} rows; use at most {_MAX_INPUTS} inputs")
    rows = np.arange(2 ** n_inputs, dtype=np.int64)
    shifts = np.arange(n_inputs - 1, -1, -1, dtype=np.int64)
    return (rows[:, None] >> shifts[None, :]) & 1


def _encode(bits: np.ndarray, encoding: str, dtype) -> np.ndarray:
    bits = bits.astype(dtype)
    return bits if encoding == "binary" else 2 * bits - 1


def truth_table(function="and", n_inputs: int = 2, encoding: str = "binary"):
    """The full truth table of a Boolean function.

    Parameters
    ----------
    function : str, callable or sequence
        A name (``"and"``, ``"or"``, ``"nand"``, ``"nor"``, ``"xor"``, ``"xnor"``; all work for
        any ``n_inputs``); a callable taking ``n_inputs`` bits (0 or 1) as separate arguments and
        returning something true or false, e.g. ``lambda a, b: a and not b``; or the output column
        itself: a sequence of 2**n_inputs values 0/1 (or False/True) in truth-table order.
    n_inputs : int
        Number of input bits.
    encoding : "binary" or "bipolar"
        0/1 or -1/+1, used for both inputs and labels.

    Returns
    -------
    X : (2**n_inputs, n_inputs) float64
    y : (2**n_inputs,) int64
    """
    encoding = choose(encoding, ENCODINGS, "encoding")
    bits = all_bit_patterns(n_inputs)
    if isinstance(function, str):
        key = choose(function.lower(), tuple(BOOLEAN_FUNCTIONS), "Boolean function")
        out = BOOLEAN_FUNCTIONS[key](bits.astype(bool))
    elif callable(function):
        out = np.array([bool(function(*map(int, row))) for row in bits])
    else:
        out = np.asarray(function)
        if out.shape != (2 ** n_inputs,):
            raise ValueError(
                f"a truth table for {n_inputs} inputs needs {2 ** n_inputs} outputs, one per row "
                f"(rows 00..0 to 11..1), got shape {out.shape}")
        if not np.isin(out, (0, 1)).all():
            raise ValueError("truth-table outputs must be 0/1 or False/True, got " + str(np.unique(out)))
        out = out.astype(bool)
    return _encode(bits, encoding, np.float64), _encode(out, encoding, np.int64)


def parity(n_bits: int, encoding: str = "binary"):
    """N-bit parity: the label is true when an odd number of bits are on (XOR of all bits).

    Notebook 04 builds a wide network (2**(N-1) hidden units) and a deep XOR tree (3(N-1) units)
    for it and checks both on every row.

    Returns
    -------
    X : (2**n_bits, n_bits) float64
    y : (2**n_bits,) int64, in the same encoding as X
    """
    n_bits = positive_int(n_bits, "n_bits")
    return truth_table("xor", n_bits, encoding)
