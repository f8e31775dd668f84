/** Tensors from JS data: nested arrays, typed arrays and scalars, with PyTorch's checked integer conversion. */
import { N } from '../native';
import { describe } from '../errors';
import { checkNotDetached } from '../args';
import { DType, DTypeLike, Device, dtypeCode, toDType } from '../dtype';
import type { Tensor, TypedArray } from '../tensor';
import { T } from './calls';

function shapeOf(data: unknown, fn: string): number[] {
  const shape: number[] = [];
  let x = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    if (x.length === 0) break;
    x = x[0];
  }
  return shape;
}

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647], uint8: [0, 255], int64: [-(2 ** 63), 2 ** 63],
};

/**
 * PyTorch's checked conversion of Python numbers into integer tensors: out-of-range values are an
 * error (not a silent wrap), except that small negative integers wrap into uint8 as in Python.
 */
function checkIntRange(values: (number | bigint)[], dtype: DType, fn: string): void {
  const [lo, hi] = INT_RANGE[dtype]!;
  for (const x of values) {
    const v = Number(x);
    let bad: boolean;
    if (dtype === 'int64') bad = !(v >= lo && v < hi);
    else if (dtype === 'uint8' && Number.isInteger(v) && v < 0) bad = -v > hi;
    else bad = !(v >= lo && v <= hi);
    if (bad) throw new RangeError(`${fn}(): value ${typeof x === 'bigint' ? `${x}n` : x} cannot be converted to type ${dtype} without overflow`);
  }
}

/** Creates a tensor from nested arrays / a typed array / a scalar. Numbers default to float32. */
export function tensorFromData(data: unknown, dtype: DTypeLike | undefined, device: Device | undefined, requiresGrad: boolean, fn = 'tensor'): Tensor {
  const dst = dtype === undefined ? undefined : toDType(dtype);
  if (ArrayBuffer.isView(data)) {
    let src: DType;
    if (data instanceof Float32Array) src = 'float32';
    else if (data instanceof Float64Array) src = 'float64';
    else if (data instanceof Int32Array) src = 'int32';
    else if (data instanceof BigInt64Array) src = 'int64';
    else if (data instanceof Int16Array) src = 'int16';
    else if (data instanceof Int8Array) src = 'int8';
    else if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) src = 'uint8';
    else throw new TypeError(`${fn}(): unsupported typed array ${describe(data)} (use Float32Array, Float64Array, Int32Array, BigInt64Array, Int16Array, Int8Array or Uint8Array)`);
    checkNotDetached(data.buffer, 'data', fn);
    const len = (data as unknown as { length: number }).length;
    return T(N.fromBuffer(data, [len], dtypeCode(src), dtypeCode(dst ?? src), device ?? null, requiresGrad));
  }
  const shape = shapeOf(data, fn);
  let numel = 1;
  for (const s of shape) numel *= s;
  // flatten, checking that the nesting is rectangular and the leaves are numbers/booleans/bigints
  let kind: 'number' | 'boolean' | 'bigint' | undefined;
  const flat: unknown[] = new Array(numel);
  let k = 0;
  const walk = (x: unknown, d: number): void => {
    if (d === shape.length) {
      const t = typeof x;
      if (t !== 'number' && t !== 'boolean' && t !== 'bigint') {
        throw new TypeError(`${fn}(): data must contain only numbers, booleans or bigints, got ${describe(x)}`);
      }
      if (kind === undefined) kind = t as 'number' | 'boolean' | 'bigint';
      else if (kind !== t) throw new TypeError(`${fn}(): data mixes ${kind} and ${t} values`);
      flat[k++] = x;
      return;
    }
    if (!Array.isArray(x)) throw new TypeError(`${fn}(): expected a sequence at dim ${d}, got ${describe(x)}`);
    if (x.length !== shape[d]) throw new RangeError(`${fn}(): expected sequence of length ${shape[d]} at dim ${d} (got ${x.length})`);
    for (const y of x) walk(y, d + 1);
  };
  if (numel > 0 || shape.length === 0) walk(data, 0);
  let buf: TypedArray;
  let src: DType;
  if (kind === 'boolean') {
    buf = Uint8Array.from(flat as boolean[], (b) => (b ? 1 : 0));
    src = 'bool';
  } else if (kind === 'bigint') {
    buf = BigInt64Array.from(flat as bigint[]);
    src = 'int64';
  } else {
    buf = Float64Array.from(flat as number[]);
    src = 'float64';
  }
  const target: DType = dst ?? (kind === 'boolean' ? 'bool' : kind === 'bigint' ? 'int64' : 'float32');
  if (kind === 'bigint') {
    for (const v of flat as bigint[]) if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new RangeError(`${fn}(): value ${v}n is out of the int64 range`);
  }
  if (kind !== 'boolean' && INT_RANGE[target] !== undefined) checkIntRange(flat as (number | bigint)[], target, fn);
  return T(N.fromBuffer(buf, shape, dtypeCode(src), dtypeCode(target), device ?? null, requiresGrad));
}
