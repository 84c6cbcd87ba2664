"""Public checks of notebook 06, training a network from scratch.

Each ``check_*`` runs the student's answer on small cases and prints one verdict per case. The
expected values of the NumPy network come from its formulas, written out here:

    H = sigmoid(X W1 + b1),  F = H W2 + b2,  P = softmax(F)
    L = -1/N sum_n log P[n, y_n] + reg/2 (sum W1^2 + sum W2^2)

The experiment checks test the structure of a results table (rows, keys, parameter counts,
accuracies between 0 and 1) and its numbers: every network well above chance (10% on ten digits)
and the trend of the lesson (after 20 epochs of SGD deeper sigmoid networks lag, width changes
little, ReLU trains at every depth). The hidden checks compare the accuracies with the master's.
"""
from __future__ import annotations

import numpy as np

from ..nn.activations import sigmoid
from ..nn.gradcheck import numerical_gradient
from .core import Checks
from .gradients import compare_gradients
from .verdict import Verdict

__all__ = ["check_forward", "check_loss", "check_backward", "check_training_loop",
           "check_build_mlp", "check_remove_sigmoid", "check_depth_experiment",
           "check_width_experiment", "check_activation_experiment",
           "check_hyperparameter_search", "check_initial_loss", "check_overfit_small_batch",
           "check_layer_gradient_norms", "OVERFIT_LOSS", "mlp_param_count", "numerical_gradients",
           "init_params"]

_KEYS = ("W1", "b1", "W2", "b2")


# -- the formulas ---------------------------------------------------------------------------
def init_params(n_in: int, n_hidden: int, n_classes: int, seed: int = 0) -> dict:
    """The notebook's initialisation: W = 0.01 N(0, 1) (W1 drawn first), b = 0."""
    rng = np.random.default_rng(seed)
    return {"W1": 0.01 * rng.standard_normal((n_in, n_hidden)), "b1": np.zeros(n_hidden),
            "W2": 0.01 * rng.standard_normal((n_hidden, n_classes)), "b2": np.zeros(n_classes)}


def _sigmoid(z):
    return sigmoid(np.asarray(z, dtype=float))


def _forward(X, p):
    h = _sigmoid(X @ p["W1"] + p["b1"])
    return h, h @ p["W2"] + p["b2"]


def _probs(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _loss(X, y, p, reg):
    _, f = _forward(X, p)
    z = f - f.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    data = -logp[np.arange(len(y)), y].mean()
    return float(data + 0.5 * reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2)))


def _grads(X, y, p, reg, *, sigmoid_grad=True, mean=True):
    """The gradients (dict); the flags compute two usual mistakes, to recognise them."""
    h, f = _forward(X, p)
    d = _probs(f)
    d[np.arange(len(y)), y] -= 1.0
    if mean:
        d /= len(y)
    dh = d @ p["W2"].T * (h * (1.0 - h) if sigmoid_grad else 1.0)
    return {"W1": X.T @ dh + reg * p["W1"], "b1": dh.sum(axis=0),
            "W2": h.T @ d + reg * p["W2"], "b2": d.sum(axis=0)}


def _train(X, y, n_hidden, lr, reg, epochs, seed):
    p = init_params(X.shape[1], n_hidden, int(y.max()) + 1, seed)
    losses = []
    for _ in range(epochs):
        losses.append(_loss(X, y, p, reg))
        g = _grads(X, y, p, reg)
        p = {k: p[k] - lr * g[k] for k in _KEYS}
    return p, losses


def numerical_gradients(loss_fn, params: dict, h: float = 1e-5) -> dict:
    """Central-difference gradient of ``loss_fn(params) -> float`` for every array in ``params``."""
    return {k: numerical_gradient(lambda value, k=k: loss_fn({**params, k: value}),
                                  np.array(v, dtype=float), h)
            for k, v in params.items()}


def mlp_param_count(n_in: int, hidden_sizes, n_out: int) -> int:
    """Weights and biases of Dense layers n_in -> hidden_sizes... -> n_out."""
    sizes = [int(n_in), *[int(s) for s in hidden_sizes], int(n_out)]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def _case(seed, n=6, d=2, hidden=4, k=3, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, k, size=n)
    m = min(k, n)
    y[:m] = np.arange(m)  # every class present when n allows
    p = {"W1": scale * rng.normal(size=(d, hidden)), "b1": scale * rng.normal(size=hidden),
         "W2": scale * rng.normal(size=(hidden, k)), "b2": scale * rng.normal(size=k)}
    return X, y, p


def _copy(p):
    return {k: np.array(v, dtype=float) for k, v in p.items()}


