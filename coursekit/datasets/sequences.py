"""Toy sequence tasks with known answers, for the recurrent network of notebook 11.

Inputs are ``X`` of shape (N, T, D) float64 (N sequences, T time steps, D features per step) and
targets ``Y`` of shape (N, T) int64: one label per time step, so the loss can be read at every
step and gradients compared across time distances.
"""
from __future__ import annotations

import numpy as np

from ..errors import positive_int, rng_from

__all__ = ["running_parity", "binary_addition", "delayed_echo", "remember_bit", "bits_to_int"]


def running_parity(n_sequences: int = 1000, length: int = 10, seed=0):
    """Random bit strings; the target at step t is the parity of bits 0..t.

    An RNN solves it by keeping one bit of state: h_t = h_{t-1} XOR x_t.

    Returns
    -------
    X : (n_sequences, length, 1) float64 of 0/1 bits
    Y : (n_sequences, length) int64, Y[:, t] = (X[:, :t+1, 0].sum(axis=1)) % 2
    """
    n_sequences = positive_int(n_sequences, "n_sequences")
    length = positive_int(length, "length")
    bits = rng_from(seed).integers(0, 2, size=(n_sequences, length))
    return bits[:, :, None].astype(np.float64), (np.cumsum(bits, axis=1) % 2).astype(np.int64)


def binary_addition(n_sequences: int = 1000, n_bits: int = 8, seed=0):
    """Add two numbers bit by bit, least significant bit first (so the carry moves forward in time).

    Both numbers are below 2**(n_bits-1), so their sum fits in ``n_bits`` bits.

    Returns
    -------
    X : (n_sequences, n_bits, 2) float64; X[n, t] = (bit t of a, bit t of b)
    Y : (n_sequences, n_bits) int64; Y[n, t] = bit t of a + b
    Decode with ``bits_to_int(X[..., 0])`` (gives a), ``bits_to_int(Y)`` (gives a + b).
    """
    n_sequences = positive_int(n_sequences, "n_sequences")
    n_bits = positive_int(n_bits, "n_bits", minimum=2)
    if n_bits > 62:
        raise ValueError(f"n_bits must be at most 62 so the numbers fit in int64, got {n_bits}")
    rng = rng_from(seed)
    a = rng.integers(0, 2 ** (n_bits - 1), size=n_sequences)
    b = rng.integers(0, 2 ** (n_bits - 1), size=n_sequences)
    shifts = np.arange(n_bits)
    to_bits = lambda v: (v[:, None] >> shifts[None, :]) & 1  # noqa: E731  (N,) -> (N, n_bits), LSB first
    X = np.stack([to_bits(a), to_bits(b)], axis=2).astype(np.float64)
    return X, to_bits(a + b).astype(np.int64)


def delayed_echo(n_sequences: int = 1000, length: int = 20, delay: int = 5, seed=0):
    """Repeat the input bit seen ``delay`` steps ago (0 for the first ``delay`` steps).

    Raising ``delay`` makes the network carry information further back in time: the task that
    shows vanishing gradients.

    Returns
    -------
    X : (n_sequences, length, 1) float64 of 0/1 bits
    Y : (n_sequences, length) int64; Y[:, t] = X[:, t - delay, 0] for t >= delay, else 0
    """
    n_sequences = positive_int(n_sequences, "n_sequences")
    length = positive_int(length, "length")
    delay = positive_int(delay, "delay", minimum=0)
    if delay >= length:
        raise ValueError(f"delay ({delay}) must be shorter than the sequence length ({length})")
    bits = rng_from(seed).integers(0, 2, size=(n_sequences, length))
    Y = np.zeros_like(bits)
    Y[:, delay:] = bits[:, : length - delay]
    return bits[:, :, None].astype(np.float64), Y.astype(np.int64)


def remember_bit(n_sequences: int = 256, length: int = 40, noise: float = 1.0, seed=0):
    """Remember the first input for ``length`` steps of noise: one label per sequence, at its end.

    Step 0 holds the bit to remember as -1 or +1; steps 1 .. length-1 hold Gaussian noise of
    standard deviation ``noise`` in the same feature, which the network must learn to ignore.
    The label is read after the last step, ``length - 1`` steps after the bit: the long delay that
    a plain RNN's vanishing gradient cannot bridge (notebook 11).

    Returns
    -------
    X : (n_sequences, length, 1) float64
    y : (n_sequences,) int64, the bit of step 0 (0 for -1, 1 for +1)
    """
    n_sequences = positive_int(n_sequences, "n_sequences")
    length = positive_int(length, "length", minimum=2)
    if not noise >= 0:
        raise ValueError(f"noise is a standard deviation, at least 0; got {noise}")
    rng = rng_from(seed)
    y = rng.integers(0, 2, size=n_sequences)
    X = rng.normal(scale=float(noise), size=(n_sequences, length, 1))
    X[:, 0, 0] = 2.0 * y - 1.0
    return X, y.astype(np.int64)


def bits_to_int(bits) -> np.ndarray:
    """(..., T) array of 0/1 bits, least significant first -> (...,) int64 numbers."""
    bits = np.asarray(bits).astype(np.int64)
    return (bits << np.arange(bits.shape[-1])).sum(axis=-1)
