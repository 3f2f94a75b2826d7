# Two inputs, two outputs.
import keras
from keras import layers

a = keras.Input(shape=(12, 12, 3), name="left")
b = keras.Input(shape=(6,), name="right")
x = layers.Conv2D(4, 3, activation="relu")(a)
x = layers.GlobalAveragePooling2D()(x)
y = layers.Dense(4, activation="softplus")(b)
z = layers.Add()([x, y])
o1 = layers.Dense(2, name="first")(z)
o2 = layers.Dense(3, activation="softsign", name="second")(z)
model = keras.Model([a, b], [o1, o2])
