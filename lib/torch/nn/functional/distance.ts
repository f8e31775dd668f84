/** nn.functional, distances: pairwise distance, cosine similarity, pdist. */
import { Tensor, T, op, tid } from '../../tensor';
import { Args, bool, int, num, parse } from './common';

const O = {
  pairwiseDistance: op('pairwise_distance'), cosineSimilarity: op('cosine_similarity'), pdist: op('pdist'),
};

/** pairwiseDistance(x1, x2, p = 2, eps = 1e-6, keepdim = false) */
export function pairwiseDistance(x1: Tensor, x2: Tensor, ...args: Args<[p: number, eps: number, keepdim: boolean], { p?: number; eps?: number; keepdim?: boolean }>): Tensor {
  const fn = 'pairwiseDistance';
  const [p, eps, keepdim] = parse(fn, args, ['p', 'eps', 'keepdim'], 2);
  return T(O.pairwiseDistance([tid(x1, 'x1', fn), tid(x2, 'x2', fn), num(p, 'p', fn, 2.0), num(eps, 'eps', fn, 1e-6), bool(keepdim, 'keepdim', fn, false)]));
}
/** cosineSimilarity(x1, x2, dim = 1, eps = 1e-8) */
export function cosineSimilarity(x1: Tensor, x2: Tensor, ...args: Args<[dim: number, eps: number], { dim?: number; eps?: number }>): Tensor {
  const fn = 'cosineSimilarity';
  const [dim, eps] = parse(fn, args, ['dim', 'eps'], 2);
  return T(O.cosineSimilarity([tid(x1, 'x1', fn), tid(x2, 'x2', fn), int(dim, 'dim', fn, 1), num(eps, 'eps', fn, 1e-8)]));
}
/** pdist(input, p = 2) */
export function pdist(input: Tensor, ...args: Args<[p: number], { p?: number }>): Tensor {
  const [p] = parse('pdist', args, ['p'], 1);
  return T(O.pdist([tid(input, 'input', 'pdist'), num(p, 'p', 'pdist', 2)]));
}
