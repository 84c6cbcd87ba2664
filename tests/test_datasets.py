"""coursekit.datasets: shapes, dtypes, determinism, the facts the notebooks rely on, clear errors."""
from __future__ import annotations

import numpy as np
import pytest

from coursekit import datasets as ds

TOYS_2D = {
    "spiral": lambda **kw: ds.spiral(**kw),
    "xor_clouds": lambda **kw: ds.xor_clouds(**kw),
    "blobs": lambda **kw: ds.blobs(**kw),
    "moons": lambda **kw: ds.moons(**kw),
    "circles": lambda **kw: ds.circles(**kw),
}


# --- 2-D classification -------------------------------------------------------------------------

@pytest.mark.parametrize("name", TOYS_2D)
def test_2d_shapes_dtypes_and_determinism(name):
    X, y = TOYS_2D[name](seed=3)
    assert X.ndim == 2 and X.shape[1] == 2 and y.shape == (len(X),)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert np.isfinite(X).all()
    assert y.min() == 0 and np.array_equal(np.unique(y), np.arange(y.max() + 1))
    X2, y2 = TOYS_2D[name](seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = TOYS_2D[name](seed=4)
    assert not np.array_equal(X, X3), "a different seed should give different noise"


def test_spiral_sizes_and_classes():
    X, y = ds.spiral(n_per_class=40, n_classes=5)
    assert X.shape == (200, 2)
    np.testing.assert_array_equal(np.bincount(y), [40] * 5)
    assert np.abs(X).max() <= 1.0 + 1e-12  # radius runs 0..1; noise only turns the angle


def test_linear_classifier_gets_about_half_the_spiral():
    from sklearn.linear_model import LogisticRegression

    X, y = ds.spiral()
    acc = LogisticRegression(max_iter=2000).fit(X, y).score(X, y)
    assert 0.40 <= acc <= 0.62, f"linear softmax on the 3-class spiral should be near 50%, got {acc:.2f}"


def test_hidden_layer_of_100_separates_the_spiral():
    from sklearn.neural_network import MLPClassifier

    X, y = ds.spiral()
    net = MLPClassifier((100,), solver="lbfgs", max_iter=1000, alpha=1e-3, random_state=0).fit(X, y)
    assert net.score(X, y) > 0.95


@pytest.mark.parametrize("n_classes", [2, 3, 4])
def test_blobs_are_linearly_separable(n_classes):
    from sklearn.linear_model import LogisticRegression

    X, y = ds.blobs(n_classes=n_classes)
    assert LogisticRegression(max_iter=2000).fit(X, y).score(X, y) == 1.0


def test_xor_clouds_defeat_a_linear_classifier():
    from sklearn.linear_model import LogisticRegression

    X, y = ds.xor_clouds(noise=0.1)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    assert LogisticRegression().fit(X, y).score(X, y) < 0.75


def test_noise_zero_gives_the_clean_shapes():
    X, y = ds.circles(n_per_class=30, noise=0.0, factor=0.3)
    radii = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radii[y == 0], 1.0)
    np.testing.assert_allclose(radii[y == 1], 0.3)
    X, _ = ds.moons(n_per_class=10, noise=0.0)
    np.testing.assert_allclose(np.hypot(X[:10, 0], X[:10, 1]), 1.0)


@pytest.mark.parametrize("call, words", [
    (lambda: ds.spiral(n_per_class=-5), "n_per_class"),
    (lambda: ds.spiral(n_classes=0), "n_classes"),
    (lambda: ds.spiral(n_per_class=2.5), "whole number"),
    (lambda: ds.moons(noise=-0.1), "noise"),
    (lambda: ds.circles(factor=1.5), "factor"),
    (lambda: ds.blobs(seed=-1), "seed"),
])
def test_2d_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# --- Boolean data -------------------------------------------------------------------------------

def test_truth_tables_of_the_named_gates():
    X, y = ds.truth_table("and")
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert X.dtype == np.float64 and y.dtype == np.int64
    expected = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0], "xor": [0, 1, 1, 0],
                "nor": [1, 0, 0, 0], "xnor": [1, 0, 0, 1]}
    for name, column in expected.items():
        np.testing.assert_array_equal(ds.truth_table(name)[1], column, err_msg=name)


