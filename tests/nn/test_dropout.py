"""Dropout: inverted scaling, identity at test time, seeded masks, gradients, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _numgrad import check_layer
from coursekit.backend import asarray, to_numpy
from coursekit.nn import Dropout


def test_train_time_drops_and_scales(backend):
    _, xp, dev = backend
    x = np.ones((200, 50))
    out = to_numpy(Dropout(0.3, seed=1).forward(asarray(x, xp, device=dev), train=True))
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.7)            # survivors scaled by 1/(1-p)
    assert abs(kept.mean() - 0.7) < 0.02                       # about 1-p of them survive


def test_expectation_is_preserved():
    x = np.random.default_rng(0).normal(size=(4, 5))
    layer = Dropout(0.5, seed=2)
    mean = np.mean([layer.forward(x) for _ in range(4000)], axis=0)
    np.testing.assert_allclose(mean, x, atol=0.1)


def test_test_time_is_the_identity(backend):
    _, xp, dev = backend
    x = asarray(np.random.default_rng(0).normal(size=(3, 4)), xp, device=dev)
    layer = Dropout(0.9)
    out = layer.forward(x, train=False)
    np.testing.assert_array_equal(to_numpy(out), to_numpy(x))
    np.testing.assert_array_equal(to_numpy(layer.backward(x)), to_numpy(x))


def test_masks_are_seeded_and_fresh_each_call():
    x = np.ones((10, 10))
    a, b = Dropout(0.5, seed=3), Dropout(0.5, seed=3)
    first = a.forward(x)
    np.testing.assert_array_equal(first, b.forward(x))          # same seed, same mask
    assert not np.array_equal(first, a.forward(x))             # a new mask each batch
    a.reset()
    np.testing.assert_array_equal(first, a.forward(x))          # reset replays the sequence


def test_backward_uses_the_forward_mask(backend):
    _, xp, dev = backend
    layer = Dropout(0.4, seed=5)
    x = np.random.default_rng(1).normal(size=(6, 7))
    out = to_numpy(layer.forward(asarray(x, xp, device=dev)))
    dx = to_numpy(layer.backward(asarray(np.ones((6, 7)), xp, device=dev)))
    np.testing.assert_array_equal(dx == 0, out == 0)
    # Same mask, fixed between evaluations, so the gradient check is exact.
    errors = check_layer(layer, x, xp, dev, reset=lambda l: l.reset())
    assert errors["x"] < 1e-6


def test_mask_follows_the_dtype(backend):
    _, xp, dev = backend
    x = asarray(np.ones((2, 3)), xp, dtype=xp.float32, device=dev)
    assert Dropout(0.5).forward(x).dtype == xp.float32


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, "0.5"])
def test_bad_p_is_explained(p):
    with pytest.raises(ValueError, match=r"must be in \[0, 1\)"):
        Dropout(p)


def test_p_zero_is_the_identity():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(Dropout(0.0).forward(x), x)
