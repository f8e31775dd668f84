/** nn.functional, activations: relu and friends, softmax / logSoftmax / softmin. */
import { Tensor, T, op, tid } from '../../tensor';
import { describe } from '../../errors';
import type { DTypeLike } from '../../dtype';
import { Args, bool, free, inplace, int, none, num, optDtype, parse } from './common';

const O = {
  threshold: op('threshold'), threshold_: op('threshold_'), relu: op('relu'), relu_: op('relu_'), relu6: op('relu6'), relu6_: op('relu6_'),
  hardtanh: op('hardtanh'), hardtanh_: op('hardtanh_'), elu: op('elu'), elu_: op('elu_'), selu: op('selu'), selu_: op('selu_'), celu: op('celu'),
  celu_: op('celu_'), leakyRelu: op('leaky_relu'), leakyRelu_: op('leaky_relu_'), prelu: op('prelu'), rrelu: op('rrelu'), rrelu_: op('rrelu_'),
  glu: op('glu'), gelu: op('gelu'), logSigmoid: op('log_sigmoid'), hardshrink: op('hardshrink'), softshrink: op('softshrink'),
  softplus: op('softplus'), softmax: op('softmax', 'int'), logSoftmax: op('log_softmax', 'int'), hardsigmoid: op('hardsigmoid'),
  hardsigmoid_: op('hardsigmoid_'), silu: op('silu'), silu_: op('silu_'), mish: op('mish'), mish_: op('mish_'), hardswish: op('hardswish'),
  hardswish_: op('hardswish_'),
};

type Inplace = [inplace: boolean];
type InplaceOpt = { inplace?: boolean };

function simple(fn: string, f: typeof O.relu, f_: typeof O.relu, input: Tensor, args: unknown[]): Tensor {
  const [ip] = parse(fn, args, ['inplace'], 1);
  const h = tid(input, 'input', fn);
  return bool(ip, 'inplace', fn, false) ? inplace(f_, input, [h]) : T(f([h]));
}

/** threshold(input, threshold, value, inplace = false) */
export function threshold(input: Tensor, threshold: number, value: number, ...args: Args<Inplace, InplaceOpt>): Tensor {
  const fn = 'threshold';
  const [ip] = parse(fn, args, ['inplace'], 3);
  const a = [tid(input, 'input', fn), num(threshold, 'threshold', fn), num(value, 'value', fn)];
  return bool(ip, 'inplace', fn, false) ? inplace(O.threshold_, input, a) : T(O.threshold(a));
}
/** relu(input, inplace = false) */
export function relu(input: Tensor, ...args: Args<Inplace, InplaceOpt>): Tensor { return simple('relu', O.relu, O.relu_, input, args); }
/** relu6(input, inplace = false) */
export function relu6(input: Tensor, ...args: Args<Inplace, InplaceOpt>): Tensor { return simple('relu6', O.relu6, O.relu6_, input, args); }
/** selu(input, inplace = false) */
export function selu(input: Tensor, ...args: Args<Inplace, InplaceOpt>): Tensor { return simple('selu', O.selu, O.selu_, input, args); }
/** silu(input, inplace = false) */
export function silu(input: Tensor, ...args: Args<Inplace, InplaceOpt>): Tensor { return simple('silu', O.silu, O.silu_, input, args); }
/** mish(input, inplace = false) */
export function mish(input: Tensor, ...args: Args<Inplace, InplaceOpt>): Tensor { return simple('mish', O.mish, O.mish_, input, args); }
/** hardsigmoid(input, inplace = false) */
export function hardsigmoid(input: Tensor, ...args: Args<Inplace, InplaceOpt>): Tensor { return simple('hardsigmoid', O.hardsigmoid, O.hardsigmoid_, input, args); }
/** hardswish(input, inplace = false) */
export function hardswish(input: Tensor, ...args: Args<Inplace, InplaceOpt>): Tensor { return simple('hardswish', O.hardswish, O.hardswish_, input, args); }

