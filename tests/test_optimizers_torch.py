"""neuralkit's optimizers against PyTorch's, step by step, with matching hyperparameters.

PyTorch (the test extra pins it) puts epsilon outside the square root as neuralkit does, so
its optimizers are a second, independent oracle for the update rules (the first: the
procedural rules of tests/test_optimizers_keras.py). Each run feeds both the same changing
gradients in float64 and compares every parameter after every step. The tolerances cover the
order of floating-point operations (PyTorch's lerp_, addcdiv_, fused kernels), except where a
formula differs on purpose, said at the test.
"""

import numpy as np
import pytest
import torch

from neuralkit.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from neuralkit.optimizers.clipping import clip_by_norm

STEPS = 7
SHAPES = [(4, 3), (4,), (2, 4)]


def _params(seed=42):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in SHAPES]


def _gradients(seed=0, scales=(0.1, 1.0, 5.0, 0.5, 3.0, 0.2, 8.0)):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s) * scales[(t + i) % len(scales)] * (-1) ** t
             for i, s in enumerate(SHAPES)] for t in range(STEPS)]


def _neuralkit(optimizer, grads_per_step):
    params = _params()
    trace = []
    for grads in grads_per_step:
        optimizer.step([(f"p{i}", p, g) for i, (p, g) in enumerate(zip(params, grads, strict=True))])
        trace.append([p.copy() for p in params])
    return trace


def _torch(make, grads_per_step, clip=None):
    """PyTorch's optimizer ``make(params)`` over the same gradients; ``clip(params)`` runs
    between setting the gradients and the step (torch.nn.utils' clipping)."""
    params = [torch.nn.Parameter(torch.tensor(p)) for p in _params()]
    optimizer = make(params)
    trace = []
    for grads in grads_per_step:
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.tensor(g)
        if clip is not None:
            clip(params)
        optimizer.step()
        trace.append([p.detach().numpy().copy() for p in params])
    return trace


def _compare(got, want, rtol=1e-12, atol=1e-14):
    for t, (got_step, want_step) in enumerate(zip(got, want, strict=True)):
        for a, b in zip(got_step, want_step, strict=True):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"step {t}")


# ---------------------------------------------------------------------- clipping
def _each(clip_one):
    """torch.nn.utils' clipping applied to each parameter alone (Keras's clipnorm)."""
    return lambda params: [clip_one([p]) for p in params]


# PyTorch's clip_grad_norm_ multiplies by max_norm / (norm + 1e-6): the clipped gradient is
# smaller than neuralkit's (Keras's max_norm / norm) by a factor 1 - 1e-6 / norm, below 1e-7
# here (every clipped norm is over 10). Hence rtol=1e-7 where a norm is clipped.
def test_clipnorm_equals_clip_grad_norm_on_each_parameter():
    grads = _gradients(seed=1, scales=(20.0, 0.1, 50.0, 0.3, 15.0, 0.05, 30.0))
    got = _neuralkit(SGD(0.01, momentum=0.9, clipnorm=2.0), grads)
    want = _torch(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9), grads,
                  clip=_each(lambda ps: torch.nn.utils.clip_grad_norm_(ps, 2.0)))
    _compare(got, want, rtol=1e-7, atol=1e-9)
    for step in grads:
        for g in step:
            t = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
            t.grad = torch.tensor(g)
            torch.nn.utils.clip_grad_norm_([t], 2.0)
            mine = clip_by_norm(g, 2.0, np.empty_like(g))
            np.testing.assert_allclose(mine, t.grad.numpy(), rtol=1e-7)
            if np.linalg.norm(g) <= 2.0:
                assert mine is g  # unclipped: the gradient itself, exactly


def test_global_clipnorm_equals_clip_grad_norm_over_all_parameters():
    grads = _gradients(seed=2, scales=(20.0, 10.0, 50.0, 0.3, 15.0, 40.0, 30.0))
    got = _neuralkit(Adam(0.01, global_clipnorm=5.0), grads)
    want = _torch(lambda p: torch.optim.Adam(p, lr=0.01), grads,
                  clip=lambda ps: torch.nn.utils.clip_grad_norm_(ps, 5.0))
    _compare(got, want, rtol=1e-7, atol=1e-9)
    got = _neuralkit(SGD(0.05, global_clipnorm=5.0), grads)
    want = _torch(lambda p: torch.optim.SGD(p, lr=0.05), grads,
                  clip=lambda ps: torch.nn.utils.clip_grad_norm_(ps, 5.0))
    _compare(got, want, rtol=1e-7, atol=1e-9)


