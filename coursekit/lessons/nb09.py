"""Loops against matrix products, FLOP counts and timing (notebook 09).

- ``dense_forward_loop`` / ``dense_backward_loop``: a fully connected layer written with Python
  loops over examples, units and inputs, one multiply-add at a time; the reference that the
  vectorised versions must reproduce.
- ``dense_flops`` / ``mlp_flops``: floating-point operations of a dense layer or an MLP. One
  output of ``x W`` is a dot product of length n_in: n_in multiplications and n_in − 1 additions
  (plus one for the bias), about 2·n_in FLOPs; a layer has n_out outputs per example, so
  forward costs 2·n_in·n_out per example. Backward needs dW = xᵀδ and dx = δWᵀ, two products
  of the same size: about twice the forward cost. Biases and activations are O(n_out) and left
  out.
- ``best_time``: the fastest of several runs of a function, the usual way to time small code.
"""
from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np

__all__ = ["dense_forward_loop", "dense_backward_loop", "dense_flops", "mlp_flops", "best_time", "median_time"]


def dense_forward_loop(X, W, b):
    """out[n, j] = Σ_i X[n, i] W[i, j] + b[j], one multiply-add at a time. X (N, D), W (D, H)."""
    N, D = len(X), len(W)
    H = len(b)
    out = np.zeros((N, H))
    for n in range(N):
        for j in range(H):
            s = b[j]
            for i in range(D):
                s += X[n, i] * W[i, j]
            out[n, j] = s
    return out


def dense_backward_loop(X, W, dout):
    """(dX, dW, db) of out = X W + b for the upstream gradient dout (N, H), with loops."""
    N, D = len(X), len(W)
    H = dout.shape[1]
    dX, dW, db = np.zeros((N, D)), np.zeros((D, H)), np.zeros(H)
    for n in range(N):
        for j in range(H):
            g = dout[n, j]
            db[j] += g
            for i in range(D):
                dW[i, j] += X[n, i] * g
                dX[n, i] += W[i, j] * g
    return dX, dW, db


def dense_flops(n_in: int, n_out: int, n_examples: int = 1) -> tuple[int, int]:
    """(forward, backward) FLOPs of a dense layer: 2·in·out·N and twice that."""
    f = 2 * int(n_in) * int(n_out) * int(n_examples)
    return f, 2 * f


def mlp_flops(sizes: Sequence[int], n_examples: int = 1) -> tuple[int, int]:
    """(forward, backward) FLOPs of an MLP with layer widths ``sizes`` (inputs first)."""
    pairs = [dense_flops(a, b, n_examples) for a, b in zip(sizes[:-1], sizes[1:])]
    return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


def median_time(fn: Callable, repeat: int = 7, warmup: int = 1, sync: Callable | None = None) -> float:
    """Seconds per call: the median of ``repeat`` timed calls, after ``warmup`` untimed ones.

    The warm-up pays the one-off costs (memory first touched, caches filled, BLAS threads
    started); the median ignores the odd slow call when something else ran on the machine.
    ``sync`` as in ``best_time``.
    """
    for _ in range(int(warmup)):
        fn()
    if sync is not None:
        sync()
    times = []
    for _ in range(max(int(repeat), 1)):
        t0 = time.perf_counter()
        fn()
        if sync is not None:
            sync()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def best_time(fn: Callable, repeat: int = 5, number: int = 1, sync: Callable | None = None) -> float:
    """Seconds per call: the fastest of ``repeat`` rounds of ``number`` calls.

    ``sync`` (e.g. ``torch.cuda.synchronize``) is called after each round: GPU work is queued
    and returns at once, so without it a timer measures only the queueing.
    """
    best = float("inf")
    for _ in range(int(repeat)):
        t0 = time.perf_counter()
        for _ in range(int(number)):
            fn()
        if sync is not None:
            sync()
        best = min(best, (time.perf_counter() - t0) / int(number))
    return best
