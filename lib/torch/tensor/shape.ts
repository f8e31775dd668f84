/**
 * Tensor methods, shape and selection: views and reshapes, splitting, gather / scatter, masks,
 * where, and Python's indexing (index / indexPut_).
 *
 * A mixin of Tensor: tensor.ts copies these methods onto Tensor.prototype and declares them on the
 * Tensor interface; import this module only through tensor.ts (it needs Tensor at load time).
 */
import { N } from '../native';
import type { Handle } from '../native-api';
import { Unary as U } from '../codes';
import { dtypeCode } from '../dtype';
import { checkKeys, checkInt, checkDims, checkScalar, sizeArgs } from '../args';
import { op } from '../ops';
import { Tensor } from '../tensor';
import type { Dims, TensorOrScalar } from '../tensor';
import { T, TT, tid, unary } from './calls';
import { IndexItem, encodeIndex } from './indexing';

const O = {
  view: op('view'), viewDtype: op('view', 'dtype'), reshape: op('reshape'), flatten: op('flatten', 'using_ints'), unflatten: op('unflatten', 'int'),
  permute: op('permute'), transpose: op('transpose', 'int'), unsqueeze: op('unsqueeze'), squeeze: op('squeeze'), squeezeDim: op('squeeze', 'dim'),
  expand: op('expand'), expandAs: op('expand_as'), repeat: op('repeat'), narrow: op('narrow'), select: op('select', 'int'),
  split: op<Handle[]>('split', 'Tensor'), splitSizes: op<Handle[]>('split_with_sizes'), chunk: op<Handle[]>('chunk'), unbind: op<Handle[]>('unbind', 'int'),
  flip: op('flip'), roll: op('roll'), asStrided: op('as_strided'), tril: op('tril'), triu: op('triu'), viewAs: op('view_as'), reshapeAs: op('reshape_as'),
  gather: op('gather'), scatterSrc: op('scatter', 'src'), scatterVal: op('scatter', 'value'), scatterReduce: op('scatter', 'reduce'), scatterValReduce: op('scatter', 'value_reduce'),
  scatterSrc_: op('scatter_', 'src'), scatterVal_: op('scatter_', 'value'), scatterReduce_: op('scatter_', 'reduce'), scatterValReduce_: op('scatter_', 'value_reduce'),
  scatterAdd: op('scatter_add'), scatterAdd_: op('scatter_add_'),
  indexSelect: op('index_select'), maskedFillS: op('masked_fill', 'Scalar'), maskedFillT: op('masked_fill', 'Tensor'),
  maskedFillS_: op('masked_fill_', 'Scalar'), maskedFillT_: op('masked_fill_', 'Tensor'), maskedSelect: op('masked_select'),
  nonzero: op('nonzero'), whereSelf: op('where', 'self'), whereCond: op<Handle[]>('where'),
  whereScalarOther: op('where', 'ScalarOther'), whereScalarSelf: op('where', 'ScalarSelf'), whereScalar: op('where', 'Scalar'),
};

