/** Tensor creation and the torch.* functions (torch.add(a, b) is a.add(b), and so on). */
import { types } from 'util';
import { N } from './native';
import { describe } from './errors';
import { DTypeLike, Device, dtypeCode, elementSize, optDtypeCode, optDevice, toDType, isFloatingPoint } from './dtype';
import { Tensor, T, TT, op, tid, genHandle, tensorFromData, whereImpl, whereCondition, NestedArray, TypedArray, TensorOrScalar, ValuesIndices } from './tensor';
import type { OpFn } from './ops';
import { bind, sizeArgs, isKw, checkOptions, KEYWORD_KEYS, checkInt, checkBool, checkNotDetached } from './args';
import type { Handle } from './native-api';
import type { Generator } from './random';

export interface TensorOptions {
  dtype?: DTypeLike;
  device?: Device;
  requiresGrad?: boolean;
}
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

const CREATION_KEYS = ['dtype', 'device', 'requiresGrad'];
const RANDOM_KEYS = ['dtype', 'device', 'requiresGrad', 'generator'];

function checkOpts(fn: string, o: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> {
  return o === undefined || o === null ? {} : checkOptions(fn, o, keys, KEYWORD_KEYS);
}

function finish(t: Tensor, o: Record<string, unknown>, fn: string): Tensor {
  if (o.requiresGrad !== undefined && o.requiresGrad !== false) {
    if (o.requiresGrad !== true) throw new TypeError(`${fn}(): 'requiresGrad' must be a boolean, got ${describe(o.requiresGrad)}`);
    t.requiresGrad_(true);
  }
  return t;
}

/** Default dtype of float-valued creation functions: float32, or the given dtype. */
function floatDtype(o: Record<string, unknown>): number | undefined {
  return optDtypeCode(o.dtype ?? 'float32');
}

const F = {
  zeros: op('zeros'), ones: op('ones'), empty: op('empty', 'memory_format'), full: op('full'),
  zerosLike: op('zeros_like'), onesLike: op('ones_like'), emptyLike: op('empty_like'), fullLike: op('full_like'),
  randLike: op('rand_like'), randnLike: op('randn_like'), randintLike: op('randint_like'), randintLikeLow: op('randint_like', 'low_dtype'),
  arange: op('arange', 'start_step'), linspace: op('linspace'), logspace: op('logspace'), eye: op('eye'), eyeM: op('eye', 'm'),
  rand: op('rand', 'generator'), randn: op('randn', 'generator'), randint: op('randint', 'low_generator'), randperm: op('randperm', 'generator'),
  cat: op('cat'), stack: op('stack'), hstack: op('hstack'), vstack: op('vstack'),
  oneHot: op('one_hot'), multinomial: op('multinomial'), bernoulli: op('bernoulli'), normal: op('normal', 'Tensor_Tensor'),
  tensordot: op('tensordot'), einsum: op('einsum'), cdist: op('cdist'), meshgrid: op<Handle[]>('meshgrid', 'indexing'),
};

/**
 * torch.tensor(data, { dtype, device, requiresGrad }): data is a number, boolean, bigint, nested
 * arrays of them, or a typed array. Numbers make float32 unless dtype says otherwise (JavaScript
 * has no integer literals); booleans make bool; bigints make int64; typed arrays keep their type.
 */
export function tensor(data: NestedArray<number | boolean | bigint> | TypedArray | Tensor, options?: TensorOptions): Tensor {
  const o = checkOpts('tensor', options as Record<string, unknown>, CREATION_KEYS);
  if (o.requiresGrad !== undefined) checkBool(o.requiresGrad, 'requiresGrad', 'tensor');
  if (data instanceof Tensor) {
    let t = data.detach().clone();
    if (o.dtype !== undefined || o.device !== undefined) t = t.to({ dtype: o.dtype ?? t.dtype, device: o.device ?? t.device });
    return finish(t, o, 'tensor');
  }
  return tensorFromData(data, o.dtype as DTypeLike | undefined, optDevice(o.device), o.requiresGrad === true, 'tensor');
}

// (util.types, not instanceof: a buffer may come from another realm, e.g. a vm context or jest's)
const { isAnyArrayBuffer, isSharedArrayBuffer } = types;

/**
 * torch.frombuffer(buffer, { dtype, count = -1, offset = 0 }): a 1-d tensor of the buffer's bytes
 * read as `dtype`. On a SharedArrayBuffer the tensor uses the buffer's memory, as PyTorch's does
 * (writes on either side are seen by the other, in every thread that has the buffer; the buffer
 * lives while the tensor does). An ArrayBuffer is copied: it can be detached (transferred) under
 * the tensor, a SharedArrayBuffer cannot.
 */
export function frombuffer(buffer: ArrayBuffer | SharedArrayBuffer | ArrayBufferView, options: { dtype: DTypeLike; count?: number; offset?: number }): Tensor {
  const o = checkOpts('frombuffer', options as unknown as Record<string, unknown>, ['dtype', 'count', 'offset']);
  const dt = toDType(o.dtype, 'dtype');
  let bytes: Uint8Array;
  if (isAnyArrayBuffer(buffer)) {
    checkNotDetached(buffer, 'buffer', 'frombuffer');
    bytes = new Uint8Array(buffer);
  } else if (ArrayBuffer.isView(buffer)) {
    checkNotDetached(buffer.buffer, 'buffer', 'frombuffer');
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } else throw new TypeError(`frombuffer(): 'buffer' must be an ArrayBuffer, a SharedArrayBuffer or a typed array, got ${describe(buffer)}`);
  const esize = elementSize(dt);
  const offset = o.offset === undefined ? 0 : (o.offset as number);
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) throw new RangeError(`frombuffer(): 'offset' must be in [0, ${bytes.length}], got ${describe(o.offset)}`);
  const avail = Math.floor((bytes.length - offset) / esize);
  const count = o.count === undefined || o.count === -1 ? avail : (o.count as number);
  if (!Number.isInteger(count) || count < 0 || count > avail) throw new RangeError(`frombuffer(): 'count' ${describe(o.count)} needs ${count * esize} bytes after offset ${offset}, but the buffer has ${bytes.length - offset}`);
  if (o.count === undefined && (bytes.length - offset) % esize !== 0) throw new RangeError(`frombuffer(): buffer length ${bytes.length - offset} (after offset) is not a multiple of the ${dt} element size ${esize}`);
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset + offset, count * esize);
  if (isSharedArrayBuffer(bytes.buffer)) return T(N.fromSharedBuffer(view, [count], dtypeCode(dt)));
  // one copy, straight from the caller's bytes into the tensor (the native side memcpys from the view)
  return T(N.fromBuffer(view, [count], dtypeCode(dt), dtypeCode(dt), null, false));
}

