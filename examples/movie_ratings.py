"""The seed's movie-rating regression: a [5, 2, 1] network (ReLU hidden, linear output, MSE).

Five user features (genre, director and actor preference, average past rating, duration
preference) predict the rating a user gives a movie, from neuralkit.datasets.movie_ratings.
The network is the seed's: 5 inputs, 2 ReLU units, 1 linear output, mean squared error,
gradient descent. It is compared with the best constant guess (the mean rating).

Run:  python examples/movie_ratings.py          (add --quick for a smoke run)
"""

import argparse

import numpy as np

from neuralkit import Sequential, datasets
from neuralkit.layers import Dense, Linear, ReLU
from neuralkit.optimizers import SGD


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few epochs, for a smoke test")
    parser.add_argument("--save", default="movie_ratings.png", help="where to save the figure")
    args = parser.parse_args()

    # The seed's worked update, W := W - alpha dW, done by neuralkit's SGD.
    W, dW = np.array([0.5]), np.array([-0.2])
    SGD(learning_rate=0.01).update(W, dW, {})
    print(f"the seed's update: W = 0.5, dW = -0.2, alpha = 0.01 -> W = {W[0]:.3f}")

    X, y = datasets.movie_ratings(m=1000, seed=0)
    X_train, y_train, X_test, y_test = X[:800], y[:800], X[800:], y[800:]
    # Standardize with the training statistics only (the average rating is on a 1-5 scale).
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    print(f"features: {', '.join(datasets.MOVIE_FEATURES)}; ratings from {y.min():.2f} to "
          f"{y.max():.2f}; {len(y_train)} training and {len(y_test)} test users")

    model = Sequential([Dense(2, input_dim=5, kernel_initializer="he_normal"), ReLU(), Dense(1),
                        Linear()], seed=0)
    model.compile(loss="mse", optimizer=SGD(learning_rate=0.05), metrics=["mae"])
    model.summary()
    history = model.fit(X_train, y_train, epochs=5 if args.quick else 300, batch_size=32,
                        validation_data=(X_test, y_test), verbose=0)

    baseline = np.mean((y_test - y_train.mean()) ** 2)
    test = model.evaluate(X_test, y_test, return_dict=True)
    print(f"\nmean squared error on the test users: {test['loss']:.4f} "
          f"(always guessing the mean rating: {baseline:.4f}); mean absolute error {test['mae']:.3f}")
    predictions = model.predict(X_test[:5]).ravel()
    for predicted, actual in zip(predictions, y_test[:5], strict=True):
        print(f"  predicted {predicted:.2f}   actual {actual:.2f}")

    try:
        import matplotlib
    except ImportError:
        print('(matplotlib not installed: no figure; pip install "neuralkit[plot]")')
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    history.plot(axes=axes[:2])
    axes[0].set_ylabel("mean squared error")
    axes[2].scatter(y_test, model.predict(X_test).ravel(), s=10, alpha=0.6)
    axes[2].plot([1, 5], [1, 5], "k--", linewidth=1)
    axes[2].set_xlabel("actual rating")
    axes[2].set_ylabel("predicted rating")
    axes[2].set_title("test users")
    fig.suptitle("Movie ratings, a [5, 2, 1] network")
    fig.tight_layout()
    fig.savefig(args.save, dpi=80)
    print(f"saved {args.save}")


if __name__ == "__main__":
    main()
