"""Planar data classification with one hidden layer (the course's week 3).

The two-class "flower" is not linearly separable: logistic regression gets about half of it
(the course: 47 %), one hidden layer of 4 tanh units about 90 %. Then the course's table of
training accuracy against the hidden layer's size (1, 2, 3, 4, 5, 20, 50 units), with the
decision boundary of each model.

As in the course: 400 points, batch gradient descent with learning rate 1.2, weights
initialized as randn * 0.01 (``kernel_initializer='small_random'``), tanh hidden layer,
sigmoid output, 10,000 iterations for the 4-unit model and 5,000 for the table.

Run:  python examples/planar_flower.py          (add --quick for a smoke run)
"""

import argparse
import time

from neuralkit import Sequential, datasets
from neuralkit.layers import Dense, Sigmoid, Tanh
from neuralkit.optimizers import SGD


def train(model, X, y, iterations, learning_rate):
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate), metrics=["accuracy"])
    model.fit(X, y, epochs=iterations, batch_size=X.shape[0], shuffle=False, verbose=0)
    return model.evaluate(X, y, return_dict=True)["accuracy"]


def one_hidden_layer(n_h, seed=2):
    return Sequential([Dense(n_h, input_dim=2, kernel_initializer="small_random"), Tanh(),
                       Dense(1, kernel_initializer="small_random"), Sigmoid()], seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few iterations, for a smoke test")
    parser.add_argument("--save", default="planar_flower.png", help="where to save the figure")
    args = parser.parse_args()
    scale = 50 if args.quick else 1  # iterations are divided by this in the smoke run

    X, y = datasets.planar_flower(m=400, seed=1)
    print(f"the flower: X {X.shape}, y {y.shape}, {int(y.sum())} points in class 1")

    start = time.perf_counter()
    logistic = Sequential([Dense(1, input_dim=2), Sigmoid()], seed=0)
    acc = train(logistic, X, y, 2000 // scale, 0.1)
    models = {f"logistic regression: {100 * acc:.1f} %": logistic}
    print(f"logistic regression:             accuracy {100 * acc:5.1f} %   (the course: 47 %)")
    model = one_hidden_layer(4)
    acc = train(model, X, y, 10000 // scale, 1.2)
    print(f"one hidden layer of 4 tanh units: accuracy {100 * acc:5.1f} %   (the course: 90 %)")

    print("\nhidden units   accuracy   (5000 iterations, learning rate 1.2)")
    for n_h in (1, 2, 3, 4, 5, 20, 50):
        model = one_hidden_layer(n_h)
        acc = train(model, X, y, 5000 // scale, 1.2)
        models[f"{n_h} hidden unit{'s' if n_h > 1 else ''}: {100 * acc:.1f} %"] = model
        print(f"{n_h:12d}   {100 * acc:7.2f} %")
    print(f"\n(all of it in {time.perf_counter() - start:.1f} s)")

    try:
        import matplotlib
    except ImportError:
        print('(matplotlib not installed: no figure; pip install "neuralkit[plot]")')
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neuralkit.plotting import decision_boundary

    fig, axes = plt.subplots(2, 4, figsize=(14, 6.6))
    for ax, (title, model) in zip(axes.ravel(), models.items(), strict=True):
        decision_boundary(model, X, y, ax=ax, resolution=150, title=title)
        ax.set_xlabel("")
        ax.set_ylabel("")
    fig.suptitle("The flower: decision boundaries of logistic regression and one tanh hidden layer")
    fig.tight_layout()
    fig.savefig(args.save, dpi=80)
    print(f"saved {args.save}")


if __name__ == "__main__":
    main()