/** torch.asTensor: like tensor(), but returns `data` itself when it already is a tensor of that dtype/device. */
export function asTensor(data: NestedArray<number | boolean | bigint> | TypedArray | Tensor, options?: { dtype?: DTypeLike; device?: Device }): Tensor {
  if (data instanceof Tensor) {
    const o = checkOpts('asTensor', options as Record<string, unknown>, ['dtype', 'device']);
    return data.to({ dtype: (o.dtype as DTypeLike | undefined) ?? data.dtype, device: (o.device as Device | undefined) ?? data.device });
  }
  return tensor(data, options);
}

function sizedFactory(fn: string, f: OpFn, float = true) {
  return (...args: unknown[]): Tensor => {
    const { size, rest } = sizeArgs(args, fn, 'size', false, true);
    const o = checkOpts(fn, rest, CREATION_KEYS);
    const dt = float ? floatDtype(o) : optDtypeCode(o.dtype);
    return finish(T(f([size, dt, undefined, optDevice(o.device)])), o, fn);
  };
}

/** zeros(...size, { dtype, device, requiresGrad }) or zeros([size], {...}) */
export const zeros: (...args: (number | number[] | TensorOptions)[]) => Tensor = sizedFactory('zeros', F.zeros);
export const ones: (...args: (number | number[] | TensorOptions)[]) => Tensor = sizedFactory('ones', F.ones);
export const empty: (...args: (number | number[] | TensorOptions)[]) => Tensor = sizedFactory('empty', F.empty);

/** full(size, fillValue, options): float32 for numbers unless dtype is given, bool for booleans. */
export function full(size: number[], fillValue: number | boolean, options?: TensorOptions): Tensor {
  const o = checkOpts('full', options as Record<string, unknown>, CREATION_KEYS);
  const { size: s } = sizeArgs([size], 'full');
  if (typeof fillValue !== 'number' && typeof fillValue !== 'boolean') throw new TypeError(`full(): 'fillValue' must be a number or boolean, got ${describe(fillValue)}`);
  const dt = optDtypeCode(o.dtype ?? (typeof fillValue === 'boolean' ? 'bool' : 'float32'));
  return finish(T(F.full([s, fillValue, dt, undefined, optDevice(o.device)])), o, 'full');
}

