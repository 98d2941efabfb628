"""A convolutional network on Fashion-MNIST: images (m, 28, 28, 1), float32, Adam.

Reads an .npz in the layout of Keras's mnist.npz (x_train (60000, 28, 28) uint8, y_train,
x_test, y_test), scales the pixels to [0, 1] and adds the channel axis (X[..., None]: channels
last, as in Keras), then trains

    Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2)
    -> Flatten -> Dense(128, relu) -> Dense(10, softmax)

with Adam on mini-batches of 128 (learning rate 0.001, times 0.9 after each epoch), holds out
the last 5,000 training images for validation, stops when the validation loss has not improved
for ``--patience`` epochs (or the time budget is spent) and keeps the best epoch's weights.
Prints the test accuracy and the time of every epoch, and draws the learned first-layer
filters and the test confusion matrix.
The MLP of examples/fashion_mnist_mlp.py gets 0.89; this network, 0.91 and more.

Run:  python examples/fashion_mnist_cnn.py PATH/TO/fashion_mnist.npz
      (add --quick for a smoke run: 2 epochs on at most 2,000 training images)
"""

import argparse
import time

import numpy as np

from neuralkit import Sequential, datasets
from neuralkit.callbacks import Callback, EarlyStopping, LearningRateScheduler
from neuralkit.layers import Conv2D, Dense, Flatten, MaxPooling2D
from neuralkit.optimizers import Adam

CLASSES = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Boot")


class EpochTimer(Callback):
    """Wall-clock seconds of every epoch (validation included), and a training-time budget."""

    def __init__(self, max_seconds: float) -> None:
        super().__init__()
        self.max_seconds = max_seconds
        self.seconds: list[float] = []

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        self.seconds.append(now - self.epoch_start)
        if now - self.start > self.max_seconds:
            print(f"  time budget of {self.max_seconds:.0f} s spent: stopping")
            self.model.stop_training = True


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """C[i, j] = number of examples of class i predicted as j."""
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def build_model() -> Sequential:
    return Sequential([Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
                       MaxPooling2D(2),
                       Conv2D(64, 3, activation="relu"),
                       MaxPooling2D(2),
                       Flatten(),
                       Dense(128, activation="relu"),
                       Dense(10, activation="softmax")], seed=0, dtype="float32")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("npz", help="path to fashion_mnist.npz (Keras mnist.npz layout)")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=1800.0,
                        help="stop after the epoch that passes this training time")
    parser.add_argument("--quick", action="store_true",
                        help="2 epochs on at most 2,000 training images, for a smoke test")
    parser.add_argument("--save", default="fashion_mnist_cnn.png", help="where to save the figure")
    args = parser.parse_args()

    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = datasets.load_npz(args.npz, scale=True, dtype="float32")
    x_train, x_test = x_train[..., None], x_test[..., None]  # (m, 28, 28) -> (m, 28, 28, 1)
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    if args.quick:
        x_train, y_train = x_train[:2000], y_train[:2000]
    n_val = min(5000, len(x_train) // 10)
    x_val, y_val = x_train[-n_val:], y_train[-n_val:]
    x_train, y_train = x_train[:-n_val], y_train[:-n_val]
    print(f"loaded in {time.perf_counter() - start:.1f} s: train {x_train.shape}, validation "
          f"{x_val.shape}, test {x_test.shape}, {x_train.dtype}")

    model = build_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(learning_rate=1e-3),
                  metrics=["accuracy"])
    model.summary()
    timer = EpochTimer(args.max_seconds)
    print("epoch times and metrics (verbose=2):")
    history = model.fit(x_train, y_train, epochs=2 if args.quick else args.epochs, batch_size=128,
                        validation_data=(x_val, y_val), verbose=2,
                        callbacks=[LearningRateScheduler(lambda epoch: 1e-3 * 0.9 ** epoch),
                                   EarlyStopping("val_loss", patience=args.patience,
                                                 restore_best_weights=True),
                                   timer])
    seconds = np.array(timer.seconds)
    print(f"\ntime per epoch: {seconds.mean():.1f} s on average ({seconds.min():.1f} to "
          f"{seconds.max():.1f} s; {len(x_train):,} training and {len(x_val):,} validation images)")
    first, last = history.history["loss"][0], history.history["loss"][-1]
    print(f"training loss {first:.4f} (epoch 1) -> {last:.4f} (epoch {len(seconds)})")

    test = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    print(f"test accuracy {test['accuracy']:.4f}, test loss {test['loss']:.4f} "
          f"(the MLP's: 0.8907); {time.perf_counter() - start:.1f} s in all")
    predicted = model.predict(x_test, verbose=0).argmax(axis=1)
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

    from neuralkit.plotting import plot_filters

    fig, axes = plt.subplots(1, 4, figsize=(20, 4.5),
                             gridspec_kw={"width_ratios": [1, 1, 1.1, 1.2]})
    history.plot(keys=["loss", "accuracy"], axes=axes[:2])
    plot_filters(model.layers[0], ax=axes[2], columns=8,
                 title="learned first-layer filters (32 of 3 x 3, each on its own scale)")
    image = axes[3].imshow(C, cmap="Blues")
    axes[3].set_xticks(range(len(CLASSES)), CLASSES, rotation=60, fontsize=8)
    axes[3].set_yticks(range(len(CLASSES)), CLASSES, fontsize=8)
    axes[3].set_xlabel("predicted")
    axes[3].set_ylabel("true")
    axes[3].set_title(f"test confusion matrix (accuracy {test['accuracy']:.3f})")
    fig.colorbar(image, ax=axes[3])
    fig.suptitle("Fashion-MNIST, CNN conv32-pool-conv64-pool-128-10, Adam, float32")
    fig.tight_layout()
    fig.savefig(args.save, dpi=80)
    print(f"saved {args.save}")


if __name__ == "__main__":
    main()
