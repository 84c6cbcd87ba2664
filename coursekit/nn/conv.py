"""Convolution: the output-size rule, a teaching loop, im2col, and the ``Conv2D`` layer.

Notebook 10 (convolutional_networks) derives this maths: a k x k filter scans the image; with
stride s and zero padding p each spatial size becomes (x - k + 2p)/s + 1; the filter's weights
are shared, so the gradient of one weight sums over every position it touched.

Three ways to compute the same convolution (arrays NCHW, weights (F, C, kh, kw)):
- ``conv2d_naive``: four nested loops, exactly the definition; slow, for reading;
- ``im2col`` + one matrix product (``conv2d_im2col``): the classic trick, columns in CS231n's
  (C*kh*kw, N*OH*OW) layout;
- ``Conv2D``: the layer. It stacks the kh*kw shifted views of the input into a channel-major
  patch matrix (kh*kw slices, never N*H*W Python iterations), so forward and dx are each one
  2-D matrix product and dW one product per image; backward scatters the patch gradients back
  with kh*kw slice additions.
  Only the Python array API is used (no ``np.add.at``, ``as_strided``, ``np.pad``), so the layer
  runs on NumPy, array-api-strict, PyTorch or CuPy arrays.
"""
from __future__ import annotations

import array_api_compat
import numpy as np

from ..backend import namespace_of
from .base import Layer, ShapeError, describe_shape
from .init import init_weights

__all__ = ["Conv2D", "conv_output_size", "conv2d_naive", "im2col", "conv2d_im2col"]


def conv_output_size(x: int, k: int, s: int = 1, p: int = 0, *, drop_border: bool = False) -> int:
    """Spatial output size of a convolution or pooling window: (x - k + 2p)/s + 1.

    ``x`` input size, ``k`` kernel size, ``s`` stride, ``p`` zero padding on each side (ints).
    Raises ``ValueError`` in plain words when the kernel is larger than the padded input, and,
    unless ``drop_border``, when the windows do not tile the padded input exactly (the division
    leaves a remainder; notebook 10 teaches the rule this way).

    ``drop_border=True`` is what the layers, PyTorch and Keras do: floor((x - k + 2p)/s) + 1
    windows, and the last (x - k + 2p) mod s rows or columns of the padded input, which no
    window reaches, are ignored (their gradient is zero). AlexNet's overlapping 3x3 stride-2
    pooling and ResNet's stride-2 stem need it.
    """
    for name, v in (("input size", x), ("kernel size", k), ("stride", s), ("padding", p)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"conv_output_size: the {name} must be a whole number, got {v!r}")
    if k < 1 or s < 1 or p < 0:
        raise ValueError(f"conv_output_size: need kernel >= 1, stride >= 1 and padding >= 0; "
                         f"got kernel={k}, stride={s}, padding={p}")
    span = x - k + 2 * p
    if span < 0:
        raise ValueError(f"the kernel ({k}) is larger than the padded input ({x} + 2*{p} = "
                         f"{x + 2 * p}): use a smaller kernel or more padding")
    if span % s != 0 and not drop_border:  # integer test: never divide with / and hope
        raise ValueError(
            f"(x - k + 2p)/s + 1 = ({x} - {k} + 2*{p})/{s} + 1 = {span / s + 1:g} is not a whole "
            f"number: the windows do not tile the input. Change the padding or the stride "
            f"(e.g. stride 1, or padding so that x - k + 2p is a multiple of the stride)")
    return span // s + 1


def _pair(v, what: str, layer: str) -> tuple[int, int]:
    """An int or a pair of ints -> (height value, width value)."""
    if isinstance(v, (tuple, list)) and len(v) == 2:
        a, b = v
    else:
        a = b = v
    for u in (a, b):
        if isinstance(u, bool) or not isinstance(u, (int, np.integer)):
            raise TypeError(f"{layer}: {what} must be an int or a pair of ints, got {v!r}")
    return int(a), int(b)


