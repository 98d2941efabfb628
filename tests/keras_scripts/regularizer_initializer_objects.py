"""The Keras spellings of regularizers and initializers in a Dense network:
keras.regularizers.l2(...) (Keras 3 exports L2 and its alias l2), the string "l2", and
initializer objects such as keras.initializers.HeNormal() and Zeros()."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(37)
x = rng.normal(size=(50, 4))
model = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(8, activation="relu", kernel_initializer=keras.initializers.HeNormal(),
                       bias_initializer=keras.initializers.Zeros(),
                       kernel_regularizer=keras.regularizers.l2(1e-3)),
    keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(),
                       kernel_regularizer="l2"),
])
model.compile(optimizer="adam", loss="mse")
model.fit(x, x.sum(axis=1), epochs=2, verbose=0)
assert model.predict(x, verbose=0).shape == (50, 1)
