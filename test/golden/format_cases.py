#!/usr/bin/python3
"""Golden-value generator for lib/torch/format.ts (port of torch/_tensor_str.py).

Run with Debian's PyTorch 1.13:   /usr/bin/python3 test/golden/format_cases.py
Writes test/golden/format.json next to this file.

Each case records the print options in force, the tensor's shape / dtype /
device / flat row-major values / autograd state, and `expected` = repr(t).
Values: nan/inf/-inf are the strings 'nan'/'inf'/'-inf'; int64 values beyond
2^53 are decimal strings; float16/bfloat16 are widened to float32 values.

There is no CUDA here, so the few "cuda:0" cases use a torch.Tensor subclass
named `tensor` whose `device` property reports cuda:0: _str_intern then prints
the prefix "tensor(" and the suffix device='cuda:0' exactly as for a real CUDA
tensor (the generator checks that the data part is identical to the plain
CPU tensor's).

A second section, "numfmt", holds Python's own '{:.Nf}' / '{:.Ne}' output for
tricky doubles, for unit tests of the number-format helpers.
"""
import json
import math
import os
import random
import struct

import pin_isa  # noqa: F401  (before torch: same kernels on every AVX2 machine)
import golden_dir  # noqa: E402  (test/golden/torch-<version>/)
import torch
import torch._tensor_str as ts

DTYPE_NAMES = {
    torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16',
    torch.bfloat16: 'bfloat16', torch.int64: 'int64', torch.int32: 'int32',
    torch.int16: 'int16', torch.int8: 'int8', torch.uint8: 'uint8', torch.bool: 'bool',
}


class tensor(torch.Tensor):  # noqa: N801  (name chosen so that repr prints "tensor(")
    """Pretends to live on cuda:0 (only `device` is overridden)."""
    @property
    def device(self):
        return torch.device('cuda:0')


def current_opts():
    o = ts.PRINT_OPTS
    thr = o.threshold
    return {
        'precision': o.precision,
        'threshold': 'inf' if thr == math.inf else thr,
        'edgeitems': o.edgeitems,
        'linewidth': o.linewidth,
        'sciMode': o.sci_mode,
    }


def enc_float(v):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def encode_values(t):
    t = t.detach()
    if type(t) is not torch.Tensor:
        t = t.as_subclass(torch.Tensor)
    flat = t.reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()
    vals = flat.tolist()
    if t.dtype.is_floating_point:
        return [enc_float(v) for v in vals]
    if t.dtype == torch.int64:
        return [str(v) if abs(v) > 2 ** 53 else v for v in vals]
    return vals


def grad_fn_name(t):
    if t.grad_fn is None:
        return None
    name = type(t.grad_fn).__name__
    if name == 'CppFunction':
        name = t.grad_fn.name().rsplit('::', 1)[-1]
    return name


cases = []


def add(name, t, **opts):
    """Record repr(t) under the given torch.set_printoptions(**opts), then reset."""
    if opts:
        torch.set_printoptions(**opts)
    try:
        expected = repr(t)
        device = 'cuda:0' if isinstance(t, tensor) else str(t.device)
        if isinstance(t, tensor):
            plain = t.detach().as_subclass(torch.Tensor)
            with torch._C.DisableTorchFunction():  # as Tensor.__repr__ does for subclasses
                assert ts._tensor_str(t.detach(), 7) == ts._tensor_str(plain, 7), name
        cases.append({
            'name': name,
            'options': current_opts(),
            'shape': list(t.shape),
            'dtype': DTYPE_NAMES[t.dtype],
            'device': device,
            'values': encode_values(t),
            'requiresGrad': bool(t.requires_grad),
            'gradFn': grad_fn_name(t),
            'expected': expected,
        })
    finally:
        torch.set_printoptions(profile='default')  # also resets sci_mode to None


nan, inf = float('nan'), float('inf')
T = torch.tensor

