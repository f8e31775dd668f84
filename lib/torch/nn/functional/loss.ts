/** nn.functional, losses: the element-wise, classification and margin losses. */
import { Tensor, T, TT, op, tid } from '../../tensor';
import { noGrad } from '../../autograd';
import type { Handle } from '../../native-api';
import { Args, OptTensor, Reduction, bool, free, inferSize, int, none, num, optTid, parse, reductionEnum, reductionName, sameShape, shapeStr } from './common';
import { torchAtLeast } from '../../version';
import { logsigmoid } from './activations';

const O = {
  broadcastTensors: op<Handle[]>('broadcast_tensors'), expand: op('expand'), crossEntropyLoss: op('cross_entropy_loss'),
  nllLossNd: op('nll_loss_nd'), klDiv: op('kl_div'), mseLoss: op('mse_loss'), l1Loss: op('l1_loss'), smoothL1Loss: op('smooth_l1_loss'),
  huberLoss: op('huber_loss'), binaryCrossEntropy: op('binary_cross_entropy'), binaryCrossEntropyWithLogits: op('binary_cross_entropy_with_logits'),
  poissonNllLoss: op('poisson_nll_loss'), marginRankingLoss: op('margin_ranking_loss'), hingeEmbeddingLoss: op('hinge_embedding_loss'),
  softMarginLoss: op('soft_margin_loss'), cosineEmbeddingLoss: op('cosine_embedding_loss'), multiMarginLoss: op('multi_margin_loss'),
  tripletMarginLoss: op('triplet_margin_loss'),
};

type LossOpt = { reduction?: Reduction };

/** The element-wise losses: torch.broadcast_tensors(input, target), then the loss operator. */
function broadcastLoss(fn: string, f: typeof O.mseLoss, input: Tensor, target: Tensor, reduction: unknown, extra: unknown[]): Tensor {
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const r = reductionEnum(reduction, fn);
  const [ei, et] = TT(O.broadcastTensors([[a, b]]));
  try {
    return T(f([ei._id, et._id, r, ...extra]));
  } finally {
    free(ei, et);
  }
}

/** mseLoss(input, target, { reduction = 'mean' }) */
export function mseLoss(input: Tensor, target: Tensor, options?: LossOpt): Tensor {
  const [reduction] = parse('mseLoss', options === undefined ? [] : [options], ['reduction'], 2, 0);
  return broadcastLoss('mseLoss', O.mseLoss, input, target, reduction, []);
}
/** l1Loss(input, target, { reduction = 'mean' }) */
export function l1Loss(input: Tensor, target: Tensor, options?: LossOpt): Tensor {
  const [reduction] = parse('l1Loss', options === undefined ? [] : [options], ['reduction'], 2, 0);
  return broadcastLoss('l1Loss', O.l1Loss, input, target, reduction, []);
}
/** smoothL1Loss(input, target, { reduction = 'mean', beta = 1 }) */
export function smoothL1Loss(input: Tensor, target: Tensor, options?: LossOpt & { beta?: number }): Tensor {
  const fn = 'smoothL1Loss';
  const [reduction, beta] = parse(fn, options === undefined ? [] : [options], ['reduction', 'beta'], 2, 0);
  const bv = num(beta, 'beta', fn, 1.0);
  // PyTorch 2.x's F.smooth_l1_loss calls l1_loss for beta == 0 (1.13's always smooth_l1_loss)
  if (bv === 0 && torchAtLeast(2)) return broadcastLoss(fn, O.l1Loss, input, target, reduction, []);
  return broadcastLoss(fn, O.smoothL1Loss, input, target, reduction, [bv]);
}
/** huberLoss(input, target, reduction = 'mean', delta = 1) */
export function huberLoss(input: Tensor, target: Tensor, ...args: Args<[reduction: Reduction, delta: number], { reduction?: Reduction; delta?: number }>): Tensor {
  const fn = 'huberLoss';
  const [reduction, delta] = parse(fn, args, ['reduction', 'delta'], 2);
  const dv = num(delta, 'delta', fn, 1.0);
  return broadcastLoss(fn, O.huberLoss, input, target, reduction, [dv]);
}

