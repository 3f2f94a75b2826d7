# Branches made by a comprehension over enumerate, '%' names, a dict comprehension looped over in sorted order, a
# conditional expression in an argument, str.format, min/max/len.
import keras
from keras import layers

kernels = [1, 3, 5]
inputs = keras.Input(shape=(12, 12, 3), name="pixels")
branches = [
    layers.Conv2D(4 * (i + 1), k, padding="same", activation="relu", name="branch_%dx%d" % (k, k))(inputs)
    for i, k in enumerate(kernels)
]
x = layers.Concatenate(name="mix")(branches)
widths = {k: 2 * k for k in kernels if k > 1}
for k in sorted(widths):
    x = layers.Conv2D(widths[k], k, padding="same" if k % 2 == 1 and k < 5 else "valid", name="conv{}".format(k))(x)
x = layers.GlobalMaxPooling2D()(x)
units = max(len(kernels), 2) * 2
outputs = layers.Dense(units, activation="softmax" if units > 4 else None, name="head")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