def _check_nchw(layer: str, x, channels: int | None) -> None:
    """Raise ShapeError in student words unless x is (N, C, H, W) with N >= 1 and C = channels."""
    shape = tuple(x.shape)
    want = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
    if len(shape) != 4:
        hint = ""
        if len(shape) == 3:
            hint = " A single image? Add the batch axis, e.g. x[None] or x.reshape((1, *x.shape))."
        elif len(shape) == 2:
            hint = " A flat batch of vectors? Reshape each row into (C, H, W) first."
        raise ShapeError(f"{layer} expected input of shape {want} (a batch of images, channels "
                         f"first), got {describe_shape(shape)}.{hint}")
    if shape[0] == 0:
        raise ShapeError(f"{layer} got an empty batch {describe_shape(shape)}: give at least one "
                         f"image")
    if channels is not None and shape[1] != channels:
        hint = ""
        if shape[3] == channels:
            hint = (" Are the channels last (NHWC)? Move them first with "
                    "xp.permute_dims(x, (0, 3, 1, 2)).")
        raise ShapeError(f"{layer} expected input of shape {want}, got {describe_shape(shape)}: "
                         f"{shape[1]} channels instead of {channels}.{hint}")


def _zero_pad_nchw(x, ph: int, pw: int, copy: bool = False):
    """(A, B, H, W) -> (A, B, H+2ph, W+2pw) with zeros around, by writing into a zeros array.

    Without padding ``x`` itself comes back, unless ``copy`` asks for a fresh C-ordered array
    (Conv2D pads a transposed view: the copy is the transpose).
    """
    if ph == 0 and pw == 0 and not copy:
        return x
    xp = namespace_of(x)
    A, B, H, W = x.shape
    out = xp.zeros((A, B, H + 2 * ph, W + 2 * pw), dtype=x.dtype, device=array_api_compat.device(x))
    out[:, :, ph:ph + H, pw:pw + W] = x
    return out


def _contiguous(a):
    """``a`` as a C-ordered NumPy array (a copy when it is a transposed view); other libraries'
    arrays come back as they are: the next layer's reshape copies when it must."""
    if isinstance(a, np.ndarray):
        return np.ascontiguousarray(a)
    return a


