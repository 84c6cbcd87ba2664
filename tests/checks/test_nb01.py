"""The public checks of notebook 01 accept the reference answers and reject typical mistakes."""
import numpy as np
import pytest

from coursekit.lessons import nb01 as P
from coursekit.checks import nb01
from coursekit.datasets import truth_table


def ref_train(X, y, eta=1.0, max_epochs=100):
    r = P.train(X, y, eta=eta, max_epochs=max_epochs)
    return r.w, r.errors_per_epoch


def test_reference_answers_pass(capsys):
    assert nb01.check_threshold_unit(P.threshold_unit)
    assert nb01.check_perceptron_predict(P.predict)
    assert nb01.check_gate_weights([-1.5, 1, 1], [-0.5, 1, 1], [1.5, -1, -1])
    assert nb01.check_gate_weights(np.array([-2.0, 1, 1.5]), [-1, 2, 2], [0.5, -0.3, -0.3])
    assert nb01.check_perceptron_train(ref_train)
    assert nb01.check_line_errors(P.line_errors)
    assert nb01.check_xor_errors(P.train(*truth_table("xor"), max_epochs=20).errors_per_epoch)
    assert "public checks passed" in capsys.readouterr().out


def test_strict_threshold_rejected(capsys):
    assert not nb01.check_threshold_unit(lambda X, w, t: (X @ np.asarray(w) > t).astype(int))
    assert ">=" in capsys.readouterr().out


def test_predict_without_bias_rejected():
    assert not nb01.check_perceptron_predict(lambda w, X: (X @ w[1:] >= 0).astype(int))
    assert not nb01.check_perceptron_predict(lambda w, X: (X @ w[:-1] + w[-1] >= 0).astype(int))


def test_wrong_gates_rejected():
    assert not nb01.check_gate_weights([-0.5, 1, 1], [-0.5, 1, 1], [1.5, -1, -1])
    assert not nb01.check_gate_weights([-1.5, 1, 1], [-0.5, 1, 1], [1.5, -1])


@pytest.mark.parametrize("variant,phrase", [
    ("no_final_zero", "count the last epoch"),
    ("strict", ">= 0"),
    ("batch", "after each example"),
    ("delta", "delta rule"),
])
def test_wrong_training_rejected_with_hint(variant, phrase, capsys):
    def wrong(X, y, eta=1.0, max_epochs=100):
        X = np.asarray(X, float)
        variants = nb01._variants(X, np.asarray(y), eta, max_epochs)
        index = {"strict": 0, "batch": 1, "no_final_zero": 2, "delta": 3}[variant]
        return variants[index][0]
    assert not nb01.check_perceptron_train(wrong)
    assert phrase in capsys.readouterr().out


def test_unfinished_train_is_not_attempted(capsys):
    def stub(X, y, eta=1.0, max_epochs=100):
        raise NotImplementedError("Exercise 01.perceptron_train")
    assert not nb01.check_perceptron_train(stub)
    assert "not attempted" in capsys.readouterr().out


def test_line_errors_without_sum_rejected(capsys):
    assert not nb01.check_line_errors(lambda W, X, y: P.step(P.add_bias(X) @ np.asarray(W).T) != y[:, None])
    assert "shape" in capsys.readouterr().out


def test_xor_errors_wrong_length_or_zero_rejected():
    assert not nb01.check_xor_errors([4, 4, 4])
    assert not nb01.check_xor_errors([2, 1, 0] + [0] * 17)


def weight_cycle(weights):
    seen = {}
    for i, row in enumerate(np.asarray(weights, dtype=float)):
        if tuple(row) in seen:
            return seen[tuple(row)], i - seen[tuple(row)]
        seen[tuple(row)] = i
    return None


def test_weight_cycle_reference_and_the_xor_run_pass(capsys):
    assert nb01.check_weight_cycle(weight_cycle)
    run = P.train(*truth_table("xor"), max_epochs=200)
    cycle = weight_cycle(run.weights)
    assert cycle == (3, 4)                      # (-1,-1,0) -> (0,-1,1) -> (1,0,1) -> (0,-1,0) -> ...
    assert nb01.check_xor_cycle(cycle, len(np.unique(run.weights, axis=0)))
    assert "\u2718" not in capsys.readouterr().out


@pytest.mark.parametrize("wrong, phrase", [
    (lambda w: (lambda r: None if r is None else (r[0] + r[1], r[1]))(weight_cycle(w)), "*earlier*"),
    (lambda w: (lambda r: None if r is None else (r[1], r[0]))(weight_cycle(w)), "(start, period), in that order"),
    (lambda w: (lambda r: None if r is None else (r[0], r[0] + r[1]))(weight_cycle(w)), "number of steps between"),
    (lambda w: weight_cycle(np.asarray(w)[:, :1]), "compare whole rows"),
    (lambda w: weight_cycle(w) or (), "return None"),
    (lambda w: next(((i - 1, 1) for i in range(1, len(w)) if np.array_equal(w[i], w[i - 1])), None),
     "not only the previous one"),
])
def test_weight_cycle_mistakes_get_their_hint(wrong, phrase, capsys):
    assert not nb01.check_weight_cycle(wrong)
    assert phrase in capsys.readouterr().out


def test_xor_cycle_counted_per_epoch_or_not_counted_fails(capsys):
    run = P.train(*truth_table("xor"), max_epochs=200)
    per_epoch = run.weights[np.cumsum(run.errors_per_epoch)]
    assert not nb01.check_xor_cycle(weight_cycle(per_epoch), 7)
    assert "not one row per epoch" in capsys.readouterr().out
    assert not nb01.check_xor_cycle(None, 7)
    assert not nb01.check_xor_cycle((3, 4), len(run.weights))
    assert "count distinct rows" in capsys.readouterr().out


def _train(X, y, eta=1.0, max_epochs=100, *, bias=True, bias_last=False, delta_on_mistakes=False):
    """A student's perceptron_train, written out, with one switch per slip."""
    X = np.asarray(X, float)
    if bias:
        ones = np.ones((len(X), 1))
        X = np.hstack([X, ones]) if bias_last else np.hstack([ones, X])
    w, errors = np.zeros(X.shape[1]), []
    for _ in range(max_epochs):
        mistakes = 0
        for x, t in zip(X, y):
            p = 1 if x @ w >= 0 else 0
            if p != t:
                w = w + eta * ((t - x @ w) if delta_on_mistakes else (t - p)) * x
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, errors


@pytest.mark.parametrize("kwargs,phrase", [
    ({"bias": False}, "the bias is missing"),
    ({"bias_last": True}, "put the bias first"),
    ({"delta_on_mistakes": True}, "delta rule"),
])
def test_hand_written_slips_get_their_hint(kwargs, phrase, capsys):
    verdict = nb01.check_perceptron_train(lambda X, y, eta=1.0, max_epochs=100: _train(X, y, eta, max_epochs, **kwargs))
    out = capsys.readouterr().out
    assert not verdict and phrase in out, out


def test_hand_written_solution_passes(capsys):
    assert nb01.check_perceptron_train(_train)
    capsys.readouterr()
