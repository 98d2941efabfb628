"""The MLP workloads of ``benchmarks/training.py``: their data, GEMM floor, NumPy loop and neuralkit runs.

Each workload is a dense network on synthetic data (standard normal inputs; random labels for
a softmax, a linear rule for a sigmoid) with an ``optimizer`` field: plain SGD at
``LEARNING_RATE`` unless it says otherwise, Adam where it says ``ADAM``. Every implementation
that runs a workload uses those hyperparameters.

- ``run_gemm_floor``: only the matrix products one epoch needs, outputs preallocated, in the two
  layouts a framework may store W in, interleaved epoch by epoch (the order alternating) so both
  see the same machine state: ``out_in``, W stored (n_out, n_in) (forward A_prev @ W.T,
  backward dZ.T @ A_prev and dZ @ W) and ``in_out``, W stored (n_in, n_out) (forward
  A_prev @ W, backward A_prev.T @ dZ and dZ @ W.T); no dX for the first layer.
  ``faster_layout`` picks the faster of the two: that is the floor.
- ``run_numpy_loop``: the training loop a user would write by hand in NumPy (the course's
  forward and backward with samples as rows, in-place ReLU, a stable softmax or sigmoid,
  fancy-indexed batches, SGD or the course's Adam with bias-corrected moments, in place).
- ``run_neuralkit``: ``Sequential.fit`` with ``optimizers.SGD`` or ``optimizers.Adam`` (shuffled
  when a batch is smaller than the data, verbose=0), timed per epoch by a callback inside one fit.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np

__all__ = ["LEARNING_RATE", "SGD", "ADAM", "WORKLOADS", "LAYOUTS", "data", "run_gemm_floor",
           "faster_layout", "run_numpy_loop", "run_neuralkit"]

LEARNING_RATE = 0.01
SGD: dict[str, Any] = {"name": "sgd", "learning_rate": LEARNING_RATE}
ADAM: dict[str, Any] = {"name": "adam", "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                        "epsilon": 1e-8}
_A = dict(m=60000, n_x=784, hidden=[256, 128], n_out=10, epochs=3, quick_epochs=1)
WORKLOADS: dict[str, dict[str, Any]] = {
    "a": dict(title="60000x784 -> 256 ReLU -> 128 ReLU -> 10 softmax, batch 128, float32",
              **_A, batch=128, dtype="float32", optimizer=SGD),
    "a'": dict(title="same as (a), float64", **_A, batch=128, dtype="float64", optimizer=SGD),
    "adam": dict(title="same as (a), Adam(0.001, 0.9, 0.999, 1e-8): batch 128, float32",
                 **_A, batch=128, dtype="float32", optimizer=ADAM),
    "adam32": dict(title="same as (a), Adam(0.001, 0.9, 0.999, 1e-8), batch 32, float32",
                   **_A, batch=32, dtype="float32", optimizer=ADAM),
    "b": dict(title="209x12288 -> 20 -> 7 -> 5 -> 1 sigmoid, full batch, float64 (the cat network)",
              m=209, n_x=12288, hidden=[20, 7, 5], n_out=1, batch=209, dtype="float64",
              epochs=100, quick_epochs=30, optimizer=SGD),
    "c": dict(title="1000x20 -> 16 ReLU -> 1 sigmoid, batch 32, float64",
              m=1000, n_x=20, hidden=[16], n_out=1, batch=32, dtype="float64",
              epochs=100, quick_epochs=30, optimizer=SGD),
}
LAYOUTS = {"out_in": "W stored (n_out, n_in): A_prev @ W.T, dZ.T @ A_prev, dZ @ W",
           "in_out": "W stored (n_in, n_out): A_prev @ W, A_prev.T @ dZ, dZ @ W.T"}


def data(w: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((w["m"], w["n_x"]), dtype=w["dtype"])
    if w["n_out"] == 1:
        y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    else:
        y = rng.integers(0, w["n_out"], w["m"])
    return X, y


def run_gemm_floor(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> dict[str, list[float]]:
    """Seconds of each epoch in each layout (``LAYOUTS``), the layouts interleaved."""
    dims = [w["n_x"], *w["hidden"], w["n_out"]]
    rng = np.random.default_rng(1)
    dtype = np.dtype(w["dtype"])
    W_out_in = [rng.standard_normal((dims[i + 1], dims[i])).astype(dtype) for i in range(len(dims) - 1)]
    W_in_out = [np.ascontiguousarray(W.T) for W in W_out_in]
    full, rest = divmod(w["m"], w["batch"])
    sizes = [w["batch"]] * full + ([rest] if rest else [])
    b = sizes[0]
    acts = [np.ascontiguousarray(X[:b])] + [rng.standard_normal((b, d)).astype(dtype) for d in dims[1:]]
    outs = [np.empty((b, d), dtype) for d in dims[1:]]
    dAs = [np.empty((b, d), dtype) for d in dims[:-1]]
    dW_out_in, dW_in_out = [np.empty_like(W) for W in W_out_in], [np.empty_like(W) for W in W_in_out]

    def out_in(n: int) -> None:
        for i, W in enumerate(W_out_in):
            np.matmul(acts[i][:n], W.T, out=outs[i][:n])
        for i in range(len(W_out_in) - 1, -1, -1):
            dZ = acts[i + 1][:n]
            np.matmul(dZ.T, acts[i][:n], out=dW_out_in[i])
            if i > 0:
                np.matmul(dZ, W_out_in[i], out=dAs[i][:n])

    def in_out(n: int) -> None:
        for i, W in enumerate(W_in_out):
            np.matmul(acts[i][:n], W, out=outs[i][:n])
        for i in range(len(W_in_out) - 1, -1, -1):
            dZ = acts[i + 1][:n]
            np.matmul(acts[i][:n].T, dZ, out=dW_in_out[i])
            if i > 0:
                np.matmul(dZ, W_in_out[i].T, out=dAs[i][:n])

    steps = {"out_in": out_in, "in_out": in_out}
    times: dict[str, list[float]] = {name: [] for name in steps}
    for epoch in range(epochs):
        for name in (list(steps) if epoch % 2 == 0 else list(steps)[::-1]):
            step = steps[name]
            start = time.perf_counter()
            for n in sizes:
                step(n)
            times[name].append(time.perf_counter() - start)
    return times


def faster_layout(times: dict[str, list[float]]) -> dict[str, Any]:
    """The floor of one run: the layout whose median epoch is the shorter, its median, both medians."""
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    best = min(medians, key=lambda name: (medians[name], name))
    return {"epoch_s": medians[best], "layout": best, "layout_epoch_s": medians}


def run_numpy_loop(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    from scipy.special import expit

    dtype = np.dtype(w["dtype"])
    dims = [w["n_x"], *w["hidden"], w["n_out"]]
    rng = np.random.default_rng(0)
    Ws = [(rng.uniform(-1, 1, (dims[i + 1], dims[i])) * np.sqrt(6 / (dims[i] + dims[i + 1])))
          .astype(dtype) for i in range(len(dims) - 1)]
    bs = [np.zeros(d, dtype) for d in dims[1:]]
    Y = (y.reshape(-1, 1) if w["n_out"] == 1 else np.eye(w["n_out"])[y]).astype(dtype)
    m, b, L = w["m"], w["batch"], len(Ws)
    opt = w["optimizer"]
    lr = opt["learning_rate"]
    adam = opt["name"] == "adam"
    if adam:  # the course's Adam: moments per parameter, bias-corrected, updated in place
        b1, b2, eps = opt["beta_1"], opt["beta_2"], opt["epsilon"]
        moments = {id(p): (np.zeros_like(p), np.zeros_like(p)) for p in Ws + bs}
    t = 0

    def adam_update(p: np.ndarray, g: np.ndarray) -> None:
        v, s = moments[id(p)]
        v *= b1
        v += (1 - b1) * g
        s *= b2
        s += (1 - b2) * g * g
        denom = np.sqrt(s / (1 - b2 ** t))
        denom += eps
        p -= (lr / (1 - b1 ** t)) * v / denom

    batches = [slice(s, s + b) for s in range(0, m, b)]
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(m) if b < m else None
        for rows in batches:
            idx = rows if order is None else order[rows]
            Xb, Yb = X[idx], Y[idx]
            As = [Xb]
            for i in range(L):
                Z = As[-1] @ Ws[i].T
                Z += bs[i]
                if i < L - 1:
                    np.maximum(Z, 0, out=Z)
                As.append(Z)
            Z = As[-1]
            if w["n_out"] == 1:
                A = expit(Z)
                loss = np.mean(np.logaddexp(0, Z) - Yb * Z)
            else:
                shifted = Z - Z.max(axis=1, keepdims=True)
                E = np.exp(shifted)
                sums = E.sum(axis=1, keepdims=True)
                loss = np.mean(np.log(sums[:, 0]) - np.sum(Yb * shifted, axis=1))
                A = E / sums
            float(loss)  # a training loop reports its loss
            dZ = (A - Yb) / Xb.shape[0]
            t += 1
            for i in range(L - 1, -1, -1):
                dW, db = dZ.T @ As[i], dZ.sum(axis=0)
                if i > 0:
                    dZ = dZ @ Ws[i]
                    dZ *= As[i] > 0
                if adam:
                    adam_update(Ws[i], dW)
                    adam_update(bs[i], db)
                else:  # plain SGD inline, as the loop has always been
                    Ws[i] -= lr * dW
                    bs[i] -= lr * db
        times.append(time.perf_counter() - start)
    return times


def run_neuralkit(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    from neuralkit import Sequential, optimizers
    from neuralkit.callbacks import Callback
    from neuralkit.layers import Dense, ReLU, Sigmoid, Softmax

    layers: list[Any] = []
    for units in w["hidden"]:
        layers += [Dense(units), ReLU()]
    layers += [Dense(w["n_out"]), Softmax() if w["n_out"] > 1 else Sigmoid()]
    model = Sequential(layers, seed=0, dtype=w["dtype"])
    opt = w["optimizer"]
    if opt["name"] == "adam":
        optimizer: Any = optimizers.Adam(learning_rate=opt["learning_rate"], beta_1=opt["beta_1"],
                                         beta_2=opt["beta_2"], epsilon=opt["epsilon"])
    else:
        optimizer = optimizers.SGD(opt["learning_rate"])
    model.compile(optimizer=optimizer)

    class Stamps(Callback):  # a stock Callback (a --baseline tree may predate LambdaCallback)
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.stamps.append(time.perf_counter())

        on_epoch_end = on_epoch_begin

    timer = Stamps()
    timer.stamps = []
    model.fit(X, y, epochs=epochs, batch_size=w["batch"], shuffle=True, verbose=0, callbacks=[timer])
    return [end - begin for begin, end in zip(timer.stamps[::2], timer.stamps[1::2], strict=True)]


RUNNERS = {"gemm_floor": run_gemm_floor, "numpy_loop": run_numpy_loop, "neuralkit": run_neuralkit}
