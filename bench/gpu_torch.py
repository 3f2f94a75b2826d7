"""PyTorch on the GPU, for scripts/gpu-check: images/s of the seed model and the exported architectures at the given
batches, fp32 with TF32 off and on. Prints one JSON object; {"error": ...} when there is no CUDA device.
    python3 bench/gpu_torch.py 1,32,256
"""
import json
import os
import statistics
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
try:
    import torch  # before tests/models joins the path: its torch/ folder of .onnx files is no package

    sys.path.insert(0, os.path.join(root, "tests", "models"))
    from torch_models import ARCHITECTURES, SeedNet
except Exception as e:  # noqa: BLE001 - report whatever keeps PyTorch from running
    print(json.dumps({"error": "PyTorch: %s" % e}))
    sys.exit(0)

if not torch.cuda.is_available():
    print(json.dumps({"error": "no CUDA device for PyTorch", "torch": torch.__version__}))
    sys.exit(0)

batches = [int(b) for b in (sys.argv[1] if len(sys.argv) > 1 else "1,32,256").split(",")]
models = {"seed": (SeedNet, (3, 150, 150))}
models.update(ARCHITECTURES)
out = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0), "rows": []}
for name, (cls, shape) in models.items():
    m = cls().eval().cuda()
    for batch in batches:
        x = torch.rand(batch, *shape, device="cuda")
        row = {"model": name, "batch": batch}
        for tf32 in (False, True):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
            with torch.no_grad():
                t0 = time.perf_counter()
                while time.perf_counter() - t0 < 0.3:
                    m(x)
                torch.cuda.synchronize()
                times = []
                for _ in range(20):
                    a = time.perf_counter()
                    m(x)
                    torch.cuda.synchronize()
                    times.append(time.perf_counter() - a)
            row["tf32" if tf32 else "fp32"] = batch / statistics.median(times)
        out["rows"].append(row)
print(json.dumps(out))
