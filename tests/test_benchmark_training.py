"""The training benchmark runs end to end on its smallest workload (no timing is asserted)."""

import importlib.util
import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT, run_python


def test_training_benchmark_runs_and_writes_json(tmp_path):
    out = tmp_path / "training.json"
    result = run_python(
        [ROOT / "benchmarks" / "training.py", "--quick", "--repeats", "3",
         "--workloads", "c", "--impls", "gemm_floor", "numpy_loop", "neuralkit", "--json", out],
        cwd=tmp_path, timeout=300,
    )
    assert "machine:" in result.stdout and "gemm_floor" in result.stdout
    report = json.loads(out.read_text())
    assert report["machine"]["cores"] >= 1
    rows = {r["impl"]: r for r in report["results"]}
    assert set(rows) == {"gemm_floor", "numpy_loop", "neuralkit"}
    for row in rows.values():
        assert row["workload"] == "c" and row["epoch_s"] > 0 and row["peak_rss_mb"] > 0
    assert rows["gemm_floor"]["vs_floor"] == 1.0 and rows["gemm_floor"]["paired_vs_floor"] == 1.0
    floor_runs, nk_runs = rows["gemm_floor"]["runs_s"], rows["neuralkit"]["runs_s"]
    assert len(floor_runs) == len(nk_runs) == 3
    assert rows["neuralkit"]["epoch_s"] == sorted(nk_runs)[1]
    ratios = sorted(n / f for n, f in zip(nk_runs, floor_runs, strict=True))  # repeat by repeat
    assert rows["neuralkit"]["paired_vs_floor"] == ratios[1]
    assert rows["neuralkit"]["vs_floor"] == rows["neuralkit"]["epoch_s"] / rows["gemm_floor"]["epoch_s"]
    assert rows["neuralkit"]["vs_numpy_loop"] == (rows["neuralkit"]["epoch_s"]
                                                  / rows["numpy_loop"]["epoch_s"])


def test_training_benchmark_baseline_pairs_two_trees(tmp_path):
    # The repository itself as the baseline: an A/A run, cheap, and both trees are known paths.
    out = tmp_path / "baseline.json"
    result = run_python(
        [ROOT / "benchmarks" / "training.py", "--quick", "--repeats", "2", "--workloads", "c",
         "--impls", "gemm_floor", "--baseline", ROOT, "--json", out],
        cwd=tmp_path, timeout=300,
    )
    assert "neuralkit / neuralkit_baseline" in result.stdout
    report = json.loads(out.read_text())
    rows = {r["impl"]: r for r in report["results"]}
    assert list(rows) == ["gemm_floor", "neuralkit", "neuralkit_baseline"]  # neuralkit is implied
    init = str((ROOT / "neuralkit" / "__init__.py").resolve())
    for impl in ("neuralkit", "neuralkit_baseline"):
        assert rows[impl]["tree"] == str(ROOT.resolve())
        assert rows[impl]["neuralkit_files"] == [init]
        assert len(rows[impl]["runs_s"]) == 2
    assert report["baseline"]["baseline"]["dir"] == str(ROOT.resolve())
    assert report["baseline"]["baseline"]["neuralkit_file"] == init
    nk = rows["neuralkit"]
    ratios = [n / b for n, b in zip(nk["runs_s"], rows["neuralkit_baseline"]["runs_s"], strict=True)]
    assert nk["baseline_ratios"] == ratios
    assert nk["paired_vs_baseline"] == (ratios[0] + ratios[1]) / 2  # the median of two
    assert nk["paired_vs_baseline_min"] == min(ratios) and nk["paired_vs_baseline_max"] == max(ratios)
    assert min(ratios) <= nk["paired_vs_baseline_p10"] <= nk["paired_vs_baseline_p90"] <= max(ratios)
    assert nk["baseline_ran_first"] == [False, True]  # the pair's order alternates
    assert "baseline_ratios" not in rows["neuralkit_baseline"] and "tree" not in rows["gemm_floor"]


def test_training_benchmark_baseline_must_be_a_neuralkit_checkout(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "training.py"), "--baseline", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2 and "no neuralkit/__init__.py" in result.stderr


def test_training_benchmark_stops_on_the_wrong_neuralkit(tmp_path):
    # A worker that imported another tree's neuralkit is an error, not a silent number.
    spec = importlib.util.spec_from_file_location("_training_benchmark", ROOT / "benchmarks" / "training.py")
    training = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(training)
    run = {"epoch_s": 1.0, "neuralkit_file": str(ROOT / "neuralkit" / "__init__.py")}
    training._check_tree(run, "neuralkit", str(ROOT))
    with pytest.raises(RuntimeError, match="meant to import"):
        training._check_tree(run, "neuralkit_baseline", str(tmp_path))
    with pytest.raises(RuntimeError, match="meant to import"):
        training._check_tree({"epoch_s": 1.0}, "neuralkit_baseline", str(ROOT))


def test_training_benchmark_cnn_workload_runs(tmp_path):
    # The CNN workload: neuralkit beside its GEMM floor, 12 batches per epoch (no timing asserted).
    out = tmp_path / "cnn.json"
    result = run_python(
        [ROOT / "benchmarks" / "training.py", "--quick", "--repeats", "1", "--workloads", "cnn",
         "--impls", "gemm_floor", "numpy_loop", "neuralkit", "--threads", "1", "--json", out],
        cwd=tmp_path, timeout=300,
    )
    assert "(cnn)" in result.stdout and "paired torch" in result.stdout
    rows = {r["impl"]: r for r in json.loads(out.read_text())["results"]}
    assert set(rows) == {"gemm_floor", "neuralkit"}  # the cnn has no numpy_loop
    assert rows["neuralkit"]["epoch_s"] > 0 and rows["neuralkit"]["paired_vs_floor"] > 0
    assert rows["neuralkit"]["paired_vs_torch"] is None
