# A graph with branches: Add, Multiply, Concatenate, ReLU, LeakyReLU, Reshape, Softmax, Flatten, Dropout.
import keras
from keras import layers

inp = keras.Input(shape=(16, 16, 4), name="image")
x = layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
a = layers.Conv2D(8, 3, padding="same", dilation_rate=2)(x)
b = layers.Conv2D(8, 1, activation="sigmoid")(x)
m = layers.Multiply()([a, b])
s = layers.Add()([m, x])
s = layers.ReLU(max_value=6.0)(s)
c = layers.Concatenate()([s, a])
c = layers.Conv2D(4, 3, strides=2, groups=2, padding="same")(c)
c = layers.LeakyReLU(0.2)(c)
g = layers.GlobalMaxPooling2D()(c)
f = layers.Flatten()(c)
f = layers.Dropout(0.5)(f)
f = layers.Dense(12, activation="elu")(f)
f = layers.Reshape((3, 4))(f)
f = layers.Softmax()(f)
f = layers.Flatten()(f)
out = layers.Concatenate()([f, g])
out = layers.Dense(3)(out)
model = keras.Model(inp, out)
