/**
 * torch.nn.functional, op for op as PyTorch 1.13's torch/nn/functional.py: every function calls the
 * same ATen operators, in the same order and with the same arguments, as the Python one does, so the
 * results, the autograd nodes and the random numbers consumed (dropout) are the same, bit for bit.
 *
 *   const F = nn.functional;   // lib/torch/nn/index.ts re-exports this module as `functional`
 *   const y = F.conv2d(x, w, b, 1, 'same');
 *   const loss = F.crossEntropy(logits, target, { labelSmoothing: 0.1 });
 *
 * Conventions: PyTorch's names in camelCase, PyTorch's positional arguments, then an options object
 * with PyTorch's keyword names in camelCase (`F.maxPool2d(x, 2, { returnIndices: true })`). The
 * deprecated `size_average` / `reduce` arguments of the losses are not supported, so after the
 * positional arguments that precede them in PyTorch the losses take the rest as options
 * (`F.nllLoss(x, t, w, { reduction: 'sum' })`); each function's doc gives its positional order.
 * Kernel sizes, strides, paddings and dilations are a number or an array, as in PyTorch.
 *
 * Errors: a wrong type throws TypeError naming the parameter; a value or shape that PyTorch's Python
 * code rejects (a ValueError or RuntimeError raised in functional.py: an unknown reduction or mode,
 * dropout p outside [0, 1], ...) throws RangeError; libtorch's own errors (most shape mismatches,
 * and _infer_size's for a loss weight that does not broadcast) arrive as TorchError. PyTorch's Python
 * warnings (deprecations, implicit softmax dim, size mismatches of loss targets) are not emitted.
 */
import { Tensor, T, TT, op, tid } from '../tensor';
import { bindArgs, PYTHON, BindStyle, checkInt, checkNumber, checkBool } from '../args';
import type { Handle } from '../native-api';
import { describe, TorchError } from '../errors';
import { dtypeCode, isDTypeName, DTypeLike, DTYPES } from '../dtype';
import { noGrad } from '../autograd';

/* eslint-disable @typescript-eslint/no-explicit-any */

// ---- argument types -------------------------------------------------------------------------------------------
/** An int or a list of ints (kernel size, stride, padding, ...); one int stands for all dimensions. */
export type IntList = number | readonly number[];
/** Every prefix of the positional parameter tuple P, optionally followed by the options object K. */
type Prefixes<P extends readonly unknown[]> = P extends readonly [...infer H, unknown] ? P | Prefixes<H> : P;
export type Args<P extends readonly unknown[], K> = Prefixes<P> | [...Prefixes<P>, K];
export type Reduction = 'none' | 'mean' | 'sum';
type OptTensor = Tensor | null;

// ---- argument parsing -------------------------------------------------------------------------------------------
/** Python's binding, except that an options entry whose value is undefined counts as not given. */
const FUNCTIONAL: BindStyle = { ...PYTHON, skipUndefined: true };

/**
 * Binds `rest` (the arguments after the `fixed` leading parameters): positional values, then an
 * optional trailing options object with the remaining parameter names. Only the first `npos` names
 * may be given positionally (PyTorch's keyword-only parameters come after).
 */
function parse(fn: string, rest: ArrayLike<unknown>, names: readonly string[], fixed: number, npos = names.length): unknown[] {
  return bindArgs(fn, rest, names, fixed, npos, FUNCTIONAL);
}

const none = (x: unknown): boolean => x === undefined || x === null;

function int(x: unknown, p: string, fn: string, dflt?: number): number {
  return x === undefined && dflt !== undefined ? dflt : checkInt(x, p, fn);
}

function optInt(x: unknown, p: string, fn: string): number | null {
  return none(x) ? null : int(x, p, fn);
}

function num(x: unknown, p: string, fn: string, dflt?: number): number {
  return x === undefined && dflt !== undefined ? dflt : checkNumber(x, p, fn);
}

function optNum(x: unknown, p: string, fn: string): number | null {
  return none(x) ? null : num(x, p, fn);
}

function bool(x: unknown, p: string, fn: string, dflt: boolean): boolean {
  return x === undefined ? dflt : checkBool(x, p, fn);
}

function optBool(x: unknown, p: string, fn: string): boolean | null {
  return none(x) ? null : bool(x, p, fn, false);
}

/** An int or an array of ints (a copy); null/undefined give `dflt`. */
function ints(x: unknown, p: string, fn: string, dflt?: number | number[]): number | number[] {
  if (none(x) && dflt !== undefined) return dflt;
  if (typeof x === 'number' && Number.isInteger(x)) return x;
  if (Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isInteger(v))) return [...x];
  throw new TypeError(`${fn}(): '${p}' must be an integer or an array of integers, got ${describe(x)}${Array.isArray(x) ? ' with a non-integer element' : ''}`);
}

function intArray(x: unknown, p: string, fn: string): number[] {
  if (Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isInteger(v))) return [...x];
  throw new TypeError(`${fn}(): '${p}' must be an array of integers, got ${describe(x)}${Array.isArray(x) ? ' with a non-integer element' : ''}`);
}

function optTid(x: unknown, p: string, fn: string): number | null {
  return none(x) ? null : tid(x, p, fn);
}

function str<S extends string>(x: unknown, p: string, fn: string, allowed: readonly S[], dflt: S): S {
  if (x === undefined) return dflt;
  if (typeof x !== 'string') throw new TypeError(`${fn}(): '${p}' must be a string (one of ${allowed.map((a) => `'${a}'`).join(', ')}), got ${describe(x)}`);
  if (!allowed.includes(x as S)) throw new RangeError(`${fn}(): '${p}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${x}'`);
  return x as S;
}

function optDtype(x: unknown, fn: string): number | null {
  if (none(x)) return null;
  if (typeof x === 'string' && isDTypeName(x)) return dtypeCode(x);
  throw new TypeError(`${fn}(): 'dtype' must be a dtype (${DTYPES.join(', ')}), got ${describe(x)}`);
}

/** torch.nn._reduction.get_enum: 'none' 0, 'mean' 1, 'sum' 2 ('elementwise_mean' is a deprecated 'mean'). */
function reductionEnum(x: unknown, fn: string): number {
  if (x === undefined) return 1;
  if (typeof x !== 'string') throw new TypeError(`${fn}(): 'reduction' must be 'none', 'mean' or 'sum', got ${describe(x)}`);
  switch (x) {
    case 'none': return 0;
    case 'mean': case 'elementwise_mean': return 1;
    case 'sum': return 2;
  }
  throw new RangeError(`${fn}(): ${x} is not a valid value for reduction (expected 'none', 'mean' or 'sum')`);
}

/** For the losses written out in Python that check `reduction` themselves. */
function reductionName(x: unknown, fn: string): Reduction {
  if (x === undefined) return 'mean';
  if (typeof x !== 'string') throw new TypeError(`${fn}(): 'reduction' must be 'none', 'mean' or 'sum', got ${describe(x)}`);
  if (x !== 'none' && x !== 'mean' && x !== 'sum') throw new RangeError(`${fn}(): ${x} is not valid (expected 'none', 'mean' or 'sum')`);
  return x;
}

function checkP(p: number, fn: string): void {
  if (p < 0.0 || p > 1.0) throw new RangeError(`${fn}(): dropout probability has to be between 0 and 1, but got ${p}`);
}

function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** torch._C._infer_size: the broadcast shape of two shapes (libtorch's error when they do not broadcast). */
function inferSize(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const off = n - 1 - i;
    const da = a.length - 1 - off;
    const db = b.length - 1 - off;
    const sa = da >= 0 ? a[da] : 1;
    const sb = db >= 0 ? b[db] : 1;
    if (sa !== sb && sa !== 1 && sb !== 1) {
      throw new TorchError(`The size of tensor a (${sa}) must match the size of tensor b (${sb}) at non-singleton dimension ${i}`);
    }
    out[i] = sa === 1 ? sb : sa;
  }
  return out;
}

