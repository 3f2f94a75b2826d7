# A 1-D network as a Keras user writes one (NWC: batch, steps, channels): every 1-D layer clinfer reads, with
# 'valid', 'same' and 'causal' padding, strides, dilation, groups, no bias, and both global pools. The names are
# given (Keras versions number generated names differently). tests/models/export_keras_1d.py runs this very file
# under tf.keras and keeps its weights, layers and predict for tests/test_layers.c.
from tensorflow import keras
from tensorflow.keras import layers

inp = keras.Input(shape=(50, 6), name='x')
x = layers.Conv1D(16, 3, activation='relu', name='c1')(inp)
x = layers.MaxPooling1D(name='p1')(x)
x = layers.Conv1D(32, 5, strides=2, padding='same', groups=4, name='c2')(x)
x = layers.AveragePooling1D(3, strides=1, padding='same', name='p2')(x)
x = layers.Conv1D(8, 3, padding='causal', dilation_rate=2, use_bias=False, name='c3')(x)
x = layers.MaxPooling1D(pool_size=3, strides=2, padding='same', name='p3')(x)
a = layers.GlobalAveragePooling1D(name='gap')(x)
b = layers.GlobalMaxPooling1D(name='gmp')(x)
x = layers.concatenate([a, b], name='cat')
out = layers.Dense(5, activation='softmax', name='fc')(x)
model = keras.Model(inp, out)
