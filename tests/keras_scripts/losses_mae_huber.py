"""Regression losses by name and as objects ('mae', 'huber', 'mse', Huber(delta=...),
MeanAbsoluteError(), MeanSquaredError()) with metrics 'mse' and 'mae', each loss checked
against its formula on the model's predictions."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(7)
x = rng.normal(size=(300, 4))
y = x @ np.array([1.0, -2.0, 0.5, 3.0]) + rng.standard_t(df=2, size=300)  # heavy-tailed noise


def huber(error, delta):
    a = np.abs(error)
    return np.where(a <= delta, 0.5 * error**2, delta * (a - 0.5 * delta))


FORMULAS = [
    ("mae", lambda e: np.abs(e)),
    ("huber", lambda e: huber(e, 1.0)),
    ("mse", lambda e: e**2),
    (keras.losses.Huber(delta=0.5), lambda e: huber(e, 0.5)),
    (keras.losses.MeanAbsoluteError(), lambda e: np.abs(e)),
    (keras.losses.MeanSquaredError(), lambda e: e**2),
]
for loss, formula in FORMULAS:
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=loss,
                  metrics=["mse", "mae"])
    history = model.fit(x, y, batch_size=32, epochs=10, verbose=0)
    assert sorted(history.history) == ["loss", "mae", "mse"], (loss, history.history.keys())
    assert history.history["loss"][-1] < history.history["loss"][0], loss
    error = model.predict(x, verbose=0)[:, 0] - y
    results = model.evaluate(x, y, verbose=0, return_dict=True)
    assert np.isclose(results["loss"], np.mean(formula(error)), rtol=1e-4), loss
    assert np.isclose(results["mse"], np.mean(error**2), rtol=1e-4), loss
    assert np.isclose(results["mae"], np.mean(np.abs(error)), rtol=1e-4), loss
