/**
 * Tensor printing, ported from PyTorch 1.13's `torch/_tensor_str.py`.
 *
 * `formatTensor(t)` returns exactly what `repr(t)` prints in PyTorch (dense,
 * strided, real tensors): the `_Formatter` (int mode, scientific mode, widths,
 * nan/inf handling), summarization with `...`, line wrapping of 1-d rows at
 * `linewidth`, indentation of nested rows, and the suffixes (device, dtype,
 * size of empty tensors, grad_fn / requires_grad) with their own wrapping.
 *
 * Python formats numbers with `'{:.Nf}'`, `'{:.Ne}'` and `str()`; JavaScript's
 * `toFixed` / `toExponential` differ (ties round away from zero instead of to
 * even, exponent written `e+0` instead of `e+00`, `toFixed` gives up above
 * 1e21, `-0` loses its sign), so `pyFormatFixed` / `pyFormatExp` below
 * reproduce Python's output exactly, using exact BigInt arithmetic on the
 * binary value of the double where needed.
 */

import type { DType } from './dtype';
import { torchAtLeast } from './version';
import { checkOptions, KEYWORD_KEYS } from './args';
export type { DType };

export interface TensorPrintData {
  shape: number[];
  dtype: DType;
  /** 'cpu', 'cuda:0', ... */
  device: string;
  /** Row-major, numel entries; float16/bfloat16 already widened to numbers; int64 may come as bigint. */
  values: ArrayLike<number> | ArrayLike<bigint> | ArrayLike<boolean>;
  requiresGrad: boolean;
  /** e.g. 'AddBackward0'; when set, grad_fn is printed and requires_grad is not. */
  gradFn: string | null;
}

export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | null;
}

// ---------------------------------------------------------------------------
// Print options (torch.set_printoptions)
// ---------------------------------------------------------------------------

const PRINT_OPTS: PrintOptions = {
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sciMode: null,
};

/**
 * Like `torch.set_printoptions`. As in PyTorch, `sciMode` is always assigned:
 * leaving it out resets it to `null` (automatic).
 */
export function setPrintOptions(
  opts: Partial<PrintOptions> & { profile?: 'default' | 'short' | 'full' },
): void {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`setPrintOptions(): expected an options object, got ${opts === null ? 'null' : typeof opts}`);
  checkOptions('setPrintOptions', opts, PRINT_KEYS, KEYWORD_KEYS);
  // check everything before changing anything, so that a bad call leaves the options as they were
  const precision = opts.precision != null ? checkInt('precision', opts.precision, MAX_PRECISION) : undefined;
  const threshold = opts.threshold != null ? checkCount('threshold', opts.threshold) : undefined;
  const edgeitems = opts.edgeitems != null ? checkInt('edgeitems', opts.edgeitems, Number.MAX_SAFE_INTEGER) : undefined;
  const linewidth = opts.linewidth != null ? checkCount('linewidth', opts.linewidth) : undefined;
  if (opts.sciMode != null && typeof opts.sciMode !== 'boolean') throw new TypeError(`setPrintOptions(): 'sciMode' must be a boolean or null, got ${typeof opts.sciMode} ${String(opts.sciMode)}`);
  const { profile } = opts;
  if (profile !== undefined) {
    if (profile === 'default') {
      PRINT_OPTS.precision = 4;
      PRINT_OPTS.threshold = 1000;
      PRINT_OPTS.edgeitems = 3;
      PRINT_OPTS.linewidth = 80;
    } else if (profile === 'short') {
      PRINT_OPTS.precision = 2;
      PRINT_OPTS.threshold = 1000;
      PRINT_OPTS.edgeitems = 2;
      PRINT_OPTS.linewidth = 80;
    } else if (profile === 'full') {
      PRINT_OPTS.precision = 4;
      PRINT_OPTS.threshold = Infinity;
      PRINT_OPTS.edgeitems = 3;
      PRINT_OPTS.linewidth = 80;
    } else {
      throw new RangeError(`setPrintOptions(): unknown profile '${String(profile)}' (expected 'default', 'short' or 'full')`);
    }
  }
  if (precision !== undefined) PRINT_OPTS.precision = precision;
  if (threshold !== undefined) PRINT_OPTS.threshold = threshold;
  if (edgeitems !== undefined) PRINT_OPTS.edgeitems = edgeitems;
  if (linewidth !== undefined) PRINT_OPTS.linewidth = linewidth;
  PRINT_OPTS.sciMode = opts.sciMode ?? null;
}