/** hardtanh(input, minVal = -1, maxVal = 1, inplace = false) */
export function hardtanh(input: Tensor, ...args: Args<[minVal: number, maxVal: number, inplace: boolean], { minVal?: number; maxVal?: number; inplace?: boolean }>): Tensor {
  const fn = 'hardtanh';
  const [mn, mx, ip] = parse(fn, args, ['minVal', 'maxVal', 'inplace'], 1);
  const a = [tid(input, 'input', fn), num(mn, 'minVal', fn, -1.0), num(mx, 'maxVal', fn, 1.0)];
  return bool(ip, 'inplace', fn, false) ? inplace(O.hardtanh_, input, a) : T(O.hardtanh(a));
}

function alphaAct(fn: string, f: typeof O.elu, f_: typeof O.elu, input: Tensor, args: unknown[]): Tensor {
  const [alpha, ip] = parse(fn, args, ['alpha', 'inplace'], 1);
  const a = [tid(input, 'input', fn), num(alpha, 'alpha', fn, 1.0)];
  return bool(ip, 'inplace', fn, false) ? inplace(f_, input, a) : T(f(a));
}
/** elu(input, alpha = 1, inplace = false) */
export function elu(input: Tensor, ...args: Args<[alpha: number, inplace: boolean], { alpha?: number; inplace?: boolean }>): Tensor {
  return alphaAct('elu', O.elu, O.elu_, input, args);
}
/** celu(input, alpha = 1, inplace = false) */
export function celu(input: Tensor, ...args: Args<[alpha: number, inplace: boolean], { alpha?: number; inplace?: boolean }>): Tensor {
  return alphaAct('celu', O.celu, O.celu_, input, args);
}

/** leakyRelu(input, negativeSlope = 0.01, inplace = false) */
export function leakyRelu(input: Tensor, ...args: Args<[negativeSlope: number, inplace: boolean], { negativeSlope?: number; inplace?: boolean }>): Tensor {
  const fn = 'leakyRelu';
  const [slope, ip] = parse(fn, args, ['negativeSlope', 'inplace'], 1);
  const a = [tid(input, 'input', fn), num(slope, 'negativeSlope', fn, 0.01)];
  return bool(ip, 'inplace', fn, false) ? inplace(O.leakyRelu_, input, a) : T(O.leakyRelu(a));
}

/** prelu(input, weight) */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  return T(O.prelu([tid(input, 'input', 'prelu'), tid(weight, 'weight', 'prelu')]));
}

/** rrelu(input, lower = 1/8, upper = 1/3, training = false, inplace = false); training draws from the default generator. */
export function rrelu(input: Tensor, ...args: Args<[lower: number, upper: number, training: boolean, inplace: boolean], { lower?: number; upper?: number; training?: boolean; inplace?: boolean }>): Tensor {
  const fn = 'rrelu';
  const [lower, upper, training, ip] = parse(fn, args, ['lower', 'upper', 'training', 'inplace'], 1);
  const a = [tid(input, 'input', fn), num(lower, 'lower', fn, 1.0 / 8), num(upper, 'upper', fn, 1.0 / 3), bool(training, 'training', fn, false)];
  return bool(ip, 'inplace', fn, false) ? inplace(O.rrelu_, input, a) : T(O.rrelu(a));
}

/** glu(input, dim = -1) */
export function glu(input: Tensor, ...args: Args<[dim: number], { dim?: number }>): Tensor {
  const [dim] = parse('glu', args, ['dim'], 1);
  const h = tid(input, 'input', 'glu');
  if (input.dim() === 0) throw new RangeError('glu(): glu does not support scalars because halving size must be even');
  return T(O.glu([h, int(dim, 'dim', 'glu', -1)]));
}

/** gelu(input, { approximate: 'none' | 'tanh' }) (approximate is keyword-only, as in PyTorch). */
export function gelu(input: Tensor, options?: { approximate?: 'none' | 'tanh' }): Tensor {
  const [approximate] = parse('gelu', options === undefined ? [] : [options], ['approximate'], 1, 0);
  const a = approximate === undefined ? 'none' : approximate;
  if (typeof a !== 'string') throw new TypeError(`gelu(): 'approximate' must be 'none' or 'tanh', got ${describe(a)}`);
  return T(O.gelu([tid(input, 'input', 'gelu'), a]));
}