# -- 06.forward, 06.loss, 06.backward, 06.training_loop -------------------------------------
def check_forward(forward) -> Verdict:
    """forward(X, params) -> (h, scores)."""
    c = Checks("06.forward", "the forward pass of the two-layer network")
    for seed, n, d, hidden, k in [(601, 5, 2, 4, 3), (602, 1, 3, 6, 2), (603, 7, 2, 10, 4)]:
        X, _, p = _case(seed, n, d, hidden, k)
        out = c.call(forward, X, _copy(p), description=f"forward(X of shape {X.shape})")
        if out is None:
            continue
        if not (isinstance(out, tuple) and len(out) == 2):
            c.case(False, "forward returns a pair (h, scores)", f"got {type(out).__name__}")
            continue
        h, f = _forward(X, p)
        c.close(out[0], h, f"hidden activations h, shape {h.shape}",
                "h = sigmoid(X @ W1 + b1): a sigmoid of every entry, values in (0, 1)")
        c.close(out[1], f, f"scores, shape {f.shape}",
                "scores = h @ W2 + b2, with no activation (softmax comes in the loss)")
    return Verdict(c.report())


def check_loss(loss) -> Verdict:
    """loss(X, y, params, reg) -> float."""
    c = Checks("06.loss", "softmax cross-entropy plus L2")
    X, y, p = _case(611)
    zero = {k: np.zeros_like(v) for k, v in p.items()}
    got = c.call(loss, X, y, zero, 0.5, description="loss with all parameters 0")
    if got is not None:
        c.close(got, np.log(3.0), "all-zero parameters give ln 3 = 1.0986 (three equal scores)",
                "each class gets probability 1/3; the L2 term of zero weights is 0", rtol=1e-6)
    for reg, what in [(0.0, "no regularisation"), (0.1, "reg = 0.1")]:
        got = c.call(loss, X, y, _copy(p), reg, description=f"loss with {what}")
        if got is not None:
            c.close(got, _loss(X, y, p, reg), f"random parameters, {what}",
                    "mean over examples of -log P[n, y_n], plus reg/2 (sum W1^2 + sum W2^2) (biases "
                    "are not regularised)", rtol=1e-6)
    big = _copy(p)
    big["W2"] = big["W2"] * 1000.0
    got = c.call(loss, X, y, big, 0.0, description="loss with scores in the thousands")
    if got is not None:
        c.close(got, _loss(X, y, big, 0.0), "huge scores: a finite, correct loss",
                "subtract each row's largest score before exp (stable softmax), or use nn.log_softmax",
                rtol=1e-6)
    return Verdict(c.report())


_GRAD_HINTS = {
    "W2": "dW2 = h.T @ dscores + reg * W2, with dscores = (P - onehot(y)) / N",
    "b2": "db2 = dscores summed over the examples (axis 0)",
    "W1": "dW1 = X.T @ dz1 + reg * W1 with dz1 = (dscores @ W2.T) * h * (1 - h)",
    "b1": "db1 = dz1 summed over the examples (axis 0)",
}


def check_backward(backward) -> Verdict:
    """backward(X, y, params, reg) -> dict of gradients with the keys and shapes of params."""
    c = Checks("06.backward", "gradients of the two-layer network")
    for seed, reg, scale in [(621, 0.0, 1.0), (622, 0.3, 1.0), (623, 1e-3, 0.01)]:
        X, y, p = _case(seed, scale=scale)
        got = c.call(backward, X, y, _copy(p), reg, description=f"backward (reg = {reg})")
        if got is None:
            continue
        if not isinstance(got, dict) or set(got) != set(_KEYS):
            c.case(False, "backward returns a dict with keys W1, b1, W2, b2",
                   f"got {type(got).__name__}" + (f" with keys {sorted(got)}" if isinstance(got, dict) else ""))
            continue
        order = ("W2", "b2", "W1", "b1")
        mistakes = [("the regularisation term is missing: add reg * W to dW (the biases have none)",
                     _grads(X, y, p, 0.0)),
                    ("the sigmoid's derivative h * (1 - h) is missing in dz1", _grads(X, y, p, reg, sigmoid_grad=False)),
                    ("dscores must be divided by N: the loss is a mean over the examples",
                     _grads(X, y, p, reg, mean=False))]
        compare_gradients(c, f"reg = {reg}, initial scale {scale}", [got[k] for k in order],
                          [_grads(X, y, p, reg)[k] for k in order],
                          hints={f"d{k}": _GRAD_HINTS[k] for k in order}, tol=1e-6, n_examples=len(y),
                          mistakes=[(hint, [alt[k] for k in order]) for hint, alt in mistakes if reg or "regular" not in hint])
    return Verdict(c.report())