/** The most digits after the point a number is printed with (what Number.prototype.toFixed allows). */
const MAX_PRECISION = 100;

const PRINT_KEYS = ['precision', 'threshold', 'edgeitems', 'linewidth', 'sciMode', 'profile'];

function checkInt(name: string, v: unknown, max: number): number {
  if (typeof v !== 'number') throw new TypeError(`setPrintOptions(): '${name}' must be a non-negative integer, got ${typeof v} ${String(v)}`);
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`setPrintOptions(): '${name}' must be a non-negative integer, got ${v}`);
  if (v > max) throw new RangeError(`setPrintOptions(): '${name}' must be at most ${max}, got ${v}`);
  return v;
}

/** threshold / linewidth: a non-negative integer or Infinity (no limit). */
function checkCount(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`setPrintOptions(): '${name}' must be a non-negative integer or Infinity, got ${typeof v} ${String(v)}`);
  if (!(v === Infinity || (Number.isInteger(v) && v >= 0))) throw new RangeError(`setPrintOptions(): '${name}' must be a non-negative integer or Infinity, got ${v}`);
  return v;
}

export function getPrintOptions(): PrintOptions {
  return { ...PRINT_OPTS };
}

// ---------------------------------------------------------------------------
// Python-compatible number formatting
// ---------------------------------------------------------------------------

const f64buf = new Float64Array(1);
const u64buf = new BigUint64Array(f64buf.buffer);