function likeFactory(fn: string, f: OpFn) {
  return (input: Tensor, options?: TensorOptions): Tensor => {
    const o = checkOpts(fn, options as Record<string, unknown>, CREATION_KEYS);
    return finish(T(f([tid(input, 'input', fn), optDtypeCode(o.dtype), undefined, optDevice(o.device)])), o, fn);
  };
}
export const zerosLike = likeFactory('zerosLike', F.zerosLike);
export const onesLike = likeFactory('onesLike', F.onesLike);
export const emptyLike = likeFactory('emptyLike', F.emptyLike);
export const randLike = likeFactory('randLike', F.randLike);
export const randnLike = likeFactory('randnLike', F.randnLike);
export function fullLike(input: Tensor, fillValue: number | boolean, options?: TensorOptions): Tensor {
  const o = checkOpts('fullLike', options as Record<string, unknown>, CREATION_KEYS);
  return finish(T(F.fullLike([tid(input, 'input', 'fullLike'), fillValue, optDtypeCode(o.dtype), undefined, optDevice(o.device)])), o, 'fullLike');
}
/** randintLike(input, high) or randintLike(input, low, high) */
export function randintLike(input: Tensor, ...args: unknown[]): Tensor {
  const rest = args.length && isKw(args[args.length - 1]) ? (args.pop() as Record<string, unknown>) : undefined;
  const o = checkOpts('randintLike', rest, CREATION_KEYS);
  const id = tid(input, 'input', 'randintLike');
  const t = args.length >= 2
    ? T(F.randintLikeLow([id, args[0], args[1], optDtypeCode(o.dtype), undefined, optDevice(o.device)]))
    : T(F.randintLike([id, args[0], optDtypeCode(o.dtype), undefined, optDevice(o.device)]));
  return finish(t, o, 'randintLike');
}

/**
 * arange(end) / arange(start, end, step = 1, options). Like PyTorch, integer arguments give int64
 * and any fractional one gives float32, unless dtype is given.
 */
export function arange(...args: unknown[]): Tensor {
  const rest = args.length && isKw(args[args.length - 1]) ? (args.pop() as Record<string, unknown>) : undefined;
  const o = checkOpts('arange', rest, CREATION_KEYS);
  if (args.length < 1 || args.length > 3) throw new TypeError(`arange() takes 1 to 3 positional arguments (${args.length} given)`);
  for (const a of args) if (typeof a !== 'number') throw new TypeError(`arange(): arguments must be numbers, got ${describe(a)}`);
  const [start, end, step] = args.length === 1 ? [0, args[0], 1] : [args[0], args[1], args[2] ?? 1];
  if (step === 0) throw new RangeError('arange(): step must be nonzero');
  return finish(T(F.arange([start, end, step, optDtypeCode(o.dtype), undefined, optDevice(o.device)])), o, 'arange');
}

