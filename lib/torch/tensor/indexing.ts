/** Python's indexing for Tensor.index / indexPut_: slices, index items and their encoding for the addon. */
import { IndexKind as IK } from '../codes';
import { describe } from '../errors';
import { Tensor } from '../tensor';
import type { NestedArray } from '../tensor';
import { tensorFromData } from './data';

/** A Python slice `start:stop:step` for Tensor.index / indexPut_. */
export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {}
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

export function encodeIndex(items: IndexItem[], temps: Tensor[]): [number[], unknown[]] {
  const kinds: number[] = [];
  const vals: unknown[] = [];
  for (const it of items) {
    if (typeof it === 'number') {
      if (!Number.isInteger(it)) throw new TypeError(`index: ${it} is not an integer`);
      kinds.push(IK.int); vals.push(it);
    } else if (it === null) {
      kinds.push(IK.none); vals.push(0);
    } else if (it === undefined) {
      throw new TypeError('index: undefined is not an index item (use null or torch.newaxis for a new axis)');
    } else if (it === '...') {
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
      const isBool = it.length > 0 && typeof it[0] === 'boolean';
      const t = tensorFromData(it as NestedArray<number | boolean>, isBool ? 'bool' : 'int64', undefined, false, 'index');
      temps.push(t);
      kinds.push(IK.tensor); vals.push(t._id);
    } else {
      throw new TypeError(`index: unsupported index item ${describe(it)}`);
    }
  }
  return [kinds, vals];
}
