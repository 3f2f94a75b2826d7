# An Inception-like block whose branches are made in an order other than their depth, so that each Keras' layer
# order (by depth, ties by the walk from the outputs) shows; a global max pool straight off the input.
import keras
from keras import layers

inp = keras.Input(shape=(16, 16, 8))
a = layers.Conv2D(4, 1)(inp)
b = layers.Conv2D(4, 1)(inp)
b = layers.Conv2D(4, 3, padding="same")(b)
c = layers.MaxPooling2D(3, strides=1, padding="same")(inp)
c = layers.Conv2D(4, 1)(c)
d = layers.Conv2D(2, 1)(inp)
d = layers.Conv2D(2, 3, padding="same")(d)
d = layers.Conv2D(2, 3, padding="same")(d)
x = layers.Concatenate()([a, b, c, d])
y = layers.Add()([layers.Conv2D(14, 1)(x), x])
z = layers.GlobalAveragePooling2D()(y)
w = layers.GlobalMaxPooling2D()(inp)
out = layers.Concatenate()([z, w])
model = keras.Model(inp, out)
