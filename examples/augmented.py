# Keras' image-classification tutorial: a Sequential of augmentation layers (random in training, the identity when the
# model predicts) used as the first layer of a functional model, then Rescaling and convolution blocks.
import keras
from keras import layers

data_augmentation = keras.Sequential(
    [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.1)],
    name="data_augmentation",
)

inputs = keras.Input(shape=(64, 64, 3))
x = data_augmentation(inputs)
x = layers.Rescaling(1.0 / 255)(x)
for filters in [16, 32, 64]:
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D()(x)
x = layers.Dropout(0.2)(x)
x = layers.Flatten()(x)
x = layers.Dense(128, activation="relu")(x)
outputs = layers.Dense(5, name="outputs")(x)
model = keras.Model(inputs, outputs)
model.summary()