def test_clipvalue_equals_clip_grad_value():
    grads = _gradients(seed=3)
    got = _neuralkit(RMSprop(0.01, rho=0.9, clipvalue=0.5), grads)
    want = _torch(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7), grads,
                  clip=lambda ps: torch.nn.utils.clip_grad_value_(ps, 0.5))
    _compare(got, want)


# ---------------------------------------------------------------------- weight decay
def test_sgd_weight_decay_equals_pytorchs_l2_form_without_momentum():
    # For plain SGD, W - lr wd W - lr g (decoupled, Keras) is W - lr (g + wd W) (PyTorch's
    # weight_decay); with momentum they differ, and PyTorch has no decoupled SGD.
    grads = _gradients(seed=4)
    got = _neuralkit(SGD(0.05, weight_decay=0.2), grads)
    want = _torch(lambda p: torch.optim.SGD(p, lr=0.05, weight_decay=0.2), grads)
    _compare(got, want)


@pytest.mark.parametrize("clip", [False, True])
def test_adam_weight_decay_equals_pytorchs_decoupled_adam(clip):
    grads = _gradients(seed=5)
    got = _neuralkit(Adam(0.02, weight_decay=0.1, clipvalue=1.0 if clip else None), grads)
    want = _torch(lambda p: torch.optim.Adam(p, lr=0.02, weight_decay=0.1,
                                             decoupled_weight_decay=True), grads,
                  clip=(lambda ps: torch.nn.utils.clip_grad_value_(ps, 1.0)) if clip else None)
    _compare(got, want)


# ---------------------------------------------------------------------- the existing rules
def test_rmsprop_and_adam_equal_pytorchs():
    grads = _gradients(seed=6)
    _compare(_neuralkit(RMSprop(0.01, rho=0.8, epsilon=1e-7), grads),
             _torch(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.8, eps=1e-7), grads))
    _compare(_neuralkit(Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-8), grads),
             _torch(lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-8), grads))


# ---------------------------------------------------------------------- RMSprop, Adam: new options
@pytest.mark.parametrize("momentum, centered", [(0.9, False), (0.0, True), (0.6, True)])
def test_rmsprop_momentum_and_centered_equal_pytorchs(momentum, centered):
    # Keras's velocity holds lr * step and PyTorch's the step alone: the same for a fixed rate.
    grads = _gradients(seed=7)
    got = _neuralkit(RMSprop(0.01, rho=0.8, momentum=momentum, epsilon=1e-6, centered=centered),
                     grads)
    want = _torch(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.8, eps=1e-6,
                                                momentum=momentum, centered=centered), grads)
    _compare(got, want)


def test_adam_amsgrad_equals_pytorchs():
    grads = _gradients(seed=8)
    got = _neuralkit(Adam(0.02, beta_1=0.8, beta_2=0.9, epsilon=1e-8, amsgrad=True), grads)
    want = _torch(lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.9), eps=1e-8,
                                             amsgrad=True), grads)
    _compare(got, want)


# ---------------------------------------------------------------------- AdamW, Adagrad
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_equals_pytorchs(amsgrad):
    # PyTorch decays by W * (1 - lr * wd), Keras (and neuralkit) by W - W * wd * lr: one rounding apart.
    grads = _gradients(seed=9)
    got = _neuralkit(AdamW(0.01, 0.2, beta_1=0.85, beta_2=0.95, epsilon=1e-8, amsgrad=amsgrad),
                     grads)
    want = _torch(lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.85, 0.95), eps=1e-8,
                                              weight_decay=0.2, amsgrad=amsgrad), grads)
    _compare(got, want)


@pytest.mark.parametrize("initial, eps", [(0.1, 1e-7), (0.0, 1e-10)])
def test_adagrad_equals_pytorchs(initial, eps):
    grads = _gradients(seed=10)
    got = _neuralkit(Adagrad(0.05, initial_accumulator_value=initial, epsilon=eps), grads)
    want = _torch(lambda p: torch.optim.Adagrad(p, lr=0.05, lr_decay=0.0,
                                                initial_accumulator_value=initial, eps=eps), grads)
    _compare(got, want)
