"""coursekit.backend: moving arrays between libraries and devices."""
from __future__ import annotations

import numpy as np
import pytest

from coursekit.backend import asarray, namespace_of, one_hot, to_numpy


def test_round_trip_keeps_values_on_every_backend(backend):
    _, xp, dev = backend
    a = np.arange(12.0).reshape(3, 4)
    moved = asarray(a, xp, device=dev)
    assert namespace_of(moved) is xp
    assert np.array_equal(to_numpy(moved), a)


def test_reversed_and_strided_numpy_views_cross_to_every_backend(backend):
    """x[::-1] has negative strides, which torch refuses to wrap: the crossing copies to C order."""
    _, xp, dev = backend
    a = np.arange(20.0).reshape(4, 5)
    for view in (a[::-1], a[:, ::2], a.T):
        assert np.array_equal(to_numpy(asarray(view, xp, device=dev)), view)


def test_mixing_libraries_is_explained():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="different array libraries: numpy.ndarray, torch.Tensor"):
        namespace_of(np.ones(2), torch.ones(2))


def test_one_hot_rows_on_every_backend(backend):
    """One 1 per row at the label's column, in the labels' library and device, in the dtype asked."""
    _, xp, dev = backend
    labels = asarray(np.array([2, 0, 1, 2]), xp, device=dev)
    rows = one_hot(labels, 3, "float32")
    assert namespace_of(rows) is xp and "float32" in str(rows.dtype)
    assert to_numpy(rows).tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert "float64" in str(one_hot(labels, 4).dtype) and to_numpy(one_hot(labels, 4)).shape == (4, 4)
