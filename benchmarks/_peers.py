"""The peers of ``benchmarks/training.py`` on the MLP workloads: PyTorch, scikit-learn and JAX.

Each runner trains the workload's network (``benchmarks/mlp_workload.py``) with the workload's
optimizer (its ``optimizer`` field: plain SGD, or Adam with its learning rate, betas and
epsilon), the workload's batch size and dtype, and returns the seconds of each epoch.

- ``run_torch``: a plain PyTorch loop over index batches of in-memory tensors
  (``torch.randperm`` each epoch), ``torch.optim.SGD`` or ``torch.optim.Adam`` (defaults
  otherwise), ``loss.item()`` each batch, ``torch.set_num_threads(BENCH_THREADS)``.
- ``run_sklearn``: ``MLPClassifier(solver='sgd', momentum=0)`` or ``solver='adam'`` (same
  betas and epsilon), ``alpha=0``, the workload's batch size and ``learning_rate_init``, one
  ``partial_fit`` per epoch.
- ``run_jax``: the whole training step (forward, softmax or sigmoid cross-entropy,
  ``jax.value_and_grad``, the ``optax.sgd`` or ``optax.adam`` update) under one ``jax.jit``,
  parameters and optimizer state donated; the data as device arrays, each epoch's
  permutation a device array and a batch gathered by index inside the step
  (``lax.dynamic_slice`` of the permutation; no shuffling and no gather when a batch is the
  whole data set; the data passed as arguments, not baked into the compiled step);
  ``block_until_ready`` at the end of each epoch (the loss is not read per batch: JAX
  dispatches asynchronously). float64 workloads turn on ``jax_enable_x64``.
  Threads: jax 0.10 has no setting for its CPU thread pools, and the XLA_FLAGS once used for
  that do not pin them (``intra_op_parallelism_threads`` is not an XLA flag any more and is
  rejected; ``--xla_cpu_multi_thread_eigen=false`` still left 3-4 threads busy during a
  matmul loop). XLA sizes its pools from the CPUs the process may run on, so ``pin_cpus``
  restricts the worker's CPU affinity to ``BENCH_THREADS`` CPUs before jax is imported
  (checked with per-thread CPU time: one busy thread under one CPU). With as many threads as
  the machine has cores (the default 2 on a 2-core machine) that restricts nothing; with fewer,
  JAX runs pinned to fixed cores where the others float.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

import numpy as np

__all__ = ["run_torch", "run_sklearn", "run_jax", "pin_cpus", "RUNNERS"]


def run_torch(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    import torch

    torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
    torch.manual_seed(0)
    dtype = torch.float32 if w["dtype"] == "float32" else torch.float64
    dims = [w["n_x"], *w["hidden"], w["n_out"]]
    mods: list[Any] = []
    for i in range(len(dims) - 1):
        mods.append(torch.nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            mods.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*mods).to(dtype)
    Xt = torch.from_numpy(X)
    if w["n_out"] == 1:
        Yt = torch.from_numpy(y.reshape(-1, 1)).to(dtype)
        loss_fn: Any = torch.nn.BCEWithLogitsLoss()
    else:
        Yt = torch.from_numpy(y)
        loss_fn = torch.nn.CrossEntropyLoss()
    o = w["optimizer"]
    if o["name"] == "adam":
        opt: Any = torch.optim.Adam(net.parameters(), lr=o["learning_rate"],
                                    betas=(o["beta_1"], o["beta_2"]), eps=o["epsilon"])
    else:
        opt = torch.optim.SGD(net.parameters(), lr=o["learning_rate"])
    m, b = w["m"], w["batch"]
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for idx in torch.randperm(m).split(b) if b < m else [slice(None)]:  # views of the permutation
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(Xt[idx]), Yt[idx])
            loss.backward()
            opt.step()
            loss.item()  # a training loop reports its loss; this also syncs
        times.append(time.perf_counter() - start)
    return times


def run_sklearn(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    from sklearn.neural_network import MLPClassifier

    o = w["optimizer"]
    if o["name"] == "adam":
        solver: dict[str, Any] = dict(solver="adam", beta_1=o["beta_1"], beta_2=o["beta_2"],
                                      epsilon=o["epsilon"])
    else:
        solver = dict(solver="sgd", momentum=0.0)
    clf = MLPClassifier(hidden_layer_sizes=tuple(w["hidden"]), alpha=0.0,
                        learning_rate_init=o["learning_rate"], batch_size=w["batch"],
                        shuffle=True, random_state=0, **solver)
    classes = np.unique(y)
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            start = time.perf_counter()
            clf.partial_fit(X, y, classes=classes)
            times.append(time.perf_counter() - start)
    return times


def pin_cpus(threads: int) -> list[int]:
    """Restrict this process to ``threads`` of its CPUs (the lowest numbered); return the CPUs it has."""
    cpus = sorted(os.sched_getaffinity(0))
    if 0 < threads < len(cpus):
        os.sched_setaffinity(0, cpus[:threads])
    return sorted(os.sched_getaffinity(0))


def run_jax(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    pin_cpus(int(os.environ["BENCH_THREADS"]))  # before jax starts its thread pools
    import jax
    import jax.numpy as jnp
    import optax

    if w["dtype"] == "float64":
        jax.config.update("jax_enable_x64", True)
    dims = [w["n_x"], *w["hidden"], w["n_out"]]
    rng = np.random.default_rng(0)
    params = [(jnp.asarray((rng.uniform(-1, 1, (dims[i], dims[i + 1]))
                            * np.sqrt(6 / (dims[i] + dims[i + 1]))).astype(w["dtype"])),
               jnp.zeros(dims[i + 1], w["dtype"])) for i in range(len(dims) - 1)]
    o = w["optimizer"]
    if o["name"] == "adam":
        tx = optax.adam(o["learning_rate"], b1=o["beta_1"], b2=o["beta_2"], eps=o["epsilon"])
    else:
        tx = optax.sgd(o["learning_rate"])
    state = tx.init(params)
    Xd = jnp.asarray(X)
    Yd = jnp.asarray(y.astype(w["dtype"]) if w["n_out"] == 1 else y.astype(np.int32))
    m, b = w["m"], w["batch"]
    shuffled = b < m

    def loss_fn(params: Any, xb: Any, yb: Any) -> Any:
        a = xb
        for W, bias in params[:-1]:
            a = jax.nn.relu(a @ W + bias)
        z = a @ params[-1][0] + params[-1][1]
        if w["n_out"] == 1:
            z = z[:, 0]
            return jnp.mean(jnp.logaddexp(0, z) - yb * z)
        return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(z, yb))

    def step(params: Any, state: Any, Xd: Any, Yd: Any, order: Any, start: Any, size: int) -> Any:
        if shuffled:
            idx = jax.lax.dynamic_slice_in_dim(order, start, size)
            xb, yb = Xd[idx], Yd[idx]
        else:
            xb, yb = Xd, Yd
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    jstep = jax.jit(step, static_argnames="size", donate_argnums=(0, 1))
    batches = [(s, min(b, m - s)) for s in range(0, m, b)]
    perm = np.random.default_rng(1)
    order = jnp.arange(m, dtype=jnp.int32)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        if shuffled:
            order = jnp.asarray(perm.permutation(m).astype(np.int32))
        for s, size in batches:
            params, state, loss = jstep(params, state, Xd, Yd, order, s, size=size)
        jax.block_until_ready((params, state, loss))
        times.append(time.perf_counter() - start)
    return times


RUNNERS = {"torch": run_torch, "sklearn": run_sklearn, "jax": run_jax}
