"""Training speed against the machine's limit: neuralkit's fit beside its GEMM floor and peers.

For each workload, seconds per epoch of:

- ``gemm_floor``: only the matrix multiplies one epoch needs (per layer and batch: forward
  A_prev @ W.T, backward dZ.T @ A_prev and dZ @ W, no dX for the first layer), same shapes
  and dtype, outputs preallocated. No real training loop can beat it by much.
- ``numpy_loop``: the training loop a user would write by hand in NumPy (the course's
  forward and backward with samples as rows, in-place ReLU and SGD, a stable softmax or
  sigmoid, fancy-indexed batches): what neuralkit's layers, checks and guard cost on top.
- ``neuralkit``: ``Sequential.fit`` with plain SGD (shuffling when a batch is smaller than the
  data, verbose=0), timed per epoch by a callback inside one fit call.
- ``torch`` (when installed): a plain PyTorch training loop over index batches of in-memory
  tensors, plain SGD.
- ``sklearn`` (when installed): ``MLPClassifier(solver='sgd', momentum=0, alpha=0)``, one
  ``partial_fit`` per epoch.

Workload (cnn) is a convolutional network trained with Adam (``benchmarks/cnn_workload.py``
says exactly what each implementation runs): ``gemm_floor`` (its im2col matrix products),
``neuralkit`` and ``torch`` only, each epoch's time extrapolated from its first
``timed_batches`` batches (40, quick 12) to the 60000 images.

Every implementation runs in a fresh subprocess with the same thread count (environment
variables, threadpoolctl when installed, torch.set_num_threads), one warm-up epoch first; the
repeats are interleaved across implementations and the median is reported with the spread.
"x floor" is the ratio of the medians; "paired" is the median over repeats of the ratio to the
floor's run in the same repeat, which a machine whose speed drifts disturbs less; "paired
torch" likewise against the torch run of the same repeat.
Each subprocess reports its peak RSS (VmHWM) and, as "training MB", how much the peak grew
after the data was made (what the training itself cost in memory).

``--baseline DIR`` adds ``neuralkit_baseline``: the very same neuralkit workload code, run with
PYTHONPATH pointing at DIR (another checkout of neuralkit, e.g. a git worktree of an older
revision) instead of this repository. It implies ``neuralkit``, and the two run back to back in
every repeat, in alternating order (this tree first in even repeats, DIR first in odd ones).
Each worker records ``neuralkit.__file__`` and the driver stops if it is not the tree it was
given. For each workload it reports neuralkit / neuralkit_baseline as a paired ratio (the median
over repeats of the ratio within a repeat), its spread over the repeats (min-max and p10-p90)
and in how many repeats this tree was the slower one; the JSON gets a "baseline" entry (the
two trees, their commits) and these numbers in the neuralkit rows.

Run::

    python benchmarks/training.py                 # all workloads, 5 interleaved repeats
    python benchmarks/training.py --quick         # 2 repeats, fewer epochs (< 2 minutes)
    python benchmarks/training.py --workloads a c --json results.json
    python benchmarks/training.py --workloads cnn --threads 1 --repeats 7
    python benchmarks/training.py --baseline ../wt-before --workloads a c --impls gemm_floor neuralkit
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np


def _sibling(name: str) -> Any:
    """A module beside this script (importable however this file was loaded)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cnn = _sibling("cnn_workload")

WORKLOADS: dict[str, dict[str, Any]] = {
    "a": dict(title="60000x784 -> 256 ReLU -> 128 ReLU -> 10 softmax, batch 128, float32",
              m=60000, n_x=784, hidden=[256, 128], n_out=10, batch=128, dtype="float32",
              epochs=3, quick_epochs=1),
    "a'": dict(title="same as (a), float64",
               m=60000, n_x=784, hidden=[256, 128], n_out=10, batch=128, dtype="float64",
               epochs=3, quick_epochs=1),
    "b": dict(title="209x12288 -> 20 -> 7 -> 5 -> 1 sigmoid, full batch, float64 (the cat network)",
              m=209, n_x=12288, hidden=[20, 7, 5], n_out=1, batch=209, dtype="float64",
              epochs=100, quick_epochs=30),
    "c": dict(title="1000x20 -> 16 ReLU -> 1 sigmoid, batch 32, float64",
              m=1000, n_x=20, hidden=[16], n_out=1, batch=32, dtype="float64",
              epochs=100, quick_epochs=30),
    "cnn": cnn.WORKLOAD,
}
IMPLEMENTATIONS = ["gemm_floor", "numpy_loop", "neuralkit", "torch", "sklearn"]
LEARNING_RATE = 0.01


