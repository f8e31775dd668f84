/** nn.functional, normalization: batch, instance, layer, group and local response norm, normalize. */
import { Tensor, T, op, tid } from '../../tensor';
import { Args, IntList, OptTensor, bool, free, int, ints, num, optTid, parse, shapeStr } from './common';
import { avgPool2d, avgPool3d } from './pooling';
import { pad } from './vision';

const O = {
  batchNorm: op('batch_norm'), instanceNorm: op('instance_norm'), layerNorm: op('layer_norm'), groupNorm: op('group_norm'),
  norm: op('norm', 'ScalarOpt_dim'), clampMin: op('clamp_min'),
};

function verifyBatchSize(size: number[], fn: string): void {
  let prod = size[0];
  for (let i = 0; i < size.length - 2; i++) prod *= size[i + 2];
  if (prod === 1) throw new RangeError(`${fn}(): expected more than 1 value per channel when training, got input size ${shapeStr(size)}`);
}

type BatchNormPos = [weight: OptTensor, bias: OptTensor, training: boolean, momentum: number, eps: number];
export interface BatchNormOptions { weight?: OptTensor; bias?: OptTensor; training?: boolean; momentum?: number; eps?: number }
/**
 * batchNorm(input, runningMean, runningVar, weight = null, bias = null, training = false,
 * momentum = 0.1, eps = 1e-5) (aten::batch_norm; the running stats are updated in place when training).
 */
export function batchNorm(input: Tensor, runningMean: OptTensor, runningVar: OptTensor, ...args: Args<BatchNormPos, BatchNormOptions>): Tensor {
  const fn = 'batchNorm';
  const [weight, bias, training, momentum, eps] = parse(fn, args, ['weight', 'bias', 'training', 'momentum', 'eps'], 3);
  const a = [tid(input, 'input', fn), optTid(weight, 'weight', fn), optTid(bias, 'bias', fn), optTid(runningMean, 'runningMean', fn), optTid(runningVar, 'runningVar', fn)];
  const tr = bool(training, 'training', fn, false);
  const mom = num(momentum, 'momentum', fn, 0.1);
  const e = num(eps, 'eps', fn, 1e-5);
  if (tr) verifyBatchSize(input.shape, fn);
  return T(O.batchNorm([...a, tr, mom, e, true]));
}

type InstanceNormPos = [runningMean: OptTensor, runningVar: OptTensor, weight: OptTensor, bias: OptTensor, useInputStats: boolean, momentum: number, eps: number];
export interface InstanceNormOptions { runningMean?: OptTensor; runningVar?: OptTensor; weight?: OptTensor; bias?: OptTensor; useInputStats?: boolean; momentum?: number; eps?: number }
/** instanceNorm(input, runningMean = null, runningVar = null, weight = null, bias = null, useInputStats = true, momentum = 0.1, eps = 1e-5) */
export function instanceNorm(input: Tensor, ...args: Args<InstanceNormPos, InstanceNormOptions>): Tensor {
  const fn = 'instanceNorm';
  const [rm, rv, weight, bias, uis, momentum, eps] = parse(fn, args, ['runningMean', 'runningVar', 'weight', 'bias', 'useInputStats', 'momentum', 'eps'], 1);
  const a = [tid(input, 'input', fn), optTid(weight, 'weight', fn), optTid(bias, 'bias', fn), optTid(rm, 'runningMean', fn), optTid(rv, 'runningVar', fn)];
  const use = bool(uis, 'useInputStats', fn, true);
  const mom = num(momentum, 'momentum', fn, 0.1);
  const e = num(eps, 'eps', fn, 1e-5);
  if (use) {
    const size = input.shape;
    let prod = 1;
    for (let i = 2; i < size.length; i++) prod *= size[i];
    if (prod === 1) throw new RangeError(`${fn}(): expected more than 1 spatial element when training, got input size ${shapeStr(size)}`);
  }
  return T(O.instanceNorm([...a, use, mom, e, true]));
}

/** layerNorm(input, normalizedShape, weight = null, bias = null, eps = 1e-5) */
export function layerNorm(input: Tensor, normalizedShape: IntList, ...args: Args<[weight: OptTensor, bias: OptTensor, eps: number], { weight?: OptTensor; bias?: OptTensor; eps?: number }>): Tensor {
  const fn = 'layerNorm';
  const [weight, bias, eps] = parse(fn, args, ['weight', 'bias', 'eps'], 2);
  const ns = ints(normalizedShape, 'normalizedShape', fn);
  return T(O.layerNorm([tid(input, 'input', fn), typeof ns === 'number' ? [ns] : ns, optTid(weight, 'weight', fn), optTid(bias, 'bias', fn), num(eps, 'eps', fn, 1e-5), true]));
}

