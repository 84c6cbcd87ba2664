"""The public checks of notebook 06 accept the reference answers and reject typical mistakes."""
import numpy as np
import pytest

from coursekit import nn
from coursekit.checks import nb06
from coursekit.lessons.nb06 import best_row, run_experiment

init_params = nb06.init_params


# -- reference answers (the master's) --------------------------------------------------------
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(X, params):
    h = sigmoid(X @ params["W1"] + params["b1"])
    return h, h @ params["W2"] + params["b2"]


def loss(X, y, params, reg):
    _, scores = forward(X, params)
    logp = nn.log_softmax(scores)
    return float(-np.mean(logp[np.arange(len(y)), y])
                 + 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)))


def backward(X, y, params, reg):
    n = X.shape[0]
    h, scores = forward(X, params)
    d = nn.softmax(scores)
    d[np.arange(n), y] -= 1.0
    d /= n
    dz1 = d @ params["W2"].T * h * (1.0 - h)
    return {"W1": X.T @ dz1 + reg * params["W1"], "b1": dz1.sum(axis=0),
            "W2": h.T @ d + reg * params["W2"], "b2": d.sum(axis=0)}


def train(X, y, n_hidden=100, lr=3.0, reg=1e-4, epochs=1500, seed=0):
    params = init_params(X.shape[1], n_hidden, int(y.max()) + 1, seed)
    losses = []
    for _ in range(epochs):
        losses.append(loss(X, y, params, reg))
        g = backward(X, y, params, reg)
        params = {k: params[k] - lr * g[k] for k in params}
    return params, losses


def build_mlp(n_in, hidden_sizes, n_out, activation="sigmoid", seed=0):
    layers, fan_in = [], n_in
    for i, width in enumerate(list(hidden_sizes) + [n_out]):
        layers.append(nn.Dense(fan_in, width, seed=seed + i))
        if i < len(hidden_sizes) and activation is not None:
            layers.append({"sigmoid": nn.Sigmoid, "relu": nn.ReLU}[activation]())
        fan_in = width
    return nn.Sequential(*layers)


def hyperparameter_search(data, configs, epochs=20):
    rows = []
    for cfg in configs:
        model = build_mlp(data.X_train.shape[1], cfg["hidden_sizes"], data.n_classes, cfg["activation"])
        rows.append({**cfg, **run_experiment(model, data, epochs=epochs, lr=cfg["lr"],
                                             batch_size=cfg["batch_size"])})
    return rows, best_row(rows, "val_acc")


def _fake_row(**kw):
    return {"params": 0, "train_acc": 0.9, "val_acc": 0.9, "test_acc": 0.9, "loss": 0.1, **kw}


# -- the reference answers pass ----------------------------------------------------------------
def test_reference_answers_pass(capsys):
    assert nb06.check_forward(forward)
    assert nb06.check_loss(loss)
    assert nb06.check_backward(backward)
    assert nb06.check_training_loop(train)
    assert nb06.check_build_mlp(build_mlp)
    assert nb06.check_hyperparameter_search(hyperparameter_search)
    out = capsys.readouterr().out
    assert "public checks passed" in out and "\u2718" not in out


# The master's tables (notebook 06, 20 epochs of SGD): (train_acc, val_acc, test_acc, loss).
SIGMOID_BY_DEPTH = [(0.970, 0.953, 0.961, 0.177), (0.931, 0.911, 0.936, 0.347), (0.586, 0.546, 0.540, 1.388)]
RELU_BY_DEPTH = [(0.997, 0.967, 0.975, 0.029), (1.000, 0.975, 0.983, 0.010), (1.000, 0.972, 0.975, 0.004)]
SIGMOID_BY_WIDTH = [(0.931, 0.911, 0.936, 0.347), (0.939, 0.919, 0.930, 0.279), (0.937, 0.925, 0.936, 0.261)]


def _row(accs, **kw):
    train, val, test, last_loss = accs
    return {"params": 0, "train_acc": train, "val_acc": val, "test_acc": test, "loss": last_loss, **kw}