/** |x| = mant * 2^exp exactly, for finite x. */
function decompose(x: number): { neg: boolean; mant: bigint; exp: number } {
  f64buf[0] = x;
  const bits = u64buf[0];
  const neg = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let exp: number;
  if (biased === 0) {
    exp = -1074; // subnormal (or zero)
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  return { neg, mant, exp };
}

/** round(num / den) with ties to even; num >= 0, den > 0. */
function divRoundHalfEven(num: bigint, den: bigint): bigint {
  let q = num / den;
  const r2 = (num - q * den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n;
  return q;
}

const POW10: bigint[] = [];
function pow10(n: number): bigint {
  if (n < 64) {
    let v = POW10[n];
    if (v === undefined) v = POW10[n] = 10n ** BigInt(n);
    return v;
  }
  return 10n ** BigInt(n);
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

function checkPrecision(p: number): void {
  if (!Number.isInteger(p) || p < 0) throw new RangeError(`invalid precision ${p}`);
}

/** Exact digits of round_half_even(|x| * 10^p) for finite x. */
function scaledDigits(mant: bigint, exp: number, p: number): bigint {
  const num = mant * pow10(p);
  if (exp >= 0) return num << BigInt(exp);
  return divRoundHalfEven(num, 1n << BigInt(-exp));
}

/** Python's `'{:.{p}f}'.format(x)` for a float x. */
export function pyFormatFixed(x: number, p: number): string {
  checkPrecision(p);
  if (!Number.isFinite(x)) return nonFinite(x);
  // Fast path: V8's toFixed is exact except that ties round away from zero
  // (Python: to even), it drops the sign of -0 and it only works below 1e21.
  // A tie needs x * 10^p * 2 to be an odd integer, which needs x to have at
  // most p + 1 binary fraction digits; x * 2^(p+1) is computed exactly.
  if (Math.abs(x) < 1e21 && p <= 100 && !Number.isInteger(x * 2 ** (p + 1))) {
    return x.toFixed(p);
  }
  const { neg, mant, exp } = decompose(x);
  let s = scaledDigits(mant, exp, p).toString();
  if (p > 0) {
    if (s.length <= p) s = '0'.repeat(p + 1 - s.length) + s;
    s = s.slice(0, s.length - p) + '.' + s.slice(s.length - p);
  }
  return (neg ? '-' : '') + s;
}

/** Python's `'{:.{p}e}'.format(x)` for a float x. */
export function pyFormatExp(x: number, p: number): string {
  checkPrecision(p);
  if (!Number.isFinite(x)) return nonFinite(x);
  const { neg, mant, exp } = decompose(x);
  let digits: bigint;
  let k: number; // decimal exponent
  if (mant === 0n) {
    digits = 0n;
    k = 0;
  } else {
    const lo = pow10(p);
    const hi = lo * 10n;
    k = Math.floor(Math.log10(Math.abs(x)));
    for (;;) {
      // digits = round_half_even(|x| * 10^(p - k)), exactly
      let num = mant;
      let den = 1n;
      if (exp >= 0) num <<= BigInt(exp);
      else den <<= BigInt(-exp);
      const s = p - k;
      if (s >= 0) num *= pow10(s);
      else den *= pow10(-s);
      digits = divRoundHalfEven(num, den);
      if (digits >= hi) k += 1;
      else if (digits < lo) k -= 1;
      else break;
    }
  }
  let ds = digits.toString();
  if (ds.length < p + 1) ds = '0'.repeat(p + 1 - ds.length) + ds; // only for zero
  const m = p > 0 ? ds[0] + '.' + ds.slice(1) : ds;
  const ek = Math.abs(k);
  return (neg ? '-' : '') + m + 'e' + (k < 0 ? '-' : '+') + (ek < 10 ? '0' : '') + ek;
}

/** Python's `str(v)` / `'{}'.format(v)` for an int or bool element. */
export function pyStr(v: number | bigint | boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (Number.isInteger(v)) return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  return String(v);
}

/** Python's `str(tuple)` for a tuple of ints: `(0, 3)`, `(2,)`, `()`. */
export function pyTuple(xs: readonly number[]): string {
  if (xs.length === 1) return `(${xs[0]},)`;
  return `(${xs.join(', ')})`;
}

// ---------------------------------------------------------------------------
// _Formatter
// ---------------------------------------------------------------------------

type Elem = number | bigint | boolean;

const FLOATING: ReadonlySet<DType> = new Set<DType>(['float32', 'float64', 'float16', 'bfloat16']);

function padStart(s: string, width: number): string {
  return width > s.length ? ' '.repeat(width - s.length) + s : s;
}

/** torch/_tensor_str.py's _Formatter: PyTorch 2.x decides sci_mode before the widths, 1.13 after. */
const SCI_MODE_FIRST = torchAtLeast(2);

class Formatter {
  readonly floating: boolean;
  intMode = true;
  sciMode = false;
  maxWidth = 1;
  private readonly precision: number;

  /** `vals`: the (summarized) elements, as `tensor.reshape(-1)` would iterate them. */
  constructor(vals: Elem[], floating: boolean, opts: PrintOptions) {
    this.floating = floating;
    this.precision = opts.precision;
    if (!floating) {
      for (const v of vals) this.maxWidth = Math.max(this.maxWidth, pyStr(v).length);
      if (opts.sciMode !== null) this.sciMode = opts.sciMode; // unused for ints
      return;
    }
    const nz: number[] = [];
    for (const v of vals) {
      const x = Number(v);
      if (Number.isFinite(x) && x !== 0) nz.push(x);
    }
    if (nz.length === 0) return; // "no valid number, do nothing" (sci_mode option ignored too)

    let min = Infinity;
    let max = 0;
    for (const x of nz) {
      const a = Math.abs(x);
      if (a < min) min = a;
      if (a > max) max = a;
    }
    for (const x of nz) {
      if (x !== Math.ceil(x)) {
        this.intMode = false;
        break;
      }
    }
    const p = opts.precision;
    if (SCI_MODE_FIRST) {
      // PyTorch 2.x: the sci_mode option (or the rule) is settled first and the widths follow it
      this.sciMode = opts.sciMode ?? (max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4);
      if (this.sciMode) for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatExp(x, p).length);
      else if (this.intMode) for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatFixed(x, 0).length + 1);
      else for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatFixed(x, p).length);
      return;
    }
    // PyTorch 1.13: widths by the rule, then the sci_mode option overrides the mode (not the widths)
    if (this.intMode) {
      // all numbers are integers; a '.' is appended to show the floating type
      if (max / min > 1000.0 || max > 1.0e8) {
        this.sciMode = true;
        for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatExp(x, p).length);
      } else {
        for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatFixed(x, 0).length + 1);
      }
    } else if (max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4) {
      this.sciMode = true;
      for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatExp(x, p).length);
    } else {
      for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatFixed(x, p).length);
    }
    if (opts.sciMode !== null) this.sciMode = opts.sciMode;
  }

  width(): number {
    return this.maxWidth;
  }

  format(v: Elem): string {
    let ret: string;
    if (this.floating) {
      const x = Number(v);
      if (this.sciMode) {
        ret = pyFormatExp(x, this.precision);
      } else if (this.intMode) {
        ret = pyFormatFixed(x, 0);
        if (Number.isFinite(x)) ret += '.';
      } else {
        ret = pyFormatFixed(x, this.precision);
      }
    } else {
      ret = pyStr(v);
    }
    return padStart(ret, this.maxWidth);
  }
}

