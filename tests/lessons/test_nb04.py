"""coursekit.lessons.nb04: threshold networks, circuits, polygons and the pulse widget."""
import numpy as np
import pytest

from coursekit import datasets as ckd
from coursekit.lessons import nb04 as ex


def test_units():
    assert ex.step(np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 1.0]
    assert ex.sign(np.array([-1.0, 0.0, 2.0])).tolist() == [-1.0, -1.0, 1.0]
    s = ex.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert np.allclose(s, [0.0, 0.5, 1.0]) and np.all(np.isfinite(s))


def test_threshold_forward_xor_and_shape_errors():
    X, y = ckd.truth_table("xor", 2, encoding="bipolar")
    layers = [(np.array([[1, -1], [-1, 1]]), np.array([-1, -1])), (np.array([[1, 1]]), np.array([1]))]
    assert ex.threshold_forward(X, layers, "sign")[:, 0].tolist() == y.tolist()
    with pytest.raises(ValueError, match="do not fit"):
        ex.threshold_forward(X, [(np.ones((2, 3)), np.zeros(2))])
    with pytest.raises(ValueError, match="activation"):
        ex.threshold_forward(X, layers, "relu6")


def test_one_hidden_layer_minterms():
    X, y = ckd.truth_table("and", 3)
    out = ex.one_hidden_layer(X, np.array([[1.0, 1.0, 1.0]]), np.array([-2.5]), np.array([1.0]))
    assert out.tolist() == y.tolist()


@pytest.mark.parametrize("n", range(1, 11))
def test_parity_counting_is_right_on_every_input_with_n_units(n):
    X, y = ckd.parity(n)
    W1, b1, w2 = ex.parity_counting(n)
    assert ex.one_hidden_layer(X, W1, b1, w2).tolist() == y.astype(float).tolist()
    assert W1.shape == (n, n) and W1.size + b1.size + w2.size == n * n + 2 * n


def test_parity_counting_refuses_a_bad_n():
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="whole number of inputs"):
            ex.parity_counting(bad)


def test_circuit_counts_depth_and_errors():
    c = ex.ThresholdCircuit(3)
    a = c.add_unit([0, 1], [1, -1], -0.5)
    b = c.add_unit([0, 1], [-1, 1], -0.5)
    x = c.add_unit([a, b], [1, 1], -0.5)
    assert (c.n_units, c.n_parameters, c.depth, x) == (3, 9, 2, 5)
    X, _ = ckd.truth_table("xor", 3)
    assert c(X).tolist() == (X[:, 0] != X[:, 1]).astype(float).tolist()
    assert c.values(X).shape == (8, 6)
    with pytest.raises(ValueError, match="does not exist"):
        c.add_unit([9], [1.0], 0.0)
    with pytest.raises(ValueError, match="one weight per input"):
        c.add_unit([0, 1], [1.0], 0.0)
    with pytest.raises(ValueError, match="no units"):
        ex.ThresholdCircuit(2)(X[:, :2])
    assert "units=3" in repr(c)


def test_polygon_and_region_network():
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    W, b = ex.polygon_units(square)
    P = np.array([[0.5, 0.5], [1.5, 0.5], [-0.1, 0.2]])
    inside = ex.threshold_forward(P, ex.region_network([square]))[:, 0]
    assert inside.tolist() == [1.0, 0.0, 0.0]
    union = ex.region_network([square, square + 2])
    assert len(union) == 3
    assert ex.threshold_forward(np.array([[2.5, 2.5], [1.5, 1.5]]), union)[:, 0].tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="counter-clockwise"):
        ex.polygon_units(square[::-1])


def test_plot_region_and_pulse_explorer():
    import matplotlib
    matplotlib.use("Agg")
    ax = ex.plot_region(lambda P: P[:, 0] > 0, resolution=20, title="right half")
    assert ax.get_title() == "right half"
    calls = []

    def approximator(f, x, n, k, lo, hi):
        calls.append((n, k))
        return np.zeros_like(x)

    demo = ex.pulse_explorer(approximator)
    assert set(demo.controls) == {"n_pulses", "steepness"}
    assert demo.image.value[:4] == b"\x89PNG" and "largest error" in demo.status.value
    demo.controls["n_pulses"].value = 3  # moving a slider redraws with the new count
    assert calls[-1][0] == 3 and demo.n_updates == 2
