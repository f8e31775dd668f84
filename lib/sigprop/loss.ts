/**
 * sigprop.loss: the local losses. Every loss is called as
 * `loss(spLearn, h1, t1, h0, t0, context)` and returns a scalar tensor. The similarity of targets
 * yy comes from the incoming target t0; the logits y compare the layer's outputs h1 with its
 * targets t1 (for >2-D outputs: a mean over positions of per-position matmuls).
 */
import { Module } from '../torch/nn/module';
import { Tensor } from '../torch/tensor';
import { tidy } from '../torch/memory';
import { crossEntropy, logSoftmax, oneHot } from '../torch/nn/functional';
import { describe } from '../torch/errors';
import { bind, checkKeys } from '../torch/args';
import { SPModule, LossFunction, markBuiltin } from './module';

/** Base class for losses written as modules: subclass it and define forward(spLearn, h1, t1, h0, t0, context). */
export class Loss extends SPModule {
  override forward(spLearn: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): Tensor {
    throw new Error(`${this.constructor.name}.forward() is not implemented (a Loss subclass defines forward(spLearn, h1, t1, h0, t0, context))`);
  }
}

function checkT(x: unknown, name: string, fn: string): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`${fn}(): '${name}' must be a Tensor, got ${describe(x)}`);
}

/** yy: the similarity of the incoming targets, t0 @ t0^T (2-D) or the mean over positions of per-position products. */
export function targetSimilarity(t0: Tensor): Tensor {
  checkT(t0, 't0', 'targetSimilarity');
  return tidy(() => {
    if (t0.dim() === 2) {
      const t = t0.flatten(1);
      return t.matmul(t.t());
    }
    const t = t0.flatten(2).permute(2, 0, 1);
    return t.matmul(t.permute(0, 2, 1)).mean(0);
  });
}

/** y: logits of the outputs h1 against the targets t1 ([B, B']). */
export function inputTargetLogits(h1: Tensor, t1: Tensor): Tensor {
  checkT(h1, 'h1', 'inputTargetLogits');
  checkT(t1, 't1', 'inputTargetLogits');
  return tidy(() => {
    if (t1.dim() > 2) {
      const h = h1.flatten(2).permute(2, 0, 1);
      const t = t1.flatten(2).permute(2, 1, 0);
      return h.matmul(t).mean(0);
    }
    return h1.flatten(1).matmul(t1.flatten(1).t());
  });
}

/** Cross-entropy against soft (multi-hot) targets: mean over rows of sum(-target * logSoftmax(x, -1)); reduction 'mean' or 'none'. */
export function softTargetCrossEntropy(x: Tensor, target: Tensor, reduction: 'mean' | 'none' | { reduction?: 'mean' | 'none' } = 'mean'): Tensor {
  checkT(x, 'x', 'softTargetCrossEntropy');
  checkT(target, 'target', 'softTargetCrossEntropy');
  const red: unknown = typeof reduction === 'object' && reduction !== null ? checkKeys('softTargetCrossEntropy', reduction, ['reduction']).reduction ?? 'mean' : reduction;
  if (red !== 'mean' && red !== 'none') {
    const err = typeof red === 'string' ? RangeError : TypeError;
    throw new err(`softTargetCrossEntropy(): 'reduction' must be 'mean' or 'none', got ${describe(red)}`);
  }
  return tidy(() => {
    const loss = target.neg().mul(logSoftmax(x, -1)).sum(-1);
    return red === 'mean' ? loss.mean() : loss;
  });
}

function args6(fn: string, h1: unknown, t1: unknown, h0: unknown, t0: unknown): [Tensor, Tensor, Tensor, Tensor] {
  return [checkT(h1, 'h1', fn), checkT(t1, 't1', fn), checkT(h0, 'h0', fn), checkT(t0, 't0', fn)];
}

/** v1: cross-entropy of the logits against the labels (t1 must hold one row per class: DistinctBatchLabelsOnehot). */
export const v1InputLabelDirect: LossFunction = (spLearn, h1, t1, h0, t0, context) => {
  args6('v1InputLabelDirect', h1, t1, h0, t0);
  checkT(context, 'context', 'v1InputLabelDirect');
  return tidy(() => crossEntropy(inputTargetLogits(h1, t1), context));
};

/** v9: soft-target cross-entropy; targets = every sample whose target is as similar as the most similar (yy == row max). */
export const v9InputTargetMaxAll: LossFunction = (spLearn, h1, t1, h0, t0) => {
  args6('v9InputTargetMaxAll', h1, t1, h0, t0);
  return tidy(() => {
    const yy = targetSimilarity(t0);
    const y = inputTargetLogits(h1, t1);
    const yym = yy.max(1, true)[0];
    return softTargetCrossEntropy(y, yy.eq(yym).float());
  });
};

/** v14: cross-entropy against the first most similar sample (argmax of yy; ties go to the lowest index, no randomness). */
export const v14InputTargetMaxRand: LossFunction = (spLearn, h1, t1, h0, t0) => {
  args6('v14InputTargetMaxRand', h1, t1, h0, t0);
  return tidy(() => {
    const yy = targetSimilarity(t0);
    const y = inputTargetLogits(h1, t1);
    return crossEntropy(y, yy.argmax(1));
  });
};

