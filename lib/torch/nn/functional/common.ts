/** nn.functional's shared argument types, argument parsing and checks, and small helpers. */
import { Tensor, T, tid } from '../../tensor';
import { describe, TorchError } from '../../errors';
import { dtypeCode, isDTypeName, DTYPES } from '../../dtype';
import { bindArgs, bindStyle, checkInt, checkNumber, checkBool } from '../../args';
import type { BindStyle } from '../../args';

// ---- argument types -------------------------------------------------------------------------------------------
/** An int or a list of ints (kernel size, stride, padding, ...); one int stands for all dimensions. */
export type IntList = number | readonly number[];
/** Every prefix of the positional parameter tuple P, optionally followed by the options object K. */
export type Prefixes<P extends readonly unknown[]> = P extends readonly [...infer H, unknown] ? P | Prefixes<H> : P;
export type Args<P extends readonly unknown[], K> = Prefixes<P> | [...Prefixes<P>, K];
export type Reduction = 'none' | 'mean' | 'sum';
export type OptTensor = Tensor | null;

// ---- argument parsing -------------------------------------------------------------------------------------------
/** Python's binding, except that an options entry whose value is undefined counts as not given. */
const FUNCTIONAL: BindStyle = bindStyle({ skipUndefined: true });

/**
 * Binds `rest` (the arguments after the `fixed` leading parameters): positional values, then an
 * optional trailing options object with the remaining parameter names. Only the first `npos` names
 * may be given positionally (PyTorch's keyword-only parameters come after).
 */
export function parse(fn: string, rest: ArrayLike<unknown>, names: readonly string[], fixed: number, npos = names.length): unknown[] {
  return bindArgs(fn, rest, names, fixed, npos, FUNCTIONAL);
}

export const none = (x: unknown): boolean => x === undefined || x === null;

export function int(x: unknown, p: string, fn: string, dflt?: number): number {
  return x === undefined && dflt !== undefined ? dflt : checkInt(x, p, fn);
}

export function optInt(x: unknown, p: string, fn: string): number | null {
  return none(x) ? null : int(x, p, fn);
}

export function num(x: unknown, p: string, fn: string, dflt?: number): number {
  return x === undefined && dflt !== undefined ? dflt : checkNumber(x, p, fn);
}

export function optNum(x: unknown, p: string, fn: string): number | null {
  return none(x) ? null : num(x, p, fn);
}

export function bool(x: unknown, p: string, fn: string, dflt: boolean): boolean {
  return x === undefined ? dflt : checkBool(x, p, fn);
}

export function optBool(x: unknown, p: string, fn: string): boolean | null {
  return none(x) ? null : bool(x, p, fn, false);
}

/** An int or an array of ints (a copy); null/undefined give `dflt`. */
export function ints(x: unknown, p: string, fn: string, dflt?: number | number[]): number | number[] {
  if (none(x) && dflt !== undefined) return dflt;
  if (typeof x === 'number' && Number.isInteger(x)) return x;
  if (Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isInteger(v))) return [...x];
  throw new TypeError(`${fn}(): '${p}' must be an integer or an array of integers, got ${describe(x)}${Array.isArray(x) ? ' with a non-integer element' : ''}`);
}

export function intArray(x: unknown, p: string, fn: string): number[] {
  if (Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isInteger(v))) return [...x];
  throw new TypeError(`${fn}(): '${p}' must be an array of integers, got ${describe(x)}${Array.isArray(x) ? ' with a non-integer element' : ''}`);
}

export function optTid(x: unknown, p: string, fn: string): number | null {
  return none(x) ? null : tid(x, p, fn);
}

export function str<S extends string>(x: unknown, p: string, fn: string, allowed: readonly S[], dflt: S): S {
  if (x === undefined) return dflt;
  if (typeof x !== 'string') throw new TypeError(`${fn}(): '${p}' must be a string (one of ${allowed.map((a) => `'${a}'`).join(', ')}), got ${describe(x)}`);
  if (!allowed.includes(x as S)) throw new RangeError(`${fn}(): '${p}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${x}'`);
  return x as S;
}

export function optDtype(x: unknown, fn: string): number | null {
  if (none(x)) return null;
  if (typeof x === 'string' && isDTypeName(x)) return dtypeCode(x);
  throw new TypeError(`${fn}(): 'dtype' must be a dtype (${DTYPES.join(', ')}), got ${describe(x)}`);
}

/** torch.nn._reduction.get_enum: 'none' 0, 'mean' 1, 'sum' 2 ('elementwise_mean' is a deprecated 'mean'). */
export function reductionEnum(x: unknown, fn: string): number {
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
export function reductionName(x: unknown, fn: string): Reduction {
  if (x === undefined) return 'mean';
  if (typeof x !== 'string') throw new TypeError(`${fn}(): 'reduction' must be 'none', 'mean' or 'sum', got ${describe(x)}`);
  if (x !== 'none' && x !== 'mean' && x !== 'sum') throw new RangeError(`${fn}(): ${x} is not valid (expected 'none', 'mean' or 'sum')`);
  return x;
}

export function checkP(p: number, fn: string): void {
  if (p < 0.0 || p > 1.0) throw new RangeError(`${fn}(): dropout probability has to be between 0 and 1, but got ${p}`);
}

export function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** torch._C._infer_size: the broadcast shape of two shapes (libtorch's error when they do not broadcast). */
export function inferSize(a: readonly number[], b: readonly number[]): number[] {
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
export function free(...ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

/**
 * The result of an operator that may hand back its input unchanged (dropout when not training or
 * with p = 0): then `input` itself, as Python returns the same object, else the new tensor.
 */
export function maybeSame(h: number, input: Tensor): Tensor {
  const r = T(h);
  if (!r.isSameTensor(input)) return r;
  r.dispose();
  return input;
}

/** Runs an in-place operator on `input` and returns `input` itself (as Python returns the same object). */
export function inplace(f: (args: unknown[], discard?: boolean) => unknown, input: Tensor, args: unknown[]): Tensor {
  f(args, true);
  return input;
}
