"""Vectorized vs looped: how much do array operations buy over Python for-loops?

The course claims "100x-300x" for replacing explicit loops by NumPy. This benchmark times the
looped reference code of ``neuralkit.reference`` against its vectorized twin on six cases,
each at several sizes:

    dot          dot product of two random vectors of n elements (the course's demonstration)
    logreg_step  one logistic-regression forward + backward + update over m examples, n_x features
    dense        Dense forward + backward for a batch of m rows, n[l-1] inputs, n[l] units
    epoch        one training epoch (batch 32, SGD) of a 20-16-8-1 ReLU/Sigmoid Sequential model
                 on m examples: LoopDense/LoopReLU/LoopSigmoid vs Dense/ReLU/Sigmoid
    conv         Conv2D forward + backward (dA_prev, dW, db) against the course's looped
                 LoopConv2D, at the assignment's sizes and the Fashion-MNIST CNN's layers
    pool         MaxPooling2D / AveragePooling2D forward + backward against the looped twins
                 (the assignment's pool_forward sizes, then the CNN's pooling layers)

(the image cases are in ``benchmarks/vectorization_images.py``, which lists their sizes).

Method: each side is called once to warm up (those two results are compared: the max |diff|
column), then timed with ``time.perf_counter`` over several repeats, looped and vectorized
repeats alternating so that both see the same machine load. A side that takes less than
MIN_BATCH_S per call is called many times per repeat and the time divided. Reported: the
median seconds per call, the spread of the repeats ((max - min) / median) and the speedup,
looped median / vectorized median, both from the same run.

Run::

    python benchmarks/vectorization.py                    # default sizes, < 10 minutes
    python benchmarks/vectorization.py --quick            # < 60 s, still the 10^6 dot product
    python benchmarks/vectorization.py --json results.json --plot vectorization.png
    python benchmarks/vectorization.py --blas-threads 1   # on a busy machine (needs threadpoolctl)

``--plot`` needs matplotlib (``pip install "neuralkit[plot]"``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

import neuralkit
from neuralkit import Sequential
from neuralkit.layers import Dense, ReLU, Sigmoid
from neuralkit.losses import BinaryCrossEntropy
from neuralkit.optimizers import SGD
from neuralkit.reference import (
    LoopBinaryCrossEntropy,
    LoopDense,
    LoopReLU,
    LoopSigmoid,
    dot_looped,
    dot_vectorized,
    logistic_step_looped,
    logistic_step_vectorized,
)


def _sibling(name: str) -> Any:
    """A module beside this script (importable however this file was loaded)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


images = _sibling("vectorization_images")

#: A timed batch of calls lasts at least this long (fast calls are repeated within a batch).
MIN_BATCH_S = 0.05
#: Timed repeats per side, after one warm-up call, by mode.
REPEATS = {"default": 5, "quick": 3, "smallest": 1}

#: Sizes per case and mode. dot: n; logreg_step: (m, n_x); dense: (m, n[l-1], n[l]); epoch: m.
SIZES: dict[str, dict[str, list[Any]]] = {
    "default": {
        "dot": [10**3, 10**4, 10**5, 10**6],
        "logreg_step": [(100, 10), (1000, 10), (1000, 100), (10000, 100)],
        "dense": [(16, 32, 16), (64, 64, 32), (64, 128, 64), (128, 256, 128)],
        "epoch": [128, 512, 2048],
    },
    "quick": {
        "dot": [10**3, 10**6],
        "logreg_step": [(100, 10), (1000, 100)],
        "dense": [(16, 32, 16), (64, 128, 64)],
        "epoch": [128, 512],
    },
    "smallest": {
        "dot": [10**3],
        "logreg_step": [(100, 10)],
        "dense": [(16, 32, 16)],
        "epoch": [64],
    },
}
for _mode, _sizes in images.SIZES.items():
    SIZES[_mode].update(_sizes)

#: The keys of each object written by --json, exactly.
JSON_KEYS = ("case", "size", "looped_s", "vectorized_s", "speedup", "max_abs_diff")

EPOCH_LAYERS = (16, 8, 1)
EPOCH_FEATURES = 20
EPOCH_BATCH = 32


@dataclass
class Trial:
    """One case at one size: two zero-argument callables and how to compare their results."""

    looped: Callable[[], Any]
    vectorized: Callable[[], Any]
    max_abs_diff: Callable[[Any, Any], float]