/** A v15 loss: a function with its `topk`. */
export interface TopkLoss extends LossFunction {
  readonly topk: number;
}

/**
 * v15InputTargetTopk(topk) or ({ topk }): a loss (Python: an instance of the class
 * v15_input_target_topk) whose targets are the topk most similar samples (yy.topk, libtorch's
 * tie order), as a 0/1 soft target.
 */
export function v15InputTargetTopk(...a: unknown[]): TopkLoss {
  const [topk] = bind('v15InputTargetTopk', a, ['topk']);
  if (!Number.isInteger(topk) || (topk as number) < 1) throw new RangeError(`v15InputTargetTopk(): 'topk' must be a positive integer, got ${describe(topk)}`);
  const k = topk as number;
  const fn = (spLearn: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor): Tensor => {
    args6('v15InputTargetTopk', h1, t1, h0, t0);
    return tidy(() => {
      const yy = targetSimilarity(t0);
      const y = inputTargetLogits(h1, t1);
      if (k > yy.shape[1]) throw new RangeError(`v15InputTargetTopk: topk ${k} is larger than the batch of targets (${yy.shape[1]})`);
      const yym = yy.topk(k, 1)[1];
      const target = oneHot(yym, yy.shape[1]).sum(1).clamp(0, 1).float();
      return softTargetCrossEntropy(y, target);
    });
  };
  Object.defineProperty(fn, 'topk', { value: k, enumerable: true });
  Object.defineProperty(fn, 'name', { value: 'v15InputTargetTopk' });
  return fn as unknown as TopkLoss;
}

// ---- similarity helpers (loss/functional/utils in the original; the shipped losses do not use them) ----

/** similarityFormat(x, dim = 1, noStd = false) or (x, { dim, noStd }): centres x along dim and divides by 1e-8 + its L2 norm; >2-D input is flattened first (reduced by std when more than 8 trailing elements, unless noStd). */
export function similarityFormat(x: Tensor, ...a: unknown[]): Tensor {
  checkT(x, 'x', 'similarityFormat');
  const [d, ns] = bind('similarityFormat', a, ['dim', 'noStd']);
  const dim = (d ?? 1) as number, noStd = (ns ?? false) as boolean;
  return tidy(() => {
    let v = x;
    if (v.dim() > dim + 1) {
      v = v.flatten(dim + 1);
      if (!noStd && v.size(dim + 1) > 8) v = v.std(dim + 1);
      else v = v.flatten(dim);
    }
    const xc = v.sub(v.mean(dim, true));
    return xc.div(xc.pow(2).sum(dim, true).sqrt().add(1e-8));
  });
}

/** Normalised cosine-similarity matrix of x with itself, clamped to [-1, 1]. */
export function similarityMatrixX(x: Tensor, ...a: unknown[]): Tensor {
  const dim = (bind('similarityMatrixX', a, ['dim'])[0] ?? 1) as number;
  return tidy(() => {
    const xn = similarityFormat(x, dim);
    return xn.matmul(xn.transpose(dim, dim - 1)).clamp(-1, 1);
  });
}

/** Normalised cosine-similarity matrix of x against y, clamped to [-1, 1]. */
export function similarityMatrixXy(x: Tensor, y: Tensor, ...a: unknown[]): Tensor {
  checkT(y, 'y', 'similarityMatrixXy');
  const dim = (bind('similarityMatrixXy', a, ['dim'])[0] ?? 1) as number;
  return tidy(() => {
    const xn = similarityFormat(x, dim);
    const yn = similarityFormat(y, dim);
    return xn.matmul(yn.transpose(dim, dim - 1)).clamp(-1, 1);
  });
}

export function format2dim_(h: Tensor, ...a: unknown[]): Tensor {
  checkT(h, 'h', 'format2dim_');
  const format = (bind('format2dim_', a, ['format'])[0] ?? true) as boolean;
  return tidy(() => {
    const f = h.flatten(1);
    return format ? similarityFormat(f, 1) : f;
  });
}

export function format4dim_(h: Tensor, ...a: unknown[]): Tensor {
  checkT(h, 'h', 'format4dim_');
  const format = (bind('format4dim_', a, ['format'])[0] ?? true) as boolean;
  return tidy(() => {
    const f = h.flatten(2).permute(2, 0, 1);
    return format ? similarityFormat(f, 2) : f;
  });
}

export function sim2dim_(h: Tensor, t: Tensor): Tensor {
  checkT(h, 'h', 'sim2dim_');
  checkT(t, 't', 'sim2dim_');
  return tidy(() => h.matmul(t.t()));
}

export function sim4dim_(h: Tensor, t: Tensor): Tensor {
  checkT(h, 'h', 'sim4dim_');
  checkT(t, 't', 'sim4dim_');
  return tidy(() => h.matmul(t.permute(0, 2, 1)).mean(0));
}

export function formatSim2dim_(h: Tensor): Tensor {
  checkT(h, 'h', 'formatSim2dim_');
  return tidy(() => {
    const f = format2dim_(h);
    return sim2dim_(f, f);
  });
}

export function formatSim4dim_(h: Tensor): Tensor {
  checkT(h, 'h', 'formatSim4dim_');
  return tidy(() => {
    const f = format4dim_(h);
    return sim4dim_(f, f);
  });
}

markBuiltin(Loss);
