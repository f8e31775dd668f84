/** Internal to sigprop/data (not re-exported): the options-object check its datasets, transforms and DataLoader share. */
import { checkOptions as checkOptionsObject, DATA_OPTIONS } from '../torch/args';

/** An options object (or undefined, taken as {}) whose keys are all in `allowed`; a TypeError names the first other one. */
export function checkOptions(o: unknown, fn: string, allowed: readonly string[]): Record<string, unknown> {
  if (o === undefined) return {};
  return checkOptionsObject(fn, o as Record<string, unknown>, allowed, DATA_OPTIONS);
}
