"""MaxPool2D (values, one-argmax routing on ties, overlap, gradients, errors) and Flatten."""
from __future__ import annotations

import numpy as np
import pytest

from _numgrad import check_layer
from coursekit.backend import asarray, to_numpy
from coursekit.nn import Flatten, MaxPool2D, ShapeError


def _ref_pool(x, k, s):
    N, C, H, W = x.shape
    OH, OW = (H - k[0]) // s[0] + 1, (W - k[1]) // s[1] + 1
    out = np.empty((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]].max(axis=(2, 3))
    return out


# Window settings that take each of the two ways of pooling (MaxPool2D._tiles): the offset loop,
# and the reshape for large windows that tile the input (a global pool, 3x3 on 6x7).
LOOPED = [(2, None, (4, 6)), (3, 1, (5, 4)), (3, 2, (7, 5)), ((2, 3), (1, 3), (3, 6)), (3, 2, (8, 8)),
          (2, None, (5, 4))]
RESHAPED = [(4, None, (4, 4)), (3, None, (6, 7)), ((4, 2), None, (4, 5))]


@pytest.mark.parametrize("k,s,hw", LOOPED + RESHAPED)
def test_forward_is_the_window_maximum(backend, k, s, hw):
    _, xp, dev = backend
    x = np.random.default_rng(0).normal(size=(2, 3, *hw))
    layer = MaxPool2D(k, s)
    out = to_numpy(layer.forward(asarray(x, xp, device=dev)))
    np.testing.assert_array_equal(out, _ref_pool(x, layer.kernel_size, layer.stride))


def test_hand_computed_two_by_two():
    x = np.array([[[[1., 5., 2., 0.],
                    [3., 4., 8., 1.],
                    [0., 0., 7., 6.],
                    [9., 1., 6., 7.]]]])
    layer = MaxPool2D(2)
    np.testing.assert_array_equal(layer.forward(x)[0, 0], [[5, 8], [9, 7]])
    dx = layer.backward(np.array([[[[10., 20.], [30., 40.]]]]))
    want = np.zeros((4, 4))
    want[0, 1], want[1, 2], want[3, 0], want[2, 2] = 10, 20, 30, 40
    np.testing.assert_array_equal(dx[0, 0], want)


def test_ties_route_the_gradient_to_exactly_one_pixel(backend):
    _, xp, dev = backend
    # A flat window (all 1) and a window with two tied maxima: as in a digit's saturated strokes.
    x = np.array([[[[1., 1., 0., 3.],
                    [1., 1., 3., 2.]]]])
    layer = MaxPool2D(2)
    layer.forward(asarray(x, xp, device=dev))
    dx = to_numpy(layer.backward(asarray(np.array([[[[1., 1.]]]]), xp, device=dev)))
    # Each window passes its whole gradient (1) to one pixel, the first maximum in row order.
    np.testing.assert_array_equal(dx[0, 0], [[1, 0, 0, 1], [0, 0, 0, 0]])
    assert dx.sum() == 2.0


def test_the_settings_take_both_ways_of_pooling():
    """Guards the two lists above: each way of pooling is really under test."""
    ways = {MaxPool2D(k, s)._tiles(*hw) for k, s, hw in LOOPED}, {MaxPool2D(k, s)._tiles(*hw) for k, s, hw in RESHAPED}
    assert ways == ({False}, {True})