/** Frees intermediate handles (the autograd graph keeps what it needs). */
function free(...ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

// ---- operators ----------------------------------------------------------------------------------------------------
const O = {
  linear: op('linear'), bilinear: op('bilinear'),
  conv1d: op('conv1d'), conv1dPad: op('conv1d', 'padding'), conv2d: op('conv2d'), conv2dPad: op('conv2d', 'padding'),
  conv3d: op('conv3d'), conv3dPad: op('conv3d', 'padding'),
  convTranspose1d: op('conv_transpose1d'), convTranspose2d: op('conv_transpose2d', 'input'), convTranspose3d: op('conv_transpose3d', 'input'),
  avgPool1d: op('avg_pool1d'), avgPool2d: op('avg_pool2d'), avgPool3d: op('avg_pool3d'),
  maxPool1d: op('max_pool1d'), maxPool1dWI: op<Handle[]>('max_pool1d_with_indices'),
  maxPool2d: op('max_pool2d'), maxPool2dWI: op<Handle[]>('max_pool2d_with_indices'),
  adaptiveAvgPool1d: op('adaptive_avg_pool1d'), adaptiveAvgPool2d: op('adaptive_avg_pool2d'), adaptiveAvgPool3d: op('adaptive_avg_pool3d'),
  adaptiveMaxPool1d: op<Handle[]>('adaptive_max_pool1d'), adaptiveMaxPool2d: op<Handle[]>('adaptive_max_pool2d'),
  threshold: op('threshold'), threshold_: op('threshold_'), relu: op('relu'), relu_: op('relu_'),
  relu6: op('relu6'), relu6_: op('relu6_'), hardtanh: op('hardtanh'), hardtanh_: op('hardtanh_'),
  elu: op('elu'), elu_: op('elu_'), selu: op('selu'), selu_: op('selu_'), celu: op('celu'), celu_: op('celu_'),
  leakyRelu: op('leaky_relu'), leakyRelu_: op('leaky_relu_'), prelu: op('prelu'), rrelu: op('rrelu'), rrelu_: op('rrelu_'),
  glu: op('glu'), gelu: op('gelu'), logSigmoid: op('log_sigmoid'), hardshrink: op('hardshrink'), softshrink: op('softshrink'),
  softplus: op('softplus'), softmax: op('softmax', 'int'), logSoftmax: op('log_softmax', 'int'),
  hardsigmoid: op('hardsigmoid'), hardsigmoid_: op('hardsigmoid_'), silu: op('silu'), silu_: op('silu_'),
  mish: op('mish'), mish_: op('mish_'), hardswish: op('hardswish'), hardswish_: op('hardswish_'),
  dropout: op('dropout'), dropout_: op('dropout_'), featureDropout: op('feature_dropout'), featureDropout_: op('feature_dropout_'),
  alphaDropout: op('alpha_dropout'), alphaDropout_: op('alpha_dropout_'),
  featureAlphaDropout: op('feature_alpha_dropout'), featureAlphaDropout_: op('feature_alpha_dropout_'),
  unsqueeze_: op('unsqueeze_'), squeeze_: op('squeeze_', 'dim'),
  batchNorm: op('batch_norm'), instanceNorm: op('instance_norm'), layerNorm: op('layer_norm'), groupNorm: op('group_norm'),
  norm: op('norm', 'ScalarOpt_dim'), clampMin: op('clamp_min'),
  pairwiseDistance: op('pairwise_distance'), cosineSimilarity: op('cosine_similarity'), pdist: op('pdist'),
  embedding: op('embedding'), embeddingRenorm_: op('embedding_renorm_'), oneHot: op('one_hot'),
  pad: op('pad'), pixelShuffle: op('pixel_shuffle'), pixelUnshuffle: op('pixel_unshuffle'),
  upsampleNearest1d: op('upsample_nearest1d', 'vec'), upsampleNearest2d: op('upsample_nearest2d', 'vec'), upsampleNearest3d: op('upsample_nearest3d', 'vec'),
  upsampleNearestExact1d: op('_upsample_nearest_exact1d', 'vec'), upsampleNearestExact2d: op('_upsample_nearest_exact2d', 'vec'),
  upsampleNearestExact3d: op('_upsample_nearest_exact3d', 'vec'),
  upsampleLinear1d: op('upsample_linear1d', 'vec'), upsampleBilinear2d: op('upsample_bilinear2d', 'vec'),
  upsampleBilinear2dAa: op('_upsample_bilinear2d_aa', 'vec'), upsampleTrilinear3d: op('upsample_trilinear3d', 'vec'),
  upsampleBicubic2d: op('upsample_bicubic2d', 'vec'), upsampleBicubic2dAa: op('_upsample_bicubic2d_aa', 'vec'),
  broadcastTensors: op<Handle[]>('broadcast_tensors'), expand: op('expand'),
  crossEntropyLoss: op('cross_entropy_loss'), nllLossNd: op('nll_loss_nd'), klDiv: op('kl_div'),
  mseLoss: op('mse_loss'), l1Loss: op('l1_loss'), smoothL1Loss: op('smooth_l1_loss'), huberLoss: op('huber_loss'),
  binaryCrossEntropy: op('binary_cross_entropy'), binaryCrossEntropyWithLogits: op('binary_cross_entropy_with_logits'),
  poissonNllLoss: op('poisson_nll_loss'), marginRankingLoss: op('margin_ranking_loss'), hingeEmbeddingLoss: op('hinge_embedding_loss'),
  softMarginLoss: op('soft_margin_loss'), cosineEmbeddingLoss: op('cosine_embedding_loss'), multiMarginLoss: op('multi_margin_loss'),
  tripletMarginLoss: op('triplet_margin_loss'),
};

/**
 * The result of an operator that may hand back its input unchanged (dropout when not training or
 * with p = 0): then `input` itself, as Python returns the same object, else the new tensor.
 */
function maybeSame(h: number, input: Tensor): Tensor {
  const r = T(h);
  if (!r.isSameTensor(input)) return r;
  r.dispose();
  return input;
}

/** Runs an in-place operator on `input` and returns `input` itself (as Python returns the same object). */
function inplace(f: (args: unknown[], discard?: boolean) => unknown, input: Tensor, args: unknown[]): Tensor {
  f(args, true);
  return input;
}

// =================================================================================================================
// Convolution and linear
// =================================================================================================================
type ConvPos = [bias: OptTensor, stride: IntList, padding: IntList | 'same' | 'valid', dilation: IntList, groups: number];
export interface ConvOptions { bias?: OptTensor; stride?: IntList; padding?: IntList | 'same' | 'valid'; dilation?: IntList; groups?: number }
const CONV = ['bias', 'stride', 'padding', 'dilation', 'groups'];

function conv(fn: string, plain: typeof O.conv1d, padded: typeof O.conv1d, input: Tensor, weight: Tensor, rest: unknown[]): Tensor {
  const [bias, stride, padding, dilation, groups] = parse(fn, rest, CONV, 2);
  const args = [tid(input, 'input', fn), tid(weight, 'weight', fn), optTid(bias, 'bias', fn), ints(stride, 'stride', fn, 1)];
  const tail = [ints(dilation, 'dilation', fn, 1), int(groups, 'groups', fn, 1)];
  if (typeof padding === 'string') {
    // torch.conv2d(input, weight, bias, stride, 'same' | 'valid', ...) is the conv2d.padding overload
    str(padding, 'padding', fn, ['same', 'valid'] as const, 'valid');
    return T(padded([...args, padding, ...tail]));
  }
  return T(plain([...args, ints(padding, 'padding', fn, 0), ...tail]));
}

/** conv1d(input, weight, bias = null, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1) */
export function conv1d(input: Tensor, weight: Tensor, ...args: Args<ConvPos, ConvOptions>): Tensor {
  return conv('conv1d', O.conv1d, O.conv1dPad, input, weight, args);
}
/** conv2d(input, weight, bias = null, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1) */
export function conv2d(input: Tensor, weight: Tensor, ...args: Args<ConvPos, ConvOptions>): Tensor {
  return conv('conv2d', O.conv2d, O.conv2dPad, input, weight, args);
}
/** conv3d(input, weight, bias = null, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1) */
export function conv3d(input: Tensor, weight: Tensor, ...args: Args<ConvPos, ConvOptions>): Tensor {
  return conv('conv3d', O.conv3d, O.conv3dPad, input, weight, args);
}

type ConvTPos = [bias: OptTensor, stride: IntList, padding: IntList, outputPadding: IntList, groups: number, dilation: IntList];
export interface ConvTransposeOptions { bias?: OptTensor; stride?: IntList; padding?: IntList; outputPadding?: IntList; groups?: number; dilation?: IntList }
const CONVT = ['bias', 'stride', 'padding', 'outputPadding', 'groups', 'dilation'];

function convT(fn: string, f: typeof O.conv1d, input: Tensor, weight: Tensor, rest: unknown[]): Tensor {
  const [bias, stride, padding, outputPadding, groups, dilation] = parse(fn, rest, CONVT, 2);
  return T(f([tid(input, 'input', fn), tid(weight, 'weight', fn), optTid(bias, 'bias', fn), ints(stride, 'stride', fn, 1), ints(padding, 'padding', fn, 0),
    ints(outputPadding, 'outputPadding', fn, 0), int(groups, 'groups', fn, 1), ints(dilation, 'dilation', fn, 1)]));
}
/** convTranspose1d(input, weight, bias = null, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1) */
export function convTranspose1d(input: Tensor, weight: Tensor, ...args: Args<ConvTPos, ConvTransposeOptions>): Tensor {
  return convT('convTranspose1d', O.convTranspose1d, input, weight, args);
}
/** convTranspose2d(input, weight, bias = null, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1) */
export function convTranspose2d(input: Tensor, weight: Tensor, ...args: Args<ConvTPos, ConvTransposeOptions>): Tensor {
  return convT('convTranspose2d', O.convTranspose2d, input, weight, args);
}
/** convTranspose3d(input, weight, bias = null, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1) */
export function convTranspose3d(input: Tensor, weight: Tensor, ...args: Args<ConvTPos, ConvTransposeOptions>): Tensor {
  return convT('convTranspose3d', O.convTranspose3d, input, weight, args);
}

/** linear(input, weight, bias = null): input @ weight.T + bias (aten::linear). */
export function linear(input: Tensor, weight: Tensor, ...args: Args<[bias: OptTensor], { bias?: OptTensor }>): Tensor {
  const [bias] = parse('linear', args, ['bias'], 2);
  return T(O.linear([tid(input, 'input', 'linear'), tid(weight, 'weight', 'linear'), optTid(bias, 'bias', 'linear')]));
}

/** bilinear(input1, input2, weight, bias = null) (aten::bilinear). */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, ...args: Args<[bias: OptTensor], { bias?: OptTensor }>): Tensor {
  const [bias] = parse('bilinear', args, ['bias'], 3);
  return T(O.bilinear([tid(input1, 'input1', 'bilinear'), tid(input2, 'input2', 'bilinear'), tid(weight, 'weight', 'bilinear'), optTid(bias, 'bias', 'bilinear')]));
}

