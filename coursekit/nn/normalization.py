"""Batch normalisation (notebook 08, generalization_and_regularization; shown on notebook 07's deep net).

At training time each feature (each channel, for images) is standardised with the mean and
variance of the current mini-batch, then scaled and shifted by learned ``gamma`` and ``beta``:
    xhat = (x - mean) / sqrt(var + eps),   out = gamma * xhat + beta.
Running averages of mean and variance are kept for test time (``train=False``), when the output
must not depend on the other samples of the batch.
"""
from __future__ import annotations

import numpy as np

from ..backend import asarray, namespace_of
from .base import Layer, ShapeError, describe_shape
from ..backend import resolve_dtype

__all__ = ["BatchNorm"]


class BatchNorm(Layer):
    """Batch normalisation over features of (N, D) inputs or over channels of (N, C, H, W) inputs.

    Parameters: ``gamma`` (D,) initialised to 1, ``beta`` (D,) initialised to 0 (D = num_features,
    the number of features or channels). Buffers (not trained): ``running_mean`` and
    ``running_var`` (D,), also listed in ``self.buffers``.
    forward(x, train=True): x (N, D) or (N, D, H, W) -> out of the same shape. Statistics are
    taken over every axis except the feature axis: N samples (times H*W positions for images).
    At train time the running averages are updated:
        running = momentum * running + (1 - momentum) * batch statistic
    (``momentum`` is the share kept, as in CS231n; PyTorch's momentum is 1 minus this). The
    running variance uses the unbiased batch variance (divided by m - 1), as PyTorch does; the
    normalisation itself uses the biased one (divided by m).
    backward: dout (same shape as x) -> dx; grads gamma, beta (D,).
    """

    def __init__(self, num_features: int, momentum: float = 0.9, eps: float = 1e-5):
        super().__init__()
        if int(num_features) < 1:
            raise ValueError("BatchNorm: num_features must be at least 1")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"BatchNorm(momentum={momentum}): the share of the running average "
                             f"kept at each step must be in [0, 1), e.g. 0.9")
        if eps <= 0:
            raise ValueError("BatchNorm: eps must be positive (it keeps 1/sqrt(var + eps) finite)")
        self.num_features, self.momentum, self.eps = int(num_features), float(momentum), float(eps)
        self.params["gamma"] = np.ones(self.num_features)
        self.params["beta"] = np.zeros(self.num_features)
        self.buffers = {"running_mean": np.zeros(self.num_features),
                        "running_var": np.ones(self.num_features)}

    @property
    def running_mean(self):
        return self.buffers["running_mean"]

    @property
    def running_var(self):
        return self.buffers["running_var"]

    def to(self, xp, device=None, dtype=None) -> "BatchNorm":
        """Move params and running statistics to namespace ``xp`` (and device, dtype)."""
        super().to(xp, device=device, dtype=dtype)
        if dtype is not None:
            dtype = resolve_dtype(xp, dtype)
        for k in list(self.buffers):
            self.buffers[k] = asarray(self.buffers[k], xp, device=device, dtype=dtype)
        return self

    def _layout(self, x):
        """(reduction axes, shape that broadcasts a (D,) vector against x)."""
        D = self.num_features
        shape = tuple(x.shape)
        if len(shape) == 2 and shape[1] == D:
            return (0,), (1, D)
        if len(shape) == 4 and shape[1] == D:
            return (0, 2, 3), (1, D, 1, 1)
        hint = ""
        if len(shape) == 4 and shape[3] == D:
            hint = " Are the channels last? Move them first: xp.permute_dims(x, (0, 3, 1, 2))."
        raise ShapeError(f"BatchNorm({D}) expected input of shape (N, {D}) or (N, {D}, H, W), got "
                         f"{describe_shape(shape)}: num_features must equal the size of axis 1."
                         f"{hint}")

    def forward(self, x, train: bool = True):
        g, be = self.params["gamma"], self.params["beta"]
        rm, rv = self.buffers["running_mean"], self.buffers["running_var"]
        xp = namespace_of(x, g, be, rm, rv)
        axes, bshape = self._layout(x)
        m = 1
        for a in axes:
            m *= int(x.shape[a])
        if int(x.shape[0]) == 0:
            raise ShapeError(f"BatchNorm got an empty batch {describe_shape(x.shape)}: give at least one sample")
        if train:
            if m < 2:
                raise ShapeError(f"BatchNorm in training needs more than one value per feature to "
                                 f"estimate a variance, got input {describe_shape(x.shape)}: use a "
                                 f"batch of at least 2 samples, or forward(x, train=False)")
            mean = xp.mean(x, axis=axes)
            xc = x - xp.reshape(mean, bshape)
            var = xp.mean(xc * xc, axis=axes)
            self.buffers["running_mean"] = self.momentum * rm + (1 - self.momentum) * mean
            self.buffers["running_var"] = self.momentum * rv + (1 - self.momentum) * var * (m / (m - 1))
        else:
            xc = x - xp.reshape(rm, bshape)
            var = rv
        inv_std = 1.0 / xp.sqrt(var + self.eps)
        xhat = xc * xp.reshape(inv_std, bshape)
        self.cache = (xhat, inv_std, axes, bshape, m, train)
        return xp.reshape(g, bshape) * xhat + xp.reshape(be, bshape)

    def backward(self, dout):
        """dout (N, D) or (N, D, H, W) -> dx of the same shape; grads gamma, beta (D,).

        Train mode (statistics depend on x): with dxhat = gamma * dout,
        dx = inv_std / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)).
        Test mode (fixed running statistics): dx = gamma * inv_std * dout.
        """
        xhat, inv_std, axes, bshape, m, train = self._need_cache()
        xp = namespace_of(dout, xhat)
        if tuple(dout.shape) != tuple(xhat.shape):
            raise ShapeError(f"BatchNorm.backward expected dout of shape {describe_shape(xhat.shape)},"
                             f" got {describe_shape(dout.shape)}")
        self.grads["gamma"] = xp.sum(dout * xhat, axis=axes)
        self.grads["beta"] = xp.sum(dout, axis=axes)
        scale = xp.reshape(self.params["gamma"] * inv_std, bshape)
        if not train:
            return dout * scale
        mean_d = xp.reshape(self.grads["beta"], bshape) / m
        mean_dx = xp.reshape(self.grads["gamma"], bshape) / m
        return scale * (dout - mean_d - xhat * mean_dx)

    def __repr__(self) -> str:
        return f"BatchNorm({self.num_features}, momentum={self.momentum}, eps={self.eps})"
