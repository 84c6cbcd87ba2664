"""coursekit.lessons.nb05: graph values, the graph explorer and Value arrays."""
import numpy as np
import pytest

from coursekit.lessons.nb05 import grad_array, graph_explorer, graph_values, value_array


def test_graph_values_of_the_lecture_graph():
    r = graph_values(lambda x, y, z: (x + y) * z, x=-2.0, y=5.0, z=-4.0)
    assert r["f"] == -12.0
    assert r["grads"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert r["root"].label == "f"
    with pytest.raises(TypeError, match="must return a Value"):
        graph_values(lambda x: 3.0, x=1.0)


def test_branches_add():
    assert graph_values(lambda x, y: x * y + x, x=3.0, y=2.0)["grads"]["x"] == 3.0


def test_value_arrays_backprop_through_numpy():
    W = value_array(np.array([[1.0, 2.0], [3.0, 4.0]]))
    x = np.array([1.0, -1.0])
    loss = ((x @ W) ** 2).sum()
    loss.backward()
    # d/dW_ij of sum_j (sum_i x_i W_ij)^2 = 2 x_i (x @ W)_j
    s = x @ np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.allclose(grad_array(W), 2 * np.outer(x, s))
    assert value_array([1.0], "w")[0].label == "w[0]"


def test_graph_explorer_redraws():
    import matplotlib
    matplotlib.use("Agg")
    demo = graph_explorer(lambda x, y, z: (x + y) * z, x=-2.0, y=5.0, z=-4.0)
    assert demo.result["f"] == -12.0 and demo.image.value[:4] == b"\x89PNG"
    demo.controls["z"].value = 2.0
    assert demo.result["grads"]["x"] == 2.0
    assert "f = 6" in demo.status.value
