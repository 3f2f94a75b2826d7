# A Siamese network: one tower (a functional model made by a def) called on two inputs, so its weights are shared
# and the summary shows it once, with both calls under "Connected to"; a shared projection layer; their difference.
import keras
from keras import layers


def make_tower(input_shape, width=8):
    inp = keras.Input(shape=input_shape)
    x = inp
    for i, filters in enumerate([width, 2 * width]):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"tower_conv{i + 1}")(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu", name="tower_dense")(x)
    return keras.Model(inp, x, name="tower")


tower = make_tower((12, 12, 1))
left = keras.Input(shape=(12, 12, 1), name="left")
right = keras.Input(shape=(12, 12, 1), name="right")
project = layers.Dense(8, name="proj")
a = project(tower(left))
b = project(tower(right))
d = layers.subtract([a, b])
outputs = layers.Dense(1, activation="sigmoid", name="same")(d)
model = keras.Model([left, right], outputs, name="siamese")
