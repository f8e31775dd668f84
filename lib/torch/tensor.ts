/**
 * The Tensor class: a thin JS handle over a libtorch tensor. Methods follow PyTorch's names in
 * camelCase, PyTorch's positional arguments, and a trailing options object for keyword arguments
 * (`x.sum(1, { keepdim: true })`, `x.add(y, { alpha: 2 })`).
 */
import { N, A } from './native';
import type { Handle, NativeValue } from './native-api';
import { describe, DisposedTensorError, disposedMessage } from './errors';
import { Binary as B, Unary as U, IndexKind as IK } from './codes';
import { DType, DTypeLike, Device, DTYPES, dtypeCode, dtypeFromCode, optDtypeCode, toDevice, toDType, isDTypeName, isFloatingPoint, elementSize } from './dtype';
import { track, trackUnscoped, disposeOne, TENSOR_BRAND, Owned } from './memory';
import { formatTensor } from './format';
import type { Generator } from './random';
import { isKw, bind, checkKeys, checkInt, optInt, checkDims, optBool, checkScalar, sizeArgs } from './args';
import type { Kw, Scalar } from './args';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type { Scalar } from './args';
export { isKw, bind, checkKeys, isScalar, optBool, sizeArgs } from './args';
export type Dims = number | number[];
export type TensorOrScalar = Tensor | Scalar;
export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;
export type NestedArray<T> = T | NestedArray<T>[];
/** [values, indices] that can also be read as `.values` / `.indices`, like PyTorch's named tuples. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

// ---- operator handles --------------------------------------------------------------------------------
/** A dispatcher call: positional arguments in the schema's order; R is what the schema returns (a tensor handle by default). */
export type OpFn<R extends NativeValue = Handle> = (args: readonly unknown[], discard?: boolean) => R;
/**
 * A lazily resolved ATen operator, called through libtorch's boxed dispatcher. R names the
 * schema's result as JS receives it (Handle for a Tensor, Handle[] for Tensor[] or a tuple of
 * tensors, boolean, number): the one place where the native call's result is given its type.
 */
export function op<R extends NativeValue = Handle>(name: string, overload = ''): OpFn<R> {
  let h = -1;
  return (args, discard) => {
    if (h < 0) h = N.opHandle('aten::' + name, overload);
    return N.call(h, args, discard) as R;
  };
}

// ---- argument helpers ----------------------------------------------------------------------------------
export function tid(x: unknown, param: string, fn: string): number {
  if (x instanceof Tensor) {
    if (x._id < 0) throw new DisposedTensorError(`${fn}(): ${disposedMessage(param)}`);
    return x._id;
  }
  throw new TypeError(`${fn}(): '${param}' must be a Tensor, got ${describe(x)}`);
}

function optTid(x: unknown, param: string, fn: string): number | undefined {
  return x === undefined || x === null ? undefined : tid(x, param, fn);
}

