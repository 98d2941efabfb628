"""scikit-learn estimators: :class:`NeuralKitClassifier` and :class:`NeuralKitRegressor`.

A multilayer perceptron built from neuralkit layers, behind scikit-learn's estimator API, so
that it works in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``. Needs the optional
extra ``pip install "neuralkit[sklearn]"``; importing :mod:`neuralkit` itself never needs it.

The network is ``[Dense(h_1), g, ..., Dense(h_k), g, Dense(n_out), output]`` with ``g`` the
hidden activation and the output layer picked from the task: Sigmoid (binary cross-entropy)
for two classes, Softmax (categorical cross-entropy) for more, identity (mean squared error)
for regression. Training runs epoch by epoch in the estimator's own loop, which stops early
when the monitored score stops improving (see ``tol`` and ``n_iter_no_change``).
"""

try:
    import sklearn  # noqa: F401 - the extra this module needs, checked first
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "neuralkit.sklearn needs scikit-learn >= 1.6: pip install \"neuralkit[sklearn]\"."
    ) from exc

from .classifier import NeuralKitClassifier
from .regressor import NeuralKitRegressor

__all__ = ["NeuralKitClassifier", "NeuralKitRegressor"]
