"""The training benchmark runs end to end on its smallest workload (no timing is asserted)."""

import json

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
