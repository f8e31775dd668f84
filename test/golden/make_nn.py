"""Golden values for torch.nn layers from PyTorch 1.13 (run with /usr/bin/python3, Debian's torch):
for each case, seed 0 -> construct the layer; record repr, state_dict (names, shapes, values), the
forward output on a seeded input, the gradients of sum(out * w) w.r.t. input and parameters, and the
buffers after the forward pass. Writes test/golden/nn.json."""
import json
import math
import os

import pin_isa  # noqa: F401  (before torch: same kernels on every AVX2 machine)
import golden_dir  # noqa: E402  (test/golden/torch-<version>/)
import torch
import torch.nn as nn

torch.set_num_threads(1)


def enc(t):
    t = t.detach().cpu()
    vals = t.double().flatten().tolist() if t.dtype != torch.bool else t.flatten().tolist()
    out = []
    for v in vals:
        if isinstance(v, float):
            out.append('nan' if math.isnan(v) else ('inf' if v == math.inf else ('-inf' if v == -math.inf else repr(v))))
        else:
            out.append(v)
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'values': out}


# name -> (constructor, input shape, train mode, number of forward passes)
CASES = {
    'linear': (lambda: nn.Linear(4, 3), [2, 4], True, 1),
    'linear_nobias': (lambda: nn.Linear(5, 2, bias=False), [3, 5], True, 1),
    'conv1d': (lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1), [2, 2, 9], True, 1),
    'conv2d': (lambda: nn.Conv2d(3, 4, 3), [2, 3, 6, 6], True, 1),
    'conv2d_groups': (lambda: nn.Conv2d(3, 6, (3, 2), stride=(2, 1), padding=1, groups=3, bias=False), [1, 3, 7, 5], True, 1),
    'conv2d_same_reflect': (lambda: nn.Conv2d(2, 2, 3, padding='same', padding_mode='reflect'), [1, 2, 5, 5], True, 1),
    'conv2d_circular': (lambda: nn.Conv2d(2, 4, 3, padding=1, padding_mode='circular'), [1, 2, 4, 4], True, 1),
    'conv2d_dilation': (lambda: nn.Conv2d(1, 2, 3, dilation=2, padding=2), [1, 1, 7, 7], True, 1),
    'conv_transpose2d': (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), [1, 3, 4, 4], True, 1),
    'batchnorm1d': (lambda: nn.BatchNorm1d(4), [5, 4], True, 2),
    'batchnorm1d_3d': (lambda: nn.BatchNorm1d(3), [2, 3, 4], True, 1),
    'batchnorm2d': (lambda: nn.BatchNorm2d(3), [2, 3, 4, 4], True, 2),
    'batchnorm2d_eval': (lambda: nn.BatchNorm2d(3).eval(), [2, 3, 4, 4], False, 1),
    'batchnorm2d_momentum_none': (lambda: nn.BatchNorm2d(3, momentum=None), [2, 3, 4, 4], True, 3),
    'batchnorm2d_noaffine_nostats': (lambda: nn.BatchNorm2d(3, affine=False, track_running_stats=False), [2, 3, 4, 4], True, 1),
    'instancenorm1d': (lambda: nn.InstanceNorm1d(3), [2, 3, 6], True, 1),
    'instancenorm2d_affine': (lambda: nn.InstanceNorm2d(3, affine=True), [2, 3, 4, 4], True, 1),
    'instancenorm2d_stats': (lambda: nn.InstanceNorm2d(3, track_running_stats=True), [2, 3, 4, 4], True, 2),
    'instancenorm2d_unbatched': (lambda: nn.InstanceNorm2d(3), [3, 4, 4], True, 1),
    'layernorm': (lambda: nn.LayerNorm([4, 5]), [2, 4, 5], True, 1),
    'groupnorm': (lambda: nn.GroupNorm(2, 4), [2, 4, 3, 3], True, 1),
    'dropout': (lambda: nn.Dropout(0.3), [4, 8], True, 1),
    'dropout_eval': (lambda: nn.Dropout(0.3).eval(), [4, 8], False, 1),
    'dropout2d': (lambda: nn.Dropout2d(0.5), [2, 4, 3, 3], True, 1),
    'relu': (lambda: nn.ReLU(), [3, 4], True, 1),
    'leakyrelu': (lambda: nn.LeakyReLU(0.2), [3, 4], True, 1),
    'elu': (lambda: nn.ELU(), [3, 4], True, 1),
    'gelu_tanh': (lambda: nn.GELU('tanh'), [3, 4], True, 1),
    'gelu': (lambda: nn.GELU(), [3, 4], True, 1),
    'silu': (lambda: nn.SiLU(), [3, 4], True, 1),
    'tanh': (lambda: nn.Tanh(), [3, 4], True, 1),
    'sigmoid': (lambda: nn.Sigmoid(), [3, 4], True, 1),
    'softmax': (lambda: nn.Softmax(1), [3, 4], True, 1),
    'logsoftmax': (lambda: nn.LogSoftmax(-1), [3, 4], True, 1),
    'maxpool2d': (lambda: nn.MaxPool2d(2), [1, 2, 6, 6], True, 1),
    'maxpool2d_ceil': (lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [1, 2, 7, 7], True, 1),
    'avgpool2d': (lambda: nn.AvgPool2d(2), [1, 2, 6, 6], True, 1),
    'avgpool2d_nopad': (lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False), [1, 2, 7, 7], True, 1),
    'adaptiveavgpool2d': (lambda: nn.AdaptiveAvgPool2d((2, 3)), [1, 2, 7, 8], True, 1),
    'flatten': (lambda: nn.Flatten(), [2, 3, 4], True, 1),
    'unflatten': (lambda: nn.Unflatten(1, (2, 3)), [2, 6], True, 1),
    'identity': (lambda: nn.Identity(), [2, 3], True, 1),
    'sequential_cnn': (lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                              nn.Flatten(), nn.Linear(4 * 4 * 4, 10)), [2, 1, 8, 8], True, 1),
}


