#!/usr/bin/python3
"""Golden values for test/golden.test.ts: sigprop/torch vs PyTorch 1.13 on the same libtorch.

Run with Debian's PyTorch 1.13:   /usr/bin/python3 test/golden/make_ops.py
Writes test/golden/ops.json next to this file.

Layout of ops.json:
  torch:   the PyTorch version that made it
  inputs:  {name: tensor}  shared input tensors (stored explicitly, not as seeds)
  cases:   [{name, args: [input names], grad: [arg positions made requires_grad], outputs: [...]}]
A tensor is {dtype, shape, values (flat, row-major), requires_grad}. dtype uses sigprop's names.
Values: floats are JSON numbers written with Python's repr (shortest string that round-trips to
the same double, so float32/float16/bfloat16 values, which are exact doubles, round-trip bitwise);
nan/inf/-inf are the strings 'nan'/'inf'/'-inf'; -0.0 stays -0.0; int64 values beyond 2^53 are
decimal strings; bools are true/false. An output that is not a tensor is {"none": true} (None)
or {"scalar": value} (a Python bool/int/float/str).

Every case is a function of its input tensors (each call gets fresh clones; `grad` ones are leaves
with requires_grad=True). The TypeScript test has a function of the same name per case that does
the same thing with sigprop's API; the two lists must match one to one.
"""
import json
import math
import os
import warnings

import pin_isa  # noqa: F401  (before torch: same kernels on every AVX2 machine)
import golden_dir  # noqa: E402  (test/golden/torch-<version>/)
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
warnings.filterwarnings('ignore', message='The .grad attribute of a Tensor that is not a leaf')

DT = {
    torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16',
    torch.bfloat16: 'bfloat16', torch.int64: 'int64', torch.int32: 'int32',
    torch.int16: 'int16', torch.int8: 'int8', torch.uint8: 'uint8', torch.bool: 'bool',
}
FLOATS = {torch.float32, torch.float64, torch.float16, torch.bfloat16}


def enc_float(v):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return float(v)


def enc_int(v):
    v = int(v)
    return str(v) if abs(v) > 2 ** 53 else v


def spec(t):
    d = t.detach()
    flat = d.reshape(-1).tolist()
    if d.dtype in FLOATS:
        vals = [enc_float(v) for v in flat]
    elif d.dtype == torch.bool:
        vals = [bool(v) for v in flat]
    else:
        vals = [enc_int(v) for v in flat]
    return {'dtype': DT[d.dtype], 'shape': list(d.shape), 'values': vals, 'requires_grad': bool(t.requires_grad)}


def enc_out(o):
    if o is None:
        return {'none': True}
    if isinstance(o, torch.Tensor):
        return spec(o)
    if isinstance(o, bool):
        return {'scalar': o}
    if isinstance(o, int):
        return {'scalar': enc_int(o)}
    if isinstance(o, float):
        return {'scalar': enc_float(o)}
    if isinstance(o, str):
        return {'scalar': o}
    raise TypeError(f'cannot encode output {type(o)}')


# ---- shared inputs ------------------------------------------------------------------------------------
G = torch.Generator().manual_seed(20240601)


def rn(*s, dtype=torch.float32):
    return torch.randn(*s, generator=G, dtype=torch.float64).to(dtype)


def ru(*s, dtype=torch.float32):
    return torch.rand(*s, generator=G, dtype=torch.float64).to(dtype)


def ri(lo, hi, *s, dtype=torch.int64):
    return torch.randint(lo, hi, s, generator=G, dtype=dtype)


inf, nan = math.inf, math.nan
IN = {}
IN['A'] = rn(3, 4)
IN['B'] = rn(3, 4)
IN['C'] = rn(4, 5)
IN['P'] = ru(3, 4) + 0.25                     # positive
IN['PR'] = ru(3, 4)                            # probabilities in [0, 1)
IN['AF'] = rn(3, 4) * 5                        # for rounding-mode division
IN['V'] = rn(6)
IN['V3'] = rn(3)
IN['V4'] = rn(4)
IN['V7'] = rn(7)
IN['X3'] = rn(2, 3, 4)
IN['Y3'] = rn(2, 4, 2)
IN['Z'] = rn(1, 3, 1, 2)
IN['COL'] = rn(3, 1)
IN['ROW'] = rn(1, 4)
IN['B5'] = rn(5, 1, 3)
IN['B6'] = rn(1, 4, 1)
IN['W32'] = rn(3, 2)
IN['D'] = rn(3, 4, dtype=torch.float64)
IN['DV'] = rn(5, dtype=torch.float64)
IN['H'] = rn(3, 4, dtype=torch.float16)
IN['BF'] = rn(3, 4, dtype=torch.bfloat16)
IN['LARGE'] = rn(300)
IN['I'] = ri(-10, 10, 3, 4)
IN['J'] = torch.tensor([[3, -4, 7, 2], [-3, 5, 1, -2], [6, 2, -7, 4]], dtype=torch.int64)
IN['I32'] = ri(-50, 50, 3, 4, dtype=torch.int32)
IN['I8'] = torch.tensor([[-128, -7, 0, 5], [127, 100, -100, 3], [1, -1, 64, -64]], dtype=torch.int8)
IN['U8'] = torch.tensor([[0, 7, 255, 128], [3, 250, 1, 0], [9, 200, 99, 5]], dtype=torch.uint8)
IN['M'] = IN['A'] > 0
IN['M2'] = IN['B'] > 0.3
IN['M3'] = IN['X3'] > 0
IN['RM'] = torch.tensor([True, False, True])
IN['TIES'] = torch.tensor([[1., 3., 3., 0., 3.], [2., 2., 1., 2., -1.], [0., 0., 0., 0., 0.]])
IN['S'] = torch.tensor([0., -0., 1.5, -2.5, 0.5, inf, -inf, nan, 1e-30, -1e30, 3., 100.])
IN['R'] = torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997, 1.2345, -3.789, 2.675, -0.0, 7.5])
IN['FIN'] = torch.tensor([-2.7, -1.5, -0.2, 0., 0.3, 1.5, 2.9, 200.7, -99.99, 65504., 1e-8, 3.14159265])
IN['IDX'] = torch.tensor([2, 0, 2], dtype=torch.int64)
IN['IDX2'] = torch.tensor([1, 3, 0], dtype=torch.int64)
IN['CLS'] = torch.tensor([0, 3, 1, 1, 2], dtype=torch.int64)
IN['GI'] = torch.tensor([[0, 3], [2, 2], [1, 0]], dtype=torch.int64)
IN['SI'] = torch.tensor([[0, 4, 2, 1], [3, 0, 1, 2], [4, 4, 0, 1]], dtype=torch.int64)
IN['SIU'] = torch.tensor([[0, 4, 2, 1], [3, 0, 1, 2], [4, 3, 0, 1]], dtype=torch.int64)  # unique per row
IN['D0'] = torch.tensor(2.5, dtype=torch.float64)
IN['F0'] = torch.tensor(-1.25)
IN['I0'] = torch.tensor(3, dtype=torch.int64)
IN['B0'] = torch.tensor(True)
IN['VIZD'] = rn(5, 2, 4, 4)
IN['VIZD64'] = rn(2, 4, 4, dtype=torch.float64)
IN['N56'] = torch.arange(30, dtype=torch.float32).reshape(5, 6)
IN['E0'] = torch.zeros(0, 3)
IN['SZ'] = torch.tensor([-1., 0., 1., 0.5, -0., 2.])
IN['V5'] = rn(5)
IN['PP'] = ru(3, 4) + 0.5

