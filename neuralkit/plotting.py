"""Pictures of training: cost curves, decision boundaries and convolution filters (needs
matplotlib).

matplotlib is an optional extra: ``pip install "neuralkit[plot]"``. It is imported only
when a function here is called, so ``import neuralkit`` never needs it. The functions draw
on the Axes they are given (or a new figure) and return it; they never call ``plt.show()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .callbacks import History

_INSTALL_HINT = 'pip install "neuralkit[plot]"'


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            f"neuralkit.plotting needs matplotlib, which is not installed. Install the optional "
            f"extra: {_INSTALL_HINT} (or pip install matplotlib)."
        ) from None
    return plt


def plot_history(history: History | dict[str, list[float]], keys: list[str] | None = None,
                 axes: Any = None, title: str | None = None) -> Any:
    """Training curves: one panel per quantity, the training curve and its ``val_`` twin.

    The course's "cost per iteration" picture: with ``batch_size >= m`` each epoch is one
    iteration of batch gradient descent.

    Parameters
    ----------
    history : History or dict
        ``model.fit(...)``'s return value, or its ``.history`` dict of per-epoch lists.
    keys : list of str, optional
        Quantities to draw ('loss', 'accuracy', ...); default: every key without a ``val_``
        prefix, loss first.
    axes : sequence of matplotlib Axes, optional
        One per key; by default a new figure with the panels side by side.
    title : str, optional
        Title of the figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    logs = history.history if hasattr(history, "history") else history
    if not isinstance(logs, dict) or not logs:
        raise ValueError(
            "history must be a History returned by fit (or its .history dict) with at least one "
            f"epoch logged; got {history!r}."
        )
    if keys is None:
        keys = [k for k in logs if not k.startswith("val_")]
        keys.sort(key=lambda k: k != "loss")
    unknown = [k for k in keys if k not in logs]
    if unknown:
        raise ValueError(f"keys {unknown} are not in the history; it has {sorted(logs)}.")
    plt = _pyplot()
    if axes is None:
        fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.5), squeeze=False)
        axes = axes[0]
    else:
        axes = list(np.atleast_1d(axes))
        if len(axes) != len(keys):
            raise ValueError(f"axes must hold one Axes per key ({len(keys)}); got {len(axes)}.")
        fig = axes[0].figure
    for ax, key in zip(axes, keys, strict=True):
        epochs = np.arange(1, len(logs[key]) + 1)
        ax.plot(epochs, logs[key], label="training")
        if f"val_{key}" in logs:
            val = logs[f"val_{key}"]
            ax.plot(np.arange(1, len(val) + 1), val, label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def decision_boundary(model: Any, X: Any, y: Any, ax: Any = None, resolution: int = 200,
                      margin: float = 0.1, title: str | None = None, cmap: str = "Spectral") -> Any:
    """The course's decision-boundary picture for 2-D inputs.

    Predicts every point of a ``resolution`` x ``resolution`` grid covering X (plus a
    ``margin`` fraction on each side) and colours the plane by predicted class (one output:
    ``A > 0.5``; several: arg-max), then draws the samples coloured by their label.

    Parameters
    ----------
    model : Sequential or callable
        Anything with ``predict(X)`` returning (n, 1) probabilities or (n, K) scores, or a
        function ``f(X) -> labels (n,)``.
    X : array-like, shape (m, 2)
    y : array-like, shape (m,) or (m, 1), or one-hot (m, K)
    ax : matplotlib Axes, optional
    resolution : int, default 200
    margin : float, default 0.1

    Returns
    -------
    matplotlib.axes.Axes
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"decision_boundary draws 2-D inputs: X must have shape (m, 2); got {X.shape}."
        )
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = y.reshape(-1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one label per row of X ({X.shape[0]}); got shape {y.shape}.")
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-12)
    gx, gy = np.meshgrid(np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
                         np.linspace(low[1] - pad[1], high[1] + pad[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    labels = _predict_labels(model, grid).reshape(gx.shape)
    n_classes = int(max(labels.max(), y.max())) + 1
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(gx, gy, labels, levels=levels, cmap=cmap, alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, s=14, edgecolors="k", linewidths=0.3,
               vmin=-0.5, vmax=n_classes - 0.5)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_filters(kernel: Any, ax: Any = None, channel: int = 0, columns: int = 8,
                 scale: str = "each", cmap: str = "gray", gap_color: str = "#4c72b0",
                 title: str | None = None) -> Any:
    """The filters of a convolution, side by side: the learned first layer of a CNN.

    Tiles ``W[:, :, channel, c]`` for every filter c (row by row, ``columns`` to a row, one
    pixel between tiles, drawn in ``gap_color``) into one image, on a colour scale symmetric
    about 0: black is -1, white +1 and mid-grey 0 after each filter is divided by its own
    ``max |W[:, :, channel, c]|`` (``scale='each'``: every filter's pattern shows), or
    ``-max |W|`` to ``max |W|`` over all of them (``scale='shared'``: their strengths compare).

    Parameters
    ----------
    kernel : Conv2D or array-like, shape (f_h, f_w, n_C_prev, n_C)
        A built :class:`~neuralkit.layers.Conv2D` (its ``W`` is drawn) or a kernel in its
        layout (Keras's).
    ax : matplotlib Axes, optional
    channel : int, default 0
        Which input channel of each filter to draw (a grey-scale image has only 0).
    columns : int, default 8
        Filters per row of tiles.
    scale : {'each', 'shared'}, default 'each'
    cmap : str, default 'gray'
    gap_color : str, default '#4c72b0'
        Colour of the pixels between the tiles (a blue, outside a grey scale).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        With one ``AxesImage``, whose array is the tiling of the scaled filters (NaN between
        the tiles).
    """
    W = kernel.params["W"] if hasattr(kernel, "params") else kernel
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 4:
        raise ValueError(f"plot_filters draws a Conv2D kernel of shape (f_h, f_w, n_C_prev, "
                         f"n_C); got shape {W.shape}.")
    f_h, f_w, n_c_prev, n_c = W.shape
    if not (isinstance(channel, (int, np.integer)) and 0 <= channel < n_c_prev):
        raise ValueError(f"channel must be an int in [0, {n_c_prev}) (the kernel's input "
                         f"channels); got {channel!r}.")
    if not (isinstance(columns, (int, np.integer)) and columns >= 1):
        raise ValueError(f"columns must be a positive int; got {columns!r}.")
    columns = min(int(columns), n_c)
    if scale not in ("each", "shared"):
        raise ValueError(f"scale must be 'each' or 'shared'; got {scale!r}.")
    W = W[:, :, channel]
    peak = np.abs(W).max(axis=(0, 1)) if scale == "each" else np.abs(W).max(initial=0.0)
    W = W / np.where(peak > 0, peak, 1.0)  # an all-zero filter stays 0 (mid-grey)
    rows = -(-n_c // columns)
    tiles = np.full((rows * (f_h + 1) - 1, columns * (f_w + 1) - 1), np.nan)
    for c in range(n_c):
        r, q = divmod(c, columns)
        top, left = r * (f_h + 1), q * (f_w + 1)
        tiles[top:top + f_h, left:left + f_w] = W[:, :, c]
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * columns + 1, 0.5 * rows + 1))
    ax.imshow(tiles, cmap=plt.get_cmap(cmap).with_extremes(bad=gap_color), vmin=-1.0, vmax=1.0,
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def _predict_labels(model: Any, X: np.ndarray) -> np.ndarray:
    if hasattr(model, "predict"):
        A = np.asarray(model.predict(X))
        if A.ndim == 2 and A.shape[1] > 1:
            return A.argmax(axis=1)
        return (A.reshape(-1) > 0.5).astype(np.int64)
    if callable(model):
        return np.asarray(model(X)).reshape(-1).astype(np.int64)
    raise TypeError(f"model must have a predict method or be callable; got {type(model).__name__}.")


__all__ = ["plot_history", "decision_boundary", "plot_filters"]
