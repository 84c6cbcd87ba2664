"""Conv2D, conv_output_size, conv2d_naive and im2col: sizes, values, gradients, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _numgrad import check_layer, rel_error
from coursekit.backend import asarray, to_numpy
from coursekit.nn import Conv2D, ShapeError, conv_output_size
from coursekit.nn.conv import conv2d_im2col, conv2d_naive, im2col


# -- output size -------------------------------------------------------------------------------
@pytest.mark.parametrize("x,k,s,p,want", [(7, 3, 1, 0, 5), (7, 3, 2, 0, 3), (32, 3, 1, 1, 32),
                                          (5, 5, 1, 0, 1), (8, 2, 2, 0, 4), (6, 3, 3, 0, 2)])
def test_output_size_formula(x, k, s, p, want):
    assert conv_output_size(x, k, s, p) == want


def test_output_size_not_whole_number_is_explained():
    with pytest.raises(ValueError, match="not a whole number"):
        conv_output_size(7, 3, 3)          # (7-3)/3 + 1 = 2.33


@pytest.mark.parametrize("x,k,s,p,want", [(7, 3, 3, 0, 2), (8, 3, 2, 0, 3), (9, 3, 2, 1, 5),
                                          (224, 7, 2, 3, 112)])
def test_output_size_dropping_the_border_is_the_floor(x, k, s, p, want):
    """What the layers (and PyTorch) compute when the windows do not tile: floor(...) + 1."""
    assert conv_output_size(x, k, s, p, drop_border=True) == want
    assert want == (x - k + 2 * p) // s + 1


def test_output_size_kernel_too_large_is_explained():
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_output_size(2, 5, 1, 1)


# -- values ------------------------------------------------------------------------------------
def _ref_conv(x, W, b, stride, padding):
    """Reference by direct summation in NumPy (independent of the package)."""
    N, C, H, Wd = x.shape
    F, _, kh, kw = W.shape
    ph, pw = padding
    xp_ = np.zeros((N, C, H + 2 * ph, Wd + 2 * pw))
    xp_[:, :, ph:ph + H, pw:pw + Wd] = x
    OH = (H + 2 * ph - kh) // stride[0] + 1
    OW = (Wd + 2 * pw - kw) // stride[1] + 1
    out = np.zeros((N, F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            win = xp_[:, :, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", win, W) + b
    return out


def test_seven_by_seven_with_three_by_three_gives_five_by_five_by_hand(backend):
    _, xp, dev = backend
    x = np.arange(49, dtype=float).reshape(1, 1, 7, 7)
    layer = Conv2D(1, 1, 3).to(xp, device=dev)
    # An averaging filter: each output is the mean of its 3x3 window, so out[i, j] is the
    # centre pixel x[i+1, j+1] = 7*(i+1) + (j+1) (the window is symmetric around it).
    layer.params["W"] = asarray(np.full((1, 1, 3, 3), 1 / 9), xp, device=dev)
    layer.params["b"] = asarray(np.array([0.5]), xp, device=dev)
    out = to_numpy(layer.forward(asarray(x, xp, device=dev)))
    assert out.shape == (1, 1, 5, 5)
    want = np.array([[7 * (i + 1) + (j + 1) + 0.5 for j in range(5)] for i in range(5)])
    np.testing.assert_allclose(out[0, 0], want, atol=1e-12)


@pytest.mark.parametrize("stride,padding,hw,k", [(1, 0, (7, 5), 3), (2, 1, (7, 9), 3),
                                                 ((2, 1), (0, 2), (6, 5), (2, 3)),
                                                 (3, 0, (9, 6), 3), (1, 2, (4, 3), (5, 3))])
def test_forward_matches_direct_sum_non_square(backend, stride, padding, hw, k):
    _, xp, dev = backend
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, *hw))
    layer = Conv2D(3, 4, k, stride=stride, padding=padding, seed=3).to(xp, device=dev)
    layer.params["b"] = asarray(rng.normal(size=4), xp, device=dev)
    out = to_numpy(layer.forward(asarray(x, xp, device=dev)))
    ref = _ref_conv(x, to_numpy(layer.params["W"]), to_numpy(layer.params["b"]),
                    layer.stride, layer.padding)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out, ref, atol=1e-10)


def test_forward_matches_torch_conv2d():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 2, 9, 7))
    layer = Conv2D(2, 5, 3, stride=2, padding=1, seed=4)
    layer.params["b"] = rng.normal(size=5)
    out = layer.forward(x)
    ref = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(layer.params["W"]),
                                     torch.from_numpy(layer.params["b"]), stride=2, padding=1)
    np.testing.assert_allclose(out, ref.numpy(), atol=1e-10)


@pytest.mark.parametrize("stride,padding,hw", [(1, 0, (5, 7)), (2, 1, (8, 6)), (2, 2, (6, 4))])
def test_teaching_versions_agree_with_the_layer(backend, stride, padding, hw):
    _, xp, dev = backend
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 2, *hw))
    W, b = rng.normal(size=(3, 2, 2, 2)), rng.normal(size=3)
    ref = _ref_conv(x, W, b, (stride, stride), (padding, padding))
    xa, Wa, ba = (asarray(a, xp, device=dev) for a in (x, W, b))
    np.testing.assert_allclose(to_numpy(conv2d_naive(xa, Wa, ba, stride, padding)), ref, atol=1e-10)
    np.testing.assert_allclose(to_numpy(conv2d_im2col(xa, Wa, ba, stride, padding)), ref, atol=1e-10)


def test_im2col_layout_on_non_square_input():
    # 1 image, 1 channel, 2x3, kernel 1x2: windows (0,0),(0,1),(1,0),(1,1) -> 4 columns of 2.
    x = np.array([[[[1., 2., 3.], [4., 5., 6.]]]])
    cols = im2col(x, 1, 2)
    np.testing.assert_array_equal(cols, [[1, 2, 4, 5], [2, 3, 5, 6]])
    with pytest.raises(ValueError, match="not a whole number"):
        im2col(np.zeros((1, 1, 4, 5)), 2, 2, stride=2)   # height tiles, width 5 does not


# -- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("stride,padding,hw,k", [(1, 0, (5, 4), 3), (2, 1, (5, 7), 3), (2, 1, (9, 8), 3),
                                                 ((1, 2), (1, 0), (4, 5), (2, 3))])
def test_gradient_check(backend, stride, padding, hw, k):
    _, xp, dev = backend
    layer = Conv2D(2, 3, k, stride=stride, padding=padding, seed=7)
    layer.params["b"] = np.random.default_rng(8).normal(size=3)
    x = np.random.default_rng(9).normal(size=(2, 2, *hw))
    errors = check_layer(layer, x, xp, dev)
    assert max(errors.values()) < 1e-6, errors


def test_shared_weight_gradient_sums_over_positions(backend):
    _, xp, dev = backend
    # A 1x1 filter is used at every pixel: dL/dW = sum over pixels of x * dout.
    rng = np.random.default_rng(10)
    x, dout = rng.normal(size=(2, 1, 4, 3)), rng.normal(size=(2, 1, 4, 3))
    layer = Conv2D(1, 1, 1).to(xp, device=dev)
    layer.forward(asarray(x, xp, device=dev))
    layer.backward(asarray(dout, xp, device=dev))
    np.testing.assert_allclose(to_numpy(layer.grads["W"]).ravel(), [np.sum(x * dout)], rtol=1e-12)
    np.testing.assert_allclose(to_numpy(layer.grads["b"]), [np.sum(dout)], rtol=1e-12)


def test_backward_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    x = rng.normal(size=(2, 3, 9, 7))
    layer = Conv2D(3, 4, 3, stride=2, padding=(1, 2), seed=12)
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(layer.params["W"], requires_grad=True)
    bt = torch.tensor(layer.params["b"], requires_grad=True)
    torch.nn.functional.conv2d(xt, Wt, bt, stride=2, padding=(1, 2)).backward(torch.from_numpy(dout))
    assert rel_error(dx, xt.grad.numpy()) < 1e-10
    assert rel_error(layer.grads["W"], Wt.grad.numpy()) < 1e-10
    assert rel_error(layer.grads["b"], bt.grad.numpy()) < 1e-10


# -- errors a student will meet ----------------------------------------------------------------
def test_channels_last_input_is_explained():
    layer = Conv2D(3, 8, 3)
    with pytest.raises(ShapeError, match=r"Conv2D expected input of shape \(N, 3, H, W\), got "
                                         r"\(32, 32, 32, 3\).*channels last"):
        layer.forward(np.zeros((32, 32, 32, 3)))


def test_single_image_without_batch_axis_is_explained():
    with pytest.raises(ShapeError, match=r"got \(3, 8, 8\).*batch axis"):
        Conv2D(3, 8, 3).forward(np.zeros((3, 8, 8)))


def test_empty_batch_is_explained():
    with pytest.raises(ShapeError, match="empty batch"):
        Conv2D(1, 2, 3).forward(np.zeros((0, 1, 5, 5)))


def test_stride_that_does_not_tile_drops_the_border_as_pytorch_does(backend):
    """ResNet's stem on a small scale: 3x3, stride 2, padding 1 on 9x8 gives 5x4 (the padded
    width 10 leaves its last, padding, column out); without padding on 8x8 the real row and
    column 7 are in no window and get no gradient."""
    _, xp, dev = backend
    rng = np.random.default_rng(5)
    x, W, b = rng.normal(size=(2, 2, 9, 8)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    layer = Conv2D(2, 3, 3, stride=2, padding=1).to(xp, device=dev)
    layer.params["W"], layer.params["b"] = (asarray(a, xp, device=dev) for a in (W, b))
    out = to_numpy(layer.forward(asarray(x, xp, device=dev)))
    assert out.shape == (2, 3, 5, 4)
    np.testing.assert_allclose(out, _ref_conv(x, W, b, (2, 2), (1, 1)), atol=1e-10)
    plain = Conv2D(2, 3, 3, stride=2).to(xp, device=dev)
    out = plain.forward(asarray(x[:, :, :8, :], xp, device=dev))
    assert tuple(out.shape) == (2, 3, 3, 3)
    dx = to_numpy(plain.backward(asarray(np.ones(tuple(out.shape)), xp, device=dev)))
    assert np.all(dx[:, :, 7, :] == 0) and np.all(dx[:, :, :, 7] == 0)
    assert np.all(dx[:, :, 6, :6] != 0)


def test_kernel_larger_than_the_input_names_the_layer():
    with pytest.raises(ShapeError, match=r"Conv2D\(1, 2.*cannot take a 2x2 input.*larger"):
        Conv2D(1, 2, 3, stride=2).forward(np.zeros((1, 1, 2, 2)))


def test_backward_before_forward_is_explained():
    with pytest.raises(RuntimeError, match="before forward"):
        Conv2D(1, 1, 3).backward(np.zeros((1, 1, 3, 3)))


def test_params_from_another_library_are_explained(backend):
    name, xp, dev = backend
    if name == "numpy":
        pytest.skip("params are NumPy already")
    with pytest.raises(TypeError, match="different array libraries"):
        Conv2D(1, 1, 3).forward(asarray(np.zeros((1, 1, 5, 5)), xp, device=dev))


def test_init_is_seeded_and_scaled():
    a, b = Conv2D(16, 32, 3, seed=0), Conv2D(16, 32, 3, seed=0)
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    assert not np.array_equal(a.params["W"], Conv2D(16, 32, 3, seed=1).params["W"])
    # he_normal: std sqrt(2 / fan_in), fan_in = 16*3*3 = 144
    assert abs(a.params["W"].std() - np.sqrt(2 / 144)) < 0.01
    assert a.params["W"].shape == (32, 16, 3, 3) and a.params["b"].shape == (32,)


def test_unknown_init_is_explained():
    with pytest.raises(ValueError, match="he_normal"):
        Conv2D(1, 1, 3, init="kaiming")


def test_a_small_cnn_learns_bars(backend):
    """Conv2D -> ReLU -> MaxPool2D -> Flatten -> Dense composes and trains with fit."""
    from coursekit.nn import SGD, Dense, Flatten, MaxPool2D, ReLU, Sequential, SoftmaxCrossEntropy, fit, predict

    _, xp, dev = backend
    rng = np.random.default_rng(0)
    X = rng.normal(scale=0.3, size=(64, 1, 6, 6))
    y = np.arange(64) % 2
    for n in range(64):   # class 0: a vertical bar, class 1: a horizontal bar, anywhere
        k = rng.integers(0, 6)
        if y[n] == 0:
            X[n, 0, :, k] += 1.0
        else:
            X[n, 0, k, :] += 1.0
    model = Sequential(Conv2D(1, 4, 3, padding=1, seed=1), ReLU(), MaxPool2D(2), Flatten(),
                       Dense(4 * 3 * 3, 2, seed=2)).to(xp, device=dev)
    Xa, ya = asarray(X, xp, device=dev), asarray(y, xp, device=dev)
    fit(model, Xa, ya, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=15, batch_size=16,
        progress=False)
    assert np.mean(to_numpy(predict(model, Xa)) == y) > 0.9
