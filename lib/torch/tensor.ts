/**
 * The Tensor class: a thin JS handle over a libtorch tensor. Methods follow PyTorch's names in
 * camelCase, PyTorch's positional arguments, and a trailing options object for keyword arguments
 * (`x.sum(1, { keepdim: true })`, `x.add(y, { alpha: 2 })`).
 *
 * This file holds the handle itself (lifetime, metadata, reading, conversion, autograd); the other
 * methods come from the mixins in tensor/ (math: element-wise, reductions, shape: shape and
 * selection), copied onto Tensor.prototype below. Creation from JS data is tensor/data.ts,
 * indexing tensor/indexing.ts, the calls into the addon tensor/calls.ts.
 */
import { N } from './native';
import { describe, checkGradShape } from './errors';
import { Unary as U } from './codes';
import { DType, DTypeLike, Device, DTYPES, dtypeCode, dtypeFromCode, optDtypeCode, toDevice, toDType, isDTypeName, isFloatingPoint, elementSize } from './dtype';
import { track, trackUnscoped, disposeOne, TENSOR_BRAND, Owned } from './memory';
import { formatTensor } from './format';
import { isKw, bind, checkKeys, checkInt, optBool, checkScalar, sizeArgs } from './args';
import type { Kw, Scalar } from './args';
import { op, OpFn } from './ops';
import { T, tid, optTid, unary, unaryInplace } from './tensor/calls';
import { TensorMath } from './tensor/math';
import { TensorReductions } from './tensor/reductions';
import { TensorShape } from './tensor/shape';

export type { Scalar } from './args';
export { isKw, bind, checkKeys, isScalar, optBool, sizeArgs } from './args';
export { op } from './ops';
export type { OpFn } from './ops';
export { T, TT, tid, genHandle, detachedHandle } from './tensor/calls';
export { Slice, slice } from './tensor/indexing';
export type { IndexItem } from './tensor/indexing';
export { tensorFromData } from './tensor/data';
export { whereImpl, whereCondition } from './tensor/shape';
export type Dims = number | number[];
export type TensorOrScalar = Tensor | Scalar;
export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;
export type NestedArray<T> = T | NestedArray<T>[];
/** [values, indices] that can also be read as `.values` / `.indices`, like PyTorch's named tuples. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

const O = {
  newEmpty: op('new_empty'), newZeros: op('new_zeros'), newOnes: op('new_ones'), newFull: op('new_full'),
};

// ---- the Tensor class ---------------------------------------------------------------------------------------------
// TypeScript's mixin pattern: the interface declares the methods that mixin() below copies onto the
// class from tensor/math.ts, tensor/reductions.ts and tensor/shape.ts (a class cannot extend three).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the mixin pattern, see above
export interface Tensor extends TensorMath, TensorReductions, TensorShape {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the mixin pattern, see above
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
  get T(): Tensor { return this.dim() <= 2 ? this.t() : this.permute(this.shape.map((_, i, a) => a.length - 1 - i)); }

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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- nested as deep as the tensor's rank, unknown statically (Python's tolist())
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
    const g = optTid(gradient, 'gradient', 'backward') ?? null;
    if (g !== null) checkGradShape(this.shape, (gradient as Tensor).shape, 0);
    N.backward(this._id, g,
      retainGraph === undefined || retainGraph === null ? undefined : optBool(retainGraph, 'retainGraph', 'backward', false),
      optBool(createGraph, 'createGraph', 'backward', false), ins);
  }
}
(Tensor.prototype as unknown as Record<symbol, boolean>)[TENSOR_BRAND] = true;

/** Copies the mixins' methods onto Tensor.prototype (non-enumerable, as class methods are). */
function mixin(target: { prototype: object }, ...sources: (new () => object)[]): void {
  for (const s of sources) {
    if (typeof (s as unknown) !== 'function') throw new Error('sigprop: a Tensor mixin was loaded before tensor.ts (import it only through tensor.ts)');
    const d = Object.getOwnPropertyDescriptors(s.prototype);
    Reflect.deleteProperty(d, 'constructor');
    Object.defineProperties(target.prototype, d);
  }
}
mixin(Tensor, TensorMath, TensorReductions, TensorShape);

export interface NewOptions { dtype?: DTypeLike; device?: Device; requiresGrad?: boolean }

function newLike(self: Tensor, f: OpFn, fn: string, size: number[], fill: Scalar | undefined, opts: NewOptions | undefined): Tensor {
  if (!Array.isArray(size) && typeof size !== 'number') throw new TypeError(`${fn}(): 'size' must be an array of integers, got ${describe(size)}`);
  const o = checkKeys(fn, opts, ['dtype', 'device', 'requiresGrad']) ?? {};
  const s = sizeArgs([size], fn).size;
  const dev = o.device === undefined ? undefined : toDevice(o.device);
  const args: unknown[] = fill === undefined ? [self._id, s, optDtypeCode(o.dtype), undefined, dev] : [self._id, s, fill, optDtypeCode(o.dtype), undefined, dev];
  const t = T(f(args));
  if (o.requiresGrad) t.requiresGrad_(true);
  return t;
}
