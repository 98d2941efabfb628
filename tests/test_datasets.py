"""neuralkit.datasets: generators (shapes, seeding, the geometry each promises) and loaders
(on small files written here)."""

import sys

import numpy as np
import pytest

from neuralkit import datasets
from tests.helpers import write_catvnoncat

GENERATORS = [datasets.planar_flower, datasets.moons, datasets.spirals, datasets.xor,
              datasets.movie_ratings]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_generators_rows_seeded_and_leave_global_state_alone(make):
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    X1, y1 = make(m=101, seed=7)
    after = np.random.random()
    X2, y2 = make(m=101, seed=7)
    X3, _ = make(m=101, seed=8)
    assert before == after  # NumPy's global generator was not touched
    assert X1.shape[0] == y1.shape[0] == 101 and X1.ndim == 2 and y1.ndim == 1
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert np.isfinite(X1).all()


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad, error", [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_generators_reject_bad_m(make, bad, error):
    with pytest.raises(error, match="m must be"):
        make(m=bad)


def test_bad_noise_is_refused():
    with pytest.raises(ValueError, match="noise must be a finite number >= 0; got -1"):
        datasets.moons(noise=-1)
    with pytest.raises(TypeError, match="noise must be a number"):
        datasets.spirals(noise="a lot")


def test_planar_flower_is_the_course_rose_curve():
    # Without noise every point lies on r = 4 sin(4 t): its polar angle t (measured from the
    # y axis, x = r sin t, y = r cos t) and its distance |r| must satisfy the curve.
    X, y = datasets.planar_flower(m=400, noise=0.0, seed=0)
    assert X.shape == (400, 2) and set(np.unique(y)) == {0, 1}
    assert np.count_nonzero(y == 0) == np.count_nonzero(y == 1) == 200
    t0 = np.linspace(0, 3.12, 200)
    r0 = 4 * np.sin(4 * t0)
    assert np.allclose(X[:200], np.column_stack([r0 * np.sin(t0), r0 * np.cos(t0)]))
    assert np.allclose(np.hypot(X[:, 0], X[:, 1]).max(), 4, atol=0.01)
    # Odd m: class 0 gets the extra sample.
    _, y_odd = datasets.planar_flower(m=9)
    assert np.count_nonzero(y_odd == 0) == 5


def test_planar_flower_is_not_linearly_separable_but_is_for_a_small_net():
    # The course's point: a linear boundary cannot do much better than chance on the flower.
    X, y = datasets.planar_flower(seed=1)
    A = np.column_stack([X, np.ones(len(X))])
    w, *_ = np.linalg.lstsq(A, 2.0 * y - 1, rcond=None)
    linear_acc = np.mean((A @ w > 0) == (y == 1))
    assert 0.4 < linear_acc < 0.7


def test_moons_geometry_without_noise():
    X, y = datasets.moons(m=200, noise=0.0, seed=3)
    top, bottom = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(top[:, 0], top[:, 1]), 1.0)
    assert np.allclose(np.hypot(bottom[:, 0] - 1, bottom[:, 1] - 0.5), 1.0)
    assert (top[:, 1] >= 0).all() and (bottom[:, 1] <= 0.5).all()


def test_spirals_classes_and_radius():
    X, y = datasets.spirals(m=301, classes=4, noise=0.0, seed=0)
    assert X.shape == (301, 2) and set(np.unique(y)) == {0, 1, 2, 3}
    assert np.hypot(X[:, 0], X[:, 1]).max() == pytest.approx(1.0)
    # Without noise, the point at radius r of arm k sits at angle 2 pi (k / 4 + 0.65 r).
    arm = X[y == 2]
    r = np.hypot(arm[:, 0], arm[:, 1])
    t = 2 * np.pi * (2 / 4 + 0.65 * r)
    assert np.allclose(arm, np.column_stack([r * np.sin(t), r * np.cos(t)]))
    with pytest.raises(ValueError, match="at least classes=5"):
        datasets.spirals(m=4, classes=5)


def test_xor_labels():
    X, y = datasets.xor(m=500, seed=2)
    expected = (X[:, 0] * X[:, 1] < 0).astype(int)  # opposite signs
    assert np.array_equal(y, expected)
    assert 0.4 < y.mean() < 0.6


def test_movie_ratings_features_and_formula():
    X, y = datasets.movie_ratings(m=1000, noise=0.0, seed=4)
    assert X.shape == (1000, 5) and len(datasets.MOVIE_FEATURES) == 5
    g, d, a, avg, dur = X.T
    assert ((X[:, [0, 1, 2, 4]] >= 0) & (X[:, [0, 1, 2, 4]] <= 1)).all()
    assert avg.min() >= 1 and avg.max() <= 5
    s = 0.35 * g + 0.2 * d + 0.1 * a + 0.25 * (avg - 1) / 4 + 0.1 * dur + 0.3 * np.maximum(0, g + d - 1)
    assert np.allclose(y, np.clip(1 + 4 * s, 1, 5))
    _, noisy = datasets.movie_ratings(m=1000, noise=0.3, seed=4)
    assert noisy.min() >= 1 and noisy.max() <= 5 and not np.allclose(noisy, y)


