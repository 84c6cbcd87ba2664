"""The public checks of notebook 12 accept the reference answers and reject typical mistakes."""
import numpy as np

from coursekit.nn import attacks as adv
from coursekit.checks import nb12


def epsilon_sweep(model, X, y, epsilons, attack):
    return np.array([adv.accuracy(model, attack(model, X, y, e), y) for e in epsilons])


def test_input_gradient(capsys):
    assert nb12.check_input_gradient(adv.input_gradient)
    assert not nb12.check_input_gradient(lambda m, X, y: -adv.input_gradient(m, X, y))
    assert not nb12.check_input_gradient(lambda m, X, y: adv.input_gradient(m, X, y) * len(X))  # sum, not mean
    assert "finite differences" in capsys.readouterr().out


def test_fgsm(capsys):
    assert nb12.check_fgsm(adv.fgsm)
    assert not nb12.check_fgsm(lambda m, X, y, e: X + e * np.sign(adv.input_gradient(m, X, y)))  # no clip
    assert not nb12.check_fgsm(lambda m, X, y, e: np.clip(X - e * np.sign(adv.input_gradient(m, X, y)), 0, 1))
    assert not nb12.check_fgsm(lambda m, X, y, e: np.clip(X + e * adv.input_gradient(m, X, y), 0, 1))
    capsys.readouterr()


def test_epsilon_sweep(capsys):
    assert nb12.check_epsilon_sweep(epsilon_sweep)
    assert not nb12.check_epsilon_sweep(lambda m, X, y, eps, a: 100 * epsilon_sweep(m, X, y, eps, a))
    assert not nb12.check_epsilon_sweep(lambda m, X, y, eps, a: epsilon_sweep(m, X, y, eps, a)[:1])
    capsys.readouterr()
