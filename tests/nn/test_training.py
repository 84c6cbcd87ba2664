"""Sequential, fit, predict, evaluate, early stopping, divergence, save/load."""
import numpy as np
import pytest

from coursekit.backend import asarray, to_numpy
from coursekit.nn import (MSE, SGD, Adam, Dense, ReLU, Sequential, ShapeError, Sigmoid,
                          SoftmaxCrossEntropy, Tanh, TrainingDivergedError, evaluate, fit,
                          gradient_check, load, predict, save)


def blobs(n=120, seed=0):
    """Three well separated Gaussian blobs in 2-D, integer labels."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.arange(n) % 3
    return centres[y] + 0.5 * rng.standard_normal((n, 2)), y


def mlp(seed=0):
    return Sequential(Dense(2, 16, seed=seed), ReLU(), Dense(16, 3, seed=seed + 1))


def test_fit_separable_problem_every_backend(backend):
    _, xp, dev = backend
    X, y = blobs()
    model = mlp().to(xp, device=dev)
    Xb, yb = asarray(X, xp, device=dev), asarray(y, xp, device=dev)
    hist = fit(model, Xb, yb, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=15,
               batch_size=16, progress=False, validation_data=(Xb, yb))
    assert len(hist) == 15 and hist.loss[-1] < hist.loss[0]
    assert hist.accuracy[-1] > 0.95 and hist.val_accuracy[-1] > 0.95
    pred = predict(model, Xb)
    assert np.mean(to_numpy(pred) == y) > 0.95
    assert evaluate(model, Xb, yb, loss=SoftmaxCrossEntropy())["accuracy"] > 0.95


def test_same_result_on_every_backend(backend):
    """One seed, one history: the backend changes where the maths runs, not the numbers."""
    _, xp, dev = backend
    X, y = blobs(60)
    ref = fit(mlp(), X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=3,
              batch_size=8, progress=False)
    other = fit(mlp().to(xp, device=dev), X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1),
                epochs=3, batch_size=8, progress=False)  # NumPy data moved to the model's backend
    assert np.allclose(ref.loss, other.loss)


def test_model_gradient_check(backend, rng):
    _, xp, dev = backend
    model = Sequential(Dense(3, 5, seed=1), Tanh(), Dense(5, 2, seed=2), Sigmoid()).to(xp, device=dev)
    x = asarray(rng.standard_normal((4, 3)), xp, device=dev)
    y = asarray(rng.standard_normal((4, 2)), xp, device=dev)
    errors = gradient_check(model, x, y, loss=MSE())
    assert set(errors) == {"x", "0.W", "0.b", "2.W", "2.b"} and errors.max() < 1e-6


def test_float32_model():
    X, y = blobs()
    model = mlp().to(dtype="float32")
    assert model.layers[0].params["W"].dtype == np.float32
    hist = fit(model, X, y, loss=SoftmaxCrossEntropy(), optimizer=Adam(0.01), epochs=10,
               batch_size=16, progress=False)
    assert hist.accuracy[-1] > 0.95 and model.layers[2].params["b"].dtype == np.float32


def test_divergence_names_epoch_and_batch():
    X, y = blobs()
    with pytest.raises(TrainingDivergedError, match=r"epoch \d+, batch \d+.*lower learning rate") as e, \
            np.errstate(all="ignore"):
        fit(mlp(), X * 1e3, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(1e12), epochs=5,
            batch_size=16, progress=False)
    assert e.value.epoch >= 1 and e.value.batch >= 1


def test_data_errors_before_training():
    X, y = blobs(30)
    kw = dict(loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=1, batch_size=8, progress=False)
    with pytest.raises(ValueError, match="30 samples but its targets have 29"):
        fit(mlp(), X, y[:29], **kw)
    with pytest.raises(ValueError, match=r"label 5 is out of range.*0\.\.2"):
        fit(mlp(), X, np.where(np.arange(30) == 20, 5, y), **kw)
    with pytest.raises(ShapeError, match=r"layer 0 \(Dense\).*\(N, 2\), got \(1, 3\)"):
        fit(mlp(), np.ones((30, 3)), y, **kw)
    with pytest.raises(ShapeError, match="no samples"):
        fit(mlp(), np.ones((0, 2)), y[:0], **kw)
    with pytest.raises(TypeError, match="with parentheses"):
        fit(mlp(), X, y, loss=SoftmaxCrossEntropy, optimizer=SGD(0.1), epochs=1, batch_size=8)
    with pytest.raises(TypeError, match="with parentheses"):
        Sequential(Dense(2, 3), ReLU)


def test_early_stopping_restores_best_weights():
    # random labels: the network can only memorise them, so the validation loss soon rises
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((60, 2)), rng.integers(0, 3, 60)
    Xv, yv = rng.standard_normal((60, 2)), rng.integers(0, 3, 60)
    model = mlp()
    hist = fit(model, X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.5), epochs=40,
               batch_size=8, progress=False, validation_data=(Xv, yv), early_stopping=2)
    assert hist.stopped_epoch is not None and hist.stopped_epoch < 40
    best = hist.best_epoch
    assert hist.val_loss[best - 1] == min(hist.val_loss)
    now = evaluate(model, Xv, yv, loss=SoftmaxCrossEntropy())["loss"]
    assert now == pytest.approx(hist.val_loss[best - 1])


def test_small_last_batch_joins_previous():
    from coursekit.nn.training import _batch_bounds

    assert _batch_bounds(67, 32) == [(0, 32), (32, 67)]
    assert _batch_bounds(80, 32) == [(0, 32), (32, 64), (64, 80)]
    assert _batch_bounds(5, 32) == [(0, 5)]


def test_progress_bar_runs(capsys):
    X, y = blobs(30)
    hist = fit(mlp(), X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=2,
               batch_size=8, progress=True)
    assert "2/2" in capsys.readouterr().err and hist["loss"] == hist.loss


def test_binary_output_and_threshold():
    X, y = blobs(60)
    yb = (y == 0).astype(float)
    model = Sequential(Dense(2, 8, seed=3), Tanh(), Dense(8, 1, seed=4), Sigmoid())
    hist = fit(model, X, yb.reshape(-1, 1), loss=MSE(), optimizer=SGD(1.0), epochs=30,
               batch_size=10, progress=False)
    assert hist.accuracy[-1] > 0.95
    assert np.mean(predict(model, X) == yb) > 0.95


def test_sequential_api_and_repr():
    model = mlp()
    assert len(model) == 3 and model[1].name == "ReLU"
    assert set(model.params) == {"0.W", "0.b", "2.W", "2.b"}
    text = repr(model)
    assert "(0) Dense(2 -> 16" in text and "99 parameters" in text
    assert "total: 99 parameters" in model.summary()


def test_save_load_round_trip(tmp_path, backend):
    _, xp, dev = backend
    X, y = blobs(30)
    trained = mlp()
    fit(trained, X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=2, batch_size=8,
        progress=False)
    path = save(trained, tmp_path / "model")
    fresh = load(mlp(seed=9).to(xp, device=dev), path)
    for k, v in trained.params.items():
        assert np.array_equal(to_numpy(fresh.params[k]), v)
    assert np.array_equal(to_numpy(predict(fresh, asarray(X, xp, device=dev))), predict(trained, X))
    with pytest.raises(ValueError, match="build the same architecture"):
        load(Sequential(Dense(2, 16), Tanh(), Dense(16, 3)), path)
    with pytest.raises(ValueError, match=r"the file holds shape \(2, 16\)"):
        load(Sequential(Dense(2, 8), ReLU(), Dense(8, 3)), path)


def test_backward_without_input_grad_gives_same_param_grads(rng):
    model = mlp()
    x = rng.standard_normal((5, 2))
    d = rng.standard_normal((5, 3))
    model.forward(x)
    dx = model.backward(d)
    full = {k: v for k, v in model.grads.items()}
    model.forward(x)
    assert dx.shape == (5, 2) and model.backward(d, input_grad=False) is None
    for k, v in model.grads.items():
        assert np.allclose(v, full[k])


def test_history_records_one_time_per_epoch():
    X, y = blobs(30)
    hist = fit(mlp(), X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=3,
               batch_size=8, progress=False)
    assert len(hist.epoch_time) == 3 and all(t > 0 for t in hist.epoch_time)
    assert hist.epochs == [1, 2, 3] and "epochs=3" in repr(hist)


def test_float32_accuracy_is_an_exact_fraction():
    """A float32 model reports 193/200 as 0.965, not as float32's 0.9649999737739563."""
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((200, 4)), rng.integers(0, 3, 200)
    model = Sequential(Dense(4, 3, seed=0)).to(dtype="float32")
    hits = int(np.sum(to_numpy(predict(model, X)) == y))
    assert evaluate(model, X, y)["accuracy"] == hits / 200
    hist = fit(model, X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.01), epochs=1,
               validation_data=(X, y), progress=False)
    hits = int(np.sum(to_numpy(predict(model, X)) == y))
    assert hist.val_accuracy[-1] == hits / 200


