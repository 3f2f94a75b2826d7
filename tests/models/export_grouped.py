"""Exports what EfficientNet and RegNet are made of, small: grouped convs (groups of 8, 6 and 3 output channels, so that
the rows kernel's channel blocks must fit a group; stride 2; a grouped 1x1), SiLU as PyTorch exports it (Sigmoid and
Mul), a squeeze-excitation's channel scale x * s[n][c], a per-channel bias [C, 1, 1], and a row [W] broadcast on
either side of a Sub and a Div (cl/eltwise.cl's eltwise_inner_f32); and, in grouped16.onnx, groups of 32 and 16 output
channels (whole 16-channel blocks: the blocked kernel's, cl/conv2d_blocked.cl), rows of 21 and 11 pixels. clinfer's
tests compare the OpenCL kernels with ref on them (tests/test_torch.c), so the weights are random and no PyTorch
outputs are kept.
    /usr/bin/python3 tests/models/export_grouped.py   (Debian's python3-torch)
"""
import os

import torch
from torch import nn


class GroupedSE(nn.Module):
    def __init__(self):
        super().__init__()
        self.g2 = nn.Conv2d(16, 16, 3, padding=1, groups=2)
        self.g4 = nn.Conv2d(16, 24, 3, stride=2, padding=1, groups=4)
        self.g8 = nn.Conv2d(24, 24, 1, groups=8)
        self.act = nn.SiLU()
        self.se1 = nn.Conv2d(24, 8, 1)
        self.se2 = nn.Conv2d(8, 24, 1)
        self.bias = nn.Parameter(torch.randn(24, 1, 1))
        self.row = nn.Parameter(torch.randn(20))

    def forward(self, x):
        y = self.act(self.g2(x))
        y = self.act(self.g4(y))
        s = torch.sigmoid(self.se2(self.act(self.se1(y.mean((2, 3), keepdim=True)))))
        y = self.g8(y * s) + self.bias
        y = y - self.row
        z = self.row / (y * y + 1)
        return torch.cat([y.flatten(1), z.flatten(1)], 1)


torch.manual_seed(7)
m = GroupedSE().eval()
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch", "grouped_se.onnx")
torch.onnx.export(m, torch.rand(1, 16, 12, 40), out, opset_version=13, input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
print(out)


class Grouped16(nn.Module):
    def __init__(self):
        super().__init__()
        self.g2 = nn.Conv2d(32, 64, 3, padding=1, groups=2)
        self.g4 = nn.Conv2d(64, 64, 3, stride=2, padding=1, groups=4, bias=False)

    def forward(self, x):
        return self.g4(torch.relu(self.g2(x)))


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch", "grouped16.onnx")
torch.onnx.export(Grouped16().eval(), torch.rand(1, 32, 9, 21), out, opset_version=13, input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
print(out)
