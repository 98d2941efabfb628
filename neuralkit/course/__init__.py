"""The course's procedural API, computed by neuralkit's layers.

Convolutions (Course 4, week 1, "Convolution model, Step by Step"): ``zero_pad``,
``conv_single_step``, ``conv_forward`` and ``conv_backward`` with the assignment's names and
layouts (images (m, n_H, n_W, n_C), W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C),
``hparameters = {"stride": s, "pad": p}``), computed by :class:`Conv2D`
(:mod:`neuralkit.course.conv`).

*Neural Networks and Deep Learning* (week 4) builds an L-layer network from functions on
column-major arrays: X (n_x, m), Y (1, m), parameters ``{'W1': (n1, n0), 'b1': (n1, 1), ...}``,
ReLU hidden layers and a sigmoid output. This module offers those functions with the same
names, signatures and layouts, but each one runs neuralkit's own :class:`Dense`,
:class:`ReLU` and :class:`Sigmoid` layers, loss and optimizer, so a learner can check an
assignment's values against a tested implementation, and move a trained dict into a
:class:`Sequential` (:func:`to_sequential`) and back (``model.get_parameters()``).

Differences from the assignment code, all on purpose:

- Arrays come back as new arrays; the parameters dict passed in is never modified.
- ``compute_cost`` and ``L_model_backward`` cannot return NaN: the cost clips A to
  [1e-7, 1 - 1e-7] (``losses.EPSILON``) and backward starts from dZ[L] = A[L] - Y (the fused
  sigmoid + cross-entropy gradient) rather than from dA[L] = -(Y/A - (1-Y)/(1-A)), which
  divides by zero once the sigmoid saturates. Where both are finite they agree to rounding.
- ``initialize_parameters_deep`` draws from its own ``np.random.RandomState(seed)``: the same
  numbers as the assignment's ``np.random.seed(seed); np.random.randn(...)``, without
  touching NumPy's global random state.

*Convolutional Neural Networks* (course 4, week 1, "Convolution model, Step by Step") pools
images (m, n_H, n_W, n_C): ``pool_forward``, ``create_mask_from_window``, ``distribute_value``
and ``pool_backward`` (:mod:`neuralkit.course.pool`) run :class:`MaxPooling2D` and
:class:`AveragePooling2D`. One difference, on purpose: where a window has several equal maxima,
the gradient goes to the first one only (the layer's rule), not to every one of them.
"""

from .conv import conv_backward, conv_forward, conv_single_step, zero_pad
from .dense import (
    L_model_backward,
    L_model_forward,
    compute_cost,
    initialize_parameters_deep,
    predict,
    to_sequential,
    update_parameters,
)
from .pool import create_mask_from_window, distribute_value, pool_backward, pool_forward

__all__ = ["initialize_parameters_deep", "L_model_forward", "compute_cost", "L_model_backward",
           "update_parameters", "predict", "to_sequential", "zero_pad", "conv_single_step",
           "conv_forward", "conv_backward", "pool_forward", "create_mask_from_window",
           "distribute_value", "pool_backward"]
