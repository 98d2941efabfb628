"""keras.optimizers.schedules passed as learning_rate: the rate before step n is Keras's formula
(ExponentialDecay, staircase, InverseTimeDecay, PiecewiseConstantDecay, CosineDecay), and
optimizer.learning_rate / optimizer.iterations follow the steps taken."""
import math

import numpy as np

import neuralkit as keras

schedules = keras.optimizers.schedules
exponential = schedules.ExponentialDecay(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5)
staircase = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
inverse = schedules.InverseTimeDecay(0.1, decay_steps=5, decay_rate=0.5)
piecewise = schedules.PiecewiseConstantDecay(boundaries=[5, 10], values=[0.1, 0.01, 0.001])
cosine = schedules.CosineDecay(0.1, decay_steps=20, alpha=0.1)
for step in (0, 1, 5, 6, 10, 11, 15, 20, 30):
    assert np.isclose(float(exponential(step)), 0.1 * 0.5 ** (step / 10), rtol=1e-6), step
    assert np.isclose(float(staircase(step)), 0.1 * 0.5 ** (step // 10), rtol=1e-6), step
    assert np.isclose(float(inverse(step)), 0.1 / (1 + 0.5 * step / 5), rtol=1e-6), step
    expected = 0.1 if step <= 5 else 0.01 if step <= 10 else 0.001
    assert np.isclose(float(piecewise(step)), expected, rtol=1e-6), step
    s = min(step, 20)
    expected = 0.1 * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * s / 20)) + 0.1)
    assert np.isclose(float(cosine(step)), expected, rtol=1e-6), step

rng = np.random.default_rng(26)
x = rng.normal(size=(64, 2))
y = x[:, 0] - x[:, 1]
model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
optimizer = keras.optimizers.SGD(learning_rate=exponential)
model.compile(optimizer=optimizer, loss="mse")
rates = []
record = keras.callbacks.LambdaCallback(
    on_train_batch_begin=lambda batch, logs: rates.append(float(model.optimizer.learning_rate)))
model.fit(x, y, batch_size=16, epochs=5, callbacks=[record], verbose=0)  # 4 steps an epoch
assert int(model.optimizer.iterations) == 20
assert np.allclose(rates, [0.1 * 0.5 ** (k / 10) for k in range(20)], rtol=1e-6), rates
assert np.isclose(float(model.optimizer.learning_rate), 0.1 * 0.5**2, rtol=1e-6)
