"""Makes the .npy/.npz fixtures of the tests with NumPy itself (run once; the files are committed).

The expected output of tests/models/small.py is computed here with NumPy, independently of clinfer:
Conv2D 3x3 'same' + ReLU, Flatten (NHWC, row-major), Dense + sigmoid.
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy && /tmp/venv/bin/python tests/data/gen_fixtures.py
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2026)
w = {
    "conv/kernel:0": rng.uniform(-0.5, 0.5, (3, 3, 2, 3)).astype(np.float32),
    "conv/bias:0": rng.uniform(-0.2, 0.2, (3,)).astype(np.float32),
    "fc/kernel:0": rng.uniform(-0.5, 0.5, (48, 2)).astype(np.float32),
    "fc/bias:0": rng.uniform(-0.2, 0.2, (2,)).astype(np.float32),
}
x = rng.uniform(0, 1, (2, 4, 4, 2)).astype(np.float32)

xp = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
conv = np.zeros((2, 4, 4, 3))
for ky in range(3):
    for kx in range(3):
        conv += np.einsum("nhwc,co->nhwo", xp[:, ky:ky + 4, kx:kx + 4, :], w["conv/kernel:0"][ky, kx])
conv = np.maximum(conv + w["conv/bias:0"], 0)
fc = conv.reshape(2, -1) @ w["fc/kernel:0"] + w["fc/bias:0"]
y = (1 / (1 + np.exp(-fc))).astype(np.float32)


def path(name):
    return os.path.join(here, name)


np.savez(path("small.npz"), **w)
np.savez_compressed(path("small_compressed.npz"), **w)
np.save(path("small_in.npy"), x)
np.save(path("small_out.npy"), y)
np.savez(path("small_missing.npz"), **{k: v for k, v in w.items() if k != "fc/bias:0"})
np.savez(path("small_extra.npz"), **w, **{"dense_9/kernel:0": np.zeros((2, 2), np.float32)})
np.savez(path("small_badshape.npz"), **{**w, "fc/kernel:0": np.zeros((47, 2), np.float32)})
np.savez(path("small_f64.npz"), **{**w, "conv/bias:0": w["conv/bias:0"].astype(np.float64)})
np.save(path("in_f64.npy"), x.astype(np.float64))
np.save(path("in_fortran.npy"), np.asfortranarray(x))
np.save(path("in_noba.npy"), x[0])
