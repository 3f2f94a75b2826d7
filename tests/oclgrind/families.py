# Every layer kind a GPU-shaped family runs, small enough for a simulator: a conv with a fused max pool, a depthwise
# conv, a grouped strided conv, an average pool, a dense layer with softmax (scripts/test-oclgrind runs it under Oclgrind).
x = layers.Input(shape=(10, 9, 3))
z = layers.Conv2D(8, 3, padding='same', activation='relu')(x)
z = layers.MaxPooling2D()(z)
z = layers.DepthwiseConv2D(3, padding='same')(z)
z = layers.Conv2D(6, 3, strides=2, groups=2)(z)
z = layers.AveragePooling2D(padding='same')(z)
z = layers.Flatten()(z)
y = layers.Dense(5, activation='softmax')(z)
model = Model(x, y)
