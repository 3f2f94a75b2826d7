# A small residual block with a concatenation: a graph with branches, so Keras prints the
# 98-column layout with its "Connected to" column.
from keras.layers import Input, Conv2D, Add, Concatenate, GlobalAveragePooling2D, Dense
from keras.models import Model

inputs = Input(shape=(32, 32, 3))
x = Conv2D(16, 3, padding='same', activation='relu')(inputs)
a = Conv2D(16, 3, padding='same')(x)
b = Conv2D(16, 1)(x)
y = Add()([a, b])
c = Concatenate()([y, x])
out = GlobalAveragePooling2D()(c)
out = Dense(10, activation='softmax')(out)
model = Model(inputs=inputs, outputs=out)
model.summary()
