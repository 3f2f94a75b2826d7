"""Makes the Keras-file fixtures of tests/data/keras_files/ with real Keras from the scripts in
tests/models/keras_files/ (Keras scripts that clinfer reads as well), and the summaries Keras 3 and tf.keras 2
print for examples/*.py (tests/golden/keras3/, tests/golden/tf2/). Run it under each Keras:

    python3 -m venv /tmp/k3 && /tmp/k3/bin/pip install keras jax h5py
    COLUMNS=200 KERAS_BACKEND=jax /tmp/k3/bin/python tests/models/keras_files.py keras3
    python3 -m venv /tmp/tf && /tmp/tf/bin/pip install 'tensorflow-cpu==2.15.*'
    COLUMNS=200 /tmp/tf/bin/python tests/models/keras_files.py tf2

(COLUMNS: Keras 3 narrows its table to the terminal; 200 gives its default widths, 88 and 108 columns.)
For each model NAME it writes, under Keras 3: NAME.keras, NAME.weights.h5 (save_weights), NAME.keras3.txt (the
summary of the loaded file), NAME.keras3.out.npy (predict); under tf.keras 2: NAME.h5 (the full model),
NAME.tf2.weights.h5 (save_weights), NAME.tf2.npz (the README's recipe), NAME.tf2.txt, NAME.tf2.out.npy; and
NAME.in.npy, the seeded input both predict on. Weights are random (biases and BatchNorm statistics too) from a seed.
"""
import io
import os
import sys
import types
import zlib

import numpy as np

flavor = sys.argv[1]
if flavor == "keras3":
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
elif flavor == "tf2":
    import tensorflow as tf
    import keras  # Keras 2.15, tf.keras
else:
    sys.exit("usage: keras_files.py keras3|tf2")

from keras import layers

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "..")
out_dir = os.path.join(root, "tests", "data", "keras_files")
os.makedirs(out_dir, exist_ok=True)


models_dir = os.path.join(here, "keras_files")
MODELS = sorted(fn[:-3] for fn in os.listdir(models_dir) if fn.endswith(".py"))
if len(sys.argv) > 2:  # only these (the others' files stay as they are)
    MODELS = [m for m in MODELS if m in sys.argv[2:]]


def build(name):
    """Runs tests/models/keras_files/NAME.py, a Keras script clinfer reads too, and returns its model."""
    scope = {}
    exec(open(os.path.join(models_dir, name + ".py")).read(), scope)
    return scope["model"]


def summary_text(model, line_length=None, **kw):
    buf = io.StringIO()
    if flavor == "keras3":
        # what model.summary() prints to a terminal: the rich console without print_fn
        import contextlib

        with contextlib.redirect_stdout(buf):
            model.summary(line_length=line_length, **kw)
        return buf.getvalue()
    model.summary(line_length=line_length, print_fn=lambda s, **k: buf.write(s + "\n"), **kw)
    return buf.getvalue()


def randomise(model, seed):
    rng = np.random.default_rng(seed)
    ws = []
    for w in model.weights:
        name = w.name if flavor == "tf2" else w.path
        shape = tuple(w.shape)
        if "variance" in name:
            ws.append(rng.uniform(0.5, 1.5, shape).astype(np.float32))
        elif name.endswith("count") or name.endswith("count:0"):
            ws.append(np.asarray(100, "int64" if flavor == "tf2" else "int32").reshape(shape))
        else:
            ws.append(rng.uniform(-0.5, 0.5, shape).astype(np.float32))
    model.set_weights(ws)


def inputs_of(model, seed):
    rng = np.random.default_rng(seed + 100)
    # scaled so that hard_sigmoid's inputs reach past both versions' knees
    return [4 * rng.standard_normal((2,) + tuple(i.shape[1:])).astype(np.float32) for i in model.inputs]


def save_outputs(path, ys):
    ys = ys if isinstance(ys, list) else [ys]
    if len(ys) == 1:
        np.save(path + ".out.npy", np.asarray(ys[0], np.float32))
    else:
        for k, y in enumerate(ys):
            np.save("%s.out%d.npy" % (path, k), np.asarray(y, np.float32))


for name in MODELS:
    seed = zlib.crc32(name.encode()) % 1000  # (a model's own: adding a model changes no other's weights)
    keras.backend.clear_session()
    model = build(name)
    randomise(model, seed)
    xs = inputs_of(model, seed)
    base = os.path.join(out_dir, name)
    for k, x in enumerate(xs):
        np.save(base + (".in.npy" if len(xs) == 1 else ".in%d.npy" % k), x)
    if flavor == "keras3":
        model.save(base + ".keras")
        model.save_weights(base + ".weights.h5")
        loaded = keras.models.load_model(base + ".keras")
        tag = "keras3"
    else:
        model.save(base + ".h5", save_format="h5")
        model.save_weights(base + ".tf2_weights.h5")  # .h5, not .weights.h5: the Keras 2 layout
        np.savez(base + ".tf2.npz", **{w.name: np.asarray(w.numpy(), np.float32) for w in model.weights})
        loaded = keras.models.load_model(base + ".h5", compile=False)
        tag = "tf2"
    with open(base + "." + tag + ".txt", "w") as f:
        f.write(summary_text(loaded))
    if any(hasattr(layer, "layers") for layer in model.layers):  # nested models: expanded too, from the script's model
        with open(base + "." + tag + ".x.txt", "w") as f:
            f.write(summary_text(model, expand_nested=True))
        with open(base + "." + tag + ".xt.txt", "w") as f:
            f.write(summary_text(model, expand_nested=True, show_trainable=True))
    save_outputs(base + "." + tag, loaded.predict(xs if len(xs) > 1 else xs[0], verbose=0))

# the examples' summaries as this Keras prints them
if flavor == "keras3":  # the examples import tensorflow.keras: Keras 3 stands in for it
    tf = types.ModuleType("tensorflow")
    tf.keras = keras
    sys.modules["tensorflow"] = tf
    sys.modules["tensorflow.keras"] = keras
gold = os.path.join(root, "tests", "golden", flavor)
os.makedirs(gold, exist_ok=True)
for fn in sorted(os.listdir(os.path.join(root, "examples"))):
    if not fn.endswith(".py"):
        continue
    keras.backend.clear_session()
    src = open(os.path.join(root, "examples", fn)).read().replace("model.summary()", "")
    scope = {}
    exec("from keras import layers\nfrom keras.models import Model\n" + src, scope)
    with open(os.path.join(gold, fn[:-3] + ".txt"), "w") as f:
        f.write(summary_text(scope["model"]))
    if fn == "branches.py":  # Keras' line_length, narrower and wider than its default
        for n in (70, 120):
            with open(os.path.join(gold, "branches.ll%d.txt" % n), "w") as f:
                f.write(summary_text(scope["model"], line_length=n))