// ---------------------------------------------------------------------------
// Tensor layout
// ---------------------------------------------------------------------------

interface View {
  get(i: number): Elem;
  shape: readonly number[];
  strides: readonly number[];
}

/**
 * Indices along a dimension of size n that are shown: [head, tail], where tail
 * is null when nothing is elided. Mirrors `self[:edgeitems]` / `self[-edgeitems:]`
 * (note `self[-0:]` is the whole dimension in Python).
 */
function pick(n: number, summarize: boolean, edge: number, oneD: boolean): [number[], number[] | null] {
  const range = (a: number, b: number): number[] => {
    const r: number[] = [];
    for (let i = a; i < b; i++) r.push(i);
    return r;
  };
  if (summarize && n > 2 * edge) {
    // 1-d slices with self[-edgeitems:], n-d rows with range(len - edgeitems, len)
    const tailStart = oneD && edge === 0 ? 0 : n - edge;
    return [range(0, edge), range(tailStart, n)];
  }
  return [range(0, n), null];
}

/** Elements of get_summarized_data(self) (or of self), in row-major order. */
function collect(v: View, dim: number, offset: number, summarize: boolean, edge: number, out: Elem[]): void {
  const nd = v.shape.length;
  if (nd === 0) {
    out.push(v.get(0));
    return;
  }
  const [head, tail] = pick(v.shape[dim], summarize, edge, dim === nd - 1);
  const idx = tail ? head.concat(tail) : head;
  const stride = v.strides[dim];
  for (const i of idx) {
    if (dim === nd - 1) out.push(v.get(offset + i * stride));
    else collect(v, dim + 1, offset + i * stride, summarize, edge, out);
  }
}

