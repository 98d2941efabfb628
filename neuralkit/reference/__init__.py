"""Looped (non-vectorized) reference implementations: the course's code before vectorizing.

Explicit Python for-loops over examples, units and features with scalar arithmetic, used as
test oracles for the vectorized code and as the "looped" side of
``benchmarks/vectorization.py``. The layers and losses subclass their vectorized twins and
drop into a ``Sequential`` unchanged::

    from neuralkit import Sequential
    from neuralkit.reference import LoopDense, LoopReLU, LoopSigmoid

    model = Sequential([LoopDense(4), LoopReLU(), LoopDense(1), LoopSigmoid()], seed=0)

trains exactly like ``Sequential([Dense(4), ReLU(), Dense(1), Sigmoid()], seed=0)``, only
much more slowly. ``LoopConv2D`` is the course's convolution with its four loops over
(example, row, column, filter) (:mod:`neuralkit.reference.conv_layers`).
"""

from .conv_layers import LoopConv2D
from .dot import dot_looped, dot_vectorized
from .layers import LoopDense, LoopLeakyReLU, LoopLinear, LoopReLU, LoopSigmoid, LoopSoftmax, LoopTanh
from .logistic import LogisticStep, logistic_step_looped, logistic_step_vectorized
from .losses import LoopBinaryCrossEntropy, LoopCategoricalCrossEntropy, LoopMeanSquaredError
from .more_layers import (
    LoopExponential,
    LoopHardSigmoid,
    LoopMish,
    LoopReLU6,
    LoopSELU,
    LoopSoftsign,
)
from .normalization import LoopBatchNormalization
from .pool_layers import LoopAveragePooling2D, LoopMaxPooling2D
from .smooth_layers import LoopELU, LoopGELU, LoopSoftplus, LoopSwish

__all__ = [
    "LoopDense",
    "LoopConv2D",
    "LoopLinear",
    "LoopReLU",
    "LoopLeakyReLU",
    "LoopSigmoid",
    "LoopTanh",
    "LoopSoftmax",
    "LoopELU",
    "LoopGELU",
    "LoopSoftplus",
    "LoopSwish",
    "LoopSELU",
    "LoopSoftsign",
    "LoopReLU6",
    "LoopHardSigmoid",
    "LoopMish",
    "LoopExponential",
    "LoopBatchNormalization",
    "LoopMaxPooling2D",
    "LoopAveragePooling2D",
    "LoopMeanSquaredError",
    "LoopBinaryCrossEntropy",
    "LoopCategoricalCrossEntropy",
    "LogisticStep",
    "logistic_step_looped",
    "logistic_step_vectorized",
    "dot_looped",
    "dot_vectorized",
]
