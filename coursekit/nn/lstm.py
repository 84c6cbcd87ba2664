"""A long short-term memory layer with back-propagation through time (notebook 11).

Hochreiter & Schmidhuber (1997), with the forget gate of Gers, Schmidhuber & Cummins (2000):

    [i, f, o, g] = x_t Wx + h_{t-1} Wh + b            (N, 4H), split in four blocks of H
    i, f, o = sigmoid(.), g = tanh(.)                  input, forget and output gates; candidate
    c_t = f * c_{t-1} + i * g                          the cell state: the memory
    h_t = o * tanh(c_t)                                the hidden state the next layer reads

The cell state is carried from step to step by a multiplication with f and an addition, not
through a weight matrix and a squashing function: while f stays near 1 the gradient reaching
c_{t-k} from c_t is the product of the forget gates, which need not shrink. That is why the LSTM
remembers across distances where the plain RNN's gradient has vanished.

As in ``RNN``, the input projection of all N*T steps is one product before the loop, and the
weight gradients one product each after it. The loops keep only what must go step by step: what
backward needs from the gates is computed for every step at once, before its loop.
"""
from __future__ import annotations

import array_api_compat
import numpy as np

from ..backend import namespace_of
from .activations import sigmoid
from .base import Layer, ShapeError, describe_shape
from .init import init_weights
from .recurrent import check_sequence

__all__ = ["LSTM"]


