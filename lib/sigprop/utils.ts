/** sigprop.utils */
import { describe } from '../torch/errors';

/** The product of the dimensions of a shape (Python's `shape_numel`); 1 for an empty shape. */
export function shapeNumel(shape: Iterable<number>): number {
  if (shape === null || typeof shape !== 'object' || typeof (shape as Iterable<number>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`shapeNumel(): 'shape' must be an array of numbers, got ${describe(shape)}`);
  }
  let numel = 1;
  for (const d of shape) {
    if (typeof d !== 'number') throw new TypeError(`shapeNumel(): dimensions must be numbers, got ${describe(d)}`);
    numel *= d;
  }
  return numel;
}
