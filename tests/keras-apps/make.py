"""Builds the eight Keras Applications models of the model-files issue with real Keras (weights=None, a fixed seed,
BatchNormalization statistics randomised), saves each as its Keras saves it, and keeps what Keras prints and predicts,
for tests/keras-apps/check (too big to commit: they go to a directory of their own, /tmp/clinfer-keras-apps unless
CLINFER_KERAS_APPS says otherwise):

    COLUMNS=200 KERAS_BACKEND=jax /tmp/k3/bin/python tests/keras-apps/make.py keras3
    COLUMNS=200 /tmp/tf/bin/python tests/keras-apps/make.py tf2

Inputs are 96x96 (75x75 is InceptionV3's least, 71x71 Xception's) and 10 classes, so that the files stay tens of
megabytes; NAME.keras (Keras 3) or NAME.h5 (tf.keras 2), NAME.FLAVOR.txt (the summary), NAME.in.npy, NAME.FLAVOR.out.npy.
"""
import contextlib
import io
import os
import sys

import numpy as np

flavor = sys.argv[1]
if flavor == "keras3":
    os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

out = os.environ.get("CLINFER_KERAS_APPS", "/tmp/clinfer-keras-apps")
os.makedirs(out, exist_ok=True)
A = keras.applications
APPS = {
    "MobileNetV2": A.MobileNetV2, "ResNet50": A.ResNet50, "EfficientNetB0": A.EfficientNetB0, "VGG16": A.VGG16,
    "DenseNet121": A.DenseNet121, "InceptionV3": A.InceptionV3, "Xception": A.Xception,
    "MobileNetV3Small": A.MobileNetV3Small,
}
only = sys.argv[2:]
for seed, (name, make) in enumerate(APPS.items()):
    if only and name not in only:
        continue
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = make(weights=None, input_shape=(96, 96, 3), classes=10)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            ws = layer.get_weights()
            k = len(ws)
            ws[k - 2] = rng.uniform(-0.2, 0.2, ws[k - 2].shape).astype(np.float32)  # moving mean
            ws[k - 1] = rng.uniform(0.5, 1.5, ws[k - 1].shape).astype(np.float32)   # moving variance
            layer.set_weights(ws)
    base = os.path.join(out, name)
    path = base + (".keras" if flavor == "keras3" else ".h5")
    model.save(path)
    loaded = keras.models.load_model(path, compile=False)
    buf = io.StringIO()
    if flavor == "keras3":
        with contextlib.redirect_stdout(buf):
            loaded.summary()
    else:
        loaded.summary(print_fn=lambda s, **kw: buf.write(s + "\n"))
    with open(base + "." + flavor + ".txt", "w") as f:
        f.write(buf.getvalue())
    x = np.random.default_rng(100 + seed).uniform(0, 255, (2, 96, 96, 3)).astype(np.float32)
    np.save(base + ".in.npy", x)
    np.save(base + "." + flavor + ".out.npy", np.asarray(loaded.predict(x, verbose=0), np.float32))
    print(name, "saved", path, os.path.getsize(path) // 1024, "KiB")
