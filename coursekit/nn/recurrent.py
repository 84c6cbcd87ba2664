"""A vanilla recurrent layer with back-propagation through time (notebook 11, recurrent_networks).

    h_t = tanh(x_t Wx + h_{t-1} Wh + b),   t = 0 .. T-1,   h_{-1} = h0 (zeros unless given).

Only the recurrence h_{t-1} -> h_t has to be a Python loop over time. Everything else is one
matrix product over all N*T steps at once: the input projection x Wx before the loop in forward,
and dx, dWx, dWh after the loop in backward (the hidden states are stacked, so sum_t h_{t-1}^T da_t
is a single product). This is what makes the layer faster than a step-by-step implementation.
"""
from __future__ import annotations

import array_api_compat
import numpy as np

from ..backend import namespace_of
from .base import Layer, ShapeError, describe_shape
from .init import init_weights

__all__ = ["RNN", "check_sequence"]


def check_sequence(layer: str, x, D: int) -> tuple[int, int]:
    """(N, T) of a batch of sequences x (N, T, D); ShapeError in plain words otherwise."""
    shape = tuple(x.shape)
    if len(shape) != 3 or shape[2] != D:
        hint = ""
        if len(shape) == 2 and shape[1] == D:
            hint = " One sequence? Add the batch axis: x[None]."
        elif len(shape) == 3 and shape[1] == D:
            hint = " Is time on axis 2? The layout is (batch, time, features)."
        raise ShapeError(f"{layer} expected input of shape (N, T, {D}) (batch, time, features), "
                         f"got {describe_shape(shape)}.{hint}")
    if shape[0] == 0 or shape[1] == 0:
        raise ShapeError(f"{layer} got an empty input {describe_shape(shape)}: give at least one "
                         f"sequence of at least one step")
    return shape[0], shape[1]


class RNN(Layer):
    """Elman RNN, tanh, returning every hidden state.

    Parameters: ``Wx`` (D, H) input-to-hidden, ``Wh`` (H, H) hidden-to-hidden, ``b`` (H,).
    forward(x, h0=None): x (N, T, D) -> hs (N, T, H); h0 (N, H) defaults to zeros.
    backward(dH): dH (N, T, H), the loss gradient with respect to every hidden state (zeros at
    the steps the loss does not read) -> dx (N, T, D). Fills grads Wx, Wh, b and sets
      ``dh0`` (N, H): gradient with respect to the initial state;
      ``grad_norms`` (T,): ||dL/dh_t|| (whole batch) for each t, the total gradient reaching h_t
      through time. With a loss on the last step only, plotting grad_norms against T-1-t shows
      vanishing or exploding gradients (notebook 11).
    Initialisation: Wx glorot_normal, Wh normal with std 1/sqrt(H), b zeros;
    seeded by ``seed``.
    """

    def __init__(self, input_size: int, hidden_size: int, seed: int = 0):
        super().__init__()
        if int(input_size) < 1 or int(hidden_size) < 1:
            raise ValueError("RNN: input_size and hidden_size must be at least 1")
        D, H = int(input_size), int(hidden_size)
        self.input_size, self.hidden_size = D, H
        self.params["Wx"] = init_weights((D, H), D, H, "glorot_normal", seed)
        # 1/sqrt(H): spectral radius about 1, so gradients neither explode nor vanish at once.
        self.params["Wh"] = init_weights((H, H), H, H, 1.0 / np.sqrt(H), seed + 1)
        self.params["b"] = np.zeros(H)
        self.dh0 = None
        self.grad_norms = None

    def forward(self, x, train: bool = True, h0=None):
        """x (N, T, D) [, h0 (N, H)] -> hs (N, T, H)."""
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        xp = namespace_of(x, Wx, Wh, b, h0)
        D, H = self.input_size, self.hidden_size
        N, T = check_sequence("RNN", x, D)
        if h0 is None:
            h = xp.zeros((N, H), dtype=x.dtype, device=array_api_compat.device(x))
        else:
            if tuple(h0.shape) != (N, H):
                raise ShapeError(f"RNN expected h0 of shape {describe_shape((N, H))} (batch, hidden), "
                                 f"got {describe_shape(h0.shape)}")
            h = h0
        # All N*T input projections in one product; time-major so each step reads a contiguous block.
        xt = xp.permute_dims(x, (1, 0, 2))                                 # (T, N, D)
        a_in = xp.reshape(xp.reshape(xt, (T * N, D)) @ Wx + b, (T, N, H))
        hs = [h]
        for t in range(T):
            h = xp.tanh(a_in[t, ...] + h @ Wh)
            hs.append(h)
        states = xp.stack(hs, axis=0)                                      # (T+1, N, H), h_{-1} first
        self.cache = (xt, states)
        return xp.permute_dims(states[1:, ...], (1, 0, 2))

    def backward(self, dH):
        """dH (N, T, H) -> dx (N, T, D); grads Wx, Wh, b; sets dh0 (N, H) and grad_norms (T,)."""
        xt, states = self._need_cache()
        xp = namespace_of(dH, states)
        T, N, D = (int(s) for s in xt.shape)
        H = self.hidden_size
        if tuple(dH.shape) != (N, T, H):
            raise ShapeError(f"RNN.backward expected dH of shape {describe_shape((N, T, H))} (one "
                             f"gradient per hidden state), got {describe_shape(dH.shape)}")
        Wx, Wh = self.params["Wx"], self.params["Wh"]
        WhT = xp.permute_dims(Wh, (1, 0))
        dHt = xp.permute_dims(dH, (1, 0, 2))                               # (T, N, H)
        # tanh' = 1 - h^2 for every step at once, outside the loop.
        dtanh = 1.0 - states[1:, ...] * states[1:, ...]
        das = [None] * T
        dhs = [None] * T
        dh_next = None
        for t in range(T - 1, -1, -1):
            dh = dHt[t, ...] if dh_next is None else dHt[t, ...] + dh_next   # from the loss and from h_{t+1}
            dhs[t] = dh
            da = dh * dtanh[t, ...]
            das[t] = da
            dh_next = da @ WhT
        da_all = xp.reshape(xp.stack(das, axis=0), (T * N, H))
        # Weight sharing through time: the gradients sum over steps; each sum is one product.
        self.grads["Wx"] = xp.permute_dims(xp.reshape(xt, (T * N, D)), (1, 0)) @ da_all
        self.grads["Wh"] = xp.permute_dims(xp.reshape(states[:-1, ...], (T * N, H)), (1, 0)) @ da_all
        self.grads["b"] = xp.sum(da_all, axis=0)
        self.dh0 = dh_next
        dh_all = xp.stack(dhs, axis=0)
        self.grad_norms = xp.sqrt(xp.sum(dh_all * dh_all, axis=(1, 2)))
        dx = xp.reshape(da_all @ xp.permute_dims(Wx, (1, 0)), (T, N, D))
        return xp.permute_dims(dx, (1, 0, 2))

    def __repr__(self) -> str:
        return f"RNN({self.input_size}, {self.hidden_size})"