# ---- 0-d tensors -------------------------------------------------------------
add('scalar float', T(3.5))
add('scalar float zero', T(0.))
add('scalar float negzero', T(-0.))
add('scalar float nan', T(nan))
add('scalar float inf', T(inf))
add('scalar float -inf', T(-inf))
add('scalar float tiny', T(1.5e-7))
add('scalar float huge', T(3e12))
add('scalar float integer', T(-42.))
add('scalar float64', T(1.23456789, dtype=torch.float64))
add('scalar float16', T(0.333, dtype=torch.float16))
add('scalar bfloat16', T(-2.7, dtype=torch.bfloat16))
add('scalar int64', T(5))
add('scalar int32', T(-7, dtype=torch.int32))
add('scalar uint8', T(255, dtype=torch.uint8))
add('scalar bool', T(True))
add('scalar bool false', T(False))
add('scalar requires_grad', T(2.5, requires_grad=True))
_a = T(2.0, requires_grad=True)
add('scalar grad_fn', (_a * 3).sum())

# ---- 1-d float ---------------------------------------------------------------
add('1d float', T([1.5, -2.25, 3.125]))
add('1d all-integer floats', T([1., 2., 3.]))
add('1d integer floats negative', T([-1., 0., 100.]))
add('1d integer floats ratio>1000 -> sci', T([1., 1e5, -3.]))
add('1d integer floats >1e8 -> sci', T([1e9, 2.]))
add('1d tiny -> sci', T([1e-5, 2e-5, -3.3e-5]))
add('1d min<1e-4 -> sci', T([5e-5, 0.5]))
add('1d ratio<=1000 fixed', T([1e-3, 1.0]))
add('1d ratio>1000 sci', T([1e-3, 10.5]))
add('1d large float32', T([3.4e38, -1.5]))
add('1d nan inf', T([nan, 1.5, inf, -inf]))
add('1d nan inf integer', T([nan, 1., inf, -10.]))
add('1d all nan', T([nan, nan]))
add('1d inf and zero', T([inf, 0., -inf]))
add('1d negative zeros', T([-0., 0., -0.]))
add('1d negative zero with ints', T([-0., 1., 12.]))
add('1d rounds to negative zero', T([-0.00001, 0.5]))
add('1d zeros float', torch.zeros(5))
add('1d ties .4f', T([0.03125, 0.5, -0.15625]))
add('1d ties .4e', T([1.03125, 2000.5]))
add('1d 1.0 rounding up', T([9.99999, 0.5]))
add('1d float64', T([1.0000001, 2.5, -3.75], dtype=torch.float64))
add('1d float64 subnormal', T([5e-324, 1.0], dtype=torch.float64))
add('1d float64 huge', T([1e300, -2.5e-300], dtype=torch.float64))
add('1d float64 1e22 integers', T([1e22, 1.0, 5.0], dtype=torch.float64), sci_mode=False)
torch.manual_seed(0)
add('1d randn 5', torch.randn(5))
add('1d float16 randn', torch.randn(6).half())
add('1d float16 large', T([60000., 0.5, -1.], dtype=torch.float16))
add('1d float16 inf', T([70000., 1.], dtype=torch.float16))
add('1d bfloat16 randn', torch.randn(6).bfloat16())
add('1d bfloat16 big', T([1e30, 3.], dtype=torch.bfloat16))

# ---- integer / bool ------------------------------------------------------------
add('1d int64', T([1, -20, 300]))
add('1d int64 huge', T([2 ** 62, -(2 ** 63), 7]))
add('1d int32', T([1, 2, -3], dtype=torch.int32))
add('1d int16', T([32767, -32768, 0], dtype=torch.int16))
add('1d int8', T([-128, 127, 5], dtype=torch.int8))
add('1d uint8', T([0, 255, 17], dtype=torch.uint8))
add('1d bool', T([True, False, True]))
add('2d bool', T([[True, False], [False, False]]))
add('2d int32', torch.arange(12, dtype=torch.int32).reshape(3, 4) - 5)

# ---- n-d ---------------------------------------------------------------------
torch.manual_seed(1)
add('2d randn 3x4', torch.randn(3, 4))
add('3d randn 2x3x4', torch.randn(2, 3, 4))
add('4d randn 2x2x2x3', torch.randn(2, 2, 2, 3))
add('5d arange', torch.arange(32.).reshape(2, 2, 2, 2, 2))
add('2d float64 mixed', T([[1e-6, 2.], [3., 4.]], dtype=torch.float64))
add('3d int64', torch.arange(24).reshape(2, 3, 4) * 37 - 400)
add('2d single row', torch.randn(1, 5))
add('2d single col', torch.randn(4, 1))

