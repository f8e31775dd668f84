/** nn.functional, convolutions (conv1d/2d/3d, the transposed ones), linear and bilinear. */
import { Tensor, T, op, tid } from '../../tensor';
import { Args, IntList, OptTensor, int, ints, optTid, parse, str } from './common';

const O = {
  linear: op('linear'), bilinear: op('bilinear'), conv1d: op('conv1d'), conv1dPad: op('conv1d', 'padding'), conv2d: op('conv2d'),
  conv2dPad: op('conv2d', 'padding'), conv3d: op('conv3d'), conv3dPad: op('conv3d', 'padding'), convTranspose1d: op('conv_transpose1d'),
  convTranspose2d: op('conv_transpose2d', 'input'), convTranspose3d: op('conv_transpose3d', 'input'),
};

type ConvPos = [bias: OptTensor, stride: IntList, padding: IntList | 'same' | 'valid', dilation: IntList, groups: number];
export interface ConvOptions { bias?: OptTensor; stride?: IntList; padding?: IntList | 'same' | 'valid'; dilation?: IntList; groups?: number }
const CONV = ['bias', 'stride', 'padding', 'dilation', 'groups'];

function conv(fn: string, plain: typeof O.conv1d, padded: typeof O.conv1d, input: Tensor, weight: Tensor, rest: unknown[]): Tensor {
  const [bias, stride, padding, dilation, groups] = parse(fn, rest, CONV, 2);
  const args = [tid(input, 'input', fn), tid(weight, 'weight', fn), optTid(bias, 'bias', fn), ints(stride, 'stride', fn, 1)];
  const tail = [ints(dilation, 'dilation', fn, 1), int(groups, 'groups', fn, 1)];
  if (typeof padding === 'string') {
    // torch.conv2d(input, weight, bias, stride, 'same' | 'valid', ...) is the conv2d.padding overload
    str(padding, 'padding', fn, ['same', 'valid'] as const, 'valid');
    return T(padded([...args, padding, ...tail]));
  }
  return T(plain([...args, ints(padding, 'padding', fn, 0), ...tail]));
}

/** conv1d(input, weight, bias = null, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1) */
export function conv1d(input: Tensor, weight: Tensor, ...args: Args<ConvPos, ConvOptions>): Tensor {
  return conv('conv1d', O.conv1d, O.conv1dPad, input, weight, args);
}
/** conv2d(input, weight, bias = null, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1) */
export function conv2d(input: Tensor, weight: Tensor, ...args: Args<ConvPos, ConvOptions>): Tensor {
  return conv('conv2d', O.conv2d, O.conv2dPad, input, weight, args);
}
/** conv3d(input, weight, bias = null, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1) */
export function conv3d(input: Tensor, weight: Tensor, ...args: Args<ConvPos, ConvOptions>): Tensor {
  return conv('conv3d', O.conv3d, O.conv3dPad, input, weight, args);
}

type ConvTPos = [bias: OptTensor, stride: IntList, padding: IntList, outputPadding: IntList, groups: number, dilation: IntList];
export interface ConvTransposeOptions { bias?: OptTensor; stride?: IntList; padding?: IntList; outputPadding?: IntList; groups?: number; dilation?: IntList }
const CONVT = ['bias', 'stride', 'padding', 'outputPadding', 'groups', 'dilation'];

function convT(fn: string, f: typeof O.conv1d, input: Tensor, weight: Tensor, rest: unknown[]): Tensor {
  const [bias, stride, padding, outputPadding, groups, dilation] = parse(fn, rest, CONVT, 2);
  return T(f([tid(input, 'input', fn), tid(weight, 'weight', fn), optTid(bias, 'bias', fn), ints(stride, 'stride', fn, 1), ints(padding, 'padding', fn, 0),
    ints(outputPadding, 'outputPadding', fn, 0), int(groups, 'groups', fn, 1), ints(dilation, 'dilation', fn, 1)]));
}
/** convTranspose1d(input, weight, bias = null, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1) */
export function convTranspose1d(input: Tensor, weight: Tensor, ...args: Args<ConvTPos, ConvTransposeOptions>): Tensor {
  return convT('convTranspose1d', O.convTranspose1d, input, weight, args);
}
/** convTranspose2d(input, weight, bias = null, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1) */
export function convTranspose2d(input: Tensor, weight: Tensor, ...args: Args<ConvTPos, ConvTransposeOptions>): Tensor {
  return convT('convTranspose2d', O.convTranspose2d, input, weight, args);
}
/** convTranspose3d(input, weight, bias = null, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1) */
export function convTranspose3d(input: Tensor, weight: Tensor, ...args: Args<ConvTPos, ConvTransposeOptions>): Tensor {
  return convT('convTranspose3d', O.convTranspose3d, input, weight, args);
}

/** linear(input, weight, bias = null): input @ weight.T + bias (aten::linear). */
export function linear(input: Tensor, weight: Tensor, ...args: Args<[bias: OptTensor], { bias?: OptTensor }>): Tensor {
  const [bias] = parse('linear', args, ['bias'], 2);
  return T(O.linear([tid(input, 'input', 'linear'), tid(weight, 'weight', 'linear'), optTid(bias, 'bias', 'linear')]));
}

/** bilinear(input1, input2, weight, bias = null) (aten::bilinear). */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, ...args: Args<[bias: OptTensor], { bias?: OptTensor }>): Tensor {
  const [bias] = parse('bilinear', args, ['bias'], 3);
  return T(O.bilinear([tid(input1, 'input1', 'bilinear'), tid(input2, 'input2', 'bilinear'), tid(weight, 'weight', 'bilinear'), optTid(bias, 'bias', 'bilinear')]));
}
