/** torch.optim.Adagrad (PyTorch 1.13, or 2.14 with a 2.x libtorch), op for op. */
import { Tensor } from '../tensor';
import { checkNumber, checkBool } from '../args';
import { keep } from '../memory';
import { tensor, fullLike } from '../functions';
import {
  Optimizer, ParamGroup, ResolvedParamGroup, PT2, bindOptions, checkForeach, checkUnsupported, FE, ids, wrap, foreachIncrementSteps2, foreachMulScalarList_,
} from './optimizer';
import { stepsToTensors } from './adam';

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  /** The multi-tensor (_foreach_) implementation; default: true when all parameters are on CUDA. */
  foreach?: boolean | null;
  maximize?: boolean;
  /** PyTorch 2.x only. */
  differentiable?: false;
  /** PyTorch 2.x only; accepted as false or null (its default) only. */
  fused?: false | null;
}

const POSITIONAL = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'foreach'] as const;
// 2.x adds differentiable and fused
const KEYWORD_ONLY = PT2 ? ['maximize', 'differentiable', 'fused'] as const : ['maximize'] as const;

interface AdagradArgs { lr: number; weightDecay: number; lrDecay: number; eps: number; maximize: boolean }

/**
 * Adagrad: `new Adagrad(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 })`.
 * As in PyTorch, the state (step, sum) of every parameter is created by the constructor.
 */
export class Adagrad extends Optimizer {
  private _ready?: boolean;

  constructor(params: Tensor[] | ParamGroup[], lr?: number | AdagradOptions, lrDecay?: number | AdagradOptions, weightDecay?: number | AdagradOptions, initialAccumulatorValue?: number | AdagradOptions, eps?: number | AdagradOptions, foreach?: boolean | null | AdagradOptions, options?: AdagradOptions);
  constructor(params: Tensor[] | ParamGroup[], ...args: unknown[]) {
    const o = bindOptions('Adagrad', args, POSITIONAL, KEYWORD_ONLY);
    const lr = checkNumber(o.lr ?? 1e-2, 'lr', 'Adagrad');
    const lrDecay = checkNumber(o.lrDecay ?? 0, 'lrDecay', 'Adagrad');
    const weightDecay = checkNumber(o.weightDecay ?? 0, 'weightDecay', 'Adagrad');
    const initialAccumulatorValue = checkNumber(o.initialAccumulatorValue ?? 0, 'initialAccumulatorValue', 'Adagrad');
    const eps = checkNumber(o.eps ?? 1e-10, 'eps', 'Adagrad');
    const foreach = checkForeach('Adagrad', o.foreach);
    const maximize = checkBool(o.maximize ?? false, 'maximize', 'Adagrad');
    if (!(lr >= 0)) throw new RangeError(`Adagrad(): Invalid learning rate: ${lr}`);
    if (!(lrDecay >= 0)) throw new RangeError(`Adagrad(): Invalid lr_decay value: ${lrDecay}`);
    if (!(weightDecay >= 0)) throw new RangeError(`Adagrad(): Invalid weight_decay value: ${weightDecay}`);
    if (!(initialAccumulatorValue >= 0)) throw new RangeError(`Adagrad(): Invalid initial_accumulator_value value: ${initialAccumulatorValue}`);
    if (!(eps >= 0)) throw new RangeError(`Adagrad(): Invalid epsilon value: ${eps}`);
    const defaults: Record<string, unknown> = { lr, lrDecay, eps, weightDecay, initialAccumulatorValue, foreach, maximize };
    if (PT2) {
      defaults.differentiable = checkUnsupported('Adagrad', 'differentiable', o.differentiable);
      defaults.fused = checkUnsupported('Adagrad', 'fused', o.fused, null);
    }
    super(params, defaults);
    // PyTorch fills every sum with the constructor's initial_accumulator_value (not a group's own)
    for (const group of this.paramGroups) for (const p of group.params) this._initState(p, initialAccumulatorValue);
    this._ready = true;
  }

  private _initState(p: Tensor, init: number): void {
    const s = this._stateOf(p);
    // state["step"] = torch.tensor(0.0); state["sum"] = torch.full_like(p, initial_accumulator_value)
    if (!(s.step instanceof Tensor)) s.step = keep(tensor(typeof s.step === 'number' ? s.step : 0));
    if (!(s.sum instanceof Tensor)) s.sum = keep(fullLike(p, init));
  }

  /**
   * Adds a group. 1.13: unlike PyTorch (where stepping it fails), its parameters get their state
   * here; 2.14 creates it at their first step (with the constructor's initial_accumulator_value).
   */
  override addParamGroup(paramGroup: ParamGroup): void {
    super.addParamGroup(paramGroup);
    if (this._ready && !PT2) {
      const g = this.paramGroups[this.paramGroups.length - 1];
      for (const p of g.params) this._initState(p, g.initialAccumulatorValue as number);
    }
  }