def depth_table(accs=SIGMOID_BY_DEPTH):
    return [_row(a, **{"hidden layers": d, "params": nb06.mlp_param_count(64, [100] * d, 10)})
            for a, d in zip(accs, (1, 2, 3))]


def width_table(accs=SIGMOID_BY_WIDTH):
    return [_row(a, width=w, params=nb06.mlp_param_count(64, [w, w], 10)) for a, w in zip(accs, (100, 200, 300))]


def activation_table(sigmoid=SIGMOID_BY_DEPTH, relu=RELU_BY_DEPTH):
    return [{"activation": act, **row} for act, accs in (("sigmoid", sigmoid), ("relu", relu))
            for row in depth_table(accs)]


def test_experiment_tables_pass(capsys):
    rows = [_fake_row(activation="sigmoid", params=603, train_acc=0.97),
            _fake_row(activation=None, params=603, train_acc=0.53)]
    assert nb06.check_remove_sigmoid(rows)
    assert nb06.check_depth_experiment(depth_table())
    assert nb06.check_width_experiment(width_table())
    assert nb06.check_activation_experiment(activation_table())
    out = capsys.readouterr().out
    assert "\u2718" not in out and "far above chance" in out


CHANCE_ROWS = [(0.10, 0.10, 0.10, 2.30)] * 3


@pytest.mark.parametrize("check, table", [
    (nb06.check_depth_experiment, lambda: depth_table(CHANCE_ROWS)),
    (nb06.check_width_experiment, lambda: width_table(CHANCE_ROWS)),
    (nb06.check_activation_experiment, lambda: activation_table(CHANCE_ROWS, CHANCE_ROWS)),
])
def test_made_up_tables_at_chance_fail(check, table, capsys):
    """Rows with the right keys and parameter counts but 10% accuracy: nothing was trained."""
    _fails(check, table(), capsys, "near chance", "run_experiment(model, data, epochs=epochs)")


def test_tables_against_the_trend_fail(capsys):
    # every depth equally good: not what 20 epochs of SGD on sigmoid layers give
    flat = [(0.95, 0.93, 0.93, 0.2)] * 3
    _fails(nb06.check_depth_experiment, depth_table(flat), capsys, "deeper sigmoid networks lag")
    # the ReLU rows built with sigmoid (the first three rows twice)
    _fails(nb06.check_activation_experiment, activation_table(SIGMOID_BY_DEPTH, SIGMOID_BY_DEPTH), capsys,
           "ReLU rows, at every depth", "activation='relu'")
    # one width far behind the others
    _fails(nb06.check_width_experiment, width_table(SIGMOID_BY_WIDTH[:2] + [(0.55, 0.5, 0.5, 1.4)]), capsys,
           "within 5 points")


def test_param_count_matches_the_library():
    for args in [(64, [100], 10), (64, [100, 100], 10), (2, [100], 3), (5, [7, 3, 4], 2)]:
        assert nb06.mlp_param_count(*args) == build_mlp(*args).n_params()
    assert nb06.mlp_param_count(64, [300, 300], 10) == 112_810


def test_numerical_gradients_agree_with_the_formulas():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 2)), np.array([0, 1, 2, 0, 1])
    p = {k: rng.normal(size=v.shape) for k, v in init_params(2, 4, 3).items()}
    num = nb06.numerical_gradients(lambda q: loss(X, y, q, 0.1), p)
    ana = backward(X, y, p, 0.1)
    for k in p:
        assert nn.gradcheck.relative_error(num[k], ana[k]) < 1e-7


# -- typical mistakes fail ---------------------------------------------------------------------
def _fails(check, answer, capsys, *phrases):
    assert not check(answer)
    out = capsys.readouterr().out
    for phrase in phrases:
        assert phrase in out, out
    return out


def test_forward_mistakes(capsys):
    _fails(nb06.check_forward, lambda X, p: (forward(X, p)[0], nn.softmax(forward(X, p)[1])), capsys,
           "no activation")
    _fails(nb06.check_forward, lambda X, p: forward(X, p)[1], capsys, "pair")
    _fails(nb06.check_forward, lambda X, p: (np.tanh(X @ p["W1"] + p["b1"]),) * 2, capsys, "sigmoid")


