/**
 * Tensor methods, element-wise: arithmetic, comparison and logic, activations, and the in-place
 * forms (random fills included).
 *
 * A mixin of Tensor: tensor.ts copies these methods onto Tensor.prototype and declares them on the
 * Tensor interface; import this module only through tensor.ts (it needs Tensor at load time).
 */
import { N } from '../native';
import { Binary as B, Unary as U } from '../codes';
import { DType, Device, dtypeCode, dtypeFromCode, optDtypeCode } from '../dtype';
import { bind, checkKeys, checkInt, checkScalar } from '../args';
import type { Scalar } from '../args';
import { op } from '../ops';
import { Tensor } from '../tensor';
import type { TensorOrScalar } from '../tensor';
import { T, tid, optTid, genHandle, withOperand, binary, binaryInplace, tensorOnly, unary, unaryInplace } from './calls';

const O = {
  add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), sub: op('sub', 'Tensor'), sub_: op('sub_', 'Tensor'),
  divMode: op('div', 'Tensor_mode'), divMode_: op('div_', 'Tensor_mode'),
  bitwiseNot: op('bitwise_not'), bitwiseAnd: op('bitwise_and', 'Tensor'), bitwiseOr: op('bitwise_or', 'Tensor'), bitwiseXor: op('bitwise_xor', 'Tensor'),
  clamp: op('clamp'), clampT: op('clamp', 'Tensor'), clamp_: op('clamp_'), clampT_: op('clamp_', 'Tensor'),
  roundDec: op('round', 'decimals'), roundDec_: op('round_', 'decimals'),
  softmax: op('softmax', 'int'), logSoftmax: op('log_softmax', 'int'),
  leakyRelu: op('leaky_relu'), leakyRelu_: op('leaky_relu_'), gelu: op('gelu'), elu: op('elu'),
  fillT_: op('fill_', 'Tensor'), copy_: op('copy_'), uniform_: op('uniform_'), normal_: op('normal_'), bernoulli_: op('bernoulli_', 'float'),
  addcmul: op('addcmul'), addcmul_: op('addcmul_'), addcdiv: op('addcdiv'), addcdiv_: op('addcdiv_'),
  lerpS_: op('lerp_', 'Scalar'), lerpT_: op('lerp_', 'Tensor'), lerpS: op('lerp', 'Scalar'), lerpT: op('lerp', 'Tensor'),
  dot: op('dot'), equal: op<boolean>('equal'), allclose: op<boolean>('allclose'), isclose: op('isclose'),
  resultTypeST: op<number>('result_type', 'Scalar_Tensor'), scalarTensor: op('scalar_tensor'),
};

const ALPHA = ['alpha'], ROUNDING = ['roundingMode'], DECIMALS = ['decimals'], VALUE = ['value'];

