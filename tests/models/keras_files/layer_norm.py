# LayerNormalization over the channels, with and without its scale and offset, after convolutions.
import keras
from keras import layers

inp = keras.Input(shape=(6, 5, 4))
x = layers.Conv2D(8, 3, padding="same")(inp)
x = layers.LayerNormalization()(x)
x = layers.Conv2D(6, 1, activation="relu")(x)
x = layers.LayerNormalization(epsilon=1e-5, center=False)(x)
x = layers.Flatten()(x)
x = layers.Dense(3)(x)
x = layers.LayerNormalization(scale=False)(x)
model = keras.Model(inp, x)
