"""clinfer beside PyTorch and ONNX Runtime on the same machine, in one run (bench/run calls this).

For the seed model and the PyTorch-exported architectures, at batch 1 and 32: clinfer (`clinfer bench --json`, on
the OpenCL device), PyTorch on the CPU (channels_last, 1 and 2 threads) and ONNX Runtime on the CPU, in
alternating rounds; each figure is the median of the rounds' medians. Prints one table (images/s, clinfer's ratio
to each peer, % of the machine's FP32 peak), the seed model's conv and dense layers and Dense 18496->512 alone from
`clinfer profile` against the peak and the read bandwidth, that layer against the stream at the same moments
(bench/dense_stream), and the warm start, and writes it all as JSON to bench/results/.
    bench/.venv/bin/python bench/suite.py BUILD_DIR PEAK_JSON
"""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
import onnxruntime as ort
import torch  # before tests/models joins the path: its torch/ folder of .onnx files is no package
from measure import timed  # (bench/, the script's folder)

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "tests", "models"))
from torch_models import ARCHITECTURES, SeedNet  # noqa: E402

build, peak_file = sys.argv[1], sys.argv[2]
clinfer = os.path.join(build, "clinfer")
peak = json.load(open(peak_file))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BATCHES = [int(b) for b in os.environ.get("BENCH_BATCHES", "1,32").split(",")]
work = os.path.join(build, "bench-work")
os.makedirs(work, exist_ok=True)


# the models: examples/seed.py (PyTorch: SeedNet, exported to ONNX here for ONNX Runtime) and the architectures
torch.manual_seed(0)
models = {"seed": (SeedNet(), (3, 150, 150), os.path.join(root, "examples", "seed.py"), os.path.join(work, "seed.onnx"))}
torch.onnx.export(models["seed"][0].eval(), torch.rand(1, 3, 150, 150), models["seed"][3], opset_version=13,
                  input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "batch"}})
for name, (cls, shape) in ARCHITECTURES.items():
    path = os.path.join(root, "tests", "models", "torch", name + ".onnx")
    models[name] = (cls().eval(), shape, path, path)

macs_cache = {}


def macs_per_image(model_path):
    if model_path not in macs_cache:
        out = subprocess.run([clinfer, "summary", model_path, "--format", "json"], capture_output=True, text=True, check=True)
        macs_cache[model_path] = json.loads(out.stdout)["total_macs"] or 0
    return macs_cache[model_path]


def run_clinfer(path, batch, extra=()):
    out = subprocess.run([clinfer, "bench", path, "--batch", str(batch), "--json", "--tune", "fast", *extra],
                         capture_output=True, text=True)
    if out.returncode:
        print("clinfer bench failed:", out.stderr.strip(), file=sys.stderr)
        return None
    return json.loads(out.stdout)


def run_torch(m, shape, batch, threads):
    """channels_last, or NCHW where a model's .view() needs contiguous tensors"""
    torch.set_num_threads(threads)
    with torch.no_grad():
        try:
            x = torch.rand(batch, *shape).contiguous(memory_format=torch.channels_last)
            mc = m.to(memory_format=torch.channels_last)
            mc(x)
        except RuntimeError:
            x, mc = torch.rand(batch, *shape), m.to(memory_format=torch.contiguous_format)
        return batch * 1000.0 / timed(lambda: mc(x))


