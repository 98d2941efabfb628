"""Small data sets: generators for toy problems and loaders for files the user already has.

Nothing here downloads anything. Every generator takes a ``seed`` and draws from its own
``np.random.default_rng(seed)`` (NumPy's global random state is never touched), and every
array comes with samples as rows: ``X`` (m, n_x), ``y`` (m,).

Generators: :func:`planar_flower` (the course's week-3 "flower"), :func:`moons`,
:func:`spirals`, :func:`xor`, :func:`movie_ratings` (the seed's 5-feature rating regression).
Loaders: :func:`load_npz` (the Keras ``mnist.npz`` layout), :func:`load_catvnoncat` (the
course's cat / non-cat HDF5 files; needs h5py, ``pip install "neuralkit[h5]"``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._validation import check_number, check_positive_int

#: Column names of :func:`movie_ratings`'s X, in order.
MOVIE_FEATURES = ("genre_preference", "director_preference", "actor_preference",
                  "average_past_rating", "duration_preference")

#: The npz keys :func:`load_npz` reads (the layout of Keras's ``mnist.npz``).
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")

Split = tuple[np.ndarray, np.ndarray]


def _check_noise(noise: Any) -> float:
    return check_number(noise, "noise", 0.0, low_inclusive=True)


def _class_sizes(m: int, classes: int) -> list[int]:
    # m need not divide evenly: the first m % classes classes get one extra sample.
    return [m // classes + (1 if k < m % classes else 0) for k in range(classes)]


def planar_flower(m: int = 400, noise: float = 0.2, petals: int = 4, radius: float = 4.0,
                  seed: int | None = 1) -> tuple[np.ndarray, np.ndarray]:
    """The course's two-class "flower" (week 3, planar data classification).

    Class j in {0, 1} takes angles along its half turn, and a rose curve for the radius::

        t = linspace(3.12 j, 3.12 (j + 1), m_j) + noise * N(0, 1)
        r = radius * sin(petals * t) + noise * N(0, 1)
        x = (r sin t, r cos t)

    so the petals alternate between the classes. Logistic regression gets about half of it
    right; one hidden layer of a few tanh units about 90 %.

    Parameters
    ----------
    m : int, default 400
        Number of samples (class 0 gets the extra one when m is odd).
    noise : float, default 0.2
        Standard deviation of the noise on the angle and on the radius.
    petals : int, default 4
        The rose's frequency: ``2 * petals`` petals in all.
    radius : float, default 4.0
        Length of a petal (the course's ``a``).
    seed : int or None, default 1

    Returns
    -------
    X : ndarray, shape (m, 2)
    y : ndarray of int, shape (m,)
        0 or 1; class 0 first, then class 1 (shuffle before mini-batching if you like).
    """
    m = check_positive_int(m, "m")
    if m < 2:
        raise ValueError(f"m must be at least 2 (one sample per class); got {m}.")
    noise = _check_noise(noise)
    petals = check_positive_int(petals, "petals")
    rng = np.random.default_rng(seed)
    Xs, ys = [], []
    for j, size in enumerate(_class_sizes(m, 2)):
        t = np.linspace(3.12 * j, 3.12 * (j + 1), size) + noise * rng.standard_normal(size)
        r = radius * np.sin(petals * t) + noise * rng.standard_normal(size)
        Xs.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        ys.append(np.full(size, j))
    return np.concatenate(Xs), np.concatenate(ys)


def moons(m: int = 200, noise: float = 0.1, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles.

    Class 0: (cos t, sin t); class 1: (1 - cos t, 1/2 - sin t); t uniform in [0, pi], then
    Gaussian noise of standard deviation ``noise`` on both coordinates.

    Returns
    -------
    X : ndarray, shape (m, 2)
    y : ndarray of int, shape (m,)
    """
    m = check_positive_int(m, "m")
    if m < 2:
        raise ValueError(f"m must be at least 2 (one sample per class); got {m}.")
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    m0, m1 = _class_sizes(m, 2)
    t = rng.uniform(0.0, np.pi, m)
    X = np.empty((m, 2))
    X[:m0] = np.column_stack([np.cos(t[:m0]), np.sin(t[:m0])])
    X[m0:] = np.column_stack([1.0 - np.cos(t[m0:]), 0.5 - np.sin(t[m0:])])
    X += noise * rng.standard_normal(X.shape)
    return X, np.repeat([0, 1], [m0, m1])


def spirals(m: int = 300, classes: int = 3, noise: float = 0.2, turns: float = 0.65,
            seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms winding out from the origin, one per class.

    Arm k: for r evenly spaced in [0, 1], angle
    ``t = 2 pi (k / classes + turns r) + noise * N(0, 1)`` and point ``r (sin t, cos t)``.
    Not linearly separable for any number of classes >= 2.

    Parameters
    ----------
    m : int, default 300
    classes : int, default 3
    noise : float, default 0.2
        Standard deviation of the noise on the angle (radians).
    turns : float, default 0.65
        How many turns each arm makes between the centre and radius 1.
    seed : int or None, default 0

    Returns
    -------
    X : ndarray, shape (m, 2)
    y : ndarray of int, shape (m,)
        Labels 0 .. classes - 1 (one-hot them or use them directly with categorical
        cross-entropy).
    """
    m = check_positive_int(m, "m")
    classes = check_positive_int(classes, "classes")
    if m < classes:
        raise ValueError(f"m must be at least classes={classes} (one sample per class); got {m}.")
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    Xs, ys = [], []
    for k, size in enumerate(_class_sizes(m, classes)):
        r = np.linspace(0.0, 1.0, size)
        t = 2 * np.pi * (k / classes + turns * r) + noise * rng.standard_normal(size)
        Xs.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        ys.append(np.full(size, k))
    return np.concatenate(Xs), np.concatenate(ys)


def xor(m: int = 200, noise: float = 0.0, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: points uniform in [-1, 1]^2, label 1 where exactly one coordinate is > 0.

    ``noise`` adds Gaussian noise to the points after labelling (so a few cross the axes).

    Returns
    -------
    X : ndarray, shape (m, 2)
    y : ndarray of int, shape (m,)
    """
    m = check_positive_int(m, "m")
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (m, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    X += noise * rng.standard_normal(X.shape)
    return X, y


def movie_ratings(m: int = 500, noise: float = 0.2,
                  seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """The seed's movie-rating regression: 5 preference features -> a rating in [1, 5].

    Columns (:data:`MOVIE_FEATURES`): genre, director and actor preference and duration
    preference, each uniform in [0, 1], and the user's average past rating, uniform in [1, 5].
    The rating is a clipped, mostly additive score with one interaction (a liked director
    matters more with a liked genre)::

        s = 0.35 g + 0.2 d + 0.1 a + 0.25 (avg - 1) / 4 + 0.1 dur + 0.3 max(0, g + d - 1)
        rating = clip(1 + 4 s + noise * N(0, 1), 1, 5)

    Returns
    -------
    X : ndarray, shape (m, 5)
        Raw features (the average rating is on its 1-5 scale: standardize before training).
    y : ndarray, shape (m,)
        Ratings in [1, 5].
    """
    m = check_positive_int(m, "m")
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    g, d, a, dur = rng.uniform(0.0, 1.0, (4, m))
    avg = rng.uniform(1.0, 5.0, m)
    s = 0.35 * g + 0.2 * d + 0.1 * a + 0.25 * (avg - 1) / 4 + 0.1 * dur + 0.3 * np.maximum(0.0, g + d - 1)
    rating = np.clip(1 + 4 * s + noise * rng.standard_normal(m), 1.0, 5.0)
    return np.column_stack([g, d, a, avg, dur]), rating


# ---------------------------------------------------------------------- loaders
def _prepare_images(x: np.ndarray, name: str, flatten: bool, scale: bool,
                    dtype: Any) -> np.ndarray:
    if x.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers; got dtype {x.dtype}.")
    if scale:
        low, high = (x.min(), x.max()) if x.size else (0, 0)
        if low < 0 or high > 255:
            raise ValueError(
                f"scale=True divides {name} by 255 and expects pixel values in [0, 255]; got "
                f"values from {low} to {high}."
            )
    if flatten:
        x = x.reshape(x.shape[0], -1)
    if scale and dtype is not None and np.dtype(dtype).kind != "f":
        raise ValueError(f"scale=True needs a floating dtype; got dtype={dtype!r}.")
    if dtype is not None or scale:
        x = x.astype(dtype if dtype is not None else np.float64)
    if scale:
        x /= 255
    return x


def _check_path(path: Any, name: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike); got {type(path).__name__}.")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{name}: no such file {path!r}.")
    return path


def load_npz(path: str | os.PathLike, flatten: bool = False, scale: bool = False,
             dtype: Any = None) -> tuple[Split, Split]:
    """Read a data set stored as an ``.npz`` with keys x_train, y_train, x_test, y_test.

    That is the layout of Keras's ``mnist.npz`` / ``fashion_mnist`` files. The file is
    opened with ``allow_pickle=False``: an npz holding Python objects is refused.

    Parameters
    ----------
    path : str or PathLike
    flatten : bool, default False
        Reshape images (m, h, w[, c]) to rows (m, h * w * c), samples as rows.
    scale : bool, default False
        Divide the x arrays by 255 (pixel values in [0, 255] -> [0, 1]).
    dtype : dtype, optional
        Type of the x arrays ('float32' for fast training); float64 when ``scale`` is set
        and no dtype is given, else unchanged. Labels are returned as stored.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
    """
    path = _check_path(path, "path")
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, EOFError, ValueError) as exc:  # numpy takes unknown bytes for a pickle
        raise ValueError(f"{path!r} is not a readable .npz file ({exc})") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"{path!r} holds a single array, not an .npz archive with the keys "
                         f"{list(NPZ_KEYS)}.")
    with data:
        missing = [k for k in NPZ_KEYS if k not in data.files]
        if missing:
            raise ValueError(
                f"{path!r} must hold the arrays {list(NPZ_KEYS)}; missing {missing}, "
                f"got {sorted(data.files)}."
            )
        try:
            arrays = {k: data[k] for k in NPZ_KEYS}
        except ValueError as exc:
            raise ValueError(f"{path!r} holds Python objects, which neuralkit never unpickles "
                             f"(allow_pickle=False): {exc}") from None
    for key in ("x_train", "x_test"):
        arrays[key] = _prepare_images(arrays[key], key, flatten, scale, dtype)
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        if arrays[x_key].shape[0] != arrays[y_key].shape[0]:
            raise ValueError(
                f"{path!r}: {x_key} has {arrays[x_key].shape[0]} samples but {y_key} has "
                f"{arrays[y_key].shape[0]}."
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _h5py() -> Any:
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "load_catvnoncat reads HDF5 files with h5py, which is not installed. Install the "
            'optional extra: pip install "neuralkit[h5]" (or pip install h5py).'
        ) from None
    return h5py


def _read_h5(h5py: Any, path: str, x_key: str, y_key: str) -> Split:
    with h5py.File(path, "r") as f:
        missing = [k for k in (x_key, y_key) if k not in f]
        if missing:
            raise ValueError(
                f"{path!r} must hold the datasets {x_key!r} and {y_key!r}; missing {missing}, "
                f"got {sorted(f.keys())}."
            )
        return np.asarray(f[x_key][()]), np.asarray(f[y_key][()])


def load_catvnoncat(train_h5: str | os.PathLike, test_h5: str | os.PathLike,
                    flatten: bool = True, scale: bool = True,
                    dtype: Any = "float64") -> tuple[Split, Split]:
    """Read the course's cat / non-cat images (``train_catvnoncat.h5``, ``test_catvnoncat.h5``).

    The files hold ``train_set_x`` (209, 64, 64, 3) uint8 and ``train_set_y`` (209,), and
    ``test_set_x`` (50, 64, 64, 3), ``test_set_y`` (50,). As the course does, each image is
    flattened (row-major: ``x.reshape(m, -1)``, the transpose of the course's
    ``reshape(m, -1).T``) and divided by 255. Needs h5py: ``pip install "neuralkit[h5]"``.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        X (m, 12288) in [0, 1] with samples as rows; y (m,) of 0 (non-cat) and 1 (cat).
    """
    train_h5 = _check_path(train_h5, "train_h5")
    test_h5 = _check_path(test_h5, "test_h5")
    h5py = _h5py()
    out = []
    for path, split in ((train_h5, "train"), (test_h5, "test")):
        x, y = _read_h5(h5py, path, f"{split}_set_x", f"{split}_set_y")
        y = y.reshape(-1)
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"{path!r}: {split}_set_x has {x.shape[0]} images but "
                             f"{split}_set_y has {y.shape[0]} labels.")
        out.append((_prepare_images(x, f"{split}_set_x", flatten, scale, dtype), y))
    return out[0], out[1]


__all__ = ["planar_flower", "moons", "spirals", "xor", "movie_ratings", "load_npz",
           "load_catvnoncat", "MOVIE_FEATURES", "NPZ_KEYS"]