@dataclass
class Result:
    case: str
    size: str
    x: float
    looped_s: float
    vectorized_s: float
    looped_spread: float
    vectorized_spread: float
    max_abs_diff: float

    @property
    def speedup(self) -> float:
        return self.looped_s / self.vectorized_s

    def as_json(self) -> dict[str, Any]:
        return {"case": self.case, "size": self.size, "looped_s": self.looped_s,
                "vectorized_s": self.vectorized_s, "speedup": self.speedup,
                "max_abs_diff": self.max_abs_diff}


# ---------------------------------------------------------------------- the cases
def _max_diff(pairs: Sequence[tuple[Any, Any]]) -> float:
    return max(float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))
               for a, b in pairs)


def make_dot(n: int, rng: np.random.Generator) -> Trial:
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    return Trial(lambda: dot_looped(a, b), lambda: dot_vectorized(a, b),
                 lambda x, y: abs(x - y))


def make_logreg_step(size: tuple[int, int], rng: np.random.Generator) -> Trial:
    m, n_x = size
    X = rng.standard_normal((m, n_x))
    y = (X[:, 0] + 0.5 * rng.standard_normal(m) > 0).astype(np.float64)
    w, b = rng.standard_normal(n_x) * 0.1, 0.1
    return Trial(lambda: logistic_step_looped(X, y, w, b, 0.1),
                 lambda: logistic_step_vectorized(X, y, w, b, 0.1),
                 lambda p, q: _max_diff(list(zip(p, q, strict=True))))


def make_dense(size: tuple[int, int, int], rng: np.random.Generator) -> Trial:
    m, n_prev, units = size
    looped, vectorized = LoopDense(units), Dense(units)
    looped.rng = np.random.default_rng(0)
    vectorized.rng = np.random.default_rng(0)
    looped.build(n_prev)
    vectorized.build(n_prev)
    A_prev = rng.standard_normal((m, n_prev))
    dZ = rng.standard_normal((m, units)) / m

    def step(layer: Dense) -> Callable[[], tuple[np.ndarray, ...]]:
        def run() -> tuple[np.ndarray, ...]:
            Z = layer.forward(A_prev)
            dA_prev = layer.backward(dZ)
            return Z, layer.grads["W"].copy(), layer.grads["b"].copy(), dA_prev
        return run

    return Trial(step(looped), step(vectorized), lambda p, q: _max_diff(list(zip(p, q, strict=True))))


def _epoch_model(looped: bool) -> Sequential:
    dense, relu, sigmoid = (LoopDense, LoopReLU, LoopSigmoid) if looped else (Dense, ReLU, Sigmoid)
    *hidden, out = EPOCH_LAYERS
    layers = [layer for units in hidden for layer in (dense(units), relu())] + [dense(out), sigmoid()]
    layers[0].input_dim = EPOCH_FEATURES
    model = Sequential(layers, seed=0)  # same seed: same initial parameters, same shuffles
    loss = LoopBinaryCrossEntropy() if looped else BinaryCrossEntropy()
    model.compile(loss=loss, optimizer=SGD(learning_rate=0.1))
    return model


def make_epoch(m: int, rng: np.random.Generator) -> Trial:
    X = rng.standard_normal((m, EPOCH_FEATURES))
    y = (X[:, 0] * X[:, 1] + X[:, 2] > 0).astype(np.float64)
    looped, vectorized = _epoch_model(True), _epoch_model(False)

    def epoch(model: Sequential) -> Callable[[], tuple[Any, ...]]:
        def run() -> tuple[Any, ...]:
            history = model.fit(X, y, epochs=1, batch_size=EPOCH_BATCH, verbose=0)
            return (history.history["loss"][0], *model.get_parameters().values())
        return run

    return Trial(epoch(looped), epoch(vectorized), lambda p, q: _max_diff(list(zip(p, q, strict=True))))


def make_conv(size: Any, rng: np.random.Generator) -> Trial:
    looped, vectorized = images.make_conv(size, rng)
    return Trial(looped, vectorized, lambda p, q: _max_diff(list(zip(p, q, strict=True))))


def make_pool(size: Any, rng: np.random.Generator) -> Trial:
    looped, vectorized = images.make_pool(size, rng)
    return Trial(looped, vectorized, lambda p, q: _max_diff(list(zip(p, q, strict=True))))


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Any, np.random.Generator], Trial]
    label: Callable[[Any], str]
    x: Callable[[Any], float]
    x_label: str


