"""Exports Slice and Split as PyTorch writes them (tests/test_torch.c checks clinfer against PyTorch's outputs on
them): ShuffleNet's channel split (x.chunk -> Split) and shuffle (Reshape, Transpose, Reshape), strided and
negative-index slices (x[:, 1:-1:2], x[..., -3:]), a reversed axis (torch.flip -> Slice with step -1), and a split
of uneven parts (torch.split -> Split with sizes); a constant slice of the shape (x.shape[2:]) folded at load.
    /usr/bin/python3 tests/models/export_slice.py   (Debian's python3-torch)
"""
import os

import numpy as np
import torch
from torch import nn


class SliceVariants(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x):
        a, b = x.chunk(2, dim=1)                                   # Split: 4 + 4 channels
        n, c, h, w = b.shape
        b = self.conv(torch.cat([a, b], 1)).view(n, 2, 4, h, w).transpose(1, 2).reshape(n, 8, h, w)  # the shuffle
        s = x[:, 1:-1:2, :, -3:]                                   # channels 1, 3, 5; the last 3 columns
        f = torch.flip(x[:, :, 2:5], dims=[3])                     # a reversed axis
        p, q, r = torch.split(x, [1, 3, 4], dim=1)                 # uneven parts
        return torch.cat([b.flatten(1), s.flatten(1), f.flatten(1), (p * q[:, :1] + r[:, 1:2]).flatten(1)], 1)


here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(5)
model = SliceVariants().eval()
out = os.path.join(here, "torch", "slice_variants.onnx")
torch.onnx.export(model, torch.rand(1, 8, 6, 7), out, opset_version=13, input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
data = os.path.join(here, "..", "data", "torch")
for batch in (1, 8):
    x = torch.rand(batch, 8, 6, 7) * 4 - 2
    np.save(os.path.join(data, "slice_variants_in%d.npy" % batch), x.numpy())
    np.save(os.path.join(data, "slice_variants_out%d.npy" % batch), model(x).detach().numpy())
print(out)
