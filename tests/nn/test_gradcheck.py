"""The gradient checker finds bugs and passes correct code."""
import numpy as np
import pytest

from coursekit.backend import asarray, to_numpy
from coursekit.nn import Dense, SoftmaxCrossEntropy, gradient_check, numerical_gradient
from coursekit.nn.gradcheck import relative_error


def test_numerical_gradient_of_known_function(backend):
    _, xp, dev = backend
    x_np = np.array([[1.0, -2.0], [0.5, 3.0]])
    x = asarray(x_np, xp, device=dev)
    g = numerical_gradient(lambda t: float(xp.sum(t * t * t)), x)
    assert np.allclose(to_numpy(g), 3 * x_np**2, rtol=1e-8)
    assert np.array_equal(to_numpy(x), x_np), "x must be left unchanged"


class BuggyDense(Dense):
    """Forgets to transpose... no: forgets the factor on db (a typical slip)."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.grads["b"] = 2 * self.grads["b"]
        return dx


def test_catches_a_wrong_backward(rng):
    x = rng.standard_normal((3, 4))
    result = gradient_check(BuggyDense(4, 2), x)
    assert result["W"] < 1e-6 and result["x"] < 1e-6
    assert result["b"] > 0.1 and not result.passed()
    assert "b" in repr(result) and "CHECK" in repr(result)


def test_loss_and_model_with_loss(rng):
    scores = rng.standard_normal((4, 3))
    y = np.array([0, 2, 1, 2])
    assert gradient_check(SoftmaxCrossEntropy(), scores, y).passed()
    res = gradient_check(Dense(3, 3, seed=2), scores, y, loss=SoftmaxCrossEntropy())
    assert set(res) == {"x", "W", "b"} and res.passed()


def test_parameters_restored_after_check(rng):
    layer = Dense(3, 2)
    W = layer.params["W"]
    gradient_check(layer, rng.standard_normal((2, 3)))
    assert layer.params["W"] is W


def test_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        gradient_check(Dense(2, 2, dtype="float32"), np.ones((1, 2), dtype=np.float32))


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)
