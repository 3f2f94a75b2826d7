from numpy.random import seed
from onnx import TensorProto, helper
x = layers.Input(shape=(4,))
model = Model(x, layers.Dense(2)(x))