/** logsigmoid(input) */
export function logsigmoid(input: Tensor): Tensor { return T(O.logSigmoid([tid(input, 'input', 'logsigmoid')])); }
/** hardshrink(input, lambd = 0.5) */
export function hardshrink(input: Tensor, ...args: Args<[lambd: number], { lambd?: number }>): Tensor {
  const [lambd] = parse('hardshrink', args, ['lambd'], 1);
  return T(O.hardshrink([tid(input, 'input', 'hardshrink'), num(lambd, 'lambd', 'hardshrink', 0.5)]));
}
/** softshrink(input, lambd = 0.5) */
export function softshrink(input: Tensor, ...args: Args<[lambd: number], { lambd?: number }>): Tensor {
  const [lambd] = parse('softshrink', args, ['lambd'], 1);
  return T(O.softshrink([tid(input, 'input', 'softshrink'), num(lambd, 'lambd', 'softshrink', 0.5)]));
}
/** tanhshrink(input): input - input.tanh() */
export function tanhshrink(input: Tensor): Tensor {
  tid(input, 'input', 'tanhshrink');
  const t = input.tanh();
  try { return input.sub(t); } finally { free(t); }
}
/** softsign(input): input / (input.abs() + 1) */
export function softsign(input: Tensor): Tensor {
  tid(input, 'input', 'softsign');
  const a = input.abs();
  const d = a.add(1);
  try { return input.div(d); } finally { free(a, d); }
}
/** softplus(input, beta = 1, threshold = 20) */
export function softplus(input: Tensor, ...args: Args<[beta: number, threshold: number], { beta?: number; threshold?: number }>): Tensor {
  const fn = 'softplus';
  const [beta, thr] = parse(fn, args, ['beta', 'threshold'], 1);
  return T(O.softplus([tid(input, 'input', fn), num(beta, 'beta', fn, 1), num(thr, 'threshold', fn, 20)]));
}

/** PyTorch's implicit softmax dimension (deprecated there): 0 for 0-, 1- and 3-d input, else 1. */
function softmaxDim(input: Tensor): number {
  const nd = input.dim();
  return nd === 0 || nd === 1 || nd === 3 ? 0 : 1;
}
type SoftmaxPos = [dim: number | null];
type SoftmaxOpt = { dim?: number | null; dtype?: DTypeLike | null };

/** softmax(input, dim, { dtype }) (input.softmax(dim, dtype)) */
export function softmax(input: Tensor, ...args: Args<SoftmaxPos, SoftmaxOpt>): Tensor {
  const fn = 'softmax';
  const [dim, dtype] = parse(fn, args, ['dim', 'dtype'], 1, 1);
  const h = tid(input, 'input', fn);
  return T(O.softmax([h, none(dim) ? softmaxDim(input) : int(dim, 'dim', fn), optDtype(dtype, fn)]));
}
/** logSoftmax(input, dim, { dtype }) */
export function logSoftmax(input: Tensor, ...args: Args<SoftmaxPos, SoftmaxOpt>): Tensor {
  const fn = 'logSoftmax';
  const [dim, dtype] = parse(fn, args, ['dim', 'dtype'], 1, 1);
  const h = tid(input, 'input', fn);
  return T(O.logSoftmax([h, none(dim) ? softmaxDim(input) : int(dim, 'dim', fn), optDtype(dtype, fn)]));
}
/** softmin(input, dim, { dtype }): (-input).softmax(dim, dtype) */
export function softmin(input: Tensor, ...args: Args<SoftmaxPos, SoftmaxOpt>): Tensor {
  const fn = 'softmin';
  const [dim, dtype] = parse(fn, args, ['dim', 'dtype'], 1, 1);
  tid(input, 'input', fn);
  const d = none(dim) ? softmaxDim(input) : int(dim, 'dim', fn);
  const dt = optDtype(dtype, fn);
  const neg = input.neg();
  try { return T(O.softmax([neg._id, d, dt])); } finally { free(neg); }
}

/** tanh(input): input.tanh() */
export function tanh(input: Tensor): Tensor { tid(input, 'input', 'tanh'); return input.tanh(); }
/** sigmoid(input): input.sigmoid() */
export function sigmoid(input: Tensor): Tensor { tid(input, 'input', 'sigmoid'); return input.sigmoid(); }
