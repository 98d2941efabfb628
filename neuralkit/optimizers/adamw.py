"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""

from __future__ import annotations

from .._validation import check_number
from .adam import Adam
from .schedules import LearningRateSchedule

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay, on by default (Keras 3's AdamW).

    Before Adam's update (see :class:`~neuralkit.optimizers.Adam`), with the step's rate::

        W := W - W * weight_decay * learning_rate
        m, v, m_hat, v_hat as Adam's
        W := W - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    weight_decay : float, default 0.004
        >= 0 (Keras's default; PyTorch's is 0.01). Not None: use Adam for no decay.
    beta_1, beta_2 : float, default 0.9, 0.999
    epsilon : float, default 1e-8
        Added to sqrt(v_hat), as neuralkit's Adam (Keras's default is 1e-7, added to sqrt(v)).
    amsgrad : bool, default False

    ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` (keyword-only) are every optimizer's:
    see :class:`~neuralkit.optimizers.Optimizer`.
    """

    name = "adamw"

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001,
                 weight_decay: float = 0.004, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, amsgrad: bool = False, *, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None) -> None:
        weight_decay = check_number(weight_decay, "weight_decay", 0.0, low_inclusive=True,
                                    hint=" AdamW needs a weight decay; Adam has none.")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad,
                         weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm)
