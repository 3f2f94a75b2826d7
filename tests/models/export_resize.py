"""Exports upsampling as PyTorch writes it (tests/test_torch.c checks clinfer against PyTorch's outputs on them), for
segmentation and detection heads: nn.Upsample(nearest) and F.interpolate bilinear with align_corners False and True,
by factors (2, 2), (2, 3) and (1, 3), as Resize (opset 17) and, nearest, as the old Upsample (opset 9).
    /usr/bin/python3 tests/models/export_resize.py   (Debian's python3-torch)
"""
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class ResizeVariants(nn.Module):
    def __init__(self, opset):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.opset = opset

    def forward(self, x):
        y = self.up(torch.relu(self.conv(x)))                                                # nearest, 2
        if self.opset < 11:  # (opset 9's linear Upsample is asymmetric, which PyTorch does not compute: nearest only)
            return torch.cat([y.flatten(1), F.interpolate(x, scale_factor=(1, 3), mode="nearest").flatten(1)], 1)
        a = F.interpolate(y, scale_factor=(2, 3), mode="bilinear", align_corners=False)      # half-pixel
        b = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)            # corners aligned
        c = F.interpolate(x, scale_factor=(3, 2), mode="nearest")
        return torch.cat([a.flatten(1), b.flatten(1), c.flatten(1)], 1)


here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data", "torch")
for opset, name in ((17, "resize_variants"), (9, "upsample_opset9")):
    torch.manual_seed(7)
    model = ResizeVariants(opset).eval()
    out = os.path.join(here, "torch", name + ".onnx")
    torch.onnx.export(model, torch.rand(1, 3, 5, 6), out, opset_version=opset, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    for batch in (1, 8):
        x = torch.rand(batch, 3, 5, 6) * 4 - 2
        np.save(os.path.join(data, "%s_in%d.npy" % (name, batch)), x.numpy())
        np.save(os.path.join(data, "%s_out%d.npy" % (name, batch)), model(x).detach().numpy())
    print(out)