// =================================================================================================================
// Pooling
// =================================================================================================================
type AvgPool1dPos = [kernelSize: IntList, stride: IntList | null, padding: IntList, ceilMode: boolean, countIncludePad: boolean];
export interface AvgPool1dOptions { stride?: IntList | null; padding?: IntList; ceilMode?: boolean; countIncludePad?: boolean }
/** avgPool1d(input, kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true) */
export function avgPool1d(input: Tensor, ...args: Args<AvgPool1dPos, AvgPool1dOptions & { kernelSize?: IntList }>): Tensor {
  const fn = 'avgPool1d';
  const [k, stride, padding, ceilMode, cip] = parse(fn, args, ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'], 1);
  return T(O.avgPool1d([tid(input, 'input', fn), ints(k, 'kernelSize', fn), ints(stride, 'stride', fn, []), ints(padding, 'padding', fn, 0),
    bool(ceilMode, 'ceilMode', fn, false), bool(cip, 'countIncludePad', fn, true)]));
}

type AvgPoolPos = [kernelSize: IntList, stride: IntList | null, padding: IntList, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null];
export interface AvgPoolOptions extends AvgPool1dOptions { divisorOverride?: number | null }
/** avgPool2d(input, kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null) */
export function avgPool2d(input: Tensor, ...args: Args<AvgPoolPos, AvgPoolOptions & { kernelSize?: IntList }>): Tensor {
  return avgPoolNd('avgPool2d', O.avgPool2d, input, args);
}
/** avgPool3d(input, kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null) */
export function avgPool3d(input: Tensor, ...args: Args<AvgPoolPos, AvgPoolOptions & { kernelSize?: IntList }>): Tensor {
  return avgPoolNd('avgPool3d', O.avgPool3d, input, args);
}
function avgPoolNd(fn: string, f: typeof O.avgPool2d, input: Tensor, args: unknown[]): Tensor {
  const [k, stride, padding, ceilMode, cip, div] = parse(fn, args, ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], 1);
  return T(f([tid(input, 'input', fn), ints(k, 'kernelSize', fn), ints(stride, 'stride', fn, []), ints(padding, 'padding', fn, 0),
    bool(ceilMode, 'ceilMode', fn, false), bool(cip, 'countIncludePad', fn, true), optInt(div, 'divisorOverride', fn)]));
}

type MaxPoolHead = [kernelSize: IntList, stride: IntList | null, padding: IntList, dilation: IntList, ceilMode: boolean];
export interface MaxPoolOptions { kernelSize?: IntList; stride?: IntList | null; padding?: IntList; dilation?: IntList; ceilMode?: boolean; returnIndices?: boolean }
const MAXPOOL = ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'];

function maxPoolNd(fn: string, plain: typeof O.maxPool2d, withIdx: typeof O.maxPool2dWI, input: Tensor, args: unknown[]): Tensor | [Tensor, Tensor] {
  const [k, stride, padding, dilation, ceilMode, ri] = parse(fn, args, MAXPOOL, 1);
  const a = [tid(input, 'input', fn), ints(k, 'kernelSize', fn), ints(stride, 'stride', fn, []), ints(padding, 'padding', fn, 0),
    ints(dilation, 'dilation', fn, 1), bool(ceilMode, 'ceilMode', fn, false)];
  if (bool(ri, 'returnIndices', fn, false)) return TT(withIdx(a)) as [Tensor, Tensor];
  return T(plain(a));
}

type MaxPoolPair = [...MaxPoolHead, returnIndices: true] | [...Prefixes<MaxPoolHead>, MaxPoolOptions & { returnIndices: true }];
type MaxPoolOne = Args<[...MaxPoolHead, returnIndices: false], MaxPoolOptions & { returnIndices?: false }>;
type MaxPoolAny = Args<[...MaxPoolHead, returnIndices: boolean], MaxPoolOptions>;

/**
 * maxPool1d(input, kernelSize, stride = kernelSize, padding = 0, dilation = 1, ceilMode = false,
 * returnIndices = false): the output, or [output, indices] with returnIndices.
 */
export function maxPool1d(input: Tensor, ...args: MaxPoolPair): [Tensor, Tensor];
export function maxPool1d(input: Tensor, ...args: MaxPoolOne): Tensor;
export function maxPool1d(input: Tensor, ...args: MaxPoolAny): Tensor | [Tensor, Tensor];
export function maxPool1d(input: Tensor, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  return maxPoolNd('maxPool1d', O.maxPool1d, O.maxPool1dWI, input, args);
}
/**
 * maxPool2d(input, kernelSize, stride = kernelSize, padding = 0, dilation = 1, ceilMode = false,
 * returnIndices = false): the output, or [output, indices] with returnIndices.
 */
export function maxPool2d(input: Tensor, ...args: MaxPoolPair): [Tensor, Tensor];
export function maxPool2d(input: Tensor, ...args: MaxPoolOne): Tensor;
export function maxPool2d(input: Tensor, ...args: MaxPoolAny): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  return maxPoolNd('maxPool2d', O.maxPool2d, O.maxPool2dWI, input, args);
}