# ---------------------------------------------------------------------- load_npz
def _write_npz(path, m_train=6, m_test=4, **overrides):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (m_train, 5, 4), dtype=np.uint8),
        "y_train": rng.integers(0, 10, m_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (m_test, 5, 4), dtype=np.uint8),
        "y_test": rng.integers(0, 10, m_test, dtype=np.uint8),
    }
    arrays.update(overrides)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(path, **arrays)
    return arrays


def test_load_npz_raw_flattened_and_scaled(tmp_path):
    path = tmp_path / "data.npz"
    raw = _write_npz(path)
    (x_train, y_train), (x_test, y_test) = datasets.load_npz(path)
    assert x_train.dtype == np.uint8 and np.array_equal(x_train, raw["x_train"])
    assert np.array_equal(y_test, raw["y_test"])
    (x_train, y_train), (x_test, _) = datasets.load_npz(str(path), flatten=True, scale=True,
                                                        dtype="float32")
    assert x_train.shape == (6, 20) and x_test.shape == (4, 20) and x_train.dtype == np.float32
    assert np.allclose(x_train, raw["x_train"].reshape(6, -1) / 255.0)
    assert np.array_equal(y_train, raw["y_train"])
    (x_train, _), _ = datasets.load_npz(path, scale=True)
    assert x_train.shape == (6, 5, 4) and x_train.dtype == np.float64 and x_train.max() <= 1


def test_load_npz_refuses_pickled_objects(tmp_path):
    path = tmp_path / "objects.npz"
    ragged = np.array([np.zeros(2), np.zeros(3)], dtype=object)
    _write_npz(path, x_train=ragged, y_train=np.zeros(2))
    with pytest.raises(ValueError, match="allow_pickle"):
        datasets.load_npz(path)


def test_load_npz_bad_files(tmp_path):
    path = tmp_path / "partial.npz"
    _write_npz(path, y_test=None)
    with pytest.raises(ValueError, match=r"missing \['y_test'\]"):
        datasets.load_npz(path)
    path = tmp_path / "mismatch.npz"
    _write_npz(path, y_train=np.zeros(5))
    with pytest.raises(ValueError, match="x_train has 6 samples but y_train has 5"):
        datasets.load_npz(path)
    path = tmp_path / "not_pixels.npz"
    _write_npz(path, x_test=np.full((4, 5, 4), 300.0))
    with pytest.raises(ValueError, match=r"expects pixel values in \[0, 255\]"):
        datasets.load_npz(path, scale=True)
    with pytest.raises(FileNotFoundError, match="no such file"):
        datasets.load_npz(tmp_path / "absent.npz")
    with pytest.raises(TypeError, match="path must be a path"):
        datasets.load_npz(42)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a readable .npz"):
        datasets.load_npz(junk)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ValueError, match="single array, not an .npz archive"):
        datasets.load_npz(single)


# ---------------------------------------------------------------------- load_catvnoncat
def test_load_catvnoncat_flattens_like_the_course(tmp_path):
    (train, test), raw = write_catvnoncat(tmp_path)
    (X_train, y_train), (X_test, y_test) = datasets.load_catvnoncat(train, test)
    assert X_train.shape == (5, 12288) and X_test.shape == (3, 12288)
    assert X_train.dtype == np.float64 and y_train.shape == (5,)
    # The course: train_set_x_orig.reshape(m, -1).T / 255, i.e. columns; ours are its rows.
    x = raw["train"][0]
    course_columns = x.reshape(x.shape[0], -1).T / 255.0
    assert np.array_equal(X_train, course_columns.T)
    assert np.array_equal(y_test, raw["test"][1])
    (X_raw, _), _ = datasets.load_catvnoncat(train, test, flatten=False, scale=False, dtype=None)
    assert X_raw.shape == (5, 64, 64, 3) and X_raw.dtype == np.uint8


def test_load_catvnoncat_missing_dataset(tmp_path):
    import h5py

    (train, _), _ = write_catvnoncat(tmp_path)
    wrong = tmp_path / "wrong.h5"
    with h5py.File(wrong, "w") as f:
        f.create_dataset("images", data=np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"must hold the datasets 'test_set_x' and 'test_set_y'"):
        datasets.load_catvnoncat(train, wrong)


def test_load_catvnoncat_without_h5py_names_the_extra(tmp_path, monkeypatch):
    (train, test), _ = write_catvnoncat(tmp_path)
    monkeypatch.setitem(sys.modules, "h5py", None)  # makes `import h5py` raise ImportError
    with pytest.raises(ImportError, match=r'pip install "neuralkit\[h5\]"'):
        datasets.load_catvnoncat(train, test)
