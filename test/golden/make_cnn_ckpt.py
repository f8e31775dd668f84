"""A small CNN trained 3 Adam steps by PyTorch 1.13 (run with /usr/bin/python3), saved with
torch.save(model.state_dict()) to test/golden/cnn_python.pt, with an input and the model's
eval-mode output in test/golden/cnn_python.json. test/checkpoint.test.ts loads the file into the
same network built with sigprop and must reproduce the output exactly; it also runs
cnn_check.py (the reverse direction) on a file sigprop saved.
Usage: /usr/bin/python3 test/golden/make_cnn_ckpt.py"""
import json
import os

import pin_isa  # noqa: F401  (before torch: same kernels on every AVX2 machine)
import golden_dir  # noqa: E402  (test/golden/torch-<version>/)
import torch
import torch.nn as nn

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(8 * 2 * 2, 3)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def train(model, seed):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(3):
        x = torch.randn(6, 1, 8, 8, generator=g)
        y = torch.randint(3, (6,), generator=g)
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return torch.randn(2, 1, 8, 8, generator=g)


if __name__ == '__main__':
    torch.manual_seed(0)
    model = SmallCNN()
    x = train(model, 1)
    model.eval()
    with torch.no_grad():
        y = model(x)
    torch.save(model.state_dict(), golden_dir.path('cnn_python.pt'))
    with open(golden_dir.path('cnn_python.json'), 'w') as f:
        json.dump({'input': [repr(v) for v in x.flatten().tolist()], 'input_shape': list(x.shape),
                   'output': [repr(v) for v in y.flatten().tolist()], 'output_shape': list(y.shape)}, f)
    print('wrote cnn_python.pt and cnn_python.json')