type NllOpt = { weight?: OptTensor; ignoreIndex?: number; reduction?: Reduction };
/** nllLoss(input, target, weight = null, { ignoreIndex = -100, reduction = 'mean' }) (aten::nll_loss_nd) */
export function nllLoss(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], NllOpt>): Tensor {
  const fn = 'nllLoss';
  const [weight, ignoreIndex, reduction] = parse(fn, args, ['weight', 'ignoreIndex', 'reduction'], 2, 1);
  return T(O.nllLossNd([tid(input, 'input', fn), tid(target, 'target', fn), optTid(weight, 'weight', fn), reductionEnum(reduction, fn), int(ignoreIndex, 'ignoreIndex', fn, -100)]));
}

/**
 * crossEntropy(input, target, weight = null, { ignoreIndex = -100, reduction = 'mean',
 * labelSmoothing = 0 }): target holds class indices (int64) or class probabilities (float, the
 * shape of input). aten::cross_entropy_loss.
 */
export function crossEntropy(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], NllOpt & { labelSmoothing?: number }>): Tensor {
  const fn = 'crossEntropy';
  const [weight, ignoreIndex, reduction, ls] = parse(fn, args, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], 2, 1);
  return T(O.crossEntropyLoss([tid(input, 'input', fn), tid(target, 'target', fn), optTid(weight, 'weight', fn), reductionEnum(reduction, fn),
    int(ignoreIndex, 'ignoreIndex', fn, -100), num(ls, 'labelSmoothing', fn, 0.0)]));
}

/** binaryCrossEntropy(input, target, weight = null, { reduction = 'mean' }): weight is broadcast to target's shape. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], { weight?: OptTensor; reduction?: Reduction }>): Tensor {
  const fn = 'binaryCrossEntropy';
  const [weight, reduction] = parse(fn, args, ['weight', 'reduction'], 2, 1);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  let w = optTid(weight, 'weight', fn);
  const r = reductionEnum(reduction, fn);
  const ts = target.shape, is = input.shape;
  if (!sameShape(ts, is)) {
    throw new RangeError(`${fn}(): using a target size (${shapeStr(ts)}) that is different to the input size (${shapeStr(is)}) is deprecated. Please ensure they have the same size.`);
  }
  let ew: Tensor | undefined;
  if (w !== null) {
    ew = T(O.expand([w, inferSize(ts, (weight as Tensor).shape)]));
    w = ew._id;
  }
  try {
    return T(O.binaryCrossEntropy([a, b, w, r]));
  } finally {
    if (ew) free(ew);
  }
}

/** binaryCrossEntropyWithLogits(input, target, weight = null, { reduction = 'mean', posWeight = null }) */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], { weight?: OptTensor; reduction?: Reduction; posWeight?: OptTensor }>): Tensor {
  const fn = 'binaryCrossEntropyWithLogits';
  const [weight, reduction, posWeight] = parse(fn, args, ['weight', 'reduction', 'posWeight'], 2, 1);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const w = optTid(weight, 'weight', fn), pw = optTid(posWeight, 'posWeight', fn);
  const r = reductionEnum(reduction, fn);
  if (!sameShape(target.shape, input.shape)) {
    throw new RangeError(`${fn}(): target size (${shapeStr(target.shape)}) must be the same as input size (${shapeStr(input.shape)})`);
  }
  return T(O.binaryCrossEntropyWithLogits([a, b, w, pw, r]));
}

/**
 * klDiv(input, target, { reduction = 'mean', logTarget = false }): input holds log-probabilities;
 * reduction 'batchmean' sums and divides by the batch size (input.size(0)).
 */
export function klDiv(input: Tensor, target: Tensor, options?: { reduction?: Reduction | 'batchmean'; logTarget?: boolean }): Tensor {
  const fn = 'klDiv';
  const [reduction, logTarget] = parse(fn, options === undefined ? [] : [options], ['reduction', 'logTarget'], 2, 0);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const batchmean = reduction === 'batchmean';
  const r = batchmean ? 2 : reductionEnum(reduction, fn);
  const reduced = T(O.klDiv([a, b, r, bool(logTarget, 'logTarget', fn, false)]));
  if (batchmean && input.dim() !== 0) {
    try { return reduced.div(input.size(0)); } finally { free(reduced); }
  }
  return reduced;
}

