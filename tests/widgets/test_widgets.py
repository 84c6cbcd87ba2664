"""The demos' plain functions give the numbers the lectures quote, and moving a control redraws
the widget with the new result (driven through the widgets' observers, no browser needed)."""
from __future__ import annotations

import ipywidgets
import numpy as np
import pytest

from _widget_asserts import assert_redraws

from coursekit import widgets as W


def value_controls(demo):
    return [c for c in demo.controls.values() if isinstance(c, (ipywidgets.FloatSlider, ipywidgets.IntSlider))]


def blobs(rng, n=20):
    X = np.concatenate([rng.normal([2, 2], 0.4, (n, 2)), rng.normal([-2, -2], 0.4, (n, 2))])
    return X, np.repeat([0, 1], n)


# -- perceptron -------------------------------------------------------------------------------
def test_perceptron_state_accuracy_and_line(rng):
    X, y = blobs(rng)
    good = W.perceptron_state([-1.0, -1.0], 0.0, X, y)  # class 1 lies where -x1 - x2 > 0
    assert good["accuracy"] == 1.0 and good["n_errors"] == 0
    assert np.allclose(good["line"] @ np.array([-1.0, -1.0]) + 0.0, 0.0)
    bad = W.perceptron_state([1.0, 1.0], 0.0, X, y)
    assert bad["accuracy"] == 0.0 and bad["n_errors"] == len(y)
    assert W.perceptron_state([0.0, 0.0], 1.0, X, y)["line"] is None
    vertical = W.perceptron_state([2.0, 0.0], -1.0, X, y)["line"]
    assert np.allclose(vertical[:, 0], 0.5)
    pm = W.perceptron_state([-1.0, -1.0], 0.0, X, np.where(y == 1, 1, -1))  # ±1 labels
    assert pm["accuracy"] == 1.0
    with pytest.raises(ValueError, match="2 classes"):
        W.perceptron_state([1, 1], 0, X, np.arange(len(y)) % 3)


def test_perceptron_demo_sliders_move_the_line(rng):
    X, y = blobs(rng)
    demo = W.perceptron_demo(X, y, w=(1.0, 1.0), b=0.0)
    assert isinstance(demo, ipywidgets.VBox) and demo.image in demo.children
    assert all(not s.continuous_update for s in value_controls(demo))
    assert demo.result["accuracy"] == 0.0
    assert_redraws(demo, "w1", -1.0)
    assert_redraws(demo, "w2", -1.0)
    assert demo.result["accuracy"] == 1.0 and "0 of 40" in demo.status.value
    # What a notebook prints for the widget: short, readable, no PNG bytes.
    assert repr(demo) == "<Perceptron: move the line with w and b: w1=-1.0, w2=-1.0, b=0.0>"


# -- gradient descent -------------------------------------------------------------------------
def test_gradient_descent_path_converges_below_and_diverges_above_critical_rate():
    small = W.gradient_descent_path(0.1, steps=30)
    assert not small["diverged"] and small["losses"][-1] < 0.05 * small["losses"][0]
    assert small["trajectory"].shape == (31, 2)
    # One step by hand: w <- w - lr * a * w with a = (3, 0.5) from (-2.5, 2.5).
    assert np.allclose(small["trajectory"][1], [-2.5 * (1 - 0.3), 2.5 * (1 - 0.05)])
    assert np.isclose(small["critical_lr"], 2 / 3)
    assert not W.gradient_descent_path(0.66, steps=50)["diverged"]
    big = W.gradient_descent_path(0.7, steps=50)
    assert big["diverged"] and np.all(np.isfinite(big["trajectory"]))
    huge = W.gradient_descent_path(50.0, steps=100)  # stops early instead of overflowing
    assert len(huge["trajectory"]) < 101 and np.all(np.isfinite(huge["losses"]))
    with pytest.raises(ValueError, match="positive"):
        W.gradient_descent_path(-0.1)


def test_gradient_descent_demo_shows_divergence():
    demo = W.gradient_descent_demo(lr=0.1, steps=10)
    assert all(not s.continuous_update for s in value_controls(demo))
    assert demo.controls["lr"].max > demo.result["critical_lr"]  # divergence is reachable
    assert not demo.result["diverged"] and "Diverged" not in demo.status.value
    assert_redraws(demo, "lr", 0.8)
    assert demo.result["diverged"] and "Diverged" in demo.status.value
    assert_redraws(demo, "steps", 30)
    assert len(demo.result["trajectory"]) == 31