def check_training_loop(train) -> Verdict:
    """train(X, y, n_hidden, lr, reg, epochs, seed) -> (params, losses)."""
    from ..datasets import spiral

    c = Checks("06.training_loop", "full-batch gradient descent")
    X, y = spiral(n_per_class=20, seed=6)
    n_hidden, lr, reg, epochs = 8, 2.0, 1e-3, 40
    out = c.call(train, X, y, n_hidden=n_hidden, lr=lr, reg=reg, epochs=epochs, seed=0,
                 description="train(X, y, n_hidden=8, lr=2.0, reg=1e-3, epochs=40)")
    if out is None:
        return Verdict(c.report())
    if not (isinstance(out, tuple) and len(out) == 2):
        c.case(False, "train returns a pair (params, losses)", f"got {type(out).__name__}")
        return Verdict(c.report())
    params, losses = out
    want_p, want_l = _train(X, y, n_hidden, lr, reg, epochs, 0)
    losses = np.asarray(losses, dtype=float) if losses is not None else None
    if c.equal(None if losses is None else losses.shape, (epochs,), f"one loss per epoch ({epochs} values)",
               "append the loss once per pass over the data"):
        c.close(losses[0], want_l[0], "the first loss is the loss of the initial parameters",
                "start from init_params(D, n_hidden, K, seed) and record the loss BEFORE updating",
                rtol=1e-6)
        c.case(losses[-1] < losses[0], "the loss goes down",
               f"it went from {losses[0]:.4f} to {losses[-1]:.4f}: update with minus lr times the gradient")
        c.close(losses, want_l, "every loss matches 40 steps of full-batch gradient descent", rtol=1e-6)
    if isinstance(params, dict) and set(params) == set(_KEYS):
        for k in _KEYS:
            c.close(params[k], want_p[k], f"trained {k}, shape {want_p[k].shape}",
                    "each epoch: params[k] = params[k] - lr * grads[k] for all four arrays", rtol=1e-6,
                    atol=1e-10)
    else:
        c.case(False, "params is a dict with keys W1, b1, W2, b2", f"got {type(params).__name__}")
    return Verdict(c.report())


# -- 06.build_mlp and the experiments --------------------------------------------------------
def _layer_names(model):
    return [type(layer).__name__ for layer in getattr(model, "layers", [])]


def _expected_names(n_hidden, activation):
    act = {"sigmoid": ["Sigmoid"], "relu": ["ReLU"], None: []}[activation]
    return ["Dense", *act] * n_hidden + ["Dense"]


def check_build_mlp(build_mlp) -> Verdict:
    """build_mlp(n_in, hidden_sizes, n_out, activation="sigmoid", seed=0) -> nn.Sequential."""
    from .. import nn

    c = Checks("06.build_mlp", "a multilayer perceptron from a description")
    cases = [((64, [100], 10, "sigmoid"), "one hidden layer of 100 sigmoid units"),
             ((64, [100, 100], 10, "relu"), "two hidden layers of 100 ReLU units"),
             ((2, [100], 3, None), "a hidden layer without activation"),
             ((5, [7, 3, 4], 2, "sigmoid"), "three hidden layers of 7, 3 and 4 units")]
    for args, what in cases:
        model = c.call(build_mlp, *args, description=f"build_mlp{args}")
        if model is None:
            continue
        n_in, hidden, n_out, act = args
        c.equal(_layer_names(model), _expected_names(len(hidden), act), f"{what}: the layers",
                "one Dense per hidden layer, each followed by its activation; a last Dense "
                "to the outputs, with no activation (the loss applies softmax)")
        n = c.call(lambda m: m.n_params(), model, description="model.n_params()")
        if n is not None:
            c.equal(n, mlp_param_count(n_in, hidden, n_out),
                    f"{what}: {mlp_param_count(n_in, hidden, n_out):,} parameters")
        x = np.random.default_rng(606).normal(size=(4, n_in))
        out = c.call(lambda m: m.forward(x, train=False), model, description="model.forward")
        if out is not None:
            c.equal(np.shape(out), (4, n_out), f"{what}: output of shape (4, {n_out}) for 4 inputs")
    model = c.call(build_mlp, 3, [5, 4], 2, "relu", seed=7, description="build_mlp(3, [5, 4], 2, 'relu', seed=7)")
    if model is not None and hasattr(model, "layers"):
        dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
        want = [nn.Dense(3, 5, seed=7), nn.Dense(5, 4, seed=8), nn.Dense(4, 2, seed=9)]
        ok = len(dense) == 3 and all(np.array_equal(np.asarray(a.params["W"]), b.params["W"])
                                     for a, b in zip(dense, want))
        c.case(ok, "the i-th Dense layer (from 0) is seeded with seed + i",
               "create them as nn.Dense(fan_in, fan_out, seed=seed + i): the same seeds as the "
               "master, so your accuracies match its numbers")
    return Verdict(c.report())


