"""Out-of-core training: fit on a memmap larger than the process's memory budget.

Writes a float32 regression data set to an .npy file (default 4 GB: 10 million rows of 100
features) in chunks, then, in a fresh subprocess each, trains a 100 -> 32 ReLU -> 1 network
for one epoch (Adam, batch 512, shuffled) with X opened by ``np.load(mmap_mode='r')``, and
predicts on the whole file. Each subprocess reports its peak resident memory (VmHWM from
/proc/self/status; ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` where there is no /proc: on
Linux ru_maxrss is carried across exec and would report the parent's size at the fork), the
seconds of ``fit`` and ``predict`` and the final loss. ``--compare`` also runs the same fit
with X loaded into memory (needs RAM for the whole file), for the ratio of the two in one run.

The operating system's page cache may hold the file after it is written: that memory is not
the process's (it is shared and given back under pressure), but it makes reads fast; with a
cold cache the epoch is bound by the disk.

Run::

    python benchmarks/out_of_core.py --quick          # 0.25 GB, 3 repeats, with --compare
    python benchmarks/out_of_core.py                  # 4 GB, 1 repeat (disk space is checked)
    python benchmarks/out_of_core.py --size-gb 8 --budget-mb 1024 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
N_FEATURES = 100
CHUNK_ROWS = 250_000

WORKER = textwrap.dedent("""
    import json, resource, sys, time
    import numpy as np
    from neuralkit import Sequential
    from neuralkit.layers import Dense, ReLU
    from neuralkit.optimizers import Adam

    def peak_rss_mb():
        # VmHWM is this process image's own peak. ru_maxrss survives exec on Linux, so in a
        # child it can report the parent's resident size at the fork; use it only elsewhere.
        try:
            with open("/proc/self/status") as f:
                line = next(line for line in f if line.startswith("VmHWM:"))
            return int(line.split()[1]) / 1024
        except (OSError, StopIteration):
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    x_path, y_path, mode, batch_size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    X = np.load(x_path, mmap_mode="r" if mode == "memmap" else None)
    y = np.load(y_path)
    model = Sequential([Dense(32), ReLU(), Dense(1)], seed=0, dtype="float32")
    model.compile(loss="mse", optimizer=Adam(learning_rate=1e-3))
    start = time.perf_counter()
    history = model.fit(X, y, epochs=1, batch_size=batch_size, verbose=0)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    out = model.predict(X)
    predict_seconds = time.perf_counter() - start
    print(json.dumps({
        "mode": mode, "fit_s": fit_seconds, "predict_s": predict_seconds,
        "loss": history.history["loss"][-1],
        "predict_mse": float(np.mean((out[:, 0] - y) ** 2)),
        "peak_rss_mb": peak_rss_mb(),
    }))
