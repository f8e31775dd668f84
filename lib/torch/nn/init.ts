/**
 * torch.nn.init, with PyTorch 1.13's arithmetic and random-number consumption, so the same seed
 * gives the same initial weights.
 */
import { Tensor, op, T } from '../tensor';
import type { Handle } from '../native-api';
import { describe } from '../errors';
import { checkKeys, checkNumber } from '../args';
import { noGrad } from '../autograd';
import { tidy } from '../memory';
import { torchAtLeast } from '../version';
import { tensor as newTensor, emptyLike as emptyLikeOf, where as whereOf } from '../functions';
import type { Generator } from '../random';

const erfinv_ = op('erfinv_');
const linalgQr = op<Handle[]>('linalg_qr');
const diag = op('diag');

function checkTensor(t: unknown, fn: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}(): 'tensor' must be a Tensor, got ${describe(t)}`);
  return t;
}

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  const linear = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d'];
  if (linear.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu') {
    let slope: number;
    if (param === undefined || param === null) slope = 0.01;
    else if (typeof param === 'number') slope = param;
    else throw new TypeError(`calculateGain(): negative_slope ${describe(param)} not a valid number`);
    return Math.sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new RangeError(`calculateGain(): unsupported nonlinearity ${describe(nonlinearity)}`);
}

/** [fanIn, fanOut] of a weight tensor (dims >= 2). */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  const shape = checkTensor(tensor, 'calculateFanInAndFanOut').shape;
  if (shape.length < 2) throw new RangeError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  let receptive = 1;
  for (const s of shape.slice(2)) receptive *= s;
  return [shape[1] * receptive, shape[0] * receptive];
}

function correctFan(tensor: Tensor, mode: string): number {
  const m = String(mode).toLowerCase();
  if (m !== 'fan_in' && m !== 'fan_out') throw new RangeError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return m === 'fan_in' ? fanIn : fanOut;
}

const gen = (g?: Generator) => (g === undefined ? {} : { generator: g });

export function uniform_(tensor: Tensor, a = 0, b = 1, opts?: { generator?: Generator }): Tensor {
  checkTensor(tensor, 'uniform_');
  return noGrad(() => tensor.uniform_(a, b, gen(opts?.generator)));
}
export function normal_(tensor: Tensor, mean = 0, std = 1, opts?: { generator?: Generator }): Tensor {
  checkTensor(tensor, 'normal_');
  return noGrad(() => tensor.normal_(mean, std, gen(opts?.generator)));
}
export function constant_(tensor: Tensor, val: number): Tensor {
  checkTensor(tensor, 'constant_');
  return noGrad(() => tensor.fill_(val));
}
export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}
export function zeros_(tensor: Tensor): Tensor {
  checkTensor(tensor, 'zeros_');
  return noGrad(() => tensor.zero_());
}
export function xavierUniform_(tensor: Tensor, gain = 1): Tensor {
  checkNumber(gain, 'gain', 'xavierUniform_');
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return noGrad(() => tensor.uniform_(-a, a));
}
export function xavierNormal_(tensor: Tensor, gain = 1): Tensor {
  checkNumber(gain, 'gain', 'xavierNormal_');
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return noGrad(() => tensor.normal_(0, std));
}
const KAIMING_KEYS = ['a', 'mode', 'nonlinearity'];
export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}
/** kaimingUniform_(tensor, a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu') or with an options object. */
export function kaimingUniform_(tensor: Tensor, a: number | KaimingOptions = 0, mode: KaimingOptions['mode'] = 'fan_in', nonlinearity: Nonlinearity = 'leaky_relu'): Tensor {
  if (a !== null && typeof a === 'object') ({ a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = checkKeys('kaimingUniform_', a, KAIMING_KEYS));
  checkTensor(tensor, 'kaimingUniform_');
  const gain = calculateGain(nonlinearity, a);
  if (typeof mode !== 'string' || !['fan_in', 'fan_out'].includes(mode.toLowerCase())) throw new RangeError(`Mode ${describe(mode)} not supported, please use one of fan_in, fan_out`);
  if (tensor.shape.includes(0)) return tensor;
  const std = gain / Math.sqrt(correctFan(tensor, mode));
  const bound = Math.sqrt(3.0) * std;
  return noGrad(() => tensor.uniform_(-bound, bound));
}
/** kaimingNormal_(tensor, a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu') or with an options object. */
export function kaimingNormal_(tensor: Tensor, a: number | KaimingOptions = 0, mode: KaimingOptions['mode'] = 'fan_in', nonlinearity: Nonlinearity = 'leaky_relu'): Tensor {
  if (a !== null && typeof a === 'object') ({ a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = checkKeys('kaimingNormal_', a, KAIMING_KEYS));
  checkTensor(tensor, 'kaimingNormal_');
  const gain = calculateGain(nonlinearity, a);
  if (typeof mode !== 'string' || !['fan_in', 'fan_out'].includes(mode.toLowerCase())) throw new RangeError(`Mode ${describe(mode)} not supported, please use one of fan_in, fan_out`);
  if (tensor.shape.includes(0)) return tensor;
  const std = gain / Math.sqrt(correctFan(tensor, mode));
  return noGrad(() => tensor.normal_(0, std));
}
/**
 * truncNormal_(tensor, mean = 0, std = 1, a = -2, b = 2): PyTorch's algorithm of the loaded libtorch,
 * the same random draws: >= 2.13 rejection sampling (normal draws redrawn outside [a, b] when that
 * interval holds > 30% of the mass, else uniform proposals accepted by the density), before that the
 * inverse-CDF transform of a uniform fill (1.13).
 */
export function truncNormal_(tensor: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  checkTensor(tensor, 'truncNormal_');
  checkNumber(mean, 'mean', 'truncNormal_');
  checkNumber(std, 'std', 'truncNormal_');
  checkNumber(a, 'a', 'truncNormal_');
  checkNumber(b, 'b', 'truncNormal_');
  const normCdf = (x: number) => (1 + erf(x / Math.sqrt(2))) / 2;
  if (torchAtLeast(2, 13)) return noGrad(() => tidy(() => truncNormalRejection(tensor, mean, std, a, b, normCdf)));
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  return noGrad(() => {
    tensor.uniform_(2 * l - 1, 2 * u - 1);
    erfinv_([tensor._id], true);
    tensor.mul_(std * Math.sqrt(2));
    tensor.add_(mean);
    return tensor.clamp_(a, b);
  });
}
/** PyTorch 2.13+'s _no_grad_trunc_normal_, op for op (torch/nn/init.py). */
function truncNormalRejection(tensor: Tensor, mean: number, std: number, a: number, b: number, normCdf: (x: number) => number): Tensor {
  const p = normCdf((b - mean) / std) - normCdf((a - mean) / std);
  if (p > 0.3) {
    // the bounds in the tensor's dtype, so that the rejection mask agrees with representable values
    const lo = newTensor(a, { dtype: tensor.dtype }).item() as number;
    const hi = newTensor(b, { dtype: tensor.dtype }).item() as number;
    let result = tensor.normal_(mean, std);
    for (;;) {
      const mask = result.lt(lo).bitwiseOr(result.gt(hi));
      if (!mask.any().item()) break;
      result = whereOf(mask, emptyLikeOf(result).normal_(mean, std), result);
    }
    if (result !== tensor) tensor.copy_(result);
    return tensor;
  }
  const mode = Math.max(a, Math.min(mean, b));
  const logPeak = -0.5 * ((mode - mean) / std) ** 2;
  const candidates = emptyLikeOf(tensor);
  const acceptBuf = emptyLikeOf(tensor);
  tensor.uniform_(a, b);
  candidates.copy_(tensor);
  candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(logPeak);
  let pending = acceptBuf.uniform_().log_().gt(candidates);
  if (pending.any().item()) {
    let result = tensor;
    for (;;) {
      candidates.uniform_(a, b);
      result = whereOf(pending, candidates, result);
      candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(logPeak);
      pending = whereOf(pending, acceptBuf.uniform_().log_().gt(candidates), pending);
      if (!pending.any().item()) break;
    }
    tensor.copy_(result);
  }
  return tensor;
}

/** orthogonal_(tensor, gain = 1): as PyTorch 1.13 (QR of a normal matrix, sign-corrected). */
export function orthogonal_(tensor: Tensor, gain = 1): Tensor {
  checkTensor(tensor, 'orthogonal_');
  checkNumber(gain, 'gain', 'orthogonal_');
  if (tensor.dim() < 2) throw new RangeError('Only tensors with 2 or more dimensions are supported');
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.size(0);
  const cols = tensor.numel() / rows;
  tidy(() => {
    let flattened = tensor.newEmpty([rows, cols]).normal_(0, 1);
    if (rows < cols) flattened = flattened.t();
    const [qh, rh] = linalgQr([flattened._id, 'reduced']) ;
    let q = T(qh);
    const d = T(diag([rh, 0]));
    T(rh);
    q.mul_(d.sign());
    if (rows < cols) q = q.t();
    noGrad(() => {
      tensor.viewAs(q).copy_(q);
      tensor.mul_(gain);
    });
  });
  return tensor;
}

// Python's math.erf (libm), computed by libtorch on a float64 scalar (std::erf, the same libm call).
function erf(x: number): number {
  return tidy(() => T(erfOp([tensorOf(x)])).item() as number);
}
const erfOp = op('erf');
const scalarTensor = op('scalar_tensor');
function tensorOf(x: number): number {
  return T(scalarTensor([x, 7 /* float64 */])) ._id;
}
