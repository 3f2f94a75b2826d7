# RandomCrop at inference: the largest centred crop of the output's aspect ratio, resized (tf.keras' smart_resize),
# to a larger and a smaller size, and to another aspect ratio.
import keras
from keras import layers

inputs = keras.Input(shape=(16, 12, 3))
crops = [layers.RandomCrop(8, 8)(inputs), layers.RandomCrop(10, 4)(inputs), layers.RandomCrop(20, 15)(inputs)]
outputs = layers.Concatenate()([layers.Flatten()(c) for c in crops])
model = keras.Model(inputs, outputs)