# ---- cases --------------------------------------------------------------------------------------------------
CASES = []


def C(name, args, fn, grad=()):
    CASES.append((name, args.split() if args else [], fn, tuple(grad)))


def seeded(seed, fn):
    def f(*ts):
        torch.manual_seed(seed)
        return fn(*ts)
    return f


def gen(seed):
    return torch.Generator().manual_seed(seed)


# -- seeded random creation
C('rand_small', '', seeded(0, lambda: torch.rand(3, 4)))
C('rand_100', '', seeded(1, lambda: torch.rand(100)))
C('rand_f64', '', seeded(2, lambda: torch.rand(2, 3, dtype=torch.float64)))
C('rand_bf16', '', seeded(3, lambda: torch.rand(20, dtype=torch.bfloat16)))
C('rand_f16', '', seeded(3, lambda: torch.rand(5, dtype=torch.float16)))
C('randn_small', '', seeded(4, lambda: torch.randn(7)))
C('randn_vec', '', seeded(5, lambda: torch.randn(4, 8)))
C('randn_f64', '', seeded(6, lambda: torch.randn(20, dtype=torch.float64)))
C('randn_f16', '', seeded(6, lambda: torch.randn(17, dtype=torch.float16)))
C('randn_odd_vec', '', seeded(7, lambda: torch.randn(37)))
C('randint_high', '', seeded(7, lambda: torch.randint(10, (5,))))
C('randint_low_high', '', seeded(8, lambda: torch.randint(-5, 5, (2, 3))))
C('randint_uint8', '', seeded(9, lambda: torch.randint(0, 256, (8,), dtype=torch.uint8)))
C('randint_int32', '', seeded(10, lambda: torch.randint(-100, 100, (6,), dtype=torch.int32)))
C('randint_big', '', seeded(11, lambda: torch.randint(0, 2 ** 40, (4,))))
C('randint_huge', '', seeded(12, lambda: torch.randint(-2 ** 62, 2 ** 62, (3,))))
C('randint_float', '', seeded(12, lambda: torch.randint(0, 10, (4,), dtype=torch.float32)))
C('randperm_10', '', seeded(13, lambda: torch.randperm(10)))
C('randperm_50_int32', '', seeded(14, lambda: torch.randperm(50, dtype=torch.int32)))
C('randperm_300', '', seeded(14, lambda: torch.randperm(300)))
C('rand_sequence_default', '', seeded(15, lambda: [torch.rand(3), torch.randn(3), torch.randint(0, 100, (3,)), torch.randperm(4), torch.randn(18)]))


def _gen_stream():
    g = gen(42)
    return [torch.randn(3, generator=g), torch.rand(2, 2, generator=g), torch.randint(0, 10, (4,), generator=g),
            torch.randperm(6, generator=g), torch.randn(20, generator=g), torch.randint(3, 9, (2, 2), generator=g, dtype=torch.int16)]


C('gen_stream', '', _gen_stream)


def _gen_independent():
    torch.manual_seed(0)
    g = gen(0)
    a = torch.rand(4, generator=g)
    b = torch.rand(4)
    c = torch.rand(4, generator=g)
    d = torch.rand(4)
    return [a, b, c, d]


C('gen_independent', '', _gen_independent)
C('gen_big_seed', '', lambda: torch.rand(3, generator=gen(2 ** 40 + 123)))
C('gen_max_seed', '', lambda: torch.randn(3, generator=gen(2 ** 64 - 1)))
C('normal_inplace', '', seeded(16, lambda: torch.empty(10).normal_(2, 0.5)))
C('normal_inplace_vec', '', seeded(17, lambda: torch.zeros(3, 8).normal_()))
C('normal_gen_f64', '', lambda: torch.zeros(20, dtype=torch.float64).normal_(generator=gen(99)))
C('normal_gen_kw', '', lambda: torch.zeros(5).normal_(mean=-1, std=3, generator=gen(98)))
C('uniform_inplace', '', seeded(18, lambda: torch.empty(6).uniform_(-1, 1)))
C('uniform_gen', '', lambda: torch.zeros(2, 5).uniform_(generator=gen(100)))
C('uniform_gen_f64', '', lambda: torch.zeros(7, dtype=torch.float64).uniform_(2, 3, generator=gen(101)))
C('rand_like', 'A', seeded(19, lambda a: [torch.randn_like(a), torch.rand_like(a, dtype=torch.float64)]))
C('randint_like', 'I A', seeded(20, lambda i, a: [torch.randint_like(i, 5), torch.randint_like(a, -3, 3)]))


def _rng_state():
    torch.manual_seed(21)
    s = torch.get_rng_state()
    a = torch.rand(3)
    torch.set_rng_state(s)
    b = torch.rand(3)
    return [a, b, torch.initial_seed()]


C('rng_state', '', _rng_state)


def _gen_state():
    g = gen(22)
    g.manual_seed(23)
    s = g.get_state()
    a = torch.randn(5, generator=g)
    g.set_state(s)
    b = torch.randn(5, generator=g)
    return [a, b, g.initial_seed()]


C('gen_state', '', _gen_state)
C('bernoulli', 'PR', seeded(24, lambda p: [torch.bernoulli(p), torch.empty(10).bernoulli_(0.3)]))
C('bernoulli_gen', 'PR', lambda p: torch.bernoulli(p, generator=gen(25)))
C('multinomial', 'PR', seeded(26, lambda p: [torch.multinomial(p, 3), torch.multinomial(p[0], 6, True)]))

