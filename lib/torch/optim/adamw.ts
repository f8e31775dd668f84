/** torch.optim.AdamW (PyTorch 1.13), op for op. */
import { Tensor } from '../tensor';
import { checkNumber, checkBool } from '../args';
import {
  Optimizer, ParamGroup, ResolvedParamGroup, bindOptions, checkBetas, checkForeach, checkUnsupported, FE, ids, wrap,
} from './optimizer';
import { AdamArgs, AdamLists, checkAdamArgs, gatherAdam, multiTensorAdamTail, singleTensorAdam, stepsToTensors, withGrads } from './adam';

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Decoupled weight decay (default 0.01). */
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** The multi-tensor (_foreach_) implementation; default: true when all parameters are on CUDA. */
  foreach?: boolean | null;
  capturable?: false;
}

const POSITIONAL = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'] as const;
const KEYWORD_ONLY = ['maximize', 'foreach', 'capturable'] as const;

/** AdamW (decoupled weight decay): `new AdamW(params, { lr: 1e-3, weightDecay: 0.01 })`. */
export class AdamW extends Optimizer {
  constructor(params: Tensor[] | ParamGroup[], lr?: number | AdamWOptions, betas?: [number, number] | AdamWOptions, eps?: number | AdamWOptions, weightDecay?: number | AdamWOptions, amsgrad?: boolean | AdamWOptions, options?: AdamWOptions);
  constructor(params: Tensor[] | ParamGroup[], ...args: unknown[]) {
    const o = bindOptions('AdamW', args, POSITIONAL, KEYWORD_ONLY);
    const lr = checkNumber(o.lr ?? 1e-3, 'lr', 'AdamW');
    const betas = checkBetas('AdamW', o.betas ?? [0.9, 0.999]);
    const eps = checkNumber(o.eps ?? 1e-8, 'eps', 'AdamW');
    const weightDecay = checkNumber(o.weightDecay ?? 1e-2, 'weightDecay', 'AdamW');
    const amsgrad = checkBool(o.amsgrad ?? false, 'amsgrad', 'AdamW');
    const maximize = checkBool(o.maximize ?? false, 'maximize', 'AdamW');
    const foreach = checkForeach('AdamW', o.foreach);
    const capturable = checkUnsupported('AdamW', 'capturable', o.capturable);
    checkAdamArgs('AdamW', lr, eps, betas, weightDecay);
    super(params, { lr, betas, eps, weightDecay, amsgrad, foreach, maximize, capturable });
  }

  protected _stepGroup(group: ResolvedParamGroup): void {
    const l = gatherAdam(group, (p) => this._stateOf(p));
    const [beta1, beta2] = group.betas as [number, number];
    const a: AdamArgs = { amsgrad: group.amsgrad, beta1, beta2, lr: group.lr, weightDecay: group.weightDecay, eps: group.eps, maximize: group.maximize };
    if (this._useForeach(group, l.params)) multiTensorAdamW(withGrads(l), a);
    else singleTensorAdam(l, a, true);
  }

  protected override _afterLoad(): void {
    stepsToTensors(this.state);
  }
}

function multiTensorAdamW(l: AdamLists & { grads: Tensor[] }, a: AdamArgs): void {
  if (l.params.length === 0) return;
  let grads = l.grads;
  if (a.maximize) grads = wrap(FE.neg([ids(grads)]));
  FE.addScalar_([ids(l.stateSteps), 1], true);
  FE.mulScalar_([ids(l.params), 1 - a.lr * a.weightDecay], true);
  FE.mulScalar_([ids(l.expAvgs), a.beta1], true);
  FE.addList_([ids(l.expAvgs), ids(grads), 1 - a.beta1], true);
  FE.mulScalar_([ids(l.expAvgSqs), a.beta2], true);
  FE.addcmulScalar_([ids(l.expAvgSqs), ids(grads), ids(grads), 1 - a.beta2], true);
  multiTensorAdamTail({ ...l, grads }, a);
}
