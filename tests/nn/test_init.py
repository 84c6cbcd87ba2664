"""Initialisers: names, statistics, seeding, placement."""
import math

import numpy as np
import pytest

from coursekit.backend import to_numpy
from coursekit.nn import INITIALIZERS, initialize
from coursekit.nn.init import fans


def test_names():
    assert set(INITIALIZERS) == {"zeros", "normal", "glorot_normal", "glorot_uniform", "he_normal"}


def test_statistics():
    shape = (400, 600)
    assert np.all(initialize("zeros", shape) == 0)
    assert np.std(initialize("normal", shape, std=0.5)) == pytest.approx(0.5, rel=0.02)
    g = initialize("glorot_uniform", shape)
    bound = math.sqrt(6 / 1000)
    assert g.max() <= bound and g.min() >= -bound and g.max() > 0.99 * bound
    assert np.var(initialize("glorot_normal", shape)) == pytest.approx(2 / 1000, rel=0.03)
    assert np.var(initialize("he_normal", shape)) == pytest.approx(2 / 400, rel=0.03)


def test_conv_fans():
    assert fans((32, 3, 5, 5)) == (75, 800)
    assert fans((10, 20)) == (10, 20)


def test_seeded_and_rng():
    a = initialize("he_normal", (3, 4), seed=5)
    assert np.array_equal(a, initialize("he_normal", (3, 4), seed=5))
    assert not np.array_equal(a, initialize("he_normal", (3, 4), seed=6))
    r1, r2 = np.random.default_rng(1), np.random.default_rng(1)
    assert np.array_equal(initialize("normal", (2, 2), rng=r1), initialize("normal", (2, 2), rng=r2))


def test_placement(backend):
    _, xp, dev = backend
    w = initialize("glorot_normal", (3, 4), seed=2, xp=xp, device=dev, dtype="float32")
    assert w.dtype == xp.float32 and w.shape == (3, 4)
    assert np.allclose(to_numpy(w), initialize("glorot_normal", (3, 4), seed=2), atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="unknown initialiser 'xavier'.*glorot_uniform"):
        initialize("xavier", (2, 2))
    with pytest.raises(ValueError, match="positive"):
        initialize("normal", (0, 2))
    with pytest.raises(ValueError, match="float32"):
        initialize("normal", (2, 2), dtype="float16")
