# Resizing to sizes that are not multiples of the input's: bilinear and nearest, down and up, and with
# crop_to_aspect_ratio (the largest centred crop of the output's aspect ratio first); the results flattened and
# joined into one output.
import keras
from keras import layers

inputs = keras.Input(shape=(16, 12, 3))
sized = [
    layers.Resizing(8, 6)(inputs),
    layers.Resizing(7, 5, interpolation="nearest")(inputs),
    layers.Resizing(9, 9, crop_to_aspect_ratio=True)(inputs),
    layers.Resizing(20, 30)(inputs),
    layers.Resizing(21, 13, interpolation="nearest", crop_to_aspect_ratio=True)(inputs),
]
x = layers.Concatenate()([layers.Flatten()(s) for s in sized])
model = keras.Model(inputs, x)
