/**
 * Golden-value parity tests: sigprop/torch against PyTorch 1.13 on the same libtorch.
 * Regenerate the goldens with:  /usr/bin/python3 test/golden/make_ops.py
 *
 * test/golden/ops.json holds shared input tensors and, per case, the names of the inputs it uses
 * and PyTorch's outputs. Each case below is a function of those inputs that does, with sigprop's
 * API, what the function of the same name in make_ops.py does with PyTorch's. Shapes, dtypes,
 * requires_grad and values must match exactly: floats bitwise (nan matches nan), since every op
 * here is deterministic on CPU at 1 thread with the same libtorch.
 */
import * as torch from '../lib/torch';
import type { Tensor } from '../lib/torch';
import { readGolden, TORCH_SERIES } from './helpers/golden';

// ---- the golden file ------------------------------------------------------------------------------------
type JsonValue = number | string | boolean;
interface TensorSpec { dtype: torch.DType; shape: number[]; values: JsonValue[]; requires_grad: boolean }
type OutSpec = TensorSpec | { none: true } | { scalar: JsonValue };
interface GoldenCase { name: string; args: string[]; grad: number[]; outputs: OutSpec[] }
const golden: { torch: string; inputs: Record<string, TensorSpec>; cases: GoldenCase[] } = readGolden('ops.json');

function decodeFloat(v: JsonValue): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (typeof v !== 'number') throw new TypeError(`bad float in golden: ${String(v)}`);
  return v;
}

const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/** An input tensor, made with torch.tensor from exact values (so a float32 input is bitwise PyTorch's). */
function build(s: TensorSpec, requiresGrad: boolean): Tensor {
  let t: Tensor;
  if (s.dtype === 'int64') t = torch.tensor(BigInt64Array.from(s.values, (v) => BigInt(v as number | string)));
  else if (s.dtype === 'bool') t = torch.tensor(Uint8Array.from(s.values, (v) => (v ? 1 : 0)), { dtype: 'bool' });
  else t = torch.tensor(Float64Array.from(s.values, decodeFloat), { dtype: s.dtype });
  t = t.reshape(s.shape);
  return requiresGrad ? t.requiresGrad_() : t;
}

// ---- comparison -------------------------------------------------------------------------------------------
type Out = Tensor | null | undefined | number | boolean | bigint | string;
type Ret = Out | readonly Out[];
type Impl = (...t: Tensor[]) => Ret;

function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** Differences between an output and its golden, as readable lines (empty when they match). */
function diff(actual: Out, exp: OutSpec, label: string): string[] {
  if ('none' in exp) return actual === null || actual === undefined ? [] : [`${label}: expected None, got ${String(actual)}`];
  if ('scalar' in exp) {
    const e = exp.scalar;
    let a: unknown = actual;
    if (typeof a === 'bigint') a = Number(a);
    const ok = typeof e === 'number' || e === 'nan' || e === 'inf' || e === '-inf'
      ? typeof a === 'number' && sameNumber(a, decodeFloat(e))
      : a === e;
    return ok ? [] : [`${label}: expected scalar ${JSON.stringify(e)}, got ${typeof a} ${String(a)}`];
  }
  if (!(actual instanceof torch.Tensor)) return [`${label}: expected a tensor, got ${String(actual)}`];
  const shape = actual.shape;
  if (JSON.stringify(shape) !== JSON.stringify(exp.shape)) return [`${label}: shape [${shape}] != expected [${exp.shape}]`];
  if (actual.dtype !== exp.dtype) return [`${label}: dtype ${actual.dtype} != expected ${exp.dtype}`];
  const out: string[] = [];
  if (actual.requiresGrad !== exp.requires_grad) out.push(`${label}: requiresGrad ${actual.requiresGrad} != expected ${exp.requires_grad}`);
  const data = actual.toTypedArray();
  const n = exp.values.length;
  if (data.length !== n) return [...out, `${label}: ${data.length} values != expected ${n}`];
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const ev = exp.values[i];
    let ok: boolean;
    let shown: string;
    if (FLOAT_DTYPES.has(exp.dtype)) {
      const a = (data as Float32Array | Float64Array)[i];
      ok = sameNumber(a, decodeFloat(ev));
      shown = String(Object.is(a, -0) ? '-0' : a);
    } else if (exp.dtype === 'int64') {
      const a = (data as BigInt64Array)[i];
      ok = a === BigInt(ev as number | string);
      shown = String(a);
    } else if (exp.dtype === 'bool') {
      const a = (data as Uint8Array)[i] !== 0;
      ok = a === ev;
      shown = String(a);
    } else {
      const a = (data as Int32Array)[i];
      ok = a === ev;
      shown = String(a);
    }
    if (!ok && bad++ < 6) out.push(`${label}[${i}]: ${shown} != expected ${Object.is(ev, -0) ? '-0' : String(ev)}`);
  }
  if (bad > 6) out.push(`${label}: ... ${bad} values differ in all`);
  return out;
}

// ---- the cases ------------------------------------------------------------------------------------------------
const gen = (seed: number | bigint): torch.Generator => new torch.Generator().manualSeed(seed);
const seeded = (seed: number, fn: Impl): Impl => (...t) => {
  torch.manualSeed(seed);
  return fn(...t);
};
const long = (data: number[] | number[][]): Tensor => torch.tensor(data, { dtype: 'int64' });
const { slice } = torch;
// torch.max / torch.min are typed with only the last overload of Tensor.max / Tensor.min
// (max(other: Tensor)), so torch.max(a) and torch.min(a, 1) do not type-check, though they work.
const torchMax = torch.max as unknown as { (input: Tensor): Tensor };
const torchMin = torch.min as unknown as { (input: Tensor, dim: number): torch.ValuesIndices };

