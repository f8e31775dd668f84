/** nn.functional, vision: pad, interpolate, pixel shuffle. */
import { Tensor, T, op, tid } from '../../tensor';
import { describe } from '../../errors';
import { Args, IntList, bool, int, intArray, ints, none, num, optBool, optNum, parse, shapeStr, str } from './common';
import { adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d } from './pooling';

const O = {
  pad: op('pad'), pixelShuffle: op('pixel_shuffle'), pixelUnshuffle: op('pixel_unshuffle'), upsampleNearest1d: op('upsample_nearest1d', 'vec'),
  upsampleNearest2d: op('upsample_nearest2d', 'vec'), upsampleNearest3d: op('upsample_nearest3d', 'vec'),
  upsampleNearestExact1d: op('_upsample_nearest_exact1d', 'vec'), upsampleNearestExact2d: op('_upsample_nearest_exact2d', 'vec'),
  upsampleNearestExact3d: op('_upsample_nearest_exact3d', 'vec'), upsampleLinear1d: op('upsample_linear1d', 'vec'),
  upsampleBilinear2d: op('upsample_bilinear2d', 'vec'), upsampleBilinear2dAa: op('_upsample_bilinear2d_aa', 'vec'),
  upsampleTrilinear3d: op('upsample_trilinear3d', 'vec'), upsampleBicubic2d: op('upsample_bicubic2d', 'vec'),
  upsampleBicubic2dAa: op('_upsample_bicubic2d_aa', 'vec'),
};

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
/**
 * pad(input, pad, mode = 'constant', value = null): `pad` lists (before, after) pairs starting from
 * the last dimension. aten::pad (constant_pad_nd, reflection_pad*, replication_pad*, _pad_circular).
 */
export function pad(input: Tensor, pad: readonly number[], ...args: Args<[mode: PadMode, value: number | null], { mode?: PadMode; value?: number | null }>): Tensor {
  const fn = 'pad';
  const [mode, value] = parse(fn, args, ['mode', 'value'], 2);
  return T(O.pad([tid(input, 'input', fn), intArray(pad, 'pad', fn), str(mode, 'mode', fn, ['constant', 'reflect', 'replicate', 'circular'] as const, 'constant'),
    optNum(value, 'value', fn)]));
}

export type InterpolateMode = 'nearest' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area' | 'nearest-exact';
const MODES: readonly InterpolateMode[] = ['nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact'];
type InterpPos = [size: IntList | null, scaleFactor: number | readonly number[] | null, mode: InterpolateMode, alignCorners: boolean | null, recomputeScaleFactor: boolean | null, antialias: boolean];
export interface InterpolateOptions {
  size?: IntList | null; scaleFactor?: number | readonly number[] | null; mode?: InterpolateMode; alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null; antialias?: boolean;
}
/**
 * interpolate(input, size = null, scaleFactor = null, mode = 'nearest', alignCorners = null,
 * recomputeScaleFactor = null, antialias = false): upsample_* / adaptive_avg_pool* as PyTorch 1.13
 * picks them, with its handling of scale factors (passed to the kernel unless recomputed).
 */
