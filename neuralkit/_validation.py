"""Input checks shared by fit, predict and evaluate: one place, one style of message.

Every check raises TypeError or ValueError naming the argument, what was expected and
what was got, before any layer sees the data.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import numpy as np

__all__ = ["to_float_array", "check_X", "check_XY", "check_targets_for_loss", "check_number",
           "check_int", "check_positive_int", "check_shape", "check_example_shape", "resolve"]


def to_float_array(data: Any, name: str, dtype: np.dtype) -> np.ndarray:
    """Convert ``data`` (array or nested lists) to a ``dtype`` array, refusing non-numbers."""
    if data is None:
        raise TypeError(f"{name} must be an array of numbers; got None.")
    try:
        array = np.asarray(data)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers; {exc}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold numbers (bool, int or float); got an array of dtype "
            f"{array.dtype} ({_first_item(array)!r}...)."
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); expected at least one sample.")
    # Overflow is reported below, by name; underflow to a subnormal or 0 is the right rounding.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        converted = np.asarray(array, dtype=dtype)
    if not _all_finite(converted):
        bad = np.argwhere(~np.isfinite(converted))[0]
        where = ", ".join(str(int(i)) for i in bad)
        if np.isfinite(array[tuple(bad)]):
            raise ValueError(
                f"{name} has values too large for {np.dtype(dtype).name} (first at index "
                f"[{where}]: {array[tuple(bad)]:g}; {np.dtype(dtype).name} holds magnitudes up "
                f"to {np.finfo(dtype).max:.3g}); rescale the data."
            )
        raise ValueError(
            f"{name} contains NaN or inf (first at index [{where}]: {converted[tuple(bad)]}); "
            "remove or impute those values."
        )
    return converted


def _all_finite(array: np.ndarray, chunk_elements: int = 1 << 20) -> bool:
    """np.isfinite(array).all() without a boolean temporary the size of the data."""
    if array.ndim < 2 or array.size <= chunk_elements:
        return bool(np.isfinite(array).all())
    rows = max(1, chunk_elements // max(1, array[0].size))
    return all(np.isfinite(array[i:i + rows]).all() for i in range(0, array.shape[0], rows))


def _first_item(array: np.ndarray) -> Any:
    """The first entry that is not a number (a DataFrame's string column), else the first."""
    flat = array.reshape(-1)
    for item in flat[:10000]:
        if not isinstance(item, (int, float, complex, np.number, bool, np.bool_)):
            return item
    return flat[0] if flat.size else None


def check_X(X: Any, name: str, dtype: np.dtype,
            input_shape: tuple[int, ...] | int | None) -> np.ndarray:
    """Inputs with samples as rows, (m, *input_shape): (m, n_x) for features, (m, H, W, C) for
    images; checked against the model's input shape when it is known."""
    X = to_float_array(X, name, dtype)
    check_example_shape(X.shape, name, input_shape)
    return X


def check_example_shape(shape: tuple[int, ...], name: str,
                        input_shape: tuple[int, ...] | int | None) -> None:
    """X's shape (m, *example) against the model's ``input_shape`` (samples excluded), with
    the likely fix when it does not match."""
    expected = (input_shape,) if isinstance(input_shape, (int, np.integer)) else input_shape
    if len(shape) < 2 or (expected is not None and len(expected) == 1 and len(shape) != 2):
        n_features = expected[0] if expected is not None and len(expected) == 1 else None
        hint = _one_d_hint(shape, name, n_features) if len(shape) == 1 else ""
        if expected is not None and len(expected) == 1 and len(shape) > 2:
            hint = (f" The model takes {expected[0]} features per example: flatten each "
                    f"example, {name}.reshape(len({name}), -1).")
        raise ValueError(
            f"{name} must be 2-D with samples as rows, shape (m, n_x); got shape {shape}.{hint}"
        )
    if expected is None:
        return
    if len(expected) == 1:
        if shape[1] != expected[0]:
            raise ValueError(_feature_message(name, shape, expected[0]))
        return
    if tuple(shape[1:]) != tuple(expected):
        raise ValueError(f"{name} has examples of shape {tuple(shape[1:])} but the model takes "
                         f"{tuple(expected)}; got {name} of shape {shape}."
                         f"{_image_hint(shape, name, tuple(expected))}")


def _image_hint(shape: tuple[int, ...], name: str, expected: tuple[int, ...]) -> str:
    """The usual ways image batches arrive wrong, and their fixes."""
    example = tuple(shape[1:])
    if example == expected[:-1] and expected[-1] == 1:
        return f" Add a channel axis: {name}[..., None]."
    if len(example) == 1 and example[0] == int(np.prod(expected)):
        return f" {name} looks flattened: {name}.reshape(-1, {', '.join(map(str, expected))})."
    if len(example) == len(expected) == 3 and example == (expected[2], expected[0], expected[1]):
        return (f" {name} looks channels-first (m, C, H, W); neuralkit is channels-last like "
                f"Keras: {name}.transpose(0, 2, 3, 1).")
    return ""


def _one_d_hint(shape: tuple[int, ...], name: str, n_features: int | None) -> str:
    """What a 1-D X most likely is: one example of n_x features, or m values of one feature."""
    one_example = f" For one example of {shape[0]} features use {name}.reshape(1, -1)"
    one_feature = f" For {shape[0]} examples of a single feature use {name}.reshape(-1, 1)"
    if n_features is not None:
        if shape[0] == n_features and n_features != 1:
            return one_example + "."
        if n_features == 1:
            return one_feature + "."
    return one_example + "; " + one_feature[1:].replace("For", "for", 1) + "."


def _feature_message(name: str, shape: tuple[int, ...], n_features: int) -> str:
    message = (
        f"{name} has {shape[1]} features (columns) but the model expects {n_features}; "
        f"got {name} of shape {shape}."
    )
    if shape[0] == n_features:
        message += (
            f" {name} looks transposed: samples must be rows, not columns as in the course's "
            f"(n_x, m) layout. Pass {name}.T (and Y.T)."
        )
    return message


def check_XY(X: Any, Y: Any, dtype: np.dtype, input_shape: tuple[int, ...] | int | None,
             x_name: str = "X", y_name: str = "Y") -> tuple[np.ndarray, np.ndarray]:
    """Check an (X, Y) pair: X (m, *input_shape), Y (m, n_y) or (m,), same m."""
    X = to_float_array(X, x_name, dtype)
    Y = to_float_array(Y, y_name, dtype)
    if Y.ndim not in (1, 2):
        raise ValueError(f"{y_name} must be 1-D (m,) or 2-D (m, n_y); got shape {Y.shape}.")
    # The course's column layout, X (n_x, m) with Y (1, m), is recognized before sample
    # counts are compared, so the message says "transposed" rather than "mismatch".
    check_example_shape(X.shape, x_name, input_shape)
    if X.shape[0] != Y.shape[0]:
        message = (
            f"{x_name} and {y_name} must have the same number of samples (rows); "
            f"{x_name} has {X.shape[0]} (shape {X.shape}), {y_name} has {Y.shape[0]} "
            f"(shape {Y.shape})."
        )
        if Y.ndim == 2 and Y.shape[1] == X.shape[1] and Y.shape[0] < Y.shape[1]:
            message += (
                f" They look transposed (the course's (n_x, m) layout): pass {x_name}.T and "
                f"{y_name}.T."
            )
        elif Y.ndim == 1 and Y.shape[0] == X.shape[1]:
            message += (
                f" {x_name} looks transposed (the course's (n_x, m) layout): pass {x_name}.T."
            )
        raise ValueError(message)
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    return X, Y


def check_targets_for_loss(Y: np.ndarray, loss_name: str, n_outputs: int,
                           y_name: str = "Y") -> np.ndarray:
    """Check Y against the loss and the output width; return Y as (m, n_outputs)."""
    if loss_name == "sparse_categorical_crossentropy" and Y.shape[1] != 1:
        raise ValueError(
            f"{y_name} is one-hot ({Y.shape[1]} columns) but sparse_categorical_crossentropy "
            f"takes integer class labels (m,); pass {y_name}.argmax(axis=1), or use "
            "loss='categorical_crossentropy', which takes both.")
    if loss_name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        if Y.shape[1] == 1 and n_outputs > 1:
            labels = Y[:, 0]
            if np.any(labels != np.round(labels)) or labels.min() < 0 or labels.max() >= n_outputs:
                raise ValueError(
                    f"{y_name} given as class labels must be integers in [0, {n_outputs - 1}] "
                    f"for {n_outputs} outputs; got values from {labels.min():g} to "
                    f"{labels.max():g}."
                )
            onehot = np.zeros((Y.shape[0], n_outputs), dtype=Y.dtype)
            onehot[np.arange(Y.shape[0]), labels.astype(np.intp)] = 1
            return onehot
        if Y.shape[1] != n_outputs:
            raise ValueError(
                f"{y_name} is one-hot with {Y.shape[1]} columns but the model has "
                f"{n_outputs} outputs; got {y_name} of shape {Y.shape}."
            )
        return Y
    if Y.shape[1] != n_outputs:
        raise ValueError(
            f"{y_name} has {Y.shape[1]} columns but the model has {n_outputs} outputs; "
            f"got {y_name} of shape {Y.shape}."
        )
    if loss_name == "binary_crossentropy" and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(
            f"{y_name} must hold labels in [0, 1] for binary cross-entropy; got values from "
            f"{Y.min():g} to {Y.max():g}."
        )
    return Y


def _did_you_mean(given: Any, names: Any) -> str:
    """' (did you mean 'relu'?)' for a string close to one of ``names``, else ''."""
    if not isinstance(given, str):
        return ""
    close = difflib.get_close_matches(given.lower(), list(names), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def resolve(identifier: Any, base: type, registry: dict[str, type], what: str) -> Any:
    """An instance of ``base``: ``identifier`` itself, a subclass of ``base`` made with its
    defaults, or a name of ``registry`` (any case) made with its defaults."""
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, base):
        return identifier()
    if isinstance(identifier, str) and identifier.lower() in registry:
        return registry[identifier.lower()]()
    raise ValueError(f"{what} must be a {base.__name__} instance or one of {sorted(registry)}"
                     f"{_did_you_mean(identifier, registry)}; got {identifier!r}.")


def check_shape(value: Any, name: str) -> tuple[int, ...]:
    """The shape of one example, samples excluded: an int n (taken as (n,)) or a tuple of ints >= 1."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return (check_positive_int(value, name),)
    if not isinstance(value, (tuple, list)) or not value:
        raise TypeError(f"{name} must be an int or a non-empty tuple of ints (the shape of one "
                        f"example, samples excluded); got {value!r}.")
    return tuple(check_positive_int(n, f"{name}[{i}]") for i, n in enumerate(value))


def check_number(value: Any, name: str, low: float | None = None, high: float | None = None, *,
                 low_inclusive: bool = False, high_inclusive: bool = False, hint: str = "") -> float:
    """A finite real number (bools refused) with ``low < value < high`` (or ``<=`` where
    inclusive; a bound of None is no bound), as a float. ``hint`` is added to the message."""
    bounds = []
    if low is not None:
        bounds.append(f"{'>=' if low_inclusive else '>'} {low:g}")
    if high is not None:
        bounds.append(f"{'<=' if high_inclusive else '<'} {high:g}")
    expected = " ".join(["a finite number", " and ".join(bounds)]).strip()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"{name} must be a number; got {value!r} ({type(value).__name__}).{hint}")
    number = float(value)
    too_low = low is not None and (number < low if low_inclusive else number <= low)
    too_high = high is not None and (number > high if high_inclusive else number >= high)
    if not math.isfinite(number) or too_low or too_high:
        raise ValueError(f"{name} must be {expected}; got {value!r}.{hint}")
    return number


def check_int(value: Any, name: str, low: int = 1) -> int:
    """An int >= ``low`` (bools refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {low}; got {value!r} "
                        f"({type(value).__name__}).")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value}.")
    return int(value)


def check_positive_int(value: Any, name: str) -> int:
    """An int >= 1 (bools refused)."""
    return check_int(value, name, 1)