/** linspace(start, end, steps, options): float32 by default. */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  const o = checkOpts('linspace', options as Record<string, unknown>, CREATION_KEYS);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace(): 'steps' must be a non-negative integer, got ${describe(steps)}`);
  return finish(T(F.linspace([start, end, steps, floatDtype(o), undefined, optDevice(o.device)])), o, 'linspace');
}

export function logspace(start: number, end: number, steps: number, base = 10, options?: TensorOptions): Tensor {
  const o = checkOpts('logspace', options as Record<string, unknown>, CREATION_KEYS);
  return finish(T(F.logspace([start, end, steps, base, floatDtype(o), undefined, optDevice(o.device)])), o, 'logspace');
}

/** eye(n, m?, options) */
export function eye(n: number, ...args: unknown[]): Tensor {
  const rest = args.length && isKw(args[args.length - 1]) ? (args.pop() as Record<string, unknown>) : undefined;
  const o = checkOpts('eye', rest, CREATION_KEYS);
  const { size } = sizeArgs([n, ...args], 'eye', 'n');
  const t = size.length === 1 ? T(F.eye([size[0], floatDtype(o), undefined, optDevice(o.device)])) : T(F.eyeM([size[0], size[1], floatDtype(o), undefined, optDevice(o.device)]));
  return finish(t, o, 'eye');
}

function randomFactory(fn: string, f: OpFn) {
  return (...args: unknown[]): Tensor => {
    const { size, rest } = sizeArgs(args, fn, 'size', false, true);
    const o = checkOpts(fn, rest, RANDOM_KEYS);
    return finish(T(f([size, genHandle(o.generator), floatDtype(o), undefined, optDevice(o.device)])), o, fn);
  };
}
/** rand(...size, { generator, dtype, device, requiresGrad }): uniform on [0, 1). */
export const rand: (...args: (number | number[] | RandomOptions)[]) => Tensor = randomFactory('rand', F.rand);
/** randn(...size, { generator, dtype, device, requiresGrad }): standard normal. */
export const randn: (...args: (number | number[] | RandomOptions)[]) => Tensor = randomFactory('randn', F.randn);

/** randint(high, size) or randint(low, high, size), with { generator, dtype (int64), device }. */
export function randint(...args: unknown[]): Tensor {
  const rest = args.length && isKw(args[args.length - 1]) ? (args.pop() as Record<string, unknown>) : undefined;
  const o = checkOpts('randint', rest, RANDOM_KEYS);
  let low: unknown = 0, high: unknown, size: unknown;
  if (args.length === 2) [high, size] = args;
  else if (args.length === 3) [low, high, size] = args;
  else throw new TypeError(`randint() takes (high, size) or (low, high, size), got ${args.length} arguments`);
  if (!Array.isArray(size)) throw new TypeError(`randint(): 'size' must be an array of integers, got ${describe(size)}`);
  const s = sizeArgs([size], 'randint').size;
  return finish(T(F.randint([low, high, s, genHandle(o.generator), optDtypeCode(o.dtype ?? 'int64'), undefined, optDevice(o.device)])), o, 'randint');
}

/** randperm(n, { generator, dtype (int64), device }) */
export function randperm(n: number, options?: RandomOptions): Tensor {
  const o = checkOpts('randperm', options as Record<string, unknown>, RANDOM_KEYS);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm(): 'n' must be a non-negative integer, got ${describe(n)}`);
  return finish(T(F.randperm([n, genHandle(o.generator), optDtypeCode(o.dtype ?? 'int64'), undefined, optDevice(o.device)])), o, 'randperm');
}

/** multinomial(input, numSamples, replacement = false, { generator }) */
export function multinomial(input: Tensor, numSamples: number, ...args: unknown[]): Tensor {
  const [replacement, generator] = bind('multinomial', args, ['replacement', 'generator']);
  return T(F.multinomial([tid(input, 'input', 'multinomial'), numSamples, replacement ?? false, genHandle(generator)]));
}
export function bernoulli(input: Tensor, options?: { generator?: Generator }): Tensor {
  return T(F.bernoulli([tid(input, 'input', 'bernoulli'), genHandle(options?.generator)]));
}

function tensorList(ts: unknown, fn: string): number[] {
  if (!Array.isArray(ts)) throw new TypeError(`${fn}(): 'tensors' must be an array of Tensors, got ${describe(ts)}`);
  return ts.map((t) => tid(t, 'tensors', fn));
}
/** cat(tensors, dim = 0) */
export function cat(tensors: Tensor[], dim = 0): Tensor { return T(F.cat([tensorList(tensors, 'cat'), dim])); }
export const concat = cat;
/** stack(tensors, dim = 0) */
export function stack(tensors: Tensor[], dim = 0): Tensor { return T(F.stack([tensorList(tensors, 'stack'), dim])); }
export function hstack(tensors: Tensor[]): Tensor { return T(F.hstack([tensorList(tensors, 'hstack')])); }
export function vstack(tensors: Tensor[]): Tensor { return T(F.vstack([tensorList(tensors, 'vstack')])); }

/** where(condition, input, other) (scalars allowed), or where(condition) -> indices per dimension. */
export function where(condition: Tensor): Tensor[];
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor;
export function where(condition: Tensor, input?: TensorOrScalar, other?: TensorOrScalar): Tensor | Tensor[] {
  if (input === undefined && other === undefined) return whereCondition(condition);
  return whereImpl(condition, input as TensorOrScalar, other as TensorOrScalar);
}

/** oneHot(tensor, numClasses = -1): int64 one-hot encoding. */
export function oneHot(input: Tensor, numClasses = -1): Tensor { return T(F.oneHot([tid(input, 'input', 'oneHot'), numClasses])); }