def run_ort(path, shape, batch, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    x = np.random.rand(batch, *shape).astype(np.float32)
    name = s.get_inputs()[0].name
    return batch * 1000.0 / timed(lambda: s.run(None, {name: x}))


def profile_layers(path, batch):
    """clinfer profile's rows: {layer: (kernel, ms, GFLOPS, GB/s, % of peak)}"""
    out = subprocess.run([clinfer, "profile", path, "--batch", str(batch), "--tune", "fast", "--format", "json"],
                         capture_output=True, text=True)
    rows = {}
    try:
        doc = json.loads(out.stdout)
    except ValueError:
        return rows
    peak_gflops = doc.get("peak_gflops") or 0
    for l in doc["layers"]:
        if l["family"] == "view":
            continue
        pct = 100.0 * l["gflops"] / peak_gflops if peak_gflops else 0.0
        rows[l["name"]] = (l["family"], l["ms"], l["gflops"], l["gbps"], pct)
    return rows


rows = []
for name, (m, shape, clinfer_path, onnx_path) in models.items():
    for batch in BATCHES:
        res = {"clinfer": [], "torch_1t": [], "torch_2t": [], "ort_2t": []}
        compile_ms = tune_ms = None
        for r in range(ROUNDS):  # alternating, so that a noisy moment hits every engine alike
            c = run_clinfer(clinfer_path, batch)
            if c:
                res["clinfer"].append(c["images_per_second"])
                compile_ms, tune_ms = c["compile_ms"], c["tune_ms"]
            res["torch_1t"].append(run_torch(m, shape, batch, 1))
            res["torch_2t"].append(run_torch(m, shape, batch, 2))
            res["ort_2t"].append(run_ort(onnx_path, shape, batch, 2))
        med = {k: statistics.median(v) if v else None for k, v in res.items()}
        macs = macs_per_image(clinfer_path)
        gflops = 2.0 * macs * med["clinfer"] / 1e9 if med["clinfer"] else None
        best_torch = max(med["torch_1t"], med["torch_2t"])
        row = {"model": name, "batch": batch, "images_per_second": med, "macs_per_image": macs,
               "clinfer_gflops": gflops,
               "clinfer_pct_of_peak": 100.0 * gflops / peak["fma_gflops_2t"] if gflops else None,
               "ratio_vs_torch_best": med["clinfer"] / best_torch if med["clinfer"] else None,
               "ratio_vs_ort": med["clinfer"] / med["ort_2t"] if med["clinfer"] else None,
               "clinfer_compile_ms": compile_ms, "clinfer_tune_ms": tune_ms}
        rows.append(row)
        print("%-16s b%-3d clinfer %8.1f  torch 1t %8.1f  2t %8.1f  ort %8.1f img/s" %
              (name, batch, med["clinfer"] or 0, med["torch_1t"], med["torch_2t"], med["ort_2t"]), file=sys.stderr)

print("\nMachine: %s; FP32 peak %.0f GFLOPS (1 thread %.0f), read bandwidth %.1f GB/s over 36 MiB, %.1f GB/s over %d MiB "
      "(memory alone) (FMA and stream microbenchmarks, bench/peak.c)" %
      (platform.processor() or platform.machine(), peak["fma_gflops_2t"], peak["fma_gflops_1t"], peak["read_gbps_2t"],
       peak["dram_read_gbps_2t"], peak["dram_stream_mib"]))
print("Images per second (median of %d alternating rounds); clinfer on PoCL, the peers on the CPU.\n" % ROUNDS)
hdr = "%-16s %5s %10s %10s %10s %10s %9s %9s %8s" % ("model", "batch", "clinfer", "torch 1t", "torch 2t", "ORT 2t",
                                                     "x torch", "x ORT", "% peak")
print(hdr)
print("-" * len(hdr))
for r in rows:
    ips = r["images_per_second"]
    print("%-16s %5d %10.1f %10.1f %10.1f %10.1f %8.2fx %8.2fx %7.1f%%" %
          (r["model"], r["batch"], ips["clinfer"] or 0, ips["torch_1t"], ips["torch_2t"], ips["ort_2t"],
           r["ratio_vs_torch_best"] or 0, r["ratio_vs_ort"] or 0, r["clinfer_pct_of_peak"] or 0))
print("\n(x torch: clinfer / the better PyTorch thread count; x ORT: clinfer / ONNX Runtime; % peak: clinfer's "
      "GFLOPS of the 2-thread FMA peak)")

# the layer targets, from clinfer profile (the median of 3 profiles by time; % of peak is of the peak that
# profile measured in the same run). The bandwidth is measured again beside each profile (it drifts by a third over a
# run on a shared machine) and the layers' GB/s are compared with the median of these: over 36 MiB, the size of
# Dense 18496->512's weights (partly from the 32 MiB L3 when read back to back, as the layer alone is), and over 4x
# the L3 (memory alone). Dense 18496->512 at batch 1 is profiled alone (a one-layer model, run back to back like the
# stream) and inside the seed model, where the conv layers between its runs evict its weights from the L3.
streams, drams = [], []
dense_model = os.path.join(work, "dense_18496x512.py")
with open(dense_model, "w") as f:
    f.write("x = layers.Input(shape=(18496,))\ny = layers.Dense(512, activation='relu')(x)\nmodel = Model(x, y)\n")


def profile_beside_stream(path, batch):
    rows = profile_layers(path, batch)
    out = subprocess.run([os.path.join(build, "peak")], capture_output=True, text=True)
    if out.returncode == 0:
        p = json.loads(out.stdout)
        streams.append(p["read_gbps_2t"])
        drams.append(p["dram_read_gbps_2t"])
    return rows


layer_runs = {("seed", b): [profile_beside_stream(models["seed"][2], b) for _ in range(3)] for b in (1, 32)}
layer_runs[("alone", 1)] = [profile_beside_stream(dense_model, 1) for _ in range(3)]
bandwidth = statistics.median(streams) if streams else peak["read_gbps_2t"]
dram = statistics.median(drams) if drams else peak["dram_read_gbps_2t"]
print("\nSeed model layers (clinfer profile, the median of 3 by time). Targets: conv at >= 50%% of the FP32 peak; "
      "Dense 18496->512 at batch 1 at >= 80%% of the read bandwidth over 36 MiB (%.1f GB/s, the median of %d measured "
      "beside the profiles; %.1f GB/s at the start). Memory alone (%d MiB): %.1f GB/s." %
      (bandwidth, len(streams), peak["read_gbps_2t"], peak["dram_stream_mib"], dram))
print("%-26s %-4s %-22s %9s %13s %11s %9s %14s %9s" % ("layer", "", "kernel", "ms", "GFLOPS", "% of peak", "GB/s",
                                                      "% of 36 MiB", "% of mem"))
layers = {}
for (where, batch), runs in layer_runs.items():
    names = ("dense_1",) if where == "alone" else ("conv2d_1", "conv2d_2", "conv2d_3", "dense_1")
    for lname in names:
        got = sorted((r[lname] for r in runs if lname in r), key=lambda g: g[1])
        if not got:
            continue
        kernel, ms, gf, gbs, pct = got[len(got) // 2]  # the profile of median time, all its columns
        key = "dense_18496x512_alone_b1" if where == "alone" else "%s_b%d" % (lname, batch)
        layers[key] = {"kernel": kernel, "ms": ms, "gflops": gf, "gbps": gbs, "pct_of_peak": pct,
                       "pct_of_bandwidth": 100.0 * gbs / bandwidth, "pct_of_memory_bandwidth": 100.0 * gbs / dram}
        label = "Dense 18496->512 alone" if where == "alone" else lname
        print("  %-24s b%-3d %-22s %9.3f %13.1f %10.1f%% %9.1f %13.1f%% %8.1f%%" %
              (label, batch, kernel, ms, gf, pct, gbs, 100.0 * gbs / bandwidth, 100.0 * gbs / dram))
# Dense 18496->512 at batch 1 against the stream at the same moments (bench/dense_stream: rounds of the stream and
# then the layer's profiled runs, in one process), alone and in the seed model: the ratio of each round, and their
# median. The lines above compare medians taken minutes apart, on a machine whose bandwidth swings by 2x meanwhile.
paired = {}
for label, path in (("alone", dense_model), ("in the seed model", models["seed"][2])):
    out = subprocess.run([os.path.join(build, "dense_stream"), path, "dense_1", "9"], capture_output=True, text=True)
    if out.returncode:
        print("dense_stream failed:", out.stderr.strip(), file=sys.stderr)
        continue
    paired[label] = json.loads(out.stdout)
if paired:
    print("\nDense 18496->512 at batch 1 against the read bandwidth over 36 MiB at the same moments (bench/dense_stream: "
          "9 rounds of the stream, then the median of 21 profiled runs; target >= 80%):")
    for label, d in paired.items():
        ratios = sorted(r["ratio"] for r in d["rounds"])
        print("  %-18s %-20s %6.3f ms %6.1f GB/s, stream %5.1f GB/s: %5.1f%% (median of the rounds' ratios; %.0f-%.0f%%)" %
              (label, d["kernel"], d["median_layer_ms"], d["median_layer_gbps"], d["median_stream_gbps"],
               100.0 * d["median_ratio"], 100.0 * ratios[0], 100.0 * ratios[-1]))

# warm start: a new clinfer process with warm caches (the rounds above compiled and tuned), each after a second's rest,
# since the peers' thread pools in this process spin for a while after their last run
ready = []
for _ in range(5):
    time.sleep(1.0)
    c = run_clinfer(models["seed"][2], 1, ("--iters", "1"))
    if c:
        ready.append(c["ready_ms"])
ready_ms = statistics.median(ready) if ready else None
if ready_ms is not None:
    print("\nWarm start (seed model, a new clinfer process with warm caches): %.1f ms from start to a ready session "
          "(median of %d; target < 100 ms)" % (ready_ms, len(ready)))

stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M%S")
out = os.path.join(root, "bench", "results", "bench-%s.json" % stamp)
with open(out, "w") as f:
    json.dump({"date": stamp, "machine": platform.node(), "peak": peak, "rounds": ROUNDS, "torch": torch.__version__,
               "onnxruntime": ort.__version__, "rows": rows, "seed_layers": layers, "bandwidth_beside_layers_gbps": bandwidth,
               "memory_bandwidth_beside_layers_gbps": dram, "dense_vs_stream_same_moments": paired,
               "warm_start_ready_ms": ready_ms},
              f, indent=1)
print("\nwritten: %s" % os.path.relpath(out, root))