def run_case(name, ctor, in_shape, train, passes):
    torch.manual_seed(0)
    m = ctor()
    m.train(train)
    rec = {'repr': repr(m), 'state_dict': [[k, enc(v)] for k, v in m.state_dict().items()],
           'named_parameters': [k for k, _ in m.named_parameters()], 'in_shape': in_shape, 'passes': passes}
    g = torch.Generator().manual_seed(1)
    outs = []
    for p in range(passes):
        x = torch.randn(in_shape, generator=g).requires_grad_()
        torch.manual_seed(100 + p)  # dropout draws
        y = m(x)
        w = torch.randn(y.shape, generator=g)
        m.zero_grad()
        (y * w).sum().backward()
        outs.append({'out': enc(y), 'grad_input': enc(x.grad),
                     'grads': [[k, enc(v.grad)] for k, v in m.named_parameters() if v.grad is not None]})
    rec['passes_out'] = outs
    rec['buffers_after'] = [[k, enc(v)] for k, v in m.named_buffers()]
    return rec


def embedding_case():
    torch.manual_seed(0)
    m = nn.Embedding(10, 4, padding_idx=2)
    idx = torch.tensor([[0, 2, 5], [9, 2, 1]])
    y = m(idx)
    g = torch.Generator().manual_seed(1)
    w = torch.randn(y.shape, generator=g)
    (y * w).sum().backward()
    return {'repr': repr(m), 'state_dict': [[k, enc(v)] for k, v in m.state_dict().items()],
            'out': enc(y), 'grad_weight': enc(m.weight.grad)}


def init_cases():
    out = {}
    shapes = {'w2': [6, 4], 'w4': [4, 3, 3, 2]}
    fns = {
        'uniform': lambda t: nn.init.uniform_(t, -0.5, 2.0),
        'normal': lambda t: nn.init.normal_(t, 0.5, 2.0),
        'constant': lambda t: nn.init.constant_(t, 0.25),
        'xavier_uniform': lambda t: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain('relu')),
        'xavier_normal': lambda t: nn.init.xavier_normal_(t),
        'kaiming_uniform': lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5)),
        'kaiming_uniform_fanout_relu': lambda t: nn.init.kaiming_uniform_(t, mode='fan_out', nonlinearity='relu'),
        'kaiming_normal': lambda t: nn.init.kaiming_normal_(t),
        'kaiming_normal_fanout': lambda t: nn.init.kaiming_normal_(t, a=0.1, mode='fan_out'),
        'orthogonal': lambda t: nn.init.orthogonal_(t),
        'orthogonal_gain': lambda t: nn.init.orthogonal_(t, gain=2.0),
        'trunc_normal': lambda t: nn.init.trunc_normal_(t, 0.1, 0.5, -0.5, 1.0),
    }
    for fname, f in fns.items():
        for sname, shape in shapes.items():
            torch.manual_seed(3)
            t = torch.empty(shape)
            f(t)
            out[f'{fname}_{sname}'] = {'shape': shape, 'value': enc(t)}
    out['gains'] = {k: nn.init.calculate_gain(k) for k in ['linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu']}
    out['gains']['leaky_relu_0.2'] = nn.init.calculate_gain('leaky_relu', 0.2)
    return out


data = {'torch': torch.__version__, 'cases': {n: run_case(n, *spec) for n, spec in CASES.items()},
        'embedding': embedding_case(), 'init': init_cases()}
path = golden_dir.path('nn.json')
with open(path, 'w') as f:
    json.dump(data, f, separators=(',', ':'))
print(f'wrote {path}: {len(CASES)} layer cases, {os.path.getsize(path)} bytes')
