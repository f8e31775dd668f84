/** torch.optim.RMSprop (PyTorch 1.13, or 2.14 with a 2.x libtorch), op for op. */
import { Tensor } from '../tensor';
import { checkNumber, checkBool } from '../args';
import { keep } from '../memory';
import { tensor, zerosLike } from '../functions';
import { Optimizer, ParamGroup, ResolvedParamGroup, PT2, bindOptions, checkForeach, checkUnsupported, FE, ids, wrap, foreachIncrementSteps2 } from './optimizer';
import { stepsToTensors } from './adam';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  /** The multi-tensor (_foreach_) implementation; default: true when all parameters are on CUDA. */
  foreach?: boolean | null;
  maximize?: boolean;
  differentiable?: false;
  /** PyTorch 2.x only (a positional argument after `centered` there). */
  capturable?: false;
}

// all positional in both; 2.x inserts capturable after centered
const POSITIONAL = PT2
  ? ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'capturable', 'foreach', 'maximize', 'differentiable'] as const
  : ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'foreach', 'maximize', 'differentiable'] as const;

interface RmsArgs { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean }
/** stateSteps: 2.x's step tensors (1.13's steps are numbers, counted in _stepGroup). */
interface RmsLists { params: Tensor[]; grads: Tensor[]; squareAvgs: Tensor[]; gradAvgs: Tensor[]; momentumBuffers: Tensor[]; stateSteps: Tensor[] }

/** RMSprop: `new RMSprop(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false })`. */
export class RMSprop extends Optimizer {
  constructor(params: Tensor[] | ParamGroup[], lr?: number | RMSpropOptions, alpha?: number | RMSpropOptions, eps?: number | RMSpropOptions, weightDecay?: number | RMSpropOptions, momentum?: number | RMSpropOptions, centered?: boolean | RMSpropOptions, options?: RMSpropOptions);
  constructor(params: Tensor[] | ParamGroup[], ...args: unknown[]) {
    const o = bindOptions('RMSprop', args, POSITIONAL, []);
    const lr = checkNumber(o.lr ?? 1e-2, 'lr', 'RMSprop');
    const alpha = checkNumber(o.alpha ?? 0.99, 'alpha', 'RMSprop');
    const eps = checkNumber(o.eps ?? 1e-8, 'eps', 'RMSprop');
    const weightDecay = checkNumber(o.weightDecay ?? 0, 'weightDecay', 'RMSprop');
    const momentum = checkNumber(o.momentum ?? 0, 'momentum', 'RMSprop');
    const centered = checkBool(o.centered ?? false, 'centered', 'RMSprop');
    const foreach = checkForeach('RMSprop', o.foreach);
    const maximize = checkBool(o.maximize ?? false, 'maximize', 'RMSprop');
    const differentiable = checkUnsupported('RMSprop', 'differentiable', o.differentiable);
    if (!(lr >= 0)) throw new RangeError(`RMSprop(): Invalid learning rate: ${lr}`);
    if (!(eps >= 0)) throw new RangeError(`RMSprop(): Invalid epsilon value: ${eps}`);
    if (!(momentum >= 0)) throw new RangeError(`RMSprop(): Invalid momentum value: ${momentum}`);
    if (!(weightDecay >= 0)) throw new RangeError(`RMSprop(): Invalid weight_decay value: ${weightDecay}`);
    if (!(alpha >= 0)) throw new RangeError(`RMSprop(): Invalid alpha value: ${alpha}`);
    if (PT2) {
      const capturable = checkUnsupported('RMSprop', 'capturable', o.capturable);
      super(params, { lr, momentum, alpha, eps, centered, weightDecay, capturable, foreach, maximize, differentiable });
    } else {
      super(params, { lr, momentum, alpha, eps, centered, weightDecay, foreach, maximize, differentiable });
    }
  }

  protected _stepGroup(group: ResolvedParamGroup): void {
    const l: RmsLists = { params: [], grads: [], squareAvgs: [], gradAvgs: [], momentumBuffers: [], stateSteps: [] };
    const momentum = group.momentum as number;
    const centered = group.centered as boolean;
    for (const p of group.params) {
      const g = p.grad;
      if (g === null) continue;
      l.params.push(p);
      l.grads.push(g);
      const s = this._stateOf(p);
      if (Object.keys(s).length === 0) {
        s.step = PT2 ? keep(tensor(0)) : 0; // 2.14: torch.zeros((), dtype=float32); 1.13: 0
        s.square_avg = keep(zerosLike(p));
        if (momentum > 0) s.momentum_buffer = keep(zerosLike(p));
        if (centered) s.grad_avg = keep(zerosLike(p));
      }
      // (PyTorch raises KeyError here when momentum or centered were switched on after the first step)
      if (momentum > 0 && !(s.momentum_buffer instanceof Tensor)) s.momentum_buffer = keep(zerosLike(p));
      if (centered && !(s.grad_avg instanceof Tensor)) s.grad_avg = keep(zerosLike(p));
      l.squareAvgs.push(s.square_avg);
      if (momentum > 0) l.momentumBuffers.push(s.momentum_buffer);
      if (centered) l.gradAvgs.push(s.grad_avg);
      if (PT2) {
        // 2.14 counts in _single/_multi_tensor_rmsprop, on tensors
        if (!(s.step instanceof Tensor)) s.step = keep(tensor(typeof s.step === 'number' ? s.step : 0));
        l.stateSteps.push(s.step);
      } else if (s.step instanceof Tensor) {
        s.step.add_(1);
      } else {
        s.step = (typeof s.step === 'number' ? s.step : 0) + 1; // 1.13: state['step'] += 1
      }
    }
    const a: RmsArgs = { lr: group.lr, alpha: group.alpha, eps: group.eps, weightDecay: group.weightDecay, momentum, centered, maximize: group.maximize };
    if (this._useForeach(group, l.params)) multiTensorRmsprop(l, a);
    else singleTensorRmsprop(l, a);
  }