/** torch.nn.modules.utils._list_with_default: null entries of an output size keep the input's size. */
function listWithDefault(outSize: unknown, input: Tensor, fn: string): number | number[] {
  if (typeof outSize === 'number') return int(outSize, 'outputSize', fn);
  if (!Array.isArray(outSize) || !outSize.every((v) => v === null || (typeof v === 'number' && Number.isInteger(v)))) {
    throw new TypeError(`${fn}(): 'outputSize' must be an integer or an array of integers (or nulls), got ${describe(outSize)}`);
  }
  const defaults = input.shape;
  if (defaults.length <= outSize.length) throw new RangeError(`${fn}(): input dimension should be at least ${outSize.length + 1}`);
  const tail = defaults.slice(defaults.length - outSize.length);
  return outSize.map((v, i) => (v === null ? tail[i] : (v as number)));
}

/** adaptiveAvgPool1d(input, outputSize) */
export function adaptiveAvgPool1d(input: Tensor, outputSize: IntList): Tensor {
  const fn = 'adaptiveAvgPool1d';
  return T(O.adaptiveAvgPool1d([tid(input, 'input', fn), ints(outputSize, 'outputSize', fn)]));
}
/** adaptiveAvgPool2d(input, outputSize): outputSize entries may be null (keep the input's size). */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const fn = 'adaptiveAvgPool2d';
  const h = tid(input, 'input', fn);
  return T(O.adaptiveAvgPool2d([h, listWithDefault(outputSize, input, fn)]));
}
/** adaptiveAvgPool3d(input, outputSize): outputSize entries may be null (keep the input's size). */
export function adaptiveAvgPool3d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const fn = 'adaptiveAvgPool3d';
  const h = tid(input, 'input', fn);
  return T(O.adaptiveAvgPool3d([h, listWithDefault(outputSize, input, fn)]));
}

/** adaptiveMaxPool1d(input, outputSize, returnIndices = false) */
export function adaptiveMaxPool1d(input: Tensor, outputSize: IntList, returnIndices: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: IntList, returnIndices?: false | { returnIndices?: false }): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: IntList, returnIndices?: boolean | { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  const fn = 'adaptiveMaxPool1d';
  const [outputSize, ri] = parse(fn, args, ['outputSize', 'returnIndices'], 1);
  const r = TT(O.adaptiveMaxPool1d([tid(input, 'input', fn), ints(outputSize, 'outputSize', fn)])) as [Tensor, Tensor];
  if (bool(ri, 'returnIndices', fn, false)) return r;
  r[1].dispose();
  return r[0];
}
/** adaptiveMaxPool2d(input, outputSize, returnIndices = false): outputSize entries may be null. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], returnIndices: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], returnIndices?: false | { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], returnIndices?: boolean | { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  const fn = 'adaptiveMaxPool2d';
  const [outputSize, ri] = parse(fn, args, ['outputSize', 'returnIndices'], 1);
  const h = tid(input, 'input', fn);
  const wantIdx = bool(ri, 'returnIndices', fn, false);
  const r = TT(O.adaptiveMaxPool2d([h, listWithDefault(outputSize, input, fn)])) as [Tensor, Tensor];
  if (wantIdx) return r;
  r[1].dispose();
  return r[0];
}

// =================================================================================================================
// Activations
// =================================================================================================================
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

// =================================================================================================================
// Dropout
// =================================================================================================================
type DropPos = [p: number, training: boolean, inplace: boolean];
type DropOpt = { p?: number; training?: boolean; inplace?: boolean };

function dropoutArgs(fn: string, input: Tensor, args: unknown[], trainingDefault: boolean): [number, boolean, boolean] {
  const [p, training, ip] = parse(fn, args, ['p', 'training', 'inplace'], 1);
  tid(input, 'input', fn);
  const pv = num(p, 'p', fn, 0.5);
  const tr = bool(training, 'training', fn, trainingDefault);
  const inpl = bool(ip, 'inplace', fn, false);
  checkP(pv, fn);
  return [pv, tr, inpl];
}

/** dropout(input, p = 0.5, training = true, inplace = false) (aten::dropout / dropout_) */
export function dropout(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('dropout', input, args, true);
  return ip ? inplace(O.dropout_, input, [input._id, p, training]) : maybeSame(O.dropout([input._id, p, training]), input);
}
/** alphaDropout(input, p = 0.5, training = false, inplace = false) (note: training defaults to false, as in PyTorch) */
export function alphaDropout(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('alphaDropout', input, args, false);
  return ip ? inplace(O.alphaDropout_, input, [input._id, p, training]) : maybeSame(O.alphaDropout([input._id, p, training]), input);
}
/** featureAlphaDropout(input, p = 0.5, training = false, inplace = false) */
export function featureAlphaDropout(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('featureAlphaDropout', input, args, false);
  return ip ? inplace(O.featureAlphaDropout_, input, [input._id, p, training]) : maybeSame(O.featureAlphaDropout([input._id, p, training]), input);
}

/** Channel-wise dropout with an optional batch dimension (dropout1d / dropout3d). */
function featureDropoutUnbatched(input: Tensor, p: number, training: boolean, ip: boolean, batchedDim: number): Tensor {
  const batched = input.dim() === batchedDim;
  if (batched) return ip ? inplace(O.featureDropout_, input, [input._id, p, training]) : maybeSame(O.featureDropout([input._id, p, training]), input);
  if (ip) {
    O.unsqueeze_([input._id, 0], true);
    O.featureDropout_([input._id, p, training], true);
    O.squeeze_([input._id, 0], true);
    return input;
  }
  const u = input.unsqueeze(0);
  const r = T(O.featureDropout([u._id, p, training]));
  try { return r.squeeze(0); } finally { free(u, r); }
}
/** dropout1d(input, p = 0.5, training = true, inplace = false): input (N, C, L) or (C, L). */
export function dropout1d(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('dropout1d', input, args, true);
  const nd = input.dim();
  if (nd !== 2 && nd !== 3) {
    throw new RangeError(`dropout1d(): expected 2D or 3D input, but received a ${nd}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`);
  }
  return featureDropoutUnbatched(input, p, training, ip, 3);
}
/**
 * dropout2d(input, p = 0.5, training = true, inplace = false): zeroes whole channels of (N, C, H, W)
 * input. As in PyTorch 1.13, 3-d input is taken as (N, C, L) (channel-wise 1-d dropout).
 */
export function dropout2d(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('dropout2d', input, args, true);
  return ip ? inplace(O.featureDropout_, input, [input._id, p, training]) : maybeSame(O.featureDropout([input._id, p, training]), input);
}
/** dropout3d(input, p = 0.5, training = true, inplace = false): input (N, C, D, H, W) or (C, D, H, W). */
export function dropout3d(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('dropout3d', input, args, true);
  return featureDropoutUnbatched(input, p, training, ip, 5);
}

// =================================================================================================================
// Normalization
// =================================================================================================================
function verifyBatchSize(size: number[], fn: string): void {
  let prod = size[0];
  for (let i = 0; i < size.length - 2; i++) prod *= size[i + 2];
  if (prod === 1) throw new RangeError(`${fn}(): expected more than 1 value per channel when training, got input size ${shapeStr(size)}`);
}

type BatchNormPos = [weight: OptTensor, bias: OptTensor, training: boolean, momentum: number, eps: number];
export interface BatchNormOptions { weight?: OptTensor; bias?: OptTensor; training?: boolean; momentum?: number; eps?: number }
/**
 * batchNorm(input, runningMean, runningVar, weight = null, bias = null, training = false,
 * momentum = 0.1, eps = 1e-5) (aten::batch_norm; the running stats are updated in place when training).
 */
export function batchNorm(input: Tensor, runningMean: OptTensor, runningVar: OptTensor, ...args: Args<BatchNormPos, BatchNormOptions>): Tensor {
  const fn = 'batchNorm';
  const [weight, bias, training, momentum, eps] = parse(fn, args, ['weight', 'bias', 'training', 'momentum', 'eps'], 3);
  const a = [tid(input, 'input', fn), optTid(weight, 'weight', fn), optTid(bias, 'bias', fn), optTid(runningMean, 'runningMean', fn), optTid(runningVar, 'runningVar', fn)];
  const tr = bool(training, 'training', fn, false);
  const mom = num(momentum, 'momentum', fn, 0.1);
  const e = num(eps, 'eps', fn, 1e-5);
  if (tr) verifyBatchSize(input.shape, fn);
  return T(O.batchNorm([...a, tr, mom, e, true]));
}