def _rows(c, rows, n, key, values, what):
    """Common table checks: a list of n dicts whose ``key`` column reads ``values``."""
    if not isinstance(rows, (list, tuple)) or len(rows) != n or not all(isinstance(r, dict) for r in rows):
        c.case(False, f"{what}: a list of {n} rows (dicts)",
               f"got {type(rows).__name__}" + (f" of length {len(rows)}" if hasattr(rows, '__len__') else ""))
        return False
    got = [r.get(key, "(missing)") for r in rows]
    return c.case(got == list(values), f"{what}: rows in the order {key} = {list(values)}",
                  f"the {key!r} column reads {got}")


def _accuracies(c, rows, keys, what):
    ok = all(k in r and isinstance(r[k], float) and 0.0 <= r[k] <= 1.0 for r in rows for k in keys)
    return c.case(ok, f"{what}: every row has {', '.join(keys)} between 0 and 1",
                  "add the dict that run_experiment returns to each row: {..., **run_experiment(...)}")


#: Ten digit classes: guessing gets 10%. A network trained as the notebook says gets far more.
_CHANCE = 0.1
_TRAIN_HINT = ("train each fresh network with run_experiment(model, data, epochs=epochs), whose defaults "
               "(lr=0.1, batches of 32) are the notebook's settings, and report what it returns")


def _above_chance(c, rows, label):
    """Every row's validation accuracy far above guessing (a made-up or untrained table fails)."""
    low = [f"{r.get(label)}: {r['val_acc']:.3f}" for r in rows if r["val_acc"] < 3 * _CHANCE]
    return c.case(not low, "every network learned something: validation accuracy far above chance (10%)",
                  f"these rows are near chance ({', '.join(low)}); {_TRAIN_HINT}")


def _trains_well(c, rows, label, what, floor=0.9):
    """Training and validation accuracy above ``floor`` for every row (networks that learn fast)."""
    low = [f"{r.get(label)}: train {r['train_acc']:.3f}, val {r['val_acc']:.3f}" for r in rows
           if r["train_acc"] < floor or r["val_acc"] < floor]
    return c.case(not low, f"{what}: training and validation accuracy above {floor:.0%}",
                  f"got {'; '.join(low)}; {_TRAIN_HINT}")


def _sigmoid_depth_trend(c, rows, what):
    """rows for 1, 2, 3 sigmoid layers: training accuracy falls with depth, 3 lags 1 by > 10 points."""
    acc = [r["train_acc"] for r in rows]
    return c.case(acc[0] > acc[1] > acc[2] and acc[0] - acc[2] > 0.1,
                  f"{what}: after 20 epochs the deeper sigmoid networks lag (training accuracy falls with depth)",
                  f"training accuracies {', '.join(f'{a:.3f}' for a in acc)} for 1, 2, 3 layers; "
                  "use sigmoid hidden layers and the given epochs: deeper sigmoid networks train more slowly")


def _params(c, rows, expected, what):
    got = [r.get("params") for r in rows]
    c.equal(got, expected, f"{what}: parameter counts {expected}",
            "build each model with build_mlp(64, hidden_sizes, 10, activation)")


def check_remove_sigmoid(rows) -> Verdict:
    """Rows for a hidden layer of 100 with and without the sigmoid, on the spiral."""
    c = Checks("06.remove_sigmoid", "is it the hidden layer or the sigmoid?")
    if _rows(c, rows, 2, "activation", ["sigmoid", None], "the table"):
        _accuracies(c, rows, ["train_acc"], "the table")
        _params(c, rows, [603, 603], "both networks")
        if all(isinstance(r.get("train_acc"), float) for r in rows):
            c.case(rows[0]["train_acc"] > 0.9, "with the sigmoid: above 90% on the training spiral",
                   f"got {rows[0]['train_acc']:.3f}: train for the given epochs with lr=1.0, batch_size=32")
            c.case(rows[1]["train_acc"] < 0.7, "without it: a linear model again, far below 90%",
                   f"got {rows[1]['train_acc']:.3f}: did you leave an activation in?")
    return Verdict(c.report())


def check_depth_experiment(rows) -> Verdict:
    c = Checks("06.depth_experiment", "1, 2 and 3 hidden layers of 100")
    if _rows(c, rows, 3, "hidden layers", [1, 2, 3], "the table"):
        ok = _accuracies(c, rows, ["train_acc", "val_acc", "test_acc"], "the table")
        _params(c, rows, [mlp_param_count(64, [100] * d, 10) for d in (1, 2, 3)], "the table")
        if ok and _above_chance(c, rows, "hidden layers"):
            _trains_well(c, rows[:1], "hidden layers", "one hidden layer")
            _sigmoid_depth_trend(c, rows, "the table")
    return Verdict(c.report())


