"""The regularisation explorer (notebook 08) and the FGSM explorer (notebook 12): their plain
functions give the numbers the notebooks quote, and moving a slider redraws with a new result."""
from __future__ import annotations

import ipywidgets
import numpy as np
import pytest

from _widget_asserts import assert_redraws

import coursekit.nn as nn
from coursekit.nn import attacks as adv
from coursekit import datasets
from coursekit import widgets as W


@pytest.fixture(scope="module")
def digits():
    return datasets.digits(scale="unit")


# -- regularisation (08) ----------------------------------------------------------------------
def test_train_regularized_shrinks_weights_and_more_data_closes_the_gap(digits):
    small = dict(epochs=60, data=digits)
    plain = W.train_regularized(0.0, 0.0, 120, **small)
    assert len(plain["history"].val_loss) == 60 and 1 <= plain["best_epoch"] <= 60
    # 30% wrong labels, and still 90% of the training labels reproduced: most mistakes memorised
    assert plain["train_accuracy"] > 0.9 and plain["gap_accuracy"] > 0.2
    assert np.isclose(plain["gap_loss"], plain["val_loss"] - plain["train_loss"])
    decayed = W.train_regularized(0.1, 0.0, 120, **small)
    assert decayed["weight_norm"] < 0.2 * plain["weight_norm"]
    more = W.train_regularized(0.0, 0.0, 960, **small)
    assert more["val_accuracy"] > plain["val_accuracy"] + 0.05 and more["gap_accuracy"] < plain["gap_accuracy"]
    clean = W.train_regularized(0.0, 0.0, 120, label_noise=0.0, **small)
    assert clean["val_accuracy"] > plain["val_accuracy"] + 0.05                 # the wrong labels cost
    again = W.train_regularized(0.0, 0.0, 120, **small)                        # seeded
    assert again["val_loss"] == plain["val_loss"]
    dropped = W.train_regularized(0.0, 0.5, 120, **small)
    assert any(isinstance(l, nn.Dropout) for l in dropped["model"].layers)
    with pytest.raises(ValueError, match="dropout"):
        W.train_regularized(0.0, 1.0, 120, **small)
    with pytest.raises(ValueError, match="n_train"):
        W.train_regularized(0.0, 0.0, 10_000, **small)


def test_train_regularized_default_is_the_notebook_network(digits):
    r = W.train_regularized(0.0, 0.0, epochs=5, data=digits)
    assert r["model"].n_params() == 26122 and r["n_train"] == 240               # 64-128-128-10


def test_regularization_explorer_sliders_retrain(digits):
    demo = W.regularization_explorer(data=digits, epochs=20)
    assert isinstance(demo, ipywidgets.VBox) and demo.image in demo.children
    assert all(not c.continuous_update for c in demo.controls.values())
    assert demo.controls["weight_decay"].options[0][1] == 0.0                  # "no decay" is offered
    assert_redraws(demo, "weight_decay", 0.01)
    assert_redraws(demo, "dropout", 0.5)
    assert any(isinstance(l, nn.Dropout) for l in demo.result["model"].layers)
    assert_redraws(demo, "n_train", 480)
    assert demo.result["n_train"] == 480 and "validation loss" in demo.status.value
    assert repr(demo).endswith("weight_decay=0.01, dropout=0.5, n_train=480>")


# -- FGSM (12) --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def classifier(digits):
    model = nn.Sequential(nn.Dense(64, 32, seed=1), nn.ReLU(), nn.Dense(32, 10, seed=2))
    nn.fit(model, digits.X_train, digits.y_train, loss=nn.SoftmaxCrossEntropy(), optimizer=nn.Adam(lr=0.01),
           epochs=15, batch_size=32, seed=12, progress=False)
    return model


def test_fgsm_example_matches_fgsm_and_fools(classifier, digits):
    X, y = digits.X_test[:40], digits.y_test[:40]
    r0 = W.fgsm_example(classifier, X, y, eps=0.0, index=3)
    assert np.array_equal(r0["x"], r0["x_adv"]) and r0["pred"] == r0["pred_adv"] and not r0["fooled"]
    assert r0["x"].shape == (8, 8) and np.isclose(r0["proba"].sum(), 1.0)
    r = W.fgsm_example(classifier, X, y, eps=0.2, index=3)
    assert np.allclose(r["x_adv"].ravel(), adv.fgsm(classifier, X[3:4], y[3:4], 0.2)[0])
    assert np.abs(r["perturbation"]).max() <= 0.2 + 1e-12
    assert r["x_adv"].min() >= 0 and r["x_adv"].max() <= 1
    assert r["conf_adv"] == r["proba_adv"].max() and r["pred_adv"] == r["proba_adv"].argmax()
    # At eps = 0.3 FGSM fools the MLP on most images it had right.
    fooled = [W.fgsm_example(classifier, X, y, 0.3, i)["fooled"] for i in range(len(y))]
    assert np.mean(fooled) > 0.7
    # A different attack can be passed in (here: none at all).
    same = W.fgsm_example(classifier, X, y, 0.3, 3, attack=lambda m, X, y, e: X)
    assert same["pred_adv"] == same["pred"]
    with pytest.raises(ValueError, match="index"):
        W.fgsm_example(classifier, X, y, 0.1, 40)


def test_fgsm_explorer_sliders_redraw(classifier, digits):
    demo = W.fgsm_explorer(classifier, digits.X_test, digits.y_test, eps=0.0, index=0)
    assert all(not c.continuous_update for c in demo.controls.values())
    assert demo.controls["index"].max == len(digits.y_test) - 1
    assert demo.result["pred"] == demo.result["pred_adv"]
    assert_redraws(demo, "eps", 0.3)
    assert demo.result["eps"] == 0.3 and "ε = 0.30" in demo.status.value
    assert_redraws(demo, "index", 5)
    assert demo.result["index"] == 5
    assert repr(demo).endswith("eps=0.3, index=5>")
