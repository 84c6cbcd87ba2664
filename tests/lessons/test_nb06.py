"""coursekit.lessons.nb06: reproducible runs, grids and tables."""
import math

import numpy as np
import pytest

from coursekit import datasets as ckd
from coursekit import nn
from coursekit.lessons.nb06 import (batches, best_row, dense_layers, epoch_seconds, format_table, grid,
                                    run_experiment, split_parts)


def _net(n_in=64, hidden=16, n_out=10, act=nn.ReLU):
    return nn.Sequential(nn.Dense(n_in, hidden, seed=0), act(), nn.Dense(hidden, n_out, seed=1))


@pytest.fixture(scope="module")
def small_digits():
    d = ckd.digits()
    return ckd.DigitsSplit(d.X_train[:200], d.y_train[:200], d.X_val[:80], d.y_val[:80],
                           d.X_test[:80], d.y_test[:80])


def test_split_parts_accepts_splits_and_tuples(small_digits):
    assert list(split_parts(small_digits)) == ["train", "val", "test"]
    X, y = ckd.spiral(n_per_class=5)
    assert list(split_parts((X, y))) == ["train"]
    assert list(split_parts((X, y, X, y))) == ["train", "val"]
    with pytest.raises(TypeError, match="DigitsSplit or a tuple"):
        split_parts((X, y, X))


def test_run_experiment_reports_every_part(small_digits):
    r = run_experiment(_net(), small_digits, epochs=3, lr=0.1)
    assert set(r) == {"params", "train_acc", "val_acc", "test_acc", "loss"}
    assert r["params"] == 64 * 16 + 16 + 16 * 10 + 10
    assert all(0.0 <= r[k] <= 1.0 for k in ("train_acc", "val_acc", "test_acc"))
    assert r["val_acc"] > 0.5      # 3 epochs of ReLU SGD learn the digits well beyond chance (0.1)


def test_run_experiment_is_reproducible(small_digits):
    a = run_experiment(_net(), small_digits, epochs=2, batch_size=16, seed=3)
    b = run_experiment(_net(), small_digits, epochs=2, batch_size=16, seed=3)
    assert a == b


def test_run_experiment_on_a_pair_and_with_history():
    X, y = ckd.spiral(n_per_class=20)
    r = run_experiment(_net(2, 8, 3), (X, y), epochs=4, return_history=True, optimizer="adam", lr=0.01)
    assert set(r) == {"params", "train_acc", "loss", "history"}
    assert len(r["history"]) == 4 and r["loss"] == r["history"].loss[-1]


def test_run_experiment_survives_divergence(small_digits):
    r = run_experiment(_net(act=nn.ReLU), small_digits, epochs=5, lr=1e100)
    assert math.isinf(r["loss"])
    assert 0.0 <= r["train_acc"] <= 1.0


def test_run_experiment_rejects_unknown_optimizers(small_digits):
    with pytest.raises(ValueError, match="'sgd' or 'adam'"):
        run_experiment(_net(), small_digits, epochs=1, optimizer="rmsprop")


def test_grid_orders_the_last_setting_fastest():
    g = grid(lr=[0.1, 1.0], batch_size=[16, 64])
    assert g == [{"lr": 0.1, "batch_size": 16}, {"lr": 0.1, "batch_size": 64},
                 {"lr": 1.0, "batch_size": 16}, {"lr": 1.0, "batch_size": 64}]
    assert grid() == [{}]
    with pytest.raises(ValueError, match="no values"):
        grid(lr=[])


def test_format_table_aligns_and_formats():
    rows = [{"width": 100, "params": 17610, "val_acc": 0.91086, "hidden": [100, 100], "history": object()},
            {"width": 300, "params": 112810, "val_acc": 0.925, "hidden": [300, 300]}]
    text = format_table(rows, title="widths")
    lines = text.splitlines()
    assert lines[0] == "widths"
    assert "history" not in lines[1]
    assert "17,610" in text and "0.911" in text and "[300, 300]" in text
    assert len({len(line) for line in lines[1:]}) == 1   # every line as wide as the header
    assert "-" in format_table([{"a": 1}, {}], ["a"]).splitlines()[-1]
    assert "inf" in format_table([{"loss": math.inf}])
    with pytest.raises(ValueError):
        format_table([], [])


def test_best_row_takes_the_first_of_ties():
    rows = [{"n": 0, "val_acc": 0.5}, {"n": 1, "val_acc": 0.9}, {"n": 2, "val_acc": 0.9}]
    assert best_row(rows)["n"] == 1
    assert best_row(rows, "n")["n"] == 2
    with pytest.raises(ValueError):
        best_row([])


def test_epoch_seconds_is_a_positive_time():
    X, y = ckd.spiral(n_per_class=30)
    s = epoch_seconds(_net(2, 8, 3), X, y, epochs=2)
    assert s > 0 and np.isfinite(s)


def test_batches_walk_the_data_in_order_and_wrap_round():
    X, y = np.arange(10).reshape(5, 2), np.arange(5)
    got = [yb.tolist() for _, yb in batches(X, y, 2, 4)]
    assert got == [[0, 1], [2, 3], [4, 0], [1, 2]]          # no shuffling: a check can repeat it
    xb, yb = next(batches(X, y, 8, 1))
    assert xb.shape == (5, 2) and yb.tolist() == [0, 1, 2, 3, 4]   # a batch larger than the data
    assert len(list(batches(X, y, 2, 0))) == 0
    with pytest.raises(ValueError, match="one label per example"):
        next(batches(X, y[:3], 2, 1))
    with pytest.raises(ValueError, match="batch_size >= 1"):
        next(batches(X, y, 0, 1))


def test_dense_layers_in_order():
    m = _net(act=nn.Sigmoid)
    assert [d.params["W"].shape for d in dense_layers(m)] == [(64, 16), (16, 10)]
    with pytest.raises(TypeError, match="nn.Sequential"):
        dense_layers(nn.Dense(2, 3))
