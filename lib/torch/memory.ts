/**
 * Tensor lifetimes. libtorch memory is freed when a tensor is disposed: explicitly (dispose(),
 * `using`), by the scope it was created in (tidy / scope), or, as a backstop only, when the GC
 * collects its JS object (which on Node 20 happens only when the event loop turns).
 */
import { AsyncLocalStorage } from 'async_hooks';
import * as v8 from 'v8';
import * as vm from 'vm';
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
/** An async scope: its tensors, and whether it has ended (callbacks it started may outlive it). */
interface AsyncScope {
  readonly list: Owned[];
  ended: boolean;
}
const als = new AsyncLocalStorage<AsyncScope>();
let asyncScopes = 0;

/** The async scope of the running code, unless it has ended (a timer it started, firing later). */
function liveAsyncScope(): Owned[] | undefined {
  const a = als.getStore();
  return a !== undefined && !a.ended ? a.list : undefined;
}

// The GC backstop. A tensor is registered only while no scope owns it, and unregistered when it
// is disposed, so a finalizer always frees a slot its tensor still owns.
//
// Registration is deferred to the next turn of the event loop: finalizers cannot run before then
// anyway, and a tensor disposed in the meantime (`a.add(b).dispose()`, `using`) never pays for
// register + unregister. The waiting list is compacted as it grows, so it stays small in a long
// synchronous loop, and is registered for real past a size bound.
//
// FinalizationRegistry callbacks run only when the event loop turns, and V8 collects only when
// JS allocates, so the backstop has a synchronous half as well: every registered tensor is also
// watched natively (a weak reference to its JS object), and when the watched bytes grow past a
// bound the backstop forces a collection and frees, at once, the tensors whose objects it
// collected (N.sweep). It does this while registering (a long synchronous loop stays bounded:
// docs/design.md, "Memory") and from an unref'd timer when the loop goes idle with watched bytes
// grown (an idle process gives its memory back without waiting for the next allocation).
const registry = new FinalizationRegistry<number>((slot) => N.free(slot));
let waiting: Owned[] = [];
let flushScheduled = false;
const WAITING_LIMIT = 4096;
/**
 * Counted by the addon: [0] storage bytes stored since the waiting list was last flushed, [1] bytes
 * handed to the backstop (watched) since the last forced collection.
 */
const STATS = new Float64Array(2);
N.setStatsBuffer(STATS);
const WAITING_BYTES = 64 * 2 ** 20;
/** A forced collection when watched bytes pass max(SWEEP_MIN, 2 x what the last one left). */
const SWEEP_MIN = 256 * 2 ** 20;
let sweepAt = SWEEP_MIN;
/** An idle-time collection when IDLE_GROWTH bytes were handed to the backstop since the last one. */
const IDLE_GROWTH = 8 * 2 ** 20;
const IDLE_DELAY_MS = 1000;
let idleTimer: ReturnType<typeof setTimeout> | null = null;

/** V8's gc(), made available without --expose-gc (the flag applies to contexts made after it is set). */
let gcFn: (() => void) | null | undefined;
function forceGc(): boolean {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}

/** Forces a collection and frees the tensors of the collected objects now; returns how many. */
export function collectTensors(): number {
  if (!forceGc()) return 0;
  const n = N.sweep();
  STATS[1] = 0;
  sweepAt = Math.max(SWEEP_MIN, 2 * N.watchedBytes());
  return n;
}

function maybeSweep(): void {
  if (N.watchedBytes() >= sweepAt) collectTensors();
  else if (STATS[1] >= IDLE_GROWTH && idleTimer === null) {
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (STATS[1] < IDLE_GROWTH) return;
      // idle: what was freed goes back to the operating system too (the CPU block cache)
      if (collectTensors() > 0) N.cpuEmptyCache();
    }, IDLE_DELAY_MS);
    idleTimer.unref();
  }
}

function registerNow(t: Owned): void {
  registry.register(t, t._id, t);
  N.watch(t._id, t);
  t._reg = 2;
}

function flushWaiting(): void {
  flushScheduled = false;
  STATS[0] = 0;
  const list = waiting;
  waiting = [];
  for (const t of list) if (t._reg === 1 && t._id >= 0) registerNow(t);
  list.length = 0; // so that a collection now can take them
  maybeSweep();
}

function register(t: Owned): void {
  if (t._reg !== 0 || t._id < 0) return;
  t._reg = 1;
  waiting.push(t);
  if (waiting.length >= WAITING_LIMIT) {
    waiting = waiting.filter((w) => w._reg === 1 && w._id >= 0);
    if (waiting.length >= WAITING_LIMIT / 2) flushWaiting();
  } else if (STATS[0] >= WAITING_BYTES) {
    // many bytes since the last flush: what is still waiting may hold them (strongly), hand it to the backstop
    waiting = waiting.filter((w) => w._reg === 1 && w._id >= 0);
    flushWaiting();
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
  return asyncScopes ? liveAsyncScope() : undefined;
}

/** Called for every new tensor: the current scope owns it, or else the GC backstop watches it. */
export function track(t: Owned): void {
  const s = syncStack.length ? syncStack[syncStack.length - 1] : asyncScopes ? liveAsyncScope() : undefined;
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
  const s: AsyncScope = { list: [], ended: false };
  asyncScopes++;
  try {
    let result: T;
    try {
      // fn's synchronous part (up to its first await) is innermost too when scope() is called
      // inside tidy: its tensors are this scope's, not tidy's (tidy would free them when it returns)
      let pending: T | Promise<T>;
      syncStack.push(s.list);
      try {
        pending = als.run(s, fn);
      } finally {
        syncStack.pop();
      }
      result = await pending;
    } catch (e) {
      s.ended = true;
      endScope(s.list, undefined);
      throw e;
    }
    s.ended = true;
    endScope(s.list, result);
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
