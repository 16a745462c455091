"""PyTorch twins of evrsnas's benchmark workloads (crate/src/bench.rs), on one thread.

Prints {"probe_train_step_ms": float, "nb201_candidate_ms": float} (medians). Run by
`cargo make bench` when torch is importable.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 15
# Threads for the second, multi-threaded ResNet-20 step measurement (1: none).
THREADS = int(sys.argv[3]) if len(sys.argv) > 3 else 1


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def train_step_ms(net, n, reps):
    """Median milliseconds of `reps` SGD steps (after one warm-up) on n random images."""
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x, y = torch.randn(n, 3, 32, 32), torch.arange(n) % 10
    times = []
    for rep in range(reps + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
        if rep:
            times.append(1000 * (time.perf_counter() - t0))
    return median(times)


def probe():
    layers = []
    for cin, cout, s in [(3, 8, 1), (8, 16, 2), (16, 32, 2)]:
        layers += [nn.Conv2d(cin, cout, 3, s, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    net = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
    return train_step_ms(net, 64, REPS)


class ReLUConvBN(nn.Sequential):
    def __init__(self, cin, cout, k, s):
        super().__init__(nn.ReLU(), nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout))


# The benchmark cell, edges (1←0), (2←0), (2←1), (3←0), (3←1), (3←2).
CELL = ["nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "nor_conv_1x1", "nor_conv_3x3", "nor_conv_3x3"]
EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]


class Cell(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ops = nn.ModuleList(ReLUConvBN(c, c, 3 if op.endswith("3x3") else 1, 1) for op in CELL)

    def forward(self, x):
        nodes = [x]
        for to in range(1, 4):
            nodes.append(sum(self.ops[e](nodes[f]) for e, (t, f) in enumerate(EDGES) if t == to))
        return nodes[3]


class Reduction(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a, self.b = ReLUConvBN(cin, cout, 3, 2), ReLUConvBN(cout, cout, 3, 1)
        self.short = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(cin, cout, 1, bias=False))

    def forward(self, x):
        return self.b(self.a(x)) + self.short(x)


class Proxy(nn.Module):
    def __init__(self, c=8):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))
        self.cells = nn.ModuleList([Cell(c), Cell(2 * c), Cell(4 * c)])
        self.red = nn.ModuleList([Reduction(c, 2 * c), Reduction(2 * c, 4 * c)])
        self.last = nn.BatchNorm2d(4 * c)
        self.fc = nn.Linear(4 * c, 10)

    def forward(self, x):
        h, outs = self.stem(x), []
        for i, cell in enumerate(self.cells):
            if i:
                h = self.red[i - 1](h)
            h = cell(h)
            outs.append(h)
        return outs, self.fc(F.relu(self.last(h)).mean((2, 3)))


def resnet_step():
    """One SGD step of a CIFAR ResNet-20 (option-A shortcuts) on a batch of 128, as in training."""

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
            self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
            self.pad = (cout - cin) // 2 if stride != 1 or cin != cout else None

        def forward(self, x):
            h = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
            s = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
            return F.relu(h + s)

    layers, cin = [], 16
    for s, w in enumerate([16, 32, 64]):
        for i in range(3):
            layers.append(Block(cin, w, 2 if i == 0 and s > 0 else 1))
            cin = w
    net = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), *layers,
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    return train_step_ms(net, 128, 2)


def centred_gram(x):
    x = x.flatten(1)
    x = x - x.mean(0, keepdim=True)
    return x @ x.t()


def candidate(targets, labels, x):
    net = Proxy()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    def loss_and_cka():
        outs, logits = net(x)
        grams = [centred_gram(o) for o in outs]
        cka = sum((g * t).sum() / g.norm() for g, t in zip(grams, targets))
        return 0.8 * (3 - cka) + 0.2 * F.cross_entropy(logits, labels), cka

    # K steps, then one forward pass for the score, as evrsnas::rmi::score does.
    for _ in range(STEPS):
        loss, _ = loss_and_cka()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return loss_and_cka()[1].item()


def nb201():
    x = torch.randn(40, 3, 32, 32)
    feats = [torch.randn(40, 16, 32, 32), torch.randn(40, 32, 16, 16), torch.randn(40, 64, 8, 8)]
    targets = [g / g.norm() for g in map(centred_gram, feats)]
    labels = torch.arange(40) % 10
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        candidate(targets, labels, x)
        times.append(1000 * (time.perf_counter() - t0))
    return median(times)


result = {"probe_train_step_ms": probe(), "nb201_candidate_ms": nb201(),
          "reference_train_step_ms": resnet_step(), "torch": torch.__version__}
if THREADS > 1:
    torch.set_num_threads(THREADS)
    result["reference_train_step_threaded_ms"] = resnet_step()
print(json.dumps(result))