class LSTM(Layer):
    """LSTM returning every hidden state.

    Parameters: ``Wx`` (D, 4H), ``Wh`` (H, 4H), ``b`` (4H,); the four blocks of H columns are the
    input gate i, the forget gate f, the output gate o and the candidate g, in that order.
    forward(x, h0=None, c0=None): x (N, T, D) -> hs (N, T, H); h0, c0 (N, H) default to zeros.
    backward(dH): dH (N, T, H) -> dx (N, T, D). Fills grads Wx, Wh, b; sets ``dh0``, ``dc0``
    (N, H) and ``grad_norms`` (T,): ||dL/dc_t|| over the batch, the gradient reaching the
    memory at step t (compare ``RNN.grad_norms``).
    Initialisation: Wx glorot_normal, Wh normal with std 1/sqrt(H), b zeros except the forget
    gate's bias, 1: the cell starts by keeping its memory (Gers et al. 2000; Jozefowicz et al.
    2015). Seeded by ``seed``.
    """

    def __init__(self, input_size: int, hidden_size: int, seed: int = 0, forget_bias: float = 1.0):
        super().__init__()
        if int(input_size) < 1 or int(hidden_size) < 1:
            raise ValueError("LSTM: input_size and hidden_size must be at least 1")
        D, H = int(input_size), int(hidden_size)
        self.input_size, self.hidden_size = D, H
        self.params["Wx"] = init_weights((D, 4 * H), D, H, "glorot_normal", seed)
        self.params["Wh"] = init_weights((H, 4 * H), H, H, 1.0 / np.sqrt(H), seed + 1)
        b = np.zeros(4 * H)
        b[H:2 * H] = float(forget_bias)
        self.params["b"] = b
        self.dh0 = self.dc0 = self.grad_norms = None

    def _initial(self, xp, x, state, name, N):
        H = self.hidden_size
        if state is None:
            return xp.zeros((N, H), dtype=x.dtype, device=array_api_compat.device(x))
        if tuple(state.shape) != (N, H):
            raise ShapeError(f"LSTM expected {name} of shape {describe_shape((N, H))} (batch, "
                             f"hidden), got {describe_shape(state.shape)}")
        return state

    def forward(self, x, train: bool = True, h0=None, c0=None):
        """x (N, T, D) [, h0, c0 (N, H)] -> hs (N, T, H)."""
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        xp = namespace_of(x, Wx, Wh, b, h0, c0)
        N, T = check_sequence("LSTM", x, self.input_size)
        D, H = self.input_size, self.hidden_size
        h, c = self._initial(xp, x, h0, "h0", N), self._initial(xp, x, c0, "c0", N)
        xt = xp.permute_dims(x, (1, 0, 2))                                 # (T, N, D)
        a_in = xp.reshape(xp.reshape(xt, (T * N, D)) @ Wx + b, (T, N, 4 * H))
        hs, cs, ifos, gs, tanh_cs = [h], [c], [], [], []
        for t in range(T):
            a = a_in[t, ...] + h @ Wh
            ifo = sigmoid(a[:, :3 * H])                                    # i, f, o in (0, 1)
            g = xp.tanh(a[:, 3 * H:])
            c = ifo[:, H:2 * H] * c + ifo[:, :H] * g
            tanh_c = xp.tanh(c)
            h = ifo[:, 2 * H:] * tanh_c
            hs.append(h)
            cs.append(c)
            ifos.append(ifo)
            gs.append(g)
            tanh_cs.append(tanh_c)
        states = xp.stack(hs, axis=0)                                      # (T+1, N, H)
        # i, f, o (T, N, 3H) and g (T, N, H) of every step, kept apart: joining them is a copy
        self.cache = (xt, states, xp.stack(cs, axis=0), xp.stack(ifos, axis=0), xp.stack(gs, axis=0),
                      xp.stack(tanh_cs, axis=0))
        return xp.permute_dims(states[1:, ...], (1, 0, 2))

    def backward(self, dH):
        """dH (N, T, H) -> dx (N, T, D); grads Wx, Wh, b; sets dh0, dc0 (N, H), grad_norms (T,)."""
        xt, states, cells, ifo, g, tanh_cs = self._need_cache()
        xp = namespace_of(dH, states)
        T, N, D = (int(s) for s in xt.shape)
        H = self.hidden_size
        if tuple(dH.shape) != (N, T, H):
            raise ShapeError(f"LSTM.backward expected dH of shape {describe_shape((N, T, H))} "
                             f"(one gradient per hidden state), got {describe_shape(dH.shape)}")
        i, f, o = (ifo[..., k * H:(k + 1) * H] for k in range(3))          # each (T, N, H)
        # Everything that does not depend on the gradient flowing back is computed for all T
        # steps at once, before the loop; the loop keeps only what must go step by step.
        #   dc_t = dc_{t+1} f_{t+1} + dh_t o_t (1 - tanh(c_t)^2)
        #   da_t = [dc_t, dc_t, dh_t, dc_t] * [g i(1-i), c_{t-1} f(1-f), tanh(c_t) o(1-o), i(1-g^2)]
        via_h = o * (1.0 - tanh_cs * tanh_cs)                              # (T, N, H)
        partner = xp.concat([g * i * (1.0 - i), cells[:-1, ...] * f * (1.0 - f),
                             tanh_cs * o * (1.0 - o), i * (1.0 - g * g)], axis=2)   # (T, N, 4H)
        WhT = xp.permute_dims(self.params["Wh"], (1, 0))
        dHt = xp.permute_dims(dH, (1, 0, 2))                               # (T, N, H)
        das, dcs = [None] * T, [None] * T
        dh_next = xp.zeros((N, H), dtype=dH.dtype, device=array_api_compat.device(dH))
        dc_next = dh_next
        for t in range(T - 1, -1, -1):
            dh = dHt[t, ...] + dh_next                      # from the loss and from step t+1
            dc = dc_next + dh * via_h[t, ...]               # the memory's own path, plus via h
            da = xp.concat([dc, dc, dh, dc], axis=1) * partner[t, ...]
            das[t], dcs[t] = da, dc
            dh_next, dc_next = da @ WhT, dc * f[t, ...]
        da_all = xp.reshape(xp.stack(das, axis=0), (T * N, 4 * H))
        self.grads["Wx"] = xp.permute_dims(xp.reshape(xt, (T * N, D)), (1, 0)) @ da_all
        self.grads["Wh"] = xp.permute_dims(xp.reshape(states[:-1, ...], (T * N, H)), (1, 0)) @ da_all
        self.grads["b"] = xp.sum(da_all, axis=0)
        self.dh0, self.dc0 = dh_next, dc_next
        dc_all = xp.stack(dcs, axis=0)
        self.grad_norms = xp.sqrt(xp.sum(dc_all * dc_all, axis=(1, 2)))   # (T,)
        dx = xp.reshape(da_all @ xp.permute_dims(self.params["Wx"], (1, 0)), (T, N, D))
        return xp.permute_dims(dx, (1, 0, 2))

    def __repr__(self) -> str:
        return f"LSTM({self.input_size}, {self.hidden_size})"
