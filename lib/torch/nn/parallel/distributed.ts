/**
 * nn.parallel.DistributedDataParallel: data parallel training over a torch.distributed group. The
 * initial parameters and buffers are broadcast from rank 0; during backward the addon's reducer
 * (native/c10d.cpp, c10d::Reducer's design) all-reduces the gradients in buckets as they become
 * ready, each gradient multiplied by 1 / world size, so after backward every rank holds the average.
 */
import { N } from '../../native';
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { checkOptions } from '../../args';
import { isGradEnabled, noGrad } from '../../autograd';
import { elementSize } from '../../dtype';
import { DType } from '../../codes';
import { groupArg, type Group, type ProcessGroup } from '../../distributed/group';
import { allReduce } from '../../distributed/collectives';
import { DistError, asBackendError } from '../../distributed/errors';

const registry = new FinalizationRegistry<number>((h) => N.objectFree(h));

/** dist._DEFAULT_FIRST_BUCKET_BYTES */
const FIRST_BUCKET_BYTES = 1024 * 1024;
/** c10d's broadcast_coalesced buffer of DDP's _sync_module_states (250 MB) */
const BROADCAST_BUCKET_BYTES = 250 * 1024 * 1024;

export interface DistributedDataParallelOptions {
  /** The group (default: the default group). */
  processGroup?: Group;
  /** Bucket size in MiB (default 25, PyTorch's). */
  bucketCapMb?: number;
  /** Broadcast the buffers (BatchNorm's running statistics) from rank 0 before each forward. Default true. */
  broadcastBuffers?: boolean;
  /** PyTorch's option; accepted as false only (parameters without gradient take part with zeros). */
  findUnusedParameters?: boolean;
  /** Accepted for PyTorch's signature: only CPU modules with Gloo, or one CUDA device per process. */
  deviceIds?: (number | string)[] | null;
}
const DDP_KEYS = ['processGroup', 'bucketCapMb', 'broadcastBuffers', 'findUnusedParameters', 'deviceIds'] as const;

/**
 * PyTorch's compute_bucket_assignment_by_size over the parameters in reverse order (the order their
 * gradients become ready in backward): a bucket per dtype and device, closed when it reaches its
 * size limit (the first bucket 1 MiB or bucketCap if smaller, then bucketCap).
 */
export function bucketAssignment(params: Tensor[], bucketCap: number): number[][] {
  const limits = [Math.min(FIRST_BUCKET_BYTES, bucketCap), bucketCap];
  const open = new Map<string, { idx: number[]; bytes: number; limit: number }>();
  const done: number[][] = [];
  for (let i = params.length - 1; i >= 0; i--) {
    const p = params[i];
    const key = `${p.dtype}/${p.device}`;
    let b = open.get(key);
    if (!b) {
      b = { idx: [], bytes: 0, limit: 0 };
      open.set(key, b);
    }
    b.idx.push(i);
    b.bytes += p.numel() * elementSize(p.dtype);
    if (b.bytes >= limits[b.limit]) {
      done.push(b.idx);
      open.set(key, { idx: [], bytes: 0, limit: Math.min(b.limit + 1, limits.length - 1) });
    }
  }
  for (const b of open.values()) if (b.idx.length) done.push(b.idx);
  return done;
}

export class DistributedDataParallel extends Module {
  /** The wrapped module (state dict keys read module.xxx, as PyTorch's). */
  module: Module;
  #pg: ProcessGroup;
  #reducer: number;
  #params: Tensor[];
  #broadcastBuffers: boolean;
  #requireSync = true;

