/**
 * Tensor lifetimes. libtorch memory is freed when a tensor is disposed: explicitly (dispose(),
 * `using`), by the scope it was created in (tidy / scope), or, as a backstop only, when the GC
 * collects its JS object (which on Node 20 happens only when the event loop turns).
 */
import { AsyncLocalStorage } from 'async_hooks';
import { N } from './native';

/** What memory.ts needs of a tensor (kept structural to avoid an import cycle with tensor.ts). */
export interface Owned {
  _id: number;
  _kept: boolean;
  /** GC backstop state: 0 none, 1 waiting for registration, 2 registered. */
  _reg: number;
  _grad: Owned | null;
}

export const TENSOR_BRAND = Symbol.for('sigprop.tensor');

const syncStack: Owned[][] = [];
const als = new AsyncLocalStorage<Owned[]>();
let asyncScopes = 0;

// The GC backstop. A tensor is registered only while no scope owns it, and unregistered when it
// is disposed, so a finalizer always frees a slot its tensor still owns.
//
// Registration is deferred to the next turn of the event loop: finalizers cannot run before then
// anyway, and a tensor disposed in the meantime (`a.add(b).dispose()`, `using`) never pays for
// register + unregister. The waiting list is compacted as it grows, so it stays small in a long
// synchronous loop, and is registered for real past a size bound.
const registry = new FinalizationRegistry<number>((slot) => N.free(slot));
let waiting: Owned[] = [];
let flushScheduled = false;
const WAITING_LIMIT = 4096;

function registerNow(t: Owned): void {
  registry.register(t, t._id, t);
  t._reg = 2;
}

function flushWaiting(): void {
  flushScheduled = false;
  const list = waiting;
  waiting = [];
  for (const t of list) if (t._reg === 1 && t._id >= 0) registerNow(t);
}

function register(t: Owned): void {
  if (t._reg !== 0 || t._id < 0) return;
  t._reg = 1;
  waiting.push(t);
  if (waiting.length >= WAITING_LIMIT) {
    waiting = waiting.filter((w) => w._reg === 1 && w._id >= 0);
    if (waiting.length >= WAITING_LIMIT / 2) flushWaiting();
  }
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushWaiting).unref();
  }
}

function unregister(t: Owned): void {
  if (t._reg === 2) registry.unregister(t);
  t._reg = 0;
}

function currentScope(): Owned[] | undefined {
  if (syncStack.length) return syncStack[syncStack.length - 1];
  return asyncScopes ? als.getStore() : undefined;
}

/** Called for every new tensor: the current scope owns it, or else the GC backstop watches it. */
export function track(t: Owned): void {
  const s = syncStack.length ? syncStack[syncStack.length - 1] : asyncScopes ? als.getStore() : undefined;
  if (s !== undefined) s.push(t);
  else register(t);
}

/** For tensors owned by another tensor (a cached .grad): no scope, only the GC backstop. */
export function trackUnscoped(t: Owned): void {
  register(t);
}

function isOwned(x: unknown): x is Owned {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[TENSOR_BRAND] === true;
}

/** Collects every tensor reachable from a scope's result (arrays, plain objects, Maps, Sets). */
function collect(v: unknown, out: Set<Owned>, seen: Set<unknown>, depth: number): void {
  if (typeof v !== 'object' || v === null || depth > 32) return;
  if (isOwned(v)) {
    out.add(v);
    return;
  }
  if (seen.has(v)) return;
  seen.add(v);
  if (Array.isArray(v)) {
    for (const x of v) collect(x, out, seen, depth + 1);
  } else if (v instanceof Map) {
    for (const [k, x] of v) {
      collect(k, out, seen, depth + 1);
      collect(x, out, seen, depth + 1);
    }
  } else if (v instanceof Set) {
    for (const x of v) collect(x, out, seen, depth + 1);
  } else if (!ArrayBuffer.isView(v) && !(v instanceof Promise)) {
    for (const k of Object.keys(v)) collect((v as Record<string, unknown>)[k], out, seen, depth + 1);
  }
}

/** Frees one tensor now (dispose()): the direct path, without the batch machinery. */
export function disposeOne(t: Owned): void {
  if (t._reg !== 0) unregister(t);
  if (t._id >= 0) {
    const id = t._id;
    t._id = -1;
    N.free(id);
  }
  const g = t._grad;
  if (g !== null) {
    t._grad = null;
    disposeOne(g);
  }
}