type InstanceNormPos = [runningMean: OptTensor, runningVar: OptTensor, weight: OptTensor, bias: OptTensor, useInputStats: boolean, momentum: number, eps: number];
export interface InstanceNormOptions { runningMean?: OptTensor; runningVar?: OptTensor; weight?: OptTensor; bias?: OptTensor; useInputStats?: boolean; momentum?: number; eps?: number }
/** instanceNorm(input, runningMean = null, runningVar = null, weight = null, bias = null, useInputStats = true, momentum = 0.1, eps = 1e-5) */
export function instanceNorm(input: Tensor, ...args: Args<InstanceNormPos, InstanceNormOptions>): Tensor {
  const fn = 'instanceNorm';
  const [rm, rv, weight, bias, uis, momentum, eps] = parse(fn, args, ['runningMean', 'runningVar', 'weight', 'bias', 'useInputStats', 'momentum', 'eps'], 1);
  const a = [tid(input, 'input', fn), optTid(weight, 'weight', fn), optTid(bias, 'bias', fn), optTid(rm, 'runningMean', fn), optTid(rv, 'runningVar', fn)];
  const use = bool(uis, 'useInputStats', fn, true);
  const mom = num(momentum, 'momentum', fn, 0.1);
  const e = num(eps, 'eps', fn, 1e-5);
  if (use) {
    const size = input.shape;
    let prod = 1;
    for (let i = 2; i < size.length; i++) prod *= size[i];
    if (prod === 1) throw new RangeError(`${fn}(): expected more than 1 spatial element when training, got input size ${shapeStr(size)}`);
  }
  return T(O.instanceNorm([...a, use, mom, e, true]));
}

/** layerNorm(input, normalizedShape, weight = null, bias = null, eps = 1e-5) */
export function layerNorm(input: Tensor, normalizedShape: IntList, ...args: Args<[weight: OptTensor, bias: OptTensor, eps: number], { weight?: OptTensor; bias?: OptTensor; eps?: number }>): Tensor {
  const fn = 'layerNorm';
  const [weight, bias, eps] = parse(fn, args, ['weight', 'bias', 'eps'], 2);
  const ns = ints(normalizedShape, 'normalizedShape', fn);
  return T(O.layerNorm([tid(input, 'input', fn), typeof ns === 'number' ? [ns] : ns, optTid(weight, 'weight', fn), optTid(bias, 'bias', fn), num(eps, 'eps', fn, 1e-5), true]));
}

/** groupNorm(input, numGroups, weight = null, bias = null, eps = 1e-5) */
export function groupNorm(input: Tensor, numGroups: number, ...args: Args<[weight: OptTensor, bias: OptTensor, eps: number], { weight?: OptTensor; bias?: OptTensor; eps?: number }>): Tensor {
  const fn = 'groupNorm';
  const [weight, bias, eps] = parse(fn, args, ['weight', 'bias', 'eps'], 2);
  const h = tid(input, 'input', fn);
  const g = int(numGroups, 'numGroups', fn);
  const w = optTid(weight, 'weight', fn);
  const b = optTid(bias, 'bias', fn);
  const e = num(eps, 'eps', fn, 1e-5);
  const s = input.shape;
  if (s.length < 2) throw new RangeError(`${fn}(): expected an input with at least 2 dimensions (N, C, *), got size ${shapeStr(s)}`);
  verifyBatchSize([Math.floor((s[0] * s[1]) / g), g, ...s.slice(2)], fn);
  return T(O.groupNorm([h, g, w, b, e, true]));
}

/**
 * localResponseNorm(input, size, alpha = 1e-4, beta = 0.75, k = 1): as PyTorch, from mul / pad /
 * avg_pool / pow.
 */
export function localResponseNorm(input: Tensor, size: number, ...args: Args<[alpha: number, beta: number, k: number], { alpha?: number; beta?: number; k?: number }>): Tensor {
  const fn = 'localResponseNorm';
  const [alpha, beta, k] = parse(fn, args, ['alpha', 'beta', 'k'], 2);
  tid(input, 'input', fn);
  const sz = int(size, 'size', fn);
  const al = num(alpha, 'alpha', fn, 1e-4), be = num(beta, 'beta', fn, 0.75), kk = num(k, 'k', fn, 1.0);
  const dim = input.dim();
  if (dim < 3) throw new RangeError(`${fn}(): expected 3D or higher dimensionality input (got ${dim} dimensions)`);
  if (input.numel() === 0) return input;
  const temps: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (temps.push(t), t);
  try {
    const sq = keep(input.mul(input));
    let div = keep(sq.unsqueeze(1));
    const lo = Math.floor(sz / 2), hi = Math.floor((sz - 1) / 2);
    if (dim === 3) {
      div = keep(pad(div, [0, 0, lo, hi]));
      div = keep(avgPool2d(div, [sz, 1], { stride: 1 }));
      div = keep(div.squeeze(1));
    } else {
      const sizes = input.shape;
      div = keep(div.view(sizes[0], 1, sizes[1], sizes[2], -1));
      div = keep(pad(div, [0, 0, 0, 0, lo, hi]));
      div = keep(avgPool3d(div, [sz, 1, 1], { stride: 1 }));
      div = keep(div.squeeze(1));
      div = keep(div.view(sizes));
    }
    div = keep(keep(keep(div.mul(al)).add(kk)).pow(be));
    return input.div(div);
  } finally {
    free(...temps);
  }
}

/** normalize(input, p = 2, dim = 1, eps = 1e-12): input / input.norm(p, dim, keepdim).clampMin(eps).expandAs(input) */
export function normalize(input: Tensor, ...args: Args<[p: number, dim: number, eps: number], { p?: number; dim?: number; eps?: number }>): Tensor {
  const fn = 'normalize';
  const [p, dim, eps] = parse(fn, args, ['p', 'dim', 'eps'], 1);
  const h = tid(input, 'input', fn);
  const pv = num(p, 'p', fn, 2.0), d = int(dim, 'dim', fn, 1), e = num(eps, 'eps', fn, 1e-12);
  // input.norm(p, dim, keepdim=True) is torch.norm -> _VF.norm(input, p, [dim], keepdim=True)
  const n = T(O.norm([h, pv, [d], true]));
  let c: Tensor | undefined, denom: Tensor | undefined;
  try {
    c = T(O.clampMin([n._id, e]));
    denom = c.expandAs(input);
    return input.div(denom);
  } finally {
    free(n);
    if (c) free(c);
    if (denom) free(denom);
  }
}

// =================================================================================================================
// Distances
// =================================================================================================================
/** pairwiseDistance(x1, x2, p = 2, eps = 1e-6, keepdim = false) */
export function pairwiseDistance(x1: Tensor, x2: Tensor, ...args: Args<[p: number, eps: number, keepdim: boolean], { p?: number; eps?: number; keepdim?: boolean }>): Tensor {
  const fn = 'pairwiseDistance';
  const [p, eps, keepdim] = parse(fn, args, ['p', 'eps', 'keepdim'], 2);
  return T(O.pairwiseDistance([tid(x1, 'x1', fn), tid(x2, 'x2', fn), num(p, 'p', fn, 2.0), num(eps, 'eps', fn, 1e-6), bool(keepdim, 'keepdim', fn, false)]));
}
/** cosineSimilarity(x1, x2, dim = 1, eps = 1e-8) */
export function cosineSimilarity(x1: Tensor, x2: Tensor, ...args: Args<[dim: number, eps: number], { dim?: number; eps?: number }>): Tensor {
  const fn = 'cosineSimilarity';
  const [dim, eps] = parse(fn, args, ['dim', 'eps'], 2);
  return T(O.cosineSimilarity([tid(x1, 'x1', fn), tid(x2, 'x2', fn), int(dim, 'dim', fn, 1), num(eps, 'eps', fn, 1e-8)]));
}
/** pdist(input, p = 2) */
export function pdist(input: Tensor, ...args: Args<[p: number], { p?: number }>): Tensor {
  const [p] = parse('pdist', args, ['p'], 1);
  return T(O.pdist([tid(input, 'input', 'pdist'), num(p, 'p', 'pdist', 2)]));
}

