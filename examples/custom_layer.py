"""Write your own layer: subclass Layer, implement build/forward/backward, check the gradients.

PReLU (He et al., 2015) is a leaky ReLU whose negative slope is learned, one slope per unit:

    A = Z            where Z > 0
    A = alpha * Z    elsewhere          alpha has shape (n,)

Run:  python examples/custom_layer.py          (saves custom_layer.png when matplotlib is there)
"""

import argparse

import numpy as np

from neuralkit import Sequential, gradcheck
from neuralkit.layers import Dense, Layer, Sigmoid


class PReLU(Layer):
    """Parametric ReLU: A = max(Z, 0) + alpha * min(Z, 0), alpha (n,) learned per unit.

    Backward::

        dZ     = dA * (1 if Z > 0 else alpha)
        dalpha = sum over examples of dA * min(Z, 0)
    """

    def __init__(self, alpha_init: float = 0.25, **kwargs):
        super().__init__(**kwargs)
        self.alpha_init = alpha_init

    def build(self, input_shape: tuple[int, ...]) -> None:
        # One alpha per unit: the shape of one example, (n,) after a Dense layer.
        self.params = {"alpha": np.full(input_shape, self.alpha_init, dtype=self.dtype)}
        self.grads = {"alpha": np.zeros(input_shape, dtype=self.dtype)}
        super().build(input_shape)

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = Z
        return np.maximum(Z, 0) + self.params["alpha"] * np.minimum(Z, 0)

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z = self.cache
        self.grads["alpha"][...] = np.sum(dA * np.minimum(Z, 0), axis=0)
        return np.where(Z > 0, dA, self.params["alpha"] * dA)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha_init": self.alpha_init}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--save", default="custom_layer.png", help="where to save the figure")
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    # 1. The layer alone: analytic gradients against central finite differences.
    errors = gradcheck.check_layer(PReLU(alpha_init=0.1), rng.standard_normal((8, 5)))
    print("PReLU alone, relative errors:", {k: f"{v:.1e}" for k, v in errors.items()})

    # 2. Inside a model, with every parameter of every layer.
    X = rng.standard_normal((200, 3))
    y = (X[:, 0] ** 2 + X[:, 1] - X[:, 2] > 0.5).astype(float)
    model = Sequential([Dense(8, input_dim=3), PReLU(), Dense(1), Sigmoid()], seed=0)
    errors = gradcheck.check_model(model, X[:20], y[:20])
    print("Whole model, relative errors:", {k: f"{v:.1e}" for k, v in errors.items()})

    # 3. Trained like any other layer, with any optimizer.
    model.compile(optimizer="adam", metrics=["accuracy"])
    model.optimizer.learning_rate = 0.01
    history = model.fit(X, y, epochs=100, batch_size=32, verbose=0)
    model.summary()
    print(f"training accuracy {history.history['accuracy'][-1]:.3f}, "
          f"learned slopes {np.round(model.layers[1].params['alpha'], 3)}")


    try:  # the figure needs the optional matplotlib: pip install "neuralkit[plot]"
        import matplotlib
    except ImportError:
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    history.plot(axes=axes[:2])
    Z = np.linspace(-3, 3, 200)
    prelu = model.layers[1]
    for k, alpha in enumerate(prelu.params["alpha"]):
        axes[2].plot(Z, np.maximum(Z, 0) + alpha * np.minimum(Z, 0), linewidth=1, label=f"unit {k}")
    axes[2].set_title("learned PReLU activations")
    axes[2].set_xlabel("Z")
    axes[2].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(args.save, dpi=80)
    print(f"saved {args.save}")


if __name__ == "__main__":
    main()
