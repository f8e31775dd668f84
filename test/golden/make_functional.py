#!/usr/bin/python3
"""Golden values for test/functional.test.ts: sigprop/torch/nn/functional vs torch.nn.functional 1.13.

Run with Debian's PyTorch 1.13 (not the python3 on PATH):
    /usr/bin/python3 test/golden/make_functional.py
Writes test/golden/functional.json next to this file.

Every case is data, interpreted the same way here and in the TypeScript test:
  name     unique label
  fn       the function, camelCase (F.cross_entropy is 'crossEntropy'); Python calls its snake_case twin
  seed     torch.manual_seed(seed), then the inputs are drawn in order:
  inputs   [{name, gen: randn|rand|randint|values, shape, dtype, low/high (randint), values (values),
             post: [[op, arg?], ...] applied in order (abs, mul, add, softmax, log_softmax, sigmoid, gt0),
             grad: leaf with requires_grad}]
  clone    input names passed as x.clone() (for in-place calls on a leaf that requires grad)
  callSeed torch.manual_seed(callSeed) right before the call (dropout & co consume the default RNG)
  args     positional arguments; kwargs: keyword arguments (camelCase keys). In both, {"$": name}
           is an input tensor, {"dtype": name} a dtype; arrays are Python tuples.
  out      the outputs (a tuple/list output gives several); gradFn: output 0's grad_fn name or null;
  same     whether output 0 is the very object passed as the first argument (in-place calls)
  after    {input name: tensor} for inputs the call modifies in place (running stats, renormed weights)
  grads    {input name: tensor or null}: after torch.manual_seed(GRAD_SEED),
           w = torch.randn(out0.shape, dtype=out0.dtype) and (out0 * w).sum().backward()
  probe    the first value of every input, to tell an input mismatch from an output mismatch
A tensor is {dtype, shape, values}. float32 values are written as the shortest decimal that rounds
to the same float32 (exact after Math.fround); float64 as Python's repr (exact); nan/inf/-inf as the
strings 'nan'/'inf'/'-inf'; int64 as numbers; bool as true/false.
All at torch.set_num_threads(1): CPU results are then deterministic and must match bit for bit.
"""
import json
import math
import os
import re
import warnings

import pin_isa  # noqa: F401  (before torch and numpy: the BLAS they load reads its pins when it loads)
import numpy as np  # noqa: E402
import golden_dir  # noqa: E402  (test/golden/torch-<version>/)
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
warnings.filterwarnings('ignore')

GRAD_SEED = 7
DT = {
    torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16', torch.bfloat16: 'bfloat16',
    torch.int64: 'int64', torch.int32: 'int32', torch.uint8: 'uint8', torch.int8: 'int8', torch.int16: 'int16', torch.bool: 'bool',
}
BY_NAME = {v: k for k, v in DT.items()}


def camel(s):
    return re.sub(r'_([a-z0-9])', lambda m: m.group(1).upper(), s)


def snake(s):
    return re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), s)


def enc_float(v, dtype):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if dtype == torch.float32:
        short = float(str(np.float32(v)))  # str: numpy 2 repr() is "np.float32(...)"
        assert np.float32(short) == np.float32(v) and (v != 0 or math.copysign(1, short) == math.copysign(1, v))
        return short
    return float(v)


def spec(t):
    d = t.detach()
    flat = d.reshape(-1).tolist()
    if d.dtype.is_floating_point:
        vals = [enc_float(v, d.dtype) for v in flat]
    elif d.dtype == torch.bool:
        vals = [bool(v) for v in flat]
    else:
        vals = [int(v) for v in flat]
    return {'dtype': DT[d.dtype], 'shape': list(d.shape), 'values': vals}


# ---- case list ---------------------------------------------------------------------------------------------------
CASES = []


def I(name, shape, gen='randn', dtype='float32', grad=False, post=None, low=None, high=None, values=None):
    d = {'name': name, 'gen': gen, 'shape': list(shape), 'dtype': dtype, 'grad': grad}
    if post:
        d['post'] = [list(p) if isinstance(p, (list, tuple)) else [p] for p in post]
    if gen == 'randint':
        d['low'], d['high'] = low, high
    if gen == 'values':
        enc = lambda v: ('nan' if math.isnan(v) else ('inf' if v > 0 else '-inf')) if isinstance(v, float) and not math.isfinite(v) else v
        d['values'] = [enc(v) for v in values] if isinstance(values, list) else enc(values)
    return d


def X(name, *shape, **kw):
    """A float input that requires grad."""
    return I(name, shape, grad=True, **kw)


def R(name):
    return {'$': name}


def C(name, fn, inputs, args, kwargs=None, clone=None, call_seed=None, after=None):
    CASES.append({'name': name, 'fn': camel(fn), 'inputs': inputs, 'args': args, 'kwargs': kwargs,
                  'clone': clone or [], 'callSeed': call_seed, 'after': after or []})


inf, nan = math.inf, math.nan

# -- linear
C('linear/basic', 'linear', [X('x', 3, 4), X('w', 5, 4), X('b', 5)], [R('x'), R('w'), R('b')])
C('linear/nobias', 'linear', [X('x', 3, 4), X('w', 2, 4)], [R('x'), R('w')])
C('linear/3d_kwbias', 'linear', [X('x', 2, 3, 4), X('w', 2, 4), X('b', 2)], [R('x'), R('w')], {'bias': R('b')})
C('linear/f64', 'linear', [X('x', 3, 4, dtype='float64'), X('w', 2, 4, dtype='float64'), X('b', 2, dtype='float64')], [R('x'), R('w'), R('b')])
C('linear/vec_weight', 'linear', [X('x', 3, 4), X('w', 4)], [R('x'), R('w')])
C('bilinear/basic', 'bilinear', [X('a', 3, 2), X('b', 3, 4), X('w', 2, 2, 4), X('bias', 2)], [R('a'), R('b'), R('w'), R('bias')])
C('bilinear/nobias', 'bilinear', [X('a', 3, 2), X('b', 3, 4), X('w', 2, 2, 4)], [R('a'), R('b'), R('w')])

