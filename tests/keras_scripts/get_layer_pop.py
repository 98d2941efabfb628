"""Named layers, get_layer(name=...) and get_layer(index=...), pop() to drop the head, add a new
head, compile and train it (the Sequential guide's transfer idiom)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(17)
x = rng.normal(size=(300, 4))
y3 = np.argmax(x[:, :3], axis=1)
model = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(16, activation="relu", name="features"),
    keras.layers.Dense(8, activation="relu", name="hidden"),
    keras.layers.Dense(1, activation="sigmoid", name="head"),
])
assert [layer.name for layer in model.layers] == ["features", "hidden", "head"]
assert model.get_layer(name="features") is model.layers[0]
assert model.get_layer("hidden") is model.layers[1]
assert model.get_layer(index=2) is model.layers[2]
try:
    model.get_layer("nope")
except ValueError:
    pass
else:
    raise AssertionError("get_layer accepted an unknown name")

features_weights = [w.copy() for w in model.get_layer("features").get_weights()]
popped = model.pop()
assert popped.name == "head" and len(model.layers) == 2
assert model.predict(x, verbose=0).shape == (300, 8)
model.add(keras.layers.Dense(3, activation="softmax", name="new_head"))
assert [layer.name for layer in model.layers] == ["features", "hidden", "new_head"]
kept = model.get_layer("features").get_weights()
assert all(np.array_equal(a, b) for a, b in zip(features_weights, kept, strict=True))
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x, y3, epochs=10, batch_size=32, verbose=0)
assert model.predict(x, verbose=0).shape == (300, 3)
assert history.history["accuracy"][-1] > 0.8
