"""Exports ReduceMean in the shapes that exercise both paths of cl/reduce_mean.cl: the innermost axes (each output's
inputs one run of memory, read as vectors, with a tail that is not a multiple of 16) and an axis in the middle (the
odometer), with and without keepdims. clinfer's tests compare the OpenCL kernel with ref on it (tests/test_torch.c).
    /usr/bin/python3 tests/models/export_reduce.py   (Debian's python3-torch)
"""
import os

import torch
from torch import nn


class ReduceVariants(nn.Module):
    def forward(self, x):
        inner = x.mean(dim=(2, 3))                # 7 x 5 = 35 floats a run: two vectors and a tail of 3
        middle = x.mean(dim=1, keepdim=True)      # across the channels: strided
        last = x.mean(dim=3)                      # 5 floats a run: the tail alone
        return torch.cat([inner.flatten(1), middle.flatten(1), last.flatten(1)], 1)


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch", "reduce_variants.onnx")
torch.onnx.export(ReduceVariants().eval(), torch.rand(1, 6, 7, 5), out, opset_version=13, input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
print(out)
