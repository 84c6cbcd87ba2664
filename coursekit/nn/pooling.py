"""Max pooling (notebook 10, convolutional_networks).

Each kh x kw window of every channel is replaced by its largest value. Backward sends each
window's gradient to exactly ONE input, the window's argmax (the first one in row-major order
when several pixels tie, as PyTorch does). A mask ``x == max`` would be wrong: on images with
flat regions (digits have many equal pixels) it copies the gradient to every tied pixel, so the
gradient no longer matches the function. Overlapping windows (stride < kernel) add up the
gradients they send to a shared pixel.

Only the Python array API is used, never a loop over pixels. The usual way loops over the
kh*kw kernel offsets with strided slices. Large windows that tile the input (a global pool: the
kernel is the whole 16x16 map) are instead cut out by one reshape, and each window's maximum and
argmax are one reduction over its pixels: 256 rounds of the loop would cost more (``_tiles``).
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
        if self._tiles(H, W):
            best, idx = self._tiled_forward(xp, x)
        else:
            best, idx = self._offset_forward(xp, x, windows)
        self.cache = (idx, tuple(x.shape))
        return best

    def _tiles(self, H: int, W: int) -> bool:
        """True when the reshape is the faster way for an H x W input.

        That needs windows that tile the input (stride = kernel) and more pixels in a window
        than windows in a map: the offset loop's cost is kh*kw rounds of a few array calls,
        the reshape's is a pass over every pixel with slower reductions. On 2 cores
        (benchmarks/bench_pool.py, forward + backward) a global 16x16 pool is 2.5x faster by the
        reshape, 2x2 pooling of 8x8 maps 3.3x slower.
        """
        (kh, kw), (OH, OW) = self.kernel_size, (H // self.kernel_size[0], W // self.kernel_size[1])
        return tuple(self.stride) == (kh, kw) and kh * kw > OH * OW

    def _tiled_forward(self, xp, x):
        """Non-overlapping windows: (max, argmax offset), each (N, C, OH, OW), by one reshape."""
        (kh, kw) = self.kernel_size
        N, C, H, W = (int(s) for s in x.shape)
        OH, OW = H // kh, W // kw          # floor((H - kh)/kh) + 1: the border is dropped
        blocks = xp.reshape(x[:, :, :OH * kh, :OW * kw], (N, C, OH, kh, OW, kw))
        # (N, C, OH, OW, kh*kw): each window's pixels in row-major (u, v) order, so that
        # argmax's first maximum is the same pixel the offset loop keeps on a tie
        flat = xp.reshape(xp.permute_dims(blocks, (0, 1, 2, 4, 3, 5)), (N, C, OH, OW, kh * kw))
        return xp.max(flat, axis=-1), xp.argmax(flat, axis=-1)

    def _offset_forward(self, xp, x, windows):
        """Any windows: (max, argmax offset), each (N, C, OH, OW), by a loop over kernel offsets."""
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
        return best, idx

    def backward(self, dout):
        """dout (N, C, OH, OW) -> dx (N, C, H, W): dout[n, c, i, j] added at the argmax of window (i, j)."""
        idx, xshape = self._need_cache()
        xp = namespace_of(dout, idx)
        if tuple(dout.shape) != tuple(idx.shape):
            raise ShapeError(f"MaxPool2D.backward expected dout of shape {describe_shape(idx.shape)}"
                             f" (the shape forward returned), got {describe_shape(dout.shape)}")
        dx = xp.zeros(xshape, dtype=dout.dtype, device=array_api_compat.device(dout))
        if self._tiles(xshape[2], xshape[3]):
            self._tiled_backward(xp, dout, idx, dx)
            return dx
        # Windows that do not overlap (stride >= kernel) each write their own pixels: a plain
        # store, half the memory traffic of read-add-write. Overlapping ones add up.
        overlap = any(s < k for s, k in zip(self.stride, self.kernel_size))
        for o, rows, cols in self._windows(xshape[2], xshape[3]):
            routed = dout * xp.astype(idx == o, dout.dtype)
            dx[:, :, rows, cols] = dx[:, :, rows, cols] + routed if overlap else routed
        return dx

    def _tiled_backward(self, xp, dout, idx, dx):
        """Non-overlapping windows: write each window's gradient at its argmax into dx, in place.

        dout, idx (N, C, OH, OW); dx (N, C, H, W), zeros. The reverse of ``_tiled_forward``'s
        reshape: a one-hot (N, C, OH, OW, kh*kw) of the argmax, scaled by dout, put back in place.
        """
        (kh, kw) = self.kernel_size
        N, C, OH, OW = (int(s) for s in dout.shape)
        offsets = xp.arange(kh * kw, dtype=idx.dtype, device=array_api_compat.device(idx))
        routed = xp.where(xp.expand_dims(idx, axis=-1) == offsets, xp.expand_dims(dout, axis=-1),
                          0.0)                                             # (N, C, OH, OW, kh*kw)
        blocks = xp.permute_dims(xp.reshape(routed, (N, C, OH, OW, kh, kw)), (0, 1, 2, 4, 3, 5))
        dx[:, :, :OH * kh, :OW * kw] = xp.reshape(blocks, (N, C, OH * kh, OW * kw))

    def __repr__(self) -> str:
        return f"MaxPool2D(kernel_size={self.kernel_size}, stride={self.stride})"
