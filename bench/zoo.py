"""Real networks: clinfer beside ONNX Runtime and PyTorch on torchvision's classification models (bench/zoo calls this).

For each model (random weights, exported by tests/models/export_torchvision.py at ZOO_SIZE, default 224):
  - the first run from empty caches (a new XDG_CACHE_HOME, clinfer's program cache and tuning database, and a new
    POCL_CACHE_DIR): `clinfer bench --batch 1 --tune none --iters 1`, its ready_ms + first_run_ms (start of the command
    to the first batch's outputs); then batch 8 in the same caches (a new batch size), and batch 8 once more (warm),
    so that what the new batch costs is the difference;
  - `clinfer bench --batch 1 --tune fast` from empty caches: the command's wall time and its tuning time (ZOO_TUNE_FAST=0
    skips it);
  - images/s at batch 1 and 8: clinfer (`bench --tune $ZOO_TUNE`, default none: the rule of thumb; with fast, tuned in
    a warm-up call first), ONNX Runtime (2 intra-op
    threads) and PyTorch (Debian's, 2 threads, channels_last), in alternating rounds; each figure the median of the
    rounds.
Prints one table; writes bench/results/zoo-*.json.
    bench/.venv/bin/python bench/zoo.py BUILD_DIR ZOO_DIR
"""
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort
import torch
import torchvision.models as M
from measure import timed  # (bench/, the script's folder)

build, zoo = sys.argv[1], sys.argv[2]
clinfer = os.path.join(build, "clinfer")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TUNE = os.environ.get("ZOO_TUNE", "none")
TUNE_FAST = os.environ.get("ZOO_TUNE_FAST", "1") != "0"  # 0: skip the --tune fast from empty caches
BATCHES = [int(b) for b in os.environ.get("BENCH_BATCHES", "1,8").split(",")]
MODELS = os.environ.get("ZOO_MODELS", "resnet18 resnet50 mobilenet_v2 mobilenet_v3_small squeezenet1_1 "
                        "shufflenet_v2_x1_0 densenet121 googlenet efficientnet_b0 regnet_x_400mf alexnet "
                        "vgg11_bn").split()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bench(path, batch, tune, env, iters=None):
    """clinfer bench --json, with the command's wall time in ms"""
    cmd = [clinfer, "bench", path, "--batch", str(batch), "--tune", tune, "--json"]
    if iters:
        cmd += ["--iters", str(iters)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = (time.perf_counter() - t0) * 1e3
    if out.returncode:
        print("clinfer bench failed:", out.stderr.strip(), file=sys.stderr)
        return None
    j = json.loads(out.stdout)
    j["wall_ms"] = wall
    return j


def fresh_env():
    d = tempfile.mkdtemp(prefix="clinfer-zoo-")
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(d, "xdg"), POCL_CACHE_DIR=os.path.join(d, "pocl"))
    return d, env


def run_ort(s, x):
    name = s.get_inputs()[0].name
    return x.shape[0] * 1000.0 / timed(lambda: s.run(None, {name: x}))


def run_torch(m, x):
    with torch.no_grad():
        try:
            xc, mc = x.contiguous(memory_format=torch.channels_last), m.to(memory_format=torch.channels_last)
            mc(xc)
        except RuntimeError:
            xc, mc = x, m.to(memory_format=torch.contiguous_format)
        return x.shape[0] * 1000.0 / timed(lambda: mc(xc))


stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M%S")
out = os.path.join(root, "bench", "results", "zoo-%s.json" % stamp)


def save():
    """the results so far, written whole (after each model, so that a stopped run keeps what it measured)"""
    with open(out + ".part", "w") as f:
        json.dump({"date": stamp, "machine": platform.node(), "rounds": ROUNDS, "clinfer_tune": TUNE,
                   "ort": ort.__version__, "torch": torch.__version__, "models": rows}, f, indent=1)
    os.replace(out + ".part", out)