def test_loss_mistakes(capsys):
    def regularises_biases(X, y, p, reg):
        return loss(X, y, p, reg) + 0.5 * reg * (np.sum(p["b1"] ** 2) + np.sum(p["b2"] ** 2))

    def naive_softmax(X, y, p, reg):
        _, f = forward(X, p)
        e = np.exp(f)
        P = e / e.sum(axis=1, keepdims=True)
        return float(-np.mean(np.log(P[np.arange(len(y)), y]))
                     + 0.5 * reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2)))

    _fails(nb06.check_loss, regularises_biases, capsys, "biases")
    with np.errstate(all="ignore"):
        _fails(nb06.check_loss, naive_softmax, capsys, "stable softmax")
    _fails(nb06.check_loss, lambda X, y, p, reg: loss(X, y, p, reg) * len(y), capsys, "mean over examples")


def test_backward_mistakes(capsys):
    def no_reg(X, y, p, reg):
        return backward(X, y, p, 0.0)

    def no_mean(X, y, p, reg):
        g = backward(X, y, p, 0.0)
        n = len(y)
        return {"W1": g["W1"] * n + reg * p["W1"], "b1": g["b1"] * n,
                "W2": g["W2"] * n + reg * p["W2"], "b2": g["b2"] * n}

    def no_sigmoid_grad(X, y, p, reg):
        h, f = forward(X, p)
        d = nn.softmax(f)
        d[np.arange(len(y)), y] -= 1.0
        d /= len(y)
        dz1 = d @ p["W2"].T
        return {"W1": X.T @ dz1 + reg * p["W1"], "b1": dz1.sum(axis=0),
                "W2": h.T @ d + reg * p["W2"], "b2": d.sum(axis=0)}

    _fails(nb06.check_backward, no_reg, capsys, "add reg * W to dW")
    _fails(nb06.check_backward, no_mean, capsys, "divided by N")
    out = _fails(nb06.check_backward, no_sigmoid_grad, capsys, "h * (1 - h)")
    assert "\u2714 reg = 0.0, initial scale 1.0: dW2" in out   # the right ones still pass
    _fails(nb06.check_backward, lambda X, y, p, reg: [0, 0, 0, 0], capsys, "keys W1, b1, W2, b2")


def test_training_loop_mistakes(capsys):
    def loss_after_update(X, y, n_hidden=100, lr=3.0, reg=1e-4, epochs=1500, seed=0):
        p, _ = train(X, y, n_hidden, lr, reg, epochs, seed)
        _, losses = train(X, y, n_hidden, lr, reg, epochs + 1, seed)
        return p, losses[1:]

    def ascent(X, y, n_hidden=100, lr=3.0, reg=1e-4, epochs=1500, seed=0):
        return train(X, y, n_hidden, -lr, reg, epochs, seed)

    def own_init(X, y, n_hidden=100, lr=3.0, reg=1e-4, epochs=1500, seed=0):
        return train(X, y, n_hidden, lr, reg, epochs, seed + 1)

    _fails(nb06.check_training_loop, loss_after_update, capsys, "BEFORE updating")
    _fails(nb06.check_training_loop, ascent, capsys, "minus lr")
    _fails(nb06.check_training_loop, own_init, capsys, "init_params")


def test_build_mlp_mistakes(capsys):
    def activation_on_output(n_in, hidden, n_out, activation="sigmoid", seed=0):
        m = build_mlp(n_in, hidden, n_out, activation, seed)
        return nn.Sequential(*m.layers, nn.Sigmoid()) if activation else m

    def one_seed(n_in, hidden, n_out, activation="sigmoid", seed=0):
        m = build_mlp(n_in, hidden, n_out, activation, seed)
        for layer in m.layers:
            if isinstance(layer, nn.Dense):
                layer.params["W"] = nn.Dense(layer.in_features, layer.out_features, seed=seed).params["W"]
        return m

    _fails(nb06.check_build_mlp, activation_on_output, capsys, "no activation")
    _fails(nb06.check_build_mlp, one_seed, capsys, "seed=seed + i")