def test_nan_or_inf_in_the_data_is_named_before_training(backend):
    """NaN in X must not surface as 'training diverged, lower the learning rate'."""
    _, xp, dev = backend
    X, y = blobs()
    X[5, 1] = np.nan
    X[9, 0] = np.inf
    model = mlp().to(xp, device=dev)
    before = to_numpy(model.layers[0].params["W"]).copy()
    with pytest.raises(ValueError, match=r"X has 2 values that are NaN or infinite "
                                         r"\(the first is nan, in sample 5, feature 1\)"):
        fit(model, X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), progress=False)
    assert np.array_equal(to_numpy(model.layers[0].params["W"]), before), "no step was taken"
    with pytest.raises(ValueError, match="validation X has 2 values"):
        fit(model, blobs()[0], y, validation_data=(X, y), loss=SoftmaxCrossEntropy(),
            optimizer=SGD(0.1), progress=False)
    with pytest.raises(ValueError, match="cannot learn from or predict on"):
        predict(model, X)
    targets = np.eye(3)[y]
    targets[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^y has 1 value that is NaN"):
        fit(mlp(), blobs()[0], targets, loss=MSE(), optimizer=SGD(0.1), progress=False)


def test_shape_errors_name_the_whole_data_set():
    """The loss's checks see all N samples, so the message says (120,), not (1,)."""
    X, y = blobs()
    with pytest.raises(ShapeError, match=r"labels of shape \(120,\).*got \(120, 3\).*argmax"):
        fit(mlp(), X, np.eye(3)[y], loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1),
            progress=False)
    with pytest.raises(ShapeError, match=r"targets of shape \(120, 3\).*got \(120,\)"):
        fit(mlp(), X, y.astype(float), loss=MSE(), optimizer=SGD(0.1), progress=False)


