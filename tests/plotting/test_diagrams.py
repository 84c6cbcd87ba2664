import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from coursekit.plotting.diagrams import conv_scan, unfolded_rnn


def test_conv_scan_titles_the_output_size():
    fig = conv_scan(7, 3)
    assert "= 5" in fig.axes[0].get_title()
    fig2 = conv_scan(7, 3, stride=2, padding=1)
    assert "= 4" in fig2.axes[0].get_title()
    plt.close("all")


def test_conv_scan_refuses_windows_that_do_not_tile():
    with pytest.raises(ValueError):
        conv_scan(7, 2, stride=2)


def test_unfolded_rnn_draws_one_copy_per_step():
    fig = unfolded_rnn(3)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "$h_{3}$" in texts and "$h_{4}$" not in texts and "$h_{0}$" in texts
    with pytest.raises(ValueError):
        unfolded_rnn(0)
    plt.close("all")


def test_unfolded_rnn_counts_from_zero_like_the_code():
    fig = unfolded_rnn(3, first_step=0)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "$h_{-1}$" in texts and "$x_{0}$" in texts and "$h_{2}$" in texts and "$h_{3}$" not in texts
    plt.close("all")
