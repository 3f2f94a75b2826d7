"""Writes the summaries Keras prints with show_trainable and layer_range for tests/models/summary_args/*.py into
tests/golden/{keras3,tf2}/args/ (tests/test_keras_files.c, summary_arguments_are_keras_own). Run under each Keras:

    COLUMNS=200 KERAS_BACKEND=jax /tmp/k3/bin/python tests/models/summary_args.py keras3
    COLUMNS=200 /tmp/tf/bin/python tests/models/summary_args.py tf2
"""
import contextlib
import io
import os
import sys

flavor = sys.argv[1]
if flavor == "keras3":
    os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "golden", flavor, "args")
os.makedirs(out, exist_ok=True)

# (case, summary's keyword arguments): the same table is in tests/test_keras_files.c
CASES = {
    "frozen": [
        ("trainable", dict(show_trainable=True)),
        ("range", dict(layer_range=["stem_bn", "join"])),
        ("range_regex", dict(layer_range=["branch_.*", "p"])),
        ("both_ll120", dict(show_trainable=True, layer_range=["image", "branch_a"], line_length=120)),
        ("positions", dict(positions=[0.4, 0.65, 0.75, 1.0])),
        ("positions_trainable", dict(positions=[0.35, 0.6, 0.7, 1.0], show_trainable=True)),
    ],
    "frozen_seq": [
        ("trainable", dict(show_trainable=True)),
        ("range", dict(layer_range=["drop", "d3"])),
        ("range_reversed", dict(layer_range=["d3", "d1"])),
        ("positions", dict(positions=[0.5, 0.8, 1.0])),
        ("positions_columns", dict(positions=[30, 50, 60]), "tf2"),  # (columns: tf.keras' only)
    ],
}

for name, cases in CASES.items():
    keras.backend.clear_session()
    scope = {}
    exec(open(os.path.join(here, "summary_args", name + ".py")).read(), scope)
    model = scope["model"]
    for case, kw, *only in cases:
        if only and only[0] != flavor:
            continue
        buf = io.StringIO()
        if flavor == "keras3":
            with contextlib.redirect_stdout(buf):
                model.summary(**kw)
        else:
            model.summary(print_fn=lambda s, **k: buf.write(s + "\n"), **kw)
        with open(os.path.join(out, "%s.%s.txt" % (name, case)), "w") as f:
            f.write(buf.getvalue())