# -- convolution
C('conv1d/basic', 'conv1d', [X('x', 2, 3, 7), X('w', 2, 3, 3), X('b', 2)], [R('x'), R('w'), R('b')])
C('conv1d/stride_pad_dil', 'conv1d', [X('x', 1, 2, 9), X('w', 2, 2, 3)], [R('x'), R('w'), None, 2, 2, 2])
C('conv1d/same', 'conv1d', [X('x', 1, 2, 6), X('w', 2, 2, 4), X('b', 2)], [R('x'), R('w'), R('b')], {'padding': 'same'})
C('conv1d/groups', 'conv1d', [X('x', 1, 4, 6), X('w', 4, 2, 3)], [R('x'), R('w')], {'groups': 2, 'padding': [1]})
C('conv2d/basic', 'conv2d', [X('x', 2, 3, 5, 5), X('w', 2, 3, 3, 3), X('b', 2)], [R('x'), R('w'), R('b')])
C('conv2d/stride_pad', 'conv2d', [X('x', 1, 2, 6, 6), X('w', 2, 2, 3, 3)], [R('x'), R('w'), None, 2, 1])
C('conv2d/tuples', 'conv2d', [X('x', 1, 2, 6, 5), X('w', 2, 2, 2, 3), X('b', 2)], [R('x'), R('w'), R('b'), (1, 2), (2, 1), (2, 1)])
C('conv2d/same', 'conv2d', [X('x', 1, 2, 5, 5), X('w', 2, 2, 3, 3), X('b', 2)], [R('x'), R('w'), R('b'), 1, 'same'])
C('conv2d/same_even_dil', 'conv2d', [X('x', 1, 2, 5, 5), X('w', 1, 2, 2, 2)], [R('x'), R('w')], {'padding': 'same', 'dilation': 1})
C('conv2d/valid', 'conv2d', [X('x', 1, 2, 4, 5), X('w', 2, 2, 2, 2)], [R('x'), R('w'), None, 1, 'valid'])
C('conv2d/depthwise', 'conv2d', [X('x', 1, 3, 4, 4), X('w', 3, 1, 3, 3), X('b', 3)], [R('x'), R('w'), R('b')], {'groups': 3, 'padding': 1})
C('conv2d/kwargs', 'conv2d', [X('x', 1, 2, 7, 7), X('w', 4, 1, 3, 3), X('b', 4)], [R('x'), R('w')],
  {'bias': R('b'), 'stride': [2, 1], 'padding': [1, 0], 'dilation': [1, 2], 'groups': 2})
C('conv2d/f64', 'conv2d', [X('x', 1, 2, 4, 4, dtype='float64'), X('w', 2, 2, 3, 3, dtype='float64'), X('b', 2, dtype='float64')], [R('x'), R('w'), R('b'), 1, 1])
C('conv2d/unbatched', 'conv2d', [X('x', 2, 4, 4), X('w', 1, 2, 3, 3)], [R('x'), R('w')])
C('conv3d/basic', 'conv3d', [X('x', 1, 2, 3, 3, 3), X('w', 2, 2, 2, 2, 2), X('b', 2)], [R('x'), R('w'), R('b'), 1, 1])
C('convTranspose3d/basic', 'conv_transpose3d', [X('x', 1, 2, 2, 2, 2), X('w', 2, 1, 2, 2, 2), X('b', 1)], [R('x'), R('w'), R('b'), 2])
C('convTranspose1d/basic', 'conv_transpose1d', [X('x', 1, 2, 4), X('w', 2, 3, 3), X('b', 3)], [R('x'), R('w'), R('b'), 2, 1, 1])
C('convTranspose2d/basic', 'conv_transpose2d', [X('x', 1, 3, 3, 3), X('w', 3, 2, 3, 3), X('b', 2)], [R('x'), R('w'), R('b')])
C('convTranspose2d/stride_outpad', 'conv_transpose2d', [X('x', 2, 2, 3, 3), X('w', 2, 2, 3, 3)], [R('x'), R('w'), None, 2, 1, 1])
C('convTranspose2d/groups_dil', 'conv_transpose2d', [X('x', 1, 4, 3, 3), X('w', 4, 1, 2, 2), X('b', 2)], [R('x'), R('w'), R('b')],
  {'groups': 2, 'dilation': 2, 'stride': (1, 2)})

# -- pooling
C('maxPool2d/basic', 'max_pool2d', [X('x', 1, 2, 5, 5)], [R('x'), 2])
C('maxPool2d/stride_pad', 'max_pool2d', [X('x', 1, 2, 5, 5)], [R('x'), 3, 2, 1])
C('maxPool2d/ceil', 'max_pool2d', [X('x', 1, 1, 5, 5)], [R('x'), 2], {'stride': 2, 'ceil_mode': True})
C('maxPool2d/dilation', 'max_pool2d', [X('x', 1, 2, 6, 6)], [R('x'), (2, 3)], {'dilation': 2, 'stride': 1})
C('maxPool2d/indices', 'max_pool2d', [X('x', 2, 2, 4, 4)], [R('x'), 2], {'return_indices': True})
C('maxPool2d/indices_positional', 'max_pool2d', [X('x', 1, 2, 5, 4)], [R('x'), 3, 1, 1, 1, True, True])
C('maxPool2d/ties', 'max_pool2d', [I('x', (1, 1, 4, 4), gen='values', grad=True, values=[1, 1, 2, 2, 1, 1, 2, 2, 0, 3, 3, 0, 3, 0, 0, 3])], [R('x'), 2], {'return_indices': True})
C('maxPool1d/basic', 'max_pool1d', [X('x', 2, 3, 7)], [R('x'), 3], {'stride': 2, 'padding': 1})
C('maxPool1d/indices', 'max_pool1d', [X('x', 1, 2, 6)], [R('x'), 2], {'return_indices': True, 'ceil_mode': True, 'stride': 2})
C('avgPool2d/basic', 'avg_pool2d', [X('x', 1, 2, 4, 4)], [R('x'), 2])
C('avgPool2d/pad_ceil_exclude', 'avg_pool2d', [X('x', 1, 2, 5, 5)], [R('x'), 3, 2, 1, True, False])
C('avgPool2d/divisor', 'avg_pool2d', [X('x', 1, 1, 4, 5)], [R('x'), (2, 3)], {'stride': 1, 'divisor_override': 3})
C('avgPool3d/basic', 'avg_pool3d', [X('x', 1, 1, 3, 4, 4)], [R('x'), 2], {'stride': (1, 2, 2), 'padding': (1, 0, 1)})
C('adaptiveAvgPool3d/basic', 'adaptive_avg_pool3d', [X('x', 1, 2, 3, 4, 5)], [R('x'), (2, None, 3)])
C('avgPool1d/basic', 'avg_pool1d', [X('x', 1, 2, 7)], [R('x'), 3], {'stride': 2, 'padding': 1, 'count_include_pad': False})
C('adaptiveAvgPool2d/basic', 'adaptive_avg_pool2d', [X('x', 1, 2, 5, 7)], [R('x'), 3])
C('adaptiveAvgPool2d/none', 'adaptive_avg_pool2d', [X('x', 2, 2, 5, 4)], [R('x'), (2, None)])
C('adaptiveAvgPool2d/global', 'adaptive_avg_pool2d', [X('x', 2, 3, 4, 4)], [R('x'), (1, 1)])
C('adaptiveMaxPool2d/basic', 'adaptive_max_pool2d', [X('x', 1, 2, 5, 7)], [R('x'), (2, 3)])
C('adaptiveMaxPool2d/indices', 'adaptive_max_pool2d', [X('x', 1, 2, 5, 5)], [R('x'), 2, True])
C('adaptiveAvgPool1d/basic', 'adaptive_avg_pool1d', [X('x', 2, 2, 7)], [R('x'), 3])
C('adaptiveMaxPool1d/indices', 'adaptive_max_pool1d', [X('x', 2, 2, 7)], [R('x'), 3], {'return_indices': True})

