"""Every example runs, in its smoke mode, in a subprocess, and saves its figure
(tests/test_examples.py checks more of what quickstart and custom_layer print). The run_example
fixture runs each in a temporary folder and checks that it wrote nothing into the repository.

The cat and Fashion-MNIST examples read files the user gives: here they get small files
written by the test in the same layouts (the real data is never needed).
"""

import re

import numpy as np

from tests.helpers import write_catvnoncat


def _saved_png(path):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_quickstart(run_example, tmp_path):
    out = run_example("quickstart.py", "--quick", "--save", tmp_path / "q.png", MPLBACKEND="Agg")
    accuracy = float(out.split("test accuracy ")[1].split()[0])
    assert 0.5 <= accuracy <= 1.0
    _saved_png(tmp_path / "q.png")


def test_custom_layer(run_example, tmp_path):
    out = run_example("custom_layer.py", "--save", tmp_path / "c.png", MPLBACKEND="Agg")
    assert "PReLU alone, relative errors" in out and "learned slopes" in out
    _saved_png(tmp_path / "c.png")


def test_movie_ratings(run_example, tmp_path):
    out = run_example("movie_ratings.py", "--quick", "--save", tmp_path / "m.png", MPLBACKEND="Agg")
    assert "W = 0.502" in out  # the seed's worked update
    mse = float(out.split("test users: ")[1].split()[0])
    baseline = float(out.split("mean rating: ")[1].split(")")[0])
    assert mse < baseline  # even 5 epochs beat the constant guess
    _saved_png(tmp_path / "m.png")


def test_planar_flower(run_example, tmp_path):
    out = run_example("planar_flower.py", "--quick", "--save", tmp_path / "f.png", MPLBACKEND="Agg")
    rows = [line.split() for line in out.splitlines() if line.strip().endswith("%")
            and line.split()[0].isdigit()]
    assert [int(row[0]) for row in rows] == [1, 2, 3, 4, 5, 20, 50]
    _saved_png(tmp_path / "f.png")


def test_cat_classifier_on_tiny_files(run_example, tmp_path):
    (train, test), _ = write_catvnoncat(tmp_path, m_train=6, m_test=4)
    out = run_example("cat_classifier.py", train, test, "--quick", "--save", tmp_path / "cat.png",
                      MPLBACKEND="Agg")
    assert "X (6, 12288)" in out and "cost after iteration 0:" in out
    assert out.count("train accuracy") == 2  # the 2-layer and the 4-layer model
    _saved_png(tmp_path / "cat.png")


def test_fashion_mnist_on_a_tiny_npz(run_example, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "tiny.npz"
    np.savez(path, x_train=rng.integers(0, 256, (300, 28, 28), dtype=np.uint8),
             y_train=(np.arange(300) % 10).astype(np.uint8),
             x_test=rng.integers(0, 256, (50, 28, 28), dtype=np.uint8),
             y_test=(np.arange(50) % 10).astype(np.uint8))
    out = run_example("fashion_mnist_mlp.py", path, "--quick", "--save", tmp_path / "fm.png",
                      MPLBACKEND="Agg")
    assert "train (270, 784)" in out and "Epoch 2/2" in out
    matrix = [line.split()[1:] for line in out.split("columns: predicted)")[1].splitlines()[2:12]]
    assert sum(int(v) for row in matrix for v in row) == 50  # every test image counted once
    _saved_png(tmp_path / "fm.png")


def _striped_npz(path, m_train, m_test, seed=0):
    """Fashion-MNIST's layout, with images a CNN can learn fast: class k is a bright band at
    rows 2k + 4 to 2k + 6 over uniform noise."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, m in (("train", m_train), ("test", m_test)):
        y = rng.permutation(np.arange(m) % 10).astype(np.uint8)
        x = rng.integers(0, 120, (m, 28, 28), dtype=np.uint8)
        for k in range(10):
            x[y == k, 2 * k + 4:2 * k + 7, 4:24] = 255
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x, y
    np.savez(path, **arrays)


def test_fashion_mnist_cnn_on_a_small_npz(run_example, tmp_path):
    path = tmp_path / "striped.npz"
    _striped_npz(path, m_train=600, m_test=100)
    out = run_example("fashion_mnist_cnn.py", path, "--quick", "--save", tmp_path / "cnn.png",
                      MPLBACKEND="Agg")
    assert "train (540, 28, 28, 1), validation (60, 28, 28, 1), test (100, 28, 28, 1)" in out
    # The network, with Keras's parameter counts.
    for row in ("(None, 26, 26, 32)", "(None, 5, 5, 64)", "(None, 1600)", "204,928",
                "Total params: 225,034"):
        assert row in out, row
    assert "Epoch 2/2" in out and "time per epoch:" in out
    losses = re.search(r"training loss (\d+\.\d+) \(epoch 1\) -> (\d+\.\d+) \(epoch 2\)", out)
    assert losses and float(losses.group(2)) < float(losses.group(1)), out
    matrix = [line.split()[1:] for line in out.split("columns: predicted)")[1].splitlines()[2:12]]
    assert sum(int(v) for row in matrix for v in row) == 100  # every test image counted once
    accuracy = float(out.split("test accuracy ")[1].split(",")[0])
    assert accuracy > 0.5, out  # chance is 0.1; the bands are easy
    _saved_png(tmp_path / "cnn.png")
