/** nn.functional, dropout: element-wise, channel-wise (dropout1d/2d/3d) and alpha dropout. */
import { Tensor, T, op, tid } from '../../tensor';
import { Args, bool, checkP, free, inplace, maybeSame, num, parse } from './common';

const O = {
  dropout: op('dropout'), dropout_: op('dropout_'), featureDropout: op('feature_dropout'), featureDropout_: op('feature_dropout_'),
  alphaDropout: op('alpha_dropout'), alphaDropout_: op('alpha_dropout_'), featureAlphaDropout: op('feature_alpha_dropout'),
  featureAlphaDropout_: op('feature_alpha_dropout_'), unsqueeze_: op('unsqueeze_'), squeeze_: op('squeeze_', 'dim'),
};

type DropPos = [p: number, training: boolean, inplace: boolean];
type DropOpt = { p?: number; training?: boolean; inplace?: boolean };

function dropoutArgs(fn: string, input: Tensor, args: unknown[], trainingDefault: boolean): [number, boolean, boolean] {
  const [p, training, ip] = parse(fn, args, ['p', 'training', 'inplace'], 1);
  tid(input, 'input', fn);
  const pv = num(p, 'p', fn, 0.5);
  const tr = bool(training, 'training', fn, trainingDefault);
  const inpl = bool(ip, 'inplace', fn, false);
  checkP(pv, fn);
  return [pv, tr, inpl];
}

/** dropout(input, p = 0.5, training = true, inplace = false) (aten::dropout / dropout_) */
export function dropout(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('dropout', input, args, true);
  return ip ? inplace(O.dropout_, input, [input._id, p, training]) : maybeSame(O.dropout([input._id, p, training]), input);
}
/** alphaDropout(input, p = 0.5, training = false, inplace = false) (note: training defaults to false, as in PyTorch) */
export function alphaDropout(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('alphaDropout', input, args, false);
  return ip ? inplace(O.alphaDropout_, input, [input._id, p, training]) : maybeSame(O.alphaDropout([input._id, p, training]), input);
}
/** featureAlphaDropout(input, p = 0.5, training = false, inplace = false) */
export function featureAlphaDropout(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('featureAlphaDropout', input, args, false);
  return ip ? inplace(O.featureAlphaDropout_, input, [input._id, p, training]) : maybeSame(O.featureAlphaDropout([input._id, p, training]), input);
}

/** Channel-wise dropout with an optional batch dimension (dropout1d / dropout3d). */
function featureDropoutUnbatched(input: Tensor, p: number, training: boolean, ip: boolean, batchedDim: number): Tensor {
  const batched = input.dim() === batchedDim;
  if (batched) return ip ? inplace(O.featureDropout_, input, [input._id, p, training]) : maybeSame(O.featureDropout([input._id, p, training]), input);
  if (ip) {
    O.unsqueeze_([input._id, 0], true);
    O.featureDropout_([input._id, p, training], true);
    O.squeeze_([input._id, 0], true);
    return input;
  }
  const u = input.unsqueeze(0);
  const r = T(O.featureDropout([u._id, p, training]));
  try { return r.squeeze(0); } finally { free(u, r); }
}
/** dropout1d(input, p = 0.5, training = true, inplace = false): input (N, C, L) or (C, L). */
export function dropout1d(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('dropout1d', input, args, true);
  const nd = input.dim();
  if (nd !== 2 && nd !== 3) {
    throw new RangeError(`dropout1d(): expected 2D or 3D input, but received a ${nd}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`);
  }
  return featureDropoutUnbatched(input, p, training, ip, 3);
}
/**
 * dropout2d(input, p = 0.5, training = true, inplace = false): zeroes whole channels of (N, C, H, W)
 * input. As in PyTorch 1.13, 3-d input is taken as (N, C, L) (channel-wise 1-d dropout).
 */
export function dropout2d(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('dropout2d', input, args, true);
  return ip ? inplace(O.featureDropout_, input, [input._id, p, training]) : maybeSame(O.featureDropout([input._id, p, training]), input);
}
/** dropout3d(input, p = 0.5, training = true, inplace = false): input (N, C, D, H, W) or (C, D, H, W). */
export function dropout3d(input: Tensor, ...args: Args<DropPos, DropOpt>): Tensor {
  const [p, training, ip] = dropoutArgs('dropout3d', input, args, true);
  return featureDropoutUnbatched(input, p, training, ip, 5);
}
