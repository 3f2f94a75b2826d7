# The seed model with the layer names of the original question (a Keras session in which
# earlier models had already used conv2d_1..3, max_pooling2d_1..3 and input_1).
from tensorflow.keras import layers
from tensorflow.keras import Model

image_input = layers.Input(shape=(150, 150, 3), name='input_2')
x = layers.Conv2D(16, 3, activation='relu', name='conv2d_4')(image_input)

x = layers.MaxPooling2D(2, name='max_pooling2d_4')(x)
x = layers.Conv2D(32, 3, activation='relu', name='conv2d_5')(x)

x = layers.MaxPooling2D(2, name='max_pooling2d_5')(x)
x = layers.Conv2D(64, 3, activation='relu', name='conv2d_6')(x)

x = layers.MaxPooling2D(2, name='max_pooling2d_6')(x)
x = layers.Flatten(name='flatten_1')(x)
x = layers.Dense(512, activation='relu', name='dense_1')(x)
output = layers.Dense(1, activation='sigmoid', name='dense_2')(x)

model = Model(image_input, output)
model.summary()