""")


def write_data(directory: Path, size_gb: float, seed: int = 0) -> tuple[Path, Path, int]:
    """X (m, 100) float32 written chunk by chunk (never whole in memory) and y = X w + noise."""
    m = int(size_gb * 2**30 / (N_FEATURES * 4))
    x_path, y_path = directory / "X.npy", directory / "y.npy"
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(N_FEATURES).astype(np.float32) / np.sqrt(N_FEATURES)
    y = np.empty(m, dtype=np.float32)
    with open(x_path, "wb") as f:
        np.lib.format.write_array_header_2_0(
            f, {"descr": "<f4", "fortran_order": False, "shape": (m, N_FEATURES)})
        for start in range(0, m, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, m)
            X = rng.standard_normal((stop - start, N_FEATURES), dtype=np.float32)
            y[start:stop] = np.maximum(X @ w, 0) + 0.1 * rng.standard_normal(stop - start)
            f.write(X.tobytes())
    np.save(y_path, y)
    return x_path, y_path, m


def run(mode: str, x_path: Path, y_path: Path, batch_size: int, threads: int) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env.update(dict.fromkeys(("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"),
                             str(threads)))
    result = subprocess.run([sys.executable, "-c", WORKER, str(x_path), str(y_path), mode,
                             str(batch_size)], capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{mode} worker failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-gb", type=float, default=None, help="data set size (default 4, --quick 0.25)")
    parser.add_argument("--budget-mb", type=float, default=1024, help="peak RSS budget to check")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads in the workers (default 1: the GEMMs are small)")
    parser.add_argument("--repeats", type=int, default=None, help="default 1 (--quick: 3)")
    parser.add_argument("--compare", action="store_true", help="also fit with X in memory")
    parser.add_argument("--quick", action="store_true", help="0.25 GB, 3 repeats, --compare")
    parser.add_argument("--dir", default=None, help="where to write the data (default: a temp dir)")
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args()
    size_gb = args.size_gb if args.size_gb is not None else (0.25 if args.quick else 4.0)
    repeats = args.repeats or (3 if args.quick else 1)
    compare = args.compare or args.quick

    base = Path(args.dir) if args.dir else Path(tempfile.gettempdir())
    free_gb = shutil.disk_usage(base).free / 2**30
    print(f"free disk in {base}: {free_gb:.1f} GB; data set: {size_gb:.2f} GB")
    if free_gb < size_gb * 1.1 + 1:
        sys.exit(f"not enough free disk in {base} for {size_gb} GB (+10% and 1 GB spare); "
                 "use --size-gb or --dir.")
    with tempfile.TemporaryDirectory(dir=base, prefix="neuralkit_ooc_") as tmp:
        x_path, y_path, m = write_data(Path(tmp), size_gb)
        print(f"wrote X {m:,} x {N_FEATURES} float32 = {x_path.stat().st_size / 2**30:.2f} GB "
              f"to {x_path}")
        modes = ["memmap", "memory"] if compare else ["memmap"]
        results: dict[str, list[dict]] = {mode: [] for mode in modes}
        for _ in range(repeats):  # interleaved, so background load hits both alike
            for mode in modes:
                results[mode].append(run(mode, x_path, y_path, args.batch_size, args.threads))

    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, NumPy {np.__version__}")
    print(f"one epoch, batch {args.batch_size}, 100 -> 32 ReLU -> 1, float32, Adam, "
          f"{args.threads} BLAS thread(s); "
          f"median of {repeats} run(s), peak RSS = max over runs")
    print(f"{'X':<8}{'fit s':>10}{'predict s':>12}{'rows/s':>14}{'peak RSS MB':>14}{'loss':>10}")
    summary = {}
    for mode, runs in results.items():
        fit_s = statistics.median(r["fit_s"] for r in runs)
        pred_s = statistics.median(r["predict_s"] for r in runs)
        peak = max(r["peak_rss_mb"] for r in runs)
        summary[mode] = {"fit_s": fit_s, "predict_s": pred_s, "rows_per_s": m / fit_s,
                         "peak_rss_mb": peak, "loss": runs[-1]["loss"], "runs": runs}
        print(f"{mode:<8}{fit_s:>10.2f}{pred_s:>12.2f}{m / fit_s:>14,.0f}{peak:>14.0f}"
              f"{runs[-1]['loss']:>10.4f}")
    if compare:
        print(f"memmap / in-memory fit time: {summary['memmap']['fit_s'] / summary['memory']['fit_s']:.2f}")
    peak = summary["memmap"]["peak_rss_mb"]
    file_mb = size_gb * 1024
    verdict = "within" if peak < args.budget_mb else "OVER"
    print(f"memmap peak RSS {peak:.0f} MB for a {file_mb:.0f} MB file: {verdict} the "
          f"{args.budget_mb:.0f} MB budget")
    if args.json:
        Path(args.json).write_text(json.dumps({"size_gb": size_gb, "rows": m, "machine":
                                               platform.platform(), "results": summary}, indent=2))


if __name__ == "__main__":
    main()