def test_bipolar_encoding_maps_0_to_minus_1():
    X, y = ds.truth_table("xor", encoding="bipolar")
    np.testing.assert_array_equal(X, [[-1, -1], [-1, 1], [1, -1], [1, 1]])
    np.testing.assert_array_equal(y, [-1, 1, 1, -1])


def test_truth_table_from_callable_and_from_column():
    X, y = ds.truth_table(lambda a, b, c: a and not c, n_inputs=3)
    np.testing.assert_array_equal(y, ((X[:, 0] == 1) & (X[:, 2] == 0)).astype(int))
    _, y2 = ds.truth_table([0, 1, 0, 0])
    np.testing.assert_array_equal(y2, [0, 1, 0, 0])
    _, y3 = ds.truth_table([False, True, True, True], encoding="bipolar")
    np.testing.assert_array_equal(y3, [-1, 1, 1, 1])


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_parity_labels_count_the_on_bits(n):
    X, y = ds.parity(n)
    assert X.shape == (2 ** n, n) and y.shape == (2 ** n,)
    assert len({tuple(r) for r in X}) == 2 ** n, "every bit pattern exactly once"
    np.testing.assert_array_equal(y, X.sum(axis=1).astype(int) % 2)
    Xb, yb = ds.parity(n, encoding="bipolar")
    np.testing.assert_array_equal(Xb, 2 * X - 1)
    np.testing.assert_array_equal(yb, 2 * y - 1)


@pytest.mark.parametrize("call, words", [
    (lambda: ds.truth_table("implies"), "'and'"),
    (lambda: ds.truth_table("and", encoding="signed"), "bipolar"),
    (lambda: ds.truth_table([0, 1, 1]), "4 outputs"),
    (lambda: ds.truth_table([0, 2, 1, 0]), "0/1"),
    (lambda: ds.parity(0), "n_bits"),
    (lambda: ds.parity(-3), "n_bits"),
    (lambda: ds.parity(40), "at most"),
])
def test_boolean_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# --- 1-D regression ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ds.REGRESSION_TARGETS))
def test_regression_targets(name):
    x, t = ds.regression_1d(name, n=101)
    assert x.shape == t.shape == (101,) and x.dtype == t.dtype == np.float64
    assert np.all(np.diff(x) > 0) and x[0] == -1 and x[-1] == 1


def test_regression_values_and_noise():
    x, t = ds.regression_1d("step", n=4)
    np.testing.assert_array_equal(t, [0, 0, 1, 1])
    x, t = ds.regression_1d("sine", n=5)
    np.testing.assert_allclose(t, np.sin(np.pi * x))
    _, clean = ds.regression_1d("bump", n=500)
    _, noisy = ds.regression_1d("bump", n=500, noise=0.1, seed=1)
    assert 0.08 < np.std(noisy - clean) < 0.12
    np.testing.assert_array_equal(noisy, ds.regression_1d("bump", n=500, noise=0.1, seed=1)[1])
    x, t = ds.regression_1d(lambda x: x ** 3, n=3, x_range=(0, 2))
    np.testing.assert_allclose(t, [0, 1, 8])


def test_regression_bad_arguments():
    with pytest.raises(ValueError, match="'sine'"):
        ds.regression_1d("cosine")
    with pytest.raises(ValueError, match="n must be"):
        ds.regression_1d(n=-1)
    with pytest.raises(ValueError, match="x_range"):
        ds.regression_1d(x_range=(1, 0))


# --- digits ---------------------------------------------------------------------------------------

def test_digits_split_sizes_shapes_and_unpacking():
    data = ds.digits()
    X_train, y_train, X_val, y_val, X_test, y_test = data
    assert (len(y_train), len(y_val), len(y_test)) == (1079, 359, 359)
    assert X_train.shape == (1079, 64) and X_train.dtype == np.float64 and y_train.dtype == np.int64
    assert set(np.unique(np.concatenate([y_train, y_val, y_test]))) == set(range(10))
    parts = data.info["indices"]
    everyone = np.concatenate([parts["train"], parts["val"], parts["test"]])
    assert len(np.unique(everyone)) == 1797, "train, validation and test must not overlap"
    assert data["X_val"] is data.X_val and set(data.as_dict()) == {"X_train", "y_train", "X_val", "y_val",
                                                                    "X_test", "y_test"}


