/**
 * torch.distributed's process groups: initProcessGroup (env:// and tcp:// rendezvous over a
 * TCPStore, with the store keys of the loaded libtorch's PyTorch, 1.13's or 2.x's, so Node and
 * Python ranks can join one group), newGroup, destroyProcessGroup, getRank / getWorldSize.
 */
import { N } from '../native';
import { checkOptions, checkInt } from '../args';
import { DistError, DistStoreError, messageOf, explain } from './errors';
import { Store, TCPStore, PrefixStore } from './store';
import { torchAtLeast } from '../version';

/**
 * PyTorch 2.x's layout of a group's keys: the backend's under "<group name>/<device>/" of the
 * default_pg store (1.13: "<group name>" directly), no store barrier after creating a group unless
 * TORCH_DIST_INIT_BARRIER=1, and no sequence-number exchange.
 */
const PT2 = torchAtLeast(2);

/** The store a group's backend uses (PyTorch's prefix_store / backend_prefix_store). */
function backendStore(store: Store, name: string, backend: Backend): PrefixStore {
  if (!PT2) return new PrefixStore(name, store);
  return new PrefixStore(backend === 'nccl' ? 'cuda/' : 'cpu/', new PrefixStore(`${name}/`, store));
}

/** The store-based barrier after creating a group: always on 1.13, on 2.x only with TORCH_DIST_INIT_BARRIER=1. */
function initBarrier(store: Store, name: string, count: number, rank: number, worldSize: number, timeout: number, fn: string): void {
  if (!PT2) storeBarrier(store, `store_based_barrier_key:${count}`, rank, worldSize, timeout, fn);
  else if (Number(process.env.TORCH_DIST_INIT_BARRIER ?? '0') === 1) storeBarrier(store, `store_based_barrier_key:${name}`, rank, worldSize, timeout, fn);
}

export type Backend = 'gloo' | 'nccl';

/** PyTorch's default_pg_timeout: 30 minutes, in ms. */
export const DEFAULT_TIMEOUT = 30 * 60 * 1000;

const registry = new FinalizationRegistry<number>((h) => N.objectFree(h));

/** A process group: a set of ranks that run collectives together (libtorch's c10d::ProcessGroup). */
export class ProcessGroup {
  /** @internal */
  _handle: number;
  /** This process's rank in the group. */
  readonly rank: number;
  readonly size: number;
  readonly backend: Backend;
  /** Global ranks of the members, by group rank. */
  readonly ranks: readonly number[];
  readonly timeout: number;
  /** @internal */
  _store: Store;
  /** @internal */
  constructor(handle: number, rank: number, size: number, backend: Backend, ranks: number[], timeout: number, store: Store) {
    this._handle = handle;
    this.rank = rank;
    this.size = size;
    this.backend = backend;
    this.ranks = ranks;
    this.timeout = timeout;
    this._store = store;
    registry.register(this, handle, this);
  }
  /** @internal frees the native group and its own prefix stores (up to `upTo`, the default_pg store) */
  _free(upTo?: Store): void {
    if (this._handle < 0) return;
    registry.unregister(this);
    N.objectFree(this._handle);
    this._handle = -1;
    for (let s: Store | undefined = this._store; s instanceof PrefixStore && s !== upTo; s = s._inner) s.close();
  }
  /** The group rank of a global rank (throws when it is not a member). */
  groupRank(globalRank: number): number {
    const i = this.ranks.indexOf(globalRank);
    if (i < 0) throw new RangeError(`rank ${globalRank} is not part of this group (its members: ${this.ranks.join(', ')})`);
    return i;
  }
}

/** What newGroup returns on a rank that is not a member (PyTorch's GroupMember.NON_GROUP_MEMBER). */
export const NON_GROUP_MEMBER = Object.freeze({ nonGroupMember: true as const });
export type Group = ProcessGroup | typeof NON_GROUP_MEMBER;

interface World {
  pg: ProcessGroup;
  store: Store; // the default_pg prefix store (keys of every group go under it)
  root: Store; // the TCPStore
  groups: ProcessGroup[];
  groupCount: number; // PyTorch's _group_count: names the groups and their barriers
  initMethod: string;
}
let world: World | null = null;

export function isAvailable(): boolean { return N.distInfo().available; }
export function isGlooAvailable(): boolean { return N.distInfo().gloo; }
export function isNcclAvailable(): boolean { return N.distInfo().nccl; }
export function isInitialized(): boolean { return world !== null; }

/** @internal the default group, or a clear error */
export function defaultGroup(fn: string): ProcessGroup {
  if (!world) throw new DistError(`${fn}(): the default process group has not been initialized; call torch.distributed.initProcessGroup() first`);
  return world.pg;
}

