# UpSampling2D, nearest and bilinear (half-pixel centres: TensorFlow's and JAX's resize), as a decoder uses it.
import keras
from keras import layers

inp = keras.Input(shape=(5, 6, 3))
x = layers.UpSampling2D(2)(inp)
x = layers.Conv2D(4, 3, activation="relu")(x)
x = layers.UpSampling2D((2, 3), interpolation="bilinear")(x)
x = layers.Conv2D(2, 1)(x)
model = keras.Model(inp, x)