def test_digits_scaling_and_image_shape():
    std = ds.digits(scale="standard")
    np.testing.assert_allclose(std.X_train.mean(axis=0), 0, atol=1e-12)
    assert np.isfinite(std.X_test).all() and np.abs(std.X_test).max() < 50
    unit = ds.digits(scale="unit", shape="image")
    assert unit.X_train.shape == (1079, 1, 8, 8)
    assert unit.X_train.min() == 0 and unit.X_train.max() == 1
    raw = ds.digits(scale="none")
    np.testing.assert_array_equal(raw.X_train, unit.X_train.reshape(-1, 64) * 16)
    np.testing.assert_array_equal(raw.y_test, std.y_test)


def test_digits_split_is_fixed_by_the_seed():
    a, b, c = ds.digits(seed=0), ds.digits(seed=0), ds.digits(seed=1)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.y_train, c.y_train)
    smaller = ds.digits(val_fraction=0.1, test_fraction=0.3)
    assert (len(smaller.y_train), len(smaller.y_val), len(smaller.y_test)) == (1078, 180, 539)


def test_shifted_digits_stay_inside_the_canvas():
    data = ds.shifted_digits(canvas=14, seed=0)
    plain = ds.digits(scale="none", seed=0)
    assert data.X_train.shape == (1079, 1, 14, 14) and data.image_shape == (14, 14)
    # All the ink of every digit is on the canvas: nothing was cut off at an edge.
    np.testing.assert_allclose(data.X_train.sum(axis=(1, 2, 3)) * 16, plain.X_train.sum(axis=1))
    np.testing.assert_array_equal(data.y_test, plain.y_test)
    off = data.info["offsets"]["train"]
    assert off.min() == 0 and off.max() == 6, "offsets should span the whole canvas"
    n, (r, c) = 7, off[7]
    np.testing.assert_array_equal(data.X_train[n, 0, r:r + 8, c:c + 8] * 16, plain.X_train[n].reshape(8, 8))


def test_shifted_digits_can_keep_training_centred():
    data = ds.shifted_digits(canvas=16, shift_in=("test",), shape="flat")
    assert data.X_train.shape == (1079, 256)
    assert (data.info["offsets"]["train"] == 4).all() and (data.info["offsets"]["val"] == 4).all()
    assert len(np.unique(data.info["offsets"]["test"], axis=0)) > 50
    again = ds.shifted_digits(canvas=16, shift_in=("test",), shape="flat")
    np.testing.assert_array_equal(data.X_test, again.X_test)


@pytest.mark.parametrize("call, words", [
    (lambda: ds.digits(scale="minmax"), "'standard'"),
    (lambda: ds.digits(shape="square"), "'image'"),
    (lambda: ds.digits(val_fraction=0.6, test_fraction=0.5), "no training data"),
    (lambda: ds.digits(test_fraction=-0.1), "test_fraction"),
    (lambda: ds.shifted_digits(canvas=6), "canvas"),
    (lambda: ds.shifted_digits(shift_in=("training",)), "'train'"),
])
def test_digits_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_digits_read_from_the_file_are_scikit_learns():
    from sklearn.datasets import load_digits

    import importlib

    digits_module = importlib.import_module("coursekit.datasets.digits")   # the name `digits` is the function

    assert digits_module._sklearn_digits_file() is not None        # the fast path is the one taken
    images, labels = digits_module._raw()
    bunch = load_digits()
    assert images.dtype == np.float64 and labels.dtype == np.int64
    assert np.array_equal(images, bunch.images) and np.array_equal(labels, bunch.target)


# --- wrong labels on purpose (notebook 08) ------------------------------------------------------

def test_mislabel_changes_exactly_the_asked_share_and_never_keeps_the_true_class():
    y = np.tile(np.arange(10), 24)                                   # 240 labels
    noisy, wrong = ds.mislabel(y, 0.3, seed=0)
    assert wrong.sum() == 72 and noisy.dtype == np.int64
    assert np.all(noisy[wrong] != y[wrong]) and np.array_equal(noisy[~wrong], y[~wrong])
    assert noisy.min() >= 0 and noisy.max() <= 9
    assert np.array_equal(y, np.tile(np.arange(10), 24))            # the input is left alone
    again, _ = ds.mislabel(y, 0.3, seed=0)
    other, _ = ds.mislabel(y, 0.3, seed=1)
    assert np.array_equal(again, noisy) and not np.array_equal(other, noisy)
    assert np.array_equal(ds.mislabel(y, 0.0)[0], y)