@pytest.mark.parametrize("k,hw", [(2, (6, 6)), (6, (6, 6)), (3, (6, 7))])
def test_tie_routing_matches_torch(k, hw):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).integers(0, 3, size=(2, 2, *hw)).astype(float)   # many ties
    layer = MaxPool2D(k)
    layer.forward(x)
    dout = np.random.default_rng(2).normal(size=(2, 2, hw[0] // k, hw[1] // k))
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(xt, k).backward(torch.from_numpy(dout))
    np.testing.assert_allclose(layer.backward(dout), xt.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("k,hw", [(4, (4, 4)), (3, (6, 7)), (2, (2, 4))])
def test_both_ways_of_pooling_agree_on_ties(monkeypatch, k, hw):
    """The reshape gives the offset loop's maxima and routes each window's gradient to the same
    pixel, on images full of ties."""
    x = np.random.default_rng(5).integers(0, 2, size=(3, 2, *hw)).astype(float)
    dout = np.random.default_rng(6).normal(size=(3, 2, hw[0] // k, hw[1] // k))
    reshaped = MaxPool2D(k)
    assert reshaped._tiles(*hw)
    out, dx = reshaped.forward(x), reshaped.backward(dout)
    monkeypatch.setattr(MaxPool2D, "_tiles", lambda self, H, W: False)
    looped = MaxPool2D(k)
    np.testing.assert_array_equal(out, looped.forward(x))
    np.testing.assert_array_equal(dx, looped.backward(dout))


def test_overlapping_windows_accumulate():
    # 1x3 image, window 1x2, stride 1: the middle pixel is the max of both windows.
    x = np.array([[[[0., 5., 1.]]]])
    layer = MaxPool2D((1, 2), stride=1)
    np.testing.assert_array_equal(layer.forward(x)[0, 0], [[5, 5]])
    np.testing.assert_array_equal(layer.backward(np.array([[[[2., 3.]]]]))[0, 0], [[0, 5, 0]])


@pytest.mark.parametrize("k,s,hw", [(2, None, (4, 6)), (3, 1, (4, 5)), (3, 2, (5, 7)), (3, 2, (8, 8))]
                         + RESHAPED)
def test_gradient_check(backend, k, s, hw):
    _, xp, dev = backend
    # Distinct values (a permutation) so that a tiny perturbation never changes the argmax.
    n = 2 * 2 * hw[0] * hw[1]
    x = np.random.default_rng(3).permutation(n).reshape(2, 2, *hw) / 10.0
    errors = check_layer(MaxPool2D(k, s), x, xp, dev)
    assert errors["x"] < 1e-6, errors


def test_overlapping_pooling_that_does_not_tile_drops_the_border():
    """AlexNet's 3x3 stride-2 pooling on 8x8: 3x3 outputs; row and column 7 are in no window."""
    x = np.random.default_rng(1).permutation(64).reshape(1, 1, 8, 8).astype(float)
    layer = MaxPool2D(3, 2)
    assert layer.forward(x).shape == (1, 1, 3, 3)
    dx = layer.backward(np.ones((1, 1, 3, 3)))
    assert np.all(dx[0, 0, 7, :] == 0) and np.all(dx[0, 0, :, 7] == 0) and dx.sum() == 9


def test_pool_errors_are_explained():
    with pytest.raises(ShapeError, match=r"MaxPool2D\(kernel_size=\(3, 3\).*cannot take a 2x4 input"):
        MaxPool2D(3).forward(np.zeros((1, 1, 2, 4)))
    with pytest.raises(ShapeError, match=r"MaxPool2D expected input of shape \(N, C, H, W\).*got \(4, 4\)"):
        MaxPool2D(2).forward(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="at least 1"):
        MaxPool2D(0)


def test_flatten_round_trip(backend):
    _, xp, dev = backend
    x = np.random.default_rng(4).normal(size=(3, 2, 4, 5))
    layer = Flatten()
    out = layer.forward(asarray(x, xp, device=dev))
    assert tuple(out.shape) == (3, 40)
    np.testing.assert_array_equal(to_numpy(out), x.reshape(3, 40))   # C-order, sample by sample
    dx = layer.backward(asarray(x.reshape(3, 40) * 2, xp, device=dev))
    np.testing.assert_array_equal(to_numpy(dx), 2 * x)


def test_flatten_errors_are_explained():
    with pytest.raises(ShapeError, match=r"Flatten expected a batch.*got \(5,\)"):
        Flatten().forward(np.zeros(5))
    layer = Flatten()
    layer.forward(np.zeros((2, 3, 4)))
    with pytest.raises(ShapeError, match=r"expected dout of shape \(2, 12\)"):
        layer.backward(np.zeros((2, 3)))
