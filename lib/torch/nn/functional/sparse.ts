/** nn.functional, sparse: embedding and one-hot. */
import { Tensor, T, op, tid } from '../../tensor';
import { Args, bool, free, int, num, optInt, optNum, parse } from './common';

const O = {
  embedding: op('embedding'), embeddingRenorm_: op('embedding_renorm_'), oneHot: op('one_hot'),
};

type EmbeddingPos = [paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean];
export interface EmbeddingOptions { paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean }
/**
 * embedding(input, weight, paddingIdx = null, maxNorm = null, normType = 2, scaleGradByFreq = false,
 * sparse = false). With maxNorm, the rows of `weight` that are looked up are renormalised in place
 * first (aten::embedding_renorm_ on weight.detach()), as in PyTorch.
 */
export function embedding(input: Tensor, weight: Tensor, ...args: Args<EmbeddingPos, EmbeddingOptions>): Tensor {
  const fn = 'embedding';
  const [pi, maxNorm, normType, sgbf, sparse] = parse(fn, args, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'], 2);
  tid(input, 'input', fn);
  const w = tid(weight, 'weight', fn);
  let padIdx = optInt(pi, 'paddingIdx', fn);
  const mn = optNum(maxNorm, 'maxNorm', fn);
  const nt = num(normType, 'normType', fn, 2.0);
  const scale = bool(sgbf, 'scaleGradByFreq', fn, false);
  const sp = bool(sparse, 'sparse', fn, false);
  if (padIdx !== null) {
    const n = weight.size(0);
    if (padIdx > 0) {
      if (!(padIdx < n)) throw new RangeError(`${fn}(): paddingIdx must be within num_embeddings (${n}), got ${padIdx}`);
    } else if (padIdx < 0) {
      if (!(padIdx >= -n)) throw new RangeError(`${fn}(): paddingIdx must be within num_embeddings (${n}), got ${padIdx}`);
      padIdx = n + padIdx;
    }
  } else {
    padIdx = -1;
  }
  if (mn !== null) {
    const idx = input.contiguous();
    const wd = weight.detach();
    try {
      O.embeddingRenorm_([wd._id, idx._id, mn, nt], true);
      return T(O.embedding([w, idx._id, padIdx, scale, sp]));
    } finally {
      free(idx, wd);
    }
  }
  return T(O.embedding([w, input._id, padIdx, scale, sp]));
}

/** oneHot(tensor, numClasses = -1): int64 one-hot encoding (aten::one_hot). */
export function oneHot(tensor: Tensor, ...args: Args<[numClasses: number], { numClasses?: number }>): Tensor {
  const [nc] = parse('oneHot', args, ['numClasses'], 1);
  return T(O.oneHot([tid(tensor, 'tensor', 'oneHot'), int(nc, 'numClasses', 'oneHot', -1)]));
}
