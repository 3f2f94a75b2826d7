# The two layers whose meaning clinfer had wrong, each on its own output: a 'same' Conv2DTranspose with
# output_padding (TF's leading pad), and hard_sigmoid (Keras 3: relu6(x + 3) / 6; Keras 2: clip(0.2x + 0.5, 0, 1)).
import keras
from keras import layers

inp = keras.Input(shape=(5, 5, 3))
t = layers.Conv2DTranspose(4, 3, strides=2, padding="same", output_padding=1, name="deconv")(inp)
f = layers.Flatten()(inp)
h = layers.Dense(6, activation="hard_sigmoid", name="hsig")(f)
model = keras.Model(inp, [t, h])