# -- activations
SPECIAL = [-inf, -3.5, -1.0, -0.0, 0.0, 0.25, 1.0, 6.5, 30.0, inf, nan, -25.0]
C('relu/basic', 'relu', [X('x', 3, 5)], [R('x')])
C('relu/special', 'relu', [I('x', (12,), gen='values', grad=True, values=SPECIAL)], [R('x')])
C('relu/inplace', 'relu', [X('x', 3, 5)], [R('x'), True], clone=['x'])
C('relu6/basic', 'relu6', [X('x', 3, 5, post=[('mul', 5)])], [R('x')])
C('relu6/inplace', 'relu6', [X('x', 3, 5, post=[('mul', 5)])], [R('x')], {'inplace': True}, clone=['x'])
C('leakyRelu/default', 'leaky_relu', [X('x', 3, 5)], [R('x')])
C('leakyRelu/slope', 'leaky_relu', [X('x', 3, 5)], [R('x'), 0.2])
C('leakyRelu/inplace', 'leaky_relu', [X('x', 3, 5)], [R('x'), 0.3, True], clone=['x'])
C('elu/default', 'elu', [X('x', 3, 5)], [R('x')])
C('elu/alpha', 'elu', [X('x', 3, 5)], [R('x')], {'alpha': 0.5})
C('elu/inplace', 'elu', [X('x', 3, 5)], [R('x'), 1.5, True], clone=['x'])
C('elu/special', 'elu', [I('x', (12,), gen='values', grad=True, values=SPECIAL)], [R('x')])
C('selu/basic', 'selu', [X('x', 3, 5)], [R('x')])
C('selu/inplace', 'selu', [X('x', 3, 5)], [R('x'), True], clone=['x'])
C('celu/alpha', 'celu', [X('x', 3, 5)], [R('x'), 0.7])
C('gelu/none', 'gelu', [X('x', 3, 5, post=[('mul', 3)])], [R('x')])
C('gelu/tanh', 'gelu', [X('x', 3, 5, post=[('mul', 3)])], [R('x')], {'approximate': 'tanh'})
C('gelu/f64', 'gelu', [X('x', 3, 5, dtype='float64')], [R('x')])
C('silu/basic', 'silu', [X('x', 3, 5)], [R('x')])
C('silu/inplace', 'silu', [X('x', 3, 5)], [R('x')], {'inplace': True}, clone=['x'])
C('mish/basic', 'mish', [X('x', 3, 5, post=[('mul', 3)])], [R('x')])
C('softplus/default', 'softplus', [X('x', 3, 5, post=[('mul', 10)])], [R('x')])
C('softplus/beta_threshold', 'softplus', [X('x', 3, 5, post=[('mul', 3)])], [R('x'), 2, 1])
C('hardtanh/default', 'hardtanh', [X('x', 3, 5, post=[('mul', 2)])], [R('x')])
C('hardtanh/range', 'hardtanh', [X('x', 3, 5)], [R('x'), -0.5, 0.75])
C('hardtanh/inplace', 'hardtanh', [X('x', 3, 5)], [R('x')], {'min_val': -0.25, 'inplace': True}, clone=['x'])
C('sigmoid/basic', 'sigmoid', [X('x', 3, 5, post=[('mul', 4)])], [R('x')])
C('sigmoid/special', 'sigmoid', [I('x', (12,), gen='values', grad=True, values=SPECIAL)], [R('x')])
C('tanh/basic', 'tanh', [X('x', 3, 5, post=[('mul', 2)])], [R('x')])
C('hardsigmoid/basic', 'hardsigmoid', [X('x', 3, 5, post=[('mul', 4)])], [R('x')])
C('hardswish/basic', 'hardswish', [X('x', 3, 5, post=[('mul', 4)])], [R('x')])
C('logsigmoid/basic', 'logsigmoid', [X('x', 3, 5, post=[('mul', 4)])], [R('x')])
C('softsign/basic', 'softsign', [X('x', 3, 5)], [R('x')])
C('tanhshrink/basic', 'tanhshrink', [X('x', 3, 5)], [R('x')])
C('softshrink/basic', 'softshrink', [X('x', 3, 5)], [R('x'), 0.3])
C('hardshrink/basic', 'hardshrink', [X('x', 3, 5)], [R('x')])
C('threshold/basic', 'threshold', [X('x', 3, 5)], [R('x'), 0.1, 20.0])
C('glu/basic', 'glu', [X('x', 3, 4)], [R('x')])
C('glu/dim0', 'glu', [X('x', 4, 3)], [R('x'), 0])
C('prelu/channels', 'prelu', [X('x', 2, 3, 4), X('w', 3, post=[('mul', 0.25)])], [R('x'), R('w')])
C('rrelu/eval', 'rrelu', [X('x', 3, 5)], [R('x')])
C('rrelu/training', 'rrelu', [X('x', 3, 5)], [R('x'), 0.1, 0.4, True], call_seed=3)
C('softmax/dim1', 'softmax', [X('x', 3, 5, post=[('mul', 3)])], [R('x'), 1])
C('softmax/dim0', 'softmax', [X('x', 3, 5)], [R('x')], {'dim': 0})
C('softmax/dtype', 'softmax', [X('x', 3, 5)], [R('x'), -1], {'dtype': {'dtype': 'float64'}})
C('softmax/implicit_dim', 'softmax', [X('x', 2, 3, 4)], [R('x')])
C('softmax/special', 'softmax', [I('x', (2, 3), gen='values', grad=True, values=[-inf, 0.0, 1.0, 100.0, 100.0, -100.0])], [R('x'), 1])
C('logSoftmax/dim1', 'log_softmax', [X('x', 3, 5, post=[('mul', 3)])], [R('x'), 1])
C('logSoftmax/dtype', 'log_softmax', [X('x', 2, 3, 2)], [R('x'), 1], {'dtype': {'dtype': 'float64'}})
C('softmin/dim1', 'softmin', [X('x', 3, 5)], [R('x'), 1])