/** poissonNllLoss(input, target, logInput = true, full = false, { eps = 1e-8, reduction = 'mean' }) */
export function poissonNllLoss(input: Tensor, target: Tensor, ...args: Args<[logInput: boolean, full: boolean], { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction }>): Tensor {
  const fn = 'poissonNllLoss';
  const [logInput, full, eps, reduction] = parse(fn, args, ['logInput', 'full', 'eps', 'reduction'], 2, 2);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const li = bool(logInput, 'logInput', fn, true), fu = bool(full, 'full', fn, false), e = num(eps, 'eps', fn, 1e-8);
  const red = reductionName(reduction, fn);
  return T(O.poissonNllLoss([a, b, li, fu, e, reductionEnum(red, fn)]));
}

/** gaussianNllLoss(input, target, var, full = false, eps = 1e-6, reduction = 'mean'), written out as in PyTorch. */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, ...args: Args<[full: boolean, eps: number, reduction: Reduction], { full?: boolean; eps?: number; reduction?: Reduction }>): Tensor {
  const fn = 'gaussianNllLoss';
  const [full, eps, reduction] = parse(fn, args, ['full', 'eps', 'reduction'], 3);
  tid(input, 'input', fn);
  tid(target, 'target', fn);
  tid(variance, 'var', fn);
  const fu = bool(full, 'full', fn, false), e = num(eps, 'eps', fn, 1e-6);
  const temps: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (temps.push(t), t);
  try {
    let v = variance;
    const vs = v.shape, is = input.shape;
    if (!sameShape(vs, is)) {
      if (sameShape(is.slice(0, -1), vs)) v = keep(v.unsqueeze(-1));
      else if (!(sameShape(is.slice(0, -1), vs.slice(0, -1)) && vs[vs.length - 1] === 1)) throw new RangeError(`${fn}(): var is of incorrect size`);
    }
    const red = reductionName(reduction, fn);
    if (keep(keep(v.lt(0)).any()).item()) throw new RangeError(`${fn}(): var has negative entry/entries`);
    v = keep(v.clone());
    const vc = v;
    noGrad(() => vc.clamp_({ min: e }));
    const loss = keep(keep(keep(vc.log()).add(keep(keep(keep(input.sub(target)).pow(2)).div(vc)))).mul(0.5));
    // 0.5 * (...) is mul(wrapped 0.5); Python's `loss += c` is add_ in place
    if (fu) loss.add_(0.5 * Math.log(2 * Math.PI));
    if (red === 'mean') return loss.mean();
    if (red === 'sum') return loss.sum();
    temps.splice(temps.indexOf(loss), 1);
    return loss;
  } finally {
    free(...temps);
  }
}