# ---- empty ---------------------------------------------------------------------
add('empty 0', torch.empty(0))
add('empty 0x3', torch.empty(0, 3))
add('empty 2x0x4', torch.empty(2, 0, 4))
add('empty int64 0', torch.empty(0, dtype=torch.int64))
add('empty int64 3x0', torch.empty(3, 0, dtype=torch.int64))
add('empty bool 0', torch.empty(0, dtype=torch.bool))
add('empty float64 0x2', torch.empty(0, 2, dtype=torch.float64))
add('empty int32 0', torch.empty(0, dtype=torch.int32))
add('empty requires_grad', torch.empty(0, 3, requires_grad=True))

# ---- summarization -------------------------------------------------------------
add('summarize arange 2000 float', torch.arange(2000.))
add('summarize arange 2000 int', torch.arange(2000))
add('summarize 1001 float', torch.arange(-500., 501.) / 256)
torch.manual_seed(2)
add('summarize dyadic 40x40', torch.randint(-900, 900, (40, 40)) / 64)
add('summarize randn 3x400', torch.randn(3, 400))
add('summarize dyadic 500x3', torch.randint(-500, 500, (500, 3)) / 64)
add('summarize 10x10x20', torch.arange(2000.).reshape(10, 10, 20) / 8)
add('summarize 4d 5x6x7x8', torch.arange(5 * 6 * 7 * 8).reshape(5, 6, 7, 8))
add('summarize bool 2000', torch.arange(2000) % 3 == 0)
add('summarize middle outliers hidden', torch.cat([torch.ones(3), torch.full((1000,), 1e9), torch.ones(3) * 2]))

# ---- line wrapping ---------------------------------------------------------------
torch.manual_seed(3)
add('wrap randn 30', torch.randn(30))
add('wrap arange 50 int', torch.arange(50))
add('wrap randn 2x30', torch.randn(2, 30))
add('wrap float64 long', torch.randn(20, dtype=torch.float64))
add('wrap 3d 2x2x25', torch.randn(2, 2, 25))
add('wrap sci long', torch.randn(25) * 1e-6)
add('suffix wraps dtype', torch.arange(13, dtype=torch.int32) * 100000)
add('suffix wraps dtype float64', torch.randn(7, dtype=torch.float64))
add('suffix fits', torch.arange(8, dtype=torch.int32))

# ---- autograd -----------------------------------------------------------------
torch.manual_seed(4)
_x = torch.randn(3, requires_grad=True)
_y = torch.randn(3, requires_grad=True)
add('requires_grad leaf', _x)
add('requires_grad leaf float64', torch.randn(2, 2, dtype=torch.float64, requires_grad=True))
add('grad_fn add', _x + _y)
add('grad_fn mul', _x * 2)
add('grad_fn sum', _x.sum())
_m = torch.randn(2, 3, requires_grad=True)
add('grad_fn mm', _m @ torch.randn(3, 2))
add('grad_fn view', _m.view(3, 2))
add('grad_fn long row wraps suffix', torch.randn(12, requires_grad=True) * 1)
add('grad_fn float64 wraps', torch.randn(6, dtype=torch.float64, requires_grad=True) + 1)

# ---- "cuda" ---------------------------------------------------------------------
torch.manual_seed(5)
add('cuda float', torch.randn(3).as_subclass(tensor))
add('cuda int32', torch.arange(4, dtype=torch.int32).as_subclass(tensor))
add('cuda scalar', T(1.5).as_subclass(tensor))
add('cuda empty', torch.empty(0, 2).as_subclass(tensor))
add('cuda requires_grad', torch.randn(2, 2).as_subclass(tensor).requires_grad_())
_c = torch.randn(2, 3).as_subclass(tensor).requires_grad_()
add('cuda grad_fn', _c + 1)
add('cuda wraps', torch.randn(11, dtype=torch.float64).as_subclass(tensor))

