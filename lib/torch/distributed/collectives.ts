/**
 * torch.distributed's collectives and point-to-point operations on a process group: allReduce,
 * broadcast, allGather, reduceScatter, reduce, gather, scatter, barrier, send / recv / isend /
 * irecv. With `{ asyncOp: true }` they return a Work whose wait() is a Promise (the wait runs off
 * the JS thread); otherwise they block until done, as PyTorch's do. Ranks are global ranks.
 */
import { N } from '../native';
import { Tensor } from '../tensor';
import { tid } from '../tensor/calls';
import { checkOptions, checkInt } from '../args';
import { describe } from '../errors';
import { isFloatingPoint } from '../dtype';
import { groupArg, type Group, type ProcessGroup } from './group';
import { DistError, asBackendError } from './errors';

/** torch.distributed.ReduceOp. */
export const ReduceOp = Object.freeze({ SUM: 'SUM', AVG: 'AVG', PRODUCT: 'PRODUCT', MIN: 'MIN', MAX: 'MAX' } as const);
export type ReduceOpName = (typeof ReduceOp)[keyof typeof ReduceOp];
const OP_CODES: Record<string, number> = { SUM: 0, AVG: 1, PRODUCT: 2, MIN: 3, MAX: 4 };

const registry = new FinalizationRegistry<number>((h) => N.objectFree(h));

/** An operation in flight (PyTorch's Work). Its native object is freed when it ends. */
export class Work {
  /** @internal */
  _handle: number;
  private _what: string;
  private _then: (() => void) | undefined;
  private _done = false;
  private _source = -1;
  private _anySource: boolean;
  private _promise: Promise<void> | undefined;
  /** @internal the tensors the operation uses, kept alive until it ends */
  _tensors: Tensor[];
  /** @internal */
  constructor(handle: number, what: string, tensors: Tensor[], then?: () => void, anySource = false) {
    this._handle = handle;
    this._what = what;
    this._tensors = tensors;
    this._then = then;
    this._anySource = anySource;
    registry.register(this, handle, this);
  }
  /** Whether the operation has ended (successfully or not). */
  isCompleted(): boolean { return this._done || N.workIsCompleted(this._handle); }
  /** Resolves when the operation is done (the wait runs on libuv's thread pool); rejects with a DistBackendError. */
  wait(): Promise<void> {
    if (!this._promise) {
      this._promise = this._done ? Promise.resolve()
        : N.workWaitAsync(this._handle).then(() => this._finish(), (e: unknown) => { this._release(); throw asBackendError(this._what, e); });
    }
    return this._promise;
  }
  /** Blocks the JS thread until the operation is done (bounded by the group's timeout). */
  waitSync(): void {
    if (this._done) return;
    if (this._promise) throw new DistError(`${this._what}: wait() is already waiting on this Work; await it instead`);
    try {
      N.workWait(this._handle);
    } catch (e) {
      this._release();
      throw asBackendError(this._what, e);
    }
    this._finish();
  }
  /** For irecv from any source: the sender's group rank (after the wait). */
  sourceRank(): number {
    if (!this._done) throw new DistError(`${this._what}: sourceRank() is known once the receive has completed (wait first)`);
    return this._source;
  }
  private _finish(): void {
    if (this._done) return;
    if (this._anySource) this._source = N.workSourceRank(this._handle);
    const then = this._then;
    this._then = undefined;
    try {
      if (then) then();
    } finally {
      this._release();
    }
  }
  private _release(): void {
    this._done = true;
    this._tensors = [];
    if (this._handle >= 0) {
      registry.unregister(this);
      N.objectFree(this._handle);
      this._handle = -1;
    }
  }
}

interface CommonOptions {
  group?: Group;
  asyncOp?: boolean;
}
export interface ReduceOptions extends CommonOptions {
  op?: ReduceOpName;
}