  protected _stepGroup(group: ResolvedParamGroup): void {
    const params: Tensor[] = [];
    const grads: Tensor[] = [];
    const sums: Tensor[] = [];
    const steps: Tensor[] = [];
    for (const p of group.params) {
      const g = p.grad;
      if (g === null) continue;
      params.push(p);
      grads.push(g);
      let s = this.state.get(p);
      if (!s || !(s.sum instanceof Tensor) || !(s.step instanceof Tensor)) {
        // 2.14's _init_group: self.defaults["initial_accumulator_value"]
        this._initState(p, (PT2 ? this.defaults.initialAccumulatorValue : group.initialAccumulatorValue) as number);
        s = this.state.get(p)!;
      }
      sums.push(s.sum);
      steps.push(s.step);
    }
    const a: AdagradArgs = { lr: group.lr, weightDecay: group.weightDecay, lrDecay: group.lrDecay, eps: group.eps, maximize: group.maximize };
    if (this._useForeach(group, params)) multiTensorAdagrad(params, grads, sums, steps, a);
    else singleTensorAdagrad(params, grads, sums, steps, a);
  }

  protected override _afterLoad(): void {
    stepsToTensors(this.state);
  }
}

function singleTensorAdagrad(params: Tensor[], grads: Tensor[], sums: Tensor[], steps: Tensor[], a: AdagradArgs): void {
  params.forEach((param, i) => {
    const stepT = steps[i];
    stepT.add_(1);
    const step = stepT.item() as number;
    let grad = a.maximize ? grads[i].neg() : grads[i];
    if (a.weightDecay !== 0) grad = grad.add(param, { alpha: a.weightDecay });
    const clr = a.lr / (1 + (step - 1) * a.lrDecay);
    sums[i].addcmul_(grad, grad, { value: 1 });
    const std = sums[i].sqrt().add_(a.eps);
    param.addcdiv_(grad, std, { value: -clr });
  });
}

function multiTensorAdagrad(params: Tensor[], grads: Tensor[], sums: Tensor[], steps: Tensor[], a: AdagradArgs): void {
  if (params.length === 0) return;
  if (a.maximize) grads = wrap(FE.neg([ids(grads)]));
  if (PT2) {
    multiTensorAdagrad2(params, grads, sums, steps, a);
    return;
  }
  // 1.13
  FE.addScalar_([ids(steps), 1], true);
  // as in PyTorch 1.13, this adds the weight decay into the .grad tensors themselves (unless maximize)
  if (a.weightDecay !== 0) FE.addList_([ids(grads), ids(params), a.weightDecay], true);
  // minus_clr = [-lr / (1 + (step - 1) * lr_decay) for step in state_steps]: 0-d float32 tensors,
  // and `number / tensor` is tensor.reciprocal() * number in Python
  const minusClr = steps.map((step) => step.sub(1).mul(a.lrDecay).add(1).reciprocal().mul(-a.lr));
  FE.addcmulScalar_([ids(sums), ids(grads), ids(grads), 1], true);
  const std = wrap(FE.addScalar([ids(wrap(FE.sqrt([ids(sums)]))), a.eps]));
  const toAdd = wrap(FE.divList([ids(wrap(FE.mulList([ids(grads), ids(minusClr)]))), ids(std)]));
  FE.addList_([ids(params), ids(toAdd), 1], true);
}

/** The rest of 2.14's _multi_tensor_adagrad (after maximize's negation). */
function multiTensorAdagrad2(params: Tensor[], grads: Tensor[], sums: Tensor[], steps: Tensor[], a: AdagradArgs): void {
  foreachIncrementSteps2(steps);
  if (a.weightDecay !== 0) {
    if (a.maximize) FE.addList_([ids(grads), ids(params), a.weightDecay], true); // into the negated copies
    else grads = wrap(FE.addList([ids(grads), ids(params), a.weightDecay]));
  }
  // minus_clr = [-lr / (1 + (_get_value(step) - 1) * lr_decay) for step in device_state_steps]: Python floats
  const minusClr = steps.map((step) => -a.lr / (1 + ((step.item() as number) - 1) * a.lrDecay));
  FE.addcmulScalar_([ids(sums), ids(grads), ids(grads), 1], true);
  const std = wrap(FE.sqrt([ids(sums)]));
  FE.addScalar_([ids(std), a.eps], true);
  let numerator: Tensor[];
  if (a.weightDecay !== 0 || a.maximize) {
    foreachMulScalarList_(grads, minusClr); // grads are copies here
    numerator = grads;
  } else {
    numerator = wrap(FE.mulScalarList([ids(grads), minusClr]));
  }
  FE.addcdivScalar_([ids(params), ids(numerator), ids(std), 1], true);
}