  protected override _requiredStateTensors(): readonly string[] {
    return ['square_avg'];
  }

  protected override _afterLoad(): void {
    // 2.14's __setstate__: a step that is a number becomes torch.tensor(float(step))
    if (PT2) stepsToTensors(this.state);
  }
}

function singleTensorRmsprop(l: RmsLists, a: RmsArgs): void {
  l.params.forEach((param, i) => {
    let grad = l.grads[i];
    grad = a.maximize ? grad.neg() : grad;
    const squareAvg = l.squareAvgs[i];
    if (PT2) l.stateSteps[i].add_(1); // 2.14: step += 1
    if (a.weightDecay !== 0) grad = grad.add(param, { alpha: a.weightDecay });
    squareAvg.mul_(a.alpha).addcmul_(grad, grad, { value: 1 - a.alpha });
    let avg: Tensor;
    if (a.centered) {
      const gradAvg = l.gradAvgs[i];
      if (PT2) gradAvg.lerp_(grad, 1 - a.alpha); // 2.14
      else gradAvg.mul_(a.alpha).add_(grad, { alpha: 1 - a.alpha }); // 1.13
      avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
    } else {
      avg = squareAvg.sqrt();
    }
    avg = avg.add_(a.eps);
    if (a.momentum > 0) {
      const buf = l.momentumBuffers[i];
      buf.mul_(a.momentum).addcdiv_(grad, avg);
      param.add_(buf, { alpha: -a.lr });
    } else {
      param.addcdiv_(grad, avg, { value: -a.lr });
    }
  });
}

function multiTensorRmsprop(l: RmsLists, a: RmsArgs): void {
  if (l.params.length === 0) return;
  let grads = l.grads;
  if (a.maximize) grads = wrap(FE.neg([ids(grads)]));
  if (PT2) {
    // 2.14
    foreachIncrementSteps2(l.stateSteps);
    if (a.weightDecay !== 0) {
      if (a.maximize) FE.addList_([ids(grads), ids(l.params), a.weightDecay], true); // into the negated copies
      else grads = wrap(FE.addList([ids(grads), ids(l.params), a.weightDecay]));
    }
  } else if (a.weightDecay !== 0) {
    // as in PyTorch 1.13, this adds the weight decay into the .grad tensors themselves (unless maximize)
    FE.addList_([ids(grads), ids(l.params), a.weightDecay], true);
  }
  FE.mulScalar_([ids(l.squareAvgs), a.alpha], true);
  FE.addcmulScalar_([ids(l.squareAvgs), ids(grads), ids(grads), 1 - a.alpha], true);
  let avg: Tensor[];
  if (a.centered) {
    if (PT2) {
      FE.lerpScalar_([ids(l.gradAvgs), ids(grads), 1 - a.alpha], true); // 2.14
    } else {
      FE.mulScalar_([ids(l.gradAvgs), a.alpha], true); // 1.13
      FE.addList_([ids(l.gradAvgs), ids(grads), 1 - a.alpha], true);
    }
    avg = wrap(FE.addcmulScalar([ids(l.squareAvgs), ids(l.gradAvgs), ids(l.gradAvgs), -1]));
    FE.sqrt_([ids(avg)], true);
    FE.addScalar_([ids(avg), a.eps], true);
  } else {
    avg = wrap(FE.sqrt([ids(l.squareAvgs)]));
    FE.addScalar_([ids(avg), a.eps], true);
  }
  if (a.momentum > 0) {
    FE.mulScalar_([ids(l.momentumBuffers), a.momentum], true);
    FE.addcdivScalar_([ids(l.momentumBuffers), ids(grads), ids(avg), 1], true);
    FE.addList_([ids(l.params), ids(l.momentumBuffers), -a.lr], true);
  } else {
    FE.addcdivScalar_([ids(l.params), ids(grads), ids(avg), -a.lr], true);
  }
}