function tensorArg(x: unknown, param: string, fn: string, pg: ProcessGroup): Tensor {
  tid(x, param, fn);
  const t = x as Tensor;
  if (pg.backend === 'nccl' && !t.device.startsWith('cuda')) throw new DistError(`${fn}(): backend 'nccl' works on CUDA tensors; '${param}' is on ${t.device} (use backend 'gloo' for CPU tensors)`);
  if (pg.backend === 'gloo' && t.device !== 'cpu' && !t.device.startsWith('cuda')) throw new DistError(`${fn}(): backend 'gloo' cannot use tensors on ${t.device}`);
  return t;
}

function tensorsArg(x: unknown, param: string, fn: string, pg: ProcessGroup, n?: number): Tensor[] {
  if (!Array.isArray(x)) throw new TypeError(`${fn}(): '${param}' must be an array of Tensors, got ${describe(x)}`);
  if (n !== undefined && x.length !== n) throw new RangeError(`${fn}(): '${param}' must hold one tensor per rank of the group (${n}), got ${x.length}`);
  return x.map((t, i) => tensorArg(t, `${param}[${i}]`, fn, pg));
}

function opArg(op: unknown, fn: string): ReduceOpName {
  if (op === undefined) return 'SUM';
  if (typeof op !== 'string' || !(op in OP_CODES)) throw new RangeError(`${fn}(): 'op' must be one of ReduceOp.SUM, AVG, PRODUCT, MIN, MAX, got ${describe(op)}`);
  return op as ReduceOpName;
}

function peerArg(r: unknown, param: string, fn: string, pg: ProcessGroup): number {
  checkInt(r, param, fn);
  const g = (r as number);
  const i = pg.ranks.indexOf(g);
  if (i < 0) throw new RangeError(`${fn}(): '${param}' rank ${g} is not in the group (its global ranks: ${pg.ranks.join(', ')})`);
  return i;
}

/** Starts the native operation and waits for it, or returns its Work. */
function run(fn: string, pg: ProcessGroup, start: () => number, tensors: Tensor[], asyncOp: boolean | undefined, then?: () => void, anySource = false): Work | undefined {
  let h: number;
  try {
    h = start();
  } catch (e) {
    throw asBackendError(fn, e);
  }
  const w = new Work(h, `${fn} (rank ${pg.ranks[pg.rank]} of ${pg.size})`, tensors, then, anySource);
  if (asyncOp) return w;
  w.waitSync();
  return undefined;
}

const REDUCE_KEYS = ['op', 'group', 'asyncOp'] as const;
const COMMON_KEYS = ['group', 'asyncOp'] as const;

/** The default group, or null when this rank is not in `group` (then the call does nothing, as in PyTorch). */
function target(opts: CommonOptions | undefined, fn: string, keys: readonly string[]): ProcessGroup | null {
  if (opts !== undefined) checkOptions(fn, opts, keys);
  return groupArg(opts?.group, fn);
}

/** Gloo has no AVG: SUM, then divide by the group size (floating-point tensors only). */
function avgSupport(op: ReduceOpName, pg: ProcessGroup, ts: Tensor[], fn: string): { code: number; then?: () => void } {
  if (op !== 'AVG' || pg.backend !== 'gloo') return { code: OP_CODES[op] };
  for (const t of ts) if (!isFloatingPoint(t.dtype)) throw new DistError(`${fn}(): ReduceOp.AVG needs floating-point tensors, got ${t.dtype}`);
  return { code: OP_CODES.SUM, then: () => { for (const t of ts) t.div_(pg.size); } };
}

