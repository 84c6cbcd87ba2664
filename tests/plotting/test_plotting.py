"""Every picture renders off-screen to a non-blank PNG, carries its labels, and refuses bad input
with a message a student can act on."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit import plotting as P  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def png(obj, dpi=50):
    """Render a figure (or the figure of an axes) to PNG and read the pixels back (H, W, 4)."""
    fig = obj if hasattr(obj, "savefig") else obj.figure
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    return mpimg.imread(buf, format="png")


def assert_not_blank(obj, min_colours=8):
    img = png(obj)
    assert img[..., :3].std() > 0.03, "the picture is (almost) one flat colour"
    colours = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) >= min_colours, f"only {len(colours)} colours drawn"


def legend_texts(ax):
    leg = ax.get_legend()
    assert leg is not None, "no legend"
    return [t.get_text() for t in leg.get_texts()]


def all_texts(ax):
    return [t.get_text() for t in ax.texts]


def three_blobs(rng, n=30):
    centres = np.array([[0, 3], [3, -1], [-3, -1]])
    X = np.concatenate([rng.normal(c, 0.5, (n, 2)) for c in centres])
    y = np.repeat(np.arange(3), n)
    return X, y, centres


def nearest_centre(centres):
    return lambda G: np.argmin(((G[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)


# -- decision regions -------------------------------------------------------------------------
def test_decision_boundary_three_classes(rng):
    X, y, centres = three_blobs(rng)
    ax = P.decision_boundary(nearest_centre(centres), X, y, resolution=50)
    assert legend_texts(ax) == ["class 0", "class 1", "class 2"]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert_not_blank(ax)
    # The data are inside the drawn window.
    assert ax.get_xlim()[0] < X[:, 0].min() and ax.get_xlim()[1] > X[:, 0].max()


def test_decision_boundary_accepts_scores_and_draws_on_given_axes(rng):
    X, y, centres = three_blobs(rng)
    fig, (a, b) = plt.subplots(1, 2)
    scores = lambda G: -((G[:, None, :] - centres[None]) ** 2).sum(-1)  # (M, 3) scores
    out = P.decision_boundary(scores, X, y, ax=b, resolution=30)
    assert out is b and len(b.collections) > 0 and len(a.collections) == 0


def test_decision_boundary_bad_input(rng):
    X, y, centres = three_blobs(rng)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        P.decision_boundary(nearest_centre(centres), np.zeros((10, 3)), np.zeros(10))
    with pytest.raises(ValueError, match="must match"):
        P.decision_boundary(nearest_centre(centres), X, y[:-1])
    with pytest.raises(ValueError, match="one label per row"):
        P.decision_boundary(lambda G: np.zeros(3), X, y, resolution=10)
    with pytest.raises(TypeError, match="predict must be a function"):
        P.decision_boundary(np.zeros(3), X, y)


def test_perceptron_line_draws_the_line_and_handles_vertical_lines(rng):
    X, y, _ = three_blobs(rng)
    y = (y > 0).astype(int)
    ax = P.perceptron_line([1.0, 2.0], -0.5, X, y)
    assert any("w\\cdot x" in t for t in legend_texts(ax))
    assert "w = (1.00, 2.00)" in ax.get_title()
    assert_not_blank(ax)
    ax = P.perceptron_line(np.array([1.0, 0.0]), 0.5, X, y)  # the line x1 = -0.5
    assert any(np.allclose(line.get_xdata(), -0.5) for line in ax.lines)
    with pytest.raises(ValueError, match="2 weights"):
        P.perceptron_line([1.0, 2.0, 3.0], 0.0, X, y)


# -- curves -----------------------------------------------------------------------------------
HIST = {"loss": [1.0, 0.6, 0.4, 0.3], "val_loss": [1.1, 0.7, 0.6, 0.65],
        "accuracy": [0.5, 0.7, 0.8, 0.9], "val_accuracy": [0.45, 0.65, 0.7, 0.68]}


class FakeHistory:
    def __init__(self, **kw):
        self.__dict__.update(kw)


@pytest.mark.parametrize("history", [HIST, FakeHistory(**HIST)], ids=["dict", "attributes"])
def test_training_curves_loss_and_accuracy(history):
    fig = P.training_curves(history)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "Loss" and acc_ax.get_title() == "Accuracy"
    assert legend_texts(loss_ax)[:2] == ["train", "validation"]
    # The best validation epoch (lowest loss = epoch 3) is marked.
    assert any("epoch 3" in t for t in legend_texts(loss_ax))
    assert_not_blank(fig)


def test_training_curves_loss_only_and_empty():
    assert len(P.training_curves({"loss": [3, 2, 1]}).axes) == 1
    with pytest.raises(ValueError, match="none of loss"):
        P.training_curves({"epochs": [1, 2]})


def test_learning_rate_sweep_marks_divergence():
    t = np.arange(20)
    ax = P.learning_rate_sweep({0.1: np.exp(-t / 5), 5.0: np.exp(t)})
    texts = legend_texts(ax)
    assert "η = 0.1" in texts and "η = 5 (diverged)" in texts
    assert ax.get_yscale() == "log"
    assert_not_blank(ax)


def test_accuracy_vs_epsilon_and_line_chart():
    eps = np.linspace(0, 0.3, 4)
    ax = P.accuracy_vs_epsilon(eps, {"MLP": [0.95, 0.6, 0.3, 0.1], "CNN": [0.97, 0.8, 0.5, 0.3]},
                               chance=0.1)
    assert legend_texts(ax) == ["MLP", "CNN", "chance (0.1)"]
    assert ax.get_ylim()[0] <= 0 and ax.get_ylim()[1] >= 1
    assert_not_blank(ax)
    with pytest.raises(ValueError, match="fractions"):
        P.accuracy_vs_epsilon(eps, [95, 60, 30, 10])
    with pytest.raises(ValueError, match="4 ε"):
        P.accuracy_vs_epsilon(eps, [0.9, 0.5])
    ax = P.line_chart([1, 2, 3], [1, 10, 100], logy=True, xlabel="n", ylabel="count")
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "n"


# -- error surfaces ---------------------------------------------------------------------------
A = np.array([[3.0, 0.0], [0.0, 0.5]])


def gd(lr, steps=20, w0=(-2.5, 2.5)):
    w, out = np.array(w0), []
    for _ in range(steps + 1):
        out.append(w.copy())
        w = w - lr * A @ w
    return np.array(out)


def test_error_surface_shows_trajectories_and_divergence():
    loss = lambda w: 0.5 * (A[0, 0] * w[0] ** 2 + A[1, 1] * w[1] ** 2)
    ax = P.error_surface(loss, (-3, 3), trajectories={"small": gd(0.1), "too big": gd(0.75)})
    texts = legend_texts(ax)
    assert any(t.startswith("small") and "diverged" not in t for t in texts)
    assert any(t.startswith("too big") and "diverged" in t for t in texts)
    # Divergence must not blow up the axes: the window stays the one asked for.
    assert ax.get_xlim() == (-3, 3) and ax.get_ylim() == (-3, 3)
    assert ax.get_xlabel() == "$w_1$"
    assert_not_blank(ax)


def test_error_surface_works_with_non_vectorised_loss():
    calls = []

    def loss(w):  # matrix form only works on one (2,) vector at a time
        calls.append(1)
        return float(w @ A @ w)

    W1, W2, Z = P.evaluate_surface(loss, ((-1, 1), (-2, 2)), resolution=7)
    assert Z.shape == (7, 7)
    assert np.isclose(Z[3, 3], 0.0) and np.isclose(Z[0, 0], 3 + 0.5 * 4)
    ax = P.error_surface(loss, (-1, 1), resolution=10)
    assert ax.get_title() == "Error surface"


def test_error_surface_3d_and_bad_input():
    loss = lambda w: w[0] ** 2 + w[1] ** 2
    ax = P.error_surface_3d(loss, (-2, 2), trajectories={"gd": gd(0.1) / 2, "wild": gd(0.8)},
                            resolution=20)
    assert ax.name == "3d" and ax.get_zlabel() == "loss"
    assert np.isfinite(ax.get_zlim()).all() and ax.get_zlim()[1] <= 8.0 + 1e-9
    assert any("diverged" in t for t in legend_texts(ax))
    assert_not_blank(ax)
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        P.error_surface(loss, (-1, 1), trajectories={"bad": np.zeros((5, 3))}, resolution=5)
    with pytest.raises(ValueError, match="low < high"):
        P.error_surface(loss, (1, -1))


# -- activations ------------------------------------------------------------------------------
def test_activation_functions_grid():
    fig = P.activation_functions(["sigmoid", "tanh", "relu", "leaky_relu"], ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["sigmoid σ", "tanh", "ReLU", "leaky ReLU (0.1)"]
    assert legend_texts(visible[0]) == ["$f(z)$", "$f'(z)$"]
    assert_not_blank(fig)


def test_activation_functions_custom_and_formulas():
    fig = P.activation_functions({"square": lambda z: z ** 2}, z_range=(-2, 2))
    deriv = fig.axes[0].lines[-1]
    z, d = deriv.get_xdata(), deriv.get_ydata()
    assert np.allclose(d, 2 * z, atol=1e-5)  # numerical derivative of z^2
    with pytest.raises(ValueError, match="unknown activation"):
        P.activation_functions(["swishy"])
    f, df = P.get_activation("sigmoid")
    with np.errstate(over="raise"):
        assert f(np.array([-1000.0]))[0] < 1e-300 and f(np.array([1000.0]))[0] == 1.0   # no overflow
    z = np.linspace(-3, 3, 7)
    assert np.allclose(df(z), f(z) * (1 - f(z)))
    assert np.allclose(P.get_activation("tanh")[1](z), 1 - np.tanh(z) ** 2)
    assert np.array_equal(P.get_activation("relu")[1](np.array([-1.0, 0.0, 2.0])), [0, 0, 1])


# -- network diagram --------------------------------------------------------------------------
def test_network_diagram_circles_widths_and_labels(rng):
    Ws = [rng.normal(size=(2, 3)), rng.normal(size=(3, 1))]
    Ws[0][0, 0] = 10.0  # the biggest weight gets the thickest line
    ax = P.network_diagram(Ws)
    assert len(ax.patches) == 2 + 3 + 1
    widths = [line.get_linewidth() for line in ax.lines]
    assert max(widths) == ax.lines[0].get_linewidth()
    assert "$x_{1}$" in all_texts(ax) and r"$\hat y$" in all_texts(ax)
    assert legend_texts(ax) == ["positive weight", "negative weight"]
    assert_not_blank(ax)


def test_network_diagram_wide_layers_and_bad_shapes(rng):
    ax = P.network_diagram([rng.normal(size=(64, 30)), rng.normal(size=(30, 10))], max_neurons=8)
    assert "⋮" in all_texts(ax) and "$x_{64}$" in all_texts(ax)
    with pytest.raises(ValueError, match="do not chain"):
        P.network_diagram([np.ones((2, 3)), np.ones((4, 1))])


# -- computational graph ----------------------------------------------------------------------
class Node:
    """A stand-in with the attributes of autograd.Value."""

    def __init__(self, data, children=(), op="", label="", grad=0.0):
        self.data, self.children, self.op, self.label, self.grad = data, tuple(children), op, label, grad


def xyz_graph():
    x, y, z = Node(-2.0, label="x", grad=-4.0), Node(5.0, label="y", grad=-4.0), Node(-4.0, label="z", grad=3.0)
    q = Node(3.0, (x, y), "+", "q", -4.0)
    return Node(-12.0, (q, z), "*", "f", 1.0)


def test_computational_graph_lecture_example():
    ax = P.computational_graph(xyz_graph(), title="f = (x + y) z")
    texts = all_texts(ax)
    for expected in ["x", "data -2.00", "grad -4.00", "f", "data -12.00", "grad 3.00", "+", "×"]:
        assert expected in texts, expected
    # 5 value boxes + 2 operation circles + 6 arrows
    from matplotlib.patches import FancyArrowPatch

    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 6 and len(ax.patches) == 13
    # Inputs at the left, the output at the far right.
    x_of = {t.get_text(): t.get_position()[0] for t in ax.texts}
    assert x_of["x"] < x_of["q"] < x_of["f"]
    assert_not_blank(ax)


def test_computational_graph_thirty_nodes_and_shared_inputs():
    a = Node(0.5, label="a", grad=1.0)
    node = a
    for i in range(14):  # 15 values and 14 ops: a chain that reuses a at every step
        node = Node(node.data * a.data, (node, a), "*", f"v{i}")
    ax = P.computational_graph(node)
    assert sum(t.get_text() == "×" for t in ax.texts) == 14
    w, h = ax.figure.get_size_inches()
    assert w <= 14.5 and h <= 11.5  # shrunk to fit a notebook
    with pytest.raises(TypeError, match="output node"):
        P.computational_graph(3.0)


# -- images -----------------------------------------------------------------------------------
def test_image_grid_marks_wrong_predictions(rng):
    imgs = rng.random((6, 1, 8, 8))
    fig = P.image_grid(imgs, labels=[0, 1, 2, 3, 4, 5], predictions=[0, 1, 9, 3, 4, 5], ncols=3)
    titles = {ax.get_title(): ax.title.get_color() for ax in fig.axes}
    assert titles["true 1 / pred 1"] == "black"
    assert titles["true 2 / pred 9"] != "black"
    assert_not_blank(fig)
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\)"):
        P.image_grid(rng.random((2, 3, 8, 8)))
    with pytest.raises(ValueError, match="one per image"):
        P.image_grid(imgs, labels=[1, 2])


def test_filters_feature_maps_and_templates(rng):
    fig = P.filters(rng.normal(size=(4, 1, 3, 3)))
    im = fig.axes[0].images[0]
    lo, hi = im.get_clim()
    assert np.isclose(lo, -hi)  # symmetric: zero is the middle colour
    assert_not_blank(fig)
    fig = P.feature_maps(rng.normal(size=(1, 5, 6, 6)))
    assert sum(ax.get_visible() and bool(ax.images) for ax in fig.axes) == 5
    with pytest.raises(ValueError, match="one example"):
        P.feature_maps(rng.normal(size=(2, 5, 6, 6)))
    fig = P.weight_templates(rng.normal(size=(64, 10)), labels=range(10))
    assert "7" in [ax.get_title() for ax in fig.axes]
    assert_not_blank(fig)
    # Each template keeps its own scale: a unit with small weights is not washed out.
    W = np.ones((64, 2))
    W[:, 1] = 100.0
    W[0, 0] = -1.0
    fig = P.weight_templates(W)
    assert fig.axes[0].images[0].get_clim() == (-1.0, 1.0)
    with pytest.raises(ValueError, match="pixels, units"):
        P.weight_templates(rng.normal(size=(60, 10)))


# -- diagnostics ------------------------------------------------------------------------------
def test_layer_histograms_flat_and_nested(rng):
    fig = P.layer_histograms({"layer 1": rng.normal(size=(50, 10)), "layer 2": [rng.normal(size=5)] * 3})
    assert fig.axes[0].get_title().startswith("layer 1\nstd")
    assert_not_blank(fig)
    nested = {init: {f"L{i}": rng.normal(0, s, 100) for i in range(3)} for init, s in [("small", 0.01), ("big", 1)]}
    fig = P.layer_histograms(nested)
    assert len(fig.axes) == 6 and fig.axes[0].get_ylabel() == "small"
    with pytest.raises(ValueError, match="dict"):
        P.layer_histograms([rng.normal(size=10)])


def test_gradient_norms_grouped_bars_and_lines():
    ax = P.gradient_norms({"sigmoid": [1e-5, 1e-3, 1e-1], "ReLU": [0.5, 0.7, 1.0]},
                          layer_names=["1", "2", "3"])
    assert ax.get_yscale() == "log" and legend_texts(ax) == ["sigmoid", "ReLU"]
    assert len(ax.patches) == 6
    assert_not_blank(ax)
    ax = P.gradient_norms(np.logspace(0, -4, 20), kind="line", log=False)
    assert ax.get_yscale() == "linear" and len(ax.lines) == 1
    with pytest.raises(ValueError, match="negative"):
        P.gradient_norms([1.0, -1.0])
    with pytest.raises(ValueError, match="2 layer names for 3"):
        P.gradient_norms([1, 2, 3], layer_names=["a", "b"])


def test_gradient_norms_over_training_one_line_per_layer():
    norms = np.outer(np.linspace(1, 2, 30), [1e-3, 1e-2, 1e-1])  # (steps, layers)
    ax = P.gradient_norms_over_training(norms)
    assert ax.get_yscale() == "log" and len(ax.lines) == 3
    assert legend_texts(ax) == ["layer 1 (input side)", "layer 2", "layer 3 (output)"]
    assert np.allclose(ax.lines[0].get_ydata(), norms[:, 0]) and ax.get_xlabel() == "training step"
    assert_not_blank(ax)
    with pytest.raises(ValueError, match="2 layer names for 3 layers"):
        P.gradient_norms_over_training(norms, layer_names=["a", "b"])
    with pytest.raises(ValueError, match="negative"):
        P.gradient_norms_over_training(-norms)


def test_plotting_accepts_torch_tensors(rng):
    torch = pytest.importorskip("torch")
    X, y, centres = three_blobs(rng, n=10)
    ax = P.decision_boundary(lambda G: torch.as_tensor(nearest_centre(centres)(G)),
                             torch.as_tensor(X), torch.as_tensor(y), resolution=20)
    assert len(legend_texts(ax)) == 3


def test_training_curves_from_a_real_fit_history(rng):
    nn = pytest.importorskip("coursekit.nn")
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    model = nn.Sequential(nn.Dense(2, 4, seed=0), nn.Tanh(), nn.Dense(4, 2, seed=1))
    h = nn.fit(model, X, y, loss=nn.SoftmaxCrossEntropy(), optimizer=nn.SGD(lr=0.1), epochs=3,
               batch_size=20, validation_data=(X, y), progress=False)
    fig = P.training_curves(h)
    assert [ax.get_title() for ax in fig.axes] == ["Loss", "Accuracy"]
    # A regression history has accuracy entries of None: only the loss panel is drawn.
    assert len(P.training_curves({"loss": [1.0, 0.5], "accuracy": [None, None]}).axes) == 1


def test_computational_graph_of_a_real_autograd_value():
    ag = pytest.importorskip("coursekit.autograd")
    x, y, z = ag.Value(-2.0, "x"), ag.Value(5.0, "y"), ag.Value(-4.0, "z")
    f = (x + y) * z
    f.backward()
    texts = all_texts(P.computational_graph(f))
    assert "data -12.00" in texts and "grad 3.00" in texts and texts.count("grad -4.00") == 3


def test_computational_graph_puts_a_late_input_next_to_its_use():
    """The bias of w0*x0 + w1*x1 + w2 enters at the second add: its box must sit in the column
    just before that add, or its arrow crosses the first add (a misleading picture)."""
    from coursekit.autograd import Value
    from coursekit.plotting.graph import _collect, _layout

    w0, x0, w1, x1, w2 = (Value(v, n) for v, n in
                          [(2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")])
    first_add = w0 * x0 + w1 * x1
    second_add = first_add + w2
    f = second_add.sigmoid()
    f.backward()
    x, _, _ = _layout(_collect(f))
    assert x[("v", id(w2))] == x[("v", id(first_add))]
    assert x[("v", id(w2))] > x[("v", id(w0))]
    assert x[("v", id(w0))] == x[("v", id(x1))]
    ax = P.computational_graph(f)
    assert_not_blank(ax)


def test_image_grid_reshapes_rows_of_flattened_digits(rng):
    """X_test[:6] of the flat digits (6, 64) is six 8x8 pictures, not one 6x64 strip."""
    flat = rng.random((6, 64))
    fig = P.image_grid(flat, labels=[0, 1, 2, 3, 4, 5], ncols=3)
    drawn = [ax.images[0].get_array().shape for ax in fig.axes if ax.images]
    assert drawn == [(8, 8)] * 6
    one = P.image_grid(rng.random((8, 8)))  # a square array stays one picture
    assert [ax.images[0].get_array().shape for ax in one.axes if ax.images] == [(8, 8)]
    plt.close("all")


def test_training_curves_takes_a_plain_list_of_losses_and_explains_none():
    fig = P.training_curves([1.0, 0.6, 0.4, 0.3])
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_ydata()) == [1.0, 0.6, 0.4, 0.3]
    plt.close(fig)
    with pytest.raises(ValueError, match="history = fit"):
        P.training_curves(None)
    from coursekit.nn import History

    with pytest.raises(ValueError, match="empty: no epoch"):
        P.training_curves(History())


def test_step_curves_one_panel_per_setting_and_divergence_marked():
    steps = np.arange(10, 101, 10)
    ok = np.column_stack([steps, 2.0 * np.exp(-steps / 50)])
    boom = np.array([[4.0, 70.0], [5.0, np.inf]])
    fig = P.step_curves({"lr 0.1": {"plain": ok, "with batch norm": ok * [1, 1.1]},
                         "lr 1.0": {"plain": boom, "with batch norm": ok}}, title="t")
    a, b = fig.axes
    assert legend_texts(a) == ["plain", "with batch norm"]
    assert legend_texts(b) == ["plain: diverged at step 5", "with batch norm"]
    assert a.get_title() == "lr 0.1" and a.get_yscale() == "log"
    assert any(line.get_marker() == "x" for line in b.lines)
    assert_not_blank(a)
    with pytest.raises(ValueError, match="rows"):
        P.step_curves({"p": {"x": np.ones((5, 3))}})
    with pytest.raises(ValueError, match="panels"):
        P.step_curves({})


def test_remedy_curves_one_column_per_remedy_baseline_in_gray():
    base = {"loss": [1.0, 0.5, 0.2], "val_loss": [1.1, 0.9, 1.2], "accuracy": [0.5, 0.8, 1.0],
            "val_accuracy": [0.5, 0.7, 0.6]}
    wd = {"loss": [1.0, 0.7, 0.6], "val_loss": [1.1, 0.8, 0.7], "accuracy": [0.5, 0.7, 0.8],
          "val_accuracy": [0.5, 0.7, 0.8]}
    aug = {"loss": [0.8], "val_loss": [0.75], "accuracy": [0.7], "val_accuracy": [0.8]}
    fig = P.remedy_curves({"none": base, "weight decay": wd, "augmentation": aug}, epoch_scale={"augmentation": 3})
    assert len(fig.axes) == 4
    top = fig.axes[:2]
    assert [ax.get_title() for ax in top] == ["weight decay", "augmentation"]
    assert top[0].get_yscale() == "log"
    gray = [l for l in top[0].get_lines() if l.get_color() == "0.6"]
    assert len(gray) == 2 and list(gray[1].get_ydata()) == [1.1, 0.9, 1.2]
    # one epoch of the augmented run is drawn at epoch 3 of the others
    assert [x for l in top[1].get_lines() if l.get_color() != "0.6" for x in l.get_xdata()][0] == 3
    assert "none" in fig.get_suptitle()
    assert_not_blank(fig)
    with pytest.raises(ValueError, match="at least one remedy"):
        P.remedy_curves({"none": base})
    with pytest.raises(ValueError, match="baseline"):
        P.remedy_curves({"none": base, "wd": wd}, baseline="plain")