# -- dropout (the default generator is seeded right before the call)
C('dropout/p05', 'dropout', [X('x', 4, 6)], [R('x')], call_seed=1)
C('dropout/p02', 'dropout', [X('x', 4, 6)], [R('x'), 0.2], call_seed=2)
C('dropout/f64', 'dropout', [X('x', 3, 5, dtype='float64')], [R('x'), 0.3], call_seed=3)
C('dropout/eval', 'dropout', [X('x', 3, 4)], [R('x'), 0.5, False], call_seed=4)
C('dropout/p0', 'dropout', [X('x', 3, 4)], [R('x'), 0.0], call_seed=5)
C('dropout/p1', 'dropout', [X('x', 3, 4)], [R('x'), 1.0], call_seed=6)
C('dropout/inplace', 'dropout', [X('x', 4, 5)], [R('x')], {'p': 0.4, 'inplace': True}, clone=['x'], call_seed=7)
C('dropout/large', 'dropout', [I('x', (40, 25), grad=True)], [R('x'), 0.5], call_seed=8)
C('dropout2d/4d', 'dropout2d', [X('x', 2, 4, 3, 3)], [R('x')], call_seed=9)
C('dropout2d/3d', 'dropout2d', [X('x', 2, 4, 3)], [R('x'), 0.3], call_seed=10)
C('dropout2d/inplace', 'dropout2d', [X('x', 2, 3, 2, 2)], [R('x'), 0.5, True, True], clone=['x'], call_seed=11)
C('dropout2d/eval', 'dropout2d', [X('x', 2, 3, 2, 2)], [R('x')], {'training': False}, call_seed=12)
C('dropout1d/batched', 'dropout1d', [X('x', 2, 4, 3)], [R('x')], call_seed=13)
C('dropout1d/unbatched', 'dropout1d', [X('x', 4, 3)], [R('x'), 0.5], call_seed=14)
C('dropout1d/unbatched_inplace', 'dropout1d', [X('x', 4, 3)], [R('x')], {'inplace': True}, clone=['x'], call_seed=15)
C('dropout3d/unbatched', 'dropout3d', [X('x', 3, 2, 2, 2)], [R('x'), 0.5], call_seed=16)
C('alphaDropout/train', 'alpha_dropout', [X('x', 4, 5)], [R('x'), 0.3, True], call_seed=17)
C('alphaDropout/default_eval', 'alpha_dropout', [X('x', 4, 5)], [R('x'), 0.3], call_seed=18)
C('featureAlphaDropout/train', 'feature_alpha_dropout', [X('x', 2, 4, 3)], [R('x'), 0.5, True], call_seed=19)

# -- normalization
POS = [('abs',), ('add', 0.5)]
C('batchNorm/train_stats', 'batch_norm', [X('x', 4, 3), I('rm', (3,)), I('rv', (3,), post=POS), X('w', 3), X('b', 3)],
  [R('x'), R('rm'), R('rv'), R('w'), R('b'), True], after=['rm', 'rv'])
C('batchNorm/train_4d', 'batch_norm', [X('x', 2, 3, 2, 3), I('rm', (3,)), I('rv', (3,), post=POS)],
  [R('x'), R('rm'), R('rv')], {'training': True, 'momentum': 0.3, 'eps': 1e-3}, after=['rm', 'rv'])
C('batchNorm/eval', 'batch_norm', [X('x', 4, 3, 2), I('rm', (3,)), I('rv', (3,), post=POS), X('w', 3), X('b', 3)],
  [R('x'), R('rm'), R('rv'), R('w'), R('b')])
C('batchNorm/no_stats', 'batch_norm', [X('x', 5, 2), X('w', 2)], [R('x'), None, None, R('w'), None, True])
C('batchNorm/f64', 'batch_norm', [X('x', 4, 2, dtype='float64'), I('rm', (2,), dtype='float64'), I('rv', (2,), dtype='float64', post=POS)],
  [R('x'), R('rm'), R('rv')], {'training': True}, after=['rm', 'rv'])