def test_experiment_table_mistakes(capsys):
    count = nb06.mlp_param_count
    swapped = [_fake_row(activation=None, params=603), _fake_row(activation="sigmoid", params=603)]
    _fails(nb06.check_remove_sigmoid, swapped, capsys, "in the order")
    still_nonlinear = [_fake_row(activation="sigmoid", params=603, train_acc=0.97),
                       _fake_row(activation=None, params=603, train_acc=0.96)]
    _fails(nb06.check_remove_sigmoid, still_nonlinear, capsys, "did you leave an activation in")
    relu_depth = [{**row, "params": count(64, [50] * d, 10)} for row, d in zip(depth_table(), (1, 2, 3))]
    _fails(nb06.check_depth_experiment, relu_depth, capsys, "parameter counts")
    no_results = [{"width": w, "params": count(64, [w, w], 10)} for w in (100, 200, 300)]
    _fails(nb06.check_width_experiment, no_results, capsys, "run_experiment")
    _fails(nb06.check_activation_experiment, None, capsys, "a list of 6 rows")


def test_search_mistakes(capsys):
    def best_by_test(data, configs, epochs=20):
        rows, _ = hyperparameter_search(data, configs, epochs)
        return rows, min(rows, key=lambda r: r["val_acc"])

    def ignores_lr(data, configs, epochs=20):
        return hyperparameter_search(data, [{**c, "lr": 0.05} for c in configs], epochs)

    _fails(nb06.check_hyperparameter_search, best_by_test, capsys, "compare val_acc")
    _fails(nb06.check_hyperparameter_search, ignores_lr, capsys, "in the order lr")