CASES = [
    Case("dot", make_dot, lambda n: f"n={n}", float, "n (vector length)"),
    Case("logreg_step", make_logreg_step, lambda s: f"m={s[0]} n_x={s[1]}",
         lambda s: float(s[0] * s[1]), "m * n_x"),
    Case("dense", make_dense, lambda s: f"m={s[0]} n_prev={s[1]} units={s[2]}",
         lambda s: float(s[0] * s[1] * s[2]), "m * n[l-1] * n[l]"),
    Case("epoch", make_epoch, lambda m: f"m={m}", float,
         f"m (examples; model {EPOCH_FEATURES}-{'-'.join(map(str, EPOCH_LAYERS))})"),
    Case("conv", make_conv, images.conv_label,
         lambda s: float(np.prod(s[0]) * s[1] * s[2] ** 2), "m * n_H_prev * n_W_prev * n_C_prev * n_C * f^2"),
    Case("pool", make_pool, images.pool_label, lambda s: float(np.prod(s[1]) * s[2] ** 2),
         "m * n_H * n_W * n_C * f^2"),
]


# ---------------------------------------------------------------------- timing
def _calibrate(fn: Callable[[], Any], first_s: float, min_time: float) -> int:
    """Calls per timed batch so that a batch lasts at least ``min_time``."""
    number, elapsed = 1, first_s
    while elapsed < min_time and number < 10**7:
        number = min(10**7, max(2 * number, math.ceil(number * 1.2 * min_time / max(elapsed, 1e-9))))
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
    return number


def _timed_call(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _spread(times: list[float]) -> float:
    return (max(times) - min(times)) / statistics.median(times)


def measure(case: Case, size: Any, repeats: int, min_time: float = MIN_BATCH_S, seed: int = 0) -> Result:
    """Warm up, compare, then time both sides of ``case`` at ``size``."""
    trial = case.make(size, np.random.default_rng(seed))
    looped_out, looped_first = _timed_call(trial.looped)
    vectorized_out, vectorized_first = _timed_call(trial.vectorized)
    diff = trial.max_abs_diff(looped_out, vectorized_out)
    sides = [(trial.looped, _calibrate(trial.looped, looped_first, min_time), []),
             (trial.vectorized, _calibrate(trial.vectorized, vectorized_first, min_time), [])]
    for _ in range(repeats):
        for fn, number, times in sides:  # alternating: both sides see the same machine load
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times.append((time.perf_counter() - start) / number)
    (_, _, looped_times), (_, _, vectorized_times) = sides
    return Result(case.name, case.label(size), case.x(size), statistics.median(looped_times),
                  statistics.median(vectorized_times), _spread(looped_times),
                  _spread(vectorized_times), diff)


def run(mode: str = "default", repeats: int | None = None, min_time: float = MIN_BATCH_S,
        progress: bool = True) -> list[Result]:
    """Every case at every size of ``mode`` ('default', 'quick' or 'smallest')."""
    if mode not in SIZES:
        raise ValueError(f"mode must be one of {sorted(SIZES)}; got {mode!r}.")
    repeats = REPEATS[mode] if repeats is None else repeats
    results = []
    with tqdm(total=len(CASES), unit="case", desc="cases", disable=not progress, file=sys.stderr) as bar:
        for case in CASES:
            for size in SIZES[mode][case.name]:
                bar.set_postfix_str(f"{case.name} {case.label(size)}")
                results.append(measure(case, size, repeats, min_time))
            bar.update(1)
    return results


# ---------------------------------------------------------------------- the machine
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        # NumPy and SciPy may each bundle their own BLAS: say whose is whose.
        found = [f"{info.get('internal_api')} {info.get('version')} ({info.get('num_threads')} "
                 + ("thread" if info.get("num_threads") == 1 else "threads")
                 + (f", {info['architecture']}" if info.get("architecture") else "")
                 + f", {os.path.basename(os.path.dirname(info.get('filepath', '')))})"
                 for info in threadpool_info() if info.get("user_api") == "blas"]
        if found:
            return "; ".join(found)
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')} (thread count unknown: no threadpoolctl)"
    except Exception:  # older NumPy: no mode="dicts"
        return "unknown"


def machine() -> dict[str, str]:
    """What the numbers depend on: CPU, cores, Python, NumPy and its BLAS."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": f"{os.cpu_count()} logical, {usable} usable by this process",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": _blas(),
        "load": ("1/5/15-min load average at start " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
                 if hasattr(os, "getloadavg") else "unknown"),
        "neuralkit": neuralkit.__version__,
    }


# ---------------------------------------------------------------------- output
def format_table(results: list[Result]) -> str:
    header = ("case", "size", "looped s", "vectorized s", "speedup", "max |diff|")
    rows = [header] + [
        (r.case, r.size, f"{r.looped_s:.3e} ±{100 * r.looped_spread / 2:.0f}%",
         f"{r.vectorized_s:.3e} ±{100 * r.vectorized_spread / 2:.0f}%", f"{r.speedup:,.0f}x",
         f"{r.max_abs_diff:.1e}")
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_markdown(results: list[Result]) -> str:
    lines = ["| case | size | looped s | vectorized s | speedup | max \\|diff\\| |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r.case} | {r.size} | {r.looped_s:.3g} ±{100 * r.looped_spread / 2:.0f}% | "
                     f"{r.vectorized_s:.3g} ±{100 * r.vectorized_spread / 2:.0f}% | "
                     f"{r.speedup:,.0f}x | {r.max_abs_diff:.1e} |")
    return "\n".join(lines)


def require_matplotlib() -> Any:
    """matplotlib.pyplot with the Agg backend, or a SystemExit saying how to install it."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit(
            "--plot needs matplotlib, which is not installed. Install the optional plot extra, "
            "pip install \"neuralkit[plot]\" (or pip install matplotlib), or run without --plot."
        ) from None
    return plt


