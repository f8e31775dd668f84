/** Python-style argument handling shared by torch, nn, optim, sigprop and data: one argument binder, one options-object check, the small value checks. */
import { describe } from './errors';

export type Kw = Record<string, unknown>;
export type Scalar = number | boolean;

/** A plain object (`{...}` or Object.create(null)): what counts as an options object (Python's keyword arguments). */
export function isKw(x: unknown): x is Kw {
  if (typeof x !== 'object' || x === null) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

export function isScalar(x: unknown): x is Scalar {
  return typeof x === 'number' || typeof x === 'boolean';
}

// ---- the argument binder -----------------------------------------------------------------------------------------

/**
 * How a family of callers binds its arguments (one module constant each, so the common path
 * allocates nothing for it); what differs between them is the label of their messages, what
 * happens to undefined values, which value is the options object and where it may stand.
 */
export interface BindStyle {
  /** Messages name the caller `fn()` (Python's TypeErrors) when true, `fn` (a class: 'Linear') when false. */
  readonly call: boolean;
  /** An options entry whose value is undefined is ignored (it does not clash with a positional value). */
  readonly skipUndefined: boolean;
  /** Trailing undefined positionals are dropped before binding (optional parameters left out). */
  readonly trimUndefined: boolean;
  /** The options object may stand after any positional; everything after it must be undefined. */
  readonly optionsAnywhere: boolean;
  /** Keys accepted besides the names (nn layers' device and dtype); their values come back after the named ones. */
  readonly extra: readonly string[];
  /** Which trailing value is the options object (default: any plain object). */
  readonly isOptions?: (x: unknown) => boolean;
  /** Text added after the key of an unexpected keyword (the optimizers' camelCase hint). */
  readonly hint?: (key: string, names: readonly string[]) => string;
  /**
   * Set by bindStyle where a call without an options object needs only its positionals copied (the
   * fast path); not enumerable, so a style spread from another (`{ ...PYTHON, ... }`) does not inherit it.
   */
  readonly simple?: boolean;
}

/** A style: PYTHON's rules with the given differences, marked for the fast path where that applies. */
export function bindStyle(diff: Partial<Omit<BindStyle, 'simple'>>): BindStyle {
  const s: BindStyle = { ...PYTHON_RULES, ...diff };
  Object.defineProperty(s, 'simple', { value: !s.optionsAnywhere && !s.trimUndefined && s.isOptions === undefined && s.extra.length === 0 });
  return s;
}

const PYTHON_RULES: BindStyle = { call: true, skipUndefined: false, trimUndefined: false, optionsAnywhere: false, extra: [] };
/** Python's binding of a function's arguments: what torch functions and Tensor methods use. */
export const PYTHON: BindStyle = bindStyle({});

/**
 * Python-style argument binding, the one implementation behind every caller: positional values,
 * then an options object whose keys are parameter names. Returns the values in the order of
 * `names` (then of `style.extra`), undefined where not given. `fixed` counts the leading
 * parameters the caller took itself (for the message about too many positionals); only the first
 * `npos` names may be given positionally (the rest are keyword-only). Unknown keys and values given
 * twice throw TypeError, as in Python.
 */
export function bindArgs(fn: string, args: ArrayLike<unknown>, names: readonly string[], fixed = 0, npos = names.length, style: BindStyle = PYTHON): unknown[] {
  const n = args.length;
  // the common call (a training loop's x.sum(), F.relu(x)): positionals only, kept small enough to inline
  if (style.simple === true && (n === 0 || !isKw(args[n - 1]))) return positionals(fn, args, n, names.length, npos, fixed);
  return bindGeneral(fn, args, names, fixed, npos, style);
}

/** The first n arguments in an array of `width` values (the positional part of every binding). */
function positionals(fn: string, args: ArrayLike<unknown>, n: number, width: number, npos: number, fixed: number): unknown[] {
  if (n > npos) throw tooManyPositionals(fn, npos, fixed, n);
  const out = new Array<unknown>(width);
  for (let i = 0; i < n; i++) out[i] = args[i];
  return out;
}

/** bindArgs with an options object, or in a style without the fast path. */
function bindGeneral(fn: string, args: ArrayLike<unknown>, names: readonly string[], fixed: number, npos: number, style: BindStyle): unknown[] {
  let n = args.length;
  let kw: Kw | undefined;
  if (style.optionsAnywhere) {
    let k = -1;
    for (let i = 0; i < n; i++) {
      if (isKw(args[i])) {
        k = i;
        break;
      }
    }
    if (k >= 0) {
      for (let i = k + 1; i < n; i++) if (args[i] !== undefined) throw new TypeError(`${label(fn, style)}: positional arguments must come before the options object`);
      kw = args[k] as Kw;
      n = Math.min(k, names.length);
    } else {
      // no options object: the value after the named ones is the trailing options parameter
      kw = (args[names.length] ?? {}) as Kw;
      n = Math.min(n, names.length);
    }
  } else {
    if (style.trimUndefined) while (n > 0 && args[n - 1] === undefined) n--;
    if (n > 0 && (style.isOptions === undefined ? isKw(args[n - 1]) : style.isOptions(args[n - 1]))) {
      kw = args[n - 1] as Kw;
      n--;
    }
  }
  const extra = style.extra;
  const out = positionals(fn, args, n, names.length + extra.length, style.optionsAnywhere ? names.length : npos, fixed);
  if (kw === undefined) return out;
  for (const k of Object.keys(kw)) {
    let j = names.indexOf(k);
    if (j < 0) {
      const e = extra.indexOf(k);
      if (e < 0) {
        const hint = style.hint === undefined ? '' : style.hint(k, names);
        throw new TypeError(`${label(fn, style)} got an unexpected keyword argument '${k}'${hint} (accepted: ${[...names, ...extra].join(', ') || 'none'})`);
      }
      j = names.length + e;
    }
    const v = kw[k];
    if (v === undefined && style.skipUndefined) continue;
    if (j < n && args[j] !== undefined) throw new TypeError(`${label(fn, style)} got multiple values for argument '${k}'`);
    out[j] = v;
  }
  return out;
}

function tooManyPositionals(fn: string, npos: number, fixed: number, n: number): TypeError {
  return new TypeError(`${fn}() takes at most ${npos + fixed} positional arguments (${n + fixed} given)`);
}

function label(fn: string, style: { readonly call: boolean }): string {
  return style.call ? `${fn}()` : fn;
}

/** bindArgs with Python's rules: positional values, then a trailing options object with the remaining names. */
export function bind(fn: string, args: ArrayLike<unknown>, names: readonly string[]): unknown[] {
  const n = args.length;
  if (n === 0 || !isKw(args[n - 1])) return positionals(fn, args, n, names.length, names.length, 0);
  return bindGeneral(fn, args, names, 0, names.length, PYTHON);
}

/** The bound values as an object: the names that were given (not undefined), for callers that read them by name. */
export function byName(names: readonly string[], values: readonly unknown[]): Kw {
  const out: Kw = {};
  for (let i = 0; i < names.length; i++) if (values[i] !== undefined) out[names[i]] = values[i];
  return out;
}

// ---- the options-object check ------------------------------------------------------------------------------------

/** How an options-object check reports: the caller's label, what the object must be, and the unknown-key message. */
export interface OptionsStyle {
  /** `fn()` when true, `fn` when false. */
  readonly call: boolean;
  /** The text in `options must be <mustBe>`. */
  readonly mustBe: string;
  /** Which values are options objects (undefined: the caller has checked the value; only its keys are). */
  readonly isObject?: (o: unknown) => boolean;
  /** Unknown keys as Python's "got an unexpected keyword argument 'k'" (true) or as "unknown option 'k'" (false). */
  readonly keyword: boolean;
}

/** torch's style: `fn() got an unexpected keyword argument 'k' (accepted: ...)`; options must be plain objects. */
export const KEYWORD_OPTIONS: OptionsStyle = { call: true, mustBe: 'a plain object', isObject: isKw, keyword: true };
/** torch's style for a value the caller has checked itself (or lets Object.keys reject): only the keys are checked. */
export const KEYWORD_KEYS: OptionsStyle = { call: true, mustBe: '', keyword: true };
/** sigprop/data's style: `fn: unknown option 'k' (accepted: ...)`; options may be any non-array object. */
export const DATA_OPTIONS: OptionsStyle = { call: false, mustBe: 'an object', isObject: (o) => typeof o === 'object' && o !== null && !Array.isArray(o), keyword: false };

/**
 * The one options-object check: `opts` must be an options object (a TypeError otherwise) whose keys
 * are all in `allowed` (null: any key); the first other key throws TypeError. Returns `opts`.
 * Callers decide what a missing object (undefined, null) means before calling.
 */
export function checkOptions<O>(fn: string, opts: O, allowed: readonly string[] | null, style: OptionsStyle = KEYWORD_OPTIONS): O {
  if (style.isObject !== undefined ? !style.isObject(opts) : typeof opts !== 'object' || opts === null) {
    throw new TypeError(`${label(fn, style)}: options must be ${style.mustBe || 'an object'}, got ${describe(opts)}`);
  }
  if (allowed !== null) {
    for (const k of Object.keys(opts as object)) {
      if (allowed.includes(k)) continue;
      if (style.keyword) throw new TypeError(`${fn}() got an unexpected keyword argument '${k}' (accepted: ${allowed.join(', ')})`);
      throw new TypeError(`${fn}: unknown option '${k}' (accepted: ${allowed.join(', ')})`);
    }
  }
  return opts;
}

/** Checks a fixed options object of a torch function: undefined passes through, null is no options; unknown keys throw like Python's unexpected keyword arguments. */
export function checkKeys<O>(fn: string, opts: O, allowed: readonly string[]): O {
  if (opts === undefined) return opts;
  if (opts === null) return {} as O; // null: no options (the callers read keys of the result)
  return checkOptions(fn, opts, allowed);
}

// ---- value checks ------------------------------------------------------------------------------------------------
// Messages read `fn(): 'param' must be ...`; with call = false (nn layers, sigprop/data) `fn: 'param' must be ...`.

function mustBe(x: unknown, param: string, fn: string, what: string, call: boolean): TypeError {
  return new TypeError(`${call ? `${fn}()` : fn}: '${param}' must be ${what}, got ${describe(x)}`);
}

export function checkInt(x: unknown, param: string, fn: string, call = true): number {
  if (typeof x === 'number' && Number.isInteger(x)) return x;
  throw mustBe(x, param, fn, 'an integer', call);
}

/** An integer, or undefined for undefined / null. */
export function optInt(x: unknown, param: string, fn: string): number | undefined {
  return x === undefined || x === null ? undefined : checkInt(x, param, fn);
}

export function checkNumber(x: unknown, param: string, fn: string, call = true): number {
  if (typeof x === 'number') return x;
  throw mustBe(x, param, fn, 'a number', call);
}

export function checkBool(x: unknown, param: string, fn: string, call = true): boolean {
  if (typeof x === 'boolean') return x;
  throw mustBe(x, param, fn, 'a boolean', call);
}

/** A boolean, or `dflt` for undefined / null. */
export function optBool(x: unknown, param: string, fn: string, dflt: boolean): boolean {
  return x === undefined || x === null ? dflt : checkBool(x, param, fn);
}

export function checkScalar(x: unknown, param: string, fn: string): Scalar {
  if (isScalar(x)) return x;
  throw mustBe(x, param, fn, 'a number or boolean', true);
}

/** An integer or an array of integers, as an array (each element checked on its own). */
export function checkDims(x: unknown, param: string, fn: string): number[] {
  if (typeof x === 'number') return [checkInt(x, param, fn)];
  if (Array.isArray(x)) return x.map((v) => checkInt(v, param, fn));
  throw mustBe(x, param, fn, 'an integer or an array of integers', true);
}

/** Sizes given either as varargs (2, 3) or as one array ([2, 3]); a trailing options object is left alone. */
export function sizeArgs(args: ArrayLike<unknown>, fn: string, param = 'size', allowNegOne = false, withOptions = false): { size: number[]; rest: Kw | undefined } {
  let n = args.length;
  let rest: Kw | undefined;
  if (n > 0 && isKw(args[n - 1])) {
    if (!withOptions) throw new TypeError(`${fn}(): '${param}' must be integers, got ${describe(args[n - 1])}`);
    rest = args[n - 1] as Kw;
    n--;
  }
  let list: unknown[];
  if (n === 1 && Array.isArray(args[0])) list = args[0] as unknown[];
  else list = Array.prototype.slice.call(args, 0, n);
  const size: number[] = [];
  let count = 1;
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new TypeError(`${fn}(): '${param}' must be integers, got ${describe(v)}`);
    }
    if (v < 0 && !(allowNegOne && v === -1)) throw new RangeError(`${fn}(): '${param}' must be non-negative, got ${v}`);
    if (v >= 2 ** 63) throw new RangeError(`${fn}(): '${param}' is out of the int64 range, got ${v}`);
    if (v >= 0) count *= v;
    size.push(v);
  }
  if (count >= 2 ** 63) throw new RangeError(`${fn}(): '${param}' [${size.join(', ')}] has ${count.toExponential(3)} elements, more than an int64 element count can hold`);
  for (const v of size) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${fn}(): '${param}' ${v} is larger than 2**53 - 1, the largest integer a JS number holds exactly`);
  }
  return { size, rest };
}

/**
 * A detached ArrayBuffer (transferred to a Worker, structuredClone's transfer) reads as empty: a
 * TypeError instead of an empty tensor. Only an empty buffer can be detached, so others cost nothing.
 */
export function checkNotDetached(buffer: ArrayBufferLike, param: string, fn: string): void {
  if (buffer.byteLength !== 0 || buffer instanceof SharedArrayBuffer) return;
  try {
    new Uint8Array(buffer, 0, 0);
  } catch {
    throw new TypeError(`${fn}(): '${param}' is a detached ArrayBuffer (it was transferred, e.g. by postMessage or structuredClone with transfer)`);
  }
}
