# Frozen layers (trainable=False as an argument and as an assignment after the call) in a graph with branches: for
# Keras' show_trainable and layer_range (tests/models/summary_args.py).
import keras
from keras import layers

inputs = keras.Input(shape=(8, 8, 3), name="image")
stem = layers.Conv2D(8, 3, padding="same", name="stem")
x = stem(inputs)
stem.trainable = False
x = layers.BatchNormalization(name="stem_bn", trainable=False)(x)
a = layers.Conv2D(8, 1, name="branch_a")(x)
b = layers.Conv2D(8, 3, padding="same", name="branch_b")(x)
x = layers.Add(name="join")([a, b])
x = layers.GlobalAveragePooling2D(name="pool")(x)
outputs = layers.Dense(3, name="head")(x)
model = keras.Model(inputs, outputs, name="frozen_stem")