// ---- results ------------------------------------------------------------------------------------------------
export function T(h: number): Tensor {
  return new Tensor(h);
}
export function TT(hs: number[]): Tensor[] {
  return hs.map((h) => new Tensor(h));
}
function VI(hs: number[]): ValuesIndices {
  const values = new Tensor(hs[0]);
  const indices = new Tensor(hs[1]);
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

// ---- indexing -------------------------------------------------------------------------------------------------
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

function encodeIndex(items: IndexItem[], temps: Tensor[]): [number[], unknown[]] {
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

// ---- creation from JS data --------------------------------------------------------------------------------------
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

// ---- ops ----------------------------------------------------------------------------------------------------------
const O = {
  add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), sub: op('sub', 'Tensor'), sub_: op('sub_', 'Tensor'),
  divMode: op('div', 'Tensor_mode'), divMode_: op('div_', 'Tensor_mode'),
  sumAll: op('sum'), sumDim: op('sum', 'dim_IntList'), meanAll: op('mean'), meanDim: op('mean', 'dim'),
  prodAll: op('prod'), prodDim: op('prod', 'dim_int'),
  stdAll: op('std'), stdDim: op('std', 'dim'), varAll: op('var'), varDim: op('var', 'dim'),
  stdCorrection: op('std', 'correction'), varCorrection: op('var', 'correction'),
  bitwiseNot: op('bitwise_not'), bitwiseAnd: op('bitwise_and', 'Tensor'), bitwiseOr: op('bitwise_or', 'Tensor'), bitwiseXor: op('bitwise_xor', 'Tensor'),
  maxDim: op<Handle[]>('max', 'dim'), minDim: op<Handle[]>('min', 'dim'), amax: op('amax'), amin: op('amin'),
  argmax: op('argmax'), argmin: op('argmin'), topk: op<Handle[]>('topk'), sort: op<Handle[]>('sort'), sortStable: op<Handle[]>('sort', 'stable'), argsort: op('argsort'),
  cumsum: op('cumsum'), cumprod: op('cumprod'), logsumexp: op('logsumexp'),
  normS: op('norm', 'Scalar'), normDim: op('norm', 'ScalarOpt_dim'),
  anyDim: op('any', 'dim'), allDim: op('all', 'dim'),
  clamp: op('clamp'), clampT: op('clamp', 'Tensor'), clamp_: op('clamp_'), clampT_: op('clamp_', 'Tensor'),
  roundDec: op('round', 'decimals'), roundDec_: op('round_', 'decimals'),
  softmax: op('softmax', 'int'), logSoftmax: op('log_softmax', 'int'),
  leakyRelu: op('leaky_relu'), leakyRelu_: op('leaky_relu_'), gelu: op('gelu'), elu: op('elu'), hardtanh: op('hardtanh'),
  oneHot: op('one_hot'),
  view: op('view'), viewDtype: op('view', 'dtype'), reshape: op('reshape'), flatten: op('flatten', 'using_ints'), unflatten: op('unflatten', 'int'),
  permute: op('permute'), transpose: op('transpose', 'int'), unsqueeze: op('unsqueeze'), squeeze: op('squeeze'), squeezeDim: op('squeeze', 'dim'),
  expand: op('expand'), expandAs: op('expand_as'), repeat: op('repeat'), narrow: op('narrow'), select: op('select', 'int'),
  split: op<Handle[]>('split', 'Tensor'), splitSizes: op<Handle[]>('split_with_sizes'), chunk: op<Handle[]>('chunk'), unbind: op<Handle[]>('unbind', 'int'),
  flip: op('flip'), roll: op('roll'), asStrided: op('as_strided'),
  newEmpty: op('new_empty'), newZeros: op('new_zeros'), newOnes: op('new_ones'), newFull: op('new_full'), tril: op('tril'), triu: op('triu'), viewAs: op('view_as'), reshapeAs: op('reshape_as'),
  gather: op('gather'), scatterSrc: op('scatter', 'src'), scatterVal: op('scatter', 'value'), scatterReduce: op('scatter', 'reduce'), scatterValReduce: op('scatter', 'value_reduce'),
  scatterSrc_: op('scatter_', 'src'), scatterVal_: op('scatter_', 'value'), scatterReduce_: op('scatter_', 'reduce'), scatterValReduce_: op('scatter_', 'value_reduce'),
  scatterAdd: op('scatter_add'), scatterAdd_: op('scatter_add_'),
  indexSelect: op('index_select'), maskedFillS: op('masked_fill', 'Scalar'), maskedFillT: op('masked_fill', 'Tensor'),
  maskedFillS_: op('masked_fill_', 'Scalar'), maskedFillT_: op('masked_fill_', 'Tensor'), maskedSelect: op('masked_select'),
  nonzero: op('nonzero'), whereSelf: op('where', 'self'), whereCond: op<Handle[]>('where'),
  whereScalarOther: op('where', 'ScalarOther'), whereScalarSelf: op('where', 'ScalarSelf'), whereScalar: op('where', 'Scalar'),
  fillT_: op('fill_', 'Tensor'), copy_: op('copy_'), uniform_: op('uniform_'), normal_: op('normal_'), bernoulli_: op('bernoulli_', 'float'),
  addcmul: op('addcmul'), addcmul_: op('addcmul_'), addcdiv: op('addcdiv'), addcdiv_: op('addcdiv_'),
  lerpS_: op('lerp_', 'Scalar'), lerpT_: op('lerp_', 'Tensor'), lerpS: op('lerp', 'Scalar'), lerpT: op('lerp', 'Tensor'),
  dot: op('dot'), equal: op<boolean>('equal'), allclose: op<boolean>('allclose'), isclose: op('isclose'),
  clone: op('clone'), contiguous: op('contiguous'), resultType: op<number>('result_type', 'Tensor'), resultTypeST: op<number>('result_type', 'Scalar_Tensor'),
  scalarTensor: op('scalar_tensor'),
};

/**
 * Calls fn with the handle of a tensor operand; a number operand becomes a 0-d "wrapped number"
 * tensor, as Python passes it to add/sub/mul/div (same autograd nodes, same type promotion).
 */
function withOperand<R>(other: unknown, fn: string, f: (handle: number) => R): R {
  if (other instanceof Tensor) return f(other._id);
  const w: number = N.wrapScalar(checkScalar(other, 'other', fn));
  try {
    return f(w);
  } finally {
    N.free(w);
  }
}

const ALPHA = ['alpha'], ROUNDING = ['roundingMode'], DECIMALS = ['decimals'], VALUE = ['value'];

// Hot paths: arguments go through the shared buffer A, results come back as slot numbers.
function binary(self: Tensor, code: number, other: unknown, fn: string): Tensor {
  if (other instanceof Tensor) {
    A[0] = code; A[1] = self._id; A[2] = other._id;
    return new Tensor(N.fbin());
  }
  if (typeof other === 'number') {
    A[0] = code; A[1] = self._id; A[2] = other;
    return new Tensor(N.fbinS());
  }
  if (typeof other === 'boolean') return T(N.binS(code, self._id, other));
  throw new TypeError(`${fn}(): 'other' must be a Tensor or a number, got ${describe(other)}`);
}

function binaryInplace(self: Tensor, code: number, other: unknown, fn: string): Tensor {
  if (other instanceof Tensor) {
    A[0] = code; A[1] = self._id; A[2] = other._id;
    N.fbinI();
  } else if (typeof other === 'number') {
    A[0] = code; A[1] = self._id; A[2] = other;
    N.fbinSI();
  } else if (typeof other === 'boolean') N.binSI(code, self._id, other);
  else throw new TypeError(`${fn}(): 'other' must be a Tensor or a number, got ${describe(other)}`);
  return self;
}

function tensorOnly(self: Tensor, code: number, other: unknown, fn: string): Tensor {
  A[0] = code; A[1] = self._id; A[2] = tid(other, 'other', fn);
  return new Tensor(N.fbin());
}

function unary(self: Tensor, code: number): Tensor {
  A[0] = code; A[1] = self._id;
  return new Tensor(N.fun());
}

/** A new handle to a detached alias of t, owned by nobody yet (for nn.Parameter). Internal. */
export function detachedHandle(t: Tensor): number {
  A[0] = U.detach; A[1] = tid(t, 'data', 'Parameter');
  return N.fun();
}

function unaryInplace<S extends Tensor>(self: S, code: number): S {
  A[0] = code; A[1] = self._id;
  N.funI();
  return self;
}

// ---- the Tensor class ---------------------------------------------------------------------------------------------
export class Tensor implements Owned {
  /** Native handle; -1 once disposed. Internal. */
  _id: number;
  /** Set by torch.keep(): no scope frees this tensor. Internal. */
  _kept: boolean;
  /** GC backstop state (memory.ts). Internal. */
  _reg: number;
  /** Cached wrapper of .grad, owned by this tensor. Internal. */
  _grad: Tensor | null;

  /** Internal: tensors are made by torch functions (torch.tensor, torch.zeros, ...), not with `new`. */
  constructor(handle: number, scoped = true) {
    if (typeof handle !== 'number') throw new TypeError(`Tensor: create tensors with torch.tensor(data) or torch.zeros(...), not new Tensor(${describe(handle)})`);
    this._id = handle;
    this._kept = false;
    this._reg = 0;
    this._grad = null;
    if (scoped) track(this);
    else trackUnscoped(this);
  }

  // ---- lifetime ----
  /** Frees the libtorch tensor now. Idempotent; using the tensor afterwards throws. */
  dispose(): void {
    disposeOne(this);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  get isDisposed(): boolean {
    return this._id < 0;
  }

  // ---- metadata ----
  get shape(): number[] { return N.shape(this._id); }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    const s: number[] = N.shape(this._id);
    if (dim === undefined) return s;
    checkInt(dim, 'dim', 'size');
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`size(): dimension out of range (expected to be in range of [${-s.length}, ${s.length - 1}], but got ${dim})`);
    return s[d];
  }
  get dtype(): DType { return dtypeFromCode(N.dtype(this._id)); }
  get device(): Device { return N.device(this._id); }
  get isCuda(): boolean { return (N.device(this._id) as string).startsWith('cuda'); }
  get ndim(): number { return N.dim(this._id); }
  dim(): number { return N.dim(this._id); }
  numel(): number { return N.numel(this._id); }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    const s: number[] = N.stride(this._id);
    if (dim === undefined) return s;
    checkInt(dim, 'dim', 'stride');
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`stride(): dimension out of range (expected to be in range of [${-s.length}, ${s.length - 1}], but got ${dim})`);
    return s[d];
  }
  isContiguous(): boolean { return N.isContiguous(this._id); }
  storageOffset(): number { return N.storageOffset(this._id); }
  elementSize(): number { return elementSize(this.dtype); }
  isFloatingPoint(): boolean { return isFloatingPoint(this.dtype); }
  /** True when both handles refer to the same libtorch tensor (Python's `a is b` for tensors). */
  isSameTensor(other: Tensor): boolean { return N.sameTensor(this._id, tid(other, 'other', 'isSameTensor')); }
  /** True when both tensors share storage (one is a view of the other, or both of a third). */
  isSetTo(other: Tensor): boolean { return N.sameStorage(this._id, tid(other, 'other', 'isSetTo')); }

  // ---- reading ----
  /** The value of a one-element tensor as a JS number (boolean for bool tensors). */
  item(): number | boolean { return N.item(this._id); }
  /** A copy of the data as a typed array (row-major). float16/bfloat16 widen to Float32Array; bool is Uint8Array. */
  toTypedArray(): TypedArray {
    const dt = this.dtype;
    const ab: ArrayBuffer = N.toBuffer(this._id);
    switch (dt) {
      case 'float32': case 'float16': case 'bfloat16': return new Float32Array(ab);
      case 'float64': return new Float64Array(ab);
      case 'int64': return new BigInt64Array(ab);
      case 'int32': return new Int32Array(ab);
      case 'int16': return new Int16Array(ab);
      case 'int8': return new Int8Array(ab);
      default: return new Uint8Array(ab);
    }
  }
  /**
   * The raw bytes of the data (row-major, in this tensor's own dtype, little-endian), like
   * `t.numpy().tobytes()`; the inverse is `torch.frombuffer(bytes, { dtype }).view(shape)`.
   */
  toBuffer(): Uint8Array { return new Uint8Array(N.toBuffer(this._id, true)); }
  /** Nested JS arrays like Python's tolist(); int64 values become numbers, bool values booleans. */
  tolist(): any {
    const shape = this.shape;
    const dt = this.dtype;
    const data = this.toTypedArray();
    const at = (i: number): number | boolean => (dt === 'bool' ? data[i] !== 0 : Number(data[i]));
    if (shape.length === 0) return at(0);
    let k = 0;
    const build = (d: number): unknown[] => {
      const out = new Array(shape[d]);
      for (let i = 0; i < shape[d]; i++) out[i] = d === shape.length - 1 ? at(k++) : build(d + 1);
      return out;
    };
    return build(0);
  }
  /** PyTorch's repr: `tensor([1., 2.], requires_grad=True)`. */
  toString(): string {
    if (this._id < 0) return 'tensor(<disposed>)';
    const dt = this.dtype;
    const data = this.toTypedArray();
    const values = dt === 'bool' ? Array.from(data as Uint8Array, (x) => x !== 0) : (data as ArrayLike<number> | ArrayLike<bigint>);
    return formatTensor({ shape: this.shape, dtype: dt, device: this.device, values, requiresGrad: this.requiresGrad, gradFn: this.gradFn });
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- conversion ----
  /**
   * `to(device)`, `to(dtype)`, `to(device, dtype)`, `to(other)` (other's device and dtype), with
   * options { dtype, device, nonBlocking, copy }.
   */
  to(...args: unknown[]): Tensor {
    let kw: Kw = {};
    if (args.length && isKw(args[args.length - 1])) kw = args.pop() as Kw;
    for (const k of Object.keys(kw)) if (!['dtype', 'device', 'nonBlocking', 'copy'].includes(k)) throw new TypeError(`to() got an unexpected keyword argument '${k}'`);
    let device: Device | undefined = kw.device === undefined ? undefined : toDevice(kw.device);
    let dtype: DType | undefined = kw.dtype === undefined ? undefined : toDType(kw.dtype);
    for (const a of args) {
      if (a instanceof Tensor) {
        device = a.device;
        dtype = a.dtype;
      } else if (typeof a === 'string' && /^(cpu|cuda)(:\d+)?$/.test(a)) {
        device = toDevice(a);
      } else if (typeof a === 'string' && isDTypeName(a)) {
        dtype = toDType(a, 'dtype');
      } else {
        throw new TypeError(`to(): expected a device ('cpu', 'cuda', 'cuda:N'), a dtype (${DTYPES.join(', ')}) or a Tensor, got ${describe(a)}`);
      }
    }
    return T(N.to(this._id, device ?? null, dtype === undefined ? null : dtypeCode(dtype), optBool(kw.nonBlocking, 'nonBlocking', 'to', false), optBool(kw.copy, 'copy', 'to', false)));
  }
  cpu(): Tensor { return this.to('cpu'); }
  cuda(device: number | Device = 'cuda'): Tensor {
    if (typeof device === 'number' && !(Number.isInteger(device) && device >= 0)) throw new TypeError(`cuda(): 'device' must be a device index or 'cuda:N', got ${describe(device)}`);
    return this.to(toDevice(typeof device === 'number' ? `cuda:${device}` : device, 'device'));
  }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  half(): Tensor { return this.to('float16'); }
  bfloat16(): Tensor { return this.to('bfloat16'); }
  long(): Tensor { return this.to('int64'); }
  int(): Tensor { return this.to('int32'); }
  short(): Tensor { return this.to('int16'); }
  char(): Tensor { return this.to('int8'); }
  byte(): Tensor { return this.to('uint8'); }
  bool(): Tensor { return this.to('bool'); }
  typeAs(other: Tensor): Tensor {
    tid(other, 'other', 'typeAs');
    return this.to(other.dtype);
  }
  clone(): Tensor { return unary(this, U.clone); }
  detach(): Tensor { return unary(this, U.detach); }
  detach_(): this { return unaryInplace(this, U.detach_); }
  /** newEmpty(size, { dtype, device, requiresGrad }): an uninitialized tensor with this tensor's dtype and device by default. */
  newEmpty(size: number[], opts?: NewOptions): Tensor { return newLike(this, O.newEmpty, 'newEmpty', size, undefined, opts); }
  newZeros(size: number[], opts?: NewOptions): Tensor { return newLike(this, O.newZeros, 'newZeros', size, undefined, opts); }
  newOnes(size: number[], opts?: NewOptions): Tensor { return newLike(this, O.newOnes, 'newOnes', size, undefined, opts); }
  newFull(size: number[], fillValue: Scalar, opts?: NewOptions): Tensor { return newLike(this, O.newFull, 'newFull', size, checkScalar(fillValue, 'fillValue', 'newFull'), opts); }
  /** Python's `t.data`: a detached tensor sharing storage. */
  get data(): Tensor { return unary(this, U.detach); }
  /** Python's `t.data = other`: this tensor now uses other's data (same object, same autograd flags). */
  set data(other: Tensor) { N.setData(this._id, tid(other, 'data', 'data')); }
  contiguous(): Tensor { return unary(this, U.contiguous); }

  // ---- autograd ----
  get requiresGrad(): boolean { return N.requiresGrad(this._id); }
  set requiresGrad(v: boolean) { N.requiresGrad_(this._id, optBool(v, 'requiresGrad', 'requiresGrad', true)); }
  requiresGrad_(requiresGrad = true): this {
    N.requiresGrad_(this._id, optBool(requiresGrad, 'requiresGrad', 'requiresGrad_', true));
    return this;
  }
  get isLeaf(): boolean { return N.isLeaf(this._id); }
  /** Name of the autograd node that made this tensor ('AddBackward0'), or null for leaves. */
  get gradFn(): string | null { return N.gradFn(this._id); }
  /**
   * The accumulated gradient, or null. The returned tensor is owned by this tensor (no scope frees
   * it; it is freed with this tensor) and is the same object while the gradient stays the same.
   */
  get grad(): Tensor | null {
    const cached = this._grad;
    const r = N.grad(this._id, cached === null ? null : cached._id);
    if (r === -1) return cached;
    if (cached !== null) cached.dispose();
    if (r === null) {
      this._grad = null;
      return null;
    }
    const g = new Tensor(r, false);
    this._grad = g;
    return g;
  }
  set grad(g: Tensor | null) {
    if (g !== null && g !== undefined) tid(g, 'grad', 'grad');
    N.setGrad(this._id, g == null ? null : g._id);
    if (this._grad !== null && this._grad !== g) this._grad.dispose();
    this._grad = null;
  }
  retainGrad(): void { N.retainGrad(this._id); }
  get retainsGrad(): boolean { return N.retainsGrad(this._id); }
  /** backward(gradient?, { retainGraph, createGraph, inputs }) */
  backward(...args: unknown[]): void {
    const [gradient, retainGraph, createGraph, inputs] = bind('backward', args, ['gradient', 'retainGraph', 'createGraph', 'inputs']);
    let ins: number[] | undefined;
    if (inputs instanceof Tensor) ins = [tid(inputs, 'inputs', 'backward')];
    else if (Array.isArray(inputs)) ins = inputs.map((x) => tid(x, 'inputs', 'backward'));
    else if (inputs !== undefined && inputs !== null) throw new TypeError(`backward(): 'inputs' must be a Tensor or an array of Tensors, got ${describe(inputs)}`);
    N.backward(this._id, optTid(gradient, 'gradient', 'backward') ?? null,
      retainGraph === undefined || retainGraph === null ? undefined : optBool(retainGraph, 'retainGraph', 'backward', false),
      optBool(createGraph, 'createGraph', 'backward', false), ins);
  }

  // ---- arithmetic ----
  add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    if (opts === undefined || checkKeys('add', opts, ALPHA).alpha === undefined) return binary(this, B.add, other, 'add');
    const alpha = checkScalar(opts.alpha, 'alpha', 'add');
    return withOperand(other, 'add', (o) => T(O.add([this._id, o, alpha])));
  }
  sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
    if (opts === undefined || checkKeys('sub', opts, ALPHA).alpha === undefined) return binary(this, B.sub, other, 'sub');
    const alpha = checkScalar(opts.alpha, 'alpha', 'sub');
    return withOperand(other, 'sub', (o) => T(O.sub([this._id, o, alpha])));
  }
  mul(other: TensorOrScalar): Tensor { return binary(this, B.mul, other, 'mul'); }
  div(other: TensorOrScalar, opts?: { roundingMode?: 'trunc' | 'floor' | null }): Tensor {
    if (opts === undefined || checkKeys('div', opts, ROUNDING).roundingMode === undefined || opts.roundingMode === null) return binary(this, B.div, other, 'div');
    const mode = opts.roundingMode;
    return withOperand(other, 'div', (o) => T(O.divMode([this._id, o, mode])));
  }
  /** other - this (Python's `other - t` for a scalar other). */
  rsub(other: TensorOrScalar): Tensor { return other instanceof Tensor ? other.sub(this) : T(N.binS(B.rsub, this._id, checkScalar(other, 'other', 'rsub'))); }
  /** other / this. */
  rdiv(other: TensorOrScalar): Tensor { return other instanceof Tensor ? other.div(this) : T(N.binS(B.rdiv, this._id, checkScalar(other, 'other', 'rdiv'))); }
  pow(exponent: TensorOrScalar): Tensor { return binary(this, B.pow, exponent, 'pow'); }
  /** base ** this, as Python's `__rpow__`: the base becomes a tensor of the promoted dtype on this device. */
  rpow(base: Scalar): Tensor {
    const b = checkScalar(base, 'base', 'rpow');
    const dt = dtypeFromCode(O.resultTypeST([b, this._id]));
    return torch_full_like_scalar(b, dt, this.device).pow(this);
  }
  remainder(other: TensorOrScalar): Tensor { return binary(this, B.remainder, other, 'remainder'); }
  fmod(other: TensorOrScalar): Tensor { return binary(this, B.fmod, other, 'fmod'); }
  floorDivide(other: TensorOrScalar): Tensor { return binary(this, B.floorDivide, other, 'floorDivide'); }
  matmul(other: Tensor): Tensor { return tensorOnly(this, B.matmul, other, 'matmul'); }
  mm(other: Tensor): Tensor { return tensorOnly(this, B.mm, other, 'mm'); }
  bmm(other: Tensor): Tensor { return tensorOnly(this, B.bmm, other, 'bmm'); }
  dot(other: Tensor): Tensor { return T(O.dot([this._id, tid(other, 'other', 'dot')])); }
  maximum(other: Tensor): Tensor { return tensorOnly(this, B.maximum, other, 'maximum'); }
  minimum(other: Tensor): Tensor { return tensorOnly(this, B.minimum, other, 'minimum'); }
  atan2(other: Tensor): Tensor { return tensorOnly(this, B.atan2, other, 'atan2'); }
  neg(): Tensor { return unary(this, U.neg); }
  abs(): Tensor { return unary(this, U.abs); }
  exp(): Tensor { return unary(this, U.exp); }
  exp2(): Tensor { return unary(this, U.exp2); }
  expm1(): Tensor { return unary(this, U.expm1); }
  log(): Tensor { return unary(this, U.log); }
  log2(): Tensor { return unary(this, U.log2); }
  log10(): Tensor { return unary(this, U.log10); }
  log1p(): Tensor { return unary(this, U.log1p); }
  sqrt(): Tensor { return unary(this, U.sqrt); }
  rsqrt(): Tensor { return unary(this, U.rsqrt); }
  square(): Tensor { return unary(this, U.square); }
  reciprocal(): Tensor { return unary(this, U.reciprocal); }
  sign(): Tensor { return unary(this, U.sign); }
  sgn(): Tensor { return unary(this, U.sgn); }
  floor(): Tensor { return unary(this, U.floor); }
  ceil(): Tensor { return unary(this, U.ceil); }
  trunc(): Tensor { return unary(this, U.trunc); }
  frac(): Tensor { return unary(this, U.frac); }
  round(opts?: { decimals?: number }): Tensor {
    if (opts === undefined || !checkKeys('round', opts, DECIMALS).decimals) return unary(this, U.round);
    return T(O.roundDec([this._id, checkInt(opts.decimals, 'decimals', 'round')]));
  }
  sin(): Tensor { return unary(this, U.sin); }
  cos(): Tensor { return unary(this, U.cos); }
  tan(): Tensor { return unary(this, U.tan); }
  asin(): Tensor { return unary(this, U.asin); }
  acos(): Tensor { return unary(this, U.acos); }
  atan(): Tensor { return unary(this, U.atan); }
  sinh(): Tensor { return unary(this, U.sinh); }
  cosh(): Tensor { return unary(this, U.cosh); }
  erf(): Tensor { return unary(this, U.erf); }
  /** clamp(min?, max?) with numbers or tensors; null leaves a side open. */
  clamp(...args: unknown[]): Tensor {
    const [min, max] = bind('clamp', args, ['min', 'max']);
    if (min instanceof Tensor || max instanceof Tensor) return T(O.clampT([this._id, optTid(min, 'min', 'clamp'), optTid(max, 'max', 'clamp')]));
    if ((min === undefined || min === null) && (max === undefined || max === null)) throw new TypeError("clamp(): at least one of 'min' or 'max' must not be null");
    return T(O.clamp([this._id, min === null ? undefined : min, max === null ? undefined : max]));
  }
  clip(...args: unknown[]): Tensor { return this.clamp(...args); }
  addcmul(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor {
    return T(O.addcmul([this._id, tid(tensor1, 'tensor1', 'addcmul'), tid(tensor2, 'tensor2', 'addcmul'), checkKeys('addcmul', opts, VALUE)?.value ?? 1]));
  }
  addcdiv(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor {
    return T(O.addcdiv([this._id, tid(tensor1, 'tensor1', 'addcdiv'), tid(tensor2, 'tensor2', 'addcdiv'), checkKeys('addcdiv', opts, VALUE)?.value ?? 1]));
  }
  lerp(end: Tensor, weight: TensorOrScalar): Tensor {
    return weight instanceof Tensor ? T(O.lerpT([this._id, tid(end, 'end', 'lerp'), weight._id])) : T(O.lerpS([this._id, tid(end, 'end', 'lerp'), checkScalar(weight, 'weight', 'lerp')]));
  }

  // ---- comparison and logic ----
  eq(other: TensorOrScalar): Tensor { return binary(this, B.eq, other, 'eq'); }
  ne(other: TensorOrScalar): Tensor { return binary(this, B.ne, other, 'ne'); }
  lt(other: TensorOrScalar): Tensor { return binary(this, B.lt, other, 'lt'); }
  le(other: TensorOrScalar): Tensor { return binary(this, B.le, other, 'le'); }
  gt(other: TensorOrScalar): Tensor { return binary(this, B.gt, other, 'gt'); }
  ge(other: TensorOrScalar): Tensor { return binary(this, B.ge, other, 'ge'); }
  /** True when both tensors have the same shape and elements. */
  equal(other: Tensor): boolean { return O.equal([this._id, tid(other, 'other', 'equal')]); }
  allclose(other: Tensor, ...args: unknown[]): boolean {
    const [rtol, atol, equalNan] = bind('allclose', args, ['rtol', 'atol', 'equalNan']);
    return O.allclose([this._id, tid(other, 'other', 'allclose'), rtol, atol, equalNan]);
  }
  isclose(other: Tensor, ...args: unknown[]): Tensor {
    const [rtol, atol, equalNan] = bind('isclose', args, ['rtol', 'atol', 'equalNan']);
    return T(O.isclose([this._id, tid(other, 'other', 'isclose'), rtol, atol, equalNan]));
  }
  logicalAnd(other: Tensor): Tensor { return tensorOnly(this, B.logicalAnd, other, 'logicalAnd'); }
  logicalOr(other: Tensor): Tensor { return tensorOnly(this, B.logicalOr, other, 'logicalOr'); }
  logicalXor(other: Tensor): Tensor { return tensorOnly(this, B.logicalXor, other, 'logicalXor'); }
  logicalNot(): Tensor { return unary(this, U.logicalNot); }
  /** Python's `~t`. */
  bitwiseNot(): Tensor { return T(O.bitwiseNot([this._id])); }
  bitwiseAnd(other: Tensor): Tensor { return T(O.bitwiseAnd([this._id, tid(other, 'other', 'bitwiseAnd')])); }
  bitwiseOr(other: Tensor): Tensor { return T(O.bitwiseOr([this._id, tid(other, 'other', 'bitwiseOr')])); }
  bitwiseXor(other: Tensor): Tensor { return T(O.bitwiseXor([this._id, tid(other, 'other', 'bitwiseXor')])); }
  isnan(): Tensor { return unary(this, U.isnan); }
  isfinite(): Tensor { return unary(this, U.isfinite); }
  isinf(): Tensor { return unary(this, U.isinf); }

  // ---- reductions ----
  /** sum(dim?, keepdim?, { dtype }) */
  sum(...args: unknown[]): Tensor { return dimReduce(this, 'sum', U.sum, O.sumAll, O.sumDim, args); }
  /** mean(dim?, keepdim?, { dtype }) */
  mean(...args: unknown[]): Tensor { return dimReduce(this, 'mean', U.mean, O.meanAll, O.meanDim, args); }
  /** prod(dim?, keepdim?, { dtype }) */
  prod(...args: unknown[]): Tensor {
    const [dim, keepdim, dtype] = bind('prod', args, ['dim', 'keepdim', 'dtype']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('prod', keepdim), dtype == null ? unary(this, U.prod) : T(O.prodAll([this._id, optDtypeCode(dtype)]));
    return T(O.prodDim([this._id, checkInt(dim, 'dim', 'prod'), optBool(keepdim, 'keepdim', 'prod', false), optDtypeCode(dtype)]));
  }
  /** std(dim?, unbiased = true, keepdim = false, { correction }) */
  std(...args: unknown[]): Tensor {
    const [dim, unbiased, kd, correction] = bind('std', args, ['dim', 'unbiased', 'keepdim', 'correction']);
    const keepdim = optBool(kd, 'keepdim', 'std', false);
    if (correction !== undefined && correction !== null) {
      if (unbiased !== undefined && unbiased !== null) throw new TypeError("std(): pass either 'unbiased' or 'correction', not both");
      return T(O.stdCorrection([this._id, dim == null ? null : checkDims(dim, 'dim', 'std'), checkInt(correction, 'correction', 'std'), keepdim]));
    }
    const ub = optBool(unbiased, 'unbiased', 'std', true);
    if ((dim === undefined || dim === null) && !keepdim) return T(O.stdAll([this._id, ub]));
    return T(O.stdDim([this._id, dim == null ? null : checkDims(dim, 'dim', 'std'), ub, keepdim]));
  }
  /** var(dim?, unbiased = true, keepdim = false, { correction }) */
  var(...args: unknown[]): Tensor {
    const [dim, unbiased, kd, correction] = bind('var', args, ['dim', 'unbiased', 'keepdim', 'correction']);
    const keepdim = optBool(kd, 'keepdim', 'var', false);
    if (correction !== undefined && correction !== null) {
      if (unbiased !== undefined && unbiased !== null) throw new TypeError("var(): pass either 'unbiased' or 'correction', not both");
      return T(O.varCorrection([this._id, dim == null ? null : checkDims(dim, 'dim', 'var'), checkInt(correction, 'correction', 'var'), keepdim]));
    }
    const ub = optBool(unbiased, 'unbiased', 'var', true);
    if ((dim === undefined || dim === null) && !keepdim) return T(O.varAll([this._id, ub]));
    return T(O.varDim([this._id, dim == null ? null : checkDims(dim, 'dim', 'var'), ub, keepdim]));
  }
  /** max() -> tensor; max(dim, keepdim?) -> [values, indices]; max(other) -> element-wise maximum. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
  max(opts: { dim: number; keepdim?: boolean }): ValuesIndices;
  max(other: Tensor): Tensor;
  max(...args: unknown[]): Tensor | ValuesIndices {
    if (args.length === 1 && args[0] instanceof Tensor) return this.maximum(args[0]);
    const [dim, keepdim] = bind('max', args, ['dim', 'keepdim']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('max', keepdim), unary(this, U.max);
    return VI(O.maxDim([this._id, checkInt(dim, 'dim', 'max'), optBool(keepdim, 'keepdim', 'max', false)]));
  }
  /** min() -> tensor; min(dim, keepdim?) -> [values, indices]; min(other) -> element-wise minimum. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
  min(opts: { dim: number; keepdim?: boolean }): ValuesIndices;
  min(other: Tensor): Tensor;
  min(...args: unknown[]): Tensor | ValuesIndices {
    if (args.length === 1 && args[0] instanceof Tensor) return this.minimum(args[0]);
    const [dim, keepdim] = bind('min', args, ['dim', 'keepdim']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('min', keepdim), unary(this, U.min);
    return VI(O.minDim([this._id, checkInt(dim, 'dim', 'min'), optBool(keepdim, 'keepdim', 'min', false)]));
  }
  amax(...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('amax', args, ['dim', 'keepdim']);
    return T(O.amax([this._id, dim == null ? [] : checkDims(dim, 'dim', 'amax'), optBool(keepdim, 'keepdim', 'amax', false)]));
  }
  amin(...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('amin', args, ['dim', 'keepdim']);
    return T(O.amin([this._id, dim == null ? [] : checkDims(dim, 'dim', 'amin'), optBool(keepdim, 'keepdim', 'amin', false)]));
  }
  argmax(...args: unknown[]): Tensor {
    const [dim, kd] = bind('argmax', args, ['dim', 'keepdim']);
    const keepdim = optBool(kd, 'keepdim', 'argmax', false);
    if ((dim === undefined || dim === null) && !keepdim) return unary(this, U.argmax);
    return T(O.argmax([this._id, optInt(dim, 'dim', 'argmax'), keepdim]));
  }
  argmin(...args: unknown[]): Tensor {
    const [dim, kd] = bind('argmin', args, ['dim', 'keepdim']);
    const keepdim = optBool(kd, 'keepdim', 'argmin', false);
    if ((dim === undefined || dim === null) && !keepdim) return unary(this, U.argmin);
    return T(O.argmin([this._id, optInt(dim, 'dim', 'argmin'), keepdim]));
  }
  /** topk(k, dim = -1, largest = true, sorted = true) -> [values, indices] */
  topk(...args: unknown[]): ValuesIndices {
    const [k, dim, largest, sorted] = bind('topk', args, ['k', 'dim', 'largest', 'sorted']);
    return VI(O.topk([this._id, checkInt(k, 'k', 'topk'), dim ?? -1, optBool(largest, 'largest', 'topk', true), optBool(sorted, 'sorted', 'topk', true)]));
  }
  /** sort(dim = -1, descending = false, { stable }) -> [values, indices] */
  sort(...args: unknown[]): ValuesIndices {
    const [dim, descending, stable] = bind('sort', args, ['dim', 'descending', 'stable']);
    const d = dim ?? -1;
    const desc = optBool(descending, 'descending', 'sort', false);
    if (stable !== undefined && stable !== null) return VI(O.sortStable([this._id, optBool(stable, 'stable', 'sort', false), d, desc]));
    return VI(O.sort([this._id, d, desc]));
  }
  argsort(...args: unknown[]): Tensor {
    const [dim, descending] = bind('argsort', args, ['dim', 'descending']);
    return T(O.argsort([this._id, dim ?? -1, optBool(descending, 'descending', 'argsort', false)]));
  }
  /** cumsum(dim, { dtype }) */
  cumsum(...args: unknown[]): Tensor {
    const [dim, dtype] = bind('cumsum', args, ['dim', 'dtype']);
    return T(O.cumsum([this._id, checkInt(dim, 'dim', 'cumsum'), optDtypeCode(dtype)]));
  }
  cumprod(...args: unknown[]): Tensor {
    const [dim, dtype] = bind('cumprod', args, ['dim', 'dtype']);
    return T(O.cumprod([this._id, checkInt(dim, 'dim', 'cumprod'), optDtypeCode(dtype)]));
  }
  /** logsumexp(dim, keepdim = false) */
  logsumexp(...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('logsumexp', args, ['dim', 'keepdim']);
    return T(O.logsumexp([this._id, checkDims(dim, 'dim', 'logsumexp'), optBool(keepdim, 'keepdim', 'logsumexp', false)]));
  }
  /** norm(p = 'fro', dim?, keepdim = false): p a number, 'fro' or Infinity. */
  norm(...args: unknown[]): Tensor {
    const [p, dim, kd] = bind('norm', args, ['p', 'dim', 'keepdim']);
    const keepdim = optBool(kd, 'keepdim', 'norm', false);
    let pv: number;
    if (p === undefined || p === null || p === 'fro') pv = 2;
    else if (typeof p === 'number') pv = p;
    else throw new TypeError(`norm(): 'p' must be a number or 'fro', got ${describe(p)}`);
    if ((dim === undefined || dim === null) && !keepdim) return T(O.normS([this._id, pv]));
    const dims = dim == null ? this.shape.map((_, i) => i) : checkDims(dim, 'dim', 'norm');
    return T(O.normDim([this._id, pv, dims, keepdim]));
  }
  any(...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('any', args, ['dim', 'keepdim']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('any', keepdim), unary(this, U.any);
    return T(O.anyDim([this._id, checkInt(dim, 'dim', 'any'), optBool(keepdim, 'keepdim', 'any', false)]));
  }
  all(...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('all', args, ['dim', 'keepdim']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('all', keepdim), unary(this, U.all);
    return T(O.allDim([this._id, checkInt(dim, 'dim', 'all'), optBool(keepdim, 'keepdim', 'all', false)]));
  }

  // ---- activations ----
  relu(): Tensor { return unary(this, U.relu); }
  sigmoid(): Tensor { return unary(this, U.sigmoid); }
  tanh(): Tensor { return unary(this, U.tanh); }
  silu(): Tensor { return unary(this, U.silu); }
  leakyRelu(negativeSlope: number = 0.01): Tensor { return T(O.leakyRelu([this._id, checkScalar(negativeSlope, 'negativeSlope', 'leakyRelu')])); }
  gelu(opts?: { approximate?: 'none' | 'tanh' }): Tensor { return T(O.gelu([this._id, checkKeys('gelu', opts, ['approximate'])?.approximate ?? 'none'])); }
  elu(alpha: number = 1): Tensor { return T(O.elu([this._id, alpha])); }
  /** softmax(dim, { dtype }) */
  softmax(...args: unknown[]): Tensor {
    const [dim, dtype] = bind('softmax', args, ['dim', 'dtype']);
    return T(O.softmax([this._id, checkInt(dim, 'dim', 'softmax'), optDtypeCode(dtype)]));
  }
  /** logSoftmax(dim, { dtype }) */
  logSoftmax(...args: unknown[]): Tensor {
    const [dim, dtype] = bind('logSoftmax', args, ['dim', 'dtype']);
    return T(O.logSoftmax([this._id, checkInt(dim, 'dim', 'logSoftmax'), optDtypeCode(dtype)]));
  }

  // ---- shape ----
  /** view(...shape) or view([shape]); view(dtype) reinterprets the bytes. */
  view(...args: unknown[]): Tensor {
    if (args.length === 1 && typeof args[0] === 'string') return T(O.viewDtype([this._id, dtypeCode(args[0])]));
    return T(O.view([this._id, sizeArgs(args, 'view', 'shape', true).size]));
  }
  viewAs(other: Tensor): Tensor { return T(O.viewAs([this._id, tid(other, 'other', 'viewAs')])); }
  /** asStrided(size, stride, storageOffset = 0): a view with the given geometry over this tensor's storage. */
  asStrided(size: number[], stride: number[], storageOffset = 0): Tensor {
    return T(O.asStrided([this._id, checkDims(size, 'size', 'asStrided'), checkDims(stride, 'stride', 'asStrided'), checkInt(storageOffset, 'storageOffset', 'asStrided')]));
  }
  reshape(...shape: (number | number[])[]): Tensor { return T(O.reshape([this._id, sizeArgs(shape, 'reshape', 'shape', true).size])); }
  reshapeAs(other: Tensor): Tensor { return T(O.reshapeAs([this._id, tid(other, 'other', 'reshapeAs')])); }
  flatten(startDim = 0, endDim = -1): Tensor {
    return T(O.flatten([this._id, checkInt(startDim, 'startDim', 'flatten'), checkInt(endDim, 'endDim', 'flatten')]));
  }
  unflatten(dim: number, sizes: number[]): Tensor { return T(O.unflatten([this._id, checkInt(dim, 'dim', 'unflatten'), checkDims(sizes, 'sizes', 'unflatten')])); }
  permute(...dims: (number | number[])[]): Tensor { return T(O.permute([this._id, flatDims(dims, 'permute')])); }
  transpose(dim0: number, dim1: number): Tensor { return T(O.transpose([this._id, checkInt(dim0, 'dim0', 'transpose'), checkInt(dim1, 'dim1', 'transpose')])); }
  t(): Tensor { return unary(this, U.t); }
  get T(): Tensor { return this.dim() <= 2 ? this.t() : this.permute(this.shape.map((_, i, a) => a.length - 1 - i)); }
  unsqueeze(dim: number): Tensor { return T(O.unsqueeze([this._id, checkInt(dim, 'dim', 'unsqueeze')])); }
  squeeze(dim?: number): Tensor { return dim === undefined || dim === null ? T(O.squeeze([this._id])) : T(O.squeezeDim([this._id, checkInt(dim, 'dim', 'squeeze')])); }
  expand(...sizes: (number | number[])[]): Tensor { return T(O.expand([this._id, sizeArgs(sizes, 'expand', 'size', true).size])); }
  expandAs(other: Tensor): Tensor { return T(O.expandAs([this._id, tid(other, 'other', 'expandAs')])); }
  repeat(...sizes: (number | number[])[]): Tensor { return T(O.repeat([this._id, sizeArgs(sizes, 'repeat', 'repeats').size])); }
  narrow(dim: number, start: number, length: number): Tensor {
    return T(O.narrow([this._id, checkInt(dim, 'dim', 'narrow'), checkInt(start, 'start', 'narrow'), checkInt(length, 'length', 'narrow')]));
  }
  select(dim: number, index: number): Tensor { return T(O.select([this._id, checkInt(dim, 'dim', 'select'), checkInt(index, 'index', 'select')])); }
  /** split(splitSize | sections[], dim = 0) */
  split(splitSizeOrSections: number | number[], dim = 0): Tensor[] {
    if (Array.isArray(splitSizeOrSections)) return TT(O.splitSizes([this._id, checkDims(splitSizeOrSections, 'splitSizeOrSections', 'split'), checkInt(dim, 'dim', 'split')]));
    return TT(O.split([this._id, checkInt(splitSizeOrSections, 'splitSizeOrSections', 'split'), checkInt(dim, 'dim', 'split')]));
  }
  chunk(chunks: number, dim = 0): Tensor[] { return TT(O.chunk([this._id, checkInt(chunks, 'chunks', 'chunk'), checkInt(dim, 'dim', 'chunk')])); }
  unbind(dim = 0): Tensor[] { return TT(O.unbind([this._id, checkInt(dim, 'dim', 'unbind')])); }
  flip(...dims: (number | number[])[]): Tensor {
    if (dims.length === 0) throw new TypeError("flip() missing 1 required positional argument: 'dims'");
    return T(O.flip([this._id, flatDims(dims, 'flip')]));
  }
  roll(shifts: Dims, dims?: Dims): Tensor { return T(O.roll([this._id, checkDims(shifts, 'shifts', 'roll'), dims === undefined ? [] : checkDims(dims, 'dims', 'roll')])); }
  tril(diagonal = 0): Tensor { return T(O.tril([this._id, checkInt(diagonal, 'diagonal', 'tril')])); }
  triu(diagonal = 0): Tensor { return T(O.triu([this._id, checkInt(diagonal, 'diagonal', 'triu')])); }
  gather(dim: number, index: Tensor, opts?: { sparseGrad?: boolean }): Tensor {
    return T(O.gather([this._id, checkInt(dim, 'dim', 'gather'), tid(index, 'index', 'gather'), checkKeys('gather', opts, ['sparseGrad'])?.sparseGrad ?? false]));
  }
  /** scatter(dim, index, src | value, { reduce: 'add' | 'multiply' }) */
  scatter(dim: number, index: Tensor, src: TensorOrScalar, opts?: { reduce?: 'add' | 'multiply' }): Tensor {
    return T(scatterCall(this, dim, index, src, checkKeys('scatter', opts, ['reduce'])?.reduce, false));
  }
  scatter_(dim: number, index: Tensor, src: TensorOrScalar, opts?: { reduce?: 'add' | 'multiply' }): this {
    scatterCall(this, dim, index, src, checkKeys('scatter_', opts, ['reduce'])?.reduce, true);
    return this;
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return T(O.scatterAdd([this._id, checkInt(dim, 'dim', 'scatterAdd'), tid(index, 'index', 'scatterAdd'), tid(src, 'src', 'scatterAdd')]));
  }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this {
    O.scatterAdd_([this._id, checkInt(dim, 'dim', 'scatterAdd_'), tid(index, 'index', 'scatterAdd_'), tid(src, 'src', 'scatterAdd_')], true);
    return this;
  }
  indexSelect(dim: number, index: Tensor): Tensor { return T(O.indexSelect([this._id, checkInt(dim, 'dim', 'indexSelect'), tid(index, 'index', 'indexSelect')])); }
  maskedFill(mask: Tensor, value: TensorOrScalar): Tensor {
    const m = boolMask(mask, 'maskedFill');
    return value instanceof Tensor ? T(O.maskedFillT([this._id, m, value._id])) : T(O.maskedFillS([this._id, m, checkScalar(value, 'value', 'maskedFill')]));
  }
  maskedFill_(mask: Tensor, value: TensorOrScalar): this {
    const m = boolMask(mask, 'maskedFill_');
    if (value instanceof Tensor) O.maskedFillT_([this._id, m, value._id], true);
    else O.maskedFillS_([this._id, m, checkScalar(value, 'value', 'maskedFill_')], true);
    return this;
  }
  maskedSelect(mask: Tensor): Tensor { return T(O.maskedSelect([this._id, tid(mask, 'mask', 'maskedSelect')])); }
  nonzero(): Tensor { return T(O.nonzero([this._id])); }
  /** this.where(condition, other): elements of this where condition, else other. */
  where(condition: Tensor, other: TensorOrScalar): Tensor { return whereImpl(condition, this, other); }

  // ---- indexing ----
  /**
   * Python's `t[...]`: items are integers, slices (`torch.slice(a, b)` or 'a:b:c' strings, ':' for
   * all), null (newaxis), '...', booleans, integer/boolean tensors or arrays. `t.index(0, ':', '1:3')`
   * is `t[0, :, 1:3]`.
   */
  index(...items: IndexItem[]): Tensor {
    const temps: Tensor[] = [];
    try {
      const [k, v] = encodeIndex(items, temps);
      return T(N.index(this._id, k, v));
    } finally {
      for (const t of temps) t.dispose();
    }
  }
  /** Python's `t[items] = value` (in place): `t.indexPut_([':', '1:3'], 0)`. Returns this. */
  indexPut_(items: IndexItem[] | IndexItem, value: TensorOrScalar): this {
    // items is the index tuple: indexPut_([0, 2], v) is t[0, 2] = v; t[[0, 2]] = v is indexPut_([[0, 2]], v)
    const list = Array.isArray(items) ? (items as IndexItem[]) : [items];
    const temps: Tensor[] = [];
    try {
      const [k, v] = encodeIndex(list, temps);
      if (value instanceof Tensor) N.indexPut(this._id, k, v, value._id, null);
      else N.indexPut(this._id, k, v, null, checkScalar(value, 'value', 'indexPut_'));
    } finally {
      for (const t of temps) t.dispose();
    }
    return this;
  }

  // ---- in place ----
  add_(other: TensorOrScalar, opts?: { alpha?: number }): this {
    if (opts === undefined || checkKeys('add_', opts, ALPHA).alpha === undefined) return binaryInplace(this, B.add, other, 'add_') as this;
    const alpha = checkScalar(opts.alpha, 'alpha', 'add_');
    withOperand(other, 'add_', (o) => O.add_([this._id, o, alpha], true));
    return this;
  }
  sub_(other: TensorOrScalar, opts?: { alpha?: number }): this {
    if (opts === undefined || checkKeys('sub_', opts, ALPHA).alpha === undefined) return binaryInplace(this, B.sub, other, 'sub_') as this;
    const alpha = checkScalar(opts.alpha, 'alpha', 'sub_');
    withOperand(other, 'sub_', (o) => O.sub_([this._id, o, alpha], true));
    return this;
  }
  mul_(other: TensorOrScalar): this { return binaryInplace(this, B.mul, other, 'mul_') as this; }
  div_(other: TensorOrScalar, opts?: { roundingMode?: 'trunc' | 'floor' | null }): this {
    if (opts === undefined || checkKeys('div_', opts, ROUNDING).roundingMode == null) return binaryInplace(this, B.div, other, 'div_') as this;
    const mode = opts.roundingMode;
    withOperand(other, 'div_', (o) => O.divMode_([this._id, o, mode], true));
    return this;
  }
  pow_(exponent: TensorOrScalar): this { return binaryInplace(this, B.pow, exponent, 'pow_') as this; }
  remainder_(other: TensorOrScalar): this { return binaryInplace(this, B.remainder, other, 'remainder_') as this; }
  copy_(src: Tensor, opts?: { nonBlocking?: boolean }): this {
    if (checkKeys('copy_', opts, ['nonBlocking'])?.nonBlocking) O.copy_([this._id, tid(src, 'src', 'copy_'), true], true);
    else N.binI(B.copy, this._id, tid(src, 'src', 'copy_'));
    return this;
  }
  fill_(value: TensorOrScalar): this {
    if (value instanceof Tensor) O.fillT_([this._id, value._id], true);
    else N.binSI(B.fill, this._id, checkScalar(value, 'value', 'fill_'));
    return this;
  }
  zero_(): this { return unaryInplace(this, U.zero); }
  neg_(): this { return unaryInplace(this, U.neg); }
  abs_(): this { return unaryInplace(this, U.abs); }
  exp_(): this { return unaryInplace(this, U.exp); }
  log_(): this { return unaryInplace(this, U.log); }
  sqrt_(): this { return unaryInplace(this, U.sqrt); }
  rsqrt_(): this { return unaryInplace(this, U.rsqrt); }
  relu_(): this { return unaryInplace(this, U.relu); }
  sigmoid_(): this { return unaryInplace(this, U.sigmoid); }
  tanh_(): this { return unaryInplace(this, U.tanh); }
  sign_(): this { return unaryInplace(this, U.sign); }
  floor_(): this { return unaryInplace(this, U.floor); }
  ceil_(): this { return unaryInplace(this, U.ceil); }
  square_(): this { return unaryInplace(this, U.square); }
  reciprocal_(): this { return unaryInplace(this, U.reciprocal); }
  round_(opts?: { decimals?: number }): this {
    if (opts === undefined || !checkKeys('round_', opts, DECIMALS).decimals) unaryInplace(this, U.round);
    else O.roundDec_([this._id, checkInt(opts.decimals, 'decimals', 'round_')], true);
    return this;
  }
  leakyRelu_(negativeSlope = 0.01): this { O.leakyRelu_([this._id, negativeSlope], true); return this; }
  clamp_(...args: unknown[]): this {
    const [min, max] = bind('clamp_', args, ['min', 'max']);
    if (min instanceof Tensor || max instanceof Tensor) O.clampT_([this._id, optTid(min, 'min', 'clamp_'), optTid(max, 'max', 'clamp_')], true);
    else if ((min === undefined || min === null) && (max === undefined || max === null)) throw new TypeError("clamp_(): at least one of 'min' or 'max' must not be null");
    else O.clamp_([this._id, min === null ? undefined : min, max === null ? undefined : max], true);
    return this;
  }
  /** uniform_(from = 0, to = 1, { generator }) */
  uniform_(...args: unknown[]): this {
    const [from, to, generator] = bind('uniform_', args, ['from', 'to', 'generator']);
    O.uniform_([this._id, from, to, genHandle(generator)], true);
    return this;
  }
  /** normal_(mean = 0, std = 1, { generator }) */
  normal_(...args: unknown[]): this {
    const [mean, std, generator] = bind('normal_', args, ['mean', 'std', 'generator']);
    O.normal_([this._id, mean, std, genHandle(generator)], true);
    return this;
  }
  /** bernoulli_(p = 0.5, { generator }) */
  bernoulli_(...args: unknown[]): this {
    const [p, generator] = bind('bernoulli_', args, ['p', 'generator']);
    O.bernoulli_([this._id, p, genHandle(generator)], true);
    return this;
  }
  addcmul_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): this {
    O.addcmul_([this._id, tid(tensor1, 'tensor1', 'addcmul_'), tid(tensor2, 'tensor2', 'addcmul_'), checkKeys('addcmul_', opts, VALUE)?.value ?? 1], true);
    return this;
  }
  addcdiv_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): this {
    O.addcdiv_([this._id, tid(tensor1, 'tensor1', 'addcdiv_'), tid(tensor2, 'tensor2', 'addcdiv_'), checkKeys('addcdiv_', opts, VALUE)?.value ?? 1], true);
    return this;
  }
  lerp_(end: Tensor, weight: TensorOrScalar): this {
    if (weight instanceof Tensor) O.lerpT_([this._id, tid(end, 'end', 'lerp_'), weight._id], true);
    else O.lerpS_([this._id, tid(end, 'end', 'lerp_'), checkScalar(weight, 'weight', 'lerp_')], true);
    return this;
  }
}
(Tensor.prototype as unknown as Record<symbol, boolean>)[TENSOR_BRAND] = true;

/** A 0-d tensor holding `value` (torch.tensor(value, dtype, device)); owned by the current scope. */
function torch_full_like_scalar(value: Scalar, dtype: DType, device: Device): Tensor {
  return T(O.scalarTensor([value, dtypeCode(dtype), undefined, device]));
}

/**
 * A mask argument's handle; it must be bool. (libtorch 1.13 reads other dtypes' raw bytes as
 * booleans, a silent wrong answer; PyTorch 2.x rejects them, and so do we.)
 */
function boolMask(mask: unknown, fn: string): number {
  const h = tid(mask, 'mask', fn);
  const dt = (mask as Tensor).dtype;
  if (dt !== 'bool') throw new TypeError(`${fn}(): 'mask' must be a bool tensor, got dtype ${dt} (compare to get one, e.g. mask.ne(0))`);
  return h;
}

export interface NewOptions { dtype?: DTypeLike; device?: Device; requiresGrad?: boolean }

function newLike(self: Tensor, f: OpFn, fn: string, size: number[], fill: Scalar | undefined, opts: NewOptions | undefined): Tensor {
  const o = checkKeys(fn, opts, ['dtype', 'device', 'requiresGrad']) ?? {};
  const s = sizeArgs([size], fn).size;
  const dev = o.device === undefined ? undefined : toDevice(o.device);
  const args: unknown[] = fill === undefined ? [self._id, s, optDtypeCode(o.dtype), undefined, dev] : [self._id, s, fill, optDtypeCode(o.dtype), undefined, dev];
  const t = T(f(args));
  if (o.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** For reductions whose all-elements form has no keepdim (as in PyTorch). */
function keepdimNeedsDim(fn: string, keepdim: unknown): void {
  if (keepdim !== undefined && keepdim !== null) throw new TypeError(`${fn}(): 'keepdim' needs 'dim' (got keepdim ${describe(keepdim)} without a dim)`);
}

/** sum / mean: (dim?, keepdim?, { dtype }); no dim reduces everything (the fast path when nothing else is asked). */
function dimReduce(self: Tensor, fn: string, code: number, allOp: OpFn, dimOp: OpFn, args: unknown[]): Tensor {
  const [dim, kd, dtype] = bind(fn, args, ['dim', 'keepdim', 'dtype']);
  const keepdim = optBool(kd, 'keepdim', fn, false);
  const dt = optDtypeCode(dtype);
  if (dim === undefined || dim === null) {
    if (keepdim) return T(dimOp([self._id, self.shape.map((_, i) => i), true, dt]));
    return dt === undefined ? unary(self, code) : T(allOp([self._id, dt]));
  }
  return T(dimOp([self._id, checkDims(dim, 'dim', fn), keepdim, dt]));
}

function flatDims(dims: (number | number[])[], fn: string): number[] {
  const list = dims.length === 1 && Array.isArray(dims[0]) ? (dims[0] as number[]) : (dims as number[]);
  return list.map((d) => checkInt(d, 'dims', fn));
}

export function genHandle(g: unknown): number | undefined {
  if (g === undefined || g === null) return undefined;
  const h = (g as Generator)?._handle;
  if (typeof h !== 'number') throw new TypeError(`'generator' must be a torch.Generator, got ${describe(g)}`);
  return h;
}

function scatterCall(self: Tensor, dim: number, index: Tensor, src: TensorOrScalar, reduce: string | undefined, inplace: boolean): any {
  const fn = inplace ? 'scatter_' : 'scatter';
  const args: unknown[] = [self._id, checkInt(dim, 'dim', fn), tid(index, 'index', fn)];
  if (src instanceof Tensor) {
    args.push(src._id);
    if (reduce !== undefined) args.push(reduce);
    return (reduce === undefined ? (inplace ? O.scatterSrc_ : O.scatterSrc) : inplace ? O.scatterReduce_ : O.scatterReduce)(args, inplace);
  }
  args.push(checkScalar(src, 'value', fn));
  if (reduce !== undefined) args.push(reduce);
  return (reduce === undefined ? (inplace ? O.scatterVal_ : O.scatterVal) : inplace ? O.scatterValReduce_ : O.scatterValReduce)(args, inplace);
}

/** torch.where(condition, input, other); scalars promote with the other side as in PyTorch. */
export function whereImpl(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  const c = tid(condition, 'condition', 'where');
  if (input instanceof Tensor && other instanceof Tensor) return T(O.whereSelf([c, input._id, other._id]));
  if (input instanceof Tensor) return T(O.whereScalarOther([c, input._id, checkScalar(other, 'other', 'where')]));
  if (other instanceof Tensor) return T(O.whereScalarSelf([c, checkScalar(input, 'input', 'where'), other._id]));
  return T(O.whereScalar([c, checkScalar(input, 'input', 'where'), checkScalar(other, 'other', 'where')]));
}

export function whereCondition(condition: Tensor): Tensor[] {
  return TT(O.whereCond([tid(condition, 'condition', 'where')]));
}
