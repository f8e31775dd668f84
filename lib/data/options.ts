/** Internal to sigprop/data (not re-exported): the options-object check its datasets and transforms share. */
import { describe } from '../torch/errors';

/** An options object (or undefined, taken as {}) whose keys are all in `allowed`; a TypeError names the first other one. */
export function checkOptions(o: unknown, fn: string, allowed: readonly string[]): Record<string, unknown> {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TypeError(`${fn}: options must be an object, got ${describe(o)}`);
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new TypeError(`${fn}: unknown option '${k}' (accepted: ${allowed.join(', ')})`);
  }
  return o as Record<string, unknown>;
}
