"""clipnorm, clipvalue and global_clipnorm bound one SGD(learning_rate=1) step: each weight
array moves by at most c in norm, each value by at most c, all of them together by at most c."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(24)
x = rng.normal(size=(64, 3))
y = 100.0 * (x @ np.array([1.0, -2.0, 3.0]))[:, None] + 50.0  # far off: large gradients


def one_step(optimizer):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    before = model.get_weights()
    model.fit(x, y, batch_size=64, epochs=1, shuffle=False, verbose=0)  # one batch: one step
    assert int(model.optimizer.iterations) == 1
    return [after - start for start, after in zip(before, model.get_weights(), strict=True)]


c = 0.1
moves = one_step(keras.optimizers.SGD(learning_rate=1.0, clipnorm=c))
norms = [np.linalg.norm(m) for m in moves]
assert all(n <= c * (1 + 1e-5) for n in norms), norms
assert np.isclose(norms[-1], c, rtol=1e-4) and np.isclose(norms[-2], c, rtol=1e-4), norms  # clipped

moves = one_step(keras.optimizers.SGD(learning_rate=1.0, clipvalue=0.01))
largest = max(np.abs(m).max() for m in moves)
assert largest <= 0.01 * (1 + 1e-5), largest
assert np.isclose(np.abs(moves[-1]).max(), 0.01, rtol=1e-4)

moves = one_step(keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=c))
total = np.sqrt(sum(np.sum(m**2) for m in moves))
assert np.isclose(total, c, rtol=1e-4), total

unclipped = one_step(keras.optimizers.SGD(learning_rate=1.0))
assert np.sqrt(sum(np.sum(m**2) for m in unclipped)) > 100 * c

try:
    keras.optimizers.SGD(learning_rate=0.1, clipnorm=1.0, clipvalue=1.0)
except ValueError:
    pass
else:
    raise AssertionError("SGD accepted two clipping options")
