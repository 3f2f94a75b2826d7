"""Exports depthwise convolutions in the shapes that exercise every path of cl/depthwise_blocked.cl over NCHW:
stride 2 (the even-lane form), stride 3 (gathered lanes), dilation with a depth multiplier of 2, rows wider than one
vector with a partial last vector, padding on every side, fused ReLU6, and a valid 3x5 window (stride 1: the
shuffled-window form, with output rows shorter than the input's), a stride of 2 down the rows only (the
shuffled-window form skipping rows), and stride 2 along rows of 63 (three copies of the input side by side): a 5x5
padded by 2 and a 3x3 padded on the right only, outputs of 32 and 31 columns, two vectors (the shuffled form's
even lanes of two windows). clinfer's tests compare the OpenCL
kernel with ref on it (tests/test_torch.c), so the weights are random and no PyTorch outputs are kept.
    /usr/bin/python3 tests/models/export_depthwise.py   (Debian's python3-torch)
"""
import os

import torch
from torch import nn


class DepthwiseVariants(nn.Module):
    def __init__(self):
        super().__init__()
        self.s2 = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.m2 = nn.Conv2d(8, 16, 3, padding=2, dilation=2, groups=8, bias=False)
        self.s3 = nn.Conv2d(16, 16, (5, 3), stride=(1, 3), padding=(2, 1), groups=16)
        self.wide = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.valid = nn.Conv2d(8, 8, (3, 5), groups=8)
        self.rows2 = nn.Conv2d(8, 8, 3, stride=(2, 1), padding=1, groups=8)
        self.s2k5 = nn.Conv2d(8, 8, 5, stride=2, padding=2, groups=8)
        self.s2r = nn.Conv2d(8, 8, 3, stride=2, groups=8)

    def forward(self, x):
        a = self.s3(torch.clamp(self.m2(self.s2(x)), 0.0, 6.0))
        b = self.wide(x)
        c = torch.clamp(self.valid(x), 0.0, 6.0)
        d = self.rows2(x)
        w = torch.cat([x, x, x], 3)
        e = self.s2k5(w)
        f = self.s2r(nn.functional.pad(w, (0, 1, 0, 0)))
        return torch.cat([a.flatten(1), b.flatten(1), c.flatten(1), d.flatten(1), e.flatten(1), f.flatten(1)], 1)


torch.manual_seed(7)
m = DepthwiseVariants().eval()
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch", "depthwise_variants.onnx")
torch.onnx.export(m, torch.rand(1, 8, 37, 21), out, opset_version=13, input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
print(out)