// =================================================================================================================
// Sparse
// =================================================================================================================
type EmbeddingPos = [paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean];
export interface EmbeddingOptions { paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean }
/**
 * embedding(input, weight, paddingIdx = null, maxNorm = null, normType = 2, scaleGradByFreq = false,
 * sparse = false). With maxNorm, the rows of `weight` that are looked up are renormalised in place
 * first (aten::embedding_renorm_ on weight.detach()), as in PyTorch.
 */
export function embedding(input: Tensor, weight: Tensor, ...args: Args<EmbeddingPos, EmbeddingOptions>): Tensor {
  const fn = 'embedding';
  const [pi, maxNorm, normType, sgbf, sparse] = parse(fn, args, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'], 2);
  tid(input, 'input', fn);
  const w = tid(weight, 'weight', fn);
  let padIdx = optInt(pi, 'paddingIdx', fn);
  const mn = optNum(maxNorm, 'maxNorm', fn);
  const nt = num(normType, 'normType', fn, 2.0);
  const scale = bool(sgbf, 'scaleGradByFreq', fn, false);
  const sp = bool(sparse, 'sparse', fn, false);
  if (padIdx !== null) {
    const n = weight.size(0);
    if (padIdx > 0) {
      if (!(padIdx < n)) throw new RangeError(`${fn}(): paddingIdx must be within num_embeddings (${n}), got ${padIdx}`);
    } else if (padIdx < 0) {
      if (!(padIdx >= -n)) throw new RangeError(`${fn}(): paddingIdx must be within num_embeddings (${n}), got ${padIdx}`);
      padIdx = n + padIdx;
    }
  } else {
    padIdx = -1;
  }
  if (mn !== null) {
    const idx = input.contiguous();
    const wd = weight.detach();
    try {
      O.embeddingRenorm_([wd._id, idx._id, mn, nt], true);
      return T(O.embedding([w, idx._id, padIdx, scale, sp]));
    } finally {
      free(idx, wd);
    }
  }
  return T(O.embedding([w, input._id, padIdx, scale, sp]));
}

/** oneHot(tensor, numClasses = -1): int64 one-hot encoding (aten::one_hot). */
export function oneHot(tensor: Tensor, ...args: Args<[numClasses: number], { numClasses?: number }>): Tensor {
  const [nc] = parse('oneHot', args, ['numClasses'], 1);
  return T(O.oneHot([tid(tensor, 'tensor', 'oneHot'), int(nc, 'numClasses', 'oneHot', -1)]));
}

// =================================================================================================================
// Losses
// =================================================================================================================
type LossOpt = { reduction?: Reduction };

/** The element-wise losses: torch.broadcast_tensors(input, target), then the loss operator. */
function broadcastLoss(fn: string, f: typeof O.mseLoss, input: Tensor, target: Tensor, reduction: unknown, extra: unknown[]): Tensor {
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const r = reductionEnum(reduction, fn);
  const [ei, et] = TT(O.broadcastTensors([[a, b]]));
  try {
    return T(f([ei._id, et._id, r, ...extra]));
  } finally {
    free(ei, et);
  }
}

/** mseLoss(input, target, { reduction = 'mean' }) */
export function mseLoss(input: Tensor, target: Tensor, options?: LossOpt): Tensor {
  const [reduction] = parse('mseLoss', options === undefined ? [] : [options], ['reduction'], 2, 0);
  return broadcastLoss('mseLoss', O.mseLoss, input, target, reduction, []);
}
/** l1Loss(input, target, { reduction = 'mean' }) */
export function l1Loss(input: Tensor, target: Tensor, options?: LossOpt): Tensor {
  const [reduction] = parse('l1Loss', options === undefined ? [] : [options], ['reduction'], 2, 0);
  return broadcastLoss('l1Loss', O.l1Loss, input, target, reduction, []);
}
/** smoothL1Loss(input, target, { reduction = 'mean', beta = 1 }) */
export function smoothL1Loss(input: Tensor, target: Tensor, options?: LossOpt & { beta?: number }): Tensor {
  const fn = 'smoothL1Loss';
  const [reduction, beta] = parse(fn, options === undefined ? [] : [options], ['reduction', 'beta'], 2, 0);
  const bv = num(beta, 'beta', fn, 1.0);
  return broadcastLoss(fn, O.smoothL1Loss, input, target, reduction, [bv]);
}
/** huberLoss(input, target, reduction = 'mean', delta = 1) */
export function huberLoss(input: Tensor, target: Tensor, ...args: Args<[reduction: Reduction, delta: number], { reduction?: Reduction; delta?: number }>): Tensor {
  const fn = 'huberLoss';
  const [reduction, delta] = parse(fn, args, ['reduction', 'delta'], 2);
  const dv = num(delta, 'delta', fn, 1.0);
  return broadcastLoss(fn, O.huberLoss, input, target, reduction, [dv]);
}

type NllOpt = { weight?: OptTensor; ignoreIndex?: number; reduction?: Reduction };
/** nllLoss(input, target, weight = null, { ignoreIndex = -100, reduction = 'mean' }) (aten::nll_loss_nd) */
export function nllLoss(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], NllOpt>): Tensor {
  const fn = 'nllLoss';
  const [weight, ignoreIndex, reduction] = parse(fn, args, ['weight', 'ignoreIndex', 'reduction'], 2, 1);
  return T(O.nllLossNd([tid(input, 'input', fn), tid(target, 'target', fn), optTid(weight, 'weight', fn), reductionEnum(reduction, fn), int(ignoreIndex, 'ignoreIndex', fn, -100)]));
}

/**
 * crossEntropy(input, target, weight = null, { ignoreIndex = -100, reduction = 'mean',
 * labelSmoothing = 0 }): target holds class indices (int64) or class probabilities (float, the
 * shape of input). aten::cross_entropy_loss.
 */
export function crossEntropy(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], NllOpt & { labelSmoothing?: number }>): Tensor {
  const fn = 'crossEntropy';
  const [weight, ignoreIndex, reduction, ls] = parse(fn, args, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], 2, 1);
  return T(O.crossEntropyLoss([tid(input, 'input', fn), tid(target, 'target', fn), optTid(weight, 'weight', fn), reductionEnum(reduction, fn),
    int(ignoreIndex, 'ignoreIndex', fn, -100), num(ls, 'labelSmoothing', fn, 0.0)]));
}

/** binaryCrossEntropy(input, target, weight = null, { reduction = 'mean' }): weight is broadcast to target's shape. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], { weight?: OptTensor; reduction?: Reduction }>): Tensor {
  const fn = 'binaryCrossEntropy';
  const [weight, reduction] = parse(fn, args, ['weight', 'reduction'], 2, 1);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  let w = optTid(weight, 'weight', fn);
  const r = reductionEnum(reduction, fn);
  const ts = target.shape, is = input.shape;
  if (!sameShape(ts, is)) {
    throw new RangeError(`${fn}(): using a target size (${shapeStr(ts)}) that is different to the input size (${shapeStr(is)}) is deprecated. Please ensure they have the same size.`);
  }
  let ew: Tensor | undefined;
  if (w !== null) {
    ew = T(O.expand([w, inferSize(ts, (weight as Tensor).shape)]));
    w = ew._id;
  }
  try {
    return T(O.binaryCrossEntropy([a, b, w, r]));
  } finally {
    if (ew) free(ew);
  }
}

/** binaryCrossEntropyWithLogits(input, target, weight = null, { reduction = 'mean', posWeight = null }) */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], { weight?: OptTensor; reduction?: Reduction; posWeight?: OptTensor }>): Tensor {
  const fn = 'binaryCrossEntropyWithLogits';
  const [weight, reduction, posWeight] = parse(fn, args, ['weight', 'reduction', 'posWeight'], 2, 1);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const w = optTid(weight, 'weight', fn), pw = optTid(posWeight, 'posWeight', fn);
  const r = reductionEnum(reduction, fn);
  if (!sameShape(target.shape, input.shape)) {
    throw new RangeError(`${fn}(): target size (${shapeStr(target.shape)}) must be the same as input size (${shapeStr(input.shape)})`);
  }
  return T(O.binaryCrossEntropyWithLogits([a, b, w, pw, r]));
}