@pytest.mark.parametrize("bad, match", [
    (lambda X: np.array([["a", "b"]] * len(X)), "must hold numbers only"),
    (lambda X: [[1.0, 2.0], [1.0]] + [[0.0, 0.0]] * (len(X) - 2), "same length"),
])
def test_data_that_is_not_numbers_gets_a_plain_error(bad, match):
    X, y = blobs()
    with pytest.raises(TypeError, match=match):
        fit(mlp(), bad(X), y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), progress=False)


def test_an_optimizer_class_without_parentheses_is_explained():
    X, y = blobs()
    with pytest.raises(TypeError, match=r"write SGD\(lr=0.1\) with parentheses"):
        fit(mlp(), X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD, progress=False)


@pytest.mark.parametrize("content, match", [
    (b"hello, I am a text file\n", "NumPy cannot read it"),
    (None, "it holds a single array"),
])
def test_loading_a_file_that_is_not_a_saved_model_says_so(tmp_path, content, match):
    path = tmp_path / "weights.npz"
    if content is None:
        np.save(tmp_path / "weights.npy", np.ones(3))
        path = tmp_path / "weights.npy"
    else:
        path.write_bytes(content)
    model = mlp()
    before = to_numpy(model.layers[0].params["W"]).copy()
    with pytest.raises(ValueError, match=f"not a parameter file written by save.*{match}"):
        load(model, path)
    assert np.array_equal(to_numpy(model.layers[0].params["W"]), before), "the model is untouched"
    with pytest.raises(FileNotFoundError, match="save\\(model, path\\) writes one"):
        load(model, tmp_path / "missing.npz")


def test_fit_refuses_a_model_without_parameters():
    X, y = blobs()
    with pytest.raises(ValueError, match="no parameters to train"):
        fit(Sequential(ReLU()), X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1),
            progress=False)


def test_layer_to_takes_a_dtype_name_for_torch():
    torch = pytest.importorskip("torch")
    from array_api_compat import torch as xt

    from coursekit.nn import BatchNorm

    assert Dense(3, 2).to(xt, dtype="float32").params["W"].dtype == torch.float32
    assert BatchNorm(3).to(xt, dtype="float32").buffers["running_var"].dtype == torch.float32


def test_a_numpy_batch_for_a_torch_layer_names_both_libraries():
    pytest.importorskip("torch")
    from array_api_compat import torch as xt

    with pytest.raises(TypeError, match="different array libraries: numpy.ndarray, torch.Tensor"):
        Dense(3, 2).to(xt).forward(np.ones((2, 3)))