export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  const ops = operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : (operands as Tensor[]);
  return T(F.einsum([equation, tensorList(ops, 'einsum')]));
}
export function tensordot(a: Tensor, b: Tensor, dims: number | [number[], number[]] = 2): Tensor {
  tid(a, 'a', 'tensordot');
  tid(b, 'b', 'tensordot');
  let da: number[], db: number[];
  if (typeof dims === 'number') {
    const na = a.dim();
    if (!Number.isInteger(dims) || dims < 0 || dims > Math.min(na, b.dim())) throw new RangeError(`tensordot(): 'dims' must be an integer in [0, ${Math.min(na, b.dim())}], got ${dims}`);
    da = Array.from({ length: dims }, (_, i) => na - dims + i);
    db = Array.from({ length: dims }, (_, i) => i);
  } else if (Array.isArray(dims) && dims.length === 2 && Array.isArray(dims[0]) && Array.isArray(dims[1])) [da, db] = dims;
  else throw new TypeError(`tensordot(): 'dims' must be an integer or two arrays of dimensions, got ${describe(dims)}`);
  return T(F.tensordot([tid(a, 'a', 'tensordot'), tid(b, 'b', 'tensordot'), da, db]));
}
export function meshgrid(tensors: Tensor[], options?: { indexing?: 'ij' | 'xy' }): Tensor[] {
  return TT(F.meshgrid([tensorList(tensors, 'meshgrid'), options?.indexing ?? 'ij']));
}
export function cdist(x1: Tensor, x2: Tensor, p = 2): Tensor { return T(F.cdist([tid(x1, 'x1', 'cdist'), tid(x2, 'x2', 'cdist'), p])); }

export function isTensor(x: unknown): x is Tensor { return x instanceof Tensor; }
export function numel(input: Tensor): number {
  tid(input, 'input', 'numel');
  return input.numel();
}
export function isFloatingPointDtype(d: DTypeLike): boolean { return isFloatingPoint(toDType(d)); }

export function setNumThreads(n: number): void {
  checkInt(n, 'n', 'setNumThreads');
  if (n < 1) throw new RangeError(`setNumThreads(): 'n' must be >= 1, got ${n}`);
  N.setNumThreads(n);
}
export function getNumThreads(): number { return N.getNumThreads(); }
export function getNumInteropThreads(): number { return N.getNumInteropThreads(); }