export function allReduce(tensor: Tensor, opts: ReduceOptions & { asyncOp: true }): Work;
export function allReduce(tensor: Tensor, opts?: ReduceOptions): Work | undefined;
/** torch.distributed.all_reduce: tensor becomes the reduction over the group, in place. */
export function allReduce(tensor: Tensor, opts?: ReduceOptions): Work | undefined {
  const fn = 'allReduce';
  const pg = target(opts, fn, REDUCE_KEYS);
  if (!pg) return undefined;
  const t = tensorArg(tensor, 'tensor', fn, pg);
  const { code, then } = avgSupport(opArg(opts?.op, fn), pg, [t], fn);
  return run(fn, pg, () => N.pgAllReduce(pg._handle, [t._id], code), [t], opts?.asyncOp, then);
}

export function broadcast(tensor: Tensor, src: number, opts: CommonOptions & { asyncOp: true }): Work;
export function broadcast(tensor: Tensor, src: number, opts?: CommonOptions): Work | undefined;
/** torch.distributed.broadcast: every rank's tensor becomes rank src's. */
export function broadcast(tensor: Tensor, src: number, opts?: CommonOptions): Work | undefined {
  const fn = 'broadcast';
  const pg = target(opts, fn, COMMON_KEYS);
  if (!pg) return undefined;
  const t = tensorArg(tensor, 'tensor', fn, pg);
  const root = peerArg(src, 'src', fn, pg);
  return run(fn, pg, () => N.pgBroadcast(pg._handle, [t._id], root), [t], opts?.asyncOp);
}

export function reduce(tensor: Tensor, dst: number, opts: ReduceOptions & { asyncOp: true }): Work;
export function reduce(tensor: Tensor, dst: number, opts?: ReduceOptions): Work | undefined;
/** torch.distributed.reduce: rank dst's tensor becomes the reduction over the group (the others' are scratch). */
export function reduce(tensor: Tensor, dst: number, opts?: ReduceOptions): Work | undefined {
  const fn = 'reduce';
  const pg = target(opts, fn, REDUCE_KEYS);
  if (!pg) return undefined;
  const t = tensorArg(tensor, 'tensor', fn, pg);
  const root = peerArg(dst, 'dst', fn, pg);
  const op = opArg(opts?.op, fn);
  const { code, then } = avgSupport(op, pg, [t], fn);
  const onRoot = then && pg.rank === root ? then : undefined;
  return run(fn, pg, () => N.pgReduce(pg._handle, t._id, root, code), [t], opts?.asyncOp, onRoot);
}

export function allGather(tensorList: Tensor[], tensor: Tensor, opts: CommonOptions & { asyncOp: true }): Work;
export function allGather(tensorList: Tensor[], tensor: Tensor, opts?: CommonOptions): Work | undefined;
/** torch.distributed.all_gather: tensorList[i] becomes rank i's tensor. */
export function allGather(tensorList: Tensor[], tensor: Tensor, opts?: CommonOptions): Work | undefined {
  const fn = 'allGather';
  const pg = target(opts, fn, COMMON_KEYS);
  if (!pg) return undefined;
  const outs = tensorsArg(tensorList, 'tensorList', fn, pg, pg.size);
  const t = tensorArg(tensor, 'tensor', fn, pg);
  return run(fn, pg, () => N.pgAllGather(pg._handle, outs.map((o) => o._id), t._id), [...outs, t], opts?.asyncOp);
}

export interface GatherOptions extends CommonOptions {
  /** On rank dst: one tensor per rank, filled with their tensors. */
  gatherList?: Tensor[] | null;
  dst?: number;
}
export function gather(tensor: Tensor, opts: GatherOptions & { asyncOp: true }): Work;
export function gather(tensor: Tensor, opts?: GatherOptions): Work | undefined;
/** torch.distributed.gather: rank dst receives every rank's tensor in gatherList. */
export function gather(tensor: Tensor, opts?: GatherOptions): Work | undefined {
  const fn = 'gather';
  const pg = target(opts, fn, ['gatherList', 'dst', 'group', 'asyncOp']);
  if (!pg) return undefined;
  const t = tensorArg(tensor, 'tensor', fn, pg);
  const root = peerArg(opts?.dst ?? 0, 'dst', fn, pg);
  let list: Tensor[] = [];
  if (pg.rank === root) {
    if (opts?.gatherList == null) throw new TypeError(`${fn}(): rank ${pg.ranks[root]} is the destination and needs 'gatherList' (one tensor per rank)`);
    list = tensorsArg(opts.gatherList, 'gatherList', fn, pg, pg.size);
  } else if (opts?.gatherList != null && opts.gatherList.length > 0) {
    throw new TypeError(`${fn}(): 'gatherList' is only for the destination rank ${pg.ranks[root]}`);
  }
  return run(fn, pg, () => N.pgGather(pg._handle, list.map((o) => o._id), t._id, root), [...list, t], opts?.asyncOp);
}

