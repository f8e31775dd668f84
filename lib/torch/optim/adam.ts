/** torch.optim.Adam (PyTorch 1.13, or 2.14 with a 2.x libtorch), op for op. */
import { Tensor } from '../tensor';
import { checkNumber, checkBool } from '../args';
import { keep } from '../memory';
import { tensor, zerosLike } from '../functions';
import {
  Optimizer, ParamGroup, ResolvedParamGroup, ParamState, bindOptions, checkBetas, checkForeach, checkUnsupported,
  FE, PT2, ids, wrap, foreachDivScalarList_, foreachAddcdivScalarList_, foreachIncrementSteps2,
} from './optimizer';
import { pyPow } from './pymath';
import { N } from '../native';
import { AdamFlag } from '../codes';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  /** The multi-tensor (_foreach_) implementation; default: true when all parameters are on CUDA. */
  foreach?: boolean | null;
  maximize?: boolean;
  capturable?: false;
  differentiable?: false;
  /** Accepted as false or null (2.x's default) only. */
  fused?: false | null;
  /** PyTorch 2.x only: AdamW's decoupled weight decay (the parameter is scaled by 1 - lr * weightDecay). */
  decoupledWeightDecay?: boolean;
}

/** The arguments of Adam's and AdamW's update functions. */
export interface AdamArgs { amsgrad: boolean; beta1: number; beta2: number; lr: number; weightDecay: number; eps: number; maximize: boolean }

/**
 * The lists an Adam-type step works on. `grads` null: each parameter's own gradient, which the native
 * single-tensor step reads itself (no JS wrapper per gradient per step); withGrads() fills it in.
 */
export interface AdamLists { params: Tensor[]; grads: Tensor[] | null; expAvgs: Tensor[]; expAvgSqs: Tensor[]; maxExpAvgSqs: Tensor[]; stateSteps: Tensor[] }

/** Validation shared by Adam and AdamW (PyTorch's ValueErrors are RangeErrors). */
export function checkAdamArgs(fn: string, lr: number, eps: number, betas: [number, number], weightDecay: number): void {
  if (!(lr >= 0)) throw new RangeError(`${fn}(): Invalid learning rate: ${lr}`);
  if (!(eps >= 0)) throw new RangeError(`${fn}(): Invalid epsilon value: ${eps}`);
  if (!(betas[0] >= 0 && betas[0] < 1)) throw new RangeError(`${fn}(): Invalid beta parameter at index 0: ${betas[0]}`);
  if (!(betas[1] >= 0 && betas[1] < 1)) throw new RangeError(`${fn}(): Invalid beta parameter at index 1: ${betas[1]}`);
  if (!(weightDecay >= 0)) throw new RangeError(`${fn}(): Invalid weight_decay value: ${weightDecay}`);
}

/**
 * Gathers the lists of one group (the parameters that have a gradient, which stays unread: grads
 * null), creating missing state as PyTorch does (step = tensor(0.), zeros).
 */
export function gatherAdam(group: ResolvedParamGroup, stateOf: (p: Tensor) => ParamState): AdamLists {
  const l: AdamLists = { params: [], grads: null, expAvgs: [], expAvgSqs: [], maxExpAvgSqs: [], stateSteps: [] };
  const amsgrad = group.amsgrad as boolean;
  const params = group.params;
  const has: boolean[] = N.hasGrads(ids(params));
  for (let i = 0; i < params.length; i++) {
    if (!has[i]) continue;
    const p = params[i];
    l.params.push(p);
    const s = stateOf(p);
    if (Object.keys(s).length === 0) {
      s.step = keep(tensor(0));
      s.exp_avg = keep(zerosLike(p));
      s.exp_avg_sq = keep(zerosLike(p));
      if (amsgrad) s.max_exp_avg_sq = keep(zerosLike(p));
    }
    if (amsgrad && !(s.max_exp_avg_sq instanceof Tensor)) s.max_exp_avg_sq = keep(zerosLike(p));
    if (!(s.step instanceof Tensor)) s.step = keep(tensor(typeof s.step === 'number' ? s.step : 0));
    l.expAvgs.push(s.exp_avg);
    l.expAvgSqs.push(s.exp_avg_sq);
    if (amsgrad) l.maxExpAvgSqs.push(s.max_exp_avg_sq);
    l.stateSteps.push(s.step);
  }
  return l;
}

/** The lists with the gradients as tensors (for the multi-tensor steps). */
export function withGrads(l: AdamLists): AdamLists & { grads: Tensor[] } {
  return { ...l, grads: l.grads ?? l.params.map((p) => p.grad as Tensor) };
}