/** @internal the group argument of a collective (undefined: the default group) */
export function groupArg(g: unknown, fn: string): ProcessGroup | null {
  if (g === undefined || g === null) return defaultGroup(fn);
  if (g === NON_GROUP_MEMBER) return null;
  if (!(g instanceof ProcessGroup)) throw new TypeError(`${fn}(): 'group' must be a ProcessGroup from newGroup(), got ${typeof g}`);
  if (g._handle < 0) throw new DistError(`${fn}(): the group was destroyed`);
  return g;
}

export interface InitOptions {
  /** 'gloo' (CPU tensors) or 'nccl' (CUDA tensors). Default 'gloo'. */
  backend?: Backend;
  /** 'env://' (default: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE) or 'tcp://host:port'. */
  initMethod?: string;
  /** Overrides RANK (required with tcp://). */
  rank?: number;
  /** Overrides WORLD_SIZE (required with tcp://). */
  worldSize?: number;
  /** Milliseconds that the rendezvous and every collective may take (default 30 minutes, PyTorch's). */
  timeout?: number;
  /** A store to use instead of a rendezvous (then rank and worldSize are required). */
  store?: Store;
}
const INIT_KEYS = ['backend', 'initMethod', 'rank', 'worldSize', 'timeout', 'store'] as const;

function envInt(name: string, given: number | undefined): number {
  if (given !== undefined) return given;
  const v = process.env[name];
  if (v === undefined || v === '') throw new DistError(`Error initializing torch.distributed using env:// rendezvous: environment variable ${name} expected, but not set`);
  const n = Number(v);
  if (!Number.isInteger(n)) throw new DistError(`Error initializing torch.distributed using env:// rendezvous: ${name} must be an integer, got '${v}'`);
  return n;
}

