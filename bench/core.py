"""Python side of bench/run.js: times a case on Debian's PyTorch (run with /usr/bin/python3).
usage: core.py CASE REPS  -> prints a JSON list of per-iteration times in microseconds, one per rep."""
import json
import sys
import time

import torch

torch.set_num_threads(1)


def add8x8(n):
    a, b = torch.ones(8, 8), torch.ones(8, 8)
    t = time.perf_counter()
    for _ in range(n):
        a + b
    return (time.perf_counter() - t) / n * 1e6


def linear_adam(n):
    torch.manual_seed(0)
    lin = torch.nn.Linear(784, 256)
    opt = torch.optim.Adam(lin.parameters(), lr=1e-3)
    x = torch.randn(128, 784)
    t = time.perf_counter()
    for _ in range(n):
        opt.zero_grad()
        lin(x).sum().backward()
        opt.step()
    return (time.perf_counter() - t) / n * 1e6


class SmallCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.fc(x.flatten(1))


def cnn_adam(n):
    torch.manual_seed(0)
    model = SmallCNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(128, 1, 28, 28)
    y = torch.randint(10, (128,))
    t = time.perf_counter()
    for _ in range(n):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return (time.perf_counter() - t) / n * 1e6


CASES = {'add8x8': (add8x8, 200000), 'linear_adam': (linear_adam, 300), 'cnn_adam': (cnn_adam, 20)}

if __name__ == '__main__':
    name, reps = sys.argv[1], int(sys.argv[2])
    fn, n = CASES[name]
    fn(max(1, n // 10))  # warm-up
    print(json.dumps([fn(n) for _ in range(reps)]))