def test_mislabel_spreads_wrong_labels_over_all_other_classes():
    y = np.zeros(9000, dtype=int)
    noisy, wrong = ds.mislabel(y, 1.0, n_classes=10, seed=3)
    counts = np.bincount(noisy, minlength=10)
    assert counts[0] == 0 and np.all(np.abs(counts[1:] - 1000) < 150)


@pytest.mark.parametrize("call, words", [
    (lambda: ds.mislabel(np.arange(5), 1.5), "between 0 and 1"),
    (lambda: ds.mislabel(np.array([0.5, 1.0]), 0.1), "integer class labels"),
    (lambda: ds.mislabel(np.array([0, 3]), 0.1, n_classes=2), "0 .. n_classes - 1"),
])
def test_mislabel_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# --- sequences --------------------------------------------------------------------------------------

def test_running_parity():
    X, Y = ds.running_parity(50, length=12, seed=1)
    assert X.shape == (50, 12, 1) and Y.shape == (50, 12) and X.dtype == np.float64 and Y.dtype == np.int64
    for n in range(5):
        for t in range(12):
            assert Y[n, t] == int(X[n, : t + 1, 0].sum()) % 2
    np.testing.assert_array_equal(X, ds.running_parity(50, length=12, seed=1)[0])


def test_binary_addition_adds():
    X, Y = ds.binary_addition(200, n_bits=6, seed=2)
    assert X.shape == (200, 6, 2) and Y.shape == (200, 6)
    a, b, total = ds.bits_to_int(X[..., 0]), ds.bits_to_int(X[..., 1]), ds.bits_to_int(Y)
    np.testing.assert_array_equal(a + b, total)
    assert a.max() < 32 and b.max() < 32 and a.max() > 20


def test_delayed_echo():
    X, Y = ds.delayed_echo(10, length=8, delay=3)
    np.testing.assert_array_equal(Y[:, 3:], X[:, :5, 0])
    assert (Y[:, :3] == 0).all()


@pytest.mark.parametrize("call, words", [
    (lambda: ds.running_parity(-1), "n_sequences"),
    (lambda: ds.binary_addition(n_bits=1), "n_bits"),
    (lambda: ds.delayed_echo(length=5, delay=5), "shorter"),
])
def test_sequence_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# --- text -------------------------------------------------------------------------------------------

def test_text_corpus_is_a_few_kb_of_alice():
    text = ds.text_corpus()
    assert isinstance(text, str) and 3000 < len(text) < 20000
    assert "Alice" in text and "Rabbit" in text
    assert text.isascii()


def test_vocabulary_round_trip():
    text = ds.text_corpus()
    vocab = ds.char_vocabulary()
    assert len(vocab) == len(set(text))
    codes = vocab.encode(text)
    assert codes.dtype == np.int64 and codes.min() == 0 and codes.max() == len(vocab) - 1
    assert vocab.decode(codes) == text
    assert vocab.one_hot("Alice").shape == (5, len(vocab))
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("Alice~")
    with pytest.raises(ValueError, match="indices must lie"):
        vocab.decode([len(vocab)])


def test_text_windows_predict_the_next_character():
    text = "hello world, hello wonderland"
    vocab = ds.Vocabulary(text)
    X, Y = ds.text_windows(text, seq_len=5, vocab=vocab, step=2)
    assert X.shape == Y.shape and X.shape[1] == 5
    assert vocab.decode(X[1]) == "llo w" and vocab.decode(Y[1]) == "lo wo"
    with pytest.raises(ValueError, match="too short"):
        ds.text_windows("abc", seq_len=5)
    with pytest.raises(ValueError, match="'alice'"):
        ds.text_corpus("hamlet")


def test_remember_bit_puts_the_label_at_step_zero_and_noise_after():
    X, y = ds.remember_bit(200, length=40, noise=1.0, seed=3)
    assert X.shape == (200, 40, 1) and y.shape == (200,) and y.dtype == np.int64
    np.testing.assert_array_equal(X[:, 0, 0], 2.0 * y - 1.0)
    assert 0.8 < X[:, 1:, 0].std() < 1.2 and 0.3 < y.mean() < 0.7
    np.testing.assert_array_equal(ds.remember_bit(5, seed=1)[0], ds.remember_bit(5, seed=1)[0])
    with pytest.raises(ValueError, match="standard deviation"):
        ds.remember_bit(5, noise=-1.0)
