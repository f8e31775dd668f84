/** torch.optim.SGD (PyTorch 1.13, or 2.14 with a 2.x libtorch), op for op. */
import { Tensor } from '../tensor';
import { checkNumber, checkBool } from '../args';
import { keep } from '../memory';
import { Optimizer, ParamGroup, ResolvedParamGroup, PT2, required, bindOptions, checkForeach, checkUnsupported, FE, ids, wrap } from './optimizer';

export interface SGDOptions {
  /** Required in PyTorch 1.13; 2.x's default is 1e-3. */
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  /** The multi-tensor (_foreach_) implementation; default: true when all parameters are on CUDA. */
  foreach?: boolean | null;
  differentiable?: false;
  /** PyTorch 2.x only; accepted as false or null (its default) only. */
  fused?: false | null;
}

const POSITIONAL = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'] as const;
// 2.x adds fused
const KEYWORD_ONLY = PT2 ? ['maximize', 'foreach', 'differentiable', 'fused'] as const : ['maximize', 'foreach', 'differentiable'] as const;

/**
 * Stochastic gradient descent, optionally with momentum (and Nesterov momentum):
 * `new SGD(params, { lr: 0.1, momentum: 0.9 })` or `new SGD(params, 0.1, 0.9)`.
 */
export class SGD extends Optimizer {
  constructor(params: Tensor[] | ParamGroup[], lr?: number | SGDOptions, momentum?: number | SGDOptions, dampening?: number | SGDOptions, weightDecay?: number | SGDOptions, nesterov?: boolean | SGDOptions, options?: SGDOptions);
  constructor(params: Tensor[] | ParamGroup[], ...args: unknown[]) {
    const o = bindOptions('SGD', args, POSITIONAL, KEYWORD_ONLY);
    // 1.13: lr=required; 2.14: lr=1e-3
    const lr = o.lr === undefined ? (PT2 ? 1e-3 : required) : checkNumber(o.lr, 'lr', 'SGD');
    const momentum = checkNumber(o.momentum ?? 0, 'momentum', 'SGD');
    const dampening = checkNumber(o.dampening ?? 0, 'dampening', 'SGD');
    const weightDecay = checkNumber(o.weightDecay ?? 0, 'weightDecay', 'SGD');
    const nesterov = checkBool(o.nesterov ?? false, 'nesterov', 'SGD');
    const maximize = checkBool(o.maximize ?? false, 'maximize', 'SGD');
    const foreach = checkForeach('SGD', o.foreach);
    const differentiable = checkUnsupported('SGD', 'differentiable', o.differentiable);
    if (lr !== required && !((lr as number) >= 0)) throw new RangeError(`SGD(): Invalid learning rate: ${lr}`);
    if (!(momentum >= 0)) throw new RangeError(`SGD(): Invalid momentum value: ${momentum}`);
    if (!(weightDecay >= 0)) throw new RangeError(`SGD(): Invalid weight_decay value: ${weightDecay}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new RangeError('SGD(): Nesterov momentum requires a momentum and zero dampening');
    const defaults: Record<string, unknown> = { lr, momentum, dampening, weightDecay, nesterov, maximize, foreach, differentiable };
    if (PT2) defaults.fused = checkUnsupported('SGD', 'fused', o.fused, null);
    super(params, defaults);
  }

  protected _stepGroup(group: ResolvedParamGroup): void {
    const params: Tensor[] = [];
    const grads: Tensor[] = [];
    const bufs: (Tensor | null)[] = [];
    for (const p of group.params) {
      const g = p.grad;
      if (g === null) continue;
      params.push(p);
      grads.push(g);
      const s = this.state.get(p);
      bufs.push(s && s.momentum_buffer instanceof Tensor ? s.momentum_buffer : null);
    }
    const opts = { weightDecay: group.weightDecay as number, momentum: group.momentum as number, lr: group.lr, dampening: group.dampening as number, nesterov: group.nesterov as boolean, maximize: group.maximize as boolean };
    try {
      if (this._useForeach(group, params)) multiTensorSgd(params, grads, bufs, opts);
      else singleTensorSgd(params, grads, bufs, opts);
    } finally {
      // (also when the step throws: the buffers it made belong to the state, not to nobody)
      // 1.13 stores momentum_buffer (None without momentum) for every parameter with a gradient;
      // 2.14 only `if group["momentum"] != 0`
      if (!(PT2 && opts.momentum === 0)) {
        params.forEach((p, i) => {
          const s = this._stateOf(p);
          const old = s.momentum_buffer;
          if (old instanceof Tensor && old !== bufs[i]) old.dispose();
          s.momentum_buffer = bufs[i];
        });
      }
    }
  }
}

interface SgdArgs { weightDecay: number; momentum: number; lr: number; dampening: number; nesterov: boolean; maximize: boolean }

function newBuffer(dp: Tensor): Tensor {
  // torch.clone(d_p).detach()
  return keep(dp.clone().detach());
}

function singleTensorSgd(params: Tensor[], grads: Tensor[], bufs: (Tensor | null)[], a: SgdArgs): void {
  params.forEach((param, i) => {
    let dp = a.maximize ? grads[i].neg() : grads[i];
    if (a.weightDecay !== 0) dp = dp.add(param, { alpha: a.weightDecay });
    if (a.momentum !== 0) {
      let buf = bufs[i];
      if (buf === null) {
        buf = newBuffer(dp);
        bufs[i] = buf;
      } else {
        buf.mul_(a.momentum).add_(dp, { alpha: 1 - a.dampening });
      }
      if (a.nesterov) dp = dp.add(buf, { alpha: a.momentum });
      else dp = buf;
    }
    param.add_(dp, { alpha: -a.lr });
  });
}

function multiTensorSgd(params: Tensor[], grads: Tensor[], bufs: (Tensor | null)[], a: SgdArgs): void {
  if (params.length === 0) return;
  if (a.maximize) grads = wrap(FE.neg([ids(grads)]));
  if (a.weightDecay !== 0) {
    // 2.14 adds in place into the negated copies under maximize (the same numbers)
    if (PT2 && a.maximize) FE.addList_([ids(grads), ids(params), a.weightDecay], true);
    else grads = wrap(FE.addList([ids(grads), ids(params), a.weightDecay]));
  }
  if (a.momentum !== 0) {
    let list: Tensor[];
    if (bufs.every((b) => b !== null)) {
      list = bufs as Tensor[];
      FE.mulScalar_([ids(list), a.momentum], true);
      FE.addList_([ids(list), ids(grads), 1 - a.dampening], true);
    } else {
      list = [];
      for (let i = 0; i < bufs.length; i++) {
        let buf = bufs[i];
        if (buf === null) {
          buf = newBuffer(grads[i]);
          bufs[i] = buf;
        } else {
          buf.mul_(a.momentum).add_(grads[i], { alpha: 1 - a.dampening });
        }
        list.push(buf);
      }
    }
    if (a.nesterov) FE.addList_([ids(grads), ids(list), a.momentum], true);
    else grads = list;
  }
  FE.addList_([ids(params), ids(grads), -a.lr], true);
}
