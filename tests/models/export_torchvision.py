"""Exports torchvision architectures with random weights (torchvision's own initialisation, seeded) to ONNX for
tests/compare-zoo, with an input of batch 2 and PyTorch's output on it (NAME_in.npy, NAME_out.npy): 96x96 inputs (Inception v3 107x107, AlexNet and VGG 224x224, the least their pooling takes), opset 13.
    /usr/bin/python3 tests/models/export_torchvision.py OUT_DIR [SIZE] [NAME ...]  (Debian's python3-torch, -torchvision)
SIZE: the inputs' height and width instead of 96 (bench/zoo.py: 224; at least each network's least); NAMEs: only
these. A model already in OUT_DIR is kept."""
import os
import sys

import numpy as np
import torch
import torchvision.models as M

NETWORKS = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "squeezenet1_1", "shufflenet_v2_x1_0",
            "densenet121", "googlenet", "efficientnet_b0", "regnet_x_400mf", "alexnet", "vgg11_bn", "mnasnet0_5",
            "inception_v3"]
SIZE = {"inception_v3": 107, "alexnet": 224, "vgg11_bn": 224}

out = sys.argv[1]
base = int(sys.argv[2]) if len(sys.argv) > 2 else 96
os.makedirs(out, exist_ok=True)
for f in os.listdir(out):  # what an older list left behind is not checked again
    if f.endswith(".onnx") and f[:-5] not in NETWORKS:
        os.remove(os.path.join(out, f))
for name in NETWORKS if len(sys.argv) <= 3 else [n for n in NETWORKS if n in sys.argv[3:]]:
    path = os.path.join(out, name + ".onnx")
    if all(os.path.exists(os.path.join(out, name + e)) for e in (".onnx", "_in.npy", "_out.npy")):
        continue
    torch.manual_seed(0)
    extra = {"aux_logits": False, "init_weights": True} if name in ("googlenet", "inception_v3") else {}
    model = getattr(M, name)(weights=None, **extra).eval()
    size = max(base, SIZE.get(name, 0))
    tmp = path + ".part"
    torch.onnx.export(model, torch.rand(1, 3, size, size), tmp, opset_version=13, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    x = torch.rand(2, 3, size, size)
    with torch.no_grad():
        np.save(os.path.join(out, name + "_out.npy"), model(x).numpy())
    np.save(os.path.join(out, name + "_in.npy"), x.numpy())
    os.replace(tmp, path)
    print("exported", name, flush=True)
