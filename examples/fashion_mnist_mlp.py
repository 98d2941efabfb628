"""An MLP on Fashion-MNIST: float32, Adam, a validation split and early stopping.

Reads an .npz in the layout of Keras's mnist.npz (x_train (60000, 28, 28) uint8, y_train,
x_test, y_test), flattens the images to rows of 784 pixels scaled to [0, 1], trains
784 -> 256 -> 128 -> 10 (ReLU, softmax) with Adam on mini-batches of 128 (learning rate 0.002,
times 0.7 after each epoch), holds out the last 5,000 training images for validation, stops
when the validation loss has not improved for ``--patience`` epochs (or the time budget is
spent) and keeps the best epoch's weights.
The published MLP baseline of the data set (256-128-100) is 0.8833 test accuracy.

Run:  python examples/fashion_mnist_mlp.py PATH/TO/fashion_mnist.npz
      (add --quick for a smoke run)
"""

import argparse
import time

import numpy as np

from neuralkit import Sequential, datasets
from neuralkit.callbacks import Callback, EarlyStopping, LearningRateScheduler
from neuralkit.layers import Dense, ReLU, Softmax
from neuralkit.optimizers import Adam

CLASSES = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Boot")


class TimeBudget(Callback):
    """Stop after the epoch that passes ``max_seconds`` of training (the one-minute promise)."""

    def __init__(self, max_seconds: float) -> None:
        super().__init__()
        self.max_seconds = max_seconds

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if time.perf_counter() - self.start > self.max_seconds:
            print(f"  time budget of {self.max_seconds:.0f} s spent: stopping")
            self.model.stop_training = True


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """C[i, j] = number of examples of class i predicted as j."""
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("npz", help="path to fashion_mnist.npz (Keras mnist.npz layout)")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=50.0,
                        help="stop after the epoch that passes this training time")
    parser.add_argument("--quick", action="store_true", help="2 epochs, for a smoke test")
    parser.add_argument("--save", default="fashion_mnist_mlp.png", help="where to save the figure")
    args = parser.parse_args()

    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = datasets.load_npz(args.npz, flatten=True, scale=True,
                                                             dtype="float32")
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    n_val = min(5000, len(x_train) // 10)
    x_val, y_val = x_train[-n_val:], y_train[-n_val:]
    x_train, y_train = x_train[:-n_val], y_train[:-n_val]
    print(f"loaded in {time.perf_counter() - start:.1f} s: train {x_train.shape}, validation "
          f"{x_val.shape}, test {x_test.shape}, {x_train.dtype}")

    model = Sequential([Dense(256, input_dim=x_train.shape[1], kernel_initializer="he_normal"),
                        ReLU(), Dense(128, kernel_initializer="he_normal"), ReLU(), Dense(10),
                        Softmax()], seed=0, dtype="float32")
    model.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate=2e-3),
                  metrics=["accuracy"])
    model.summary()
    print("epoch times and metrics (verbose=2):")
    history = model.fit(x_train, y_train, epochs=2 if args.quick else args.epochs, batch_size=128,
                        validation_data=(x_val, y_val), verbose=2,
                        callbacks=[LearningRateScheduler(lambda epoch: 2e-3 * 0.7 ** epoch),
                                   EarlyStopping("val_loss", patience=args.patience,
                                                 restore_best_weights=True),
                                   TimeBudget(args.max_seconds)])

    test = model.evaluate(x_test, y_test, return_dict=True)
    print(f"\ntest accuracy {test['accuracy']:.4f}, test loss {test['loss']:.4f} "
          f"(published MLP baseline: 0.8833); {time.perf_counter() - start:.1f} s in all")
    predicted = model.predict(x_test).argmax(axis=1)
    C = confusion_matrix(y_test, predicted, len(CLASSES))
    print("\nconfusion matrix (rows: true class, columns: predicted)")
    print(" " * 9 + "".join(f"{name[:7]:>8}" for name in CLASSES))
    for name, row in zip(CLASSES, C, strict=True):
        print(f"{name:>9}" + "".join(f"{v:8d}" for v in row))

    try:
        import matplotlib
    except ImportError:
        print('(matplotlib not installed: no figure; pip install "neuralkit[plot]")')
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4), gridspec_kw={"width_ratios": [1, 1, 1.2]})
    history.plot(keys=["loss", "accuracy"], axes=axes[:2])
    image = axes[2].imshow(C, cmap="Blues")
    axes[2].set_xticks(range(len(CLASSES)), CLASSES, rotation=60, fontsize=8)
    axes[2].set_yticks(range(len(CLASSES)), CLASSES, fontsize=8)
    axes[2].set_xlabel("predicted")
    axes[2].set_ylabel("true")
    axes[2].set_title(f"test confusion matrix (accuracy {test['accuracy']:.3f})")
    fig.colorbar(image, ax=axes[2])
    fig.suptitle("Fashion-MNIST, MLP 784-256-128-10, Adam, float32")
    fig.tight_layout()
    fig.savefig(args.save, dpi=80)
    print(f"saved {args.save}")


if __name__ == "__main__":
    main()
