"""Writes tests/data/keras_files/random_crop.tf2.out.npy: tf.keras 2.15's predict of tests/models/random_crop/model.py
on random_crop.in.npy (resize.in.npy's images). (tf.keras only: Keras 3.15's predict returns RandomCrop's input uncropped at inference, although the
layer's output shape is the crop's.)

    /tmp/tf/bin/python tests/models/random_crop.py
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data", "keras_files")
scope = {}
exec(open(os.path.join(here, "random_crop", "model.py")).read(), scope)
x = np.load(os.path.join(data, "resize.in.npy"))
np.save(os.path.join(data, "random_crop.in.npy"), x)
np.save(os.path.join(data, "random_crop.tf2.out.npy"), scope["model"].predict(x, verbose=0).astype(np.float32))
