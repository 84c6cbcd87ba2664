"""The public checks of notebook 08 accept the reference answers and reject typical mistakes."""
import itertools

import numpy as np

from coursekit.checks import nb08


def test_weight_decay():
    pen = lambda Ws, lam: 0.5 * lam * sum(float(np.sum(W * W)) for W in Ws)  # noqa: E731
    upd = lambda W, g, lr, lam: W - lr * (g + lam * W)  # noqa: E731
    assert nb08.check_weight_decay(pen, upd)
    assert not nb08.check_weight_decay(lambda Ws, lam: lam * sum(float(np.sum(W * W)) for W in Ws), upd)
    assert not nb08.check_weight_decay(pen, lambda W, g, lr, lam: W - lr * g - lam * W)

    def inplace(W, g, lr, lam):
        W -= lr * (g + lam * W)
        return W
    assert not nb08.check_weight_decay(pen, inplace)


def fwd(x, p, rng, train=True):
    if not train:
        return x, None
    mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, mask


def bwd(dout, mask):
    return dout if mask is None else dout * mask


def test_dropout():
    assert nb08.check_dropout(fwd, bwd)
    # not inverted: no rescaling
    assert not nb08.check_dropout(lambda x, p, r, t=True: fwd(x, p, r, t) if not t else
                                  (lambda m: (x * m, m))((r.random(x.shape) >= p).astype(float)), bwd)
    # keeps with probability p instead of 1 - p
    assert not nb08.check_dropout(lambda x, p, r, t=True: fwd(x, 1 - p, r, t) if t else (x, None), bwd)
    # scales at test time too
    assert not nb08.check_dropout(lambda x, p, r, t=True: fwd(x, p, r, t) if t else (x * (1 - p), None), bwd)
    assert not nb08.check_dropout(fwd, lambda d, m: d)


def es(val, patience):
    best, be = np.inf, 0
    for e, v in enumerate(val, start=1):
        if v < best:
            best, be = v, e
        elif e - be >= patience:
            return be, e
    return be, len(val)


def test_early_stopping():
    assert nb08.check_early_stopping(es)
    assert not nb08.check_early_stopping(lambda v, p: (int(np.argmin(v)), len(v)))          # from 0
    assert not nb08.check_early_stopping(lambda v, p: (int(np.argmin(v)) + 1, len(v)))      # never stops

    def ties(val, patience):  # <= counts as improvement
        best, be = np.inf, 0
        for e, v in enumerate(val, start=1):
            if v <= best:
                best, be = v, e
            elif e - be >= patience:
                return be, e
        return be, len(val)
    assert not nb08.check_early_stopping(ties)


def search(fn, grid):
    names = list(grid)
    res = [(dict(zip(names, v)), None) for v in itertools.product(*grid.values())]
    res = [(p, fn(**p)) for p, _ in res]
    return max(res, key=lambda r: r[1])[0], res


def test_validation_search():
    assert nb08.check_validation_search(search)
    assert not nb08.check_validation_search(lambda fn, g: (min(search(fn, g)[1], key=lambda r: r[1])[0],
                                                          search(fn, g)[1]))
    # last of tied combinations wins
    def last_tie(fn, g):
        best, res = search(fn, g)
        top = max(s for _, s in res)
        return [p for p, s in res if s == top][-1], res
    assert not nb08.check_validation_search(last_tie)
