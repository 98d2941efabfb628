"""The training benchmark runs end to end on its smallest workload (no timing is asserted)."""

import importlib.util
import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT, python_env, run_python


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_test_bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env():
    """The tree under test with its accelerator as built (NEURALKIT_ACCELERATOR=0 would stop the driver)."""
    return {k: v for k, v in python_env().items() if k != "NEURALKIT_ACCELERATOR"}


def test_training_benchmark_runs_and_writes_json(tmp_path):
    out = tmp_path / "training.json"
    result = run_python(
        [ROOT / "benchmarks" / "training.py", "--quick", "--repeats", "3",
         "--workloads", "c", "--impls", "gemm_floor", "numpy_loop", "neuralkit", "--json", out],
        cwd=tmp_path, timeout=300, env=_env(),
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
        cwd=tmp_path, timeout=300, env=_env(),
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
    training = _load("training")
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
        cwd=tmp_path, timeout=300, env=_env(),
    )
    assert "(cnn)" in result.stdout and "paired torch" in result.stdout
    rows = {r["impl"]: r for r in json.loads(out.read_text())["results"]}
    assert set(rows) == {"gemm_floor", "neuralkit"}  # the cnn has no numpy_loop
    assert rows["neuralkit"]["epoch_s"] > 0 and rows["neuralkit"]["paired_vs_floor"] > 0
    assert rows["neuralkit"]["paired_vs_torch"] is None


def test_the_floor_is_the_faster_of_the_two_weight_layouts():
    mlp = _load("mlp_workload")
    assert set(mlp.LAYOUTS) == {"out_in", "in_out"}
    floor = mlp.faster_layout({"out_in": [3.0, 1.0, 2.0], "in_out": [1.5, 9.0, 1.5]})
    assert floor == {"epoch_s": 1.5, "layout": "in_out", "layout_epoch_s": {"out_in": 2.0, "in_out": 1.5}}
    assert mlp.faster_layout({"out_in": [1.0], "in_out": [4.0]})["layout"] == "out_in"
    # Both layouts are timed in one run, epoch for epoch, over the same batches.
    w = dict(mlp.WORKLOADS["a"], m=300, n_x=12, hidden=[6, 5], n_out=3, batch=128)
    X, y = mlp.data(w)
    times = mlp.run_gemm_floor(w, X, y, 3)
    assert set(times) == {"out_in", "in_out"} and all(len(ts) == 3 for ts in times.values())


def test_the_floor_row_names_the_layout_faster_in_most_repeats():
    report = _load("_report")
    base = {"peak_rss_mb": 10.0, "rss_after_data_mb": 5.0, "data_mb": 1.0}
    layouts = ((1.0, "in_out", 1.2, 1.0), (0.9, "out_in", 0.9, 1.1), (1.0, "in_out", 2.0, 1.0))
    floor = [dict(base, epoch_s=t, layout=lay, layout_epoch_s={"out_in": a, "in_out": b})
             for t, lay, a, b in layouts]
    nk = [dict(base, epoch_s=t, accelerator="on", neuralkit_file="x") for t in (2.0, 2.0, 3.0)]
    numpy_path = [dict(base, epoch_s=t, accelerator="off", neuralkit_file="x") for t in (4.0, 2.0, 4.0)]
    runs = {("a", "gemm_floor"): floor, ("a", "neuralkit"): nk, ("a", "neuralkit_numpy"): numpy_path}
    rows = {r["impl"]: r for r in report.result_rows("a", ["gemm_floor", "neuralkit", "neuralkit_numpy"],
                                                       runs, {"name": "sgd"}, None, 3)}
    f = rows["gemm_floor"]
    assert f["layout"] == "in_out" and f["layout_wins"] == {"in_out": 2, "out_in": 1}
    assert f["layout_runs"] == ["in_out", "out_in", "in_out"]
    assert f["layout_epoch_s"] == {"out_in": 1.2, "in_out": 1.0} and f["epoch_s"] == 1.0
    assert rows["neuralkit"]["paired_vs_neuralkit_numpy"] == 0.75  # median of 0.5, 1.0, 0.75
    assert rows["neuralkit"]["vs_neuralkit_numpy"] == 0.5  # 2.0 / 4.0, the medians
    assert rows["neuralkit"]["accelerator"] == "on" and rows["neuralkit_numpy"]["accelerator"] == "off"
    assert "layout" not in rows["neuralkit"] and "accelerator" not in f
    assert rows["neuralkit"]["optimizer"] == {"name": "sgd"}