def plot(results: list[Result], path: str, title: str = "") -> None:
    """Log-log seconds per call against size, looped vs vectorized, one panel per case."""
    plt = require_matplotlib()
    from matplotlib import ticker

    cases = [case for case in CASES if any(r.case == case.name for r in results)]
    cols = 2 if len(cases) > 1 else 1
    rows = math.ceil(len(cases) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.0 * rows), squeeze=False)
    for ax, case in zip(axes.flat, cases, strict=False):
        rs = [r for r in results if r.case == case.name]
        x = [r.x for r in rs]
        ax.loglog(x, [r.looped_s for r in rs], "o-", label="looped (Python for-loops)")
        ax.loglog(x, [r.vectorized_s for r in rs], "s-", label="vectorized (NumPy)")
        for r in rs:
            ax.annotate(f"{r.speedup:,.0f}x", (r.x, math.sqrt(r.looped_s * r.vectorized_s)),
                        ha="center", fontsize=8, color="0.3")
        ax.set_title(case.name)
        ax.set_xlabel(case.x_label)
        ax.set_ylabel("seconds per call (median)")
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())  # a short decade axis labels its minor ticks
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(cases):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help="fewer sizes and repeats, under 60 s on 2 cores (keeps the 10^6 dot product)")
    mode.add_argument("--smallest", action="store_true",
                      help="only the smallest size of each case, one repeat: a check that the "
                           "benchmark runs and agrees (used by the test suite), not a measurement")
    parser.add_argument("--repeats", type=int, help="timed repeats per side (default: 5, quick: 3)")
    parser.add_argument("--json", metavar="PATH", help="write the results as a JSON list")
    parser.add_argument("--plot", metavar="PATH", help="write a PNG plot (needs matplotlib)")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--blas-threads", type=int, metavar="N",
                        help="limit BLAS to N threads (needs threadpoolctl); 1 is fairer on a "
                             "machine shared with other work, where BLAS threads wait on each other")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error(f"--repeats must be >= 1; got {args.repeats}.")
    limiter = None
    if args.blas_threads is not None:
        if args.blas_threads < 1:
            parser.error(f"--blas-threads must be >= 1; got {args.blas_threads}.")
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            parser.error("--blas-threads needs threadpoolctl (pip install threadpoolctl); or set "
                         "OPENBLAS_NUM_THREADS / MKL_NUM_THREADS / OMP_NUM_THREADS before starting.")
        limiter = threadpool_limits(limits=args.blas_threads, user_api="blas")
    if args.plot:
        require_matplotlib()  # fail now, not after minutes of timing
    name = "quick" if args.quick else "smallest" if args.smallest else "default"

    info = machine()
    started = time.perf_counter()
    results = run(name, args.repeats, progress=not args.no_progress)
    total = time.perf_counter() - started

    repeats = args.repeats or REPEATS[name]
    print(f"Vectorized vs looped ({name} mode, {repeats} repeat{'s' * (repeats > 1)}, "
          f"median seconds per call ± half the (max - min) spread), {total:.0f} s in all")
    print(format_table(results))
    if args.markdown:
        print()
        print(format_markdown(results))
    print()
    for key, value in info.items():
        print(f"{key:>9}: {value}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([r.as_json() for r in results], f, indent=2)
    if args.plot:
        plot(results, args.plot, f"{info['cpu']}, NumPy {info['numpy']}, {info['blas']}")
    if limiter is not None:
        limiter.restore_original_limits()
    return 0


if __name__ == "__main__":
    sys.exit(main())