def check_width_experiment(rows) -> Verdict:
    c = Checks("06.width_experiment", "two hidden layers of 100, 200 and 300")
    if _rows(c, rows, 3, "width", [100, 200, 300], "the table"):
        ok = _accuracies(c, rows, ["train_acc", "val_acc", "test_acc"], "the table")
        _params(c, rows, [mlp_param_count(64, [w, w], 10) for w in (100, 200, 300)], "the table")
        if ok and _above_chance(c, rows, "width"):
            _trains_well(c, rows, "width", "every width", floor=0.85)
            val = [r["val_acc"] for r in rows]
            c.case(max(val) - min(val) < 0.05, "widths 100 to 300: validation accuracies within 5 points",
                   f"got {', '.join(f'{v:.3f}' for v in val)}: tripling the width of two sigmoid layers "
                   "changes little after the given epochs; check each row trains its own fresh network")
    return Verdict(c.report())


def check_activation_experiment(rows) -> Verdict:
    c = Checks("06.activation_experiment", "sigmoid against ReLU")
    order = [(a, d) for a in ("sigmoid", "relu") for d in (1, 2, 3)]
    if _rows(c, rows, 6, "activation", [a for a, _ in order], "the table"):
        got = [r.get("hidden layers") for r in rows]
        c.equal(got, [d for _, d in order], "the table: depths 1, 2, 3 for each activation",
                f"the 'hidden layers' column reads {got}")
        ok = _accuracies(c, rows, ["train_acc", "val_acc", "test_acc"], "the table")
        _params(c, rows, [mlp_param_count(64, [100] * d, 10) for _, d in order], "the table")
        if ok and _above_chance(c, rows, "activation"):
            _sigmoid_depth_trend(c, rows[:3], "sigmoid rows")
            _trains_well(c, rows[3:], "hidden layers", "ReLU rows, at every depth", floor=0.95)
            gap = rows[5]["train_acc"] - rows[2]["train_acc"]
            c.case(gap > 0.2, "3 hidden layers: ReLU trains far better than sigmoid (more than 20 points)",
                   f"ReLU {rows[5]['train_acc']:.3f} against sigmoid {rows[2]['train_acc']:.3f}; "
                   "build the last three rows with activation='relu'")
    return Verdict(c.report())


def check_hyperparameter_search(hyperparameter_search) -> Verdict:
    """hyperparameter_search(data, configs, epochs) -> (rows, best), on a small problem."""
    from ..datasets import digits
    from ..datasets.digits import DigitsSplit

    c = Checks("06.hyperparameter_search", "choose on the validation set")
    d = digits()
    small = DigitsSplit(d.X_train[:300], d.y_train[:300], d.X_val[:100], d.y_val[:100],
                        d.X_test[:100], d.y_test[:100])
    configs = [{"hidden_sizes": [20], "activation": "relu", "lr": 0.001, "batch_size": 32},
               {"hidden_sizes": [20], "activation": "relu", "lr": 0.2, "batch_size": 32},
               {"hidden_sizes": [30, 10], "activation": "sigmoid", "lr": 0.05, "batch_size": 64}]
    out = c.call(hyperparameter_search, small, configs, epochs=3,
                 description="hyperparameter_search(300 training digits, 3 configs, epochs=3)")
    if out is None:
        return Verdict(c.report())
    if not (isinstance(out, tuple) and len(out) == 2):
        c.case(False, "returns a pair (rows, best)", f"got {type(out).__name__}")
        return Verdict(c.report())
    rows, best = out
    if not _rows(c, rows, 3, "lr", [0.001, 0.2, 0.05], "rows, one per config in order"):
        return Verdict(c.report())
    c.case(all(all(r.get(k) == v for k, v in cfg.items()) for r, cfg in zip(rows, configs)),
           "each row holds its config's settings", "start each row with {**config, ...}")
    _accuracies(c, rows, ["train_acc", "val_acc", "test_acc"], "the rows")
    c.equal([r.get("params") for r in rows], [mlp_param_count(64, cfg["hidden_sizes"], 10) for cfg in configs],
            "parameter counts match each config's hidden_sizes")
    if all(isinstance(r.get("val_acc"), float) for r in rows):
        top = max(r["val_acc"] for r in rows)
        first = next(r for r in rows if r["val_acc"] == top)
        c.case(isinstance(best, dict) and best == first, "best is the row with the highest validation accuracy (the first on ties)",
               "compare val_acc, never test_acc: the test set is looked at once, at the very end")
        c.case(rows[1]["val_acc"] > rows[0]["val_acc"],
               "lr = 0.2 beats lr = 0.001 after 3 epochs", "is lr passed to run_experiment?")
    return Verdict(c.report())


