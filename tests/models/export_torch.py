"""Exports real CNN architectures from PyTorch to ONNX, with PyTorch's own outputs, for clinfer's tests.

Random weights; BatchNorm with random running statistics (eval mode); a dynamic batch dimension. For each
model: tests/models/torch/NAME.onnx and tests/data/torch/NAME_{in,out}{1,8}.npy (batch 1 and 8, float32).
Run with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 tests/models/export_torch.py
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import ARCHITECTURES  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
models_dir = os.path.join(here, "torch")
data_dir = os.path.join(here, "..", "data", "torch")

torch.manual_seed(2026)
models = {name: (cls(), shape) for name, (cls, shape) in ARCHITECTURES.items()}

os.makedirs(models_dir, exist_ok=True)
os.makedirs(data_dir, exist_ok=True)
for name, (m, shape) in models.items():
    m.eval()
    with torch.no_grad():
        for p in m.parameters():
            if p.dim() > 1:
                p.uniform_(-0.3, 0.3)
        torch.onnx.export(m, torch.rand(1, *shape), os.path.join(models_dir, name + ".onnx"), opset_version=13, do_constant_folding=False,
                          training=torch.onnx.TrainingMode.PRESERVE,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        for batch in (1, 8):
            x = torch.rand(batch, *shape)
            np.save(os.path.join(data_dir, "%s_in%d.npy" % (name, batch)), x.numpy().astype(np.float32))
            np.save(os.path.join(data_dir, "%s_out%d.npy" % (name, batch)), m(x).numpy().astype(np.float32))
    print(name, sum(p.numel() for p in m.parameters()), "parameters")
