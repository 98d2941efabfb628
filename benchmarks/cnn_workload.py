"""The CNN workload of ``benchmarks/training.py``: its data, GEMM floor, neuralkit and PyTorch runs.

The network (Keras's Fashion-MNIST classic)::

    28x28x1 -> Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2)
            -> Flatten -> Dense(128, relu) -> Dense(10, softmax)

batch 128, float32, Adam (learning rate 1e-3), sparse categorical cross-entropy, on synthetic
Fashion-MNIST-shaped data (60000 random images in [0, 1), random labels 0-9; the speed of
these layers does not depend on the values). An epoch of 60000 images is 469 batches; each
run times ``timed_batches`` of them per epoch (the first ``timed_batches * 128`` images) and
reports seconds per epoch extrapolated to the 60000 images (x 60000 / (timed_batches * 128)).

- ``gemm_floor``: the matrix products neuralkit's Conv2D and Dense make for those batches,
  with their shapes and memory layouts, outputs preallocated, nothing else (no im2col copy,
  no pooling, no activation, no optimizer): per batch, conv 1 (its columns stored transposed,
  (10, 86528)) forward ``cols.T @ K`` and dW ``cols @ dZ``, no dA_prev (first layer); conv 2
  (cols (15488, 289)) forward ``cols @ K``, dW ``cols.T @ dZ`` and dA_prev as three products
  ``dZ @ W[p].T`` (one per kernel row, (64, 96) each); the two Dense layers as in the MLP
  floor.
- ``neuralkit``: ``Sequential.fit`` with Adam, shuffled, verbose=0, timed per epoch by a callback.
- ``torch``: the same network in PyTorch (NCHW: the images transposed once, before timing),
  ``torch.optim.Adam``, ``CrossEntropyLoss`` on the logits, shuffled index batches.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

__all__ = ["WORKLOAD", "data", "run_gemm_floor", "run_neuralkit", "run_torch", "RUNNERS"]

WORKLOAD: dict[str, Any] = dict(
    title="60000x28x28x1 -> Conv2D(32,3,relu) -> MaxPool(2) -> Conv2D(64,3,relu) -> MaxPool(2) "
          "-> Flatten -> Dense(128,relu) -> Dense(10,softmax), batch 128, float32, Adam",
    m=60000, shape=(28, 28, 1), n_out=10, batch=128, dtype="float32", cnn=True,
    timed_batches=40, quick_timed_batches=12, epochs=3, quick_epochs=1,
    optimizer={"name": "adam", "learning_rate": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8})
LEARNING_RATE = WORKLOAD["optimizer"]["learning_rate"]


def data(w: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.random((w["m"], *w["shape"]), dtype=np.float32)
    y = rng.integers(0, w["n_out"], w["m"])
    return X, y


def _timed(w: dict[str, Any], timed_batches: int) -> tuple[int, float]:
    """Images timed per epoch, and the factor that makes their time an epoch's."""
    n = min(w["m"], timed_batches * w["batch"])
    return n, w["m"] / n


def run_gemm_floor(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int,
                   timed_batches: int) -> list[float]:
    rng = np.random.default_rng(1)
    f32 = np.float32
    b = w["batch"]
    n, scale = _timed(w, timed_batches)
    sizes = [b] * (n // b) + ([n % b] if n % b else [])

    def r(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape, dtype=f32)

    M1, M2 = b * 26 * 26, b * 11 * 11
    cols1, K1, Z1, dZ1, dW1 = r(10, M1), r(10, 32), r(M1, 32), r(M1, 32), r(10, 32)
    cols2, K2, Z2, dZ2, dW2 = r(M2, 289), r(289, 64), r(M2, 64), r(M2, 64), r(289, 64)
    W2rows, share = r(3, 96, 64), r(M2, 96)
    A3, W3, Z3, dZ3, dW3, dA3 = r(b, 1600), r(128, 1600), r(b, 128), r(b, 128), r(128, 1600), r(b, 1600)
    W4, Z4, dZ4, dW4, dA4 = r(10, 128), r(b, 10), r(b, 10), r(10, 128), r(b, 128)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for k in sizes:
            m1, m2 = k * 676, k * 121
            np.matmul(cols1[:, :m1].T, K1, out=Z1[:m1])
            np.matmul(cols2[:m2], K2, out=Z2[:m2])
            np.matmul(A3[:k], W3.T, out=Z3[:k])
            np.matmul(Z3[:k], W4.T, out=Z4[:k])
            np.matmul(dZ4[:k].T, Z3[:k], out=dW4)
            np.matmul(dZ4[:k], W4, out=dA4[:k])
            np.matmul(dZ3[:k].T, A3[:k], out=dW3)
            np.matmul(dZ3[:k], W3, out=dA3[:k])
            np.matmul(cols2[:m2].T, dZ2[:m2], out=dW2)
            for p in range(3):
                np.matmul(dZ2[:m2], W2rows[p].T, out=share[:m2])
            np.matmul(cols1[:, :m1], dZ1[:m1], out=dW1)
        times.append((time.perf_counter() - start) * scale)
    return times


def _model() -> Any:
    from neuralkit import Sequential
    from neuralkit.layers import Conv2D, Dense, Flatten, MaxPooling2D

    return Sequential([Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)), MaxPooling2D(2),
                       Conv2D(64, 3, activation="relu"), MaxPooling2D(2), Flatten(),
                       Dense(128, activation="relu"), Dense(10, activation="softmax")],
                      seed=0, dtype="float32")


def run_neuralkit(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int,
                  timed_batches: int) -> list[float]:
    from neuralkit.callbacks import Callback
    from neuralkit.optimizers import Adam

    class EpochTimer(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.times.append(time.perf_counter() - self._start)

    n, scale = _timed(w, timed_batches)
    model = _model()
    model.compile(optimizer=Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy")
    timer = EpochTimer()
    model.fit(X[:n], y[:n], epochs=epochs, batch_size=w["batch"], shuffle=True, verbose=0,
              callbacks=[timer])
    return [t * scale for t in timer.times]


def run_torch(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int,
              timed_batches: int) -> list[float]:
    import torch
    from torch import nn

    torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3),
                        nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(),
                        nn.Linear(128, 10))
    n, scale = _timed(w, timed_batches)
    Xt = torch.from_numpy(np.ascontiguousarray(X[:n].transpose(0, 3, 1, 2)))
    Yt = torch.from_numpy(y[:n])
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    b = w["batch"]
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        for s in range(0, n, b):
            idx = order[s:s + b]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(Xt[idx]), Yt[idx])
            loss.backward()
            opt.step()
            loss.item()
        times.append((time.perf_counter() - start) * scale)
    return times


RUNNERS = {"gemm_floor": run_gemm_floor, "neuralkit": run_neuralkit, "torch": run_torch,
           "neuralkit_baseline": run_neuralkit}