export class TensorMath {
  // ---- arithmetic ----
  add(this: Tensor, other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    if (opts === undefined || checkKeys('add', opts, ALPHA).alpha === undefined) return binary(this, B.add, other, 'add');
    const alpha = checkScalar(opts.alpha, 'alpha', 'add');
    return withOperand(other, 'add', (o) => T(O.add([this._id, o, alpha])));
  }
  sub(this: Tensor, other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    if (opts === undefined || checkKeys('sub', opts, ALPHA).alpha === undefined) return binary(this, B.sub, other, 'sub');
    const alpha = checkScalar(opts.alpha, 'alpha', 'sub');
    return withOperand(other, 'sub', (o) => T(O.sub([this._id, o, alpha])));
  }
  mul(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.mul, other, 'mul'); }
  div(this: Tensor, other: TensorOrScalar, opts?: { roundingMode?: 'trunc' | 'floor' | null }): Tensor {
    if (opts === undefined || checkKeys('div', opts, ROUNDING).roundingMode === undefined || opts.roundingMode === null) return binary(this, B.div, other, 'div');
    const mode = opts.roundingMode;
    return withOperand(other, 'div', (o) => T(O.divMode([this._id, o, mode])));
  }
  /** other - this (Python's `other - t` for a scalar other). */
  rsub(this: Tensor, other: TensorOrScalar): Tensor { return other instanceof Tensor ? other.sub(this) : T(N.binS(B.rsub, this._id, checkScalar(other, 'other', 'rsub'))); }
  /** other / this. */
  rdiv(this: Tensor, other: TensorOrScalar): Tensor { return other instanceof Tensor ? other.div(this) : T(N.binS(B.rdiv, this._id, checkScalar(other, 'other', 'rdiv'))); }
  pow(this: Tensor, exponent: TensorOrScalar): Tensor { return binary(this, B.pow, exponent, 'pow'); }
  /** base ** this, as Python's `__rpow__`: the base becomes a tensor of the promoted dtype on this device. */
  rpow(this: Tensor, base: Scalar): Tensor {
    const b = checkScalar(base, 'base', 'rpow');
    const dt = dtypeFromCode(O.resultTypeST([b, this._id]));
    return torch_full_like_scalar(b, dt, this.device).pow(this);
  }
  remainder(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.remainder, other, 'remainder'); }
  fmod(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.fmod, other, 'fmod'); }
  floorDivide(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.floorDivide, other, 'floorDivide'); }
  matmul(this: Tensor, other: Tensor): Tensor { return tensorOnly(this, B.matmul, other, 'matmul'); }
  mm(this: Tensor, other: Tensor): Tensor { return tensorOnly(this, B.mm, other, 'mm'); }
  bmm(this: Tensor, other: Tensor): Tensor { return tensorOnly(this, B.bmm, other, 'bmm'); }
  dot(this: Tensor, other: Tensor): Tensor { return T(O.dot([this._id, tid(other, 'other', 'dot')])); }
  maximum(this: Tensor, other: Tensor): Tensor { return tensorOnly(this, B.maximum, other, 'maximum'); }
  minimum(this: Tensor, other: Tensor): Tensor { return tensorOnly(this, B.minimum, other, 'minimum'); }
  atan2(this: Tensor, other: Tensor): Tensor { return tensorOnly(this, B.atan2, other, 'atan2'); }
  neg(this: Tensor): Tensor { return unary(this, U.neg); }
  abs(this: Tensor): Tensor { return unary(this, U.abs); }
  exp(this: Tensor): Tensor { return unary(this, U.exp); }
  exp2(this: Tensor): Tensor { return unary(this, U.exp2); }
  expm1(this: Tensor): Tensor { return unary(this, U.expm1); }
  log(this: Tensor): Tensor { return unary(this, U.log); }
  log2(this: Tensor): Tensor { return unary(this, U.log2); }
  log10(this: Tensor): Tensor { return unary(this, U.log10); }
  log1p(this: Tensor): Tensor { return unary(this, U.log1p); }
  sqrt(this: Tensor): Tensor { return unary(this, U.sqrt); }
  rsqrt(this: Tensor): Tensor { return unary(this, U.rsqrt); }
  square(this: Tensor): Tensor { return unary(this, U.square); }
  reciprocal(this: Tensor): Tensor { return unary(this, U.reciprocal); }
  sign(this: Tensor): Tensor { return unary(this, U.sign); }
  sgn(this: Tensor): Tensor { return unary(this, U.sgn); }
  floor(this: Tensor): Tensor { return unary(this, U.floor); }
  ceil(this: Tensor): Tensor { return unary(this, U.ceil); }
  trunc(this: Tensor): Tensor { return unary(this, U.trunc); }
  frac(this: Tensor): Tensor { return unary(this, U.frac); }
  round(this: Tensor, opts?: { decimals?: number }): Tensor {
    if (opts === undefined || !checkKeys('round', opts, DECIMALS).decimals) return unary(this, U.round);
    return T(O.roundDec([this._id, checkInt(opts.decimals, 'decimals', 'round')]));
  }
  sin(this: Tensor): Tensor { return unary(this, U.sin); }
  cos(this: Tensor): Tensor { return unary(this, U.cos); }
  tan(this: Tensor): Tensor { return unary(this, U.tan); }
  asin(this: Tensor): Tensor { return unary(this, U.asin); }
  acos(this: Tensor): Tensor { return unary(this, U.acos); }
  atan(this: Tensor): Tensor { return unary(this, U.atan); }
  sinh(this: Tensor): Tensor { return unary(this, U.sinh); }
  cosh(this: Tensor): Tensor { return unary(this, U.cosh); }
  erf(this: Tensor): Tensor { return unary(this, U.erf); }
  /** clamp(min?, max?) with numbers or tensors; null leaves a side open. */
  clamp(this: Tensor, ...args: unknown[]): Tensor {
    const [min, max] = bind('clamp', args, ['min', 'max']);
    if (min instanceof Tensor || max instanceof Tensor) return T(O.clampT([this._id, optTid(min, 'min', 'clamp'), optTid(max, 'max', 'clamp')]));
    if ((min === undefined || min === null) && (max === undefined || max === null)) throw new TypeError("clamp(): at least one of 'min' or 'max' must not be null");
    return T(O.clamp([this._id, min === null ? undefined : min, max === null ? undefined : max]));
  }
  clip(this: Tensor, ...args: unknown[]): Tensor { return this.clamp(...args); }
  addcmul(this: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor {
    return T(O.addcmul([this._id, tid(tensor1, 'tensor1', 'addcmul'), tid(tensor2, 'tensor2', 'addcmul'), checkKeys('addcmul', opts, VALUE)?.value ?? 1]));
  }
  addcdiv(this: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor {
    return T(O.addcdiv([this._id, tid(tensor1, 'tensor1', 'addcdiv'), tid(tensor2, 'tensor2', 'addcdiv'), checkKeys('addcdiv', opts, VALUE)?.value ?? 1]));
  }
  lerp(this: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
    return weight instanceof Tensor ? T(O.lerpT([this._id, tid(end, 'end', 'lerp'), weight._id])) : T(O.lerpS([this._id, tid(end, 'end', 'lerp'), checkScalar(weight, 'weight', 'lerp')]));
  }

  // ---- comparison and logic ----
  eq(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.eq, other, 'eq'); }
  ne(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.ne, other, 'ne'); }
  lt(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.lt, other, 'lt'); }
  le(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.le, other, 'le'); }
  gt(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.gt, other, 'gt'); }
  ge(this: Tensor, other: TensorOrScalar): Tensor { return binary(this, B.ge, other, 'ge'); }
  /** True when both tensors have the same shape and elements. */
  equal(this: Tensor, other: Tensor): boolean { return O.equal([this._id, tid(other, 'other', 'equal')]); }
  allclose(this: Tensor, other: Tensor, ...args: unknown[]): boolean {
    const [rtol, atol, equalNan] = bind('allclose', args, ['rtol', 'atol', 'equalNan']);
    return O.allclose([this._id, tid(other, 'other', 'allclose'), rtol, atol, equalNan]);
  }
  isclose(this: Tensor, other: Tensor, ...args: unknown[]): Tensor {
    const [rtol, atol, equalNan] = bind('isclose', args, ['rtol', 'atol', 'equalNan']);
    return T(O.isclose([this._id, tid(other, 'other', 'isclose'), rtol, atol, equalNan]));
  }
  logicalAnd(this: Tensor, other: Tensor): Tensor { return tensorOnly(this, B.logicalAnd, other, 'logicalAnd'); }
  logicalOr(this: Tensor, other: Tensor): Tensor { return tensorOnly(this, B.logicalOr, other, 'logicalOr'); }
  logicalXor(this: Tensor, other: Tensor): Tensor { return tensorOnly(this, B.logicalXor, other, 'logicalXor'); }
  logicalNot(this: Tensor): Tensor { return unary(this, U.logicalNot); }
  /** Python's `~t`. */
  bitwiseNot(this: Tensor): Tensor { return T(O.bitwiseNot([this._id])); }
  bitwiseAnd(this: Tensor, other: Tensor): Tensor { return T(O.bitwiseAnd([this._id, tid(other, 'other', 'bitwiseAnd')])); }
  bitwiseOr(this: Tensor, other: Tensor): Tensor { return T(O.bitwiseOr([this._id, tid(other, 'other', 'bitwiseOr')])); }
  bitwiseXor(this: Tensor, other: Tensor): Tensor { return T(O.bitwiseXor([this._id, tid(other, 'other', 'bitwiseXor')])); }
  isnan(this: Tensor): Tensor { return unary(this, U.isnan); }
  isfinite(this: Tensor): Tensor { return unary(this, U.isfinite); }
  isinf(this: Tensor): Tensor { return unary(this, U.isinf); }

  // ---- activations ----
  relu(this: Tensor): Tensor { return unary(this, U.relu); }
  sigmoid(this: Tensor): Tensor { return unary(this, U.sigmoid); }
  tanh(this: Tensor): Tensor { return unary(this, U.tanh); }
  silu(this: Tensor): Tensor { return unary(this, U.silu); }
  leakyRelu(this: Tensor, negativeSlope: number = 0.01): Tensor { return T(O.leakyRelu([this._id, checkScalar(negativeSlope, 'negativeSlope', 'leakyRelu')])); }
  gelu(this: Tensor, opts?: { approximate?: 'none' | 'tanh' }): Tensor { return T(O.gelu([this._id, checkKeys('gelu', opts, ['approximate'])?.approximate ?? 'none'])); }
  elu(this: Tensor, alpha: number = 1): Tensor { return T(O.elu([this._id, alpha])); }
  /** softmax(dim, { dtype }) */
  softmax(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, dtype] = bind('softmax', args, ['dim', 'dtype']);
    return T(O.softmax([this._id, checkInt(dim, 'dim', 'softmax'), optDtypeCode(dtype)]));
  }
  /** logSoftmax(dim, { dtype }) */
  logSoftmax(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, dtype] = bind('logSoftmax', args, ['dim', 'dtype']);
    return T(O.logSoftmax([this._id, checkInt(dim, 'dim', 'logSoftmax'), optDtypeCode(dtype)]));
  }

  // ---- in place ----
  add_<S extends Tensor>(this: S, other: TensorOrScalar, opts?: { alpha?: number }): S {
    if (opts === undefined || checkKeys('add_', opts, ALPHA).alpha === undefined) return binaryInplace(this, B.add, other, 'add_') as S;
    const alpha = checkScalar(opts.alpha, 'alpha', 'add_');
    withOperand(other, 'add_', (o) => O.add_([this._id, o, alpha], true));
    return this;
  }
  sub_<S extends Tensor>(this: S, other: TensorOrScalar, opts?: { alpha?: number }): S {
    if (opts === undefined || checkKeys('sub_', opts, ALPHA).alpha === undefined) return binaryInplace(this, B.sub, other, 'sub_') as S;
    const alpha = checkScalar(opts.alpha, 'alpha', 'sub_');
    withOperand(other, 'sub_', (o) => O.sub_([this._id, o, alpha], true));
    return this;
  }
  mul_<S extends Tensor>(this: S, other: TensorOrScalar): S { return binaryInplace(this, B.mul, other, 'mul_') as S; }
  div_<S extends Tensor>(this: S, other: TensorOrScalar, opts?: { roundingMode?: 'trunc' | 'floor' | null }): S {
    if (opts === undefined || checkKeys('div_', opts, ROUNDING).roundingMode == null) return binaryInplace(this, B.div, other, 'div_') as S;
    const mode = opts.roundingMode;
    withOperand(other, 'div_', (o) => O.divMode_([this._id, o, mode], true));
    return this;
  }
  pow_<S extends Tensor>(this: S, exponent: TensorOrScalar): S { return binaryInplace(this, B.pow, exponent, 'pow_') as S; }
  remainder_<S extends Tensor>(this: S, other: TensorOrScalar): S { return binaryInplace(this, B.remainder, other, 'remainder_') as S; }
  copy_<S extends Tensor>(this: S, src: Tensor, opts?: { nonBlocking?: boolean }): S {
    if (checkKeys('copy_', opts, ['nonBlocking'])?.nonBlocking) O.copy_([this._id, tid(src, 'src', 'copy_'), true], true);
    else N.binI(B.copy, this._id, tid(src, 'src', 'copy_'));
    return this;
  }
  fill_<S extends Tensor>(this: S, value: TensorOrScalar): S {
    if (value instanceof Tensor) O.fillT_([this._id, value._id], true);
    else N.binSI(B.fill, this._id, checkScalar(value, 'value', 'fill_'));
    return this;
  }
  zero_<S extends Tensor>(this: S): S { return unaryInplace(this, U.zero); }
  neg_<S extends Tensor>(this: S): S { return unaryInplace(this, U.neg); }
  abs_<S extends Tensor>(this: S): S { return unaryInplace(this, U.abs); }
  exp_<S extends Tensor>(this: S): S { return unaryInplace(this, U.exp); }
  log_<S extends Tensor>(this: S): S { return unaryInplace(this, U.log); }
  sqrt_<S extends Tensor>(this: S): S { return unaryInplace(this, U.sqrt); }
  rsqrt_<S extends Tensor>(this: S): S { return unaryInplace(this, U.rsqrt); }
  relu_<S extends Tensor>(this: S): S { return unaryInplace(this, U.relu); }
  sigmoid_<S extends Tensor>(this: S): S { return unaryInplace(this, U.sigmoid); }
  tanh_<S extends Tensor>(this: S): S { return unaryInplace(this, U.tanh); }
  sign_<S extends Tensor>(this: S): S { return unaryInplace(this, U.sign); }
  floor_<S extends Tensor>(this: S): S { return unaryInplace(this, U.floor); }
  ceil_<S extends Tensor>(this: S): S { return unaryInplace(this, U.ceil); }
  square_<S extends Tensor>(this: S): S { return unaryInplace(this, U.square); }
  reciprocal_<S extends Tensor>(this: S): S { return unaryInplace(this, U.reciprocal); }
  round_<S extends Tensor>(this: S, opts?: { decimals?: number }): S {
    if (opts === undefined || !checkKeys('round_', opts, DECIMALS).decimals) unaryInplace(this, U.round);
    else O.roundDec_([this._id, checkInt(opts.decimals, 'decimals', 'round_')], true);
    return this;
  }
  leakyRelu_<S extends Tensor>(this: S, negativeSlope = 0.01): S { O.leakyRelu_([this._id, negativeSlope], true); return this; }
  clamp_<S extends Tensor>(this: S, ...args: unknown[]): S {
    const [min, max] = bind('clamp_', args, ['min', 'max']);
    if (min instanceof Tensor || max instanceof Tensor) O.clampT_([this._id, optTid(min, 'min', 'clamp_'), optTid(max, 'max', 'clamp_')], true);
    else if ((min === undefined || min === null) && (max === undefined || max === null)) throw new TypeError("clamp_(): at least one of 'min' or 'max' must not be null");
    else O.clamp_([this._id, min === null ? undefined : min, max === null ? undefined : max], true);
    return this;
  }
  /** uniform_(from = 0, to = 1, { generator }) */
  uniform_<S extends Tensor>(this: S, ...args: unknown[]): S {
    const [from, to, generator] = bind('uniform_', args, ['from', 'to', 'generator']);
    O.uniform_([this._id, from, to, genHandle(generator)], true);
    return this;
  }
  /** normal_(mean = 0, std = 1, { generator }) */
  normal_<S extends Tensor>(this: S, ...args: unknown[]): S {
    const [mean, std, generator] = bind('normal_', args, ['mean', 'std', 'generator']);
    O.normal_([this._id, mean, std, genHandle(generator)], true);
    return this;
  }
  /** bernoulli_(p = 0.5, { generator }) */
  bernoulli_<S extends Tensor>(this: S, ...args: unknown[]): S {
    const [p, generator] = bind('bernoulli_', args, ['p', 'generator']);
    O.bernoulli_([this._id, p, genHandle(generator)], true);
    return this;
  }
  addcmul_<S extends Tensor>(this: S, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): S {
    O.addcmul_([this._id, tid(tensor1, 'tensor1', 'addcmul_'), tid(tensor2, 'tensor2', 'addcmul_'), checkKeys('addcmul_', opts, VALUE)?.value ?? 1], true);
    return this;
  }
  addcdiv_<S extends Tensor>(this: S, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): S {
    O.addcdiv_([this._id, tid(tensor1, 'tensor1', 'addcdiv_'), tid(tensor2, 'tensor2', 'addcdiv_'), checkKeys('addcdiv_', opts, VALUE)?.value ?? 1], true);
    return this;
  }
  lerp_<S extends Tensor>(this: S, end: Tensor, weight: TensorOrScalar): S {
    if (weight instanceof Tensor) O.lerpT_([this._id, tid(end, 'end', 'lerp_'), weight._id], true);
    else O.lerpS_([this._id, tid(end, 'end', 'lerp_'), checkScalar(weight, 'weight', 'lerp_')], true);
    return this;
  }
}

/** A 0-d tensor holding `value` (torch.tensor(value, dtype, device)); owned by the current scope. */
function torch_full_like_scalar(value: Scalar, dtype: DType, device: Device): Tensor {
  return T(O.scalarTensor([value, dtypeCode(dtype), undefined, device]));
}
