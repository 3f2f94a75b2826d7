# A ResNet builder: defs with default and keyword arguments returning tensors, f-string layer names, a projection
# shortcut chosen by x.shape[-1], enumerate over a tuple of (filters, stride) pairs unpacked in the for, range, a
# conditional expression, % and str.format for names.
import keras
from keras import layers


def conv_bn(x, filters, kernel_size, strides=1, name=None, activation="relu"):
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


def block(x, filters, stride=1, name=None):
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = conv_bn(x, filters, 1, strides=stride, name=f"{name}_proj", activation=None)
    x = conv_bn(x, filters, 3, strides=stride, name=f"{name}_1")
    x = conv_bn(x, filters, 3, name=f"{name}_2", activation=None)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def resnet(input_shape=(16, 16, 3), stages=((8, 1), (12, 2), (16, 2)), blocks_per_stage=2, classes=10):
    inputs = keras.Input(shape=input_shape, name="image")
    x = conv_bn(inputs, stages[0][0], 3, name="stem")
    for i, (filters, stride) in enumerate(stages):
        for j in range(blocks_per_stage):
            x = block(x, filters, stride=stride if j == 0 else 1, name="stage%d_block%d" % (i + 1, j + 1))
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="resnet_{}x{}".format(len(stages), blocks_per_stage))


model = resnet()