/** PyTorch's __setstate__: a step that is a number becomes torch.tensor(float(step)). */
export function stepsToTensors(state: Map<Tensor, ParamState>): void {
  for (const s of state.values()) if (typeof s.step === 'number') s.step = keep(tensor(s.step));
}

/**
 * One group's step, shared by Adam and AdamW: gathers the lists (creating missing state), then the
 * multi-tensor path if `useForeach` says so, else the single-tensor one. `decoupled`: AdamW's weight decay.
 */
export function stepAdamGroup(group: ResolvedParamGroup, stateOf: (p: Tensor) => ParamState, useForeach: (params: Tensor[]) => boolean, decoupled: boolean): void {
  const l = gatherAdam(group, stateOf);
  const [beta1, beta2] = group.betas as [number, number];
  const a: AdamArgs = { amsgrad: group.amsgrad, beta1, beta2, lr: group.lr, weightDecay: group.weightDecay, eps: group.eps, maximize: group.maximize };
  if (useForeach(l.params)) multiTensorAdam(withGrads(l), a, decoupled);
  else singleTensorAdam(l, a, decoupled);
}

const POSITIONAL = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'] as const;
// 2.x adds decoupled_weight_decay (and makes fused default to None)
const KEYWORD_ONLY = PT2
  ? ['foreach', 'maximize', 'capturable', 'differentiable', 'fused', 'decoupledWeightDecay'] as const
  : ['foreach', 'maximize', 'capturable', 'differentiable', 'fused'] as const;

/** Adam: `new Adam(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false })`. */
export class Adam extends Optimizer {
  constructor(params: Tensor[] | ParamGroup[], lr?: number | AdamOptions, betas?: [number, number] | AdamOptions, eps?: number | AdamOptions, weightDecay?: number | AdamOptions, amsgrad?: boolean | AdamOptions, options?: AdamOptions);
  constructor(params: Tensor[] | ParamGroup[], ...args: unknown[]) {
    const o = bindOptions('Adam', args, POSITIONAL, KEYWORD_ONLY);
    const lr = checkNumber(o.lr ?? 1e-3, 'lr', 'Adam');
    const betas = checkBetas('Adam', o.betas ?? [0.9, 0.999]);
    const eps = checkNumber(o.eps ?? 1e-8, 'eps', 'Adam');
    const weightDecay = checkNumber(o.weightDecay ?? 0, 'weightDecay', 'Adam');
    const amsgrad = checkBool(o.amsgrad ?? false, 'amsgrad', 'Adam');
    const maximize = checkBool(o.maximize ?? false, 'maximize', 'Adam');
    const foreach = checkForeach('Adam', o.foreach);
    const capturable = checkUnsupported('Adam', 'capturable', o.capturable);
    const differentiable = checkUnsupported('Adam', 'differentiable', o.differentiable);
    const fused = checkUnsupported('Adam', 'fused', o.fused, PT2 ? null : false);
    checkAdamArgs('Adam', lr, eps, betas, weightDecay);
    const defaults: Record<string, unknown> = { lr, betas, eps, weightDecay, amsgrad, maximize, foreach, capturable, differentiable, fused };
    if (PT2) defaults.decoupledWeightDecay = checkBool(o.decoupledWeightDecay ?? false, 'decoupledWeightDecay', 'Adam');
    super(params, defaults);
  }

  protected _stepGroup(group: ResolvedParamGroup): void {
    // 1.13: Adam's weight decay is always L2; 2.14: the group's decoupled_weight_decay decides
    stepAdamGroup(group, (p) => this._stateOf(p), (ps) => this._useForeach(group, ps), PT2 ? group.decoupledWeightDecay === true : false);
  }

  protected override _requiredStateTensors(): readonly string[] {
    return ADAM_STATE;
  }

  protected override _afterLoad(): void {
    stepsToTensors(this.state);
  }
}

/** What Adam's and AdamW's step reads from a parameter's state (amsgrad's max_exp_avg_sq is made when missing). */
export const ADAM_STATE = ['exp_avg', 'exp_avg_sq'] as const;

/**
 * _single_tensor_adam (and 1.13's _single_tensor_adamw: `decoupled`), one native call for the whole
 * list (native/optim.cpp). Per parameter it issues Python's ops:
 *   grad = maximize ? -grad : grad; step += 1
 *   1.13: decoupled: param.mul_(1 - lr * weight_decay); else if weight_decay: grad = grad.add(param, alpha=weight_decay)
 *   2.14: if weight_decay: the same, chosen by decoupled_weight_decay (no mul_ by 1 - lr * 0)
 *   1.13: exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1); 2.14: exp_avg.lerp_(grad, 1 - beta1)
 *   exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
 *   step_size = lr / (1 - beta1 ** step)
 *   bias_correction2_sqrt = 1.13: math.sqrt(1 - beta2 ** step); 2.14: (1 - beta2 ** step) ** 0.5
 *   amsgrad: torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq), whose sqrt is used below
 *   param.addcdiv_(exp_avg, (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps), value=-step_size)
 * or, for contiguous float32 CPU tensors, a fused pass with bitwise the same results (used only
 * where the addon has checked that on this machine: `adamFusedAvailable()`). `opsOnly` forces the ops.
 */