# ---- print options -------------------------------------------------------------
torch.manual_seed(6)
_r = torch.randn(2, 3)
add('opts precision=2', _r, precision=2)
add('opts precision=6', _r, precision=6)
add('opts precision=0', T([2.5, 3.5, -0.4]), precision=0)
add('opts precision=0 sci', T([2.5e-6, 3.5]), precision=0)
add('opts precision=2 ties', T([0.125, 0.375, 1.005]), precision=2)
add('opts sci_mode=True', _r, sci_mode=True)
add('opts sci_mode=True ints', T([1., 2., 30.]), sci_mode=True)
add('opts sci_mode=True zeros', torch.zeros(3), sci_mode=True)
add('opts sci_mode=True int tensor', T([1, 2, 3]), sci_mode=True)
add('opts sci_mode=False large range', T([1e-6, 1e6]), sci_mode=False)
add('opts sci_mode=False big ints', T([1e10, 1.]), sci_mode=False)
add('opts sci_mode=False tiny', T([1e-8, 3e-7]), sci_mode=False)
add('opts threshold=5 arange 10', torch.arange(10), threshold=5)
add('opts threshold=5 float', torch.arange(10.) / 3, threshold=5)
add('opts threshold=10 2d', torch.arange(64.).reshape(8, 8), threshold=10)
add('opts threshold=10 edgeitems=1', torch.arange(64).reshape(4, 4, 4), threshold=10, edgeitems=1)
add('opts edgeitems=2', torch.arange(2000), edgeitems=2)
add('opts linewidth=40', torch.randn(20), linewidth=40)
add('opts linewidth=40 2d', torch.randn(3, 8), linewidth=40)
add('opts linewidth=40 suffix', torch.randn(5, dtype=torch.float64, requires_grad=True), linewidth=40)
add('opts linewidth=10', torch.arange(10.) * 1.5, linewidth=10)
add('opts profile=full 40x40', torch.arange(1600).reshape(40, 40) % 97, profile='full')
add('opts profile=short', torch.arange(1100.) / 16 - 30, profile='short')
add('opts profile=short 2d', torch.randn(2, 3), profile='short')
add('opts profile=full sci', torch.arange(1010.) * 97, profile='full')
add('opts precision=3 sci_mode=True linewidth=60', torch.randn(4, 5), precision=3, sci_mode=True, linewidth=60)

# ---- numfmt: Python's own formatting of tricky doubles ---------------------------
rng = random.Random(1234)
doubles = [0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 0.03125, 1.03125, 9.99995, 9.9999500001,
           0.00015, 1e-5, 1e-4, 1e21, 1e22, 123456789012345678901234.0, 2 ** 70, 5e-324,
           2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 0.7, 1 / 3, -1 / 3, 99.5, 100.5,
           0.05, 0.005, 0.0005, 4.35, 1.45, 2.675, 1.0005, 999999.5, 1e16 + 2, 3e-10]
for _ in range(40):
    doubles.append(rng.uniform(-1, 1) * 10 ** rng.randint(-12, 12))
for _ in range(20):  # random bit patterns (finite only)
    while True:
        d = struct.unpack('<d', struct.pack('<Q', rng.getrandbits(64)))[0]
        if math.isfinite(d):
            break
    doubles.append(d)
for _ in range(30):  # float32 values widened, like tensor data
    doubles.append(struct.unpack('<f', struct.pack('<f', rng.gauss(0, 10) ** 3))[0])
for k in range(1, 40):  # exact binary ties at various precisions
    doubles.append(k / 16 + 0.5 ** 5)
    doubles.append((2 * k + 1) / 2 ** 7)
numfmt = []
for d in doubles:
    row = {'x': d, 'repr': repr(d)}
    for p in (0, 1, 2, 4, 6):
        row['f%d' % p] = '{:.{}f}'.format(d, p)
        row['e%d' % p] = '{:.{}e}'.format(d, p)
    numfmt.append(row)

out = {'torch': torch.__version__, 'cases': cases, 'numfmt': numfmt}
path = golden_dir.path('format.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print('wrote %s: %d cases, %d numfmt rows, %d bytes' % (path, len(cases), len(numfmt), os.path.getsize(path)))