# -- creation
C('arange_int', '', lambda: torch.arange(5))
C('arange_start_step', '', lambda: torch.arange(2, 11, 3))
C('arange_neg_step', '', lambda: torch.arange(10, 0, -2))
C('arange_float_step', '', lambda: torch.arange(0, 1, 0.1))
C('arange_f64', '', lambda: torch.arange(-3, 3, 0.5, dtype=torch.float64))
C('arange_dtype_f32', '', lambda: torch.arange(5, dtype=torch.float32))
C('arange_frac_start', '', lambda: torch.arange(0.5, 4))
C('arange_int32', '', lambda: torch.arange(1, 20, 4, dtype=torch.int32))
C('linspace_basic', '', lambda: torch.linspace(0, 1, 7))
C('linspace_f64', '', lambda: torch.linspace(-2, 2, 5, dtype=torch.float64))
C('linspace_int', '', lambda: torch.linspace(0, 10, 4, dtype=torch.int64))
C('linspace_one', '', lambda: torch.linspace(3, 5, 1))
C('linspace_long', '', lambda: torch.linspace(-1, 3, 33))
C('logspace', '', lambda: [torch.logspace(0, 2, 5), torch.logspace(0, 3, 4, base=2)])
C('eye_n', '', lambda: torch.eye(3))
C('eye_nm', '', lambda: torch.eye(2, 4))
C('eye_int', '', lambda: torch.eye(3, dtype=torch.int64))
C('full_float', '', lambda: torch.full((2, 3), 7.5))
C('full_int32', '', lambda: torch.full((2, 2), 3, dtype=torch.int32))
C('full_bool', '', lambda: torch.full((3,), True))
C('full_f16', '', lambda: torch.full((2,), 1 / 3, dtype=torch.float16))
C('zeros_ones', '', lambda: [torch.zeros(2, 3), torch.zeros(3, dtype=torch.int64), torch.ones(2, 2, dtype=torch.bool),
                             torch.ones(4, dtype=torch.float16), torch.zeros(0, 3), torch.ones(()), torch.ones([2, 1], dtype=torch.bfloat16)])
C('like', 'I A', lambda i, a: [torch.zeros_like(i), torch.ones_like(a, dtype=torch.float64), torch.full_like(a, 2.5), torch.full_like(i, 7)])
C('tensor_roundtrip', 'S D I8 U8 H BF B0 E0', lambda *ts: list(ts))

