# The 2-D layers in a line, Keras' hard_sigmoid and a 'same' Conv2DTranspose with output_padding among them.
import keras
from keras import layers

x = inp = keras.Input(shape=(20, 20, 3))
x = layers.Conv2D(8, 3, activation="relu")(x)
x = layers.BatchNormalization()(x)
x = layers.MaxPooling2D(2)(x)
x = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2)(x)
x = layers.SeparableConv2D(12, 3, padding="same", activation="hard_sigmoid")(x)
x = layers.Conv2DTranspose(6, 3, strides=2, padding="same", output_padding=1)(x)
x = layers.ZeroPadding2D(((1, 0), (0, 1)))(x)
x = layers.AveragePooling2D(2, padding="same")(x)
x = layers.Activation("swish")(x)
x = layers.Conv2D(10, 1, activation="tanh", use_bias=False)(x)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dense(10, activation="softmax")(x)
model = keras.Model(inp, x)
