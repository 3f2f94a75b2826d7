"""The Python package against the library and the command line: summaries, layers, sessions on ref and PoCL,
compare, devices, and errors. Run from the repository root (scripts/test-python does)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import clinfer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = os.path.join(ROOT, "examples", "seed.py")
BIN = os.path.join(ROOT, "build", "clinfer")


def test_summary_is_the_commands():
    m = clinfer.load(SEED)
    cli = subprocess.run([BIN, "summary", SEED], capture_output=True, text=True, check=True).stdout
    assert m.summary() == cli
    assert "Total params: 9,494,561" in m.summary()
    assert "params = (K·K·Cin + 1)·Cout = (3·3·3 + 1)·16 = 448" in m.summary(explain=True)
    doc = m.summary(format="json", batch=4)
    assert doc["batch"] == 4


def test_summary_styles_and_model_files():
    """--style's tables from Python, and a .keras / .h5 file's own, as real Keras printed them"""
    data = os.path.join(ROOT, "tests", "data", "keras_files")
    for style in ("keras3", "tf2"):
        want = open(os.path.join(ROOT, "tests", "golden", style, "seed.txt")).read()
        assert clinfer.load(SEED, style=style).summary() == want
        assert clinfer.load(SEED).summary(style=style) != want  # a script's names follow the style it was read as
    for ext, style in ((".keras", "keras3"), (".h5", "tf2")):
        m = clinfer.load(os.path.join(data, "cnn" + ext))
        assert m.summary() == open(os.path.join(data, "cnn." + style + ".txt")).read()
        x = np.load(os.path.join(data, "cnn.in.npy"))
        y = m.session(device="ref", batch=x.shape[0]).run(x)
        np.testing.assert_allclose(y, np.load(os.path.join(data, "cnn." + style + ".out.npy")), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError):
        clinfer.load(SEED, style="keras4")
    with pytest.raises(ValueError):
        clinfer.load(SEED).summary(style="tf3")


def test_summary_arguments():
    """show_trainable and layer_range, as Keras prints them (tests/golden/*/args/, made by tests/models/summary_args.py)"""
    m = clinfer.load(os.path.join(ROOT, "tests", "models", "summary_args", "frozen.py"))
    gold = os.path.join(ROOT, "tests", "golden")
    assert m.summary(style="keras3", show_trainable=True) == open(os.path.join(gold, "keras3", "args", "frozen.trainable.txt")).read()
    assert m.summary(style="tf2", layer_range=("stem_bn", "join")) == open(os.path.join(gold, "tf2", "args", "frozen.range.txt")).read()
    with pytest.raises(clinfer.Error):
        m.summary(style="tf2", layer_range=("nothing", "join"))
    assert m.summary(style="tf2", positions=[0.4, 0.65, 0.75, 1.0]) == open(os.path.join(gold, "tf2", "args", "frozen.positions.txt")).read()
    with pytest.raises(ValueError):
        m.summary(layer_range=("one",))


def test_nested_models():
    """a shared tower and expand_nested, as tf.keras prints them (tests/data/keras_files/siamese.tf2.x.txt)"""
    data = os.path.join(ROOT, "tests", "data", "keras_files")
    m = clinfer.load(os.path.join(ROOT, "tests", "models", "keras_files", "siamese.py"), style="tf2")
    assert m.summary(expand_nested=True) == open(os.path.join(data, "siamese.tf2.x.txt")).read()
    with pytest.raises(clinfer.Error):
        m.summary(style="keras2", expand_nested=True)
    s = m.session(device="ref", batch=2, weights=os.path.join(data, "siamese.tf2.npz"))
    y = s.run([np.load(os.path.join(data, "siamese.in%d.npy" % k)) for k in range(2)])
    y = y[0] if isinstance(y, list) else y
    np.testing.assert_allclose(y, np.load(os.path.join(data, "siamese.tf2.out.npy")), rtol=1e-4, atol=1e-5)


def test_layers():
    layers = clinfer.load(SEED).layers
    assert layers[1] == {"name": "conv2d_1", "type": "Conv2D", "shape": (None, 148, 148, 16), "params": 448,
                         "non_trainable": 0, "macs": 9462528}
    assert sum(L["params"] for L in layers) == 9494561


@pytest.mark.parametrize("device", ["ref", "opencl"])
def test_run_matches_the_command(tmp_path, device):
    m = clinfer.load(SEED)
    x = np.random.default_rng(3).random((3, 150, 150, 3), dtype=np.float32)
    s = m.session(device=device, batch=3)
    assert s.input_shapes == [(3, 150, 150, 3)] and s.output_shapes == [(3, 1)]
    y = s.run(x)
    np.save(tmp_path / "x.npy", x)
    subprocess.run([BIN, "run", SEED, "-i", str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy"), "--device", device],
                   check=True)
    np.testing.assert_allclose(y, np.load(tmp_path / "y.npy"), rtol=1e-6, atol=1e-7)
    assert device.split(":")[0] in s.device


def test_run_takes_any_number_of_images():
    """a session of batch 2 runs 7 images (in passes of its sub-batch), as a session of batch 7 does: map_batches
    hands a worker batches of any size"""
    m = clinfer.load(SEED)
    x = np.random.default_rng(4).random((7, 150, 150, 3), dtype=np.float32)
    want = m.session(device="opencl", batch=7).run(x)
    s = m.session(device="opencl", batch=2)
    np.testing.assert_allclose(s.run(x), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s.run(x[2:5]), want[2:5], rtol=1e-5, atol=1e-6)
    assert s.run(x[:0]).shape == (0, 1)
    with pytest.raises(ValueError):
        s.run(x[:, :100])


def test_several_devices():
    """two PoCL devices (POCL_DEVICES lists the driver twice, before the process starts OpenCL): each runs a share"""
    code = ("import clinfer, numpy as np\n"
            "m = clinfer.load(%r)\n"
            "x = np.random.default_rng(5).random((9, 150, 150, 3), dtype=np.float32)\n"
            "s = m.session(device='opencl:0,opencl:1', batch=9)\n"
            "y = s.run(x)\n"
            "one = m.session(device='opencl:0', batch=9).run(x)\n"
            "np.testing.assert_allclose(y, one, rtol=1e-5, atol=1e-6)\n"
            "print(s.devices, s.device_images())\n" % SEED)
    env = dict(os.environ, POCL_DEVICES="pthread pthread")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    devices, shares = out.stdout.split(" ", 1)
    shares = json.loads(shares)
    assert devices == "2" and sum(shares) == 9 and min(shares) > 0, out.stdout


def test_compare_and_devices():
    r = clinfer.compare(SEED, batch=2)
    assert r["verdict"] == "pass" and r["first_failure"] is None
    assert [L["name"] for L in r["layers"]][:2] == ["input_1", "conv2d_1"]
    r = clinfer.compare(SEED, batch=1, init="random", rtol=0, atol=0)
    assert r["verdict"] != "pass" and r["first_failure"] == "conv2d_1"
    names = [d["name"] for d in clinfer.devices()]
    assert names[0] == "ref" and "opencl:0" in names


def test_errors_raise_with_the_librarys_message(tmp_path):
    with pytest.raises(clinfer.Error) as e:
        clinfer.load(str(tmp_path / "missing.py"))
    assert "cannot open the model: No such file or directory" in str(e.value)
    assert e.value.status == "CLINFER_E_IO"
    m = clinfer.load(SEED)
    with pytest.raises(clinfer.Error) as e:
        m.session(device="cuda")
    assert "unknown device 'cuda'" in str(e.value)
    s = m.session(device="ref", batch=2)
    with pytest.raises(ValueError):
        s.run(np.zeros((3, 150, 150, 4), np.float32))  # (any number of images, but of the input's shape)
    with pytest.raises(ValueError):
        m.session(tune="fastest")
    assert clinfer.version() == clinfer.__version__
