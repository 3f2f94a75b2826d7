# A Sequential model (no InputLayer row) with the 1-D layers.
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(30, 5)),
    layers.Conv1D(8, 3, activation="relu", padding="causal", dilation_rate=2),
    layers.MaxPooling1D(2),
    layers.Conv1D(6, 3, strides=2, padding="same"),
    layers.AveragePooling1D(2, padding="same"),
    layers.BatchNormalization(),
    layers.GlobalMaxPooling1D(),
    layers.Dense(4, activation="selu"),
])
