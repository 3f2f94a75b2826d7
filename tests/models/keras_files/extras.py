# The layers Keras Applications and preprocessing use besides convolutions: Rescaling, Normalization (its statistics
# stored), the noise layers (identities at inference), Permute and Cropping2D.
import keras
from keras import layers

inp = keras.Input(shape=(12, 10, 3))
x = layers.Rescaling(1.0 / 127.5, offset=-1.0)(inp)
x = layers.Normalization(axis=-1)(x)
x = layers.GaussianNoise(0.3)(x)
x = layers.Conv2D(6, 3, padding="same")(x)
x = layers.SpatialDropout2D(0.2)(x)
x = layers.GaussianDropout(0.1)(x)
x = layers.Cropping2D(((1, 2), (0, 3)))(x)
x = layers.Permute((2, 1, 3))(x)
x = layers.Conv2D(4, 3)(x)
x = layers.Flatten()(x)
x = layers.Dense(5)(x)
model = keras.Model(inp, x)
