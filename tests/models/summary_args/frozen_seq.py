# A Sequential model with a frozen Dense, for show_trainable and layer_range in the sequential layout.
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(16,)),
        layers.Dense(8, trainable=False, name="d1"),
        layers.Dropout(0.1, name="drop"),
        layers.Dense(6, name="d2"),
        layers.Dense(4, name="d3"),
    ],
    name="frozen_seq",
)