export function singleTensorAdam(l: AdamLists, a: AdamArgs, decoupled = false, opsOnly = false): void {
  if (l.params.length === 0) return;
  const flags = (a.amsgrad ? AdamFlag.amsgrad : 0) | (a.maximize ? AdamFlag.maximize : 0) | (decoupled ? AdamFlag.decoupled : 0) | (opsOnly ? AdamFlag.opsOnly : 0);
  N.adamStep(ids(l.params), l.grads === null ? null : ids(l.grads), ids(l.expAvgs), ids(l.expAvgSqs), ids(l.maxExpAvgSqs), ids(l.stateSteps),
    a.beta1, a.beta2, a.lr, a.weightDecay, a.eps, flags);
}

/** Whether Adam's single-tensor step runs fused on this machine (contiguous float32 CPU tensors; see singleTensorAdam). */
export function adamFusedAvailable(): boolean {
  return N.adamFusedAvailable();
}

/**
 * _multi_tensor_adam, and 1.13's _multi_tensor_adamw (`decoupled`; in 2.14 AdamW is
 * _multi_tensor_adam with decoupled_weight_decay), non-capturable.
 */
function multiTensorAdam(l: AdamLists & { grads: Tensor[] }, a: AdamArgs, decoupled: boolean): void {
  if (l.params.length === 0) return;
  let grads = l.grads;
  if (a.maximize) grads = wrap(FE.neg([ids(grads)]));
  if (PT2) {
    // 2.14
    foreachIncrementSteps2(l.stateSteps);
    if (a.weightDecay !== 0) {
      if (decoupled) FE.mulScalar_([ids(l.params), 1 - a.lr * a.weightDecay], true);
      else if (a.maximize) FE.addList_([ids(grads), ids(l.params), a.weightDecay], true); // into the negated copies
      else grads = wrap(FE.addList([ids(grads), ids(l.params), a.weightDecay]));
    }
    FE.lerpScalar_([ids(l.expAvgs), ids(grads), 1 - a.beta1], true);
  } else {
    // 1.13
    FE.addScalar_([ids(l.stateSteps), 1], true);
    if (decoupled) FE.mulScalar_([ids(l.params), 1 - a.lr * a.weightDecay], true);
    // (_multi_tensor_adam adds the weight decay into the .grad tensors themselves, unless maximize)
    else if (a.weightDecay !== 0) FE.addList_([ids(grads), ids(l.params), a.weightDecay], true);
    FE.mulScalar_([ids(l.expAvgs), a.beta1], true);
    FE.addList_([ids(l.expAvgs), ids(grads), 1 - a.beta1], true);
  }
  FE.mulScalar_([ids(l.expAvgSqs), a.beta2], true);
  FE.addcmulScalar_([ids(l.expAvgSqs), ids(grads), ids(grads), 1 - a.beta2], true);
  // bias corrections and the update
  const steps = l.stateSteps.map((s) => s.item() as number);
  const biasCorrection1 = steps.map((s) => 1 - pyPow(a.beta1, s));
  const biasCorrection2 = steps.map((s) => 1 - pyPow(a.beta2, s));
  const stepSize = biasCorrection1.map((bc) => (a.lr / bc) * -1);
  // 2.14: bc ** 0.5; 1.13: _dispatch_sqrt(bc) = math.sqrt(bc)
  const biasCorrection2Sqrt = biasCorrection2.map((bc) => (PT2 ? pyPow(bc, 0.5) : Math.sqrt(bc)));
  let sqrt: Tensor[];
  if (a.amsgrad) {
    FE.maximumList_([ids(l.maxExpAvgSqs), ids(l.expAvgSqs)], true);
    sqrt = wrap(FE.sqrt([ids(l.maxExpAvgSqs)]));
  } else {
    sqrt = wrap(FE.sqrt([ids(l.expAvgSqs)]));
  }
  foreachDivScalarList_(sqrt, biasCorrection2Sqrt);
  let denom: Tensor[];
  if (PT2) {
    FE.addScalar_([ids(sqrt), a.eps], true); // 2.14: in place
    denom = sqrt;
  } else {
    denom = wrap(FE.addScalar([ids(sqrt), a.eps]));
  }
  foreachAddcdivScalarList_(l.params, l.expAvgs, denom, stepSize);
}
