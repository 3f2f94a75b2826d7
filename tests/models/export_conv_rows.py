"""Exports convolutions at stride 2 along the row over rows wide enough for several blocks of the NCHW rows kernel
(cl/conv2d_rows.cl): interior blocks (whole loads) and edge blocks (masked), a 3x3 padded stride-2 conv, a 1x1
stride-2 conv, and a 5x3 dilated conv at strides (1, 2). clinfer's tests compare the OpenCL kernel with ref on it
(tests/test_torch.c), so the weights are random and no PyTorch outputs are kept.
    /usr/bin/python3 tests/models/export_conv_rows.py   (Debian's python3-torch)
"""
import os

import torch
from torch import nn


class ConvRows(nn.Module):
    def __init__(self):
        super().__init__()
        self.s2 = nn.Conv2d(4, 6, 3, stride=2, padding=1)
        self.p2 = nn.Conv2d(4, 5, 1, stride=2, bias=False)
        self.d2 = nn.Conv2d(4, 3, (5, 3), stride=(1, 2), padding=(2, 3), dilation=(1, 2))

    def forward(self, x):
        return torch.cat([torch.relu(self.s2(x)).flatten(1), self.p2(x).flatten(1), self.d2(x).flatten(1)], 1)


torch.manual_seed(7)
m = ConvRows().eval()
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch", "conv_rows_variants.onnx")
torch.onnx.export(m, torch.rand(1, 4, 7, 150), out, opset_version=13, input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
print(out)