/** Python's `t = x.clone(); fn(t, ...); return t` (index writes). */
const put = (fn: (t: Tensor, ...rest: Tensor[]) => void): Impl => (x, ...rest) => {
  const t = x.clone();
  fn(t, ...rest);
  return t;
};
/** Python's `t = x.clone(); r = fn(t, ...); return [t, r is t]` (in-place ops). */
const inpl = (fn: (t: Tensor, ...rest: Tensor[]) => Tensor): Impl => (x, ...rest) => {
  const t = x.clone();
  const r = fn(t, ...rest);
  return [t, r === t];
};

function vizPaste(viz: Tensor, d: Tensor): Tensor {
  const m = 4;
  [[0, 0], [0, 5], [5, 0], [5, 6], [3, 3]].forEach(([x, y], k) => {
    viz.indexPut_([':', slice(x, x + m), slice(y, y + m)], d.index(k));
  });
  return viz;
}

const CASES: Record<string, Impl> = {
  // -- seeded random creation
  rand_small: seeded(0, () => torch.rand(3, 4)),
  rand_100: seeded(1, () => torch.rand(100)),
  rand_f64: seeded(2, () => torch.rand(2, 3, { dtype: 'float64' })),
  rand_bf16: seeded(3, () => torch.rand(20, { dtype: 'bfloat16' })),
  rand_f16: seeded(3, () => torch.rand(5, { dtype: 'float16' })),
  randn_small: seeded(4, () => torch.randn(7)),
  randn_vec: seeded(5, () => torch.randn(4, 8)),
  randn_f64: seeded(6, () => torch.randn(20, { dtype: 'float64' })),
  randn_f16: seeded(6, () => torch.randn(17, { dtype: 'float16' })),
  randn_odd_vec: seeded(7, () => torch.randn(37)),
  randint_high: seeded(7, () => torch.randint(10, [5])),
  randint_low_high: seeded(8, () => torch.randint(-5, 5, [2, 3])),
  randint_uint8: seeded(9, () => torch.randint(0, 256, [8], { dtype: 'uint8' })),
  randint_int32: seeded(10, () => torch.randint(-100, 100, [6], { dtype: 'int32' })),
  randint_big: seeded(11, () => torch.randint(0, 2 ** 40, [4])),
  randint_huge: seeded(12, () => torch.randint(-(2 ** 62), 2 ** 62, [3])),
  randint_float: seeded(12, () => torch.randint(0, 10, [4], { dtype: 'float32' })),
  randperm_10: seeded(13, () => torch.randperm(10)),
  randperm_50_int32: seeded(14, () => torch.randperm(50, { dtype: 'int32' })),
  randperm_300: seeded(14, () => torch.randperm(300)),
  rand_sequence_default: seeded(15, () => [torch.rand(3), torch.randn(3), torch.randint(0, 100, [3]), torch.randperm(4), torch.randn(18)]),
  gen_stream: () => {
    const g = gen(42);
    return [torch.randn(3, { generator: g }), torch.rand(2, 2, { generator: g }), torch.randint(0, 10, [4], { generator: g }),
      torch.randperm(6, { generator: g }), torch.randn(20, { generator: g }), torch.randint(3, 9, [2, 2], { generator: g, dtype: 'int16' })];
  },
  gen_independent: () => {
    torch.manualSeed(0);
    const g = gen(0);
    const a = torch.rand(4, { generator: g });
    const b = torch.rand(4);
    const c = torch.rand(4, { generator: g });
    const d = torch.rand(4);
    return [a, b, c, d];
  },
  gen_big_seed: () => torch.rand(3, { generator: gen(2 ** 40 + 123) }),
  gen_max_seed: () => torch.randn(3, { generator: gen(2n ** 64n - 1n) }),
  normal_inplace: seeded(16, () => torch.empty(10).normal_(2, 0.5)),
  normal_inplace_vec: seeded(17, () => torch.zeros(3, 8).normal_()),
  normal_gen_f64: () => torch.zeros(20, { dtype: 'float64' }).normal_({ generator: gen(99) }),
  normal_gen_kw: () => torch.zeros(5).normal_({ mean: -1, std: 3, generator: gen(98) }),
  uniform_inplace: seeded(18, () => torch.empty(6).uniform_(-1, 1)),
  uniform_gen: () => torch.zeros(2, 5).uniform_({ generator: gen(100) }),
  uniform_gen_f64: () => torch.zeros(7, { dtype: 'float64' }).uniform_(2, 3, { generator: gen(101) }),
  rand_like: seeded(19, (a) => [torch.randnLike(a), torch.randLike(a, { dtype: 'float64' })]),
  randint_like: seeded(20, (i, a) => [torch.randintLike(i, 5), torch.randintLike(a, -3, 3)]),
  rng_state: () => {
    torch.manualSeed(21);
    const s = torch.getRngState();
    const a = torch.rand(3);
    torch.setRngState(s);
    const b = torch.rand(3);
    return [a, b, torch.initialSeed()];
  },
  gen_state: () => {
    const g = gen(22);
    g.manualSeed(23);
    const s = g.getState();
    const a = torch.randn(5, { generator: g });
    g.setState(s);
    const b = torch.randn(5, { generator: g });
    return [a, b, g.initialSeed()];
  },
  bernoulli: seeded(24, (p) => [torch.bernoulli(p), torch.empty(10).bernoulli_(0.3)]),
  bernoulli_gen: (p) => torch.bernoulli(p, { generator: gen(25) }),
  multinomial: seeded(26, (p) => [torch.multinomial(p, 3), torch.multinomial(p.index(0), 6, true)]),

  // -- creation
  arange_int: () => torch.arange(5),
  arange_start_step: () => torch.arange(2, 11, 3),
  arange_neg_step: () => torch.arange(10, 0, -2),
  arange_float_step: () => torch.arange(0, 1, 0.1),
  arange_f64: () => torch.arange(-3, 3, 0.5, { dtype: 'float64' }),
  arange_dtype_f32: () => torch.arange(5, { dtype: 'float32' }),
  arange_frac_start: () => torch.arange(0.5, 4),
  arange_int32: () => torch.arange(1, 20, 4, { dtype: 'int32' }),
  linspace_basic: () => torch.linspace(0, 1, 7),
  linspace_f64: () => torch.linspace(-2, 2, 5, { dtype: 'float64' }),
  linspace_int: () => torch.linspace(0, 10, 4, { dtype: 'int64' }),
  linspace_one: () => torch.linspace(3, 5, 1),
  linspace_long: () => torch.linspace(-1, 3, 33),
  logspace: () => [torch.logspace(0, 2, 5), torch.logspace(0, 3, 4, 2)],
  eye_n: () => torch.eye(3),
  eye_nm: () => torch.eye(2, 4),
  eye_int: () => torch.eye(3, { dtype: 'int64' }),
  full_float: () => torch.full([2, 3], 7.5),
  full_int32: () => torch.full([2, 2], 3, { dtype: 'int32' }),
  full_bool: () => torch.full([3], true),
  full_f16: () => torch.full([2], 1 / 3, { dtype: 'float16' }),
  zeros_ones: () => [torch.zeros(2, 3), torch.zeros(3, { dtype: 'int64' }), torch.ones(2, 2, { dtype: 'bool' }),
    torch.ones(4, { dtype: 'float16' }), torch.zeros(0, 3), torch.ones([]), torch.ones([2, 1], { dtype: 'bfloat16' })],
  like: (i, a) => [torch.zerosLike(i), torch.onesLike(a, { dtype: 'float64' }), torch.fullLike(a, 2.5), torch.fullLike(i, 7)],
  tensor_roundtrip: (...ts) => ts,

  // -- arithmetic
  add_tt: (a, b) => a.add(b),
  add_alpha: (a, b) => torch.add(a, b, { alpha: 2 }),
  add_alpha_frac: (a, b) => a.add(b, { alpha: 0.5 }),
  add_scalar: (a) => a.add(3.5),
  add_scalar_alpha: (a) => torch.add(a, 2, { alpha: 3 }),
  sub_tt: (a, b) => a.sub(b),
  sub_alpha: (a, b) => torch.sub(a, b, { alpha: 2 }),
  sub_scalar: (a) => a.sub(1.25),
  rsub_scalar: (a) => a.rsub(5),
  mul_tt: (a, b) => a.mul(b),
  mul_scalar: (a) => a.mul(0.1),
  div_tt: (a, b) => a.div(b),
  div_scalar: (a) => a.div(3),
  rdiv_scalar: (a) => a.rdiv(2),
  div_floor: (a, b) => torch.div(a, b, { roundingMode: 'floor' }),
  div_trunc: (a, b) => torch.div(a, b, { roundingMode: 'trunc' }),
  div_floor_int: (i, j) => torch.div(i, j, { roundingMode: 'floor' }),
  div_trunc_int: (i, j) => torch.div(i, j, { roundingMode: 'trunc' }),
  div_scalar_floor: (a) => torch.div(a, 0.3, { roundingMode: 'floor' }),
  div_scalar_trunc_int: (i) => torch.div(i, 3, { roundingMode: 'trunc' }),
  floor_divide: (i, j) => [i.floorDivide(3), i.floorDivide(j)],
  remainder: (a, i, j) => [a.remainder(0.7), torch.remainder(i, j), torch.remainder(a, -2)],
  fmod: (a, i, j) => [torch.fmod(a, 0.7), torch.fmod(i, j)],
  pow_scalar2: (a) => a.pow(2),
  pow_half: (p) => p.pow(0.5),
  pow_neg_base_frac: (a) => a.pow(0.5),
  pow_tensor: (p, b) => p.pow(b),
  pow_int: (i) => i.pow(2),
  pow_int3: (j) => torch.pow(j, 3),
  rpow: (a) => a.rpow(2),
  pow_f64_1_5: (d) => d.abs().pow(1.5),
  clamp_both: (a) => a.clamp(-0.5, 0.5),
  clamp_min: (a) => a.clamp({ min: 0 }),
  clamp_max: (a) => torch.clamp(a, { max: 0.2 }),
  clamp_tensor_min: (a, b) => a.clamp({ min: b }),
  clamp_tensor_both: (a, b, p) => a.clamp(b.sub(p), b.add(p)),
  clamp_int: (i) => i.clamp(-3, 3),
  clamp_special: (s) => s.clamp(0, 1),
  sign: (s, i) => [s.sign(), i.sign(), torch.sign(s)],
  rounding: (r) => [r.floor(), r.ceil(), r.round(), r.trunc(), r.frac(), torch.round(r)],
  rounding_special: (s) => [s.floor(), s.ceil(), s.round(), s.trunc()],
  round_decimals: (a, r) => [a.round({ decimals: 2 }), a.mul(100).round({ decimals: -1 }), r.round({ decimals: 1 }), torch.round(a, { decimals: 3 })],
  exp_log: (a, s) => [a.exp(), s.exp(), a.abs().log(), s.log()],
  sqrt_rsqrt: (p, s) => [p.sqrt(), p.rsqrt(), s.sqrt(), s.rsqrt()],
  unary_misc: (a) => [a.log1p(), a.expm1(), a.abs().log2(), a.sin(), a.cos(), a.tan(), a.erf(), a.abs(), a.neg(),
    a.square(), a.reciprocal(), torch.neg(a), torch.abs(a)],
  unary_f64: (d) => [d.exp(), d.sin(), d.sqrt(), d.tanh(), d.sigmoid(), d.erf()],
  unary_large: (x) => [x.exp(), x.tanh(), x.sigmoid(), x.abs().log(), x.sin()],
  abs_neg_int: (i, i8) => [i.abs(), i8.abs(), i8.neg(), i.neg()],

  // -- reductions
  sum_all: (a) => a.sum(),
  sum_dim1: (a) => a.sum(1),
  sum_dims: (x) => x.sum([0, 2]),
  sum_keepdim: (x) => x.sum(1, { keepdim: true }),
  sum_neg_dim: (x) => torch.sum(x, -1),
  sum_dtype_f64: (a) => a.sum(1, { dtype: 'float64' }),
  sum_int8: (i) => [i.sum(), i.sum(0)],
  sum_bool: (m) => [m.sum(), m.sum(1)],
  sum_f16: (h, bf) => [h.sum(), h.sum(0), bf.sum(), bf.sum(1)],
  sum_large: (x) => [x.sum(), x.view(20, 15).sum(0), x.view(20, 15).sum(1), x.double().sum()],
  sum_empty: (e) => [e.sum(), e.sum(0), e.sum(1)],
  mean: (a, x, d) => [a.mean(), a.mean(0), a.mean(-1, { keepdim: true }), x.mean([0, 2]), d.mean(1), torch.mean(a)],
  mean_large: (x) => [x.mean(), x.view(3, 100).mean(1)],
  mean_f16: (h) => [h.mean(), h.mean(1)],
  std: (a, x) => [a.std(), a.std(1), a.std(1, { unbiased: false }), a.std(0, { keepdim: true }), a.std({ unbiased: false }),
    x.std([0, 2]), torch.std(a)],
  var: (a, x) => [a.var(), a.var(1), a.var(1, { unbiased: false }), a.var(0, { keepdim: true }), a.var({ unbiased: false }),
    x.var([0, 2], { keepdim: true })],
  std_var_large: (x) => [x.std(), x.var(), x.view(30, 10).std(0), x.view(30, 10).var(1, { unbiased: false })],
  prod: (p, i) => [p.prod(), p.prod(1), p.prod(0, { keepdim: true }), i.prod(1), torch.prod(p, { dtype: 'float64' })],
  max_all: (a) => [a.max(), a.min(), torchMax(a)],
  max_dim1: (a) => a.max(1),
  max_dim0_keepdim: (a) => a.max(0, { keepdim: true }),
  max_kw: (x) => x.max({ dim: 2, keepdim: true }),
  min_dim1: (a) => torchMin(a, 1),
  max_min_ties: (t) => [...t.max(1), ...t.min(1), ...t.max(0), ...t.min(0)],
  max_min_nan: (s) => [s.max(), s.min(), ...s.view(3, 4).max(1), ...s.view(3, 4).min(1)],
  max_int: (i) => [i.max(), ...i.min(0)],
  maximum_minimum: (a, b, s) => [a.max(b), torch.maximum(a, b), torch.minimum(a, b), s.maximum(s.flip(0)), s.minimum(s.flip(0))],
  amax_amin: (x, t) => [x.amax([0, 2]), x.amin(1, { keepdim: true }), t.amax(1), torch.amax(x, -1)],
  argmax_argmin: (a, x, t) => [a.argmax(), a.argmax(1), a.argmax(0, { keepdim: true }), a.argmin(), a.argmin(1),
    x.argmax(-1), t.argmax(1), t.argmin(1), t.argmax(), torch.argmax(a)],
  topk: (a, v) => [...a.topk(3), ...a.topk(2, { dim: 0, largest: false }), ...v.topk(4), ...torch.topk(v, 2, { largest: false })],
  sort: (a) => [...a.sort(), ...a.sort({ dim: 0, descending: true }), ...torch.sort(a, 1)],
  sort_stable_ties: (t) => [...t.sort({ stable: true }), ...t.sort({ dim: 1, descending: true, stable: true }), ...t.sort({ dim: 0, stable: true })],
  sort_nan: (s) => [...s.sort(), ...s.sort({ descending: true })],
  argsort: (a, v) => [a.argsort(), a.argsort({ dim: 0, descending: true }), v.argsort({ descending: true }), torch.argsort(a, 1)],
  cumsum: (a, i) => [a.cumsum(0), a.cumsum(1, { dtype: 'float64' }), i.cumsum(0), torch.cumsum(a, -1)],
  cumsum_large: (x) => x.cumsum(0),
  cumprod: (p, i) => [p.cumprod(1), i.cumprod(0)],
  logsumexp: (a, x, s) => [a.logsumexp(1), x.logsumexp([0, 2], { keepdim: true }), torch.logsumexp(a, 0), s.view(3, 4).logsumexp(1)],
  norm_fro: (a) => a.norm(),
  norm_p1: (a) => a.norm(1),
  norm_inf: (a) => a.norm(Infinity),
  norm_dim: (a) => a.norm({ dim: 1 }),
  norm_p2_dim: (a) => a.norm(2, 1),
  norm_p3_keep: (a) => a.norm({ p: 3, dim: 0, keepdim: true }),
  norm_f64: (d) => [d.norm(), d.norm(1, 0)],
  norm_large: (x) => [x.norm(), x.norm(1), x.view(30, 10).norm({ dim: 1 })],

  // -- comparison / logic
  cmp_scalar: (a, i) => [a.lt(0.1), a.le(0), a.gt(-0.5), a.ge(0.25), i.eq(2), i.ne(0), torch.gt(a, 0)],
  cmp_tensor: (a, b, t) => [a.lt(b), a.le(b), a.gt(b), a.ge(b), t.eq(t.flip(1)), t.ne(t.flip(1)), torch.eq(a, b)],
  cmp_broadcast: (a, v, c) => [a.gt(v), a.lt(c), v.ge(c)],
  cmp_int_float: (i, a) => [i.ge(2.5), i.lt(a), i.eq(i.float()), i.eq(2.0000001)],
  cmp_nan: (s) => [s.eq(s), s.ne(s), s.lt(1), s.ge(s)],
  logical: (m, m2, a, i) => [m.logicalAnd(m2), m.logicalOr(m2), m.logicalXor(m2), m.logicalNot(),
    a.logicalAnd(i), a.logicalNot(), i.logicalNot(), torch.logicalOr(a, m2)],
  any_all: (m, m3, a, u) => [m.any(), m.all(), m.any(1), m.all(0), m3.any(2, { keepdim: true }), m3.all(1, { keepdim: true }),
    a.any(), a.all(), u.any(), u.all(), u.any(1)],
  isnan_isfinite: (s) => [s.isnan(), s.isfinite(), s.isinf(), torch.isnan(s)],
  equal_allclose: (a, b) => [a.equal(a.clone()), a.equal(b), a.allclose(a.add(1e-7)), a.allclose(b), a.isclose(a.add(1e-5))],

  // -- activations
  softmax: (a, x) => [a.softmax(1), a.softmax(0), x.softmax(-1), torch.softmax(a, 1)],
  softmax_f64: (a) => a.softmax(0, { dtype: 'float64' }),
  log_softmax: (a, x) => [a.logSoftmax(1), x.logSoftmax(0), a.logSoftmax(0, { dtype: 'float64' })],
  softmax_large: (x) => [x.view(3, 100).softmax(1), x.view(3, 100).logSoftmax(1), x.view(3, 100).softmax(0)],
  relu: (a, s) => [a.relu(), s.relu(), torch.relu(a)],
  leaky_relu: (a) => [a.leakyRelu(), a.leakyRelu(0.2)],
  sigmoid_tanh: (a, s) => [a.sigmoid(), a.tanh(), s.sigmoid(), s.tanh()],
  gelu: (a, x) => [a.gelu(), a.gelu({ approximate: 'tanh' }), torch.gelu(x), torch.gelu(x, { approximate: 'tanh' })],
  silu_elu: (a) => [a.silu(), a.elu(), a.elu(0.5)],
  activations_f64: (d) => [d.gelu(), d.gelu({ approximate: 'tanh' }), d.silu(), d.leakyRelu(0.3), d.softmax(1)],
  activations_large: (x) => [x.gelu(), x.gelu({ approximate: 'tanh' }), x.silu(), x.elu(), x.leakyRelu(0.05)],
  one_hot: (c) => [torch.oneHot(c), torch.oneHot(c, 6), torch.oneHot(c.view(5, 1), 4)],

  // -- linear algebra and fused
  matmul: (a, c) => [a.matmul(c), a.mm(c), torch.matmul(a, c)],
  bmm: (x, y) => [x.bmm(y), x.matmul(y)],
  matmul_broadcast: (x, c, a, v) => [x.matmul(c), a.matmul(v), v.matmul(c), v.dot(v)],
  matmul_f64: (d) => [d.matmul(d.t()), d.t().matmul(d.index(':', ':1').expand(3, 2))],
  addcmul_addcdiv_lerp: (a, b, p) => [a.addcmul(b, p, { value: 0.5 }), torch.addcdiv(a, b, p, { value: 2 }), a.lerp(b, 0.25),
    torch.lerp(a, b, p), a.addcmul(b, p)],

  // -- shape ops
  view: (a, x) => [a.view(4, 3), x.view(-1, 4), a.view(-1), a.view(2, 2, 3)],
  view_dtype: (a) => a.view('int32'),
  reshape: (a, x) => [x.reshape(3, -1), a.t().reshape(-1), torch.reshape(x, [4, 6]), a.reshape(12)],
  flatten: (x) => [x.flatten(), x.flatten(1), x.flatten(0, 1), torch.flatten(x, -2)],
  unflatten: (a) => [a.unflatten(1, [2, 2]), a.unflatten(0, [3, 1])],
  permute_transpose: (x, a) => [x.permute(2, 0, 1), x.transpose(0, 2), a.t(), a.T, x.transpose(-1, -2), torch.permute(x, [1, 2, 0])],
  unsqueeze_squeeze: (a, z) => [a.unsqueeze(0), a.unsqueeze(-1), z.squeeze(), z.squeeze(2), z.squeeze(1), torch.unsqueeze(a, 1)],
  expand: (c, v) => [c.expand(3, 4), c.expand(2, -1, 4), v.expand(2, 4), c.expandAs(torch.empty(3, 5))],
  repeat: (a, v) => [a.repeat(2, 1, 3), v.repeat(2), v.repeat(2, 2)],
  narrow_select: (x, a) => [x.narrow(2, 1, 2), a.select(0, -1), x.select(1, 2), torch.narrow(a, 0, 1, 2)],
  cat_stack: (a, b) => [torch.cat([a, b]), torch.cat([a, b, a], 1), torch.stack([a, b]), torch.stack([a, b], 2),
    torch.cat([a, b], -1), torch.stack([a, b], -1)],
  cat_promote: (a, d, i) => [torch.cat([a, d]), torch.cat([i, a], 1)],
  hstack_vstack: (a, b, v) => [torch.hstack([a, b]), torch.vstack([a, b]), torch.vstack([a, v])],
  split_chunk: (v, a, v7) => [...v.split(2), ...a.split([1, 3], 1), ...v7.chunk(3), ...a.chunk(2, 1), ...torch.split(a, 2)],
  unbind: (a) => [...a.unbind(1), ...torch.unbind(a)],
  gather: (a, g) => [a.gather(1, g), torch.gather(a, 0, g.clamp(0, 2))],
  scatter: (a, si, su) => [torch.zeros(3, 5).scatter(1, su, a), torch.zeros(3, 5).scatter(1, si, 1.5),
    torch.zeros(3, 5).scatterAdd(1, si, a), torch.ones(3, 5).scatter(1, si, a, { reduce: 'add' }),
    torch.ones(3, 5).scatter(1, si, a, { reduce: 'multiply' })],
  index_select: (a, i2, i) => [a.indexSelect(1, i2), torch.indexSelect(a, 0, i)],
  masked_fill: (a, m, f0) => [a.maskedFill(m, -1.0), a.maskedFill(m, f0), a.maskedFill(m.index(0), 0), torch.maskedFill(a, m.logicalNot(), 2)],
  masked_select: (a, m, x, m3) => [a.maskedSelect(m), x.maskedSelect(m3), a.maskedSelect(m.index(0))],
  where: (m, a, b, i) => [torch.where(m, a, b), torch.where(m, a, 0.0), torch.where(m, 1.0, b), torch.where(m, i, a), a.where(m, b)],
  where_int_scalar: (m, i) => [torch.where(m, i, 2.5), torch.where(m, i, 7)],
  where_cond_nonzero: (m, m3) => [...torch.where(m), m.nonzero(), ...torch.where(m3), m3.nonzero()],
  flip_roll: (x, a) => [x.flip(0, 2), a.flip(1), a.roll(1, 1), a.roll(2), a.roll([1, -1], [0, 1])],
  tril_triu: (a) => [a.tril(), a.triu(1), a.tril(-1), torch.triu(a)],
  contiguous: (a, x) => [a.t().contiguous(), x.permute(1, 2, 0).contiguous().view(-1), a.t().sum(0)],

  // -- indexing reads
  idx_int: (x) => [x.index(1), x.index(-1, -2), x.index(0, 1, 2), x.index(-1).index(-1).index(-1)],
  idx_slice: (a, n) => [a.index('1:3'), n.index('::2', '1::2'), n.index('-3:', '-4:-1'), n.index('1:4:2', '::3'), a.index(':', 1),
    n.index('10:'), n.index(':', '-2:')],
  idx_ellipsis_none: (x, a) => [x.index('...', 1), x.index(0, '...', 2), a.index(null, ':', null), a.index('...', null),
    x.index(':', null, '...', null, 1), x.index('...')],
  idx_mask: (a, m, rm, x, m3) => [a.index(m), a.index(rm), x.index(m3), x.index(':', rm), a.index(':', m.index(0))],
  idx_tensor: (a, i, i2, x, v) => [a.index(i), a.index([0, 2]), a.index(i, i2), a.index('1:', [0, 3]), x.index([0, 1], ':', [1, 2]),
    v.index(long([[0, 1], [5, 3]])), a.index(-1, i2), x.index(':', i)],
  idx_bool_scalar: (a) => [a.index(true), a.index(null, true), a.index(false)],
  idx_0d: (v, i0) => [v.index(3), v.index(i0), v.index(-1)],
  idx_slice_obj: (n) => [n.index(slice(null, null, 2)), n.index(slice(1, null)), n.index(':', slice(null, null, 1)), n.index(':', slice(1, 5, 3))],

  // -- indexing writes
  put_int: put((t) => { t.indexPut_([0], 5); }),
  put_slice_tensor: put((t, w) => { t.indexPut_([':', '1:3'], w); }),
  put_broadcast: put((t, v) => { t.indexPut_(['1:', ':'], v); }),
  put_step: put((t) => { t.indexPut_(['::2', 1], -1); }),
  put_mask: put((t, m) => { t.indexPut_([m], 0); }),
  put_mask_tensor: put((t, m) => { t.indexPut_([m], t.index(m).mul(10)); }),
  put_index_tensor: put((t, _i, b) => { t.indexPut_([long([2, 0])], b.index(':2')); }),
  put_adv2: put((t) => { t.indexPut_([long([0, 1]), long([3, 2])], torch.tensor([7, 8])); }),
  put_ellipsis: put((t) => { t.indexPut_(['...', -1], 9); }),
  put_neg: put((t) => {
    t.indexPut_([-1, -1], 4.5);
    t.indexPut_([-2], -0);
  }),
  put_list: put((t) => { t.indexPut_([[0, 2], '1:'], 0.5); }),
  put_int_tensor: put((t) => {
    t.indexPut_([0, ':2'], 7);
    t.indexPut_([1], 2.7);
    t.indexPut_([2, -1], -2.7);
  }),
  put_bool_tensor: put((t) => {
    t.indexPut_([0], true);
    t.indexPut_([':', 1], false);
  }),
  put_none_views: put((t, d) => {
    t.indexPut_([1, null, 0], d.index(0, 0, ':1', 0));
    t.indexPut_([':', '1:2'], d.index(1, 0, ':3', ':1'));
  }),
  put_viz: (d) => vizPaste(torch.zeros(2, 10, 10), d),
  put_viz_cast: (d) => {
    const viz = torch.full([2, 9, 9], -1.0);
    const m = 4;
    for (const [x, y] of [[0, 0], [4, 4], [5, 1]]) viz.indexPut_([':', slice(x, x + m), slice(y, y + m)], d);
    viz.indexPut_([':', '8:12', slice(8, 8 + m)], 1);
    return viz;
  },

  // -- in-place ops
  inplace_add_alpha: inpl((t, b) => t.add_(b, { alpha: 2 })),
  inplace_sub_scalar_alpha: inpl((t) => t.sub_(1.5, { alpha: 2 })),
  inplace_mul_scalar: inpl((t) => t.mul_(0.3)),
  inplace_div_floor: inpl((t, b) => t.div_(b, { roundingMode: 'floor' })),
  inplace_div: inpl((t) => t.div_(7)),
  inplace_pow: inpl((t) => t.pow_(1.7)),
  inplace_remainder: inpl((t) => t.remainder_(1.1)),
  inplace_clamp: inpl((t) => t.clamp_(-0.3, 0.4)),
  inplace_clamp_min: inpl((t) => t.clamp_({ min: 0.1 })),
  inplace_masked_fill: inpl((t, m) => t.maskedFill_(m, 3.25)),
  inplace_scatter: inpl((t, i) => t.scatter_(1, i.index(':', ':4').clamp(0, 3), 0.0)),
  inplace_scatter_add: inpl((t, i) => t.scatterAdd_(1, i.clamp(0, 3), torch.ones(3, 4))),
  inplace_round_dec: inpl((t) => t.round_({ decimals: 1 })),
  inplace_leaky_relu: inpl((t) => t.leakyRelu_(0.1)),
  inplace_unary: inpl((t) => t.sqrt_().exp_().log_().sigmoid_().tanh_().neg_().abs_().reciprocal_().square_().rsqrt_()),
  inplace_floor_ceil: inpl((t) => t.mul_(0.5).floor_().add_(0.5).ceil_().sign_()),
  inplace_fill_zero: inpl((t) => t.fill_(2.5).zero_().add_(1)),
  inplace_addcmul: inpl((t, b, p) => t.addcmul_(b, p, { value: -1.5 }).addcdiv_(b, p).lerp_(b, 0.75)),
  inplace_relu: inpl((t) => t.relu_()),
  inplace_views: (a, v3) => {
    const t = a.clone();
    t.select(1, 0).copy_(v3);
    t.narrow(0, 1, 1).fill_(-7);
    t.index(':', '2:').zero_();
    t.indexPut_([0, 3], 1);
    t.t().index(3).mul_(2);
    return t;
  },
  copy_cast: (a, d, i) => [a.clone().copy_(d), a.clone().copy_(i), i.clone().copy_(a.mul(3)), d.clone().copy_(a.index(0))],

  // -- type promotion
  tp_int_float_scalar: (i, i32, i8, u8) => [i.add(2.5), i32.mul(1.5), i8.sub(0.5), u8.div(2.0), i.mul(0.1)],
  tp_int_int_scalar: (i, i32, i8, u8) => [i.add(2), i32.mul(3), i8.sub(1), u8.add(250), i8.mul(100), u8.sub(1)],
  tp_int_div: (i, j, i32) => [i.div(j), i.div(2), i32.div(4), i.floorDivide(2), torch.div(i32, 3)],
  tp_int_tensors: (i, i32, i8, u8) => [i32.add(i), u8.add(i8), u8.mul(i32), i8.sub(u8), i32.floorDivide(3)],
  tp_bool: (m, m2, i) => [m.add(m2), m.mul(m2), m.add(i), m.add(1), m.mul(1.5), m.float(), m.sum(), m.int().sub(m2.int())],
  tp_half: (h, bf, a, d) => [h.add(a), h.add(1.5), h.mul(h), bf.mul(3), bf.add(h), d.add(a), h.add(d), bf.div(7), bf.exp(), bf.sqrt(), h.abs(), h.neg()],
  tp_zero_dim: (a, i, u8, d0, f0, i0, b0, h) => [a.add(d0), i.add(d0), i.add(f0), u8.add(i0), i.add(b0), u8.mul(b0),
    h.add(f0), d0.mul(f0), i0.add(f0), b0.add(b0), h.add(d0)],
  tp_unary_int: (i, m, u8) => [i.abs().sqrt(), m.exp(), u8.sigmoid(), i.float().mean(), i.sin()],
  tp_cumsum_int: (i32, u8, m) => [i32.cumsum(0), u8.cumsum(1), m.cumsum(1), i32.sum(1), u8.prod(1)],
  tp_conversions: (f, a, i) => [f.to('int64'), f.to('int32'), f.half(), f.to('bfloat16'), a.bool(),
    f.index(':8').abs().to('uint8'), i.mul(1000).half(), f.double(), f.bool(), f.index(':8').to('int16')],
  tp_conversions_f64: (d) => [d.mul(1e6).float(), d.mul(1e3).to('float16'), d.mul(1e-3).bfloat16(), d.mul(100).long()],
  tp_compare_mixed: (i, a, h, d) => [i.lt(a), h.gt(a), d.eq(a.double()), h.eq(1)],
  tp_mixed_ops: (i, a, d) => [i.mul(a), i.sub(d), i.abs().pow(1.5), torch.where(i.gt(0), i, a), a.maskedFill(i.gt(0), 7), i.clamp({ max: 2.5 })],

  // -- broadcasting
  bc_col_row: (c, r) => [c.add(r), c.mul(r), r.sub(c), torch.maximum(c, r)],
  bc_3d: (x, v, b5, b6, c) => [x.mul(v), b5.sub(b6), x.add(c), torch.where(x.gt(0), x, c)],
  bc_where_mask: (rm, a, v) => [torch.where(rm.index(':', null), a, v), a.maskedFill(rm.index(':', null), 1)],
  bc_inplace: (a, r, c) => [a.clone().add_(r), a.clone().mul_(c), a.clone().copy_(r)],

  // -- autograd
  ag_poly: (x) => {
    x.mul(x).add(x.mul(3)).sum().backward();
    return x.grad;
  },
  ag_mlp: (x, w, b) => {
    const loss = x.matmul(w).add(b).tanh().pow(2).mean();
    loss.backward();
    return [loss, w.grad, b.grad, x.grad];
  },
  ag_retain: (x, y) => {
    const h = x.sigmoid();
    h.retainGrad();
    const z = h.mul(y);
    const loss = z.sum();
    loss.backward();
    return [h.grad, x.grad, z.grad, h.retainsGrad, z.retainsGrad];
  },
  ag_grad_create: (x) => {
    const y = x.pow(3);
    const [g] = torch.autograd.grad(y.sum(), x, { createGraph: true });
    const [g2] = torch.autograd.grad(g!.sum(), x);
    return [g, g2, x.grad];
  },
  ag_grad_create_sin: (x) => {
    const f = x.sin().mul(x).sum();
    const [g] = torch.autograd.grad(f, [x], { createGraph: true });
    g!.sum().backward();
    return [g, x.grad];
  },
  ag_backward_gradient: (x, v) => {
    const y = x.mul(2).add(x.exp());
    y.backward(v);
    return x.grad;
  },
  ag_accumulate: (x) => {
    x.mul(2).sum().backward();
    x.mul(x).sum().backward();
    return x.grad;
  },
  ag_softmax: (x, w, idx) => {
    x.softmax(1).mul(w).sum().backward();
    const g1 = x.grad!.clone();
    x.grad = null;
    const loss = x.logSoftmax(1).gather(1, idx.view(3, 1)).mean().neg();
    loss.backward();
    return [g1, loss, x.grad];
  },
  ag_activations: (x) => {
    const y = x.relu().add(x.leakyRelu(0.1)).add(x.gelu()).add(x.gelu({ approximate: 'tanh' }).mul(2)).add(x.silu()).add(x.elu())
      .add(x.sigmoid()).add(x.tanh().mul(3));
    y.sum().backward();
    return x.grad;
  },
  ag_relu_at_zero: (x) => {
    x.relu().add(x.clamp(0, 1)).add(x.abs()).sum().backward();
    return x.grad;
  },
  ag_index: (x, m, idx) => {
    const y = x.index(':', '1:3').sum().add(x.index(idx).mul(2).sum()).add(x.index(m).pow(2).sum()).add(x.index('...', -1).sum().mul(3))
      .add(x.index(null, 1).sum());
    y.backward();
    return x.grad;
  },
  ag_reductions: (x) => {
    const y = x.max(1).values.sum().add(x.norm()).add(x.std(0).sum()).add(x.cumsum(1).sum().mul(0.5)).add(x.logsumexp(1).sum())
      .add(x.prod(1).sum()).add(x.mean()).add(x.var(1, { unbiased: false }).sum()).add(x.amin(0).sum()).add(x.norm(1, 1).sum());
    y.backward();
    return [y, x.grad];
  },
  ag_shape: (x, w) => {
    const y = torch.cat([x, x.mul(2)], 0).view(-1).expand(2, -1);
    const [a, b] = x.split([1, 3], 1);
    const c = torch.stack(x.chunk(2, 1), 0);
    const loss = y.sum(0).mul(w.view(-1).repeat(2)).sum().add(a.mul(3).sum()).add(b.t().pow(2).sum())
      .add(c.permute(2, 0, 1).flatten().index('::2').sum());
    loss.backward();
    return [x.grad, w.grad];
  },
  ag_broadcast: (c, r) => {
    c.mul(r).add(c).pow(2).sum().backward();
    return [c.grad, r.grad];
  },
  ag_grad_outputs: (x, v, z) => {
    const y = x.exp().mul(2);
    const g = torch.autograd.grad(y, x, { gradOutputs: v, retainGraph: true });
    const h = torch.autograd.grad(y.sum(), [x, z], { allowUnused: true });
    return [...g, ...h];
  },
  ag_nograd_detach: (x) => {
    const y = torch.noGrad(() => x.mul(2));
    const z = x.mul(3);
    const w = x.detach().mul(x);
    w.sum().backward();
    return [y, z, w, x.grad, y.requiresGrad, x.detach().requiresGrad];
  },
  ag_backward_inputs: (x, y) => {
    const loss = x.mul(y).sum();
    loss.backward({ inputs: [x] });
    return [x.grad, y.grad];
  },
  ag_where_clamp: (x, m) => {
    const y = torch.where(m, x.mul(2), x.pow(2)).clamp(-0.5, 1.0).add(x.maskedFill(m.logicalNot(), 0));
    y.sum().backward();
    return x.grad;
  },
  ag_div_pow: (x, y) => {
    x.div(y).pow(1.5).add(y.sqrt().mul(x.log())).add(x.rsqrt()).sum().backward();
    return [x.grad, y.grad];
  },
  ag_double_backward_mlp: (x, w) => {
    const loss = x.matmul(w).tanh().sum();
    const [g] = torch.autograd.grad(loss, w, { createGraph: true });
    g!.pow(2).sum().backward();
    return [g, w.grad];
  },
  ag_inplace: (x) => {
    const y = x.mul(1);
    y.mul_(2);
    y.add_(1);
    y.indexPut_([0], 0);
    y.sum().backward();
    return [y, x.grad];
  },
  ag_f64: (x) => {
    x.exp().mul(x.sin()).add(x.tanh().pow(3)).sum().backward();
    return x.grad;
  },
  ag_grad_fn_names: (x, y) => {
    const a = x.add(y);
    const b = x.mul(2);
    const c = a.sum();
    const d = a.mean(1);
    const e = x.index(0);
    const f = x.view(-1);
    const g = x.matmul(y.t());
    const h = a.relu();
    return [a.gradFn, b.gradFn, c.gradFn, d.gradFn, e.gradFn, f.gradFn, g.gradFn, h.gradFn, x.gradFn === null, a.isLeaf, x.isLeaf];
  },
  ag_matmul: (a, c) => {
    a.matmul(c).pow(2).sum().backward();
    return [a.grad, c.grad];
  },
  ag_leaf_requires: (x) => {
    const y = x.mul(2);
    return [y, y.requiresGrad, y.isLeaf, x.requiresGrad];
  },
};

