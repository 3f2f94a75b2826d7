# Dense layers for the CPU-shaped dense families under Oclgrind (scripts/test-oclgrind): the split-K GEMV at one row
# (chunks of the inputs, the runs of its streams, units past whole vectors of 16: 40, 19 and 7) and the tiled kernel.
x = layers.Input(shape=(300,))
y = layers.Dense(40)(x)
y = layers.Dense(19, activation='relu')(y)
y = layers.Dense(7)(y)
model = Model(x, y)
