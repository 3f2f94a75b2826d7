"""The command line as scripts use it: every subcommand's --help (exit 0, on standard output) and --format json
(parsed), compare's JUnit report (parsed as XML), and its exit codes. Run from the repository root."""
import json
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build", "clinfer")
SEED = os.path.join(ROOT, "examples", "seed.py")
COMMANDS = ["summary", "run", "compare", "bench", "profile", "devices"]


def clinfer(*args, check=True):
    return subprocess.run([BIN, *args], capture_output=True, text=True, cwd=ROOT, check=check)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help(cmd):
    for args in ([cmd, "--help"], ["help", cmd]):
        r = clinfer(*args)
        assert r.stdout.startswith("usage: clinfer %s" % cmd) and r.stderr == ""
    assert clinfer("--version").stdout.startswith("clinfer ")


@pytest.mark.parametrize("args", [
    ["summary", SEED, "--format", "json"],
    ["summary", SEED, "--format=json", "--explain", "--batch=2"],
    ["compare", SEED, "--format", "json"],
    ["bench", SEED, "--iters", "2", "--format", "json"],
    ["profile", SEED, "--format", "json"],
    ["devices", "--format", "json"],
])
def test_json(args):
    doc = json.loads(clinfer(*args).stdout)
    assert isinstance(doc, dict) and doc


def test_gpu_shaped_kernels_in_profile_and_bench():
    """--algo gpu: every conv and dense layer of the seed model in work-groups of 64 or more, as profile shows them;
    bench's on-device speed beside its end-to-end one"""
    doc = json.loads(clinfer("profile", SEED, "--algo", "gpu", "--batch", "2", "--format", "json").stdout)
    shaped = [l for l in doc["layers"] if l["type"] in ("Conv2D", "Dense")]
    assert len(shaped) == 5  # (three convs, two dense layers)
    for l in shaped:
        assert l["family"].startswith(("gpu ", "gemv ")), l
        assert l["local"][0] * l["local"][1] * l["local"][2] >= 64 and all(g % k == 0 for g, k in zip(l["global"], l["local"])), l
    doc = json.loads(clinfer("bench", SEED, "--iters", "2", "--format", "json").stdout)
    assert doc["device_images_per_second"] > 0 and doc["device_ms_per_batch"] > 0


def test_run_json(tmp_path):
    doc = json.loads(clinfer("run", SEED, "--batch", "2", "-o", str(tmp_path / "y.npy"), "--format", "json").stdout)
    assert doc["outputs"][0]["shape"] == [2, 1] and doc["batch"] == 2


def test_compare_junit_and_exit_codes(tmp_path):
    report = tmp_path / "c.xml"
    r = clinfer("compare", SEED, "--junit", str(report))
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite.get("tests") == "10" and suite.get("failures") == "0"
    assert [c.get("name") for c in suite.findall("testcase")][1] == "conv2d_1 (Conv2D)"
    r = clinfer("compare", SEED, "--init", "random", "--rtol", "0", "--atol", "0", "--junit", str(report), check=False)
    assert r.returncode == 1
    suite = ET.parse(report).getroot().find("testsuite")
    assert int(suite.get("failures")) > 0 and suite.find("testcase/failure") is not None
    assert clinfer("compare", SEED, "--device", "opencl:nosuch", check=False).returncode == 3
    assert clinfer("compare", SEED, "--bogus", check=False).returncode == 2


def test_writes_are_checked():
    with open("/dev/full", "w") as full:
        r = subprocess.run([BIN, "summary", SEED], stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert r.returncode == 1 and "No space left on device" in r.stderr


def test_options_as_users_spell_them(tmp_path):
    out = tmp_path / "y.npy"
    assert clinfer("run", "--device=ref", "--batch=2", "-o", str(out), "--", SEED).returncode == 0
    r = clinfer("run", SEED, "--devcie", "ref", "-o", str(out), check=False)
    assert r.returncode == 2 and "did you mean --device?" in r.stderr
    r = clinfer("sumary", SEED, check=False)
    assert r.returncode == 2 and "did you mean 'summary'?" in r.stderr
    r = subprocess.run([BIN, "run", SEED, "--device", "ref", "--batch", "1", "-qo", "-"], capture_output=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.startswith(b"\x93NUMPY")  # -q and -o bundled
