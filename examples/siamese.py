# A Siamese network as Keras' examples build one: one embedding model, made by a function, called on both images of
# a pair, so both branches share its weights; the summary shows it once, with both calls under "Connected to".
import keras
from keras import layers


def embedding_model(input_shape):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for filters in [16, 32]:
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(32)(x)
    return keras.Model(inputs, outputs, name="embedding")


embedding = embedding_model((28, 28, 1))
first = keras.Input(shape=(28, 28, 1), name="first")
second = keras.Input(shape=(28, 28, 1), name="second")
difference = layers.subtract([embedding(first), embedding(second)])
score = layers.Dense(1, activation="sigmoid", name="similar")(difference)
model = keras.Model(inputs=[first, second], outputs=score, name="siamese")
model.summary()