torch.set_num_threads(2)
speed_dir, speed_env = fresh_env()  # the caches the speed rounds share (tuned once per model and batch class)
rows = []
for name in MODELS:
    path = os.path.join(zoo, name + ".onnx")
    shape = tuple(np.load(os.path.join(zoo, name + "_in.npy"), mmap_mode="r").shape[1:])
    row = {"model": name, "input": list(shape)}
    # first runs: empty caches at batch 1, then a new batch size, then that batch warm
    d, env = fresh_env()
    cold, newb, warm = (bench(path, b, "none", env, iters=1) for b in (1, 8, 8))
    shutil.rmtree(d, ignore_errors=True)
    first = lambda j: j and j["ready_ms"] + j["first_run_ms"]
    row.update(first_run_ms=first(cold), new_batch_ms=first(newb), warm_batch_ms=first(warm),
               new_batch_extra_ms=first(newb) - first(warm) if newb and warm else None)
    # --tune fast from empty caches
    t = None
    if TUNE_FAST:
        d, env = fresh_env()
        t = bench(path, 1, "fast", env, iters=1)
        shutil.rmtree(d, ignore_errors=True)
    row.update(tune_fast_wall_ms=t and t["wall_ms"], tune_fast_ms=t and t["tune_ms"], tune_left=t and t["tune_left"])
    print("%-20s first run %6.1f s, new batch %5.1f s (warm %4.1f s), --tune fast %5.1f s (tuning %5.1f s, %s left)" %
          (name, (row["first_run_ms"] or 0) / 1e3, (row["new_batch_ms"] or 0) / 1e3, (row["warm_batch_ms"] or 0) / 1e3,
           (row["tune_fast_wall_ms"] or 0) / 1e3, (row["tune_fast_ms"] or 0) / 1e3, row["tune_left"]), file=sys.stderr)
    # speed, alternated
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = 2, 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    torch.manual_seed(0)
    extra = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
    model = getattr(M, name)(weights=None, **extra).eval()
    row["speed"] = {}
    for batch in BATCHES:
        if TUNE != "none":
            bench(path, batch, TUNE, speed_env, iters=1)  # (tunes this batch class once)
        res = {"clinfer": [], "ort_2t": [], "torch_2t": []}
        x = np.random.rand(batch, *shape).astype(np.float32)
        for r in range(ROUNDS):
            c = bench(path, batch, TUNE, speed_env)
            if c:
                res["clinfer"].append(c["images_per_second"])
            res["ort_2t"].append(run_ort(sess, x))
            res["torch_2t"].append(run_torch(model, torch.from_numpy(x)))
        med = {k: statistics.median(v) if v else None for k, v in res.items()}
        med["x_ort"] = med["clinfer"] / med["ort_2t"] if med["clinfer"] else None
        med["x_torch"] = med["clinfer"] / med["torch_2t"] if med["clinfer"] else None
        row["speed"][str(batch)] = med
        print("%-20s b%-2d clinfer %7.1f  ORT %7.1f  torch %7.1f img/s  (%.2fx ORT)" %
              (name, batch, med["clinfer"] or 0, med["ort_2t"], med["torch_2t"], med["x_ort"] or 0), file=sys.stderr)
    rows.append(row)
    save()
shutil.rmtree(speed_dir, ignore_errors=True)

print("\nMachine: %s, %d CPUs; clinfer on PoCL (--tune %s), ONNX Runtime %s and PyTorch %s with 2 threads; inputs %s; "
      "images/s, the median of %d alternating rounds." %
      (platform.processor() or platform.machine(), os.cpu_count(), TUNE, ort.__version__, torch.__version__,
       "x".join(str(v) for v in rows[0]["input"][1:]) if rows else "-", ROUNDS))
print("First run: from empty caches to batch 1's outputs; new batch: batch 8 next, in those caches (warm: again); "
      "tune: `bench --tune fast` from empty caches, the whole command.\n")
hdr = "%-20s" % "model"
for b in BATCHES:
    hdr += " %9s %9s %9s %6s" % ("b%d clinf" % b, "ORT", "torch", "x ORT")
hdr += " %8s %8s %8s" % ("first s", "newb s", "tune s")
print(hdr)
print("-" * len(hdr))
for r in rows:
    line = "%-20s" % r["model"]
    for b in BATCHES:
        s = r["speed"][str(b)]
        line += " %9.1f %9.1f %9.1f %5.2fx" % (s["clinfer"] or 0, s["ort_2t"], s["torch_2t"], s["x_ort"] or 0)
    line += " %8.1f %8.1f %8.1f" % ((r["first_run_ms"] or 0) / 1e3, (r["new_batch_ms"] or 0) / 1e3,
                                    (r["tune_fast_wall_ms"] or 0) / 1e3)
    print(line)
print("\nwritten:", out)