  constructor(module: Module, opts: DistributedDataParallelOptions = {}) {
    super();
    const fn = 'DistributedDataParallel';
    checkOptions(fn, opts, DDP_KEYS);
    if (!(module instanceof Module)) throw new TypeError(`${fn}(): 'module' must be a Module`);
    if (opts.findUnusedParameters) throw new DistError(`${fn}(): findUnusedParameters is not supported; parameters that get no gradient in a backward take part with zeros`);
    const pg = groupArg(opts.processGroup, fn);
    if (!pg) throw new DistError(`${fn}(): this rank is not a member of the process group`);
    const cap = (opts.bucketCapMb ?? 25) * 1024 * 1024;
    if (!(cap > 0)) throw new RangeError(`${fn}(): 'bucketCapMb' must be positive`);
    this.module = module;
    this.#pg = pg;
    this.#broadcastBuffers = opts.broadcastBuffers ?? true;
    this.#params = module.parameters().filter((p) => p.requiresGrad);
    if (this.#params.length === 0) throw new DistError(`${fn}(): the module has no parameter that requires a gradient`);
    verifyParams(pg, this.#params, fn);
    // _sync_module_states: rank 0's parameters and buffers everywhere (named_parameters: also those a
    // module's parameters() leaves out, like sigprop's locally learning layers; their gradients are
    // not the reducer's: they average in their own optimizer steps, see sigprop.parallel)
    syncStates(pg, [...module.namedParameters().map(([, p]) => p), ...module.buffers()], fn);
    const buckets = bucketAssignment(this.#params, cap);
    try {
      this.#reducer = N.reducerNew(pg._handle, this.#params.map((p) => p._id), buckets, pg.size);
    } catch (e) {
      throw asBackendError(fn, e);
    }
    registry.register(this, this.#reducer, this);
  }

  override forward(...inputs: unknown[]): unknown {
    const sync = isGradEnabled() && this.#requireSync;
    if (this.#broadcastBuffers && isGradEnabled() && this.#pg.size > 1) {
      const bufs = this.module.buffers();
      if (bufs.length) syncStates(this.#pg, bufs, 'DistributedDataParallel.forward');
    }
    N.reducerPrepare(this.#reducer, sync);
    return (this.module.forward as (...a: unknown[]) => unknown)(...inputs);
  }

  /**
   * PyTorch's no_sync(): backward passes of forwards run inside fn keep their gradients local (they
   * accumulate); the first backward after it all-reduces the accumulated gradients. fn may be async.
   */
  noSync<R>(fn: () => R): R {
    const before = this.#requireSync;
    this.#requireSync = false;
    let r: R;
    try {
      r = fn();
    } catch (e) {
      this.#requireSync = before;
      throw e;
    }
    if (r instanceof Promise) return r.finally(() => { this.#requireSync = before; }) as R;
    this.#requireSync = before;
    return r;
  }

  /** The group the gradients are averaged over. */
  get processGroup(): ProcessGroup { return this.#pg; }

  override dispose(): void {
    if (this.#reducer >= 0) {
      registry.unregister(this);
      N.objectFree(this.#reducer);
      this.#reducer = -1;
    }
    super.dispose();
  }

  override reprName(): string { return 'DistributedDataParallel'; }
}

/** verify_params_across_processes: the same number of parameters, with the same shapes, on every rank. */
function verifyParams(pg: ProcessGroup, params: Tensor[], fn: string): void {
  if (pg.size === 1) return;
  let h = 0;
  for (const p of params) for (const d of [...p.shape, -1]) h = (h * 31 + d + 7) % 2147483647;
  const mine = [params.length, h];
  const lo = new Tensor(N.fromBuffer(Float64Array.from(mine), [2], DType.float64, DType.float64, null, false));
  const hi = new Tensor(N.fromBuffer(Float64Array.from(mine), [2], DType.float64, DType.float64, null, false));
  try {
    allReduce(lo, { op: 'MIN', group: pg });
    allReduce(hi, { op: 'MAX', group: pg });
    const a = lo.toTypedArray(), b = hi.toTypedArray();
    if (a[0] !== b[0] || a[1] !== b[1]) {
      throw new DistError(`${fn}(): the ranks' modules differ: this rank has ${params.length} parameters needing gradients, ` +
        `and the parameter counts or shapes are not the same on every rank`);
    }
  } finally {
    lo.dispose();
    hi.dispose();
  }
}

function syncStates(pg: ProcessGroup, tensors: Tensor[], fn: string): void {
  if (pg.size === 1 || tensors.length === 0) return;
  noGrad(() => {
    const detached = tensors.map((t) => t.detach());
    try {
      N.pgBroadcastCoalesced(pg._handle, detached.map((t) => t._id), BROADCAST_BUCKET_BYTES, 0);
    } catch (e) {
      throw asBackendError(`${fn}: broadcasting rank 0's parameters and buffers`, e);
    } finally {
      for (const t of detached) t.dispose();
    }
  });
}
