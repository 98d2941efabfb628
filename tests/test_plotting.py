"""neuralkit.plotting and History.plot: what is drawn, and the message without matplotlib."""

import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from neuralkit import Sequential, plotting  # noqa: E402
from neuralkit.callbacks import History  # noqa: E402
from neuralkit.layers import Dense, Sigmoid, Softmax, Tanh  # noqa: E402
from tests.helpers import run_python  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _history(logs):
    history = History()
    for epoch in range(len(next(iter(logs.values())))):
        history.on_epoch_end(epoch, {k: v[epoch] for k, v in logs.items()})
    return history


def test_history_plot_draws_training_and_validation_curves():
    logs = {"loss": [0.9, 0.5, 0.3], "accuracy": [0.5, 0.7, 0.9],
            "val_loss": [1.0, 0.6, 0.5], "val_accuracy": [0.4, 0.6, 0.8]}
    fig = _history(logs).plot()
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_ylabel() == "loss" and acc_ax.get_ylabel() == "accuracy"
    for ax, key in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        train, val = ax.get_lines()
        assert list(train.get_xdata()) == [1, 2, 3]
        assert list(train.get_ydata()) == logs[key]
        assert list(val.get_ydata()) == logs[f"val_{key}"]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]


def test_history_plot_from_fit_and_key_selection():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    y = (X[:, 0] > 0).astype(float)
    model = Sequential([Dense(3, input_dim=2), Tanh(), Dense(1), Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=4, batch_size=40, verbose=0)
    fig = history.plot(keys=["loss"], title="cost")
    (ax,) = fig.axes
    (line,) = ax.get_lines()  # no validation curve without validation data
    assert np.allclose(line.get_ydata(), history.history["loss"])
    assert fig._suptitle.get_text() == "cost"
    with pytest.raises(ValueError, match=r"keys \['mae'\] are not in the history"):
        history.plot(keys=["mae"])
    with pytest.raises(ValueError, match="at least one epoch"):
        History().plot()


def test_decision_boundary_colours_the_plane_by_prediction():
    # A fixed linear model x1 > 0 (a big weight, so the sigmoid is sharp): the filled
    # contour's regions must split at x1 = 0.
    model = Sequential([Dense(1, input_dim=2), Sigmoid()])
    model.set_parameters({"W1": np.array([[50.0, 0.0]]), "b1": np.array([[0.0]])})
    X = np.array([[-2.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [2.0, 1.0]])
    y = np.array([0, 0, 1, 1])
    ax = plotting.decision_boundary(model, X, y, resolution=41, title="linear")
    assert ax.get_title() == "linear"
    contour = next(c for c in ax.get_children() if isinstance(c, matplotlib.contour.ContourSet))
    assert list(contour.levels) == [-0.5, 0.5, 1.5]
    grid = np.column_stack([np.linspace(-2.4, 2.4, 41), np.zeros(41)])
    labels = plotting._predict_labels(model, grid)
    assert np.array_equal(labels, (grid[:, 0] > 0).astype(int))
    scatter = ax.collections[-1]
    assert np.array_equal(scatter.get_offsets(), X)
    assert np.array_equal(scatter.get_array(), y)


def test_decision_boundary_multiclass_and_callable():
    model = Sequential([Dense(3, input_dim=2), Softmax()], seed=0)
    X = np.random.default_rng(1).standard_normal((30, 2))
    onehot = np.eye(3)[np.arange(30) % 3]
    ax = plotting.decision_boundary(model, X, onehot)
    assert np.array_equal(ax.collections[-1].get_array(), np.arange(30) % 3)
    ax = plotting.decision_boundary(lambda G: G[:, 1] > 0, X, np.arange(30) % 2)
    assert ax.get_xlabel() == "$x_1$"


def test_decision_boundary_bad_input():
    model = Sequential([Dense(1, input_dim=3), Sigmoid()])
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\); got \(4, 3\)"):
        plotting.decision_boundary(model, np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="one label per row of X"):
        plotting.decision_boundary(model, np.zeros((4, 2)), np.zeros(5))
    with pytest.raises(TypeError, match="predict method or be callable"):
        plotting.decision_boundary(object(), np.zeros((4, 2)), np.zeros(4))


def test_without_matplotlib_the_error_names_the_extra(monkeypatch):
    # None in sys.modules makes `import matplotlib.pyplot` raise ImportError, as if absent.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "neuralkit\[plot\]"'):
        _history({"loss": [1.0]}).plot()
    with pytest.raises(ImportError, match=r'pip install "neuralkit\[plot\]"'):
        plotting.decision_boundary(lambda G: G[:, 0] > 0, np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(ImportError, match=r'pip install "neuralkit\[plot\]"'):
        plotting.plot_filters(np.zeros((3, 3, 1, 2)))


def test_import_neuralkit_does_not_import_matplotlib_or_h5py(tmp_path):
    code = ("import sys, neuralkit; "
            "print(any(m.split('.')[0] in ('matplotlib', 'h5py') for m in sys.modules))")
    out = run_python(["-c", code], cwd=tmp_path)
    assert out.stdout.strip() == "False"


def test_plot_filters_tiles_each_filter_in_its_place():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 2, 2, 5))  # 5 filters of 3 x 2 over 2 input channels
    W[:, :, 1, 4] = 0.0  # an all-zero filter
    limit = np.abs(W[:, :, 1]).max()
    for scale in ("shared", "each"):
        ax = plotting.plot_filters(W, channel=1, columns=3, scale=scale, title="filters")
        assert ax.get_title() == "filters"
        (image,) = ax.get_images()
        assert image.get_clim() == (-1.0, 1.0)  # symmetric about 0
        tiles = np.ma.filled(image.get_array(), np.nan)
        assert tiles.shape == (2 * 4 - 1, 3 * 3 - 1)  # 2 rows of 3 tiles, a pixel between them
        for c in range(5):
            r, q = divmod(c, 3)
            peak = limit if scale == "shared" else (np.abs(W[:, :, 1, c]).max() or 1.0)
            assert np.allclose(tiles[4 * r:4 * r + 3, 3 * q:3 * q + 2], W[:, :, 1, c] / peak)
        assert np.isnan(tiles[3]).all() and np.isnan(tiles[:, 2]).all()  # the gaps
        assert np.isnan(tiles[4:, 6:]).all()  # no sixth filter


def test_plot_filters_of_a_conv2d_layer_and_bad_input():
    from neuralkit.layers import Conv2D, Flatten

    model = Sequential([Conv2D(4, 3, input_shape=(6, 6, 1)), Flatten(), Dense(1)], seed=0)
    ax = plotting.plot_filters(model.layers[0])
    tiles = np.ma.filled(ax.get_images()[0].get_array(), np.nan)
    assert tiles.shape == (3, 4 * 4 - 1)  # fewer filters than columns: one row of 4
    W1 = model.layers[0].params["W"][:, :, 0, 1]
    assert np.allclose(tiles[:, 4:7], W1 / np.abs(W1).max())
    with pytest.raises(ValueError, match=r"shape \(f_h, f_w, n_C_prev, n_C\); got shape \(3, 3\)"):
        plotting.plot_filters(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"channel must be an int in \[0, 1\)"):
        plotting.plot_filters(np.zeros((3, 3, 1, 4)), channel=1)
    with pytest.raises(ValueError, match="columns must be a positive int"):
        plotting.plot_filters(np.zeros((3, 3, 1, 4)), columns=0)
    with pytest.raises(ValueError, match="scale must be 'each' or 'shared'; got 'all'"):
        plotting.plot_filters(np.zeros((3, 3, 1, 4)), scale="all")
