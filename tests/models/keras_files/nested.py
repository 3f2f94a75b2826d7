# Models used as layers: a Sequential of augmentation layers (the identity at inference) called on the input, a
# frozen functional feature extractor (trainable = False: its weights are non-trainable), and a classifier head that
# is a Sequential too.
import keras
from keras import layers

augment = keras.Sequential(
    [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.1)], name="augment"
)


def feature_extractor(shape):
    inp = keras.Input(shape=shape, name="image")
    x = layers.Conv2D(8, 3, padding="same", name="fe_conv")(inp)
    x = layers.BatchNormalization(name="fe_bn")(x)
    x = layers.ReLU(name="fe_relu")(x)
    x = layers.MaxPooling2D(name="fe_pool")(x)
    return keras.Model(inp, x, name="features")


base = feature_extractor((16, 16, 3))
base.trainable = False
head = keras.Sequential([layers.GlobalAveragePooling2D(), layers.Dense(3, activation="softmax")], name="head")

inputs = keras.Input(shape=(16, 16, 3))
x = augment(inputs)
x = layers.Rescaling(1.0 / 255)(x)
x = base(x)
outputs = head(x)
model = keras.Model(inputs, outputs)
