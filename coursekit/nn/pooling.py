"""Max pooling (notebook 10, convolutional_networks).

Each kh x kw window of every channel is replaced by its largest value. Backward sends each
window's gradient to exactly ONE input, the window's argmax (the first one in row-major order
when several pixels tie, as PyTorch does). A mask ``x == max`` would be wrong: on images with
flat regions (digits have many equal pixels) it copies the gradient to every tied pixel, so the
gradient no longer matches the function. Overlapping windows (stride < kernel) add up the
gradients they send to a shared pixel.

Only the Python array API is used: a loop over the kh*kw kernel offsets with strided slices,
never over pixels.
"""
from __future__ import annotations

import array_api_compat

from ..backend import namespace_of
from .base import Layer, ShapeError, describe_shape
from .conv import _check_nchw, _pair, conv_output_size

__all__ = ["MaxPool2D"]


class MaxPool2D(Layer):
    """Max pooling over kh x kw windows, channels first; no parameters.

    forward: x (N, C, H, W) -> out (N, C, OH, OW), OH = floor((H - kh)/s) + 1, OW likewise, as
    PyTorch computes it: when the windows do not tile the input, the last rows or columns no
    window reaches are dropped (3x3 stride-2 pooling of 8x8 gives 3x3, ignoring row and column 7).
    backward: dout (N, C, OH, OW) -> dx (N, C, H, W), each window's gradient routed to its argmax.
    ``stride`` defaults to ``kernel_size`` (non-overlapping windows).
    """

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size", "MaxPool2D")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", "MaxPool2D")
        if min(self.kernel_size) < 1 or min(self.stride) < 1:
            raise ValueError("MaxPool2D: kernel_size and stride must be at least 1")

    def _windows(self, H: int, W: int):
        """Yield (offset number, row slice, column slice) for every kernel offset (u, v)."""
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        OH = conv_output_size(H, kh, sh, drop_border=True)
        OW = conv_output_size(W, kw, sw, drop_border=True)
        for u in range(kh):
            for v in range(kw):
                yield u * kw + v, slice(u, u + sh * (OH - 1) + 1, sh), slice(v, v + sw * (OW - 1) + 1, sw)

    def forward(self, x, train: bool = True):
        """x (N, C, H, W) -> (N, C, OH, OW), the maximum of each window."""
        xp = namespace_of(x)
        _check_nchw("MaxPool2D", x, None)
        H, W = int(x.shape[2]), int(x.shape[3])
        try:
            windows = list(self._windows(H, W))
        except ValueError as err:
            raise ShapeError(f"MaxPool2D(kernel_size={self.kernel_size}, stride={self.stride}) "
                             f"cannot take a {H}x{W} input: {err}") from None
        dev = array_api_compat.device(x)
        # The offset number of each window's argmax; int8 when it fits (a quarter of the memory
        # traffic of int32, which is what this loop costs).
        idx_dtype = xp.int8 if len(windows) <= 127 else xp.int32
        best = idx = None
        for o, rows, cols in windows:
            view = x[:, :, rows, cols]
            if best is None:
                best = view
                idx = xp.zeros(view.shape, dtype=idx_dtype, device=dev)
                continue
            # Strictly greater: on a tie the earlier offset keeps the window (one argmax only).
            # Arithmetic instead of where(): where() on strided views is several times slower.
            better = xp.astype(view > best, idx_dtype)
            best = xp.maximum(best, view)
            idx = idx + better * (o - idx)
        self.cache = (idx, tuple(x.shape))
        return best

    def backward(self, dout):
        """dout (N, C, OH, OW) -> dx (N, C, H, W): dout[n, c, i, j] added at the argmax of window (i, j)."""
        idx, xshape = self._need_cache()
        xp = namespace_of(dout, idx)
        if tuple(dout.shape) != tuple(idx.shape):
            raise ShapeError(f"MaxPool2D.backward expected dout of shape {describe_shape(idx.shape)}"
                             f" (the shape forward returned), got {describe_shape(dout.shape)}")
        dx = xp.zeros(xshape, dtype=dout.dtype, device=array_api_compat.device(dout))
        # Windows that do not overlap (stride >= kernel) each write their own pixels: a plain
        # store, half the memory traffic of read-add-write. Overlapping ones add up.
        overlap = any(s < k for s, k in zip(self.stride, self.kernel_size))
        for o, rows, cols in self._windows(xshape[2], xshape[3]):
            routed = dout * xp.astype(idx == o, dout.dtype)
            dx[:, :, rows, cols] = dx[:, :, rows, cols] + routed if overlap else routed
        return dx

    def __repr__(self) -> str:
        return f"MaxPool2D(kernel_size={self.kernel_size}, stride={self.stride})"
