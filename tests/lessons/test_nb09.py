"""coursekit.lessons.nb09: loop references agree with matrix products; FLOP counts."""
import numpy as np

from coursekit.lessons import nb09 as vz


def test_loops_match_matrix_products():
    rng = np.random.default_rng(0)
    X, W, b, dout = rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=(4, 5))
    assert np.allclose(vz.dense_forward_loop(X, W, b), X @ W + b)
    dX, dW, db = vz.dense_backward_loop(X, W, dout)
    assert np.allclose(dX, dout @ W.T) and np.allclose(dW, X.T @ dout) and np.allclose(db, dout.sum(0))


def test_flops():
    assert vz.dense_flops(64, 32) == (4096, 8192)
    assert vz.mlp_flops([64, 32, 10], 2) == (2 * 2 * (64 * 32 + 32 * 10), 4 * 2 * (64 * 32 + 32 * 10))


def test_best_time_is_positive_and_calls_sync():
    calls = []
    t = vz.best_time(lambda: None, repeat=3, number=2, sync=lambda: calls.append(1))
    assert t >= 0 and len(calls) == 3


def test_median_time_warms_up_and_ignores_one_slow_call():
    import time as _time
    from coursekit.lessons import nb09
    calls = []

    def fn():
        calls.append(1)
        if len(calls) == 3:       # one slow call among the timed ones
            _time.sleep(0.2)

    t = nb09.median_time(fn, repeat=5, warmup=2)
    assert len(calls) == 7 and t < 0.1