C('instanceNorm/basic', 'instance_norm', [X('x', 2, 3, 5)], [R('x')])
C('instanceNorm/affine', 'instance_norm', [X('x', 2, 3, 2, 3), X('w', 3), X('b', 3)], [R('x')], {'weight': R('w'), 'bias': R('b'), 'eps': 1e-3})
C('instanceNorm/stats', 'instance_norm', [X('x', 2, 3, 4), I('rm', (3,)), I('rv', (3,), post=POS)], [R('x'), R('rm'), R('rv')], {'momentum': 0.2}, after=['rm', 'rv'])
C('instanceNorm/eval_stats', 'instance_norm', [X('x', 2, 3, 4), I('rm', (3,)), I('rv', (3,), post=POS)], [R('x'), R('rm'), R('rv'), None, None, False])
C('layerNorm/basic', 'layer_norm', [X('x', 3, 5)], [R('x'), (5,)])
C('layerNorm/affine', 'layer_norm', [X('x', 2, 3, 4), X('w', 3, 4), X('b', 3, 4)], [R('x'), [3, 4], R('w'), R('b')])
C('layerNorm/eps', 'layer_norm', [X('x', 2, 4), X('w', 4)], [R('x'), [4]], {'weight': R('w'), 'eps': 0.1})
C('groupNorm/basic', 'group_norm', [X('x', 2, 4, 3), X('w', 4), X('b', 4)], [R('x'), 2, R('w'), R('b')])
C('groupNorm/one_group', 'group_norm', [X('x', 2, 3, 2, 2)], [R('x'), 1], {'eps': 1e-2})
C('localResponseNorm/3d', 'local_response_norm', [X('x', 2, 5, 3)], [R('x'), 3])
C('localResponseNorm/4d', 'local_response_norm', [X('x', 1, 4, 2, 3)], [R('x'), 2], {'alpha': 0.1, 'beta': 0.5, 'k': 2.0})
C('normalize/default', 'normalize', [X('x', 3, 4)], [R('x')])
C('normalize/p1_dim0', 'normalize', [X('x', 3, 4)], [R('x'), 1.0, 0])
C('normalize/eps', 'normalize', [X('x', 2, 3, post=[('mul', 0.01)])], [R('x')], {'eps': 0.05, 'dim': -1})
C('normalize/zero_row', 'normalize', [I('x', (2, 3), gen='values', grad=True, values=[0, 0, 0, 1, -2, 2])], [R('x')])

# -- distances
C('pairwiseDistance/default', 'pairwise_distance', [X('a', 3, 4), X('b', 3, 4)], [R('a'), R('b')])
C('pairwiseDistance/p1_keepdim', 'pairwise_distance', [X('a', 3, 4), X('b', 1, 4)], [R('a'), R('b'), 1.0], {'keepdim': True})
C('cosineSimilarity/default', 'cosine_similarity', [X('a', 3, 4), X('b', 3, 4)], [R('a'), R('b')])
C('cosineSimilarity/dim0', 'cosine_similarity', [X('a', 3, 4), X('b', 3, 4)], [R('a'), R('b'), 0, 1e-3])
C('pdist/basic', 'pdist', [X('x', 4, 3)], [R('x')])

# -- sparse
C('embedding/basic', 'embedding', [I('i', (2, 3), gen='randint', dtype='int64', low=0, high=6), X('w', 6, 3)], [R('i'), R('w')])
C('embedding/padding_idx', 'embedding', [I('i', (5,), gen='values', dtype='int64', values=[2, 0, 2, 4, 1]), X('w', 5, 2)], [R('i'), R('w'), 2])
C('embedding/padding_idx_neg', 'embedding', [I('i', (4,), gen='values', dtype='int64', values=[4, 0, 4, 3]), X('w', 5, 2)], [R('i'), R('w')], {'padding_idx': -1})
C('embedding/max_norm', 'embedding', [I('i', (2, 2), gen='values', dtype='int64', values=[1, 3, 3, 0]), X('w', 5, 3, post=[('mul', 2)])],
  [R('i'), R('w')], {'max_norm': 1.0}, after=['w'])
C('embedding/max_norm_p1', 'embedding', [I('i', (3,), gen='values', dtype='int64', values=[0, 2, 0]), X('w', 3, 4)],
  [R('i'), R('w'), None, 0.5, 1.0], after=['w'])
C('embedding/scale_grad', 'embedding', [I('i', (6,), gen='values', dtype='int64', values=[1, 1, 2, 1, 0, 2]), X('w', 3, 2)], [R('i'), R('w')], {'scale_grad_by_freq': True})
C('oneHot/default', 'one_hot', [I('i', (4,), gen='values', dtype='int64', values=[0, 2, 1, 3])], [R('i')])
C('oneHot/classes', 'one_hot', [I('i', (2, 2), gen='values', dtype='int64', values=[0, 2, 1, 1])], [R('i'), 5])

# -- losses
T4 = I('t', (4,), gen='randint', dtype='int64', low=0, high=3)
C('crossEntropy/basic', 'cross_entropy', [X('x', 4, 3), T4], [R('x'), R('t')])
C('crossEntropy/weight', 'cross_entropy', [X('x', 4, 3), T4, I('w', (3,), post=POS)], [R('x'), R('t'), R('w')])
C('crossEntropy/ignore_index', 'cross_entropy', [X('x', 5, 3), I('t', (5,), gen='values', dtype='int64', values=[0, -100, 2, 1, -100])], [R('x'), R('t')])
C('crossEntropy/ignore_custom_sum', 'cross_entropy', [X('x', 5, 3), I('t', (5,), gen='values', dtype='int64', values=[0, 1, 2, 1, 1])], [R('x'), R('t')],
  {'ignore_index': 1, 'reduction': 'sum'})
C('crossEntropy/none', 'cross_entropy', [X('x', 4, 3), T4], [R('x'), R('t')], {'reduction': 'none'})
C('crossEntropy/smoothing', 'cross_entropy', [X('x', 4, 3), T4], [R('x'), R('t')], {'label_smoothing': 0.1})
C('crossEntropy/smoothing_weight_ignore', 'cross_entropy', [X('x', 5, 3), I('t', (5,), gen='values', dtype='int64', values=[0, 2, 2, 1, 0]), I('w', (3,), post=POS)],
  [R('x'), R('t'), R('w')], {'label_smoothing': 0.2, 'ignore_index': 0})
C('crossEntropy/probs', 'cross_entropy', [X('x', 4, 3), I('t', (4, 3), post=[('softmax', 1)])], [R('x'), R('t')])
C('crossEntropy/probs_smoothing_weight', 'cross_entropy', [X('x', 4, 3), I('t', (4, 3), post=[('softmax', 1)]), I('w', (3,), post=POS)],
  [R('x'), R('t'), R('w')], {'label_smoothing': 0.3, 'reduction': 'sum'})
