"""The public checks of notebook 04 accept the reference answers and reject typical mistakes."""
import numpy as np

from coursekit import datasets as ckd
from coursekit.checks import nb04
from coursekit.lessons.nb04 import ThresholdCircuit, sigmoid

# -- reference answers (the master's) --------------------------------------------------------
W1 = np.array([[1.0, -1.0], [-1.0, 1.0]])
b1 = np.array([-1.0, -1.0])


def dnf_network(outputs):
    outputs = np.asarray(outputs)
    n = int(np.log2(outputs.size))
    patterns = ckd.all_bit_patterns(n)[outputs == 1].astype(float)
    return 2.0 * patterns - 1.0, 0.5 - patterns.sum(axis=1), np.ones(len(patterns))


def pulse(x, t1, t2, k):
    return sigmoid(k * (x - t1)) - sigmoid(k * (x - t2))


def pulse_sum(f, x, n, k, lo=-1.0, hi=1.0):
    e = np.linspace(lo, hi, n + 1)
    return sum(f((a + b) / 2) * pulse(x, a, b, k) for a, b in zip(e[:-1], e[1:]))


def parity_wide(n):
    return dnf_network(ckd.all_bit_patterns(n).sum(axis=1) % 2)


def parity_deep(n, chain=False):
    net = ThresholdCircuit(n, "step")

    def xor(a, b):
        h1 = net.add_unit([a, b], [1, -1], -0.5)
        h2 = net.add_unit([a, b], [-1, 1], -0.5)
        return net.add_unit([h1, h2], [1, 1], -0.5)

    acc = 0
    for i in range(1, n):
        acc = xor(acc, i)
    return net


def test_xor_weights(capsys):
    assert nb04.check_xor_weights(W1, b1, np.array([1.0, 1.0]), 1.0)
    assert not nb04.check_xor_weights(W1, b1, np.array([1.0, 1.0]), -1.0)   # AND instead of OR
    assert not nb04.check_xor_weights(W1[::-1], b1, np.array([1.0, 1.0]), 1.0)  # units swapped
    assert not nb04.check_xor_weights(W1, b1, np.array([1.0, 1.0, 1.0]), 1.0)
    assert not nb04.check_xor_weights("a", b1, np.array([1.0, 1.0]), 1.0)
    assert "AND(x1, not x2)" in capsys.readouterr().out


def test_dnf_network(capsys):
    assert nb04.check_dnf_network(dnf_network)
    # bias too low: the unit also fires on neighbouring rows
    assert not nb04.check_dnf_network(lambda o: (lambda W, b, w: (W, b + 1.0, w))(*dnf_network(o)))
    # one unit per row instead of per true row
    assert not nb04.check_dnf_network(lambda o: (2.0 * ckd.all_bit_patterns(int(np.log2(len(o)))) - 1,
                                                 np.zeros(len(o)), np.asarray(o, float)))

    def stub(o):
        raise NotImplementedError
    assert not nb04.check_dnf_network(stub)
    assert "not attempted" in capsys.readouterr().out


def test_pulse():
    assert nb04.check_pulse(pulse)
    assert not nb04.check_pulse(lambda x, t1, t2, k: sigmoid(k * (x - t2)) - sigmoid(k * (x - t1)))
    assert not nb04.check_pulse(lambda x, t1, t2, k: sigmoid(x - t1) - sigmoid(x - t2))


def test_pulse_sum():
    assert nb04.check_pulse_sum(pulse_sum)
    # heights at the left edge instead of the midpoint
    wrong = lambda f, x, n, k, lo=-1, hi=1: sum(
        f(a) * pulse(x, a, b, k) for a, b in zip(np.linspace(lo, hi, n + 1)[:-1], np.linspace(lo, hi, n + 1)[1:]))
    assert not nb04.check_pulse_sum(wrong)
    assert not nb04.check_pulse_sum(lambda f, x, n, k, lo=-1, hi=1: pulse_sum(f, x, n + 1, k, lo, hi))


def test_parity():
    assert nb04.check_parity_wide(parity_wide)
    assert not nb04.check_parity_wide(lambda n: dnf_network(1 - ckd.all_bit_patterns(n).sum(axis=1) % 2))
    assert nb04.check_parity_deep(parity_deep)
    assert not nb04.check_parity_deep(lambda n: ThresholdCircuit(n))      # no units

    def four_units(n):
        net = parity_deep(n)
        net.add_unit([net.n_nodes - 1], [1.0], -0.5)                       # an extra identity unit
        return net
    assert not nb04.check_parity_deep(four_units)
    assert not nb04.check_parity_deep(lambda n: parity_wide(n))          # not a circuit
