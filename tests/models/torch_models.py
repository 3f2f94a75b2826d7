"""The PyTorch architectures clinfer is tested and benchmarked on (tests/models/export_torch.py exports them;
bench/suite.py runs them in PyTorch beside clinfer), and the seed model of examples/seed.py."""
import torch
from torch import nn


def bn(c):
    b = nn.BatchNorm2d(c)
    with torch.no_grad():  # random statistics, so that folding and normalising are both tested
        b.running_mean.uniform_(-0.5, 0.5)
        b.running_var.uniform_(0.5, 1.5)
        b.weight.uniform_(0.5, 1.5)
        b.bias.uniform_(-0.5, 0.5)
    return b


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.c1(x)), 2)
        x = nn.functional.avg_pool2d(torch.relu(self.c2(x)), 2)
        x = torch.flatten(x, 1)
        return self.f3(torch.relu(self.f2(torch.relu(self.f1(x)))))


class VGGBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), bn(32), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1),
                                  bn(32), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(32 * 8 * 8, 10)

    def forward(self, x):
        return self.head(self.body(x).view(x.size(0), -1))  # Shape/Gather/Concat/Reshape with a dynamic batch


class ResNetBasicBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1, bias=False), bn(32), nn.ReLU())
        self.c1, self.b1 = nn.Conv2d(32, 64, 3, stride=2, padding=1, bias=False), bn(64)
        self.c2, self.b2 = nn.Conv2d(64, 64, 3, padding=1, bias=False), bn(64)
        self.short = nn.Sequential(nn.Conv2d(32, 64, 1, stride=2, bias=False), bn(64))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.stem(x)
        y = torch.relu(self.b1(self.c1(x)))
        y = torch.relu(self.b2(self.c2(y)) + self.short(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


class MobileNetBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False), bn(16), nn.ReLU6())
        self.expand = nn.Sequential(nn.Conv2d(16, 64, 1, bias=False), bn(64), nn.ReLU6())
        self.dw = nn.Sequential(nn.Conv2d(64, 64, 3, padding=1, groups=64, bias=False), bn(64), nn.ReLU6())
        self.project = nn.Sequential(nn.Conv2d(64, 16, 1, bias=False), bn(16))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.stem(x)
        x = x + self.project(self.dw(self.expand(x)))
        return torch.softmax(self.fc(x.mean((2, 3))), dim=1)


class InceptionBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(8, 8, 1)
        self.b3 = nn.Sequential(nn.Conv2d(8, 6, 1), nn.ReLU(), nn.Conv2d(6, 12, 3, padding=1))
        self.b5 = nn.Sequential(nn.Conv2d(8, 4, 1), nn.ReLU(), nn.Conv2d(4, 6, 5, padding=2))
        self.bp = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(8, 6, 1))
        self.stem = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        y = torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)
        return nn.functional.avg_pool2d(torch.relu(y), 2, ceil_mode=True)


class SeedNet(nn.Module):
    """examples/seed.py in PyTorch (NCHW): three conv/max-pool stages, Dense 512, Dense 1."""

    def __init__(self):
        super().__init__()
        self.c1, self.c2, self.c3 = nn.Conv2d(3, 16, 3), nn.Conv2d(16, 32, 3), nn.Conv2d(32, 64, 3)
        self.f1, self.f2 = nn.Linear(18496, 512), nn.Linear(512, 1)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.c1(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.c2(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.c3(x)), 2)
        return torch.sigmoid(self.f2(torch.relu(self.f1(torch.flatten(x, 1)))))


# name: (class, input shape without the batch)
ARCHITECTURES = {
    "lenet": (LeNet, (1, 28, 28)),
    "vgg_block": (VGGBlock, (3, 16, 16)),
    "resnet_block": (ResNetBasicBlock, (3, 16, 16)),
    "mobilenet_block": (MobileNetBlock, (3, 32, 32)),
    "inception_block": (InceptionBlock, (3, 15, 15)),
}
