"""What the convolution tests share: small image data and PyTorch's convolution as an oracle.

Import them as ``from tests.conv_helpers import ...``.
"""

from __future__ import annotations

import numpy as np


def bars(m, size=8, seed=0):
    """Images (m, size, size, 1) of noise with one bright bar, and labels: 0 for a horizontal
    bar, 1 for a vertical one (a task a convolution learns in a few epochs)."""
    rng = np.random.default_rng(seed)
    X = 0.3 * rng.standard_normal((m, size, size, 1))
    y = rng.integers(0, 2, m)
    where = rng.integers(1, size - 1, m)
    for i in range(m):
        if y[i] == 0:
            X[i, where[i], 1:-1, 0] += 1.5
        else:
            X[i, 1:-1, where[i], 0] += 1.5
    return X, y


def torch_conv2d(A_prev, W, b, strides, pads, dZ=None):
    """Z, and with dZ also (dA_prev, dW, db), by torch.nn.functional.conv2d in float64.

    neuralkit's layouts go in and come out: A_prev (m, n_H, n_W, n_C) is made NCHW, the kernel
    (f_h, f_w, n_C_prev, n_C) PyTorch's (n_C, n_C_prev, f_h, f_w); ``pads`` = (top, bottom,
    left, right) is applied with torch's own ``pad`` first (conv2d's ``padding`` is symmetric).
    """
    import torch

    x = torch.tensor(np.asarray(A_prev, np.float64).transpose(0, 3, 1, 2), requires_grad=True)
    w = torch.tensor(np.asarray(W, np.float64).transpose(3, 2, 0, 1), requires_grad=True)
    bias = None if b is None else torch.tensor(np.asarray(b, np.float64), requires_grad=True)
    top, bottom, left, right = pads
    y = torch.nn.functional.conv2d(torch.nn.functional.pad(x, (left, right, top, bottom)), w,
                                   bias, stride=tuple(strides))
    Z = y.detach().numpy().transpose(0, 2, 3, 1)
    if dZ is None:
        return Z
    y.backward(torch.tensor(np.asarray(dZ, np.float64).transpose(0, 3, 1, 2)))
    db = None if bias is None else bias.grad.numpy()
    return (Z, x.grad.numpy().transpose(0, 2, 3, 1), w.grad.numpy().transpose(2, 3, 1, 0), db)