# -- arithmetic
C('add_tt', 'A B', lambda a, b: a + b)
C('add_alpha', 'A B', lambda a, b: torch.add(a, b, alpha=2))
C('add_alpha_frac', 'A B', lambda a, b: a.add(b, alpha=0.5))
C('add_scalar', 'A', lambda a: a + 3.5)
C('add_scalar_alpha', 'A', lambda a: torch.add(a, 2, alpha=3))
C('sub_tt', 'A B', lambda a, b: a - b)
C('sub_alpha', 'A B', lambda a, b: torch.sub(a, b, alpha=2))
C('sub_scalar', 'A', lambda a: a - 1.25)
C('rsub_scalar', 'A', lambda a: 5 - a)
C('mul_tt', 'A B', lambda a, b: a * b)
C('mul_scalar', 'A', lambda a: a * 0.1)
C('div_tt', 'A B', lambda a, b: a / b)
C('div_scalar', 'A', lambda a: a / 3)
C('rdiv_scalar', 'A', lambda a: 2 / a)
C('div_floor', 'AF B', lambda a, b: torch.div(a, b, rounding_mode='floor'))
C('div_trunc', 'AF B', lambda a, b: torch.div(a, b, rounding_mode='trunc'))
C('div_floor_int', 'I J', lambda i, j: torch.div(i, j, rounding_mode='floor'))
C('div_trunc_int', 'I J', lambda i, j: torch.div(i, j, rounding_mode='trunc'))
C('div_scalar_floor', 'AF', lambda a: torch.div(a, 0.3, rounding_mode='floor'))
C('div_scalar_trunc_int', 'I', lambda i: torch.div(i, 3, rounding_mode='trunc'))
C('floor_divide', 'I J', lambda i, j: [i // 3, i // j])
C('remainder', 'AF I J', lambda a, i, j: [a % 0.7, torch.remainder(i, j), torch.remainder(a, -2)])
C('fmod', 'AF I J', lambda a, i, j: [torch.fmod(a, 0.7), torch.fmod(i, j)])
C('pow_scalar2', 'A', lambda a: a ** 2)
C('pow_half', 'P', lambda p: p ** 0.5)
C('pow_neg_base_frac', 'A', lambda a: a ** 0.5)
C('pow_tensor', 'P B', lambda p, b: p ** b)
C('pow_int', 'I', lambda i: i ** 2)
C('pow_int3', 'J', lambda j: torch.pow(j, 3))
C('rpow', 'A', lambda a: 2 ** a)
C('pow_f64_1_5', 'D', lambda d: d.abs() ** 1.5)
C('clamp_both', 'A', lambda a: a.clamp(-0.5, 0.5))
C('clamp_min', 'A', lambda a: a.clamp(min=0))
C('clamp_max', 'A', lambda a: torch.clamp(a, max=0.2))
C('clamp_tensor_min', 'A B', lambda a, b: a.clamp(min=b))
C('clamp_tensor_both', 'A B P', lambda a, b, p: a.clamp(b - p, b + p))
C('clamp_int', 'I', lambda i: i.clamp(-3, 3))
C('clamp_special', 'S', lambda s: s.clamp(0, 1))
C('sign', 'S I', lambda s, i: [s.sign(), i.sign(), torch.sign(s)])
C('rounding', 'R', lambda r: [r.floor(), r.ceil(), r.round(), r.trunc(), r.frac(), torch.round(r)])
C('rounding_special', 'S', lambda s: [s.floor(), s.ceil(), s.round(), s.trunc()])
C('round_decimals', 'AF R', lambda a, r: [a.round(decimals=2), (a * 100).round(decimals=-1), r.round(decimals=1), torch.round(a, decimals=3)])
C('exp_log', 'A S', lambda a, s: [a.exp(), s.exp(), a.abs().log(), s.log()])
C('sqrt_rsqrt', 'P S', lambda p, s: [p.sqrt(), p.rsqrt(), s.sqrt(), s.rsqrt()])
C('unary_misc', 'A', lambda a: [a.log1p(), a.expm1(), a.abs().log2(), a.sin(), a.cos(), a.tan(), a.erf(), a.abs(), a.neg(),
                                a.square(), a.reciprocal(), torch.neg(a), torch.abs(a)])
C('unary_f64', 'D', lambda d: [d.exp(), d.sin(), d.sqrt(), d.tanh(), d.sigmoid(), d.erf()])
C('unary_large', 'LARGE', lambda x: [x.exp(), x.tanh(), x.sigmoid(), x.abs().log(), x.sin()])
C('abs_neg_int', 'I I8', lambda i, i8: [i.abs(), i8.abs(), i8.neg(), -i])

# -- reductions
C('sum_all', 'A', lambda a: a.sum())
C('sum_dim1', 'A', lambda a: a.sum(1))
C('sum_dims', 'X3', lambda x: x.sum((0, 2)))
C('sum_keepdim', 'X3', lambda x: x.sum(1, keepdim=True))
C('sum_neg_dim', 'X3', lambda x: torch.sum(x, -1))
C('sum_dtype_f64', 'A', lambda a: a.sum(1, dtype=torch.float64))
C('sum_int8', 'I8', lambda i: [i.sum(), i.sum(0)])
C('sum_bool', 'M', lambda m: [m.sum(), m.sum(1)])
C('sum_f16', 'H BF', lambda h, bf: [h.sum(), h.sum(0), bf.sum(), bf.sum(1)])
C('sum_large', 'LARGE', lambda x: [x.sum(), x.view(20, 15).sum(0), x.view(20, 15).sum(1), x.double().sum()])
C('sum_empty', 'E0', lambda e: [e.sum(), e.sum(0), e.sum(1)])
C('mean', 'A X3 D', lambda a, x, d: [a.mean(), a.mean(0), a.mean(-1, keepdim=True), x.mean((0, 2)), d.mean(1), torch.mean(a)])
C('mean_large', 'LARGE', lambda x: [x.mean(), x.view(3, 100).mean(1)])
C('mean_f16', 'H', lambda h: [h.mean(), h.mean(1)])
C('std', 'A X3', lambda a, x: [a.std(), a.std(1), a.std(1, unbiased=False), a.std(0, keepdim=True), a.std(unbiased=False),
                               x.std((0, 2)), torch.std(a)])
C('var', 'A X3', lambda a, x: [a.var(), a.var(1), a.var(1, unbiased=False), a.var(0, keepdim=True), a.var(unbiased=False),
                               x.var((0, 2), keepdim=True)])
C('std_var_large', 'LARGE', lambda x: [x.std(), x.var(), x.view(30, 10).std(0), x.view(30, 10).var(1, unbiased=False)])
C('prod', 'P I', lambda p, i: [p.prod(), p.prod(1), p.prod(0, keepdim=True), i.prod(1), torch.prod(p, dtype=torch.float64)])
C('max_all', 'A', lambda a: [a.max(), a.min(), torch.max(a)])
C('max_dim1', 'A', lambda a: a.max(1))
C('max_dim0_keepdim', 'A', lambda a: a.max(0, keepdim=True))
C('max_kw', 'X3', lambda x: x.max(dim=2, keepdim=True))
C('min_dim1', 'A', lambda a: torch.min(a, 1))
C('max_min_ties', 'TIES', lambda t: [*t.max(1), *t.min(1), *t.max(0), *t.min(0)])
C('max_min_nan', 'S', lambda s: [s.max(), s.min(), *s.view(3, 4).max(1), *s.view(3, 4).min(1)])
C('max_int', 'I', lambda i: [i.max(), *i.min(0)])
C('maximum_minimum', 'A B S', lambda a, b, s: [a.max(b), torch.maximum(a, b), torch.minimum(a, b), s.maximum(s.flip(0)), s.minimum(s.flip(0))])
C('amax_amin', 'X3 TIES', lambda x, t: [x.amax((0, 2)), x.amin(1, keepdim=True), t.amax(1), torch.amax(x, -1)])
C('argmax_argmin', 'A X3 TIES', lambda a, x, t: [a.argmax(), a.argmax(1), a.argmax(0, keepdim=True), a.argmin(), a.argmin(1),
                                                  x.argmax(-1), t.argmax(1), t.argmin(1), t.argmax(), torch.argmax(a)])
C('topk', 'A V', lambda a, v: [*a.topk(3), *a.topk(2, dim=0, largest=False), *v.topk(4), *torch.topk(v, 2, largest=False)])
C('sort', 'A', lambda a: [*a.sort(), *a.sort(dim=0, descending=True), *torch.sort(a, 1)])
C('sort_stable_ties', 'TIES', lambda t: [*t.sort(stable=True), *t.sort(dim=1, descending=True, stable=True), *t.sort(dim=0, stable=True)])
C('sort_nan', 'S', lambda s: [*s.sort(), *s.sort(descending=True)])
C('argsort', 'A V', lambda a, v: [a.argsort(), a.argsort(dim=0, descending=True), v.argsort(descending=True), torch.argsort(a, 1)])
C('cumsum', 'A I', lambda a, i: [a.cumsum(0), a.cumsum(1, dtype=torch.float64), i.cumsum(0), torch.cumsum(a, -1)])
C('cumsum_large', 'LARGE', lambda x: x.cumsum(0))
C('cumprod', 'P I', lambda p, i: [p.cumprod(1), i.cumprod(0)])
C('logsumexp', 'A X3 S', lambda a, x, s: [a.logsumexp(1), x.logsumexp((0, 2), keepdim=True), torch.logsumexp(a, 0), s.view(3, 4).logsumexp(1)])
C('norm_fro', 'A', lambda a: a.norm())
C('norm_p1', 'A', lambda a: a.norm(1))
C('norm_inf', 'A', lambda a: a.norm(float('inf')))
C('norm_dim', 'A', lambda a: a.norm(dim=1))
C('norm_p2_dim', 'A', lambda a: a.norm(2, 1))
C('norm_p3_keep', 'A', lambda a: a.norm(p=3, dim=0, keepdim=True))
C('norm_f64', 'D', lambda d: [d.norm(), d.norm(1, 0)])
C('norm_large', 'LARGE', lambda x: [x.norm(), x.norm(1), x.view(30, 10).norm(dim=1)])

# -- comparison / logic
C('cmp_scalar', 'A I', lambda a, i: [a < 0.1, a <= 0, a > -0.5, a >= 0.25, i == 2, i != 0, torch.gt(a, 0)])
C('cmp_tensor', 'A B TIES', lambda a, b, t: [a < b, a <= b, a > b, a >= b, t == t.flip(1), t != t.flip(1), torch.eq(a, b)])
C('cmp_broadcast', 'A V4 COL', lambda a, v, c: [a > v, a.lt(c), v.ge(c)])
C('cmp_int_float', 'I A', lambda i, a: [i >= 2.5, i < a, i.eq(i.float()), i == 2.0000001])
C('cmp_nan', 'S', lambda s: [s == s, s != s, s < 1, s.ge(s)])
C('logical', 'M M2 A I', lambda m, m2, a, i: [m.logical_and(m2), m.logical_or(m2), m.logical_xor(m2), m.logical_not(),
                                               a.logical_and(i), a.logical_not(), i.logical_not(), torch.logical_or(a, m2)])
C('any_all', 'M M3 A U8', lambda m, m3, a, u: [m.any(), m.all(), m.any(1), m.all(0), m3.any(2, keepdim=True), m3.all(1, keepdim=True),
                                                a.any(), a.all(), u.any(), u.all(), u.any(1)])
C('isnan_isfinite', 'S', lambda s: [s.isnan(), s.isfinite(), s.isinf(), torch.isnan(s)])
C('equal_allclose', 'A B', lambda a, b: [a.equal(a.clone()), a.equal(b), a.allclose(a + 1e-7), a.allclose(b), a.isclose(a + 1e-5)])

# -- activations
C('softmax', 'A X3', lambda a, x: [a.softmax(1), a.softmax(0), x.softmax(-1), torch.softmax(a, 1)])
C('softmax_f64', 'A', lambda a: a.softmax(0, dtype=torch.float64))
C('log_softmax', 'A X3', lambda a, x: [a.log_softmax(1), x.log_softmax(0), F.log_softmax(a, dim=0, dtype=torch.float64)])
C('softmax_large', 'LARGE', lambda x: [x.view(3, 100).softmax(1), x.view(3, 100).log_softmax(1), x.view(3, 100).softmax(0)])
C('relu', 'A S', lambda a, s: [a.relu(), s.relu(), torch.relu(a)])
C('leaky_relu', 'A', lambda a: [F.leaky_relu(a), F.leaky_relu(a, 0.2)])
C('sigmoid_tanh', 'A S', lambda a, s: [a.sigmoid(), a.tanh(), s.sigmoid(), s.tanh()])
C('gelu', 'A X3', lambda a, x: [F.gelu(a), F.gelu(a, approximate='tanh'), F.gelu(x), F.gelu(x, approximate='tanh')])
C('silu_elu', 'A', lambda a: [F.silu(a), F.elu(a), F.elu(a, 0.5)])
C('activations_f64', 'D', lambda d: [F.gelu(d), F.gelu(d, approximate='tanh'), F.silu(d), F.leaky_relu(d, 0.3), d.softmax(1)])
C('activations_large', 'LARGE', lambda x: [F.gelu(x), F.gelu(x, approximate='tanh'), F.silu(x), F.elu(x), F.leaky_relu(x, 0.05)])
C('one_hot', 'CLS', lambda c: [F.one_hot(c), F.one_hot(c, 6), F.one_hot(c.view(5, 1), 4)])

# -- linear algebra and fused
C('matmul', 'A C', lambda a, c: [a @ c, a.mm(c), torch.matmul(a, c)])
C('bmm', 'X3 Y3', lambda x, y: [x.bmm(y), x @ y])
C('matmul_broadcast', 'X3 C A V4', lambda x, c, a, v: [x @ c, a @ v, v @ c, v.dot(v)])
C('matmul_f64', 'D DV', lambda d, v: [d @ d.t(), d.t() @ d[:, :1].expand(3, 2)])
C('addcmul_addcdiv_lerp', 'A B P', lambda a, b, p: [a.addcmul(b, p, value=0.5), torch.addcdiv(a, b, p, value=2), a.lerp(b, 0.25),
                                                   torch.lerp(a, b, p), a.addcmul(b, p)])

# -- shape ops
C('view', 'A X3', lambda a, x: [a.view(4, 3), x.view(-1, 4), a.view(-1), a.view(2, 2, 3)])
C('view_dtype', 'A', lambda a: a.view(torch.int32))
C('reshape', 'A X3', lambda a, x: [x.reshape(3, -1), a.t().reshape(-1), torch.reshape(x, (4, 6)), a.reshape(12)])
C('flatten', 'X3', lambda x: [x.flatten(), x.flatten(1), x.flatten(0, 1), torch.flatten(x, -2)])
C('unflatten', 'A', lambda a: [a.unflatten(1, (2, 2)), a.unflatten(0, (3, 1))])
C('permute_transpose', 'X3 A', lambda x, a: [x.permute(2, 0, 1), x.transpose(0, 2), a.t(), a.T, x.transpose(-1, -2), torch.permute(x, (1, 2, 0))])
C('unsqueeze_squeeze', 'A Z', lambda a, z: [a.unsqueeze(0), a.unsqueeze(-1), z.squeeze(), z.squeeze(2), z.squeeze(1), torch.unsqueeze(a, 1)])
C('expand', 'COL V4', lambda c, v: [c.expand(3, 4), c.expand(2, -1, 4), v.expand(2, 4), c.expand_as(torch.empty(3, 5))])
C('repeat', 'A V3', lambda a, v: [a.repeat(2, 1, 3), v.repeat(2), v.repeat(2, 2)])
C('narrow_select', 'X3 A', lambda x, a: [x.narrow(2, 1, 2), a.select(0, -1), x.select(1, 2), torch.narrow(a, 0, 1, 2)])
C('cat_stack', 'A B', lambda a, b: [torch.cat([a, b]), torch.cat([a, b, a], 1), torch.stack([a, b]), torch.stack([a, b], 2),
                                     torch.cat([a, b], -1), torch.stack([a, b], -1)])
C('cat_promote', 'A D I', lambda a, d, i: [torch.cat([a, d]), torch.cat([i, a], 1)])
C('hstack_vstack', 'A B V4', lambda a, b, v: [torch.hstack([a, b]), torch.vstack([a, b]), torch.vstack([a, v])])
C('split_chunk', 'V A V7', lambda v, a, v7: [*v.split(2), *a.split([1, 3], dim=1), *v7.chunk(3), *a.chunk(2, 1), *torch.split(a, 2)])
C('unbind', 'A', lambda a: [*a.unbind(1), *torch.unbind(a)])
C('gather', 'A GI', lambda a, g: [a.gather(1, g), torch.gather(a, 0, g.clamp(0, 2))])
C('scatter', 'A SI SIU', lambda a, si, su: [torch.zeros(3, 5).scatter(1, su, a), torch.zeros(3, 5).scatter(1, si, 1.5),
                                            torch.zeros(3, 5).scatter_add(1, si, a), torch.ones(3, 5).scatter(1, si, a, reduce='add'),
                                            torch.ones(3, 5).scatter(1, si, a, reduce='multiply')])
C('index_select', 'A IDX2 IDX', lambda a, i2, i: [a.index_select(1, i2), torch.index_select(a, 0, i)])
C('masked_fill', 'A M F0', lambda a, m, f0: [a.masked_fill(m, -1.0), a.masked_fill(m, f0), a.masked_fill(m[0], 0), torch.masked_fill(a, ~m, 2)])
C('masked_select', 'A M X3 M3', lambda a, m, x, m3: [a.masked_select(m), x.masked_select(m3), a.masked_select(m[0])])
C('where', 'M A B I', lambda m, a, b, i: [torch.where(m, a, b), torch.where(m, a, 0.0), torch.where(m, 1.0, b), torch.where(m, i, a), a.where(m, b)])
C('where_int_scalar', 'M I', lambda m, i: [torch.where(m, i, 2.5), torch.where(m, i, 7)])
C('where_cond_nonzero', 'M M3', lambda m, m3: [*torch.where(m), m.nonzero(), *torch.where(m3), m3.nonzero()])
C('flip_roll', 'X3 A', lambda x, a: [x.flip(0, 2), a.flip(1), a.roll(1, 1), a.roll(2), a.roll((1, -1), (0, 1))])
C('tril_triu', 'A', lambda a: [a.tril(), a.triu(1), a.tril(-1), torch.triu(a)])
C('contiguous', 'A X3', lambda a, x: [a.t().contiguous(), x.permute(1, 2, 0).contiguous().view(-1), a.t().sum(0)])

# -- indexing reads
C('idx_int', 'X3', lambda x: [x[1], x[-1, -2], x[0, 1, 2], x[-1][-1][-1]])
C('idx_slice', 'A N56', lambda a, n: [a[1:3], n[::2, 1::2], n[-3:, -4:-1], n[1:4:2, ::3], a[:, 1], n[10:], n[:, -2:]])
C('idx_ellipsis_none', 'X3 A', lambda x, a: [x[..., 1], x[0, ..., 2], a[None, :, None], a[..., None], x[:, None, ..., None, 1], x[...]])
C('idx_mask', 'A M RM X3 M3', lambda a, m, rm, x, m3: [a[m], a[rm], x[m3], x[:, rm], a[:, m[0]]])
C('idx_tensor', 'A IDX IDX2 X3 V', lambda a, i, i2, x, v: [a[i], a[[0, 2]], a[i, i2], a[1:, [0, 3]], x[[0, 1], :, [1, 2]],
                                                        v[torch.tensor([[0, 1], [5, 3]])], a[-1, i2], x[:, i]])
C('idx_bool_scalar', 'A', lambda a: [a[True], a[None, True], a[False]])
C('idx_0d', 'V I0', lambda v, i0: [v[3], v[i0], v[-1]])
C('idx_slice_obj', 'N56', lambda n: [n[::2], n[1:None], n[:, ::1], n[:, 1:5:3]])

# -- indexing writes


def put(name, args, fn):
    def f(*ts):
        t = ts[0].clone()
        fn(t, *ts[1:])
        return t
    C(name, args, f)


def _p(t, *rest):
    t[0] = 5
put('put_int', 'A', _p)


def _p(t, w):
    t[:, 1:3] = w
put('put_slice_tensor', 'A W32', _p)


def _p(t, v):
    t[1:, :] = v
put('put_broadcast', 'A V4', _p)


def _p(t):
    t[::2, 1] = -1
put('put_step', 'N56', _p)


def _p(t, m):
    t[m] = 0
put('put_mask', 'A M', _p)


def _p(t, m):
    t[m] = t[m] * 10
put('put_mask_tensor', 'A M', _p)


def _p(t, i, b):
    t[torch.tensor([2, 0])] = b[:2]
put('put_index_tensor', 'A IDX B', _p)


def _p(t):
    t[torch.tensor([0, 1]), torch.tensor([3, 2])] = torch.tensor([7., 8.])
put('put_adv2', 'A', _p)


def _p(t):
    t[..., -1] = 9
put('put_ellipsis', 'X3', _p)


def _p(t):
    t[-1, -1] = 4.5
    t[-2] = -0.0
put('put_neg', 'A', _p)


def _p(t):
    t[[0, 2], 1:] = 0.5
put('put_list', 'A', _p)


def _p(t):
    t[0, :2] = 7
    t[1] = 2.7
    t[2, -1] = -2.7
put('put_int_tensor', 'I', _p)


def _p(t):
    t[0] = True
    t[:, 1] = False
put('put_bool_tensor', 'M', _p)


def _p(t, d):
    t[1, None, 0] = d[0, 0, :1, 0]
    t[:, 1:2] = d[1, 0, :3, :1]
put('put_none_views', 'A VIZD', _p)


def _viz(viz, d):
    m = 4
    for k, (x, y) in enumerate([(0, 0), (0, 5), (5, 0), (5, 6), (3, 3)]):
        viz[:, x:x + m, y:y + m] = d[k]


C('put_viz', 'VIZD', lambda d: (lambda viz: (_viz(viz, d), viz)[1])(torch.zeros(2, 10, 10)))


def _viz64(d):
    viz = torch.full((2, 9, 9), -1.0)
    m = 4
    for (x, y) in [(0, 0), (4, 4), (5, 1)]:
        viz[:, x:x + m, y:y + m] = d
    viz[:, 8:8 + m, 8:8 + m] = 1
    return viz


C('put_viz_cast', 'VIZD64', _viz64)

# -- in-place ops


def inpl(name, args, fn):
    def f(*ts):
        t = ts[0].clone()
        r = fn(t, *ts[1:])
        return [t, r is t]
    C(name, args, f)


inpl('inplace_add_alpha', 'A B', lambda t, b: t.add_(b, alpha=2))
inpl('inplace_sub_scalar_alpha', 'A', lambda t: t.sub_(1.5, alpha=2))
inpl('inplace_mul_scalar', 'A', lambda t: t.mul_(0.3))
inpl('inplace_div_floor', 'AF B', lambda t, b: t.div_(b, rounding_mode='floor'))
inpl('inplace_div', 'AF', lambda t: t.div_(7))
inpl('inplace_pow', 'P', lambda t: t.pow_(1.7))
inpl('inplace_remainder', 'AF', lambda t: t.remainder_(1.1))
inpl('inplace_clamp', 'A', lambda t: t.clamp_(-0.3, 0.4))
inpl('inplace_clamp_min', 'A', lambda t: t.clamp_(min=0.1))
inpl('inplace_masked_fill', 'A M', lambda t, m: t.masked_fill_(m, 3.25))
inpl('inplace_scatter', 'A SIU', lambda t, i: t.scatter_(1, i[:, :4].clamp(0, 3), 0.0))
inpl('inplace_scatter_add', 'A SI', lambda t, i: t.scatter_add_(1, i.clamp(0, 3), torch.ones(3, 4)))
inpl('inplace_round_dec', 'AF', lambda t: t.round_(decimals=1))
inpl('inplace_leaky_relu', 'A', lambda t: F.leaky_relu_(t, 0.1))
inpl('inplace_unary', 'P', lambda t: t.sqrt_().exp_().log_().sigmoid_().tanh_().neg_().abs_().reciprocal_().square_().rsqrt_())
inpl('inplace_floor_ceil', 'AF', lambda t: t.mul_(0.5).floor_().add_(0.5).ceil_().sign_())
inpl('inplace_fill_zero', 'A', lambda t: t.fill_(2.5).zero_().add_(1))
inpl('inplace_addcmul', 'A B P', lambda t, b, p: t.addcmul_(b, p, value=-1.5).addcdiv_(b, p).lerp_(b, 0.75))
inpl('inplace_relu', 'A', lambda t: t.relu_())


def _views(t, v3, v4):
    t.select(1, 0).copy_(v3)
    t.narrow(0, 1, 1).fill_(-7)
    t[:, 2:].zero_()
    t[0, 3] = 1
    t.t()[3].mul_(2)
    return t


C('inplace_views', 'A V3 V4', lambda a, v3, v4: _views(a.clone(), v3, v4))
C('copy_cast', 'A D I', lambda a, d, i: [a.clone().copy_(d), a.clone().copy_(i), i.clone().copy_(a * 3), d.clone().copy_(a[0])])

# -- type promotion
C('tp_int_float_scalar', 'I I32 I8 U8', lambda i, i32, i8, u8: [i + 2.5, i32 * 1.5, i8 - 0.5, u8 / 2.0, i * 0.1])
C('tp_int_int_scalar', 'I I32 I8 U8', lambda i, i32, i8, u8: [i + 2, i32 * 3, i8 - 1, u8 + 250, i8 * 100, u8 - 1])
C('tp_int_div', 'I J I32', lambda i, j, i32: [i / j, i / 2, i32 / 4, i // 2, torch.div(i32, 3)])
C('tp_int_tensors', 'I I32 I8 U8', lambda i, i32, i8, u8: [i32 + i, u8 + i8, u8 * i32, i8 - u8, i32 // 3])
C('tp_bool', 'M M2 I A', lambda m, m2, i, a: [m + m2, m * m2, m + i, m + 1, m * 1.5, m.float(), m.sum(), m.int() - m2.int()])
C('tp_half', 'H BF A D', lambda h, bf, a, d: [h + a, h + 1.5, h * h, bf * 3, bf + h, d + a, h + d, bf / 7, bf.exp(), bf.sqrt(), h.abs(), h.neg()])
C('tp_zero_dim', 'A I U8 D0 F0 I0 B0 H', lambda a, i, u8, d0, f0, i0, b0, h: [a + d0, i + d0, i + f0, u8 + i0, i + b0, u8 * b0,
                                                                                 h + f0, d0 * f0, i0 + f0, b0 + b0, h + d0])
C('tp_unary_int', 'I M U8', lambda i, m, u8: [i.abs().sqrt(), m.exp(), u8.sigmoid(), i.float().mean(), i.sin()])
C('tp_cumsum_int', 'I32 U8 M', lambda i32, u8, m: [i32.cumsum(0), u8.cumsum(1), m.cumsum(1), i32.sum(1), u8.prod(1)])
C('tp_conversions', 'FIN A I', lambda f, a, i: [f.to(torch.int64), f.to(torch.int32), f.half(), f.to(torch.bfloat16), a.bool(),
                                                  f[:8].abs().to(torch.uint8), (i * 1000).half(), f.double(), f.bool(), f[:8].to(torch.int16)])
C('tp_conversions_f64', 'D', lambda d: [(d * 1e6).float(), (d * 1e3).to(torch.float16), (d * 1e-3).bfloat16(), (d * 100).long()])
C('tp_compare_mixed', 'I A H D', lambda i, a, h, d: [i < a, h > a, d == a.double(), h.eq(1)])
C('tp_mixed_ops', 'I A D', lambda i, a, d: [i * a, i - d, i.abs().pow(1.5), torch.where(i > 0, i, a), a.masked_fill(i > 0, 7), i.clamp(max=2.5)])

# -- broadcasting
C('bc_col_row', 'COL ROW', lambda c, r: [c + r, c * r, r - c, torch.maximum(c, r)])
C('bc_3d', 'X3 V4 B5 B6 COL', lambda x, v, b5, b6, c: [x * v, b5 - b6, x + c, torch.where(x > 0, x, c)])
C('bc_where_mask', 'RM A V4', lambda rm, a, v: [torch.where(rm[:, None], a, v), a.masked_fill(rm[:, None], 1)])
C('bc_inplace', 'A ROW COL', lambda a, r, c: [a.clone().add_(r), a.clone().mul_(c), a.clone().copy_(r)])

# -- autograd


def _ag_poly(x):
    (x * x + 3 * x).sum().backward()
    return x.grad


C('ag_poly', 'V', _ag_poly, grad=[0])


def _ag_mlp(x, w, b):
    loss = torch.tanh(x @ w + b).pow(2).mean()
    loss.backward()
    return [loss, w.grad, b.grad, x.grad]


C('ag_mlp', 'A C V5', _ag_mlp, grad=[0, 1, 2])


def _ag_retain(x, y):
    h = x.sigmoid()
    h.retain_grad()
    z = h * y
    loss = z.sum()
    loss.backward()
    return [h.grad, x.grad, z.grad, h.retains_grad, z.retains_grad]


C('ag_retain', 'A B', _ag_retain, grad=[0])


def _ag_grad_create(x):
    y = x ** 3
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (g2,) = torch.autograd.grad(g.sum(), x)
    return [g, g2, x.grad]


C('ag_grad_create', 'V', _ag_grad_create, grad=[0])


def _ag_grad_create_sin(x):
    f = (x.sin() * x).sum()
    (g,) = torch.autograd.grad(f, [x], create_graph=True)
    g.sum().backward()
    return [g, x.grad]


C('ag_grad_create_sin', 'D', _ag_grad_create_sin, grad=[0])


def _ag_backward_gradient(x, v):
    y = x * 2 + x.exp()
    y.backward(v)
    return x.grad


C('ag_backward_gradient', 'A B', _ag_backward_gradient, grad=[0])


def _ag_accumulate(x):
    (x * 2).sum().backward()
    (x * x).sum().backward()
    return x.grad


C('ag_accumulate', 'V', _ag_accumulate, grad=[0])


def _ag_softmax(x, w, idx):
    (x.softmax(1) * w).sum().backward()
    g1 = x.grad.clone()
    x.grad = None
    loss = -x.log_softmax(1).gather(1, idx.view(3, 1)).mean()
    loss.backward()
    return [g1, loss, x.grad]


C('ag_softmax', 'A B IDX', _ag_softmax, grad=[0])


def _ag_acts(x):
    y = (x.relu() + F.leaky_relu(x, 0.1) + F.gelu(x) + F.gelu(x, approximate='tanh') * 2 + F.silu(x) + F.elu(x)
         + x.sigmoid() + x.tanh() * 3)
    y.sum().backward()
    return x.grad


C('ag_activations', 'X3', _ag_acts, grad=[0])


def _ag_relu_zero(x):
    (x.relu() + x.clamp(0, 1) + x.abs()).sum().backward()
    return x.grad


C('ag_relu_at_zero', 'SZ', _ag_relu_zero, grad=[0])


def _ag_index(x, m, idx):
    y = x[:, 1:3].sum() + (x[idx] * 2).sum() + x[m].pow(2).sum() + x[..., -1].sum() * 3 + x[None, 1].sum()
    y.backward()
    return x.grad


C('ag_index', 'A M IDX', _ag_index, grad=[0])


def _ag_reductions(x):
    y = (x.max(1).values.sum() + x.norm() + x.std(0).sum() + x.cumsum(1).sum() * 0.5 + x.logsumexp(1).sum()
         + x.prod(1).sum() + x.mean() + x.var(1, unbiased=False).sum() + x.amin(0).sum() + x.norm(1, 1).sum())
    y.backward()
    return [y, x.grad]


C('ag_reductions', 'A', _ag_reductions, grad=[0])


def _ag_shape(x, w):
    y = torch.cat([x, x * 2], 0).view(-1).expand(2, -1)
    a, b = x.split([1, 3], dim=1)
    c = torch.stack(x.chunk(2, 1), 0)
    loss = (y.sum(0) * w.view(-1).repeat(2)).sum() + (a * 3).sum() + b.t().pow(2).sum() + c.permute(2, 0, 1).flatten()[::2].sum()
    loss.backward()
    return [x.grad, w.grad]


C('ag_shape', 'A B', _ag_shape, grad=[0, 1])


def _ag_broadcast(c, r):
    (c * r + c).pow(2).sum().backward()
    return [c.grad, r.grad]


C('ag_broadcast', 'COL ROW', _ag_broadcast, grad=[0, 1])


def _ag_grad_outputs(x, v, z):
    y = x.exp() * 2
    g = torch.autograd.grad(y, x, grad_outputs=v, retain_graph=True)
    h = torch.autograd.grad(y.sum(), [x, z], allow_unused=True)
    return [*g, *h]


C('ag_grad_outputs', 'A B V', _ag_grad_outputs, grad=[0, 2])


def _ag_nograd(x):
    with torch.no_grad():
        y = x * 2
    z = x * 3
    w = x.detach() * x
    w.sum().backward()
    return [y, z, w, x.grad, y.requires_grad, x.detach().requires_grad]


C('ag_nograd_detach', 'V', _ag_nograd, grad=[0])


def _ag_backward_inputs(x, y):
    loss = (x * y).sum()
    loss.backward(inputs=[x])
    return [x.grad, y.grad]


C('ag_backward_inputs', 'A B', _ag_backward_inputs, grad=[0, 1])


def _ag_where_clamp(x, m):
    y = torch.where(m, x * 2, x.pow(2)).clamp(-0.5, 1.0) + x.masked_fill(~m, 0)
    y.sum().backward()
    return x.grad


C('ag_where_clamp', 'A M', _ag_where_clamp, grad=[0])


def _ag_div_pow(x, y):
    ((x / y).pow(1.5) + y.sqrt() * x.log() + x.rsqrt()).sum().backward()
    return [x.grad, y.grad]


C('ag_div_pow', 'P PP', _ag_div_pow, grad=[0, 1])


def _ag_double_backward_mlp(x, w):
    loss = torch.tanh(x @ w).sum()
    (g,) = torch.autograd.grad(loss, w, create_graph=True)
    g.pow(2).sum().backward()
    return [g, w.grad]


C('ag_double_backward_mlp', 'A C', _ag_double_backward_mlp, grad=[1])


def _ag_inplace(x):
    y = x * 1
    y.mul_(2)
    y.add_(1)
    y[0] = 0
    y.sum().backward()
    return [y, x.grad]


C('ag_inplace', 'V', _ag_inplace, grad=[0])


def _ag_f64(x):
    (x.exp() * x.sin() + x.tanh().pow(3)).sum().backward()
    return x.grad


C('ag_f64', 'D', _ag_f64, grad=[0])


def _ag_grad_fn(x, y):
    a = x + y
    b = x * 2
    c = a.sum()
    d = a.mean(1)
    e = x[0]
    f = x.view(-1)
    g = x.matmul(y.t())
    h = a.relu()
    return [a.grad_fn.name(), b.grad_fn.name(), c.grad_fn.name(), d.grad_fn.name(), e.grad_fn.name(), f.grad_fn.name(),
            g.grad_fn.name(), h.grad_fn.name(), x.grad_fn is None, a.is_leaf, x.is_leaf]


C('ag_grad_fn_names', 'A B', _ag_grad_fn, grad=[0])


def _ag_matmul(a, c):
    (a @ c).pow(2).sum().backward()
    return [a.grad, c.grad]


C('ag_matmul', 'A C', _ag_matmul, grad=[0, 1])


def _ag_leaf_requires(x):
    y = x.mul(2)
    return [y, y.requires_grad, y.is_leaf, x.requires_grad]


C('ag_leaf_requires', 'V', _ag_leaf_requires, grad=[0])


# ---- run --------------------------------------------------------------------------------------------------------
def clone_in(t, req):
    c = t.detach().clone()
    return c.requires_grad_() if req else c


def run():
    names = set()
    out_cases = []
    for name, args, fn, grad in CASES:
        assert name not in names, name
        names.add(name)
        ins = [clone_in(IN[a], i in grad) for i, a in enumerate(args)]
        r = fn(*ins)
        outs = list(r) if isinstance(r, (list, tuple)) else [r]
        out_cases.append({'name': name, 'args': args, 'grad': list(grad), 'outputs': [enc_out(o) for o in outs]})
    used = {a for _, args, _, _ in CASES for a in args}
    return {
        'torch': torch.__version__,
        'inputs': {k: spec(v) for k, v in IN.items() if k in used},
        'cases': out_cases,
    }


if __name__ == '__main__':
    data = run()
    path = golden_dir.path('ops.json')
    text = json.dumps(data, allow_nan=False, separators=(',', ':'))
    assert len(text) < 400_000, f'ops.json would be {len(text)} bytes'
    with open(path, 'w') as f:
        f.write(text)
        f.write('\n')
    nout = sum(len(c['outputs']) for c in data['cases'])
    print(f'wrote {path}: {len(data["cases"])} cases, {nout} outputs, {len(text)} bytes')