export interface ScatterOptions extends CommonOptions {
  /** On rank src: one tensor per rank. */
  scatterList?: Tensor[] | null;
  src?: number;
}
export function scatter(tensor: Tensor, opts: ScatterOptions & { asyncOp: true }): Work;
export function scatter(tensor: Tensor, opts?: ScatterOptions): Work | undefined;
/** torch.distributed.scatter: rank i's tensor becomes scatterList[i] of rank src. */
export function scatter(tensor: Tensor, opts?: ScatterOptions): Work | undefined {
  const fn = 'scatter';
  const pg = target(opts, fn, ['scatterList', 'src', 'group', 'asyncOp']);
  if (!pg) return undefined;
  const t = tensorArg(tensor, 'tensor', fn, pg);
  const root = peerArg(opts?.src ?? 0, 'src', fn, pg);
  let list: Tensor[] = [];
  if (pg.rank === root) {
    if (opts?.scatterList == null) throw new TypeError(`${fn}(): rank ${pg.ranks[root]} is the source and needs 'scatterList' (one tensor per rank)`);
    list = tensorsArg(opts.scatterList, 'scatterList', fn, pg, pg.size);
  } else if (opts?.scatterList != null && opts.scatterList.length > 0) {
    throw new TypeError(`${fn}(): 'scatterList' is only for the source rank ${pg.ranks[root]}`);
  }
  return run(fn, pg, () => N.pgScatter(pg._handle, t._id, list.map((o) => o._id), root), [...list, t], opts?.asyncOp);
}

export function reduceScatter(output: Tensor, inputList: Tensor[], opts: ReduceOptions & { asyncOp: true }): Work;
export function reduceScatter(output: Tensor, inputList: Tensor[], opts?: ReduceOptions): Work | undefined;
/**
 * torch.distributed.reduce_scatter: output of rank i becomes the reduction of every rank's
 * inputList[i]. (Gloo in libtorch 1.13 has none: there it is an all-reduce of the stacked inputs.)
 */
export function reduceScatter(output: Tensor, inputList: Tensor[], opts?: ReduceOptions): Work | undefined {
  const fn = 'reduceScatter';
  const pg = target(opts, fn, REDUCE_KEYS);
  if (!pg) return undefined;
  const out = tensorArg(output, 'output', fn, pg);
  const ins = tensorsArg(inputList, 'inputList', fn, pg, pg.size);
  const op = opArg(opts?.op, fn);
  const { code, then } = avgSupport(op, pg, [out], fn);
  if (pg.backend === 'gloo' && !glooHasReduceScatter()) {
    for (const t of ins) {
      if (t.dtype !== out.dtype || t.numel() !== out.numel()) throw new DistError(`${fn}(): every input must have the output's dtype and number of elements`);
    }
    const stacked = stackFlat(ins);
    const copyOut = (): void => {
      const mine = stacked.narrow(0, pg.rank, 1).view(out.shape);
      out.copy_(mine);
      mine.dispose();
      if (then) then();
      stacked.dispose();
    };
    return run(fn, pg, () => N.pgAllReduce(pg._handle, [stacked._id], code), [stacked, out, ...ins], opts?.asyncOp, copyOut);
  }
  return run(fn, pg, () => N.pgReduceScatter(pg._handle, out._id, ins.map((t) => t._id), code), [out, ...ins], opts?.asyncOp, then);
}