# ---------------------------------------------------------------------------- workers
def _data(w: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((w["m"], w["n_x"]), dtype=w["dtype"])
    if w["n_out"] == 1:
        y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    else:
        y = rng.integers(0, w["n_out"], w["m"])
    return X, y


def _batch_sizes(w: dict[str, Any]) -> list[int]:
    full, rest = divmod(w["m"], w["batch"])
    return [w["batch"]] * full + ([rest] if rest else [])


def _run_gemm_floor(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    dims = [w["n_x"], *w["hidden"], w["n_out"]]
    rng = np.random.default_rng(1)
    dtype = np.dtype(w["dtype"])
    Ws = [rng.standard_normal((dims[i + 1], dims[i])).astype(dtype) for i in range(len(dims) - 1)]
    sizes = _batch_sizes(w)
    b = sizes[0]
    acts = [np.ascontiguousarray(X[:b])] + [rng.standard_normal((b, d)).astype(dtype) for d in dims[1:]]
    outs = [np.empty((b, d), dtype) for d in dims[1:]]
    dWs = [np.empty_like(W) for W in Ws]
    dAs = [np.empty((b, d), dtype) for d in dims[:-1]]
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for n in sizes:
            for i, W in enumerate(Ws):
                np.matmul(acts[i][:n], W.T, out=outs[i][:n])
            for i in range(len(Ws) - 1, -1, -1):
                dZ = acts[i + 1][:n]
                np.matmul(dZ.T, acts[i][:n], out=dWs[i])
                if i > 0:
                    np.matmul(dZ, Ws[i], out=dAs[i][:n])
        times.append(time.perf_counter() - start)
    return times


def _run_numpy_loop(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    from scipy.special import expit

    dtype = np.dtype(w["dtype"])
    dims = [w["n_x"], *w["hidden"], w["n_out"]]
    rng = np.random.default_rng(0)
    Ws = [(rng.uniform(-1, 1, (dims[i + 1], dims[i])) * np.sqrt(6 / (dims[i] + dims[i + 1])))
          .astype(dtype) for i in range(len(dims) - 1)]
    bs = [np.zeros(d, dtype) for d in dims[1:]]
    Y = (y.reshape(-1, 1) if w["n_out"] == 1 else np.eye(w["n_out"])[y]).astype(dtype)
    m, b, L = w["m"], w["batch"], len(Ws)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(m) if b < m else None
        for s in range(0, m, b):
            if order is None:
                Xb, Yb = X[s:s + b], Y[s:s + b]
            else:
                idx = order[s:s + b]
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
            for i in range(L - 1, -1, -1):
                dW, db = dZ.T @ As[i], dZ.sum(axis=0)
                if i > 0:
                    dZ = dZ @ Ws[i]
                    dZ *= As[i] > 0
                Ws[i] -= LEARNING_RATE * dW
                bs[i] -= LEARNING_RATE * db
        times.append(time.perf_counter() - start)
    return times


def _run_neuralkit(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    from neuralkit import Sequential
    from neuralkit.callbacks import Callback
    from neuralkit.layers import Dense, ReLU, Sigmoid, Softmax
    from neuralkit.optimizers import SGD

    class EpochTimer(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.times.append(time.perf_counter() - self._start)

    layers: list[Any] = []
    for units in w["hidden"]:
        layers += [Dense(units), ReLU()]
    layers += [Dense(w["n_out"]), Softmax() if w["n_out"] > 1 else Sigmoid()]
    model = Sequential(layers, seed=0, dtype=w["dtype"])
    model.compile(optimizer=SGD(LEARNING_RATE))
    timer = EpochTimer()
    model.fit(X, y, epochs=epochs, batch_size=w["batch"], shuffle=True, verbose=0, callbacks=[timer])
    return timer.times


def _run_torch(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
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
    opt = torch.optim.SGD(net.parameters(), lr=LEARNING_RATE)
    m, b = w["m"], w["batch"]
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(m) if b < m else None
        for s in range(0, m, b):
            if order is None:
                xb, yb = Xt[s:s + b], Yt[s:s + b]
            else:
                idx = order[s:s + b]
                xb, yb = Xt[idx], Yt[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
            loss.item()  # a training loop reports its loss; this also syncs
        times.append(time.perf_counter() - start)
    return times


def _run_sklearn(w: dict[str, Any], X: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    import warnings

    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=tuple(w["hidden"]), solver="sgd", momentum=0.0,
                        alpha=0.0, learning_rate_init=LEARNING_RATE, batch_size=w["batch"],
                        shuffle=True, random_state=0)
    classes = np.unique(y)
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            start = time.perf_counter()
            clf.partial_fit(X, y, classes=classes)
            times.append(time.perf_counter() - start)
    return times


RUNNERS = {"gemm_floor": _run_gemm_floor, "numpy_loop": _run_numpy_loop,
           "neuralkit": _run_neuralkit, "torch": _run_torch, "sklearn": _run_sklearn,
           "neuralkit_baseline": _run_neuralkit}  # the same code; only PYTHONPATH differs
BASELINE = "neuralkit_baseline"
NEURALKIT_IMPLS = ("neuralkit", BASELINE)


def _peak_rss_mb() -> float:
    # VmHWM belongs to this process image; ru_maxrss would inherit the parent's peak on Linux.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(impl: str, workload: str, epochs: int) -> None:
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(int(os.environ["BENCH_THREADS"]))
    except ImportError:
        pass
    w = WORKLOADS[workload]
    X, y = cnn.data(w) if w.get("cnn") else _data(w)
    rss_before = _peak_rss_mb()
    if w.get("cnn"):
        times = cnn.RUNNERS[impl](w, X, y, epochs + 1, int(os.environ["BENCH_TIMED_BATCHES"]))[1:]
    else:
        times = RUNNERS[impl](w, X, y, epochs + 1)[1:]  # the first epoch is the warm-up
    peak = _peak_rss_mb()
    report = {"epoch_s": statistics.median(times), "peak_rss_mb": peak,
              "rss_after_data_mb": rss_before, "data_mb": (X.nbytes + y.nbytes) / 2**20}
    if impl in NEURALKIT_IMPLS:  # which neuralkit this process really trained with
        report["neuralkit_file"] = sys.modules["neuralkit"].__file__
    print(json.dumps(report))


# ---------------------------------------------------------------------------- driver
def _available(impl: str) -> bool:
    module = {"torch": "torch", "sklearn": "sklearn"}.get(impl)
    if module is None:
        return True
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _machine(threads: int) -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "numpy": np.__version__,
                            "cores": os.cpu_count(), "threads": threads,
                            "load_average_at_start": list(os.getloadavg()),
                            "cpu": platform.processor() or platform.machine()}
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if names:
            info["cpu"] = names[0]
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = sorted({f"{p.get('internal_api')} {p.get('version')}" for p in threadpool_info()
                               if p.get("user_api") == "blas"})
    except ImportError:
        info["blas"] = ["(install threadpoolctl to see the BLAS)"]
    from importlib import metadata

    for name, dist in (("torch", "torch"), ("sklearn", "scikit-learn")):
        try:
            info[name] = metadata.version(dist)  # not imported: the driver stays small
        except metadata.PackageNotFoundError:
            info[name] = None
    return info


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _runs_on(impl: str, workload: str) -> bool:
    """Whether ``impl`` has a version of ``workload`` (the cnn has no numpy_loop or sklearn)."""
    return impl in cnn.RUNNERS if WORKLOADS[workload].get("cnn") else True


def _run_one(impl: str, workload: str, epochs: int, threads: int,
             tree: str | None = None, timed_batches: int = 0) -> dict[str, Any]:
    """One fresh worker process; ``tree`` is the checkout on PYTHONPATH (this repository by default)."""
    env = dict(os.environ, BENCH_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               BENCH_TIMED_BATCHES=str(timed_batches))
    repo = tree or REPO
    env["PYTHONPATH"] = repo + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", impl, workload,
                          str(epochs)], capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{impl} on ({workload}) failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _paired_ratio(runs: list[dict[str, Any]], floor: list[dict[str, Any]] | None) -> float | None:
    """The median over repeats of (this run / the floor's run of the same repeat).

    The two runs of a repeat are seconds apart, so a machine whose speed drifts from minute to
    minute moves both; the ratio of the medians mixes runs from different minutes.
    """
    if not floor:
        return None
    return statistics.median(r["epoch_s"] / f["epoch_s"] for r, f in zip(runs, floor, strict=True))


def _check_tree(run: dict[str, Any], impl: str, tree: str) -> None:
    """Stop if a worker imported a neuralkit other than the one of the tree it was given."""
    expected = os.path.realpath(os.path.join(tree, "neuralkit", "__init__.py"))
    got = run.get("neuralkit_file")
    if got is None or os.path.realpath(got) != expected:
        raise RuntimeError(f"{impl} was meant to import {expected} but imported {got}; "
                           "check PYTHONPATH and editable installs")


def _tree_info(tree: str) -> dict[str, Any]:
    """The checkout's directory, its git commit, whether its neuralkit/ has local changes (None: no git)."""
    def git(*args: str) -> str | None:
        # --no-optional-locks: reading a (maybe read-only) worktree never rewrites its index.
        out = subprocess.run(["git", "--no-optional-locks", "-C", tree, *args],
                             capture_output=True, text=True, check=False)
        return out.stdout.strip() if out.returncode == 0 else None

    status = git("status", "--porcelain", "--", "neuralkit")
    return {"dir": tree, "neuralkit_file": os.path.join(tree, "neuralkit", "__init__.py"),
            "commit": git("rev-parse", "HEAD"), "dirty": None if status is None else bool(status)}


def _baseline_stats(runs: list[dict[str, Any]], base: list[dict[str, Any]],
                    base_first: list[bool]) -> dict[str, Any]:
    """neuralkit / neuralkit_baseline repeat by repeat: the median ratio and its spread."""
    ratios = [r["epoch_s"] / b["epoch_s"] for r, b in zip(runs, base, strict=True)]
    p10, p90 = (float(v) for v in np.percentile(ratios, [10, 90]))
    return {"vs_baseline": statistics.median(r["epoch_s"] for r in runs)
            / statistics.median(b["epoch_s"] for b in base),
            "paired_vs_baseline": statistics.median(ratios),
            "paired_vs_baseline_min": min(ratios), "paired_vs_baseline_max": max(ratios),
            "paired_vs_baseline_p10": p10, "paired_vs_baseline_p90": p90,
            "slower_than_baseline_in": sum(x > 1 for x in ratios),
            "baseline_ratios": ratios, "baseline_ran_first": base_first}


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 repeats and fewer epochs (< 2 minutes)")
    parser.add_argument("--repeats", type=int, default=None, help="interleaved repeats (default 5, quick 2)")
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=list(WORKLOADS))
    parser.add_argument("--impls", nargs="+", default=IMPLEMENTATIONS, choices=IMPLEMENTATIONS)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", metavar="PATH", help="write the results as a JSON list")
    parser.add_argument("--baseline", metavar="DIR",
                        help="another neuralkit checkout: adds neuralkit_baseline (neuralkit's workload "
                             "with DIR on PYTHONPATH) and the paired ratio neuralkit / neuralkit_baseline")
    parser.add_argument("--worker", nargs=3, metavar=("IMPL", "WORKLOAD", "EPOCHS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        impl, workload, epochs = args.worker
        _worker(impl, workload, int(epochs))
        return []

    from tqdm import tqdm

    repeats = args.repeats or (2 if args.quick else 5)
    impls = [i for i in args.impls if _available(i)]
    missing = sorted(set(args.impls) - set(impls))
    baseline = trees = None
    if args.baseline is not None:
        baseline = os.path.realpath(args.baseline)
        if not os.path.isfile(os.path.join(baseline, "neuralkit", "__init__.py")):
            parser.error(f"--baseline {args.baseline}: no neuralkit/__init__.py there")
        if "neuralkit" not in impls:
            impls.append("neuralkit")
        impls.insert(impls.index("neuralkit") + 1, BASELINE)
        trees = {"neuralkit": os.path.realpath(REPO), BASELINE: baseline}
    machine = _machine(args.threads)
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    jobs = []
    for wl in args.workloads:
        for r in range(repeats):
            order = list(impls)
            if baseline is not None and r % 2:  # the pair runs back to back, in alternating order
                i = order.index("neuralkit")
                order[i], order[i + 1] = order[i + 1], order[i]
            jobs += [(r, wl, impl) for impl in order if _runs_on(impl, wl)]
    for _, wl, impl in tqdm(jobs, desc="runs", unit="run"):
        w = WORKLOADS[wl]
        epochs = w["quick_epochs"] if args.quick else w["epochs"]
        timed = w.get("quick_timed_batches" if args.quick else "timed_batches", 0)
        if trees is not None and impl in trees:
            run = _run_one(impl, wl, epochs, args.threads, trees[impl], timed)
            _check_tree(run, impl, trees[impl])
        else:
            run = _run_one(impl, wl, epochs, args.threads, timed_batches=timed)
        runs.setdefault((wl, impl), []).append(run)

    results = []
    for wl in args.workloads:
        here = [impl for impl in impls if _runs_on(impl, wl)]
        med = {impl: statistics.median(r["epoch_s"] for r in runs[(wl, impl)]) for impl in here}
        for impl in here:
            rs = runs[(wl, impl)]
            results.append({
                "workload": wl, "impl": impl, "epoch_s": med[impl],
                "min_s": min(r["epoch_s"] for r in rs), "max_s": max(r["epoch_s"] for r in rs),
                "vs_floor": med[impl] / med["gemm_floor"] if "gemm_floor" in med else None,
                "paired_vs_floor": _paired_ratio(rs, runs.get((wl, "gemm_floor"))),
                "vs_numpy_loop": med[impl] / med["numpy_loop"] if "numpy_loop" in med else None,
                "vs_torch": med[impl] / med["torch"] if "torch" in med else None,
                "paired_vs_torch": _paired_ratio(rs, runs.get((wl, "torch"))),
                "vs_sklearn": med[impl] / med["sklearn"] if "sklearn" in med else None,
                "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in rs),
                "added_mb": statistics.median(r["peak_rss_mb"] - r["rss_after_data_mb"] for r in rs),
                "data_mb": rs[0]["data_mb"], "repeats": len(rs),
                "runs_s": [r["epoch_s"] for r in rs],
            })
            if trees is not None and impl in trees:
                results[-1]["tree"] = trees[impl]
                results[-1]["neuralkit_files"] = sorted({r["neuralkit_file"] for r in rs})
                if impl == "neuralkit":
                    results[-1].update(_baseline_stats(rs, runs[(wl, BASELINE)],
                                                       [r % 2 == 1 for r in range(repeats)]))

    print(f"\nmachine: {machine['cpu']}, {machine['cores']} cores, {args.threads} threads, "
          f"Python {machine['python']}, NumPy {machine['numpy']}, BLAS {', '.join(machine['blas'])}, "
          f"torch {machine['torch']}, scikit-learn {machine['sklearn']}, load average at start "
          + ", ".join(f"{x:.2f}" for x in machine["load_average_at_start"]))
    print(f"medians of {repeats} interleaved runs, each a fresh process; s/epoch after one warm-up epoch"
          + (f"; not installed: {', '.join(missing)}" if missing else ""))
    header = ("workload", "impl", "s/epoch", "spread", "x floor", "paired", "x loop", "x torch",
              "paired torch", "x sklearn", "peak RSS MB", "training MB", "data MB")
    rows = [header]
    for r in results:
        def ratio(x: float | None) -> str:
            return "-" if x is None else f"{x:.2f}"
        rows.append((f"({r['workload']})", r["impl"], f"{r['epoch_s']:.5f}",
                     f"{r['min_s']:.5f}-{r['max_s']:.5f}", ratio(r["vs_floor"]),
                     ratio(r["paired_vs_floor"]), ratio(r["vs_numpy_loop"]), ratio(r["vs_torch"]),
                     ratio(r["paired_vs_torch"]), ratio(r["vs_sklearn"]), f"{r['peak_rss_mb']:.0f}",
                     f"{r['added_mb']:.0f}", f"{r['data_mb']:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(wd) for c, wd in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * wd for wd in widths))
    report: dict[str, Any] = {"machine": machine, "results": results}
    if trees is not None:
        report["baseline"] = {"this": _tree_info(trees["neuralkit"]), "baseline": _tree_info(trees[BASELINE]),
                              "env": {k: v for k, v in os.environ.items() if k.startswith("NEURALKIT_")}}
        _print_baseline(report["baseline"], [r for r in results if r["impl"] == "neuralkit"], runs)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    return results


def _print_baseline(info: dict[str, Any], rows: list[dict[str, Any]],
                    runs: dict[tuple[str, str], list[dict[str, Any]]]) -> None:
    def name(tree: dict[str, Any]) -> str:
        changes = " + local changes in neuralkit/" if tree["dirty"] else ""
        commit = (tree["commit"] or "no git")[:10] + changes
        return f"{tree['dir']} @ {commit}"

    print(f"\nneuralkit / neuralkit_baseline, paired repeat by repeat (the pair back to back, order "
          f"alternating)\n  neuralkit:          {name(info['this'])}\n  neuralkit_baseline: "
          f"{name(info['baseline'])}")
    header = ("workload", "neuralkit s/epoch", "baseline s/epoch", "paired", "min-max", "p10-p90",
              "slower in", "repeats")
    table = [header]
    for r in rows:
        base = statistics.median(b["epoch_s"] for b in runs[(r["workload"], BASELINE)])
        table.append((f"({r['workload']})", f"{r['epoch_s']:.5f}", f"{base:.5f}",
                      f"{r['paired_vs_baseline']:.3f}",
                      f"{r['paired_vs_baseline_min']:.3f}-{r['paired_vs_baseline_max']:.3f}",
                      f"{r['paired_vs_baseline_p10']:.3f}-{r['paired_vs_baseline_p90']:.3f}",
                      f"{r['slower_than_baseline_in']}/{r['repeats']}", str(r["repeats"])))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(c.ljust(wd) for c, wd in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * wd for wd in widths))


if __name__ == "__main__":
    main()
