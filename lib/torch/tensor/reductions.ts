/**
 * Tensor methods, reductions: sum, mean, std, max, argmax, topk, sort, norm, ... (dim?, keepdim?, options).
 *
 * A mixin of Tensor: tensor.ts copies these methods onto Tensor.prototype and declares them on the
 * Tensor interface; import this module only through tensor.ts (it needs Tensor at load time).
 */
import type { Handle } from '../native-api';
import { Unary as U } from '../codes';
import { describe } from '../errors';
import { optDtypeCode } from '../dtype';
import { bind, checkInt, optInt, checkDims, optBool } from '../args';
import { op, OpFn } from '../ops';
import { Tensor } from '../tensor';
import type { ValuesIndices } from '../tensor';
import { T, VI, unary } from './calls';

const O = {
  sumAll: op('sum'), sumDim: op('sum', 'dim_IntList'), meanAll: op('mean'), meanDim: op('mean', 'dim'),
  prodAll: op('prod'), prodDim: op('prod', 'dim_int'),
  stdAll: op('std'), stdDim: op('std', 'dim'), varAll: op('var'), varDim: op('var', 'dim'),
  stdCorrection: op('std', 'correction'), varCorrection: op('var', 'correction'),
  maxDim: op<Handle[]>('max', 'dim'), minDim: op<Handle[]>('min', 'dim'), amax: op('amax'), amin: op('amin'),
  argmax: op('argmax'), argmin: op('argmin'), topk: op<Handle[]>('topk'), sort: op<Handle[]>('sort'), sortStable: op<Handle[]>('sort', 'stable'), argsort: op('argsort'),
  cumsum: op('cumsum'), cumprod: op('cumprod'), logsumexp: op('logsumexp'),
  normS: op('norm', 'Scalar'), normDim: op('norm', 'ScalarOpt_dim'),
  anyDim: op('any', 'dim'), allDim: op('all', 'dim'),
};