function glooHasReduceScatter(): boolean {
  // ProcessGroupGloo::reduce_scatter arrived after 1.13
  return !/^1\./.test(N.buildInfo().torchVersion);
}

/** The inputs as the rows of one new contiguous tensor. */
function stackFlat(ts: Tensor[]): Tensor {
  const out = ts[0].newEmpty([ts.length, ts[0].numel()]);
  ts.forEach((t, i) => {
    const row = out.narrow(0, i, 1);
    const flat = t.reshape(1, -1);
    row.copy_(flat);
    row.dispose();
    flat.dispose();
  });
  return out;
}

export function barrier(opts: { group?: Group; asyncOp: true }): Work;
export function barrier(opts?: { group?: Group; asyncOp?: boolean }): Work | undefined;
/** torch.distributed.barrier: returns when every rank of the group has called it. */
export function barrier(opts?: { group?: Group; asyncOp?: boolean }): Work | undefined {
  const fn = 'barrier';
  const pg = target(opts, fn, COMMON_KEYS);
  if (!pg) return undefined;
  return run(fn, pg, () => N.pgBarrier(pg._handle), [], opts?.asyncOp);
}

export interface P2POptions {
  group?: Group;
  tag?: number;
}

/** torch.distributed.isend: sends tensor to rank dst; the Work ends when it has been sent. */
export function isend(tensor: Tensor, dst: number, opts?: P2POptions): Work {
  const fn = 'isend';
  if (opts !== undefined) checkOptions(fn, opts, ['group', 'tag']);
  const pg = groupArg(opts?.group, fn);
  if (!pg) throw new DistError(`${fn}(): this rank is not a member of the group`);
  const t = tensorArg(tensor, 'tensor', fn, pg);
  const peer = peerArg(dst, 'dst', fn, pg);
  if (peer === pg.rank) throw new RangeError(`${fn}(): cannot send to itself (rank ${dst})`);
  const tag = opts?.tag === undefined ? 0 : checkInt(opts.tag, 'tag', fn);
  return run(fn, pg, () => N.pgSend(pg._handle, t._id, peer, tag), [t], true) as Work;
}

/** torch.distributed.irecv: receives into tensor from rank src (undefined: any rank). */
export function irecv(tensor: Tensor, src?: number, opts?: P2POptions): Work {
  const fn = 'irecv';
  if (opts !== undefined) checkOptions(fn, opts, ['group', 'tag']);
  const pg = groupArg(opts?.group, fn);
  if (!pg) throw new DistError(`${fn}(): this rank is not a member of the group`);
  const t = tensorArg(tensor, 'tensor', fn, pg);
  const peer = src === undefined || src === null ? -1 : peerArg(src, 'src', fn, pg);
  if (peer === pg.rank) throw new RangeError(`${fn}(): cannot receive from itself (rank ${src})`);
  const tag = opts?.tag === undefined ? 0 : checkInt(opts.tag, 'tag', fn);
  return run(fn, pg, () => N.pgRecv(pg._handle, t._id, peer, tag), [t], true, undefined, peer < 0) as Work;
}

/** torch.distributed.send: blocks until sent. */
export function send(tensor: Tensor, dst: number, opts?: P2POptions): void {
  isend(tensor, dst, opts).waitSync();
}

/** torch.distributed.recv: blocks until received; returns the sender's global rank. */
export function recv(tensor: Tensor, src?: number, opts?: P2POptions): number {
  const w = irecv(tensor, src, opts);
  w.waitSync();
  const pg = groupArg(opts?.group, 'recv') as ProcessGroup;
  return src === undefined || src === null ? pg.ranks[w.sourceRank()] : src;
}
