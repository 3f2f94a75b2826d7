"""Runs tests/models/conv1d.py under tf.keras 2 and keeps what clinfer's tests check it against
(tests/test_layers.c, one_d_layers_match_keras): the weights (random, biases included, saved by Keras' names),
an input, Keras' predict on it, and each layer's name, class, output shape and parameter count as Keras gives them.
    python3 -m venv /tmp/tf && /tmp/tf/bin/pip install 'tensorflow-cpu==2.15.*'
    /tmp/tf/bin/python tests/models/export_keras_1d.py
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "..", "data", "keras1d")
os.makedirs(out_dir, exist_ok=True)
scope = {}
exec(open(os.path.join(here, "conv1d.py")).read(), scope)
model = scope["model"]
rng = np.random.default_rng(1)
model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in model.get_weights()])
np.savez(os.path.join(out_dir, "weights.npz"), **{w.name: w.numpy() for w in model.weights})
x = rng.standard_normal((3, 50, 6)).astype(np.float32)
np.save(os.path.join(out_dir, "in.npy"), x)
np.save(os.path.join(out_dir, "out.npy"), model.predict(x, verbose=0).astype(np.float32))
with open(os.path.join(out_dir, "layers.txt"), "w") as f:
    for l in model.layers:
        shape = l.output_shape[0] if isinstance(l.output_shape, list) else l.output_shape
        f.write("%s %s %s %d\n" % (l.name, l.__class__.__name__, str(tuple(shape)).replace(" ", ""), l.count_params()))
