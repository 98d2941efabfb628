"""The results of ``benchmarks/training.py``: its runs turned into result rows, and the printed tables.

``result_rows`` makes one row per workload and implementation (the JSON's ``results``): the
median seconds per epoch over the repeats and their spread, the ratios of medians to the floor,
the NumPy loop, torch, scikit-learn and neuralkit_numpy, and the paired ratios (the median over
repeats of the ratio to the other's run in the same repeat) to the floor, torch and
neuralkit_numpy; the floor's row says which weight layout was the faster; the neuralkit rows
say which optimizer path their workers reported. ``print_table`` and ``print_baseline`` print them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

import numpy as np

__all__ = ["paired_ratio", "baseline_stats", "result_rows", "print_table", "print_baseline"]

Runs = dict[tuple[str, str], list[dict[str, Any]]]


def paired_ratio(runs: list[dict[str, Any]], other: list[dict[str, Any]] | None) -> float | None:
    """The median over repeats of (this run / the other's run of the same repeat).

    The two runs of a repeat are seconds apart, so a machine whose speed drifts from minute to
    minute moves both; the ratio of the medians mixes runs from different minutes.
    """
    if not other:
        return None
    return statistics.median(r["epoch_s"] / f["epoch_s"] for r, f in zip(runs, other, strict=True))


def baseline_stats(runs: list[dict[str, Any]], base: list[dict[str, Any]],
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


def _layouts(rs: list[dict[str, Any]]) -> dict[str, Any]:
    """The floor's weight layouts over the repeats: the one faster in most, and each one's times."""
    if "layout" not in rs[0]:
        return {}
    wins = Counter(r["layout"] for r in rs)
    names = list(rs[0]["layout_epoch_s"])
    return {"layout": max(names, key=lambda name: wins[name]), "layout_wins": dict(wins),
            "layout_runs": [r["layout"] for r in rs],
            "layout_epoch_s": {n: statistics.median(r["layout_epoch_s"][n] for r in rs) for n in names}}


def result_rows(wl: str, here: list[str], runs: Runs, optimizer: dict[str, Any] | None,
                trees: dict[str, str] | None, repeats: int) -> list[dict[str, Any]]:
    """The rows of workload ``wl`` for the implementations ``here`` that ran it."""
    med = {impl: statistics.median(r["epoch_s"] for r in runs[(wl, impl)]) for impl in here}

    def vs(impl: str, other: str) -> float | None:
        return med[impl] / med[other] if other in med else None

    results = []
    for impl in here:
        rs = runs[(wl, impl)]
        row = {
            "workload": wl, "impl": impl, "epoch_s": med[impl],
            "min_s": min(r["epoch_s"] for r in rs), "max_s": max(r["epoch_s"] for r in rs),
            "vs_floor": vs(impl, "gemm_floor"),
            "paired_vs_floor": paired_ratio(rs, runs.get((wl, "gemm_floor"))),
            "vs_numpy_loop": vs(impl, "numpy_loop"), "vs_torch": vs(impl, "torch"),
            "paired_vs_torch": paired_ratio(rs, runs.get((wl, "torch"))),
            "vs_sklearn": vs(impl, "sklearn"), "vs_neuralkit_numpy": vs(impl, "neuralkit_numpy"),
            "paired_vs_neuralkit_numpy": paired_ratio(rs, runs.get((wl, "neuralkit_numpy"))),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in rs),
            "added_mb": statistics.median(r["peak_rss_mb"] - r["rss_after_data_mb"] for r in rs),
            "data_mb": rs[0]["data_mb"], "repeats": len(rs), "optimizer": optimizer,
            "runs_s": [r["epoch_s"] for r in rs],
            **_layouts(rs),
        }
        if "accelerator" in rs[0]:
            states = sorted({str(r["accelerator"]) for r in rs})
            row["accelerator"] = states[0] if len(states) == 1 else states
        if "cpus" in rs[0]:
            row["cpus"] = rs[0]["cpus"]
        if trees is not None and impl in trees:
            row["tree"] = trees[impl]
            row["neuralkit_files"] = sorted({r["neuralkit_file"] for r in rs})
            if impl == "neuralkit":
                row.update(baseline_stats(rs, runs[(wl, "neuralkit_baseline")],
                                          [r % 2 == 1 for r in range(repeats)]))
        results.append(row)
    return results


def _print_rows(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(wd) for c, wd in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * wd for wd in widths))


def _ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def print_table(machine: dict[str, Any], results: list[dict[str, Any]], repeats: int,
                missing: list[str], layouts: dict[str, str]) -> None:
    print(f"\nmachine: {machine['cpu']}, {machine['cores']} cores, {machine['threads']} threads, "
          f"Python {machine['python']}, NumPy {machine['numpy']}, BLAS {', '.join(machine['blas'])}, "
          f"torch {machine['torch']}, scikit-learn {machine['sklearn']}, jax {machine.get('jax')}, "
          "load average at start " + ", ".join(f"{x:.2f}" for x in machine["load_average_at_start"]))
    print(f"medians of {repeats} interleaved runs, each a fresh process; s/epoch after one warm-up epoch"
          + (f"; not installed: {', '.join(missing)}" if missing else ""))
    rows = [("workload", "impl", "s/epoch", "spread", "x floor", "paired", "x loop", "x torch",
             "paired torch", "x sklearn", "paired nk_numpy", "peak RSS MB", "training MB", "data MB")]
    for r in results:
        rows.append((f"({r['workload']})", r["impl"], f"{r['epoch_s']:.5f}",
                     f"{r['min_s']:.5f}-{r['max_s']:.5f}", _ratio(r["vs_floor"]),
                     _ratio(r["paired_vs_floor"]), _ratio(r["vs_numpy_loop"]), _ratio(r["vs_torch"]),
                     _ratio(r["paired_vs_torch"]), _ratio(r["vs_sklearn"]),
                     _ratio(r["paired_vs_neuralkit_numpy"]), f"{r['peak_rss_mb']:.0f}",
                     f"{r['added_mb']:.0f}", f"{r['data_mb']:.1f}"))
    _print_rows(rows)
    for r in results:
        if "layout" in r:
            times = ", ".join(f"{n} {t:.5f}" for n, t in r["layout_epoch_s"].items())
            print(f"({r['workload']}) gemm_floor: {r['layout']} ({layouts[r['layout']]}) faster in "
                  f"{r['layout_wins'].get(r['layout'], 0)}/{r['repeats']} repeats; s/epoch {times}")


def print_baseline(info: dict[str, Any], rows: list[dict[str, Any]], runs: Runs) -> None:
    def name(tree: dict[str, Any]) -> str:
        changes = " + local changes in neuralkit/" if tree["dirty"] else ""
        commit = (tree["commit"] or "no git")[:10] + changes
        return f"{tree['dir']} @ {commit}"

    print(f"\nneuralkit / neuralkit_baseline, paired repeat by repeat (the pair back to back, order "
          f"alternating)\n  neuralkit:          {name(info['this'])}\n  neuralkit_baseline: "
          f"{name(info['baseline'])}")
    table = [("workload", "neuralkit s/epoch", "baseline s/epoch", "paired", "min-max", "p10-p90",
              "slower in", "repeats")]
    for r in rows:
        base = statistics.median(b["epoch_s"] for b in runs[(r["workload"], "neuralkit_baseline")])
        table.append((f"({r['workload']})", f"{r['epoch_s']:.5f}", f"{base:.5f}",
                      f"{r['paired_vs_baseline']:.3f}",
                      f"{r['paired_vs_baseline_min']:.3f}-{r['paired_vs_baseline_max']:.3f}",
                      f"{r['paired_vs_baseline_p10']:.3f}-{r['paired_vs_baseline_p90']:.3f}",
                      f"{r['slower_than_baseline_in']}/{r['repeats']}", str(r["repeats"])))
    _print_rows(table)