function checkBackend(b: unknown, fn: string): Backend {
  if (b !== 'gloo' && b !== 'nccl') throw new RangeError(`${fn}(): backend must be 'gloo' or 'nccl', got ${JSON.stringify(b)}`);
  const info = N.distInfo();
  if (!info.available) throw new DistError(`${fn}(): this build of the addon has no torch.distributed (its libtorch lacks c10d)`);
  if (b === 'gloo' && !info.gloo) throw new DistError(`${fn}(): backend 'gloo' is not in this build of the addon (rebuild with Gloo's headers installed: apt-get install libgloo-dev)`);
  if (b === 'nccl' && !info.nccl) {
    throw new DistError(`${fn}(): backend 'nccl' is not in this build: it needs a CUDA libtorch with NCCL (pip's CUDA PyTorch) and a GPU; use backend 'gloo'`);
  }
  return b;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void { Atomics.wait(sleeper, 0, 0, ms); }

/**
 * PyTorch's _store_based_barrier: every rank adds 1 to a counter and waits until it reaches the
 * world size. Each rank also leaves its world size in the store, so that ranks told different
 * world sizes fail with a message saying so instead of waiting out the timeout.
 */
function storeBarrier(store: Store, key: string, rank: number, worldSize: number, timeout: number, fn: string): void {
  store.set(`sigprop_world_size:${key}:${rank}`, String(worldSize));
  store.add(key, 1);
  const start = Date.now();
  let checkedRoot = rank === 0;
  for (;;) {
    const n = store.add(key, 0);
    if (!checkedRoot && store.check([`sigprop_world_size:${key}:0`])) {
      checkedRoot = true;
      const theirs = Number(store.get(`sigprop_world_size:${key}:0`));
      if (theirs !== worldSize) throw new DistError(`${fn}(): world size mismatch: this rank (${rank}) was given world size ${worldSize}, rank 0 was given ${theirs}`);
    }
    if (n === worldSize) return;
    if (n > worldSize) throw new DistError(`${fn}(): world size mismatch: ${n} ranks joined a group of world size ${worldSize} (the ranks were given different WORLD_SIZE values, or two jobs share MASTER_ADDR:MASTER_PORT)`);
    if (Date.now() - start > timeout) {
      throw new DistStoreError(`${fn}(): timed out after ${timeout} ms waiting for all ${worldSize} ranks to join (${n} joined; the others did not start, died, or were given another MASTER_ADDR/MASTER_PORT or WORLD_SIZE)`);
    }
    sleepMs(10);
  }
}

/**
 * Ranks told different world sizes would otherwise wait out the timeout connecting to peers that do
 * not exist: rank 0 leaves its world size in the store, and the others compare theirs (a Python
 * rank 0 leaves none; then the check is skipped after a second).
 */
function checkWorldSize(store: Store, rank: number, worldSize: number, timeout: number, fn: string): void {
  const key = 'sigprop_world_size';
  if (rank === 0) {
    store.set(key, String(worldSize));
    return;
  }
  const until = Date.now() + Math.min(1000, timeout);
  for (;;) {
    if (store.check([key])) {
      const theirs = Number(store.get(key));
      if (theirs !== worldSize) throw new DistError(`${fn}(): world size mismatch: this rank (${rank}) was given world size ${worldSize}, rank 0 was given ${theirs}`);
      return;
    }
    if (Date.now() > until) return;
    sleepMs(5);
  }
}

function newPg(fn: string, backend: Backend, store: Store, rank: number, size: number, timeout: number): number {
  try {
    const h = N.pgNew(backend, store._handle, rank, size, timeout);
    return h;
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw e;
    throw new DistError(`${fn}(): could not create the ${backend} process group (rank ${rank} of ${size}): ${explain(messageOf(e))}`, e);
  }
}

/**
 * torch.distributed.init_process_group: joins this process to the default group. Blocks until
 * every rank has joined (or the timeout passes).
 */
export function initProcessGroup(opts: InitOptions = {}): void {
  const fn = 'initProcessGroup';
  checkOptions(fn, opts, INIT_KEYS);
  if (world) throw new DistError(`${fn}(): trying to initialize the default process group twice`);
  const backend = checkBackend(opts.backend ?? 'gloo', fn);
  const timeout = opts.timeout ?? DEFAULT_TIMEOUT;
  if (typeof timeout !== 'number' || !(timeout > 0)) throw new RangeError(`${fn}(): 'timeout' must be a positive number of milliseconds, got ${String(timeout)}`);
  if (opts.rank !== undefined) checkInt(opts.rank, 'rank', fn);
  if (opts.worldSize !== undefined) checkInt(opts.worldSize, 'worldSize', fn);
  let initMethod = opts.initMethod ?? (opts.store ? '' : 'env://');
  let rank: number, worldSize: number, root: Store;
  if (opts.store !== undefined) {
    if (opts.initMethod !== undefined) throw new TypeError(`${fn}(): give either 'initMethod' or 'store', not both`);
    if (!(opts.store instanceof Store)) throw new TypeError(`${fn}(): 'store' must be a Store`);
    if (opts.rank === undefined || opts.worldSize === undefined) throw new TypeError(`${fn}(): with a store, 'rank' and 'worldSize' are required`);
    rank = opts.rank;
    worldSize = opts.worldSize;
    root = opts.store;
    initMethod = '';
  } else {
    let host: string, port: number;
    if (typeof initMethod !== 'string') throw new TypeError(`${fn}(): 'initMethod' must be a string`);
    if (initMethod === 'env://') {
      rank = envInt('RANK', opts.rank);
      worldSize = envInt('WORLD_SIZE', opts.worldSize);
      const addr = process.env.MASTER_ADDR;
      if (!addr) throw new DistError('Error initializing torch.distributed using env:// rendezvous: environment variable MASTER_ADDR expected, but not set');
      host = addr;
      port = envInt('MASTER_PORT', undefined);
    } else {
      const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(initMethod);
      if (!m) throw new RangeError(`${fn}(): initMethod must be 'env://' or 'tcp://host:port', got '${initMethod}'`);
      if (opts.rank === undefined || opts.worldSize === undefined) throw new TypeError(`${fn}(): with ${initMethod}, 'rank' and 'worldSize' are required`);
      host = m[1].replace(/^\[|\]$/g, '');
      port = Number(m[2]);
      rank = opts.rank;
      worldSize = opts.worldSize;
    }
    if (!(port >= 1 && port <= 65535)) throw new RangeError(`${fn}(): port must be in 1..65535, got ${port}`);
    if (worldSize < 1) throw new RangeError(`${fn}(): world size must be >= 1, got ${worldSize}`);
    if (rank < 0 || rank >= worldSize) throw new RangeError(`${fn}(): rank ${rank} is outside 0..${worldSize - 1} (world size ${worldSize})`);
    // The server does not wait for the workers here (the barrier below does, after checking the world
    // size); a client's waitForWorkers counts it in, which a Python server waits for.
    root = new TCPStore(host, port, { isMaster: rank === 0, worldSize, timeout, waitForWorkers: rank !== 0, multiTenant: true });
  }
  if (worldSize < 1) throw new RangeError(`${fn}(): world size must be >= 1, got ${worldSize}`);
  if (rank < 0 || rank >= worldSize) throw new RangeError(`${fn}(): rank ${rank} is outside 0..${worldSize - 1} (world size ${worldSize})`);
  const ownRoot = opts.store === undefined;
  let store: PrefixStore | null = null;
  let pg: ProcessGroup | null = null;
  let pgStore: PrefixStore | null = null;
  try {
    root.setTimeout(timeout);
    store = new PrefixStore('default_pg', root);
    checkWorldSize(store, rank, worldSize, timeout, fn);
    // the first group is named "0" (PyTorch's _group_count), its 1.13 barrier key counts 1
    pgStore = backendStore(store, '0', backend);
    const h = newPg(fn, backend, pgStore, rank, worldSize, timeout);
    pg = new ProcessGroup(h, rank, worldSize, backend, Array.from({ length: worldSize }, (_, i) => i), timeout, pgStore);
    initBarrier(store, '0', 1, rank, worldSize, timeout, fn);
    if (!PT2) N.pgSetSequenceNumber(h);
  } catch (e) {
    // nothing stays behind: a rank 0 that failed stops serving the store at once
    if (pg) pg._free(store ?? undefined);
    for (let p: Store | undefined = pgStore ?? undefined; p instanceof PrefixStore && p !== store; p = p._inner) p.close();
    store?.close();
    if (ownRoot) root.close();
    throw e instanceof DistError || e instanceof TypeError || e instanceof RangeError ? e : new DistError(`${fn}(): ${messageOf(e)}`, e);
  }
  world = { pg, store, root, groups: [pg], groupCount: 1, initMethod };
}

export interface NewGroupOptions {
  timeout?: number;
  backend?: Backend;
}

/**
 * torch.distributed.new_group: a group of some global ranks. Every rank of the default group must
 * call it (with the same ranks), members or not; non-members get NON_GROUP_MEMBER.
 */
export function newGroup(ranks?: number[], opts: NewGroupOptions = {}): Group {
  const fn = 'newGroup';
  checkOptions(fn, opts, ['timeout', 'backend']);
  const w = world;
  if (!w) throw new DistError(`${fn}(): the default process group has not been initialized; call initProcessGroup() first`);
  const backend = checkBackend(opts.backend ?? w.pg.backend, fn);
  const timeout = opts.timeout ?? w.pg.timeout;
  let members: number[];
  if (ranks === undefined || ranks === null) {
    members = [...w.pg.ranks];
  } else {
    if (!Array.isArray(ranks)) throw new TypeError(`${fn}(): 'ranks' must be an array of ranks`);
    members = [...ranks].sort((a, b) => a - b);
    if (members.length > w.pg.size) throw new RangeError(`${fn}(): the new group's world size should be less or equal to the world size set by initProcessGroup`);
    for (const r of members) {
      checkInt(r, 'ranks[i]', fn);
      if (r < 0 || r >= w.pg.size) throw new RangeError(`${fn}(): rank ${r} is outside the default group (0..${w.pg.size - 1})`);
    }
    if (new Set(members).size !== members.length) throw new RangeError(`${fn}(): 'ranks' has duplicates`);
  }
  const name = String(w.groupCount);
  w.groupCount++;
  const me = w.pg.rank;
  let result: Group = NON_GROUP_MEMBER;
  if (members.includes(me)) {
    const pgStore = backendStore(w.store, name, backend);
    const groupRank = members.indexOf(me);
    const h = newPg(fn, backend, pgStore, groupRank, members.length, timeout);
    const pg = new ProcessGroup(h, groupRank, members.length, backend, members, timeout, pgStore);
    w.groups.push(pg);
    result = pg;
  }
  initBarrier(w.store, name, w.groupCount, me, w.pg.size, timeout, fn);
  if (result instanceof ProcessGroup && !PT2) N.pgSetSequenceNumber(result._handle);
  return result;
}

/** torch.distributed.destroy_process_group: the group (default: the default group and every other group) is freed. */
export function destroyProcessGroup(group?: Group): void {
  const w = world;
  if (!w) throw new DistError('destroyProcessGroup(): the default process group has not been initialized');
  if (group === undefined || group === w.pg) {
    for (const g of w.groups) g._free(w.store);
    world = null;
    w.store.close();
    w.root.close();
    return;
  }
  if (group === NON_GROUP_MEMBER) return;
  if (!(group instanceof ProcessGroup)) throw new TypeError('destroyProcessGroup(): \'group\' must be a ProcessGroup');
  group._free(w.store);
  w.groups = w.groups.filter((g) => g !== group);
}

/** This process's rank in the group (default: the default group); -1 for a non-member. */
export function getRank(group?: Group): number {
  const g = groupArg(group, 'getRank');
  return g ? g.rank : -1;
}

/** The number of ranks in the group (default: the default group); -1 for a non-member. */
export function getWorldSize(group?: Group): number {
  const g = groupArg(group, 'getWorldSize');
  return g ? g.size : -1;
}

export function getBackend(group?: Group): Backend {
  const g = groupArg(group, 'getBackend');
  if (!g) throw new DistError('getBackend(): this rank is not a member of the group');
  return g.backend;
}

/** The default group's store (PyTorch's distributed_c10d._get_default_store). */
export function getDefaultStore(): Store {
  if (!world) throw new DistError('getDefaultStore(): the default process group has not been initialized');
  return world.store;
}
