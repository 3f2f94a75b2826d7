# A small model whose weights tests/data/gen_fixtures.py saves the way Keras users save them.
x = layers.Input(shape=(4, 4, 2))
y = layers.Conv2D(3, 3, padding='same', activation='relu', name='conv')(x)
y = layers.Flatten()(y)
y = layers.Dense(2, activation='sigmoid', name='fc')(y)
model = Model(x, y)