C('crossEntropy/probs_grad_target', 'cross_entropy', [X('x', 3, 4), X('t', 3, 4, post=[('softmax', 1)])], [R('x'), R('t')], {'reduction': 'none'})
C('crossEntropy/spatial', 'cross_entropy', [X('x', 2, 3, 2, 2), I('t', (2, 2, 2), gen='randint', dtype='int64', low=0, high=3)], [R('x'), R('t')])
C('crossEntropy/unbatched', 'cross_entropy', [X('x', 4), I('t', (), gen='values', dtype='int64', values=2)], [R('x'), R('t')])
C('crossEntropy/f64', 'cross_entropy', [X('x', 4, 3, dtype='float64'), T4], [R('x'), R('t')], {'label_smoothing': 0.05})
C('nllLoss/basic', 'nll_loss', [X('x', 4, 3, post=[('log_softmax', 1)]), T4], [R('x'), R('t')])
C('nllLoss/weight_sum', 'nll_loss', [X('x', 4, 3), T4, I('w', (3,), post=POS)], [R('x'), R('t'), R('w')], {'reduction': 'sum'})
C('nllLoss/ignore_none', 'nll_loss', [X('x', 4, 3), I('t', (4,), gen='values', dtype='int64', values=[1, 0, 1, 2])], [R('x'), R('t')], {'ignore_index': 1, 'reduction': 'none'})
C('nllLoss/spatial', 'nll_loss', [X('x', 2, 3, 3), I('t', (2, 3), gen='randint', dtype='int64', low=0, high=3)], [R('x'), R('t')])
C('mseLoss/mean', 'mse_loss', [X('x', 3, 4), X('y', 3, 4)], [R('x'), R('y')])
C('mseLoss/sum', 'mse_loss', [X('x', 3, 4), I('y', (3, 4))], [R('x'), R('y')], {'reduction': 'sum'})
C('mseLoss/none_broadcast', 'mse_loss', [X('x', 3, 4), X('y', 3, 1)], [R('x'), R('y')], {'reduction': 'none'})
C('l1Loss/mean', 'l1_loss', [X('x', 3, 4), X('y', 3, 4)], [R('x'), R('y')])
C('l1Loss/none', 'l1_loss', [X('x', 3, 4), I('y', (3, 4))], [R('x'), R('y')], {'reduction': 'none'})
C('smoothL1Loss/default', 'smooth_l1_loss', [X('x', 3, 4, post=[('mul', 2)]), X('y', 3, 4)], [R('x'), R('y')])
C('smoothL1Loss/beta_sum', 'smooth_l1_loss', [X('x', 3, 4), I('y', (3, 4))], [R('x'), R('y')], {'beta': 0.5, 'reduction': 'sum'})
C('smoothL1Loss/beta0', 'smooth_l1_loss', [X('x', 3, 4), I('y', (3, 4))], [R('x'), R('y')], {'beta': 0.0})
C('huberLoss/default', 'huber_loss', [X('x', 3, 4, post=[('mul', 2)]), X('y', 3, 4)], [R('x'), R('y')])
C('huberLoss/delta_none', 'huber_loss', [X('x', 3, 4), I('y', (3, 4))], [R('x'), R('y'), 'none', 0.5])
C('binaryCrossEntropy/mean', 'binary_cross_entropy', [X('x', 3, 4, post=[('sigmoid',)]), I('y', (3, 4), gen='rand')], [R('x'), R('y')])
C('binaryCrossEntropy/weight', 'binary_cross_entropy', [X('x', 3, 4, post=[('sigmoid',)]), I('y', (3, 4), gen='rand'), I('w', (4,), post=POS)], [R('x'), R('y'), R('w')])
C('binaryCrossEntropy/none_sum_edges', 'binary_cross_entropy',
  [I('x', (6,), gen='values', grad=True, values=[0.0, 1.0, 1e-8, 0.5, 0.999999, 0.25]), I('y', (6,), gen='values', values=[0.0, 1.0, 1.0, 0.5, 0.0, 1.0])],
  [R('x'), R('y')], {'reduction': 'none'})
C('binaryCrossEntropy/sum', 'binary_cross_entropy', [X('x', 5, post=[('sigmoid',)]), X('y', 5, gen='rand')], [R('x'), R('y')], {'reduction': 'sum'})
C('bceWithLogits/mean', 'binary_cross_entropy_with_logits', [X('x', 3, 4, post=[('mul', 3)]), I('y', (3, 4), gen='rand')], [R('x'), R('y')])
C('bceWithLogits/weight', 'binary_cross_entropy_with_logits', [X('x', 3, 4), I('y', (3, 4), gen='rand'), I('w', (3, 1), post=POS)], [R('x'), R('y'), R('w')])
C('bceWithLogits/pos_weight_none', 'binary_cross_entropy_with_logits', [X('x', 3, 4), X('y', 3, 4, gen='rand'), I('pw', (4,), post=POS)],
  [R('x'), R('y')], {'pos_weight': R('pw'), 'reduction': 'none'})
C('bceWithLogits/all_sum', 'binary_cross_entropy_with_logits', [X('x', 2, 3), I('y', (2, 3), gen='rand'), I('w', (3,), post=POS), I('pw', (3,), post=POS)],
  [R('x'), R('y'), R('w')], {'pos_weight': R('pw'), 'reduction': 'sum'})
