/** Python's indexing for Tensor.index / indexPut_: slices, index items and their encoding for the addon. */
import { IndexKind as IK } from '../codes';
import { describe } from '../errors';
import { Tensor } from '../tensor';
import type { NestedArray } from '../tensor';
import { tensorFromData } from './data';

/** A Python slice `start:stop:step` for Tensor.index / indexPut_. */
export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {
    for (const [name, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
      if (v !== null && !(typeof v === 'number' && Number.isInteger(v))) throw new TypeError(`slice(): '${name}' must be an integer or null, got ${describe(v)}`);
    }
  }
  toString(): string {
    return `${this.start ?? ''}:${this.stop ?? ''}${this.step !== null ? ':' + this.step : ''}`;
  }
}

/** `slice(a, b, c)` is Python's `a:b:c`; null leaves a bound open. */
export function slice(start: number | null = null, stop: number | null = null, step: number | null = null): Slice {
  return new Slice(start, stop, step);
}

/**
 * An index item: an integer, a Slice or a 'a:b:c' string (':' for all), null (newaxis), '...'
 * (ellipsis), a boolean, a Tensor (integer or boolean mask), or an array of integers or booleans.
 */
export type IndexItem = number | Slice | string | null | boolean | Tensor | number[] | boolean[];

function parseSliceString(s: string): [number | null, number | null, number | null] {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) throw new TypeError(`bad index string '${s}' (expected '...', ':', 'a:b' or 'a:b:c')`);
  const num = (p: string): number | null => {
    const q = p.trim();
    if (q === '') return null;
    if (!/^-?\d+$/.test(q)) throw new TypeError(`bad index string '${s}': '${p}' is not an integer`);
    return Number(q);
  };
  return [num(parts[0]), num(parts[1]), parts.length === 3 ? num(parts[2]) : null];
}

/** The elements of a (nested) index array: all integers or all booleans, else a TypeError naming the first bad one. */
function checkIndexArray(a: unknown[]): boolean {
  let isBool: boolean | null = null;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) { for (const y of x) walk(y); return; }
    const b = typeof x === 'boolean';
    if (!b && !(typeof x === 'number' && Number.isInteger(x))) {
      throw new TypeError(`index: an index array's elements must be integers or booleans, got ${describe(x)} (tensors used as indices must be long, int, byte or bool)`);
    }
    if (isBool === null) isBool = b;
    else if (isBool !== b) throw new TypeError('index: an index array mixes booleans and integers');
  };
  walk(a);
  return isBool === true;
}

export function encodeIndex(items: IndexItem[], temps: Tensor[]): [number[], unknown[]] {
  const kinds: number[] = [];
  const vals: unknown[] = [];
  let ellipses = 0;
  for (const it of items) {
    if (typeof it === 'number') {
      if (!Number.isInteger(it)) throw new TypeError(`index: ${it} is not an integer`);
      kinds.push(IK.int); vals.push(it);
    } else if (it === null) {
      kinds.push(IK.none); vals.push(0);
    } else if (it === undefined) {
      throw new TypeError('index: undefined is not an index item (use null or torch.newaxis for a new axis)');
    } else if (it === '...') {
      if (++ellipses > 1) throw new RangeError("index: an index can only have a single ellipsis ('...')");
      kinds.push(IK.ellipsis); vals.push(0);
    } else if (typeof it === 'string') {
      kinds.push(IK.slice); vals.push(parseSliceString(it));
    } else if (it instanceof Slice) {
      kinds.push(IK.slice); vals.push([it.start, it.stop, it.step]);
    } else if (typeof it === 'boolean') {
      kinds.push(IK.bool); vals.push(it);
    } else if (it instanceof Tensor) {
      kinds.push(IK.tensor); vals.push(it._id);
    } else if (Array.isArray(it)) {
      const isBool = checkIndexArray(it);
      const t = tensorFromData(it as NestedArray<number | boolean>, isBool ? 'bool' : 'int64', undefined, false, 'index');
      temps.push(t);
      kinds.push(IK.tensor); vals.push(t._id);
    } else {
      throw new TypeError(`index: unsupported index item ${describe(it)}`);
    }
  }
  return [kinds, vals];
}
