"""What evaluate returns: a float without metrics, [loss, *metrics] with them (compile's order),
a dict with return_dict=True; metric names as written; batch_size changes nothing."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(9)
x = rng.normal(size=(103, 4))  # 103 = not a multiple of any batch size used below
y = x.sum(axis=1, keepdims=True) + 0.1 * rng.normal(size=(103, 1))


def make_model():
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="tanh"),
                             keras.layers.Dense(1)])


model = make_model()
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=2, verbose=0)
loss = model.evaluate(x, y, verbose=0)
assert isinstance(loss, float), type(loss)
error = model.predict(x, verbose=0) - y
assert np.isclose(loss, np.mean(error**2), rtol=1e-5)
for batch_size in (1, 7, 32, 200):
    assert np.isclose(model.evaluate(x, y, batch_size=batch_size, verbose=0), loss, rtol=1e-5), batch_size

model.compile(optimizer="adam", loss="mse", metrics=["mae"])
results = model.evaluate(x, y, verbose=0)
assert isinstance(results, list) and len(results) == 2
assert all(isinstance(v, float) for v in results)
assert np.isclose(results[0], loss, rtol=1e-6)
assert np.isclose(results[1], np.mean(np.abs(error)), rtol=1e-5)

model.compile(optimizer="adam", loss="mse",
              metrics=["mae", "mean_squared_error", keras.metrics.MeanAbsoluteError(),
                       keras.metrics.MeanSquaredError(name="my_mse")])
values = model.evaluate(x, y, verbose=0)
as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
assert isinstance(as_dict, dict)
assert sorted(as_dict) == ["loss", "mae", "mean_absolute_error", "mean_squared_error", "my_mse"]
assert len(values) == 5 and np.isclose(values[0], as_dict["loss"])
assert np.allclose(values[1:], [as_dict["mae"], as_dict["mean_squared_error"],
                                as_dict["mean_absolute_error"], as_dict["my_mse"]])
assert np.isclose(as_dict["mean_squared_error"], loss, rtol=1e-5)
history = model.fit(x, y, epochs=1, verbose=0)
assert sorted(history.history) == sorted(as_dict)