export class TensorReductions {
  // ---- reductions ----
  /** sum(dim?, keepdim?, { dtype }) */
  sum(this: Tensor, ...args: unknown[]): Tensor { return dimReduce(this, 'sum', U.sum, O.sumAll, O.sumDim, args); }
  /** mean(dim?, keepdim?, { dtype }) */
  mean(this: Tensor, ...args: unknown[]): Tensor { return dimReduce(this, 'mean', U.mean, O.meanAll, O.meanDim, args); }
  /** prod(dim?, keepdim?, { dtype }) */
  prod(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, keepdim, dtype] = bind('prod', args, ['dim', 'keepdim', 'dtype']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('prod', keepdim), dtype == null ? unary(this, U.prod) : T(O.prodAll([this._id, optDtypeCode(dtype)]));
    return T(O.prodDim([this._id, checkInt(dim, 'dim', 'prod'), optBool(keepdim, 'keepdim', 'prod', false), optDtypeCode(dtype)]));
  }
  /** std(dim?, unbiased = true, keepdim = false, { correction }) */
  std(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, unbiased, kd, correction] = bind('std', args, ['dim', 'unbiased', 'keepdim', 'correction']);
    const keepdim = optBool(kd, 'keepdim', 'std', false);
    if (correction !== undefined && correction !== null) {
      if (unbiased !== undefined && unbiased !== null) throw new TypeError("std(): pass either 'unbiased' or 'correction', not both");
      return T(O.stdCorrection([this._id, dim == null ? null : checkDims(dim, 'dim', 'std'), checkInt(correction, 'correction', 'std'), keepdim]));
    }
    const ub = optBool(unbiased, 'unbiased', 'std', true);
    if ((dim === undefined || dim === null) && !keepdim) return T(O.stdAll([this._id, ub]));
    return T(O.stdDim([this._id, dim == null ? null : checkDims(dim, 'dim', 'std'), ub, keepdim]));
  }
  /** var(dim?, unbiased = true, keepdim = false, { correction }) */
  var(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, unbiased, kd, correction] = bind('var', args, ['dim', 'unbiased', 'keepdim', 'correction']);
    const keepdim = optBool(kd, 'keepdim', 'var', false);
    if (correction !== undefined && correction !== null) {
      if (unbiased !== undefined && unbiased !== null) throw new TypeError("var(): pass either 'unbiased' or 'correction', not both");
      return T(O.varCorrection([this._id, dim == null ? null : checkDims(dim, 'dim', 'var'), checkInt(correction, 'correction', 'var'), keepdim]));
    }
    const ub = optBool(unbiased, 'unbiased', 'var', true);
    if ((dim === undefined || dim === null) && !keepdim) return T(O.varAll([this._id, ub]));
    return T(O.varDim([this._id, dim == null ? null : checkDims(dim, 'dim', 'var'), ub, keepdim]));
  }
  /** max() -> tensor; max(dim, keepdim?) -> [values, indices]; max(other) -> element-wise maximum. */
  max(this: Tensor): Tensor;
  max(this: Tensor, dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
  max(this: Tensor, opts: { dim: number; keepdim?: boolean }): ValuesIndices;
  max(this: Tensor, other: Tensor): Tensor;
  max(this: Tensor, ...args: unknown[]): Tensor | ValuesIndices {
    if (args.length === 1 && args[0] instanceof Tensor) return this.maximum(args[0]);
    const [dim, keepdim] = bind('max', args, ['dim', 'keepdim']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('max', keepdim), unary(this, U.max);
    return VI(O.maxDim([this._id, checkInt(dim, 'dim', 'max'), optBool(keepdim, 'keepdim', 'max', false)]));
  }
  /** min() -> tensor; min(dim, keepdim?) -> [values, indices]; min(other) -> element-wise minimum. */
  min(this: Tensor): Tensor;
  min(this: Tensor, dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
  min(this: Tensor, opts: { dim: number; keepdim?: boolean }): ValuesIndices;
  min(this: Tensor, other: Tensor): Tensor;
  min(this: Tensor, ...args: unknown[]): Tensor | ValuesIndices {
    if (args.length === 1 && args[0] instanceof Tensor) return this.minimum(args[0]);
    const [dim, keepdim] = bind('min', args, ['dim', 'keepdim']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('min', keepdim), unary(this, U.min);
    return VI(O.minDim([this._id, checkInt(dim, 'dim', 'min'), optBool(keepdim, 'keepdim', 'min', false)]));
  }
  amax(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('amax', args, ['dim', 'keepdim']);
    return T(O.amax([this._id, dim == null ? [] : checkDims(dim, 'dim', 'amax'), optBool(keepdim, 'keepdim', 'amax', false)]));
  }
  amin(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('amin', args, ['dim', 'keepdim']);
    return T(O.amin([this._id, dim == null ? [] : checkDims(dim, 'dim', 'amin'), optBool(keepdim, 'keepdim', 'amin', false)]));
  }
  argmax(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, kd] = bind('argmax', args, ['dim', 'keepdim']);
    const keepdim = optBool(kd, 'keepdim', 'argmax', false);
    if ((dim === undefined || dim === null) && !keepdim) return unary(this, U.argmax);
    return T(O.argmax([this._id, optInt(dim, 'dim', 'argmax'), keepdim]));
  }
  argmin(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, kd] = bind('argmin', args, ['dim', 'keepdim']);
    const keepdim = optBool(kd, 'keepdim', 'argmin', false);
    if ((dim === undefined || dim === null) && !keepdim) return unary(this, U.argmin);
    return T(O.argmin([this._id, optInt(dim, 'dim', 'argmin'), keepdim]));
  }
  /** topk(k, dim = -1, largest = true, sorted = true) -> [values, indices] */
  topk(this: Tensor, ...args: unknown[]): ValuesIndices {
    const [k, dim, largest, sorted] = bind('topk', args, ['k', 'dim', 'largest', 'sorted']);
    return VI(O.topk([this._id, checkInt(k, 'k', 'topk'), dim ?? -1, optBool(largest, 'largest', 'topk', true), optBool(sorted, 'sorted', 'topk', true)]));
  }
  /** sort(dim = -1, descending = false, { stable }) -> [values, indices] */
  sort(this: Tensor, ...args: unknown[]): ValuesIndices {
    const [dim, descending, stable] = bind('sort', args, ['dim', 'descending', 'stable']);
    const d = dim ?? -1;
    const desc = optBool(descending, 'descending', 'sort', false);
    if (stable !== undefined && stable !== null) return VI(O.sortStable([this._id, optBool(stable, 'stable', 'sort', false), d, desc]));
    return VI(O.sort([this._id, d, desc]));
  }
  argsort(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, descending] = bind('argsort', args, ['dim', 'descending']);
    return T(O.argsort([this._id, dim ?? -1, optBool(descending, 'descending', 'argsort', false)]));
  }
  /** cumsum(dim, { dtype }) */
  cumsum(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, dtype] = bind('cumsum', args, ['dim', 'dtype']);
    return T(O.cumsum([this._id, checkInt(dim, 'dim', 'cumsum'), optDtypeCode(dtype)]));
  }
  cumprod(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, dtype] = bind('cumprod', args, ['dim', 'dtype']);
    return T(O.cumprod([this._id, checkInt(dim, 'dim', 'cumprod'), optDtypeCode(dtype)]));
  }
  /** logsumexp(dim, keepdim = false) */
  logsumexp(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('logsumexp', args, ['dim', 'keepdim']);
    return T(O.logsumexp([this._id, checkDims(dim, 'dim', 'logsumexp'), optBool(keepdim, 'keepdim', 'logsumexp', false)]));
  }
  /** norm(p = 'fro', dim?, keepdim = false): p a number, 'fro' or Infinity. */
  norm(this: Tensor, ...args: unknown[]): Tensor {
    const [p, dim, kd] = bind('norm', args, ['p', 'dim', 'keepdim']);
    const keepdim = optBool(kd, 'keepdim', 'norm', false);
    let pv: number;
    if (p === undefined || p === null || p === 'fro') pv = 2;
    else if (typeof p === 'number') pv = p;
    else throw new TypeError(`norm(): 'p' must be a number or 'fro', got ${describe(p)}`);
    if ((dim === undefined || dim === null) && !keepdim) return T(O.normS([this._id, pv]));
    const dims = dim == null ? this.shape.map((_, i) => i) : checkDims(dim, 'dim', 'norm');
    return T(O.normDim([this._id, pv, dims, keepdim]));
  }
  any(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('any', args, ['dim', 'keepdim']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('any', keepdim), unary(this, U.any);
    return T(O.anyDim([this._id, checkInt(dim, 'dim', 'any'), optBool(keepdim, 'keepdim', 'any', false)]));
  }
  all(this: Tensor, ...args: unknown[]): Tensor {
    const [dim, keepdim] = bind('all', args, ['dim', 'keepdim']);
    if (dim === undefined || dim === null) return keepdimNeedsDim('all', keepdim), unary(this, U.all);
    return T(O.allDim([this._id, checkInt(dim, 'dim', 'all'), optBool(keepdim, 'keepdim', 'all', false)]));
  }
}

/** For reductions whose all-elements form has no keepdim (as in PyTorch). */
function keepdimNeedsDim(fn: string, keepdim: unknown): void {
  if (keepdim !== undefined && keepdim !== null) throw new TypeError(`${fn}(): 'keepdim' needs 'dim' (got keepdim ${describe(keepdim)} without a dim)`);
}

/** sum / mean: (dim?, keepdim?, { dtype }); no dim reduces everything (the fast path when nothing else is asked). */
function dimReduce(self: Tensor, fn: string, code: number, allOp: OpFn, dimOp: OpFn, args: unknown[]): Tensor {
  const [dim, kd, dtype] = bind(fn, args, ['dim', 'keepdim', 'dtype']);
  const keepdim = optBool(kd, 'keepdim', fn, false);
  const dt = optDtypeCode(dtype);
  if (dim === undefined || dim === null) {
    if (keepdim) return T(dimOp([self._id, self.shape.map((_, i) => i), true, dt]));
    return dt === undefined ? unary(self, code) : T(allOp([self._id, dt]));
  }
  return T(dimOp([self._id, checkDims(dim, 'dim', fn), keepdim, dt]));
}
