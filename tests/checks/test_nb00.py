"""The public checks of notebook 00 accept the reference answers and reject typical mistakes."""
import numpy as np

from coursekit.backend import available_backends
from coursekit.checks import nb00


def test_environment_check(capsys):
    names = [b.name for b in available_backends()]
    assert nb00.check_environment(True, names)
    assert not nb00.check_environment(None, names)
    assert not nb00.check_environment(True, "numpy")
    assert not nb00.check_environment(True, ["numpy"] if len(names) > 1 else ["torch"])


def test_mse(capsys):
    assert nb00.check_mse(lambda y, p: np.mean((y - p) ** 2))
    assert not nb00.check_mse(lambda y, p: np.sum((y - p) ** 2))
    assert "divide by the number" in capsys.readouterr().out
    assert not nb00.check_mse(lambda y, p: np.mean(y - p))
    assert not nb00.check_mse(lambda y, p: (y - p) ** 2)
    assert not nb00.check_mse(lambda y, p: 0.5 * np.mean((y - p) ** 2))


def test_weighted_sum():
    assert nb00.check_weighted_sum(lambda X, w, b: X @ w + b)
    assert not nb00.check_weighted_sum(lambda X, w, b: X @ w)
    assert not nb00.check_weighted_sum(lambda X, w, b: np.sum(X @ w + b))
    assert not nb00.check_weighted_sum(lambda X, w, b: X.T @ np.ones(X.shape[0]) + b)


def test_check_modules_load_on_attribute_access():
    import importlib

    import pytest

    checks = importlib.import_module("coursekit.checks")
    assert checks.nb00.check_mse is nb00.check_mse
    with pytest.raises(AttributeError, match="no check module"):
        checks.nb99


def test_verdict_is_a_bool_that_displays_nothing():
    from IPython.core.formatters import DisplayFormatter

    from coursekit.checks.verdict import Verdict

    assert Verdict(True) and not Verdict(False)
    assert Verdict(True) == True  # noqa: E712
    data, _ = DisplayFormatter().format(Verdict(True))
    assert data == {}
