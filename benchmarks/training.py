"""Training speed against the machine's limit: neuralkit's fit beside its GEMM floor and peers.

Workloads (``benchmarks/mlp_workload.py`` defines the MLP ones and says exactly what
``gemm_floor``, ``numpy_loop`` and ``neuralkit`` run; ``benchmarks/_peers.py`` what torch,
scikit-learn and JAX run):

- (a) 60000x784 -> 256 ReLU -> 128 ReLU -> 10 softmax, batch 128, float32, plain SGD (lr 0.01);
  (a') the same in float64
- (adam) and (adam32): the network of (a), float32, Adam(learning_rate=0.001, beta_1=0.9,
  beta_2=0.999, epsilon=1e-8), batch 128 and batch 32
- (b) 209x12288 -> 20 -> 7 -> 5 -> 1 sigmoid, full batch, float64, SGD (the cat network)
- (c) 1000x20 -> 16 ReLU -> 1 sigmoid, batch 32, float64, SGD
- (cnn) a convolutional network trained with Adam (``benchmarks/cnn_workload.py``):
  ``gemm_floor`` (its im2col matrix products), ``neuralkit``, ``neuralkit_numpy`` and ``torch``
  only, each epoch's time extrapolated from its first ``timed_batches`` batches (40, quick 12)
  to the 60000 images.

For each workload, seconds per epoch of (every implementation with the workload's optimizer,
batch size and dtype):

- ``gemm_floor``: only the matrix multiplies one epoch needs (per layer and batch: forward,
  backward dW and dX, no dX for the first layer), same shapes and dtype, outputs preallocated,
  timed in both layouts of W, interleaved in one process: W stored (n_out, n_in) (A @ W.T, the
  ``out_in`` layout) and W stored (n_in, n_out) (A @ W, ``in_out``). The floor is the faster
  of the two in each run; its row says which (``layout``, the one faster in most repeats, and
  ``layout_epoch_s``, each one's median). No real training loop can beat it by much.
- ``numpy_loop``: the training loop a user would write by hand in NumPy (the course's
  forward and backward, in-place ReLU, SGD or the course's Adam in place, a stable softmax or
  sigmoid, fancy-indexed batches): what neuralkit's layers, checks and guard cost on top.
- ``neuralkit``: ``Sequential.fit`` with ``optimizers.SGD`` or ``optimizers.Adam`` (shuffling
  when a batch is smaller than the data, verbose=0), timed per epoch by a callback inside one
  fit call, the compiled accelerator as built (its worker must report it 'on', or 'not built').
- ``neuralkit_numpy``: exactly the ``neuralkit`` run in a worker with ``NEURALKIT_ACCELERATOR=0``
  (every optimizer step on the NumPy path; its worker must report 'off'); "paired nk_numpy" is
  the paired ratio to it, so neuralkit's row gives accelerator on / off.
- ``torch`` (when installed): a plain PyTorch training loop over index batches of in-memory
  tensors, ``torch.optim.SGD`` or ``torch.optim.Adam``.
- ``jax`` (when jax and optax are installed): the whole step (forward, cross-entropy,
  ``jax.value_and_grad``, the optax update) under one ``jax.jit``, batches gathered by index
  on the device, ``block_until_ready`` at each epoch's end. Its threads: jax 0.10 has no
  thread setting and XLA_FLAGS do not pin its pools, so its worker's CPU affinity is
  restricted to the thread count before jax is imported (XLA sizes its pools from it): pinned,
  but to fixed cores when fewer threads than cores are asked for.
- ``sklearn`` (when installed): ``MLPClassifier(solver='sgd', momentum=0)`` or
  ``solver='adam'`` with the same betas and epsilon, ``alpha=0``, one ``partial_fit`` per epoch.

Every implementation runs in a fresh subprocess with the same thread count (environment
variables, threadpoolctl when installed, torch.set_num_threads, JAX's CPU affinity), one
warm-up epoch first (JAX's compiles); the repeats are interleaved across implementations and
the median is reported with the spread.
"x floor" is the ratio of the medians; "paired" is the median over repeats of the ratio to the
floor's run in the same repeat, which a machine whose speed drifts disturbs less; "paired
torch" and "paired nk_numpy" likewise against the torch and neuralkit_numpy runs of the same
repeat. Each neuralkit worker records ``neuralkit.__file__`` and
``neuralkit.show_config()["accelerator"]``; the driver stops if either is not what it should be.
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

    python benchmarks/training.py                 # all workloads and implementations, 5 repeats
    python benchmarks/training.py --quick         # 2 repeats, fewer epochs
    python benchmarks/training.py --workloads a c --json results.json
    python benchmarks/training.py --workloads adam adam32 --impls neuralkit neuralkit_numpy torch jax
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
mlp = _sibling("mlp_workload")
peers = _sibling("_peers")
report_ = _sibling("_report")

WORKLOADS: dict[str, dict[str, Any]] = {**mlp.WORKLOADS, "cnn": cnn.WORKLOAD}
IMPLEMENTATIONS = ["gemm_floor", "numpy_loop", "neuralkit", "neuralkit_numpy", "torch", "jax", "sklearn"]
LEARNING_RATE = mlp.LEARNING_RATE
RUNNERS = {**mlp.RUNNERS, **peers.RUNNERS}
BASELINE = "neuralkit_baseline"
NUMPY_PATH = "neuralkit_numpy"
NEURALKIT_IMPLS = ("neuralkit", NUMPY_PATH, BASELINE)  # one runner; the worker's environment differs
ACCELERATOR_WANTED = {"neuralkit": ("on", "not built"), NUMPY_PATH: ("off",)}
PEER_MODULES = {"torch": ("torch",), "sklearn": ("sklearn",), "jax": ("jax", "optax")}


# ---------------------------------------------------------------------------- workers
def _runner_name(impl: str) -> str:
    return "neuralkit" if impl in NEURALKIT_IMPLS else impl


def _peak_rss_mb() -> float:
    # VmHWM belongs to this process image; ru_maxrss would inherit the parent's peak on Linux.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _accelerator_state() -> str | None:
    """What the imported neuralkit says of its accelerator (None: a neuralkit without show_config)."""
    import contextlib
    import io

    show = getattr(sys.modules["neuralkit"], "show_config", None)
    if show is None:
        return None
    with contextlib.redirect_stdout(io.StringIO()):  # stdout is the driver's channel
        return show().get("accelerator")


def _worker(impl: str, workload: str, epochs: int) -> None:
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(int(os.environ["BENCH_THREADS"]))
    except ImportError:
        pass
    w = WORKLOADS[workload]
    X, y = cnn.data(w) if w.get("cnn") else mlp.data(w)
    rss_before = _peak_rss_mb()
    name = _runner_name(impl)
    if w.get("cnn"):
        out = cnn.RUNNERS[name](w, X, y, epochs + 1, int(os.environ["BENCH_TIMED_BATCHES"]))
    else:
        out = RUNNERS[name](w, X, y, epochs + 1)
    if isinstance(out, dict):  # the MLP floor: each layout's epochs, the faster layout wins
        report = mlp.faster_layout({layout: ts[1:] for layout, ts in out.items()})
    else:
        report = {"epoch_s": statistics.median(out[1:])}  # the first epoch is the warm-up
    peak = _peak_rss_mb()
    report.update(peak_rss_mb=peak, rss_after_data_mb=rss_before, data_mb=(X.nbytes + y.nbytes) / 2**20)
    if impl in NEURALKIT_IMPLS:  # which neuralkit this process really trained with, on which path
        report["neuralkit_file"] = sys.modules["neuralkit"].__file__
        report["accelerator"] = _accelerator_state()
    if impl == "jax":
        report["cpus"] = sorted(os.sched_getaffinity(0))
    print(json.dumps(report))


# ---------------------------------------------------------------------------- driver
def _available(impl: str) -> bool:
    import importlib.util

    return all(importlib.util.find_spec(module) is not None for module in PEER_MODULES.get(impl, ()))


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

    for name, dist in (("torch", "torch"), ("sklearn", "scikit-learn"), ("jax", "jax"),
                       ("jaxlib", "jaxlib"), ("optax", "optax")):
        try:
            info[name] = metadata.version(dist)  # not imported: the driver stays small
        except metadata.PackageNotFoundError:
            info[name] = None
    return info


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _runs_on(impl: str, workload: str) -> bool:
    """Whether ``impl`` has a version of ``workload`` (the cnn has no numpy_loop, jax or sklearn)."""
    return _runner_name(impl) in cnn.RUNNERS if WORKLOADS[workload].get("cnn") else True


def _worker_env(impl: str, threads: int, tree: str | None = None, timed_batches: int = 0) -> dict[str, str]:
    """The environment of ``impl``'s worker: the thread count, the tree under test on PYTHONPATH."""
    env = dict(os.environ, BENCH_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               BENCH_TIMED_BATCHES=str(timed_batches))
    if impl == NUMPY_PATH:
        env["NEURALKIT_ACCELERATOR"] = "0"
    repo = tree or REPO
    env["PYTHONPATH"] = repo + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run_one(impl: str, workload: str, epochs: int, threads: int,
             tree: str | None = None, timed_batches: int = 0) -> dict[str, Any]:
    """One fresh worker process; ``tree`` is the checkout on PYTHONPATH (this repository by default)."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", impl, workload,
                          str(epochs)], capture_output=True, text=True, check=False,
                         env=_worker_env(impl, threads, tree, timed_batches))
    if out.returncode != 0:
        raise RuntimeError(f"{impl} on ({workload}) failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _check_tree(run: dict[str, Any], impl: str, tree: str) -> None:
    """Stop if a worker imported a neuralkit other than the one of the tree it was given."""
    expected = os.path.realpath(os.path.join(tree, "neuralkit", "__init__.py"))
    got = run.get("neuralkit_file")
    if got is None or os.path.realpath(got) != expected:
        raise RuntimeError(f"{impl} was meant to import {expected} but imported {got}; "
                           "check PYTHONPATH and editable installs")


def _check_accelerator(run: dict[str, Any], impl: str) -> None:
    """Stop if neuralkit did not run on the accelerator as built, or neuralkit_numpy not on NumPy."""
    wanted = ACCELERATOR_WANTED.get(impl)
    got = run.get("accelerator")
    if wanted is None or got in wanted:
        return
    if impl == "neuralkit":
        why = ("it is built but off in the worker: is NEURALKIT_ACCELERATOR=0 set in this environment? "
               "(neuralkit_numpy is the run with it off)")
    elif got == "not built":
        why = ("neuralkit_numpy is the accelerator-off twin of neuralkit and means nothing without it: "
               "build it (python setup.py build_ext --inplace) or leave neuralkit_numpy out of --impls")
    else:
        why = "NEURALKIT_ACCELERATOR=0 did not turn it off"
    raise RuntimeError(f"{impl}'s worker reported neuralkit.show_config()['accelerator'] = {got!r}, "
                       f"expected {' or '.join(map(repr, wanted))}: {why}")


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


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 repeats and fewer epochs")
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
    baseline = None
    trees = {impl: os.path.realpath(REPO) for impl in ("neuralkit", NUMPY_PATH)}
    if args.baseline is not None:
        baseline = os.path.realpath(args.baseline)
        if not os.path.isfile(os.path.join(baseline, "neuralkit", "__init__.py")):
            parser.error(f"--baseline {args.baseline}: no neuralkit/__init__.py there")
        if "neuralkit" not in impls:
            impls.insert(impls.index(NUMPY_PATH) if NUMPY_PATH in impls else len(impls), "neuralkit")
        impls.insert(impls.index("neuralkit") + 1, BASELINE)
        trees[BASELINE] = baseline
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
        run = _run_one(impl, wl, epochs, args.threads, trees.get(impl), timed)
        if impl in trees:
            _check_tree(run, impl, trees[impl])
            _check_accelerator(run, impl)
        runs.setdefault((wl, impl), []).append(run)

    with_tree = trees if baseline is not None else None  # rows name their tree in --baseline mode
    results = []
    for wl in args.workloads:
        here = [impl for impl in impls if _runs_on(impl, wl)]
        results += report_.result_rows(wl, here, runs, WORKLOADS[wl].get("optimizer"), with_tree, repeats)
    report_.print_table(machine, results, repeats, missing, mlp.LAYOUTS)
    report: dict[str, Any] = {"machine": machine, "floor_layouts": mlp.LAYOUTS, "results": results}
    if baseline is not None:
        report["baseline"] = {"this": _tree_info(trees["neuralkit"]), "baseline": _tree_info(baseline),
                              "env": {k: v for k, v in os.environ.items() if k.startswith("NEURALKIT_")}}
        report_.print_baseline(report["baseline"], [r for r in results if r["impl"] == "neuralkit"], runs)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    return results


if __name__ == "__main__":
    main()
