# A model with a layer that does not exist: clinfer must name the file, line and column.
x = layers.Input(shape=(28, 28, 1))
y = layers.Conv5D(8, 3)(x)
model = Model(x, y)