function vectorStr(
  v: View,
  dim: number,
  offset: number,
  indent: number,
  summarize: boolean,
  fmt: Formatter,
  opts: PrintOptions,
): string {
  // length includes spaces and comma between elements
  const elementLength = fmt.width() + 2;
  const elementsPerLine = Math.max(1, Math.floor((opts.linewidth - indent) / elementLength));
  const [head, tail] = pick(v.shape[dim], summarize, opts.edgeitems, true);
  const stride = v.strides[dim];
  const data: string[] = head.map((i) => fmt.format(v.get(offset + i * stride)));
  if (tail) {
    data.push(' ...');
    for (const i of tail) data.push(fmt.format(v.get(offset + i * stride)));
  }
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += elementsPerLine) {
    lines.push(data.slice(i, i + elementsPerLine).join(', '));
  }
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function tensorStrWithFormatter(
  v: View,
  dim: number,
  offset: number,
  indent: number,
  summarize: boolean,
  fmt: Formatter,
  opts: PrintOptions,
): string {
  const rank = v.shape.length - dim;
  if (rank === 0) return fmt.format(v.get(offset));
  if (rank === 1) return vectorStr(v, dim, offset, indent, summarize, fmt, opts);

  const [head, tail] = pick(v.shape[dim], summarize, opts.edgeitems, false);
  const stride = v.strides[dim];
  const sub = (i: number): string =>
    tensorStrWithFormatter(v, dim + 1, offset + i * stride, indent + 1, summarize, fmt, opts);
  const slices = head.map(sub);
  if (tail) {
    slices.push('...');
    for (const i of tail) slices.push(sub(i));
  }
  return '[' + slices.join(',' + '\n'.repeat(rank - 1) + ' '.repeat(indent + 1)) + ']';
}

function tensorStr(t: TensorPrintData, numel: number, indent: number, opts: PrintOptions): string {
  if (numel === 0) return '[]';
  const summarize = numel > opts.threshold;
  const shape = t.shape;
  const strides: number[] = new Array(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  const values = t.values as ArrayLike<Elem>;
  const floating = FLOATING.has(t.dtype);
  const isBool = t.dtype === 'bool';
  const get = isBool
    ? (i: number): Elem => Boolean(values[i])
    : floating
      ? (i: number): Elem => Number(values[i])
      : (i: number): Elem => values[i];
  const view: View = { get, shape, strides };
  const summarized: Elem[] = [];
  collect(view, 0, 0, summarize, opts.edgeitems, summarized);
  const fmt = new Formatter(summarized, floating, opts);
  return tensorStrWithFormatter(view, 0, 0, indent, summarize, fmt, opts);
}

function addSuffixes(tensorStr: string, suffixes: string[], indent: number, forceNewline: boolean, linewidth: number): string {
  const parts = [tensorStr];
  // (sic) as in PyTorch: len - rfind('\n') + 1, where rfind gives -1 when absent
  let lastLineLen = tensorStr.length - tensorStr.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    const suffixLen = suffix.length;
    if (forceNewline || lastLineLen + suffixLen + 2 > linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + suffixLen;
      forceNewline = false;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += suffixLen + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/** `repr(tensor)` as PyTorch 1.13 prints it, under the current print options. */
export function formatTensor(t: TensorPrintData): string {
  const opts = PRINT_OPTS;
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];

  let numel = 1;
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`formatTensor: bad shape [${t.shape.join(', ')}]`);
    numel *= d;
  }
  if (t.values.length < numel) {
    throw new RangeError(`formatTensor: ${t.values.length} values for shape [${t.shape.join(', ')}]`);
  }

  // Only the default device ('cpu') goes unprinted.
  if (t.device !== 'cpu') suffixes.push(`device='${t.device}'`);

  const dtypeStr = `dtype=torch.${t.dtype}`;
  // float32 is the default dtype; int64 and bool are "default" for their kinds
  const hasDefaultDtype = t.dtype === 'float32' || t.dtype === 'int64' || t.dtype === 'bool';
  let body: string;
  if (numel === 0) {
    // Explicitly print the shape if it is not (0,), to match NumPy behavior
    if (t.shape.length !== 1) suffixes.push('size=' + pyTuple(t.shape));
    // an empty tensor shows every dtype but the default one
    if (t.dtype !== 'float32') suffixes.push(dtypeStr);
    body = '[]';
  } else {
    if (!hasDefaultDtype) suffixes.push(dtypeStr);
    body = tensorStr(t, numel, indent, opts);
  }

  if (t.gradFn != null) suffixes.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');

  return addSuffixes(prefix + body, suffixes, indent, false, opts.linewidth);
}
