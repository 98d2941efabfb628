"""L-BFGS against SGD and Adam on a small regression problem.

On a few hundred examples a full-batch quasi-Newton method is hard to beat: it needs no
learning rate and uses curvature, so a small network fits y = sin(2x) far more closely than
minibatch SGD does with the same budget of gradient evaluations. (On large data sets the
minibatch methods win again: each L-BFGS step needs the whole batch.)

    PYTHONPATH=. python examples/lbfgs_vs_sgd.py
"""

import time

import numpy as np
import scipy.optimize  # noqa: F401 - LBFGS imports it on first use; here, outside the timings

from neuralkit import Sequential
from neuralkit.layers import Dense, Tanh
from neuralkit.optimizers import LBFGS, SGD, Adam


def make_data(m: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (m, 1))
    return X, np.sin(2 * X[:, 0]) + 0.05 * rng.standard_normal(m)


def main() -> None:
    X, y = make_data()
    X_test, y_test = make_data(seed=1)
    budget = 400  # gradient evaluations (full batches for L-BFGS, minibatches for the others)
    batch_size = 32
    steps_per_epoch = int(np.ceil(X.shape[0] / batch_size))
    runs = [
        ("L-BFGS", LBFGS(max_iter=budget, tol=0.0, max_fun=budget), 1),
        ("SGD lr=0.1", SGD(learning_rate=0.1), budget // steps_per_epoch),
        ("Adam lr=0.01", Adam(learning_rate=0.01), budget // steps_per_epoch),
    ]
    print(f"y = sin(2x) + noise, {X.shape[0]} training examples, network 1-16-16-1 (tanh), "
          f"about {budget} gradient evaluations each")
    print(f"{'optimizer':<14}{'train MSE':>12}{'test MSE':>12}{'seconds':>10}")
    for name, optimizer, epochs in runs:
        model = Sequential([Dense(16), Tanh(), Dense(16), Tanh(), Dense(1)], seed=0)
        model.compile(loss="mse", optimizer=optimizer)
        start = time.perf_counter()
        model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0)
        seconds = time.perf_counter() - start
        train = model.evaluate(X, y, verbose=0)
        test = model.evaluate(X_test, y_test, verbose=0)
        print(f"{name:<14}{train:>12.5f}{test:>12.5f}{seconds:>10.2f}")
    print("(noise variance 0.0025 is the floor for the MSE)")


if __name__ == "__main__":
    main()