/**
 * klDiv(input, target, { reduction = 'mean', logTarget = false }): input holds log-probabilities;
 * reduction 'batchmean' sums and divides by the batch size (input.size(0)).
 */
export function klDiv(input: Tensor, target: Tensor, options?: { reduction?: Reduction | 'batchmean'; logTarget?: boolean }): Tensor {
  const fn = 'klDiv';
  const [reduction, logTarget] = parse(fn, options === undefined ? [] : [options], ['reduction', 'logTarget'], 2, 0);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const batchmean = reduction === 'batchmean';
  const r = batchmean ? 2 : reductionEnum(reduction, fn);
  const reduced = T(O.klDiv([a, b, r, bool(logTarget, 'logTarget', fn, false)]));
  if (batchmean && input.dim() !== 0) {
    try { return reduced.div(input.size(0)); } finally { free(reduced); }
  }
  return reduced;
}

/** poissonNllLoss(input, target, logInput = true, full = false, { eps = 1e-8, reduction = 'mean' }) */
export function poissonNllLoss(input: Tensor, target: Tensor, ...args: Args<[logInput: boolean, full: boolean], { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction }>): Tensor {
  const fn = 'poissonNllLoss';
  const [logInput, full, eps, reduction] = parse(fn, args, ['logInput', 'full', 'eps', 'reduction'], 2, 2);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const li = bool(logInput, 'logInput', fn, true), fu = bool(full, 'full', fn, false), e = num(eps, 'eps', fn, 1e-8);
  const red = reductionName(reduction, fn);
  return T(O.poissonNllLoss([a, b, li, fu, e, reductionEnum(red, fn)]));
}

/** gaussianNllLoss(input, target, var, full = false, eps = 1e-6, reduction = 'mean'), written out as in PyTorch. */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, ...args: Args<[full: boolean, eps: number, reduction: Reduction], { full?: boolean; eps?: number; reduction?: Reduction }>): Tensor {
  const fn = 'gaussianNllLoss';
  const [full, eps, reduction] = parse(fn, args, ['full', 'eps', 'reduction'], 3);
  tid(input, 'input', fn);
  tid(target, 'target', fn);
  tid(variance, 'var', fn);
  const fu = bool(full, 'full', fn, false), e = num(eps, 'eps', fn, 1e-6);
  const temps: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (temps.push(t), t);
  try {
    let v = variance;
    const vs = v.shape, is = input.shape;
    if (!sameShape(vs, is)) {
      if (sameShape(is.slice(0, -1), vs)) v = keep(v.unsqueeze(-1));
      else if (!(sameShape(is.slice(0, -1), vs.slice(0, -1)) && vs[vs.length - 1] === 1)) throw new RangeError(`${fn}(): var is of incorrect size`);
    }
    const red = reductionName(reduction, fn);
    if (keep(keep(v.lt(0)).any()).item()) throw new RangeError(`${fn}(): var has negative entry/entries`);
    v = keep(v.clone());
    const vc = v;
    noGrad(() => vc.clamp_({ min: e }));
    const loss = keep(keep(keep(vc.log()).add(keep(keep(keep(input.sub(target)).pow(2)).div(vc)))).mul(0.5));
    // 0.5 * (...) is mul(wrapped 0.5); Python's `loss += c` is add_ in place
    if (fu) loss.add_(0.5 * Math.log(2 * Math.PI));
    if (red === 'mean') return loss.mean();
    if (red === 'sum') return loss.sum();
    temps.splice(temps.indexOf(loss), 1);
    return loss;
  } finally {
    free(...temps);
  }
}

type MarginOpt = { margin?: number; reduction?: Reduction };
/** marginRankingLoss(input1, input2, target, margin = 0, { reduction = 'mean' }) */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: Args<[margin: number], MarginOpt>): Tensor {
  const fn = 'marginRankingLoss';
  const [margin, reduction] = parse(fn, args, ['margin', 'reduction'], 3, 1);
  const a = tid(input1, 'input1', fn), b = tid(input2, 'input2', fn), c = tid(target, 'target', fn);
  const m = num(margin, 'margin', fn, 0);
  const r = reductionEnum(reduction, fn);
  if (input1.dim() !== input2.dim() || input1.dim() !== target.dim()) {
    throw new RangeError(`${fn}(): all input tensors should have same dimension but got sizes: input1: ${shapeStr(input1.shape)}, input2: ${shapeStr(input2.shape)}, target: ${shapeStr(target.shape)}`);
  }
  return T(O.marginRankingLoss([a, b, c, m, r]));
}
/** hingeEmbeddingLoss(input, target, margin = 1, { reduction = 'mean' }) */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, ...args: Args<[margin: number], MarginOpt>): Tensor {
  const fn = 'hingeEmbeddingLoss';
  const [margin, reduction] = parse(fn, args, ['margin', 'reduction'], 2, 1);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const m = num(margin, 'margin', fn, 1.0);
  return T(O.hingeEmbeddingLoss([a, b, m, reductionEnum(reduction, fn)]));
}
/** softMarginLoss(input, target, { reduction = 'mean' }) */
export function softMarginLoss(input: Tensor, target: Tensor, options?: LossOpt): Tensor {
  const fn = 'softMarginLoss';
  const [reduction] = parse(fn, options === undefined ? [] : [options], ['reduction'], 2, 0);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  return T(O.softMarginLoss([a, b, reductionEnum(reduction, fn)]));
}
/** cosineEmbeddingLoss(input1, input2, target, margin = 0, { reduction = 'mean' }) */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: Args<[margin: number], MarginOpt>): Tensor {
  const fn = 'cosineEmbeddingLoss';
  const [margin, reduction] = parse(fn, args, ['margin', 'reduction'], 3, 1);
  const a = tid(input1, 'input1', fn), b = tid(input2, 'input2', fn), c = tid(target, 'target', fn);
  const m = num(margin, 'margin', fn, 0);
  return T(O.cosineEmbeddingLoss([a, b, c, m, reductionEnum(reduction, fn)]));
}
/** multiMarginLoss(input, target, p = 1, margin = 1, weight = null, { reduction = 'mean' }) */
export function multiMarginLoss(input: Tensor, target: Tensor, ...args: Args<[p: 1 | 2, margin: number, weight: OptTensor], { p?: 1 | 2; margin?: number; weight?: OptTensor; reduction?: Reduction }>): Tensor {
  const fn = 'multiMarginLoss';
  const [p, margin, weight, reduction] = parse(fn, args, ['p', 'margin', 'weight', 'reduction'], 2, 3);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const pv = int(p, 'p', fn, 1), m = num(margin, 'margin', fn, 1.0), w = optTid(weight, 'weight', fn);
  const r = reductionEnum(reduction, fn);
  if (pv !== 1 && pv !== 2) throw new RangeError(`${fn}(): only p == 1 and p == 2 supported, got ${pv}`);
  if (w !== null && (weight as Tensor).dim() !== 1) throw new RangeError(`${fn}(): weight must be one-dimensional`);
  return T(O.multiMarginLoss([a, b, pv, m, w, r]));
}
/** multilabelSoftMarginLoss(input, target, weight = null, { reduction = 'mean' }), written out as in PyTorch. */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], { weight?: OptTensor; reduction?: Reduction }>): Tensor {
  const fn = 'multilabelSoftMarginLoss';
  const [weight, reduction] = parse(fn, args, ['weight', 'reduction'], 2, 1);
  tid(input, 'input', fn);
  tid(target, 'target', fn);
  if (!none(weight)) tid(weight, 'weight', fn);
  const red = reductionName(reduction, fn);
  const temps: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (temps.push(t), t);
  try {
    // loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    const l1 = keep(target.mul(keep(logsigmoid(input))));
    const l2 = keep(keep(target.rsub(1)).mul(keep(logsigmoid(keep(input.neg())))));
    let loss = keep(keep(l1.add(l2)).neg());
    if (!none(weight)) loss = keep(loss.mul(weight as Tensor));
    const classDim = input.dim() - 1;
    const C = input.size(classDim);
    loss = keep(keep(loss.sum(classDim)).div(C));
    if (red === 'mean') return loss.mean();
    if (red === 'sum') return loss.sum();
    temps.splice(temps.indexOf(loss), 1);
    return loss;
  } finally {
    free(...temps);
  }
}
/** tripletMarginLoss(anchor, positive, negative, margin = 1, p = 2, eps = 1e-6, swap = false, { reduction = 'mean' }) */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, ...args: Args<[margin: number, p: number, eps: number, swap: boolean], { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction }>): Tensor {
  const fn = 'tripletMarginLoss';
  const [margin, p, eps, swap, reduction] = parse(fn, args, ['margin', 'p', 'eps', 'swap', 'reduction'], 3, 4);
  return T(O.tripletMarginLoss([tid(anchor, 'anchor', fn), tid(positive, 'positive', fn), tid(negative, 'negative', fn), num(margin, 'margin', fn, 1.0),
    num(p, 'p', fn, 2), num(eps, 'eps', fn, 1e-6), bool(swap, 'swap', fn, false), reductionEnum(reduction, fn)]));
}