def test_adam_workloads_and_new_implementations_are_wired():
    training = _load("training")
    mlp = training.mlp
    adam = {"name": "adam", "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8}
    network = ("m", "n_x", "hidden", "n_out")
    for name, batch in (("adam", 128), ("adam32", 32)):
        w = training.WORKLOADS[name]
        assert w["optimizer"] == adam and w["batch"] == batch and w["dtype"] == "float32"
        assert [w[k] for k in network] == [training.WORKLOADS["a"][k] for k in network]
    for name in ("a", "a'", "b", "c"):  # unchanged: plain SGD at the old learning rate
        assert training.WORKLOADS[name]["optimizer"] == {"name": "sgd", "learning_rate": 0.01}
    assert training.WORKLOADS["cnn"]["optimizer"] == adam
    assert {"neuralkit_numpy", "jax"} <= set(training.IMPLEMENTATIONS)
    assert training.RUNNERS["jax"] is training.peers.run_jax
    assert training._runner_name("neuralkit_numpy") == training._runner_name(training.BASELINE) == "neuralkit"
    assert training._runs_on("neuralkit_numpy", "cnn") and not training._runs_on("jax", "cnn")
    assert training._runs_on("jax", "adam32") and training._runs_on("sklearn", "adam")
    assert mlp.RUNNERS["neuralkit"] is mlp.run_neuralkit


def test_neuralkit_numpy_runs_with_the_accelerator_off(monkeypatch):
    training = _load("training")
    monkeypatch.delenv("NEURALKIT_ACCELERATOR", raising=False)
    env = training._worker_env("neuralkit_numpy", 2)
    assert env["NEURALKIT_ACCELERATOR"] == "0" and env["BENCH_THREADS"] == "2"
    assert env["PYTHONPATH"].split(":")[0] == training.REPO
    for impl in ("neuralkit", "gemm_floor", "torch", "jax"):
        assert "NEURALKIT_ACCELERATOR" not in training._worker_env(impl, 1)


def test_the_driver_stops_on_the_wrong_optimizer_path():
    training = _load("training")
    check = training._check_accelerator
    for state in ("on", "not built"):
        check({"accelerator": state}, "neuralkit")
    check({"accelerator": "off"}, "neuralkit_numpy")
    check({"accelerator": "off"}, "neuralkit_baseline")  # another tree: recorded, not judged
    check({}, "torch")
    with pytest.raises(RuntimeError, match="NEURALKIT_ACCELERATOR=0 set in this environment"):
        check({"accelerator": "off"}, "neuralkit")
    with pytest.raises(RuntimeError, match="build it"):
        check({"accelerator": "not built"}, "neuralkit_numpy")
    with pytest.raises(RuntimeError, match="did not turn it off"):
        check({"accelerator": "on"}, "neuralkit_numpy")
    with pytest.raises(RuntimeError, match="expected 'on' or 'not built'"):
        check({"accelerator": None}, "neuralkit")


def test_neuralkit_and_neuralkit_numpy_pair_end_to_end(tmp_path):
    accelerator = pytest.importorskip("neuralkit.training.accelerator")
    if not accelerator.built():
        pytest.skip("the accelerator is not built here: neuralkit_numpy would stop the driver")
    out = tmp_path / "pair.json"
    result = run_python(
        [ROOT / "benchmarks" / "training.py", "--quick", "--repeats", "2", "--workloads", "c",
         "--impls", "gemm_floor", "neuralkit", "neuralkit_numpy", "--json", out],
        cwd=tmp_path, timeout=300, env=_env(),
    )
    assert "paired nk_numpy" in result.stdout and "(c) gemm_floor: " in result.stdout
    report = json.loads(out.read_text())
    rows = {r["impl"]: r for r in report["results"]}
    assert rows["neuralkit"]["accelerator"] == "on" and rows["neuralkit_numpy"]["accelerator"] == "off"
    nk, numpy_path = rows["neuralkit"]["runs_s"], rows["neuralkit_numpy"]["runs_s"]
    ratios = [a / b for a, b in zip(nk, numpy_path, strict=True)]
    assert rows["neuralkit"]["paired_vs_neuralkit_numpy"] == pytest.approx(sum(ratios) / 2)
    floor = rows["gemm_floor"]
    assert floor["layout"] in report["floor_layouts"] and sum(floor["layout_wins"].values()) == 2
    assert floor["layout_wins"][floor["layout"]] >= 1


_PEERS_ON_ADAM = """
import importlib.util, json, sys
def load(name):
    spec = importlib.util.spec_from_file_location(name, f"{sys.argv[1]}/benchmarks/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
mlp, peers = load("mlp_workload"), load("_peers")
runners = {**mlp.RUNNERS, **peers.RUNNERS}
out = {}
for name in ("adam32", "c"):
    w = dict(mlp.WORKLOADS[name], m=200, n_x=12, hidden=[6])
    X, y = mlp.data(w)
    for impl in sys.argv[2:]:
        times = runners[impl](w, X, y, 2)
        out[f"{name} {impl}"] = len(times) if isinstance(times, list) else sorted(times)
print(json.dumps(out))
"""


def test_every_implementation_trains_a_small_adam_and_sgd_network(tmp_path):
    # The runners on a small copy of (adam32) and (c): each runs its epochs (no timing asserted).
    impls = ["gemm_floor", "numpy_loop", "neuralkit"]
    peers = {"torch": ("torch",), "jax": ("jax", "optax"), "sklearn": ("sklearn",)}
    impls += [impl for impl, modules in peers.items()
              if all(importlib.util.find_spec(module) is not None for module in modules)]
    result = run_python(["-c", _PEERS_ON_ADAM, ROOT, *impls], cwd=tmp_path, timeout=300,
                        env=dict(_env(), BENCH_THREADS="1"))
    out = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("adam32", "c"):
        assert out[f"{name} gemm_floor"] == ["in_out", "out_in"]
        for impl in impls[1:]:
            assert out[f"{name} {impl}"] == 2