let freeBuf = new Int32Array(1024);

/** Frees the given tensors (and the gradients they own) in one native call. */
export function disposeMany(ts: Iterable<Owned>): void {
  let n = 0;
  const push = (t: Owned): void => {
    if (t._reg !== 0) unregister(t);
    if (t._id < 0) return;
    if (n === freeBuf.length) {
      const b = new Int32Array(freeBuf.length * 2);
      b.set(freeBuf);
      freeBuf = b;
    }
    freeBuf[n++] = t._id;
    t._id = -1;
  };
  for (const t of ts) {
    push(t);
    const g = t._grad;
    if (g !== null) {
      push(g);
      t._grad = null;
    }
  }
  if (n) N.freeMany(freeBuf, n);
}

function endScope(scope: Owned[], result: unknown): void {
  const keep = new Set<Owned>();
  if (result !== undefined) collect(result, keep, new Set(), 0);
  const outer = currentScope();
  const dead: Owned[] = [];
  for (const t of scope) {
    if (t._id < 0) continue;
    if (t._kept) register(t);
    else if (keep.has(t)) {
      if (outer) outer.push(t);
      else register(t);
    } else {
      dead.push(t);
    }
  }
  disposeMany(dead);
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * Runs `fn` synchronously; every tensor created inside is freed when it returns, except the ones
 * reachable from its result (tensor, array, object) and the ones passed to keep(). Survivors move
 * to the enclosing scope, if any. For async code use {@link scope}.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`torch.tidy(fn): 'fn' must be a function`);
  const s: Owned[] = [];
  syncStack.push(s);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    syncStack.pop();
    endScope(s, undefined);
    throw e;
  }
  syncStack.pop();
  if (isThenable(result)) {
    endScope(s, undefined);
    throw new TypeError('torch.tidy(fn): fn returned a Promise; tidy is for synchronous code, use `await torch.scope(async () => ...)`');
  }
  endScope(s, result);
  return result;
}

/**
 * The async-safe scope: like tidy, but `fn` may be async; tensors created in its async
 * continuations (after awaits) belong to it too. Resolves to fn's result.
 */
export async function scope<T>(fn: () => T | Promise<T>): Promise<T> {
  if (typeof fn !== 'function') throw new TypeError(`torch.scope(fn): 'fn' must be a function`);
  const s: Owned[] = [];
  asyncScopes++;
  try {
    let result: T;
    try {
      result = await als.run(s, fn);
    } catch (e) {
      endScope(s, undefined);
      throw e;
    }
    endScope(s, result);
    return result;
  } finally {
    asyncScopes--;
  }
}

/** Marks tensors so that no scope frees them (they are freed by dispose() or the GC). Returns its argument. */
export function keep<T>(x: T): T {
  const found = new Set<Owned>();
  collect(x, found, new Set(), 0);
  for (const t of found) t._kept = true;
  return x;
}

/** Disposes every tensor reachable from `x` (a tensor, an array or an object of tensors). */
export function dispose(x: unknown): void {
  const found = new Set<Owned>();
  collect(x, found, new Set(), 0);
  disposeMany(found);
}

export interface MemoryInfo {
  /** Live tensor handles held by JavaScript. */
  numTensors: number;
  /** Bytes of the distinct storages those tensors use. */
  numBytes: number;
  /** Bytes of freed large CPU blocks kept for reuse by sigprop's CPU allocator (see emptyCpuCache). */
  cpuCacheBytes: number;
  /** Bytes of large CPU blocks (>= 64 KiB) in use by any tensor, including ones JS does not hold. */
  cpuLargeBytesInUse: number;
}

/** Number and bytes of live tensors (handles held from JavaScript), and the CPU block cache. */
export function memory(): MemoryInfo {
  const [cached, inUse] = N.cpuCacheInfo() as number[];
  return { numTensors: N.liveCount(), numBytes: N.liveBytes(), cpuCacheBytes: cached, cpuLargeBytesInUse: inUse };
}

/** Returns the CPU allocator's cached free blocks to the operating system. */
export function emptyCpuCache(): void {
  N.cpuEmptyCache();
}
