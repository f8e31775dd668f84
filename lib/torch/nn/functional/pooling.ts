/** nn.functional, pooling: average, max and adaptive pooling. */
import { Tensor, T, TT, op, tid } from '../../tensor';
import { describe } from '../../errors';
import type { Handle } from '../../native-api';
import { Args, IntList, Prefixes, bool, int, ints, optInt, parse } from './common';

const O = {
  avgPool1d: op('avg_pool1d'), avgPool2d: op('avg_pool2d'), avgPool3d: op('avg_pool3d'), maxPool1d: op('max_pool1d'),
  maxPool1dWI: op<Handle[]>('max_pool1d_with_indices'), maxPool2d: op('max_pool2d'), maxPool2dWI: op<Handle[]>('max_pool2d_with_indices'),
  adaptiveAvgPool1d: op('adaptive_avg_pool1d'), adaptiveAvgPool2d: op('adaptive_avg_pool2d'), adaptiveAvgPool3d: op('adaptive_avg_pool3d'),
  adaptiveMaxPool1d: op<Handle[]>('adaptive_max_pool1d'), adaptiveMaxPool2d: op<Handle[]>('adaptive_max_pool2d'),
};

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
