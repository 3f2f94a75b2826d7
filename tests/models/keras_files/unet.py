# A U-Net: a list of skip tensors appended in the way down and taken back with zip(..., reversed(skips)) on the way
# up, a list comprehension of widths, ** in sizes.
import keras
from keras import layers


def double_conv(x, filters):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return x


def unet(size=16, depth=2, base=4, classes=3):
    inputs = keras.Input((size, size, 1))
    skips = []
    x = inputs
    for level in range(depth):
        x = double_conv(x, base * 2 ** level)
        skips.append(x)
        x = layers.MaxPooling2D()(x)
    x = double_conv(x, base * 2 ** depth)
    widths = [base * 2 ** k for k in reversed(range(depth))]
    for filters, skip in zip(widths, reversed(skips)):
        x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
        x = layers.concatenate([x, skip])
        x = double_conv(x, filters)
    outputs = layers.Conv2D(classes, 1, activation="softmax")(x)
    return keras.Model(inputs, outputs)


model = unet()
