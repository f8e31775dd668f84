/**
 * Sigprop data parallel over torch.distributed: every learning propagator (and a learning signal)
 * averages its layer's gradients over the ranks right before its own optimizer step, so all ranks
 * keep identical weights without any change to the loss code. `dataParallel(manager)` does it for
 * every optimizer the manager hands out; `dataParallelOptimizer(opt)` wraps one optimizer (the
 * global one over model.parameters(), or use nn.parallel.DistributedDataParallel for that).
 */
import * as torch from '../torch';
import type { Tensor } from '../torch';
import { checkOptions, checkBool } from '../torch/args';
import { describe } from '../torch/errors';
import type { Module } from '../torch/nn';
import type { Group, ProcessGroup } from '../torch/distributed';
import { groupArg } from '../torch/distributed/group';
import type { OptimizerLike } from './module';
import type { Manager } from './managers';

const WRAPPED = Symbol('sigprop.dataParallel');

export interface DataParallelOptions {
  /** The group to average over (default: the default group). */
  group?: Group;
}

interface ParamsHolder {
  paramGroups?: { params: Tensor[] }[];
}

function paramsOf(opt: OptimizerLike, fn: string): Tensor[] {
  const groups = (opt as ParamsHolder).paramGroups;
  if (!Array.isArray(groups)) throw new TypeError(`${fn}: the optimizer must be a torch.optim optimizer (with paramGroups), got ${describe(opt)}`);
  const seen = new Set<Tensor>();
  const out: Tensor[] = [];
  for (const g of groups) for (const p of g.params) if (!seen.has(p)) { seen.add(p); out.push(p); }
  return out;
}

/**
 * Averages the gradients of params over the group, in place, as DDP's reducer does (each gradient
 * times 1 / world size, then a SUM all-reduce): one all-reduce per dtype, with one flag per parameter
 * saying which ranks had a gradient (a parameter none had keeps a null grad).
 */
export function averageGradients(params: Tensor[], pg: ProcessGroup): void {
  if (pg.size === 1) return;
  const byKey = new Map<string, Tensor[]>();
  for (const p of params) {
    const k = `${p.dtype}/${p.device}`;
    const list = byKey.get(k) ?? [];
    list.push(p);
    byKey.set(k, list);
  }
  for (const ps of byKey.values()) {
    torch.noGrad(() => torch.tidy(() => {
      let total = 0;
      for (const p of ps) total += p.numel();
      const flat = torch.empty([total + ps.length], { dtype: ps[0].dtype, device: ps[0].device });
      let off = 0;
      for (const p of ps) {
        const view = flat.narrow(0, off, p.numel());
        const g = p.grad;
        if (g) {
          view.copy_(g.reshape(-1));
          view.mul_(1 / pg.size);
        } else {
          view.zero_();
        }
        off += p.numel();
      }
      const flags = flat.narrow(0, total, ps.length);
      flags.copy_(torch.tensor(ps.map((p) => (p.grad ? 1 : 0)), { dtype: ps[0].dtype }));
      torch.distributed.allReduce(flat, { group: pg });
      const had = flags.toTypedArray();
      off = 0;
      ps.forEach((p, i) => {
        const view = flat.narrow(0, off, p.numel()).view(p.shape);
        off += p.numel();
        if (!had[i]) return;
        const g = p.grad;
        if (g) g.copy_(view);
        else p.grad = view.clone();
      });
    }));
  }
}

/** The optimizer with a step() that first averages its parameters' gradients over the group. */
export function dataParallelOptimizer<O extends OptimizerLike>(optimizer: O, options: DataParallelOptions = {}): O {
  const fn = 'dataParallelOptimizer';
  checkOptions(fn, options, ['group']);
  if ((optimizer as unknown as Record<symbol, unknown>)[WRAPPED]) return optimizer;
  const pg = groupArg(options.group, fn);
  if (!pg) throw new Error(`${fn}: this rank is not a member of the group`);
  paramsOf(optimizer, fn);
  return new Proxy(optimizer, {
    get(target, prop, receiver) {
      if (prop === WRAPPED) return true;
      if (prop === 'step') {
        return (...args: unknown[]) => {
          averageGradients(paramsOf(target, fn), pg);
          return (target.step as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

export interface DataParallelManagerOptions extends DataParallelOptions {
  /** Broadcast each layer's parameters and buffers from rank 0 when it is added (default true). */
  broadcast?: boolean;
}

/**
 * Broadcasts a module's parameters and buffers (every one, those that learning propagators hide from
 * parameters() too) from the group's first rank; with buffersOnly, the buffers (BatchNorm's running
 * statistics, which each rank updates from its own data) only.
 */
export function broadcastStates(module: Module, options: DataParallelOptions & { buffersOnly?: boolean } = {}): void {
  checkOptions('broadcastStates', options, ['group', 'buffersOnly']);
  const pg = groupArg(options.group, 'broadcastStates');
  if (pg) broadcastModule(module, pg, options.buffersOnly === true);
}

function broadcastModule(module: Module, pg: ProcessGroup, buffersOnly = false): void {
  if (pg.size === 1) return;
  torch.noGrad(() => {
    const states = buffersOnly ? module.namedBuffers() : [...module.namedParameters(), ...module.namedBuffers()];
    for (const [, t] of states) {
      const d = t.detach();
      torch.distributed.broadcast(d, pg.ranks[0], { group: pg });
      d.dispose();
    }
  });
}

/**
 * Makes a sigprop manager data parallel: the signal's and every propagator's optimizer (built by a
 * Preset's optimizerBuilder or passed as an option) averages its gradients over the group before
 * its step, and each layer starts from rank 0's weights. Every rank must build the same model, in
 * the same order. Returns the manager.
 */
export function dataParallel<M extends Manager>(manager: M, options: DataParallelManagerOptions = {}): M {
  const fn = 'dataParallel';
  checkOptions(fn, options, ['group', 'broadcast']);
  const pg = groupArg(options.group, fn);
  if (!pg) throw new Error(`${fn}: this rank is not a member of the group`);
  const broadcast = options.broadcast === undefined ? true : checkBool(options.broadcast, 'broadcast', fn);
  const wrap = (module: Module, made: Module | null): Module | null => {
    if (broadcast) broadcastModule(module, pg);
    const holder = made as unknown as { optimizer?: OptimizerLike | null } | null;
    if (holder && holder.optimizer) holder.optimizer = dataParallelOptimizer(holder.optimizer, { group: pg });
    return made;
  };
  const m = manager as unknown as Manager;
  const setSignal = m.setSignal.bind(m);
  const addPropagator = m.addPropagator.bind(m);
  m.setSignal = (module, opts) => wrap(module, setSignal(module, opts));
  m.addPropagator = (module, cls, opts) => wrap(module, addPropagator(module, cls, opts));
  return manager;
}