def test_not_attempted(capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError("Exercise 06.forward: write your solution here")

    for check in (nb06.check_forward, nb06.check_loss, nb06.check_backward,
                  nb06.check_training_loop, nb06.check_build_mlp, nb06.check_hyperparameter_search):
        assert not check(stub)
        assert "not attempted yet" in capsys.readouterr().out


def test_copied_best_row_is_accepted(capsys):
    def copies(data, configs, epochs=20):
        rows, best = hyperparameter_search(data, configs, epochs)
        return rows, dict(best)

    assert nb06.check_hyperparameter_search(copies)


@pytest.mark.parametrize("n", [1, 2, 7])
def test_case_generator_covers_every_class_it_can(n):
    _, y, _ = nb06._case(1, n=n, k=3)
    assert len(set(y.tolist())) == min(n, 3)


def test_backward_reports_relative_errors_never_two_equal_looking_arrays(capsys):
    """reg = 0.001 changes dW by a hair: the verdict is a relative error, not two printed arrays."""
    assert nb06.check_backward(backward)
    out = capsys.readouterr().out
    assert "reg = 0.001, initial scale 0.01: dW1 matches (relative error below 1e-06)" in out

    def no_reg(X, y, p, reg):
        return backward(X, y, p, 0.0)

    assert not nb06.check_backward(no_reg)
    out = capsys.readouterr().out
    assert "dW2 (the first gradient that is off), relative error" in out
    assert "expected" not in out  # no pair of arrays to compare by eye


# -- 06.initial_loss, 06.overfit_small_batch, 06.layer_gradient_norms -------------------------
from coursekit.lessons.nb06 import batches, dense_layers  # noqa: E402


def initial_loss(model, X, y, bug=None):
    scores = np.asarray(model.forward(X, train=False))
    k = scores.shape[1]
    if bug == "raw_scores":
        return float(-np.mean(scores[np.arange(len(y)), y])), float(np.log(k))
    logp = nn.log_softmax(scores)[np.arange(len(y)), y]
    loss = {"log10": -np.mean(logp) / np.log(10), "sum": -np.sum(logp)}.get(bug, -np.mean(logp))
    ref = {"ref_log10": np.log10(k), "ref_present": np.log(len(np.unique(y)))}.get(bug, np.log(k))
    return float(loss), float(ref)


def overfit_small_batch(model, X, y, steps=300, weight_decay=0.0):
    h = nn.fit(model, X, y, loss=nn.SoftmaxCrossEntropy(), optimizer=nn.SGD(lr=1.0, weight_decay=weight_decay),
               epochs=steps, batch_size=len(X), progress=False)
    return h.loss


def layer_gradient_norms(model, X, y, steps, lr=0.1, batch_size=32, bug=None):
    loss_fn, opt = nn.SoftmaxCrossEntropy(), nn.SGD(lr=lr)
    dense = dense_layers(model)
    if bug == "missing_layer":
        dense = dense[:-1]
    rows = []
    for xb, yb in batches(X, y, batch_size, steps):
        a, outs = xb, []
        for layer in model.layers:
            a = layer.forward(a, train=True)
            outs.append(np.linalg.norm(a)) if layer in dense else None
        loss_fn.forward(a, yb)
        before = [np.linalg.norm(d.grads.get("W", 0.0)) for d in dense]
        model.backward(loss_fn.backward())
        rows.append({"activations": outs, "before_backward": before}.get(
            bug, [np.linalg.norm(d.grads["W"]) for d in dense]))
        opt.step(model)
    return np.array(rows)


def test_debugging_reference_answers_pass(capsys):
    assert nb06.check_initial_loss(initial_loss)
    assert nb06.check_overfit_small_batch(overfit_small_batch)
    assert nb06.check_layer_gradient_norms(layer_gradient_norms)
    out = capsys.readouterr().out
    assert "ln 10 = 2.3026" in out and "public checks passed" in out


@pytest.mark.parametrize("bug, hint", [
    ("raw_scores", "softmax first"),
    ("log10", "natural log"),
    ("sum", "the loss is their mean"),
    ("ref_log10", "log10 K"),
    ("ref_present", "classes present in y"),
])
def test_initial_loss_mistakes_get_their_hint(bug, hint, capsys):
    assert not nb06.check_initial_loss(lambda m, X, y: initial_loss(m, X, y, bug))
    assert hint in capsys.readouterr().out


def test_initial_loss_unstable_softmax_is_named(capsys):
    def naive(model, X, y):
        s = np.asarray(model.forward(X, train=False))
        with np.errstate(over="ignore", invalid="ignore"):
            p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
            return float(-np.mean(np.log(p[np.arange(len(y)), y]))), float(np.log(s.shape[1]))
    assert not nb06.check_initial_loss(naive)
    assert "largest score before exp" in capsys.readouterr().out


def test_overfit_mistakes_get_their_hint(capsys):
    assert not nb06.check_overfit_small_batch(lambda m, X, y: overfit_small_batch(m, X, y, weight_decay=1e-2))
    assert "turn regularisation off" in capsys.readouterr().out
    assert not nb06.check_overfit_small_batch(lambda m, X, y: overfit_small_batch(m, X, y, steps=30))
    assert "take more steps" in capsys.readouterr().out

    def copy_trained(model, X, y):  # trains a fresh network, not the one it was given
        fresh = nn.Sequential(*[type(layer)(*layer.params["W"].shape, seed=9) if isinstance(layer, nn.Dense)
                                else type(layer)() for layer in model.layers])
        return overfit_small_batch(fresh, X, y)
    assert not nb06.check_overfit_small_batch(copy_trained)
    assert "train `model` itself" in capsys.readouterr().out


@pytest.mark.parametrize("bug, hint", [
    ("activations", "outputs (activations)"),
    ("before_backward", "previous step's gradients"),
    ("missing_layer", "one column for each"),
])
def test_layer_gradient_norm_mistakes_get_their_hint(bug, hint, capsys):
    assert not nb06.check_layer_gradient_norms(
        lambda m, X, y, steps, lr, batch_size: layer_gradient_norms(m, X, y, steps, lr, batch_size, bug))
    assert hint in capsys.readouterr().out


def test_layer_gradient_norms_without_backward_is_explained(capsys):
    def no_backward(model, X, y, steps, lr=0.1, batch_size=32):
        for xb, _ in batches(X, y, batch_size, steps):
            model.forward(xb)
            return np.array([[np.linalg.norm(d.grads["W"]) for d in dense_layers(model)]])
    assert not nb06.check_layer_gradient_norms(no_backward)
    assert "empty until the first backward pass" in capsys.readouterr().out
