# Augmentation and preprocessing layers at inference, inline in a functional model (random in training, the identity
# when the model predicts), between Rescaling and the convolutions; a list of them applied by a loop; CenterCrop.
import keras
from keras import layers

augmentation = [
    layers.RandomFlip("horizontal"),
    layers.RandomRotation(0.1),
    layers.RandomZoom(0.2, 0.1),
    layers.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
    layers.RandomContrast(0.2),
    layers.RandomBrightness(0.1, value_range=(0.0, 1.0)),
]
inputs = keras.Input(shape=(16, 16, 3))
x = layers.Rescaling(1.0 / 255)(inputs)
for layer in augmentation:
    x = layer(x)
x = layers.CenterCrop(12, 10)(x)  # (an odd margin: rows 2-13 of 16, cols 3-12)
x = layers.Conv2D(4, 3, activation="relu")(x)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs, outputs)