# -- 06.initial_loss, 06.overfit_small_batch, 06.layer_gradient_norms: debugging habits --------
def _cross_entropy(scores, y):
    """Mean softmax cross-entropy (natural log) of scores (N, K) against labels y (N,)."""
    z = scores - scores.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())


def _fixed_scores_model(scores):
    """(model, X): a Dense layer N -> K whose weights are ``scores`` (N, K), and X = I (N, N),
    so that the model's output on X is exactly ``scores`` and the expected loss is known."""
    from .. import nn

    n, k = scores.shape
    layer = nn.Dense(n, k, seed=0)
    layer.params["W"], layer.params["b"] = np.array(scores, dtype=float), np.zeros(k)
    return nn.Sequential(layer), np.eye(n)


def _initial_loss_mistake(got_loss, got_ref, scores, y):
    """The usual mistake an (initial loss, ln K) pair shows, in a student's words, or ''."""
    n, k = scores.shape
    ce = _cross_entropy(scores, y)
    if got_loss is not None and np.isfinite(got_loss):
        if np.isclose(got_loss, -scores[np.arange(n), y].mean(), rtol=1e-6, atol=1e-9):
            return ("that is minus the mean raw score of the right class: turn the scores into "
                    "probabilities with softmax first, then take -log of the right class's")
        if np.isclose(got_loss, ce / np.log(10), rtol=1e-6):
            return "that is the loss in log base 10: use the natural log (np.log), as ln K does"
        if n > 1 and np.isclose(got_loss, ce * n, rtol=1e-6):
            return f"that is the sum over the {n} examples: the loss is their mean"
    if got_ref is not None and np.isfinite(got_ref):
        present = len(np.unique(y))
        for wrong, why in [(np.log10(k), "log10 K: the loss uses the natural log, so compare with ln K"),
                           (float(k), "K itself: a uniform guess over K classes costs ln K"),
                           (1.0 / k, "1/K, the probability of each class: its -log, ln K, is the loss"),
                           (np.log(present), f"ln of the {present} classes present in y: K is the number of "
                                             "scores per example (the output layer's width)")]:
            if present != k or "present" not in why:
                if np.isclose(got_ref, wrong, rtol=1e-6):
                    return f"the expected value is {why}"
    return ""


def check_initial_loss(initial_loss) -> Verdict:
    """initial_loss(model, X, y) -> (loss, ln K) of an untrained model."""
    c = Checks("06.initial_loss", "the first loss against ln K")
    rng = np.random.default_rng(631)
    zero = np.zeros((5, 10))
    small = 0.01 * rng.normal(size=(6, 4))
    spread = 3.0 * rng.normal(size=(7, 6))
    huge = 1000.0 * rng.normal(size=(4, 3))
    cases = [(zero, np.array([0, 3, 3, 9, 1]), "all scores 0, K = 10: the loss is ln 10 exactly"),
             (small, np.array([0, 1, 2, 3, 0, 1]), "scores near 0, K = 4: the loss is near ln 4"),
             (spread, np.array([0, 0, 1, 1, 0, 1, 0]), "spread scores, K = 6, only classes 0 and 1 in y"),
             (huge, np.array([0, 1, 2, 0]), "scores in the thousands: a finite loss")]
    for scores, y, what in cases:
        model, X = _fixed_scores_model(scores)
        out = c.call(initial_loss, model, X, y, description=f"initial_loss on {what.split(':')[0]}")
        if out is None:
            continue
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            c.case(False, "initial_loss returns a pair (loss, ln K)", f"got {type(out).__name__}")
            continue
        try:
            got_loss, got_ref = (float(v) if v is not None else None for v in out)
        except (TypeError, ValueError):
            c.case(False, f"{what}: loss and ln K are numbers", f"got {_short_pair(out)}")
            continue
        why = _initial_loss_mistake(got_loss, got_ref, scores, y)
        want = _cross_entropy(scores, y)
        stable = ("" if got_loss is None or np.isfinite(got_loss) else
                  "it is not finite: take -ln of softmax probabilities, not of the raw scores (which "
                  "can be 0 or negative), and subtract each row's largest score before exp (or use "
                  "nn.log_softmax)")
        c.close(got_loss, want, f"{what} (loss {want:.4f})",
                why or stable or "mean over the examples of -ln softmax(scores)[n, y_n]", rtol=1e-6)
        k = scores.shape[1]
        c.close(got_ref, np.log(k), f"{what.split(':')[0]}: the expected initial loss ln {k} = {np.log(k):.4f}",
                why or "K is the number of scores per example; a uniform guess over K classes costs ln K",
                rtol=1e-9)
    return Verdict(c.report())