KLI = X('x', 3, 4, post=[('log_softmax', 1)])
KLT = I('t', (3, 4), post=[('softmax', 1)])
C('klDiv/mean', 'kl_div', [KLI, KLT], [R('x'), R('t')])
C('klDiv/batchmean', 'kl_div', [KLI, KLT], [R('x'), R('t')], {'reduction': 'batchmean'})
C('klDiv/sum', 'kl_div', [KLI, KLT], [R('x'), R('t')], {'reduction': 'sum'})
C('klDiv/none_grad_target', 'kl_div', [KLI, X('t', 3, 4, post=[('softmax', 1)])], [R('x'), R('t')], {'reduction': 'none'})
C('klDiv/log_target_batchmean', 'kl_div', [KLI, X('t', 3, 4, post=[('log_softmax', 1)])], [R('x'), R('t')], {'reduction': 'batchmean', 'log_target': True})
C('klDiv/zero_target', 'kl_div', [X('x', 4), I('t', (4,), gen='values', values=[0.0, 0.5, 0.5, 0.0])], [R('x'), R('t')], {'reduction': 'sum'})
PM1 = I('y', (4,), gen='values', values=[1.0, -1.0, -1.0, 1.0])
C('marginRankingLoss/basic', 'margin_ranking_loss', [X('a', 4), X('b', 4), PM1], [R('a'), R('b'), R('y'), 0.3])
C('hingeEmbeddingLoss/basic', 'hinge_embedding_loss', [X('x', 4, post=[('abs',)]), PM1], [R('x'), R('y')], {'margin': 1.5, 'reduction': 'sum'})
C('softMarginLoss/basic', 'soft_margin_loss', [X('x', 4), PM1], [R('x'), R('y')])
C('cosineEmbeddingLoss/basic', 'cosine_embedding_loss', [X('a', 4, 3), X('b', 4, 3), PM1], [R('a'), R('b'), R('y')], {'margin': 0.2, 'reduction': 'none'})
C('multiMarginLoss/p1', 'multi_margin_loss', [X('x', 4, 3), T4], [R('x'), R('t')])
C('multiMarginLoss/p2_weight', 'multi_margin_loss', [X('x', 4, 3), T4, I('w', (3,), post=POS)], [R('x'), R('t'), 2, 0.5, R('w')], {'reduction': 'sum'})
C('multilabelSoftMarginLoss/basic', 'multilabel_soft_margin_loss', [X('x', 3, 4), I('y', (3, 4), gen='values', values=[1., 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0])], [R('x'), R('y')])
C('multilabelSoftMarginLoss/weight_none', 'multilabel_soft_margin_loss', [X('x', 3, 4), I('y', (3, 4), gen='rand'), I('w', (4,), post=POS)],
  [R('x'), R('y'), R('w')], {'reduction': 'none'})
C('poissonNllLoss/log', 'poisson_nll_loss', [X('x', 3, 4), I('y', (3, 4), gen='rand', post=[('mul', 3)])], [R('x'), R('y')])
C('poissonNllLoss/full_nolog', 'poisson_nll_loss', [X('x', 3, 4, post=POS), I('y', (3, 4), gen='rand', post=[('mul', 3)])], [R('x'), R('y'), False, True], {'reduction': 'sum'})
C('gaussianNllLoss/basic', 'gaussian_nll_loss', [X('x', 3, 4), X('y', 3, 4), X('v', 3, 4, post=POS)], [R('x'), R('y'), R('v')])
C('gaussianNllLoss/homo_full', 'gaussian_nll_loss', [X('x', 3, 4), I('y', (3, 4)), X('v', 3, post=[('abs',), ('mul', 1e-5)])], [R('x'), R('y'), R('v'), True], {'reduction': 'none'})
C('tripletMarginLoss/basic', 'triplet_margin_loss', [X('a', 3, 4), X('p', 3, 4), X('n', 3, 4)], [R('a'), R('p'), R('n')])
C('tripletMarginLoss/swap', 'triplet_margin_loss', [X('a', 3, 4), X('p', 3, 4), X('n', 3, 4)], [R('a'), R('p'), R('n'), 0.5, 1.0], {'swap': True, 'reduction': 'none'})

# -- vision
C('pad/constant', 'pad', [X('x', 2, 3)], [R('x'), (1, 2)])
C('pad/constant_value_2d', 'pad', [X('x', 1, 2, 3)], [R('x'), (1, 0, 2, 1), 'constant', 0.5])
C('pad/constant_negative', 'pad', [X('x', 2, 4)], [R('x'), (-1, 2, 0, 1)])
C('pad/reflect_1d', 'pad', [X('x', 1, 2, 5)], [R('x'), (2, 3), 'reflect'])
C('pad/reflect_2d', 'pad', [X('x', 1, 2, 3, 4)], [R('x'), (1, 2, 2, 0)], {'mode': 'reflect'})
C('pad/replicate_2d', 'pad', [X('x', 1, 1, 3, 3)], [R('x'), (2, 1, 1, 2)], {'mode': 'replicate'})
C('pad/replicate_3d', 'pad', [X('x', 1, 1, 2, 2, 2)], [R('x'), (1, 0, 0, 1, 1, 1)], {'mode': 'replicate'})
C('pad/circular_2d', 'pad', [X('x', 1, 1, 3, 4)], [R('x'), (1, 2, 1, 0)], {'mode': 'circular'})
C('pad/circular_1d', 'pad', [X('x', 1, 2, 4)], [R('x'), (2, 1), 'circular'])
IMG = X('x', 1, 2, 3, 4)
C('interpolate/nearest_size', 'interpolate', [IMG], [R('x'), (5, 7)])
C('interpolate/nearest_int_size', 'interpolate', [IMG], [R('x'), 6])
C('interpolate/nearest_scale2', 'interpolate', [IMG], [R('x')], {'scale_factor': 2})
C('interpolate/nearest_scale_frac', 'interpolate', [IMG], [R('x'), None, 1.7])
C('interpolate/nearest_scale_recompute', 'interpolate', [IMG], [R('x')], {'scale_factor': 1.7, 'recompute_scale_factor': True})
C('interpolate/nearest_exact', 'interpolate', [IMG], [R('x')], {'size': (5, 5), 'mode': 'nearest-exact'})
C('interpolate/nearest_1d', 'interpolate', [X('x', 1, 2, 5)], [R('x')], {'scale_factor': 1.5})
C('interpolate/linear_1d', 'interpolate', [X('x', 1, 2, 4)], [R('x'), 7], {'mode': 'linear'})
C('interpolate/linear_1d_align', 'interpolate', [X('x', 1, 2, 4)], [R('x'), None, 2.5, 'linear', True])
C('interpolate/bilinear_size', 'interpolate', [IMG], [R('x'), (5, 6), None, 'bilinear'])
C('interpolate/bilinear_align', 'interpolate', [IMG], [R('x')], {'size': (5, 6), 'mode': 'bilinear', 'align_corners': True})
C('interpolate/bilinear_scale', 'interpolate', [IMG], [R('x')], {'scale_factor': (1.5, 2.25), 'mode': 'bilinear'})
C('interpolate/bilinear_down_aa', 'interpolate', [X('x', 1, 1, 6, 7)], [R('x')], {'size': (3, 4), 'mode': 'bilinear', 'antialias': True})
C('interpolate/bicubic', 'interpolate', [IMG], [R('x')], {'scale_factor': 2, 'mode': 'bicubic'})
C('interpolate/bicubic_align_aa', 'interpolate', [X('x', 1, 1, 6, 6)], [R('x'), (4, 3), None, 'bicubic', True, None, True])
C('interpolate/area_size', 'interpolate', [X('x', 1, 2, 6, 5)], [R('x'), (4, 2)], {'mode': 'area'})
C('interpolate/area_scale', 'interpolate', [X('x', 1, 2, 6, 5)], [R('x')], {'scale_factor': 0.5, 'mode': 'area'})
C('interpolate/trilinear', 'interpolate', [X('x', 1, 1, 2, 2, 3)], [R('x')], {'scale_factor': (1.5, 1, 2), 'mode': 'trilinear'})
C('interpolate/nearest_3d', 'interpolate', [X('x', 1, 1, 2, 2, 2)], [R('x'), (3, 2, 4)])
C('interpolate/f64', 'interpolate', [X('x', 1, 1, 3, 3, dtype='float64')], [R('x')], {'scale_factor': 1.5, 'mode': 'bilinear'})
C('pixelShuffle/basic', 'pixel_shuffle', [X('x', 1, 8, 2, 3)], [R('x'), 2])
C('pixelUnshuffle/basic', 'pixel_unshuffle', [X('x', 1, 2, 4, 6)], [R('x'), 2])