# -- activations ------------------------------------------------------------------------------
def test_activation_values_match_the_formulas():
    s = W.activation_values("sigmoid", 0.0)
    assert np.isclose(s["f0"], 0.5) and np.isclose(s["df0"], 0.25) and not s["saturated"]
    assert np.allclose(s["tangent"], 0.5 + 0.25 * s["z"])
    assert W.activation_values("sigmoid", 8.0)["saturated"]
    r = W.activation_values("relu", -1.0)
    assert r["f0"] == 0.0 and r["df0"] == 0.0 and r["saturated"]
    assert np.isclose(W.activation_values("tanh", 1.0)["df0"], 1 - np.tanh(1.0) ** 2)
    with pytest.raises(ValueError, match="unknown activation"):
        W.activation_values("swish")


def test_activation_explorer_follows_dropdown_and_slider():
    demo = W.activation_explorer("sigmoid", 0.0)
    assert_redraws(demo, "name", "tanh")
    assert demo.result["name"] == "tanh" and np.isclose(demo.result["df0"], 1.0)
    assert_redraws(demo, "z0", 4.0)
    assert demo.result["saturated"] and "Saturated" in demo.status.value


# -- spiral network ---------------------------------------------------------------------------
def test_train_spiral_network_hidden_layer_beats_linear():
    deep = W.train_spiral_network(hidden=50, activation="relu", epochs=100)
    linear = W.train_spiral_network(hidden=50, activation="none", epochs=100)
    assert deep["accuracy"] > 0.9
    assert linear["accuracy"] < 0.7  # a linear model: about 50% on the 3-class spiral
    again = W.train_spiral_network(hidden=50, activation="relu", epochs=100)
    assert again["accuracy"] == deep["accuracy"]  # seeded
    assert deep["predict"](np.zeros((5, 2))).shape == (5,)
    with pytest.raises(ValueError, match="unknown activation .softmax.; choose one of"):
        W.train_spiral_network(activation="softmax")
    with pytest.raises(ValueError, match="at least 1 unit"):
        W.train_spiral_network(hidden=0)


def test_spiral_network_demo_retrains_on_change():
    demo = W.spiral_network_demo(hidden=30, activation="relu", epochs=60)
    assert all(not s.continuous_update for s in value_controls(demo))
    first = demo.result["accuracy"]
    assert_redraws(demo, "activation", "none")
    assert demo.result["accuracy"] < first
    assert_redraws(demo, "hidden", 5)
    assert demo.result["model"].layers[0].params["W"].shape == (2, 5)


# -- convolution ------------------------------------------------------------------------------
def test_convolve2d_matches_the_definition(rng):
    img, k = rng.normal(size=(7, 6)), rng.normal(size=(3, 3))
    out = W.convolve2d(img, k)
    assert out.shape == (5, 4)
    by_hand = np.array([[np.sum(img[i:i + 3, j:j + 3] * k) for j in range(4)] for i in range(5)])
    assert np.allclose(out, by_hand)
    assert np.allclose(W.convolve2d(img, W.FILTERS["identity"]), img[1:-1, 1:-1])
    # A vertical edge (dark left, bright right) lights up the vertical Sobel filter only.
    edge = np.zeros((5, 5))
    edge[:, 3:] = 1.0
    assert W.convolve2d(edge, W.FILTERS["vertical edges (Sobel)"]).max() > 0
    assert np.allclose(W.convolve2d(edge, W.FILTERS["horizontal edges (Sobel)"]), 0)
    with pytest.raises(ValueError, match="larger than the image"):
        W.convolve2d(np.zeros((2, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="unknown filter"):
        W.convolution_state(img, "emboss")


def test_convolution_explorer_presets_custom_and_digit(rng):
    imgs = rng.random((4, 1, 8, 8))
    demo = W.convolution_explorer(imgs, labels=[3, 1, 4, 1], preset="identity")
    assert np.allclose(demo.result["feature_map"], imgs[0, 0, 1:-1, 1:-1])
    assert_redraws(demo, "preset", "blur (box)")
    assert np.allclose(demo.result["kernel"], 1 / 9)
    assert demo.controls["k11"].value == pytest.approx(1 / 9)
    assert_redraws(demo, "k00", 2.0)  # editing a box makes it a custom filter
    assert demo.controls["preset"].value == "custom" and demo.result["kernel"][0, 0] == 2.0
    assert_redraws(demo, "index", 2)
    assert np.allclose(demo.result["image"], imgs[2, 0])


def test_convolution_explorer_default_digits():
    demo = W.convolution_explorer()
    assert demo.result["image"].shape == (8, 8) and demo.result["feature_map"].shape == (6, 6)
    assert demo.controls["index"].max == 49  # the first 50 training digits
    assert 0.0 <= demo.result["image"].min() and demo.result["image"].max() <= 1.0