def conv2d_naive(x, W, b, stride: int = 1, padding: int = 0):
    """The definition of a convolution (cross-correlation, as in every DL library), as loops.

    x (N, C, H, W), W (F, C, kh, kw), b (F,) -> out (N, F, OH, OW) with
    out[n, f, i, j] = sum over c, u, v of x_pad[n, c, i*s + u, j*s + v] * W[f, c, u, v] + b[f].
    Slow (N*F*OH*OW Python iterations): for reading and for checking the fast versions.
    """
    xp = namespace_of(x, W, b)
    _check_nchw("conv2d_naive", x, int(W.shape[1]))
    F, _, kh, kw = (int(s) for s in W.shape)
    N, _, H, Wd = (int(s) for s in x.shape)
    OH = conv_output_size(H, kh, stride, padding)
    OW = conv_output_size(Wd, kw, stride, padding)
    xpad = _zero_pad_nchw(x, padding, padding)
    rows = []
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    window = xpad[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    rows.append(xp.sum(window * W[f, ...]) + b[f])
    return xp.reshape(xp.stack(rows), (N, F, OH, OW))


def im2col(x, kh: int, kw: int, stride: int = 1, padding: int = 0):
    """Unfold every kh x kw window of x (N, C, H, W) into a column -> (C*kh*kw, N*OH*OW).

    Row order is (c, u, v) (so ``W.reshape((F, C*kh*kw))`` matches), column order (n, i, j).
    Heights are checked against kh and widths against kw, each with an integer output size
    (``conv_output_size``), so non-square images and kernels work.
    """
    xp = namespace_of(x)
    _check_nchw("im2col", x, None)
    N, C, H, Wd = (int(s) for s in x.shape)
    OH = conv_output_size(H, kh, stride, padding)
    OW = conv_output_size(Wd, kw, stride, padding)
    xpad = _zero_pad_nchw(x, padding, padding)
    # One strided slice per kernel offset (u, v): (N, C, OH, OW), the pixel under (u, v) of
    # every window at once.
    pieces = [xpad[:, :, u:u + stride * (OH - 1) + 1:stride, v:v + stride * (OW - 1) + 1:stride]
              for u in range(kh) for v in range(kw)]
    cols = xp.stack(pieces, axis=2)                     # (N, C, kh*kw, OH, OW)
    cols = xp.permute_dims(cols, (1, 2, 0, 3, 4))       # (C, kh*kw, N, OH, OW)
    return xp.reshape(cols, (C * kh * kw, N * OH * OW))


def conv2d_im2col(x, W, b, stride: int = 1, padding: int = 0):
    """Convolution as one matrix product: out = W_row @ im2col(x) + b, reshaped to (N, F, OH, OW)."""
    xp = namespace_of(x, W, b)
    F, C, kh, kw = (int(s) for s in W.shape)
    N, _, H, Wd = (int(s) for s in x.shape)
    OH = conv_output_size(H, kh, stride, padding)
    OW = conv_output_size(Wd, kw, stride, padding)
    cols = im2col(x, kh, kw, stride, padding)
    out = xp.reshape(W, (F, C * kh * kw)) @ cols + xp.reshape(b, (F, 1))   # (F, N*OH*OW)
    return xp.permute_dims(xp.reshape(out, (F, N, OH, OW)), (1, 0, 2, 3))


class Conv2D(Layer):
    """2-D convolution layer (cross-correlation), channels first.

    Parameters: ``W`` (out_channels, in_channels, kh, kw), ``b`` (out_channels,).
    forward: x (N, in_channels, H, W) -> out (N, out_channels, OH, OW),
    OH = (H - kh + 2p)/s + 1, OW = (W - kw + 2p)/s + 1 (``conv_output_size``; an error when the
    windows do not tile the input).
    backward: dout (N, out_channels, OH, OW) -> dx (N, in_channels, H, W); fills grads W, b.

    ``kernel_size``, ``stride`` and ``padding`` take an int or an (height, width) pair.
    ``init``: initialiser name (default 'he_normal', fan_in = in_channels*kh*kw) or a std.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 init: str | float = "he_normal", seed: int = 0):
        super().__init__()
        if int(in_channels) < 1 or int(out_channels) < 1:
            raise ValueError("Conv2D: in_channels and out_channels must be at least 1")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2D")
        self.stride = _pair(stride, "stride", "Conv2D")
        self.padding = _pair(padding, "padding", "Conv2D")
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError("Conv2D: kernel_size and stride must be >= 1, padding >= 0")
        kh, kw = self.kernel_size
        fan_in, fan_out = self.in_channels * kh * kw, self.out_channels * kh * kw
        self.params["W"] = init_weights((self.out_channels, self.in_channels, kh, kw),
                                        fan_in, fan_out, init, seed)
        self.params["b"] = np.zeros(self.out_channels)

    def output_shape(self, H: int, W: int) -> tuple[int, int]:
        """(OH, OW) for an H x W input: floor((H - kh + 2p)/s) + 1 as PyTorch computes it; the
        border rows and columns no window reaches are dropped (raises when the kernel is larger
        than the padded input)."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        return (conv_output_size(H, kh, sh, ph, drop_border=True),
                conv_output_size(W, kw, sw, pw, drop_border=True))

    def forward(self, x, train: bool = True):
        """x (N, C, H, W) -> (N, F, OH, OW)."""
        W, b = self.params["W"], self.params["b"]
        xp = namespace_of(x, W, b)
        _check_nchw("Conv2D", x, self.in_channels)
        N, C, H, Wd = (int(s) for s in x.shape)
        try:
            OH, OW = self.output_shape(H, Wd)
        except ValueError as err:
            raise ShapeError(f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size="
                             f"{self.kernel_size}, stride={self.stride}, padding={self.padding}) "
                             f"cannot take a {H}x{Wd} input: {err}") from None
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        F, K, P = self.out_channels, C * kh * kw, OH * OW
        # Channel-major patch matrix (C*kh*kw, N*OH*OW): padding writes x into a (C, N, H', W')
        # array (the transpose comes free with that copy), then one strided view per kernel
        # offset (u, v) holds the pixel under (u, v) of every window of every image. Stacked on
        # axis 1, the rows come in (c, u, v) order, the order of W.reshape((F, C*kh*kw)).
        # Why this layout: forward and dx are then each ONE 2-D matrix product, which BLAS
        # spreads over every core; with images first they were N small products, run on one.
        xpad = _zero_pad_nchw(xp.permute_dims(x, (1, 0, 2, 3)), ph, pw, copy=True)
        views = [xpad[:, :, u:u + sh * (OH - 1) + 1:sh, v:v + sw * (OW - 1) + 1:sw]
                 for u in range(kh) for v in range(kw)]
        cols = xp.reshape(xp.stack(views, axis=1), (K, N * P))            # (C*kh*kw, N*OH*OW)
        out = xp.reshape(W, (F, K)) @ cols                                # (F, N*OH*OW)
        out += xp.reshape(b, (F, 1))  # in place on the fresh product: one pass, no new array
        self.cache = (cols, tuple(x.shape), (OH, OW))
        # (F, N, P) -> (N, F, OH, OW): whole rows of OH*OW pixels move, a cheap copy
        return _contiguous(xp.reshape(xp.permute_dims(xp.reshape(out, (F, N, P)), (1, 0, 2)),
                                      (N, F, OH, OW)))

    def backward(self, dout, input_grad: bool = True):
        """dout (N, F, OH, OW) -> dx (N, C, H, W); grads W (F, C, kh, kw), b (F,).

        ``input_grad=False`` skips dx (returns None): ``Sequential`` asks this of its first
        layer during ``fit``, where nobody needs the gradient with respect to the images.
        """
        cols, xshape, (OH, OW) = self._need_cache()
        xp = namespace_of(dout, cols)
        N, C, H, Wd = xshape
        F = self.out_channels
        if tuple(dout.shape) != (N, F, OH, OW):
            raise ShapeError(f"Conv2D.backward expected dout of shape {describe_shape((N, F, OH, OW))}"
                             f" (the shape forward returned), got {describe_shape(dout.shape)}")
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        K, P = C * kh * kw, OH * OW
        d3 = xp.reshape(dout, (N, F, P))
        # Weight sharing: each weight met every position of every image, so its gradient sums
        # over all of them: per image a product over its positions (the patch matrix read
        # through a transposed view, no copy), then a sum over the batch.
        per_image = xp.permute_dims(xp.reshape(cols, (K, N, P)), (1, 2, 0))  # (N, OH*OW, K)
        self.grads["W"] = xp.reshape(xp.sum(d3 @ per_image, axis=0), (F, C, kh, kw))
        self.grads["b"] = xp.sum(d3, axis=(0, 2))
        if not input_grad:
            return None
        d = xp.reshape(xp.permute_dims(d3, (1, 0, 2)), (F, N * P))        # channel-major
        Wrow = xp.reshape(self.params["W"], (F, K))
        dcols = xp.reshape(xp.permute_dims(Wrow, (1, 0)) @ d, (C, kh * kw, N, OH, OW))
        # Scatter: the patch gradient of offset (u, v) goes back to the pixels that view read.
        # Overlapping windows add up; kh*kw slice additions, no per-pixel loop.
        dxpad = xp.zeros((C, N, H + 2 * ph, Wd + 2 * pw), dtype=dcols.dtype,
                         device=array_api_compat.device(dcols))
        for u in range(kh):
            for v in range(kw):
                rows = slice(u, u + sh * (OH - 1) + 1, sh)
                cols_ = slice(v, v + sw * (OW - 1) + 1, sw)
                # Python runs a[i] += b as t = a[i]; t += b; a[i] = t: right whether a[i] is a
                # view (NumPy, torch) or a copy, and with a view it saves a temporary array
                dxpad[:, :, rows, cols_] += dcols[:, u * kw + v, ...]
        return _contiguous(xp.permute_dims(dxpad[:, :, ph:ph + H, pw:pw + Wd], (1, 0, 2, 3)))

    def __repr__(self) -> str:
        return (f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding})")
