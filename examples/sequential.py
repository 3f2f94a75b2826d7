# A Sequential model, built with model.add: Keras does not list its InputLayer.
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential()
model.add(keras.layers.Conv2D(32, (3, 3), strides=2, padding='same', use_bias=False,
                              input_shape=(224, 224, 3)))
model.add(keras.layers.BatchNormalization())
model.add(keras.layers.ReLU(max_value=6.0))
model.add(tf.keras.layers.DepthwiseConv2D(3, padding='same', depth_multiplier=1))
model.add(keras.layers.SeparableConv2D(64, 3, dilation_rate=2, padding='same'))
model.add(keras.layers.ZeroPadding2D(((0, 1), (0, 1))))
model.add(keras.layers.AveragePooling2D(pool_size=3, strides=2, padding='same'))
model.add(keras.layers.Conv2DTranspose(16, 3, strides=2))
model.add(keras.layers.GlobalMaxPooling2D())
model.add(keras.layers.Reshape((4, 4, 1)))
model.add(keras.layers.Flatten())
model.add(keras.layers.Dropout(0.5))
model.add(keras.layers.Dense(10))
model.add(keras.layers.LeakyReLU(alpha=0.1))
model.add(keras.layers.Softmax())
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model.summary()
