/**
 * Tensors across worker threads. Each JavaScript thread (the main thread, each worker_threads
 * Worker) has its own tensors; a Tensor object cannot be posted. `share(x)` turns the tensors in x
 * (a tensor, or arrays / objects / Maps of them: a state dict) into tokens that postMessage carries,
 * and `fromShared(x)` on the other side turns them back into tensors on the same storage (no copy).
 * Storage lives while any thread holds a tensor on it, whichever side disposes first.
 */
import { threadId } from 'worker_threads';
import { N } from './native';
import { Tensor, T, tid } from './tensor';
import { describe } from './errors';
import { dtypeFromCode, type DType, type Device } from './dtype';

/** What postMessage carries for a shared tensor (a plain object). */
export interface SharedTensor {
  readonly __sigpropShared: 1;
  /** The process-wide share id. */
  readonly id: number;
  readonly shape: number[];
  readonly dtype: DType;
  readonly device: Device;
  readonly requiresGrad: boolean;
}

/** x with every tensor replaced by its token. */
export type Shared<X> = X extends Tensor ? SharedTensor
  : X extends Map<infer K, infer V> ? Map<K, Shared<V>>
    : X extends readonly unknown[] ? { [I in keyof X]: Shared<X[I]> }
      : X extends Record<string, unknown> ? { [K in keyof X]: Shared<X[K]> }
        : X;
/** x with every token replaced by a tensor. */
export type Received<X> = X extends SharedTensor ? Tensor
  : X extends Map<infer K, infer V> ? Map<K, Received<V>>
    : X extends readonly unknown[] ? { [I in keyof X]: Received<X[I]> }
      : X extends Record<string, unknown> ? { [K in keyof X]: Received<X[K]> }
        : X;

export interface ShareOptions {
  /**
   * How many times the tokens may be received (fromShared), e.g. one per Worker it is sent to
   * (default 1). A token's entry is dropped after its last reception, or by unshare().
   */
  receivers?: number;
}

export function isSharedTensor(x: unknown): x is SharedTensor {
  return typeof x === 'object' && x !== null && (x as { __sigpropShared?: unknown }).__sigpropShared === 1 && typeof (x as { id?: unknown }).id === 'number';
}

/**
 * A plain object, from any realm: what postMessage delivers is built in the receiving context's
 * realm, which under jest (vm contexts) is not this module's, so `p === Object.prototype` would miss it.
 */
function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const p = Object.getPrototypeOf(x);
  if (p === null || p === Object.prototype) return true;
  return Object.getPrototypeOf(p) === null && Object.prototype.toString.call(x) === '[object Object]' &&
    typeof (p as { constructor?: unknown }).constructor === 'function' && (p as { constructor: { name: string } }).constructor.name === 'Object';
}

/** Maps every leaf of a structure (arrays, plain objects, Maps); other values stay as they are. */
function mapLeaves(x: unknown, f: (leaf: unknown) => unknown, seen: Set<unknown>, depth: number): unknown {
  const y = f(x);
  if (y !== x) return y;
  if (typeof x !== 'object' || x === null) return x;
  if (depth > 64) throw new RangeError('share(): the structure is nested more than 64 levels deep');
  if (seen.has(x)) throw new TypeError('share(): the structure refers to itself (a cycle)');
  seen.add(x);
  try {
    if (Array.isArray(x)) return x.map((v) => mapLeaves(v, f, seen, depth + 1));
    if (x instanceof Map || Object.prototype.toString.call(x) === '[object Map]') return new Map([...(x as Map<unknown, unknown>)].map(([k, v]) => [k, mapLeaves(v, f, seen, depth + 1)]));
    if (isPlainObject(x)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x)) out[k] = mapLeaves(x[k], f, seen, depth + 1);
      return out;
    }
    return x;
  } finally {
    seen.delete(x);
  }
}

function checkReceivers(options: ShareOptions | undefined): number {
  if (options === undefined) return 1;
  if (!isPlainObject(options)) throw new TypeError(`share(): options must be a plain object, got ${describe(options)}`);
  for (const k of Object.keys(options)) if (k !== 'receivers') throw new TypeError(`share() got an unexpected keyword argument '${k}' (accepted: receivers)`);
  const r = options.receivers ?? 1;
  if (typeof r !== 'number' || !Number.isInteger(r)) throw new TypeError(`share(): 'receivers' must be an integer, got ${describe(r)}`);
  if (r < 1 || r > 2 ** 31) throw new RangeError(`share(): 'receivers' must be in [1, 2**31], got ${r}`);
  return r;
}

/**
 * Tokens for the tensors in x, for postMessage: `worker.postMessage(torch.share(model.stateDict()))`.
 * The tensors themselves stay usable here. A tensor that requires grad must be a leaf (a parameter):
 * its autograd graph stays with this thread (share t.detach() otherwise).
 */
export function share<X>(x: X, options?: ShareOptions): Shared<X> {
  const receivers = checkReceivers(options);
  const made: number[] = [];
  try {
    return mapLeaves(x, (v) => {
      if (!(v instanceof Tensor)) return v;
      const h = tid(v, 'x', 'share');
      const id = N.share(h, receivers, threadId);
      made.push(id);
      const token: SharedTensor = { __sigpropShared: 1, id, shape: N.shape(h), dtype: dtypeFromCode(N.dtype(h)), device: N.device(h), requiresGrad: N.requiresGrad(h) };
      return token;
    }, new Set(), 0) as Shared<X>;
  } catch (e) {
    for (const id of made) N.unshare(id);
    throw e;
  }
}

/**
 * Tensors for the tokens in x (as made by share() in any thread), on the same storage; they belong
 * to the current scope like any new tensor. Each token can be received as many times as its
 * `receivers` option allows.
 */
export function fromShared<X>(x: X): Received<X> {
  const made: Tensor[] = [];
  try {
    return mapLeaves(x, (v) => {
      if (!isSharedTensor(v)) return v;
      const t = T(N.fromShared(v.id));
      made.push(t);
      return t;
    }, new Set(), 0) as Received<X>;
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}

/** Drops the registry entries of the tokens in x that were not (all) received; returns how many were there. */
export function unshare(x: unknown): number {
  let n = 0;
  mapLeaves(x, (v) => {
    if (isSharedTensor(v) && N.unshare(v.id)) n++;
    return v;
  }, new Set(), 0);
  return n;
}

/**
 * Drops the tokens made by the given threads (Worker objects, or their threadId) that are still
 * unreceived; returns how many there were. Call it once those Workers have ended: a Worker
 * terminated between its share() and its postMessage, or whose message was never read, leaves
 * tokens nobody can receive, and their storage would stay until the process ends.
 */
export function unshareFrom(threads: number | { threadId: number } | readonly (number | { threadId: number })[]): number {
  const list = Array.isArray(threads) ? threads : [threads];
  const ids = list.map((w, i) => {
    const id = typeof w === 'number' ? w : typeof w === 'object' && w !== null ? (w as { threadId?: unknown }).threadId : undefined;
    // a Worker that has ended reports threadId -1: its id is gone, so it cannot be named after its exit
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new TypeError(`unshareFrom(): expected Workers or threadIds (integers >= 0), got ${describe(w)}${Array.isArray(threads) ? ` at index ${i}` : ''}${id === -1 ? ' (a Worker reports threadId -1 once it has ended: read worker.threadId before)' : ''}`);
    return id;
  });
  return N.unshareFrom(ids);
}

/** Tokens made by share() and not yet received or unshared, in the whole process. */
export function sharedCount(): number {
  return N.sharedCount();
}
