"""Public checks of notebook 10, convolutional networks.

Each ``check_*`` runs the student's answer on small cases and prints one verdict per case.
Expected values come from coursekit's own layers (``conv2d_im2col``, ``MaxPool2D``), which are
tested separately, and from the output-size formula.
"""
from __future__ import annotations

import numpy as np

from ..nn.conv import Conv2D, conv2d_im2col
from ..nn.pooling import MaxPool2D
from .core import Checks
from .verdict import Verdict

__all__ = ["check_conv2d_naive", "check_conv2d_backward", "check_output_size", "check_maxpool",
           "check_cnn_vs_mlp"]


def check_conv2d_naive(conv2d_naive) -> Verdict:
    """conv2d_naive(x, W, b, stride, padding) against coursekit's im2col convolution."""
    c = Checks("10.conv2d_naive", "convolution as loops")
    rng = np.random.default_rng(10)
    x = np.arange(49, dtype=float).reshape(1, 1, 7, 7)
    W = np.zeros((1, 1, 3, 3))
    W[0, 0, 1, 1] = 1.0
    out = c.call(conv2d_naive, x, W, np.zeros(1), 1, 0, description="7x7 input, 3x3 identity filter")
    if out is not None:
        c.close(out, x[:, :, 1:6, 1:6], "7x7 input, 3x3 filter with a 1 in the centre: the inner 5x5 pixels",
                "out[n, f, i, j] sums x[n, c, i*s + u, j*s + v] * W[f, c, u, v] over c, u, v, plus b[f]")
    cases = [("one channel, a box filter", (1, 1, 7, 7), (1, 1, 3, 3), 1, 0),
             ("2 images, 3 channels in, 2 filters", (2, 3, 5, 5), (2, 3, 3, 3), 1, 0),
             ("stride 2", (1, 2, 7, 7), (3, 2, 3, 3), 2, 0),
             ("padding 1", (1, 1, 4, 4), (2, 1, 3, 3), 1, 1),
             ("stride 2 and padding 1, 1x1 filters too", (2, 2, 5, 5), (2, 2, 1, 1), 2, 1)]
    for name, xs, ws, s, p in cases:
        x = rng.normal(size=xs)
        W = rng.normal(size=ws)
        b = rng.normal(size=ws[0])
        got = c.call(conv2d_naive, x, W, b, s, p, description=name)
        if got is not None:
            c.close(got, conv2d_im2col(x, W, b, s, p), f"{name}: x {xs}, W {ws} -> matches",
                    "check the window start i*stride, the zero padding and the bias", atol=1e-9)
    return Verdict(c.report())


def reference_conv_backward(dout, x, W, stride=1, padding=0):
    """(dx (N, C, H, W), dW (F, C, k, k), db (F,)) of a convolution, from coursekit's Conv2D."""
    F, C, k, _ = W.shape
    layer = Conv2D(C, F, k, stride=stride, padding=padding)
    layer.params["W"], layer.params["b"] = np.asarray(W, dtype=float), np.zeros(F)
    layer.forward(np.asarray(x, dtype=float))
    dx = layer.backward(np.asarray(dout, dtype=float))
    return dx, layer.grads["W"], layer.grads["b"]


def _relative_error(a, b) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def _backward_diagnosis(name, got, want, x, W, dout, stride, padding) -> str:
    """The usual mistake behind a wrong gradient, in a student's words (or a generic hint)."""
    x, W, dout = (np.asarray(a, dtype=float) for a in (x, W, dout))
    p = padding
    if name == "dx" and got.shape == (x.shape[0], x.shape[1], x.shape[2] + 2 * p, x.shape[3] + 2 * p):
        return (f"dx has the padded shape {got.shape}: the padding is not part of the input, so cut "
                f"it off at the end (dx_pad[:, :, p:p+H, p:p+W])")
    if got.shape != want.shape:
        return f"{name} must have the shape of {'x' if name == 'dx' else name[1:]}, {want.shape}"
    if name == "db" and np.allclose(got, dout[0].sum(axis=(1, 2))):
        return "db sums dout over the images too: add up dout[n, f] over n, i and j"
    if name in ("dx", "dW"):
        flipped = reference_conv_backward(dout, x, W[:, :, ::-1, ::-1], stride, p)[0]
        if name == "dx" and np.allclose(got, flipped, atol=1e-9):
            return ("dx uses the filter flipped (or transposed): window (i, j) read x_pad at "
                    "(i*s + u, j*s + v) through W[f, :, u, v], so its gradient goes back to the same "
                    "pixels with the same W[f, :, u, v]")
        last = np.zeros_like(want)
        if name == "dW":  # only the last position's contribution: = where += was needed
            xp_ = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
            OH, OW = dout.shape[2:]
            k = W.shape[2]
            i, j = OH - 1, OW - 1
            last = np.einsum("nf,nchw->fchw", dout[:, :, i, j],
                             xp_[:, :, i * stride:i * stride + k, j * stride:j * stride + k])
            if np.allclose(got, last, atol=1e-9):
                return ("dW holds only the last window's contribution: every position (and every "
                        "image) adds to the same shared weights, so accumulate with += over n, i, j")
    return ("compare with the forward pass line by line: every product x_pad[...] * W[f] that made "
            "out[n, f, i, j] sends dout[n, f, i, j] back to both of its factors, added (+=)")


