"""Quickstart: a 2-hidden-layer network learns two interleaved spirals it generates itself.

Run:  python examples/quickstart.py          (add --quick for a 5-second smoke run)
"""

import argparse

import numpy as np

from neuralkit import Sequential
from neuralkit.layers import Dense, ReLU, Sigmoid


def two_spirals(m: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """m points on two interleaved spirals, samples as rows: X (m, 2), y (m,) in {0, 1}."""
    y = np.arange(m) % 2
    t = np.sqrt(rng.uniform(0.05, 1.0, m)) * 3 * np.pi
    sign = np.where(y == 0, 1.0, -1.0)
    X = np.column_stack([sign * t * np.cos(t), sign * t * np.sin(t)]) / (3 * np.pi)
    return X + rng.normal(0.0, noise, X.shape), y.astype(float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few epochs, for a smoke test")
    parser.add_argument("--save", default="quickstart.png", help="where to save the figure")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X_train, y_train = two_spirals(1000, 0.08, rng)
    X_test, y_test = two_spirals(500, 0.08, rng)

    model = Sequential([Dense(32, input_dim=2), ReLU(), Dense(32), ReLU(), Dense(1), Sigmoid()],
                       seed=0)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.summary()
    model.optimizer.learning_rate = 0.01
    history = model.fit(X_train, y_train, epochs=5 if args.quick else 100, batch_size=32,
                        verbose=0 if args.quick else 1)
    train = history.history
    test = model.evaluate(X_test, y_test, return_dict=True)
    print(f"final training loss {train['loss'][-1]:.4f}, training accuracy {train['accuracy'][-1]:.3f}")
    print(f"test loss {test['loss']:.4f}, test accuracy {test['accuracy']:.3f}")

    try:  # the figure needs the optional matplotlib: pip install "neuralkit[plot]"
        import matplotlib
    except ImportError:
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neuralkit.plotting import decision_boundary

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    history.plot(axes=axes[:2])
    decision_boundary(model, X_test, y_test, ax=axes[2], title="test set")
    fig.tight_layout()
    fig.savefig(args.save, dpi=80)
    print(f"saved {args.save}")


if __name__ == "__main__":
    main()