export class TensorShape {
  // ---- shape ----
  /** view(...shape) or view([shape]); view(dtype) reinterprets the bytes. */
  view(this: Tensor, ...args: unknown[]): Tensor {
    if (args.length === 1 && typeof args[0] === 'string') return T(O.viewDtype([this._id, dtypeCode(args[0])]));
    return T(O.view([this._id, sizeArgs(args, 'view', 'shape', true).size]));
  }
  viewAs(this: Tensor, other: Tensor): Tensor { return T(O.viewAs([this._id, tid(other, 'other', 'viewAs')])); }
  /** asStrided(size, stride, storageOffset = 0): a view with the given geometry over this tensor's storage. */
  asStrided(this: Tensor, size: number[], stride: number[], storageOffset = 0): Tensor {
    return T(O.asStrided([this._id, checkDims(size, 'size', 'asStrided'), checkDims(stride, 'stride', 'asStrided'), checkInt(storageOffset, 'storageOffset', 'asStrided')]));
  }
  reshape(this: Tensor, ...shape: (number | number[])[]): Tensor { return T(O.reshape([this._id, sizeArgs(shape, 'reshape', 'shape', true).size])); }
  reshapeAs(this: Tensor, other: Tensor): Tensor { return T(O.reshapeAs([this._id, tid(other, 'other', 'reshapeAs')])); }
  flatten(this: Tensor, startDim = 0, endDim = -1): Tensor {
    return T(O.flatten([this._id, checkInt(startDim, 'startDim', 'flatten'), checkInt(endDim, 'endDim', 'flatten')]));
  }
  unflatten(this: Tensor, dim: number, sizes: number[]): Tensor { return T(O.unflatten([this._id, checkInt(dim, 'dim', 'unflatten'), checkDims(sizes, 'sizes', 'unflatten')])); }
  permute(this: Tensor, ...dims: (number | number[])[]): Tensor { return T(O.permute([this._id, flatDims(dims, 'permute')])); }
  transpose(this: Tensor, dim0: number, dim1: number): Tensor { return T(O.transpose([this._id, checkInt(dim0, 'dim0', 'transpose'), checkInt(dim1, 'dim1', 'transpose')])); }
  t(this: Tensor): Tensor { return unary(this, U.t); }
  unsqueeze(this: Tensor, dim: number): Tensor { return T(O.unsqueeze([this._id, checkInt(dim, 'dim', 'unsqueeze')])); }
  squeeze(this: Tensor, dim?: number): Tensor { return dim === undefined || dim === null ? T(O.squeeze([this._id])) : T(O.squeezeDim([this._id, checkInt(dim, 'dim', 'squeeze')])); }
  expand(this: Tensor, ...sizes: (number | number[])[]): Tensor { return T(O.expand([this._id, sizeArgs(sizes, 'expand', 'size', true).size])); }
  expandAs(this: Tensor, other: Tensor): Tensor { return T(O.expandAs([this._id, tid(other, 'other', 'expandAs')])); }
  repeat(this: Tensor, ...sizes: (number | number[])[]): Tensor { return T(O.repeat([this._id, sizeArgs(sizes, 'repeat', 'repeats').size])); }
  narrow(this: Tensor, dim: number, start: number, length: number): Tensor {
    return T(O.narrow([this._id, checkInt(dim, 'dim', 'narrow'), checkInt(start, 'start', 'narrow'), checkInt(length, 'length', 'narrow')]));
  }
  select(this: Tensor, dim: number, index: number): Tensor { return T(O.select([this._id, checkInt(dim, 'dim', 'select'), checkInt(index, 'index', 'select')])); }
  /** split(splitSize | sections[], dim = 0) */
  split(this: Tensor, splitSizeOrSections: number | number[], dim = 0): Tensor[] {
    if (Array.isArray(splitSizeOrSections)) return TT(O.splitSizes([this._id, checkDims(splitSizeOrSections, 'splitSizeOrSections', 'split'), checkInt(dim, 'dim', 'split')]));
    return TT(O.split([this._id, checkInt(splitSizeOrSections, 'splitSizeOrSections', 'split'), checkInt(dim, 'dim', 'split')]));
  }
  chunk(this: Tensor, chunks: number, dim = 0): Tensor[] { return TT(O.chunk([this._id, checkInt(chunks, 'chunks', 'chunk'), checkInt(dim, 'dim', 'chunk')])); }
  unbind(this: Tensor, dim = 0): Tensor[] { return TT(O.unbind([this._id, checkInt(dim, 'dim', 'unbind')])); }
  flip(this: Tensor, ...dims: (number | number[])[]): Tensor {
    if (dims.length === 0) throw new TypeError("flip() missing 1 required positional argument: 'dims'");
    return T(O.flip([this._id, flatDims(dims, 'flip')]));
  }
  roll(this: Tensor, shifts: Dims, dims?: Dims): Tensor { return T(O.roll([this._id, checkDims(shifts, 'shifts', 'roll'), dims === undefined ? [] : checkDims(dims, 'dims', 'roll')])); }
  tril(this: Tensor, diagonal = 0): Tensor { return T(O.tril([this._id, checkInt(diagonal, 'diagonal', 'tril')])); }
  triu(this: Tensor, diagonal = 0): Tensor { return T(O.triu([this._id, checkInt(diagonal, 'diagonal', 'triu')])); }
  gather(this: Tensor, dim: number, index: Tensor, opts?: { sparseGrad?: boolean }): Tensor {
    return T(O.gather([this._id, checkInt(dim, 'dim', 'gather'), tid(index, 'index', 'gather'), checkKeys('gather', opts, ['sparseGrad'])?.sparseGrad ?? false]));
  }
  /** scatter(dim, index, src | value, { reduce: 'add' | 'multiply' }) */
  scatter(this: Tensor, dim: number, index: Tensor, src: TensorOrScalar, opts?: { reduce?: 'add' | 'multiply' }): Tensor {
    return T(scatterCall(this, dim, index, src, checkKeys('scatter', opts, ['reduce'])?.reduce, false));
  }
  scatter_<S extends Tensor>(this: S, dim: number, index: Tensor, src: TensorOrScalar, opts?: { reduce?: 'add' | 'multiply' }): S {
    scatterCall(this, dim, index, src, checkKeys('scatter_', opts, ['reduce'])?.reduce, true);
    return this;
  }
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return T(O.scatterAdd([this._id, checkInt(dim, 'dim', 'scatterAdd'), tid(index, 'index', 'scatterAdd'), tid(src, 'src', 'scatterAdd')]));
  }
  scatterAdd_<S extends Tensor>(this: S, dim: number, index: Tensor, src: Tensor): S {
    O.scatterAdd_([this._id, checkInt(dim, 'dim', 'scatterAdd_'), tid(index, 'index', 'scatterAdd_'), tid(src, 'src', 'scatterAdd_')], true);
    return this;
  }
  indexSelect(this: Tensor, dim: number, index: Tensor): Tensor { return T(O.indexSelect([this._id, checkInt(dim, 'dim', 'indexSelect'), tid(index, 'index', 'indexSelect')])); }
  maskedFill(this: Tensor, mask: Tensor, value: TensorOrScalar): Tensor {
    const m = boolMask(mask, 'maskedFill');
    return value instanceof Tensor ? T(O.maskedFillT([this._id, m, value._id])) : T(O.maskedFillS([this._id, m, checkScalar(value, 'value', 'maskedFill')]));
  }
  maskedFill_<S extends Tensor>(this: S, mask: Tensor, value: TensorOrScalar): S {
    const m = boolMask(mask, 'maskedFill_');
    if (value instanceof Tensor) O.maskedFillT_([this._id, m, value._id], true);
    else O.maskedFillS_([this._id, m, checkScalar(value, 'value', 'maskedFill_')], true);
    return this;
  }
  maskedSelect(this: Tensor, mask: Tensor): Tensor { return T(O.maskedSelect([this._id, tid(mask, 'mask', 'maskedSelect')])); }
  nonzero(this: Tensor): Tensor { return T(O.nonzero([this._id])); }
  /** this.where(condition, other): elements of this where condition, else other. */
  where(this: Tensor, condition: Tensor, other: TensorOrScalar): Tensor { return whereImpl(condition, this, other); }

  // ---- indexing ----
  /**
   * Python's `t[...]`: items are integers, slices (`torch.slice(a, b)` or 'a:b:c' strings, ':' for
   * all), null (newaxis), '...', booleans, integer/boolean tensors or arrays. `t.index(0, ':', '1:3')`
   * is `t[0, :, 1:3]`.
   */
  index(this: Tensor, ...items: IndexItem[]): Tensor {
    const temps: Tensor[] = [];
    try {
      const [k, v] = encodeIndex(items, temps);
      return T(N.index(this._id, k, v));
    } finally {
      for (const t of temps) t.dispose();
    }
  }
  /**
   * Python's `t[items] = value` (in place): `t.indexPut_([':', '1:3'], 0)`. Returns this.
   * `{ accumulate: true }` is PyTorch's `index_put_(indices, values, accumulate=True)`: values at
   * repeated indices add up; then every item must be an index tensor (or array), or ':'.
   */
  indexPut_<S extends Tensor>(this: S, items: IndexItem[] | IndexItem, value: TensorOrScalar, opts?: { accumulate?: boolean }): S {
    // items is the index tuple: indexPut_([0, 2], v) is t[0, 2] = v; t[[0, 2]] = v is indexPut_([[0, 2]], v)
    const list = Array.isArray(items) ? (items as IndexItem[]) : [items];
    const accumulate = opts === undefined ? false : checkKeys('indexPut_', opts, ACCUMULATE).accumulate ?? false;
    if (typeof accumulate !== 'boolean') throw new TypeError(`indexPut_(): 'accumulate' must be a boolean, got ${typeof accumulate} ${String(accumulate)}`);
    const temps: Tensor[] = [];
    try {
      const [k, v] = encodeIndex(list, temps);
      if (value instanceof Tensor) N.indexPut(this._id, k, v, value._id, null, accumulate);
      else N.indexPut(this._id, k, v, null, checkScalar(value, 'value', 'indexPut_'), accumulate);
    } finally {
      for (const t of temps) t.dispose();
    }
    return this;
  }
}

