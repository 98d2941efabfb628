"""The course's cat classifiers (week 4 application): a 2-layer and a 4-layer network.

Reproduces the assignment "Deep Neural Network for Image Classification: Application": the
same initialization (the course's seed 1, drawn by neuralkit.course.initialize_parameters_deep),
batch gradient descent with learning rate 0.0075 for 2500 iterations, and its costs and
accuracies (course: 2-layer train 1.00 / test 0.72, 4-layer train 0.986 / test 0.80), with
neuralkit's Sequential doing the training.

Run:  python examples/cat_classifier.py TRAIN_H5 TEST_H5
      (the course's train_catvnoncat.h5 and test_catvnoncat.h5; needs h5py:
       pip install "neuralkit[h5]"; add --quick for a 20-iteration smoke run)
"""

import argparse
import time

import numpy as np

from neuralkit import course, datasets
from neuralkit.callbacks import Callback
from neuralkit.optimizers import SGD


class PrintCost(Callback):
    """Prints the cost every ``every`` iterations, as the course's loop does (one epoch = one
    iteration of batch gradient descent here)."""

    def __init__(self, every: int, last: int) -> None:
        super().__init__()
        self.every, self.last = every, last

    def on_epoch_end(self, epoch, logs=None):
        if epoch % self.every == 0 or epoch == self.last:
            print(f"  cost after iteration {epoch}: {logs['loss']:.6f}")


def train(name, layer_dims, scale, data, iterations, learning_rate):
    (X_train, y_train), (X_test, y_test) = data
    print(f"\n{name}: layer_dims {layer_dims}, init randn * "
          f"{'1/sqrt(n[l-1])' if scale == 'fan_in' else scale}, learning rate {learning_rate}")
    parameters = course.initialize_parameters_deep(layer_dims, seed=1, scale=scale)
    model = course.to_sequential(parameters)  # ReLU hidden layers, sigmoid output
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate), metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(X_train, y_train, epochs=iterations, batch_size=X_train.shape[0],
                        shuffle=False, verbose=0, callbacks=[PrintCost(100, iterations - 1)])
    seconds = time.perf_counter() - start
    train_acc = model.evaluate(X_train, y_train, return_dict=True)["accuracy"]
    test_acc = model.evaluate(X_test, y_test, return_dict=True)["accuracy"]
    print(f"  train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f} "
          f"({iterations} iterations in {seconds:.1f} s)")
    return history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("train_h5", help="path to train_catvnoncat.h5")
    parser.add_argument("test_h5", help="path to test_catvnoncat.h5")
    parser.add_argument("--iterations", type=int, default=2500)
    parser.add_argument("--quick", action="store_true", help="20 iterations, for a smoke test")
    parser.add_argument("--save", default="cat_classifier.png", help="where to save the figure")
    args = parser.parse_args()
    iterations = 20 if args.quick else args.iterations

    data = datasets.load_catvnoncat(args.train_h5, args.test_h5)
    (X_train, y_train), (X_test, y_test) = data
    print(f"train: X {X_train.shape}, {int(y_train.sum())} cats; test: X {X_test.shape}, "
          f"{int(y_test.sum())} cats (samples as rows, pixels / 255)")

    histories = {
        "2-layer (12288, 7, 1)": train("2-layer", [X_train.shape[1], 7, 1], 0.01, data, iterations,
                                       0.0075),
        "4-layer (12288, 20, 7, 5, 1)": train("4-layer", [X_train.shape[1], 20, 7, 5, 1], "fan_in",
                                              data, iterations, 0.0075),
    }
    try:
        import matplotlib
    except ImportError:
        print('\n(matplotlib not installed: no figure; pip install "neuralkit[plot]")')
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for label, history in histories.items():
        ax.plot(np.arange(len(history.history["loss"])), history.history["loss"], label=label)
    ax.set_xlabel("iteration (batch gradient descent)")
    ax.set_ylabel("cost")
    ax.set_title("Cat vs non-cat, learning rate 0.0075")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.save, dpi=90)
    print(f"\nsaved {args.save}")


if __name__ == "__main__":
    main()