def _short_pair(out):
    return ", ".join(type(v).__name__ for v in out)


#: A small batch is learnt by heart when its mean loss is below this.
OVERFIT_LOSS = 0.01


def _overfit_cases():
    """(description, fresh model, X, y): two small digit batches and two deep-enough networks."""
    from .. import nn
    from ..datasets import digits

    d = digits()

    def mlp(sizes, act, seed):
        layers, fan_in = [], 64
        for i, width in enumerate([*sizes, 10]):
            layers.append(nn.Dense(fan_in, width, seed=seed + i))
            if i < len(sizes):
                layers.append(act())
            fan_in = width
        return nn.Sequential(*layers)

    return [("20 digits, two sigmoid layers of 100", mlp([100, 100], nn.Sigmoid, 0),
             d.X_train[:20], d.y_train[:20]),
            ("16 digits, three ReLU layers of 50", mlp([50, 50, 50], nn.ReLU, 3),
             d.X_train[20:36], d.y_train[20:36])]


def _overfit_diagnosis(losses) -> str:
    """Why a loss curve did not reach OVERFIT_LOSS, in a student's words."""
    last, start = losses[-1], losses[0]
    if not np.isfinite(last) or last > start:
        return ("the loss grew: the learning rate is too large for this network, or the step has "
                "the wrong sign (params -= lr * grads)")
    # the lowest loss of the third quarter and of the last: a curve that has levelled off (even
    # with bursts) gains almost nothing between them; one still falling gains a lot
    n = len(losses)
    q3 = float(np.min(losses[n // 2:(3 * n) // 4])) if n >= 8 else start
    if n >= 8 and q3 - float(np.min(losses[(3 * n) // 4:])) < 0.05 * last:
        return (f"the loss levels off at {last:.3f} instead of going to 0: something keeps the "
                "network from fitting the batch exactly; turn regularisation off (weight_decay=0, "
                "no reg * W term) and train on the same whole batch at every step")
    return (f"it is still falling at the end (at best {q3:.3f} in the third quarter of the steps, "
            f"{last:.3f} at the end): take more steps, or a larger learning rate")


def check_overfit_small_batch(overfit_small_batch) -> Verdict:
    """overfit_small_batch(model, X, y) -> list of losses, one per step, the model trained in place."""
    from .. import nn

    c = Checks("06.overfit_small_batch", "learn a small batch by heart")
    for what, model, X, y in _overfit_cases():
        start = _cross_entropy(np.asarray(model.forward(X, train=False)), y)
        out = c.call(overfit_small_batch, model, X, y, description=f"overfit_small_batch({what})")
        if out is None:
            continue
        try:
            losses = np.asarray(getattr(out, "loss", out), dtype=float).ravel()
        except (TypeError, ValueError):
            c.case(False, f"{what}: returns the list of losses", f"got {type(out).__name__}")
            continue
        if not c.case(len(losses) >= 2, f"{what}: one loss per step",
                      f"got {len(losses)} value(s): record the loss at every step (History.loss of nn.fit)"):
            continue
        c.close(losses[0], start, f"{what}: the first loss is the untrained model's ({start:.3f})",
                "record the loss of each step before its update, and train the model you were given "
                "(not a new one)", rtol=1e-3)
        c.case(losses[-1] < OVERFIT_LOSS, f"{what}: the final loss is below {OVERFIT_LOSS}",
               f"it is {losses[-1]:.3g}; " + _overfit_diagnosis(losses))
        acc = float(nn.evaluate(model, X, y)["accuracy"])
        c.case(acc == 1.0, f"{what}: the model you were given now classifies every example of the "
               "batch right", f"its accuracy on the batch is {acc:.0%}: train `model` itself, in place")
    return Verdict(c.report())


def _norm_runs(model, X, y, steps, lr, batch_size):
    """What a correct loop records, and what the usual mistakes record instead.

    Returns a dict of (steps, L) arrays, L = number of Dense layers: "grads" (the answer: the norm
    of each Dense layer's weight gradient after the backward pass), "outputs" (norms of the Dense
    layers' outputs, the activations), "weights" (norms of the weights themselves), "biases" (of
    the bias gradients) and "frozen" (the weight gradients with the optimiser step left out).
    """
    from .. import nn
    from ..lessons.nb06 import batches, dense_layers

    def run(frozen):
        loss_fn, opt = nn.SoftmaxCrossEntropy(), nn.SGD(lr=lr)
        dense = dense_layers(model)
        rec = {"grads": [], "outputs": [], "weights": [], "biases": []}
        for xb, yb in batches(X, y, batch_size, steps):
            a, outs = xb, []
            for layer in model.layers:
                a = layer.forward(a, train=True)
                if any(layer is d for d in dense):
                    outs.append(np.linalg.norm(a))
            loss_fn.forward(a, yb)
            model.backward(loss_fn.backward())
            rec["outputs"].append(outs)
            rec["grads"].append([np.linalg.norm(d.grads["W"]) for d in dense])
            rec["biases"].append([np.linalg.norm(d.grads["b"]) for d in dense])
            rec["weights"].append([np.linalg.norm(d.params["W"]) for d in dense])
            if not frozen:
                opt.step(model)
        return {k: np.array(v) for k, v in rec.items()}

    start = [({k: np.array(v) for k, v in layer.params.items()}, dict(layer.grads))
             for layer in model.layers]
    frozen = run(True)["grads"]
    out = run(False)
    for layer, (params, grads) in zip(model.layers, start):  # leave the model as it was given
        layer.params.update(params)
        layer.grads = grads
    out["frozen"] = frozen
    return out


def _norms_mistake(got, runs) -> str:
    """The usual mistake ``got`` (steps, L) shows, or ''."""
    want = runs["grads"]
    same = lambda a, b: a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-12)  # noqa: E731
    if same(got[1:], want[:-1]):
        return ("each row holds the previous step's gradients: take the norms after "
                "model.backward(...) of the same step, before the optimiser's step")
    for key, why in [("outputs", "these are the norms of the layers' outputs (activations), not of "
                                 "their weight gradients: use layer.grads['W']"),
                     ("weights", "these are the norms of the weights themselves: use layer.grads['W'], "
                                 "not layer.params['W']"),
                     ("biases", "these are the bias gradients: use layer.grads['W']"),
                     ("frozen", "the gradients never change the weights: call the optimiser's step "
                                "after reading the norms")]:
        if same(got, runs[key]):
            return why
    if same(got, want ** 2):
        return "these are squared norms: np.linalg.norm(g), not (g ** 2).sum()"
    return ""


def _norm_cases():
    from .. import nn
    from ..datasets import digits

    d = digits()
    sig = nn.Sequential(nn.Dense(64, 20, seed=1), nn.Sigmoid(), nn.Dense(20, 20, seed=2), nn.Sigmoid(),
                        nn.Dense(20, 20, seed=3), nn.Sigmoid(), nn.Dense(20, 10, seed=4))
    relu = nn.Sequential(nn.Dense(64, 16, seed=5), nn.ReLU(), nn.Dense(16, 10, seed=6))
    return [("3 sigmoid layers of 20, 12 steps of 32 digits", sig, d.X_train[:100], d.y_train[:100], 12, 0.1, 32),
            ("1 ReLU layer of 16, 5 steps of 8 digits, lr 0.5", relu, d.X_train[:30], d.y_train[:30], 5, 0.5, 8)]


def _explain_key_error(fn):
    """fn, with a KeyError (grads read before the first backward pass) explained."""
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KeyError as err:
            raise KeyError(f"{err}: layer.grads is empty until the first backward pass, so take "
                           "the norms after model.backward(...)") from None
    return run


def check_layer_gradient_norms(layer_gradient_norms) -> Verdict:
    """layer_gradient_norms(model, X, y, steps, lr, batch_size) -> (steps, number of Dense layers)."""
    from ..lessons.nb06 import dense_layers

    c = Checks("06.layer_gradient_norms", "how fast each layer learns")
    for what, model, X, y, steps, lr, b in _norm_cases():
        runs = _norm_runs(model, X, y, steps, lr, b)
        want, n_dense = runs["grads"], len(dense_layers(model))
        got = c.call(_explain_key_error(layer_gradient_norms), model, X, y, steps, lr=lr, batch_size=b,
                     description=f"layer_gradient_norms({what})")
        if got is None:
            continue
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            c.case(False, f"{what}: an array of numbers", f"got {type(got).__name__}")
            continue
        shape = (steps, n_dense)
        if got.shape != shape:
            why = ("it is transposed: one row per step, one column per layer" if got.shape == shape[::-1]
                   else f"the network has {n_dense} Dense layers: one column for each, from the first "
                        "(next to the input) to the output layer, and none for the activations"
                   if got.ndim == 2 and got.shape[0] == steps else "one row per step, one column per Dense layer")
            c.case(False, f"{what}: shape {shape}", f"got shape {got.shape}; {why}")
            continue
        c.close(got, want, f"{what}: every layer's weight-gradient norm at every step",
                _norms_mistake(got, runs) or "at each step: forward, loss, backward, then "
                "np.linalg.norm(layer.grads['W']) for each Dense layer, then the optimiser's step",
                rtol=1e-5, atol=1e-12)
    return Verdict(c.report())
