"""coursekit.lessons.nb08: the mislabelled training subset, scores, the printed lines, ensembles."""
import numpy as np
import pytest

from coursekit import datasets, nn
from coursekit.lessons import nb08 as reg


@pytest.fixture(scope="module")
def digits():
    return datasets.digits(scale="unit")


def test_noisy_subset_is_seeded_and_mislabels_the_asked_share(digits):
    X, y, y_true, wrong = reg.noisy_subset(digits, n=240, fraction=0.3, seed=0)
    assert X.shape == (240, 64) and wrong.sum() == 72
    assert np.all(y[wrong] != y_true[wrong]) and np.array_equal(y[~wrong], y_true[~wrong])
    # the true labels are those of the images picked: each picked row is a training digit with its label
    rows = [int(np.flatnonzero((digits.X_train == x).all(axis=1))[0]) for x in X[:5]]
    assert np.array_equal(digits.y_train[rows], y_true[:5])
    again = reg.noisy_subset(digits, n=240, fraction=0.3, seed=0)
    assert np.array_equal(again[1], y) and not np.array_equal(reg.noisy_subset(digits, 240, 0.3, seed=1)[0], X)
    with pytest.raises(ValueError, match="n must lie"):
        reg.noisy_subset(digits, n=5000)


def _tiny_model(X, y, epochs):
    model = nn.Sequential(nn.Dense(64, 32, seed=0), nn.ReLU(), nn.Dense(32, 10, seed=1))
    if epochs:
        nn.fit(model, X, y, loss=nn.SoftmaxCrossEntropy(), optimizer=nn.SGD(lr=0.2), epochs=epochs,
               batch_size=20, progress=False)
    return model


def test_scores_count_the_memorised_wrong_labels(digits):
    X, y, _, wrong = reg.noisy_subset(digits, n=60, fraction=0.5, seed=2)
    untrained = reg.scores(_tiny_model(X, y, 0), X, y, digits.X_val, digits.y_val, wrong=wrong)
    trained = reg.scores(_tiny_model(X, y, 300), X, y, digits.X_val, digits.y_val, wrong=wrong)
    assert untrained["n_wrong"] == trained["n_wrong"] == 30
    assert trained["train_accuracy"] > 0.9 and trained["memorised"] > 25 > untrained["memorised"]
    assert set(trained) >= {"train_loss", "train_accuracy", "val_loss", "val_accuracy"}


def test_score_line_is_coarse_and_gives_the_change():
    base = {"train_loss": 0.01, "train_accuracy": 1.0, "val_loss": 0.8912, "val_accuracy": 0.7186,
            "memorised": 72, "n_wrong": 72}
    better = dict(base, val_loss=0.66512, val_accuracy=0.84234, memorised=5)
    line = reg.score_line("dropout 0.5", better, base)
    assert "validation  84%, loss 0.67" in line and "+12 points, loss -0.22" in line
    assert "wrong labels learnt  5/72" in line
    # a round-off-sized change leaves the text as it was
    assert reg.score_line("x", dict(better, val_loss=0.66512 + 1e-12, val_accuracy=0.84234 - 1e-12), base) \
        == reg.score_line("x", better, base)
    assert "points" not in reg.score_line("none", base)


def test_ensemble_scores_average_the_probabilities():
    y = np.array([0, 1, 1])
    a = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])      # wrong on example 2
    b = np.array([[0.4, 0.6], [0.1, 0.9], [0.3, 0.7]])      # wrong on example 1
    e = reg.ensemble_scores([a, b], y)
    assert np.allclose(e["member_accuracy"], [2 / 3, 2 / 3]) and e["accuracy"] == 1.0
    avg = (a + b) / 2
    assert np.isclose(e["cross_entropy"], -np.mean(np.log(avg[[0, 1, 2], y])))
    assert e["cross_entropy"] <= e["member_cross_entropy"].mean()           # Jensen
    with pytest.raises(ValueError, match="members"):
        reg.ensemble_scores(a, y)


def test_one_blas_thread_limits_and_restores():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    np.ones((2, 2)) @ np.ones((2, 2))                       # BLAS loaded
    limiter = reg.one_blas_thread()
    try:
        blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
        assert blas and all(p["num_threads"] == 1 for p in blas)
    finally:
        limiter.restore_original_limits()


@pytest.mark.parametrize("seed", [0, 1])
def test_the_notebooks_setting_overfits_and_each_remedy_helps(digits, seed):
    """Notebook 08's lesson on two draws of the data: the plain network learns the wrong labels and
    loses validation accuracy; weight decay, dropout and early stopping each do better on both
    validation accuracy and loss (5 draws were measured when the setting was chosen)."""
    from coursekit.lessons import nb07

    X, y, _, wrong = reg.noisy_subset(digits, n=240, fraction=0.3, seed=seed)

    def run(weight_decay=0.0, dropout=0.0, early_stopping=None):
        model = nb07.mlp([64, 128, 128, 10], "relu", "he_normal", seed=seed, dropout=dropout)
        nn.fit(model, X, y, loss=nn.SoftmaxCrossEntropy(), optimizer=nn.SGD(lr=0.2, weight_decay=weight_decay),
               epochs=100, batch_size=30, seed=seed, validation_data=(digits.X_val, digits.y_val),
               early_stopping=early_stopping, progress=False)
        return reg.scores(model, X, y, digits.X_val, digits.y_val, wrong=wrong)

    plain = run()
    assert plain["train_accuracy"] > 0.97 and plain["memorised"] >= 65              # wrong labels learnt
    assert plain["train_accuracy"] - plain["val_accuracy"] > 0.15
    for remedy in (run(weight_decay=0.01), run(dropout=0.5), run(early_stopping=10)):
        assert remedy["val_accuracy"] > plain["val_accuracy"] + 0.03
        assert remedy["val_loss"] < plain["val_loss"] - 0.05
        assert remedy["memorised"] < plain["memorised"] - 15                     # fewer mistakes learnt