/** groupNorm(input, numGroups, weight = null, bias = null, eps = 1e-5) */
export function groupNorm(input: Tensor, numGroups: number, ...args: Args<[weight: OptTensor, bias: OptTensor, eps: number], { weight?: OptTensor; bias?: OptTensor; eps?: number }>): Tensor {
  const fn = 'groupNorm';
  const [weight, bias, eps] = parse(fn, args, ['weight', 'bias', 'eps'], 2);
  const h = tid(input, 'input', fn);
  const g = int(numGroups, 'numGroups', fn);
  const w = optTid(weight, 'weight', fn);
  const b = optTid(bias, 'bias', fn);
  const e = num(eps, 'eps', fn, 1e-5);
  const s = input.shape;
  if (s.length < 2) throw new RangeError(`${fn}(): expected an input with at least 2 dimensions (N, C, *), got size ${shapeStr(s)}`);
  verifyBatchSize([Math.floor((s[0] * s[1]) / g), g, ...s.slice(2)], fn);
  return T(O.groupNorm([h, g, w, b, e, true]));
}

/**
 * localResponseNorm(input, size, alpha = 1e-4, beta = 0.75, k = 1): as PyTorch, from mul / pad /
 * avg_pool / pow.
 */
export function localResponseNorm(input: Tensor, size: number, ...args: Args<[alpha: number, beta: number, k: number], { alpha?: number; beta?: number; k?: number }>): Tensor {
  const fn = 'localResponseNorm';
  const [alpha, beta, k] = parse(fn, args, ['alpha', 'beta', 'k'], 2);
  tid(input, 'input', fn);
  const sz = int(size, 'size', fn);
  const al = num(alpha, 'alpha', fn, 1e-4), be = num(beta, 'beta', fn, 0.75), kk = num(k, 'k', fn, 1.0);
  const dim = input.dim();
  if (dim < 3) throw new RangeError(`${fn}(): expected 3D or higher dimensionality input (got ${dim} dimensions)`);
  if (input.numel() === 0) return input;
  const temps: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (temps.push(t), t);
  try {
    const sq = keep(input.mul(input));
    let div = keep(sq.unsqueeze(1));
    const lo = Math.floor(sz / 2), hi = Math.floor((sz - 1) / 2);
    if (dim === 3) {
      div = keep(pad(div, [0, 0, lo, hi]));
      div = keep(avgPool2d(div, [sz, 1], { stride: 1 }));
      div = keep(div.squeeze(1));
    } else {
      const sizes = input.shape;
      div = keep(div.view(sizes[0], 1, sizes[1], sizes[2], -1));
      div = keep(pad(div, [0, 0, 0, 0, lo, hi]));
      div = keep(avgPool3d(div, [sz, 1, 1], { stride: 1 }));
      div = keep(div.squeeze(1));
      div = keep(div.view(sizes));
    }
    div = keep(keep(keep(div.mul(al)).add(kk)).pow(be));
    return input.div(div);
  } finally {
    free(...temps);
  }
}

/** normalize(input, p = 2, dim = 1, eps = 1e-12): input / input.norm(p, dim, keepdim).clampMin(eps).expandAs(input) */
export function normalize(input: Tensor, ...args: Args<[p: number, dim: number, eps: number], { p?: number; dim?: number; eps?: number }>): Tensor {
  const fn = 'normalize';
  const [p, dim, eps] = parse(fn, args, ['p', 'dim', 'eps'], 1);
  const h = tid(input, 'input', fn);
  const pv = num(p, 'p', fn, 2.0), d = int(dim, 'dim', fn, 1), e = num(eps, 'eps', fn, 1e-12);
  // input.norm(p, dim, keepdim=True) is torch.norm -> _VF.norm(input, p, [dim], keepdim=True)
  const n = T(O.norm([h, pv, [d], true]));
  let c: Tensor | undefined, denom: Tensor | undefined;
  try {
    c = T(O.clampMin([n._id, e]));
    denom = c.expandAs(input);
    return input.div(denom);
  } finally {
    free(n);
    if (c) free(c);
    if (denom) free(denom);
  }
}