export function interpolate(input: Tensor, ...args: Args<InterpPos, InterpolateOptions>): Tensor {
  const fn = 'interpolate';
  const [size, scaleFactor, modeArg, ac, rsf, aa] = parse(fn, args, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias'], 1);
  const h = tid(input, 'input', fn);
  const mode = str(modeArg, 'mode', fn, MODES, 'nearest');
  let alignCorners = optBool(ac, 'alignCorners', fn);
  let recompute = optBool(rsf, 'recomputeScaleFactor', fn);
  const antialias = bool(aa, 'antialias', fn, false);
  if (mode === 'nearest' || mode === 'area' || mode === 'nearest-exact') {
    if (alignCorners !== null) throw new RangeError(`${fn}(): align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`);
  } else if (alignCorners === null) {
    alignCorners = false;
  }
  const nd = input.dim();
  const dim = nd - 2;
  let outputSize: number[] | null = null;
  let scales: number[] | null = null;
  if (!none(size) && !none(scaleFactor)) throw new RangeError(`${fn}(): only one of size or scale_factor should be defined`);
  else if (!none(size)) {
    const s = ints(size, 'size', fn);
    if (Array.isArray(s)) {
      if (s.length !== dim) {
        throw new RangeError(`${fn}(): input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${shapeStr(input.shape.slice(2))} and output size of ${shapeStr(s)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
      }
      outputSize = s;
    } else {
      outputSize = Array.from({ length: Math.max(dim, 0) }, () => s);
    }
  } else if (!none(scaleFactor)) {
    if (Array.isArray(scaleFactor)) {
      if (!scaleFactor.every((v) => typeof v === 'number')) throw new TypeError(`${fn}(): 'scaleFactor' must be a number or an array of numbers, got ${describe(scaleFactor)} with a non-number element`);
      if (scaleFactor.length !== dim) {
        throw new RangeError(`${fn}(): input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${shapeStr(input.shape.slice(2))} and scale_factor of shape ${shapeStr(scaleFactor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
      }
      scales = [...scaleFactor];
    } else {
      const sf = num(scaleFactor, 'scaleFactor', fn);
      scales = Array.from({ length: Math.max(dim, 0) }, () => sf);
    }
  } else {
    throw new RangeError(`${fn}(): either size or scale_factor should be defined`);
  }
  if (recompute === true && !none(size)) throw new RangeError(`${fn}(): recompute_scale_factor is not meaningful with an explicit size.`);
  if (mode === 'area' && outputSize === null) recompute = true;
  if (recompute === true) {
    const sh = input.shape;
    outputSize = (scales as number[]).map((sc, i) => Math.floor(sh[i + 2] * sc));
    scales = null;
  }
  if (antialias && !((mode === 'bilinear' || mode === 'bicubic') && nd === 4)) throw new RangeError(`${fn}(): anti-alias option is only supported for bilinear and bicubic modes`);
  switch (`${nd}:${mode}`) {
    case '3:nearest': return T(O.upsampleNearest1d([h, outputSize, scales]));
    case '4:nearest': return T(O.upsampleNearest2d([h, outputSize, scales]));
    case '5:nearest': return T(O.upsampleNearest3d([h, outputSize, scales]));
    case '3:nearest-exact': return T(O.upsampleNearestExact1d([h, outputSize, scales]));
    case '4:nearest-exact': return T(O.upsampleNearestExact2d([h, outputSize, scales]));
    case '5:nearest-exact': return T(O.upsampleNearestExact3d([h, outputSize, scales]));
    case '3:area': return adaptiveAvgPool1d(input, outputSize as number[]);
    case '4:area': return adaptiveAvgPool2d(input, outputSize as number[]);
    case '5:area': return adaptiveAvgPool3d(input, outputSize as number[]);
    case '3:linear': return T(O.upsampleLinear1d([h, outputSize, alignCorners, scales]));
    case '4:bilinear': return T((antialias ? O.upsampleBilinear2dAa : O.upsampleBilinear2d)([h, outputSize, alignCorners, scales]));
    case '5:trilinear': return T(O.upsampleTrilinear3d([h, outputSize, alignCorners, scales]));
    case '4:bicubic': return T((antialias ? O.upsampleBicubic2dAa : O.upsampleBicubic2d)([h, outputSize, alignCorners, scales]));
  }
  const need: Record<string, number> = { linear: 3, bilinear: 4, bicubic: 4, trilinear: 5 };
  if (nd >= 3 && nd <= 5 && need[mode] !== undefined) throw new RangeError(`${fn}(): got ${nd}D input, but ${mode} mode needs ${need[mode]}D input`);
  throw new RangeError(`${fn}(): only 3D, 4D and 5D input tensors are supported (got ${nd}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
}

/** pixelShuffle(input, upscaleFactor) */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  return T(O.pixelShuffle([tid(input, 'input', 'pixelShuffle'), int(upscaleFactor, 'upscaleFactor', 'pixelShuffle')]));
}
/** pixelUnshuffle(input, downscaleFactor) */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  return T(O.pixelUnshuffle([tid(input, 'input', 'pixelUnshuffle'), int(downscaleFactor, 'downscaleFactor', 'pixelUnshuffle')]));
}