type MarginOpt = { margin?: number; reduction?: Reduction };
/** marginRankingLoss(input1, input2, target, margin = 0, { reduction = 'mean' }) */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: Args<[margin: number], MarginOpt>): Tensor {
  const fn = 'marginRankingLoss';
  const [margin, reduction] = parse(fn, args, ['margin', 'reduction'], 3, 1);
  const a = tid(input1, 'input1', fn), b = tid(input2, 'input2', fn), c = tid(target, 'target', fn);
  const m = num(margin, 'margin', fn, 0);
  const r = reductionEnum(reduction, fn);
  if (input1.dim() !== input2.dim() || input1.dim() !== target.dim()) {
    throw new RangeError(`${fn}(): all input tensors should have same dimension but got sizes: input1: ${shapeStr(input1.shape)}, input2: ${shapeStr(input2.shape)}, target: ${shapeStr(target.shape)}`);
  }
  return T(O.marginRankingLoss([a, b, c, m, r]));
}
/** hingeEmbeddingLoss(input, target, margin = 1, { reduction = 'mean' }) */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, ...args: Args<[margin: number], MarginOpt>): Tensor {
  const fn = 'hingeEmbeddingLoss';
  const [margin, reduction] = parse(fn, args, ['margin', 'reduction'], 2, 1);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const m = num(margin, 'margin', fn, 1.0);
  return T(O.hingeEmbeddingLoss([a, b, m, reductionEnum(reduction, fn)]));
}
/** softMarginLoss(input, target, { reduction = 'mean' }) */
export function softMarginLoss(input: Tensor, target: Tensor, options?: LossOpt): Tensor {
  const fn = 'softMarginLoss';
  const [reduction] = parse(fn, options === undefined ? [] : [options], ['reduction'], 2, 0);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  return T(O.softMarginLoss([a, b, reductionEnum(reduction, fn)]));
}
/** cosineEmbeddingLoss(input1, input2, target, margin = 0, { reduction = 'mean' }) */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: Args<[margin: number], MarginOpt>): Tensor {
  const fn = 'cosineEmbeddingLoss';
  const [margin, reduction] = parse(fn, args, ['margin', 'reduction'], 3, 1);
  const a = tid(input1, 'input1', fn), b = tid(input2, 'input2', fn), c = tid(target, 'target', fn);
  const m = num(margin, 'margin', fn, 0);
  return T(O.cosineEmbeddingLoss([a, b, c, m, reductionEnum(reduction, fn)]));
}
/** multiMarginLoss(input, target, p = 1, margin = 1, weight = null, { reduction = 'mean' }) */
export function multiMarginLoss(input: Tensor, target: Tensor, ...args: Args<[p: 1 | 2, margin: number, weight: OptTensor], { p?: 1 | 2; margin?: number; weight?: OptTensor; reduction?: Reduction }>): Tensor {
  const fn = 'multiMarginLoss';
  const [p, margin, weight, reduction] = parse(fn, args, ['p', 'margin', 'weight', 'reduction'], 2, 3);
  const a = tid(input, 'input', fn), b = tid(target, 'target', fn);
  const pv = int(p, 'p', fn, 1), m = num(margin, 'margin', fn, 1.0), w = optTid(weight, 'weight', fn);
  const r = reductionEnum(reduction, fn);
  if (pv !== 1 && pv !== 2) throw new RangeError(`${fn}(): only p == 1 and p == 2 supported, got ${pv}`);
  if (w !== null && (weight as Tensor).dim() !== 1) throw new RangeError(`${fn}(): weight must be one-dimensional`);
  return T(O.multiMarginLoss([a, b, pv, m, w, r]));
}
/** multilabelSoftMarginLoss(input, target, weight = null, { reduction = 'mean' }), written out as in PyTorch. */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, ...args: Args<[weight: OptTensor], { weight?: OptTensor; reduction?: Reduction }>): Tensor {
  const fn = 'multilabelSoftMarginLoss';
  const [weight, reduction] = parse(fn, args, ['weight', 'reduction'], 2, 1);
  tid(input, 'input', fn);
  tid(target, 'target', fn);
  if (!none(weight)) tid(weight, 'weight', fn);
  const red = reductionName(reduction, fn);
  const temps: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (temps.push(t), t);
  try {
    // loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    const l1 = keep(target.mul(keep(logsigmoid(input))));
    const l2 = keep(keep(target.rsub(1)).mul(keep(logsigmoid(keep(input.neg())))));
    let loss = keep(keep(l1.add(l2)).neg());
    if (!none(weight)) loss = keep(loss.mul(weight as Tensor));
    const classDim = input.dim() - 1;
    const C = input.size(classDim);
    loss = keep(keep(loss.sum(classDim)).div(C));
    if (red === 'mean') return loss.mean();
    if (red === 'sum') return loss.sum();
    temps.splice(temps.indexOf(loss), 1);
    return loss;
  } finally {
    free(...temps);
  }
}
/** tripletMarginLoss(anchor, positive, negative, margin = 1, p = 2, eps = 1e-6, swap = false, { reduction = 'mean' }) */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, ...args: Args<[margin: number, p: number, eps: number, swap: boolean], { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction }>): Tensor {
  const fn = 'tripletMarginLoss';
  const [margin, p, eps, swap, reduction] = parse(fn, args, ['margin', 'p', 'eps', 'swap', 'reduction'], 3, 4);
  return T(O.tripletMarginLoss([tid(anchor, 'anchor', fn), tid(positive, 'positive', fn), tid(negative, 'negative', fn), num(margin, 'margin', fn, 1.0),
    num(p, 'p', fn, 2), num(eps, 'eps', fn, 1e-6), bool(swap, 'swap', fn, false), reductionEnum(reduction, fn)]));
}