// torch.fn(input, ...args) forms of the Tensor methods
interface MaxMin {
  (input: Tensor): Tensor;
  (input: Tensor, dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
  (input: Tensor, opts: { dim: number; keepdim?: boolean }): ValuesIndices;
  (input: Tensor, other: Tensor): Tensor;
}
type Method<K extends keyof Tensor> = Tensor[K] extends (...a: infer A) => infer R ? (input: Tensor, ...args: A) => R : never;
/** How many parameters a method declares (Infinity with a rest parameter), read from its source once. */
function declaredParams(f: (...a: unknown[]) => unknown): number {
  const src = Function.prototype.toString.call(f);
  const m = /^[\w$]+\s*\(([^)]*)\)/.exec(src);
  if (!m) return Infinity;
  const list = m[1].trim();
  if (list === '') return 0;
  if (list.includes('...') || /[=({[]/.test(list)) return list.includes('...') ? Infinity : list.split(',').length;
  return list.split(',').length;
}
function fromMethod<K extends keyof Tensor>(name: K): Method<K> {
  // more arguments than the method declares (torch.sin(x, 1), torch.mul(x, 2, {...})) is Python's TypeError
  const max = declaredParams(Tensor.prototype[name] as (...a: unknown[]) => unknown);
  return ((input: Tensor, ...args: unknown[]) => {
    if (!(input instanceof Tensor)) throw new TypeError(`torch.${String(name)}(): 'input' must be a Tensor, got ${describe(input)}`);
    if (args.length > max) throw new TypeError(`torch.${String(name)}() takes at most ${max + 1} argument${max ? 's' : ''} (${args.length + 1} given)`);
    return (input[name] as (...a: unknown[]) => unknown)(...args);
  }) as Method<K>;
}
export const add = fromMethod('add'), sub = fromMethod('sub'), mul = fromMethod('mul'), div = fromMethod('div');
export const subtract = sub, multiply = mul, divide = div;
export const matmul = fromMethod('matmul'), mm = fromMethod('mm'), bmm = fromMethod('bmm'), dot = fromMethod('dot');
export const neg = fromMethod('neg'), abs = fromMethod('abs'), exp = fromMethod('exp'), log = fromMethod('log'), sqrt = fromMethod('sqrt');
export const rsqrt = fromMethod('rsqrt'), pow = fromMethod('pow'), clamp = fromMethod('clamp'), clip = fromMethod('clip'), sign = fromMethod('sign');
export const floor = fromMethod('floor'), ceil = fromMethod('ceil'), round = fromMethod('round'), trunc = fromMethod('trunc');
export const square = fromMethod('square'), reciprocal = fromMethod('reciprocal'), remainder = fromMethod('remainder'), fmod = fromMethod('fmod');
export const sin = fromMethod('sin'), cos = fromMethod('cos'), tan = fromMethod('tan'), log1p = fromMethod('log1p'), log2 = fromMethod('log2'), expm1 = fromMethod('expm1'), erf = fromMethod('erf');
export const sum = fromMethod('sum'), mean = fromMethod('mean'), std = fromMethod('std'), var_ = fromMethod('var'), prod = fromMethod('prod');
export { var_ as var };
export const bitwiseNot = fromMethod('bitwiseNot'), bitwiseAnd = fromMethod('bitwiseAnd'), bitwiseOr = fromMethod('bitwiseOr'), bitwiseXor = fromMethod('bitwiseXor');
/** torch.max(input) / torch.max(input, dim, keepdim?) -> [values, indices] / torch.max(input, other) */
export const max = fromMethod('max') as unknown as MaxMin, min = fromMethod('min') as unknown as MaxMin;
export const amax = fromMethod('amax'), amin = fromMethod('amin');
export const maximum = fromMethod('maximum'), minimum = fromMethod('minimum');
export const argmax = fromMethod('argmax'), argmin = fromMethod('argmin'), topk = fromMethod('topk'), sort = fromMethod('sort'), argsort = fromMethod('argsort');
export const cumsum = fromMethod('cumsum'), cumprod = fromMethod('cumprod'), logsumexp = fromMethod('logsumexp'), norm = fromMethod('norm');
export const eq = fromMethod('eq'), ne = fromMethod('ne'), lt = fromMethod('lt'), le = fromMethod('le'), gt = fromMethod('gt'), ge = fromMethod('ge');
export const equal = fromMethod('equal'), allclose = fromMethod('allclose'), isclose = fromMethod('isclose');
export const logicalAnd = fromMethod('logicalAnd'), logicalOr = fromMethod('logicalOr'), logicalXor = fromMethod('logicalXor'), logicalNot = fromMethod('logicalNot');
export const any = fromMethod('any'), all = fromMethod('all'), isnan = fromMethod('isnan'), isfinite = fromMethod('isfinite'), isinf = fromMethod('isinf');
export const softmax = fromMethod('softmax'), logSoftmax = fromMethod('logSoftmax'), relu = fromMethod('relu'), sigmoid = fromMethod('sigmoid'), tanh = fromMethod('tanh');
export const leakyRelu = fromMethod('leakyRelu'), gelu = fromMethod('gelu'), silu = fromMethod('silu'), elu = fromMethod('elu');
export const reshape = fromMethod('reshape'), flatten = fromMethod('flatten'), unflatten = fromMethod('unflatten'), permute = fromMethod('permute');
export const transpose = fromMethod('transpose'), t = fromMethod('t'), unsqueeze = fromMethod('unsqueeze'), squeeze = fromMethod('squeeze');
export const narrow = fromMethod('narrow'), select = fromMethod('select'), split = fromMethod('split'), chunk = fromMethod('chunk'), unbind = fromMethod('unbind');
export const flip = fromMethod('flip'), roll = fromMethod('roll'), tril = fromMethod('tril'), triu = fromMethod('triu');
export const gather = fromMethod('gather'), scatter = fromMethod('scatter'), scatterAdd = fromMethod('scatterAdd'), indexSelect = fromMethod('indexSelect');
export const maskedFill = fromMethod('maskedFill'), maskedSelect = fromMethod('maskedSelect'), nonzero = fromMethod('nonzero');
export const clone = fromMethod('clone'), detach = fromMethod('detach'), addcmul = fromMethod('addcmul'), addcdiv = fromMethod('addcdiv'), lerp = fromMethod('lerp');
