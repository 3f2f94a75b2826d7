# Arithmetic between a tensor and a number, which Keras saves as layers of its own (Keras 3's operations, tf.keras'
# TFOpLambda), as Keras Applications' MobileNetV3 writes its hard sigmoid: relu6(x + 3) * (1 / 6). (A model file
# only: clinfer's script subset has no tensor arithmetic.)
import keras
from keras import layers

inp = keras.Input(shape=(8, 8, 3))
x = layers.Conv2D(4, 3)(inp)
h = layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)
y = layers.Multiply()([x, h])
y = layers.Flatten()(y - 0.5)
out = layers.Dense(3)(y / 4.0)
model = keras.Model(inp, out)