# ---- run --------------------------------------------------------------------------------------------------------
def make_input(d):
    dt = BY_NAME[d['dtype']]
    shape = tuple(d['shape'])
    g = d['gen']
    if g == 'randn':
        t = torch.randn(shape, dtype=dt)
    elif g == 'rand':
        t = torch.rand(shape, dtype=dt)
    elif g == 'randint':
        t = torch.randint(d['low'], d['high'], shape, dtype=dt)
    elif g == 'values':
        dec = lambda v: float(v) if isinstance(v, str) else v
        vals = [dec(v) for v in d['values']] if isinstance(d['values'], list) else dec(d['values'])
        t = torch.tensor(vals, dtype=torch.float64).to(dt).reshape(shape)
    else:
        raise ValueError(g)
    for p in d.get('post', []):
        o = p[0]
        if o == 'abs':
            t = t.abs()
        elif o == 'mul':
            t = t.mul(p[1])
        elif o == 'add':
            t = t.add(p[1])
        elif o == 'softmax':
            t = t.softmax(p[1])
        elif o == 'log_softmax':
            t = t.log_softmax(p[1])
        elif o == 'sigmoid':
            t = t.sigmoid()
        else:
            raise ValueError(o)
    if d['grad']:
        t.requires_grad_()
    return t


def decode(v, ins):
    if isinstance(v, dict):
        if '$' in v:
            return ins[v['$']]
        if 'dtype' in v:
            return BY_NAME[v['dtype']]
        raise ValueError(v)
    if isinstance(v, (list, tuple)):
        return tuple(decode(x, ins) for x in v)
    return v


def encode_arg(v):
    if isinstance(v, tuple):
        return [encode_arg(x) for x in v]
    if isinstance(v, list):
        return [encode_arg(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError('non-finite argument')
    return v


def run_case(c):
    torch.manual_seed(c['seed'])
    ins = {}
    for d in c['inputs']:
        ins[d['name']] = make_input(d)
    probe = {}
    for k, t in ins.items():
        probe[k] = spec(t.detach().reshape(-1)[:1])['values'][0] if t.numel() else None
    call_ins = dict(ins)
    for k in c['clone']:
        call_ins[k] = ins[k].clone()
    if c['callSeed'] is not None:
        torch.manual_seed(c['callSeed'])
    fn = getattr(F, snake(c['fn']))
    args = [decode(a, call_ins) for a in c['args']]
    kwargs = {snake(k): decode(v, call_ins) for k, v in (c['kwargs'] or {}).items()}
    r = fn(*args, **kwargs)
    outs = list(r) if isinstance(r, (list, tuple)) else [r]
    first = c['args'][0]
    same = isinstance(first, dict) and '$' in first and outs[0] is call_ins[first['$']]
    res = {
        'out': [spec(o) for o in outs],
        'gradFn': type(outs[0].grad_fn).__name__ if outs[0].grad_fn is not None else None,
        'same': same,
        'after': {k: spec(ins[k]) for k in c['after']},
        'probe': probe,
    }
    o = outs[0]
    grads = {}
    if o.requires_grad and o.dtype.is_floating_point:
        torch.manual_seed(GRAD_SEED)
        w = torch.randn(o.shape, dtype=o.dtype)
        (o * w).sum().backward()
        for d in c['inputs']:
            if d['grad']:
                g = ins[d['name']].grad
                grads[d['name']] = None if g is None else spec(g)
    res['grads'] = grads
    return res


def main():
    names = set()
    cases = []
    for i, c in enumerate(CASES):
        assert c['name'] not in names, c['name']
        names.add(c['name'])
        c = dict(c)
        c['seed'] = 1000 + i
        c['args'] = [encode_arg(a) for a in c['args']]
        c['kwargs'] = {camel(k): encode_arg(v) for k, v in c['kwargs'].items()} if c['kwargs'] else None
        res = run_case(c)
        c.update(res)
        cases.append(c)
    path = golden_dir.path('functional.json')
    head = json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'gradSeed': GRAD_SEED}, separators=(',', ':'))
    body = ',\n'.join(json.dumps(c, allow_nan=False, separators=(',', ':')) for c in cases)
    text = head[:-1] + ',"cases":[\n' + body + '\n]}\n'
    json.loads(text)
    assert len(text) < 600_000, f'functional.json would be {len(text)} bytes'
    with open(path, 'w') as f:
        f.write(text)
    fns = sorted({c['fn'] for c in cases})
    print(f'wrote {path}: {len(cases)} cases of {len(fns)} functions, {len(text)} bytes')


if __name__ == '__main__':
    main()