// =================================================================================================================
// Vision
// =================================================================================================================
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
/**
 * pad(input, pad, mode = 'constant', value = null): `pad` lists (before, after) pairs starting from
 * the last dimension. aten::pad (constant_pad_nd, reflection_pad*, replication_pad*, _pad_circular).
 */
export function pad(input: Tensor, pad: readonly number[], ...args: Args<[mode: PadMode, value: number | null], { mode?: PadMode; value?: number | null }>): Tensor {
  const fn = 'pad';
  const [mode, value] = parse(fn, args, ['mode', 'value'], 2);
  return T(O.pad([tid(input, 'input', fn), intArray(pad, 'pad', fn), str(mode, 'mode', fn, ['constant', 'reflect', 'replicate', 'circular'] as const, 'constant'),
    optNum(value, 'value', fn)]));
}

export type InterpolateMode = 'nearest' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area' | 'nearest-exact';
const MODES: readonly InterpolateMode[] = ['nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact'];
type InterpPos = [size: IntList | null, scaleFactor: number | readonly number[] | null, mode: InterpolateMode, alignCorners: boolean | null, recomputeScaleFactor: boolean | null, antialias: boolean];
export interface InterpolateOptions {
  size?: IntList | null; scaleFactor?: number | readonly number[] | null; mode?: InterpolateMode; alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null; antialias?: boolean;
}
/**
 * interpolate(input, size = null, scaleFactor = null, mode = 'nearest', alignCorners = null,
 * recomputeScaleFactor = null, antialias = false): upsample_* / adaptive_avg_pool* as PyTorch 1.13
 * picks them, with its handling of scale factors (passed to the kernel unless recomputed).
 */
export function interpolate(input: Tensor, ...args: Args<InterpPos, InterpolateOptions>): Tensor {
  const fn = 'interpolate';
  const [size, scaleFactor, modeArg, ac, rsf, aa] = parse(fn, args, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias'], 1);
  const h = tid(input, 'input', fn);
  const mode = str(modeArg, 'mode', fn, MODES, 'nearest');
  let alignCorners = optBool(ac, 'alignCorners', fn);
  let recompute = optBool(rsf, 'recomputeScaleFactor', fn);
  const antialias = bool(aa, 'antialias', fn, false);
  if (mode === 'nearest' || mode === 'area' || mode === 'nearest-exact') {
    if (alignCorners !== null) throw new RangeError(`${fn}(): align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`);
  } else if (alignCorners === null) {
    alignCorners = false;
  }
  const nd = input.dim();
  const dim = nd - 2;
  let outputSize: number[] | null = null;
  let scales: number[] | null = null;
  if (!none(size) && !none(scaleFactor)) throw new RangeError(`${fn}(): only one of size or scale_factor should be defined`);
  else if (!none(size)) {
    const s = ints(size, 'size', fn);
    if (Array.isArray(s)) {
      if (s.length !== dim) {
        throw new RangeError(`${fn}(): input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${shapeStr(input.shape.slice(2))} and output size of ${shapeStr(s)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
      }
      outputSize = s;
    } else {
      outputSize = Array.from({ length: Math.max(dim, 0) }, () => s);
    }
  } else if (!none(scaleFactor)) {
    if (Array.isArray(scaleFactor)) {
      if (!scaleFactor.every((v) => typeof v === 'number')) throw new TypeError(`${fn}(): 'scaleFactor' must be a number or an array of numbers, got ${describe(scaleFactor)} with a non-number element`);
      if (scaleFactor.length !== dim) {
        throw new RangeError(`${fn}(): input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${shapeStr(input.shape.slice(2))} and scale_factor of shape ${shapeStr(scaleFactor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
      }
      scales = [...scaleFactor];
    } else {
      const sf = num(scaleFactor, 'scaleFactor', fn);
      scales = Array.from({ length: Math.max(dim, 0) }, () => sf);
    }
  } else {
    throw new RangeError(`${fn}(): either size or scale_factor should be defined`);
  }
  if (recompute === true && !none(size)) throw new RangeError(`${fn}(): recompute_scale_factor is not meaningful with an explicit size.`);
  if (mode === 'area' && outputSize === null) recompute = true;
  if (recompute === true) {
    const sh = input.shape;
    outputSize = (scales as number[]).map((sc, i) => Math.floor(sh[i + 2] * sc));
    scales = null;
  }
  if (antialias && !((mode === 'bilinear' || mode === 'bicubic') && nd === 4)) throw new RangeError(`${fn}(): anti-alias option is only supported for bilinear and bicubic modes`);
  switch (`${nd}:${mode}`) {
    case '3:nearest': return T(O.upsampleNearest1d([h, outputSize, scales]));
    case '4:nearest': return T(O.upsampleNearest2d([h, outputSize, scales]));
    case '5:nearest': return T(O.upsampleNearest3d([h, outputSize, scales]));
    case '3:nearest-exact': return T(O.upsampleNearestExact1d([h, outputSize, scales]));
    case '4:nearest-exact': return T(O.upsampleNearestExact2d([h, outputSize, scales]));
    case '5:nearest-exact': return T(O.upsampleNearestExact3d([h, outputSize, scales]));
    case '3:area': return adaptiveAvgPool1d(input, outputSize as number[]);
    case '4:area': return adaptiveAvgPool2d(input, outputSize as number[]);
    case '5:area': return adaptiveAvgPool3d(input, outputSize as number[]);
    case '3:linear': return T(O.upsampleLinear1d([h, outputSize, alignCorners, scales]));
    case '4:bilinear': return T((antialias ? O.upsampleBilinear2dAa : O.upsampleBilinear2d)([h, outputSize, alignCorners, scales]));
    case '5:trilinear': return T(O.upsampleTrilinear3d([h, outputSize, alignCorners, scales]));
    case '4:bicubic': return T((antialias ? O.upsampleBicubic2dAa : O.upsampleBicubic2d)([h, outputSize, alignCorners, scales]));
  }
  const need: Record<string, number> = { linear: 3, bilinear: 4, bicubic: 4, trilinear: 5 };
  if (nd >= 3 && nd <= 5 && need[mode] !== undefined) throw new RangeError(`${fn}(): got ${nd}D input, but ${mode} mode needs ${need[mode]}D input`);
  throw new RangeError(`${fn}(): only 3D, 4D and 5D input tensors are supported (got ${nd}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
}

/** pixelShuffle(input, upscaleFactor) */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  return T(O.pixelShuffle([tid(input, 'input', 'pixelShuffle'), int(upscaleFactor, 'upscaleFactor', 'pixelShuffle')]));
}
/** pixelUnshuffle(input, downscaleFactor) */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  return T(O.pixelUnshuffle([tid(input, 'input', 'pixelUnshuffle'), int(downscaleFactor, 'downscaleFactor', 'pixelUnshuffle')]));
}