def check_conv2d_backward(conv2d_backward) -> Verdict:
    """conv2d_backward(dout, x, W, stride, padding) -> (dx, dW, db) against Conv2D.backward.

    Each gradient is reported with its relative error to the reference, so a case never shows two
    arrays whose printed digits look the same next to a cross; a wrong one gets a diagnosis.
    """
    c = Checks("10.conv2d_backward", "the backward pass of a convolution, by loops")
    rng = np.random.default_rng(12)
    cases = [("one image, one channel, 3x3 on 5x5", (1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
             ("2 images, 3 channels in, 2 filters", (2, 3, 5, 5), (2, 3, 3, 3), 1, 0),
             ("stride 2", (1, 2, 7, 7), (3, 2, 3, 3), 2, 0),
             ("padding 1", (2, 1, 4, 4), (2, 1, 3, 3), 1, 1),
             ("stride 2 and padding 1", (1, 2, 5, 5), (2, 2, 3, 3), 2, 1)]
    for name, xs, ws, s, p in cases:
        x, W = rng.normal(size=xs), rng.normal(size=ws)
        OH = (xs[2] - ws[2] + 2 * p) // s + 1
        OW = (xs[3] - ws[3] + 2 * p) // s + 1
        dout = rng.normal(size=(xs[0], ws[0], OH, OW))
        want = reference_conv_backward(dout, x, W, s, p)
        got = c.call(conv2d_backward, dout, x, W, s, p, description=name)
        if got is None:
            continue
        if not isinstance(got, tuple) or len(got) != 3:
            c.case(False, f"{name}: returns (dx, dW, db)", "return the three gradients as a tuple")
            continue
        for label, g, w in zip(("dx", "dW", "db"), got, want):
            g = np.asarray(g, dtype=float)
            if g.shape == w.shape and np.all(np.isfinite(g)):
                err = _relative_error(g, w)
                if err < 1e-7:  # round-off: reported against the threshold, never by its digits
                    c.case(True, f"{name}: {label} matches (relative error below 1e-7)")
                    continue
                c.case(False, f"{name}: {label} (relative error {err:.1e})",
                       _backward_diagnosis(label, g, w, x, W, dout, s, p))
            else:
                c.case(False, f"{name}: {label} of shape {w.shape}",
                       _backward_diagnosis(label, g, w, x, W, dout, s, p))
    return Verdict(c.report())


def check_output_size(output_size) -> Verdict:
    """output_size(x, k, s, p) = (x - k + 2p)/s + 1, a ValueError when it is not whole."""
    c = Checks("10.output_size", "output size of a convolution")
    for x, k, s, p in [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 1, 1), (32, 5, 1, 2), (8, 2, 2, 0), (5, 5, 1, 0)]:
        got = c.call(output_size, x, k, s, p, description=f"output_size({x}, {k}, {s}, {p})")
        if got is not None:
            c.equal(got, (x - k + 2 * p) // s + 1, f"x={x}, k={k}, s={s}, p={p} -> {(x - k + 2 * p) // s + 1}",
                    "(x - k + 2p)/s + 1, as a whole number")
            if not isinstance(got, (int, np.integer)):
                c.case(False, f"output_size({x}, {k}, {s}, {p}) is an int",
                       f"it returned a {type(got).__name__}; use // for whole-number division")
    try:
        output_size(7, 3, 3, 0)
    except ValueError:
        c.case(True, "output_size(7, 3, 3, 0) raises ValueError: (7 - 3)/3 + 1 is not whole")
    except NotImplementedError:
        pass
    except Exception as err:
        c.case(False, "output_size(7, 3, 3, 0) raises ValueError",
               f"it raised {type(err).__name__} instead")
    else:
        c.case(False, "output_size(7, 3, 3, 0) raises ValueError",
               "(7 - 3)/3 + 1 = 2.33: the windows do not tile the input; raise ValueError")
    return Verdict(c.report())


def _reference_pool(x, k, dout=None):
    layer = MaxPool2D(k)
    out = layer.forward(x)
    return out if dout is None else layer.backward(dout)


def check_maxpool(maxpool_forward, maxpool_backward) -> Verdict:
    """Non-overlapping k x k max pooling; backward sends each window's gradient to one argmax."""
    c = Checks("10.maxpool", "max pooling forward and backward")
    rng = np.random.default_rng(11)
    x = np.array([[[[1.0, 3.0, 2.0, 0.0], [4.0, 2.0, 1.0, 5.0],
                    [0.0, 1.0, 7.0, 6.0], [2.0, 2.0, 8.0, 1.0]]]])
    out = c.call(maxpool_forward, x, 2, description="maxpool_forward(4x4, 2)")
    if out is not None:
        c.close(out, [[[[4.0, 5.0], [2.0, 8.0]]]], "a 4x4 image, 2x2 windows -> [[4, 5], [2, 8]]",
                "each output is the maximum of one non-overlapping k x k window")
    dx = c.call(maxpool_backward, np.ones((1, 1, 2, 2)), x, 2, description="maxpool_backward(ones, 4x4, 2)")
    if dx is not None:
        c.close(dx, _reference_pool(x, 2, np.ones((1, 1, 2, 2))),
                "backward of ones: a 1 at each window's maximum, 0 elsewhere",
                "the window [[0, 1], [2, 2]] has a tie: only its first maximum (row-major) gets the gradient")
    for name, shape, k in [("2 images, 3 channels, 6x6, k=2", (2, 3, 6, 6), 2),
                           ("1 image, 2 channels, 6x6, k=3", (1, 2, 6, 6), 3)]:
        x = rng.normal(size=shape)
        got = c.call(maxpool_forward, x, k, description=f"forward, {name}")
        if got is not None:
            c.close(got, _reference_pool(x, k), f"forward, {name}",
                    f"out[n, c, i, j] = the maximum of x[n, c, i*{k}:(i+1)*{k}, j*{k}:(j+1)*{k}], shape (N, C, H/k, W/k)")
        dout = rng.normal(size=(shape[0], shape[1], shape[2] // k, shape[3] // k))
        got = c.call(maxpool_backward, dout, x, k, description=f"backward, {name}")
        if got is not None:
            c.close(got, _reference_pool(x, k, dout), f"backward, {name}",
                    "dx is zero except at the first maximum of each window, which gets dout[n, c, i, j]")
    flat = np.zeros((1, 1, 4, 4))
    got = c.call(maxpool_backward, np.ones((1, 1, 2, 2)), flat, 2, description="backward on a blank image")
    if got is not None:
        c.close(np.sum(got), 4.0, "blank image (every pixel ties): the gradient is not copied to every tied pixel",
                "send each window's gradient to ONE pixel (np.argmax picks the first)")
    return Verdict(c.report())


def _shift(img, dr, dc):
    return np.roll(np.roll(img, dr, axis=-2), dc, axis=-1)


def check_cnn_vs_mlp(build_shift_cnn, accuracy) -> Verdict:
    """The CNN maps (N, 1, 16, 16) to (N, 10) scores that do not change when the digit moves."""
    c = Checks("10.cnn_vs_mlp", "a shift-invariant CNN")
    model = c.call(build_shift_cnn, 0, description="build_shift_cnn(seed=0)")
    if model is not None:
        rng = np.random.default_rng(12)
        img = np.zeros((1, 1, 16, 16))
        img[0, 0, 4:12, 4:12] = rng.random((8, 8))
        scores = c.call(model.forward, np.concatenate([img, img, img]), description="model.forward")
        if scores is not None and c.equal(np.shape(scores), (3, 10), "3 images (3, 1, 16, 16) -> scores (3, 10)"):
            for dr, dc in [(1, 0), (0, -2), (2, 2)]:
                moved = model.forward(_shift(img, dr, dc))
                c.close(moved, model.forward(img), f"digit moved by ({dr}, {dc}) pixels: the same scores",
                        "pooling over the WHOLE feature map (MaxPool2D(16)) forgets where a feature was; "
                        "a 2x2 pooling only forgets odd moves of 1 pixel", atol=1e-9)
    class _Fixed:
        def forward(self, X, train=False):
            return np.eye(10)[np.asarray(X).reshape(len(X), -1)[:, 0].astype(int) % 10]
    X = np.zeros((5, 1, 16, 16))
    X[:, 0, 0, 0] = [3, 1, 4, 1, 5]
    acc = c.call(accuracy, _Fixed(), X, np.array([3, 1, 4, 0, 0]), description="accuracy(...)")
    if acc is not None:
        c.close(acc, 0.6, "accuracy of a model right on 3 of 5 images is 0.6",
                "the fraction of images whose predicted class (largest score) is the label")
    return Verdict(c.report())
