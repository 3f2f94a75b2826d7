"""Exports tests/models/torch/pool_variants.onnx: NCHW pooling in the forms ONNX carries, for the pooling kernels'
edges: a dilated max pool, an average with count_include_pad over padding, ceil_mode (the last window half outside),
a (2, 3) window at stride (1, 3), and a max pool at stride 2 with padding. Random input, no weights.
Run with a Python that has PyTorch: /usr/bin/python3 tests/models/export_pool.py"""
import os

import torch
from torch import nn


class PoolVariants(nn.Module):
    def forward(self, x):
        a = nn.functional.max_pool2d(x, 3, stride=1, padding=1, dilation=2)
        b = nn.functional.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=True)
        c = nn.functional.avg_pool2d(x, 2, stride=2, ceil_mode=True)
        d = nn.functional.max_pool2d(x, (2, 3), stride=(1, 3))
        e = nn.functional.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        return torch.cat([t.flatten(1) for t in (a, b, c, d, e)], 1)


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch", "pool_variants.onnx")
torch.onnx.export(PoolVariants(), torch.rand(1, 5, 15, 22), out, opset_version=17, input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
print(out)
