/**
 * torch.optim.AdamW (PyTorch 1.13, or 2.14 with a 2.x libtorch), op for op. In 1.13 it is its own
 * optimizer (_single/_multi_tensor_adamw); in 2.14 it is Adam with decoupled_weight_decay=True
 * (Adam's options and state-dict layout, that key included).
 */
import { Tensor } from '../tensor';
import { checkNumber, checkBool } from '../args';
import { Optimizer, ParamGroup, ResolvedParamGroup, PT2, bindOptions, checkBetas, checkForeach, checkUnsupported } from './optimizer';
import { ADAM_STATE, checkAdamArgs, stepAdamGroup, stepsToTensors } from './adam';

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
  /** PyTorch 2.x only. */
  differentiable?: false;
  /** PyTorch 2.x only; accepted as false or null (its default) only. */
  fused?: false | null;
}

const POSITIONAL = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'] as const;
// 2.x adds differentiable and fused
const KEYWORD_ONLY = PT2 ? ['maximize', 'foreach', 'capturable', 'differentiable', 'fused'] as const : ['maximize', 'foreach', 'capturable'] as const;

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
    if (PT2) {
      // 2.14: Adam's defaults, decoupled_weight_decay=True
      const differentiable = checkUnsupported('AdamW', 'differentiable', o.differentiable);
      const fused = checkUnsupported('AdamW', 'fused', o.fused, null);
      super(params, { lr, betas, eps, weightDecay, amsgrad, maximize, foreach, capturable, differentiable, fused, decoupledWeightDecay: true });
    } else {
      super(params, { lr, betas, eps, weightDecay, amsgrad, foreach, maximize, capturable });
    }
  }

  protected _stepGroup(group: ResolvedParamGroup): void {
    // 1.13: always decoupled; 2.14: the group's decoupled_weight_decay (True unless a group sets it)
    stepAdamGroup(group, (p) => this._stateOf(p), (ps) => this._useForeach(group, ps), PT2 ? group.decoupledWeightDecay === true : true);
  }

  protected override _requiredStateTensors(): readonly string[] {
    return ADAM_STATE;
  }

  protected override _afterLoad(): void {
    stepsToTensors(this.state);
    // 2.14's AdamW.__setstate__: group["decoupled_weight_decay"] = True
    if (PT2) for (const g of this.paramGroups) g.decoupledWeightDecay = true;
  }
}