const ACCUMULATE = ['accumulate'];

/**
 * A mask argument's handle; it must be bool. (libtorch 1.13 reads other dtypes' raw bytes as
 * booleans, a silent wrong answer; PyTorch 2.x rejects them, and so do we.)
 */
function boolMask(mask: unknown, fn: string): number {
  const h = tid(mask, 'mask', fn);
  const dt = (mask as Tensor).dtype;
  if (dt !== 'bool') throw new TypeError(`${fn}(): 'mask' must be a bool tensor, got dtype ${dt} (compare to get one, e.g. mask.ne(0))`);
  return h;
}

function flatDims(dims: (number | number[])[], fn: string): number[] {
  const list = dims.length === 1 && Array.isArray(dims[0]) ? (dims[0] as number[]) : (dims as number[]);
  return list.map((d) => checkInt(d, 'dims', fn));
}

function scatterCall(self: Tensor, dim: number, index: Tensor, src: TensorOrScalar, reduce: string | undefined, inplace: boolean): Handle {
  const fn = inplace ? 'scatter_' : 'scatter';
  const args: unknown[] = [self._id, checkInt(dim, 'dim', fn), tid(index, 'index', fn)];
  if (src instanceof Tensor) {
    args.push(src._id);
    if (reduce !== undefined) args.push(reduce);
    return (reduce === undefined ? (inplace ? O.scatterSrc_ : O.scatterSrc) : inplace ? O.scatterReduce_ : O.scatterReduce)(args, inplace);
  }
  args.push(checkScalar(src, 'value', fn));
  if (reduce !== undefined) args.push(reduce);
  return (reduce === undefined ? (inplace ? O.scatterVal_ : O.scatterVal) : inplace ? O.scatterValReduce_ : O.scatterValReduce)(args, inplace);
}

/** torch.where(condition, input, other); scalars promote with the other side as in PyTorch. */
export function whereImpl(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  const c = tid(condition, 'condition', 'where');
  if (input instanceof Tensor && other instanceof Tensor) return T(O.whereSelf([c, input._id, other._id]));
  if (input instanceof Tensor) return T(O.whereScalarOther([c, input._id, checkScalar(other, 'other', 'where')]));
  if (other instanceof Tensor) return T(O.whereScalarSelf([c, checkScalar(input, 'input', 'where'), other._id]));
  return T(O.whereScalar([c, checkScalar(input, 'input', 'where'), checkScalar(other, 'other', 'where')]));
}

export function whereCondition(condition: Tensor): Tensor[] {
  return TT(O.whereCond([tid(condition, 'condition', 'where')]));
}