// ---- the tests ---------------------------------------------------------------------------------------------------
let baseline = 0;
beforeAll(() => {
  torch.setNumThreads(1);
  baseline = torch.memory().numTensors;
});

test('ops.json was made by PyTorch 1.13 and lists exactly the cases defined here', () => {
  expect(golden.torch.split('+')[0]).toMatch(new RegExp(`^${TORCH_SERIES.replace('.', '\\.')}\\.`));
  const inJson = golden.cases.map((c) => c.name);
  expect(new Set(inJson).size).toBe(inJson.length);
  expect([...inJson].sort()).toEqual(Object.keys(CASES).sort());
  expect(golden.cases.length).toBeGreaterThanOrEqual(120);
});

function runCase(name: string, c: GoldenCase): void {
  torch.tidy(() => {
    const impl = CASES[name];
    expect(impl).toBeDefined();
    const ins = c.args.map((a, k) => build(golden.inputs[a], c.grad.includes(k)));
    const r = impl(...ins);
    const outs: readonly Out[] = Array.isArray(r) ? (r as readonly Out[]) : [r as Out];
    const problems: string[] = [];
    if (outs.length !== c.outputs.length) problems.push(`${outs.length} outputs != expected ${c.outputs.length}`);
    else c.outputs.forEach((e, k) => problems.push(...diff(outs[k], e, `output ${k}`)));
    expect(problems).toEqual([]);
  });
}

describe.each(golden.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
  test('matches PyTorch', () => runCase(name, c));
});

test('no tensors leaked', () => {
  expect(torch.memory().numTensors).toBe(baseline);
});
