/**
 * Image transforms for float32 image tensors, torchvision-style, vectorised over a batch.
 *
 * Every transform takes either one image [C, H, W] or a batch [B, C, H, W] (float32, as the datasets
 * produce them: uint8 / 255) and treats each image of a batch independently: a random transform draws
 * its own random numbers for every sample, in a few tensor ops for the whole batch (no per-pixel
 * JavaScript). `apply(x)` neither modifies nor frees `x`; it returns a new tensor owned by the caller
 * (or by the enclosing torch.tidy / torch.scope), and frees its own temporaries.
 *
 * Randomness comes from the `generator` given to the transform's constructor, or from the default
 * generator (torch.manualSeed), so a seed reproduces the same augmentations. The transforms work on
 * any device: their helper tensors follow the input's device, and the random numbers are drawn on
 * the generator's device (the CPU by default) and moved, so a seed gives the same result everywhere.
 */
import * as torch from '../torch';
import type { Tensor, Generator } from '../torch';
import { functional as F } from '../torch/nn';
import { describe } from '../torch/errors';
import { checkOptions } from './options';
import { checkInt } from '../torch/args';

/** A transform: a Transform object, or a function from image tensor to image tensor with the same contract. */
export type TransformLike = Transform | ((x: Tensor) => Tensor);

/** Base class of the transforms. */
export abstract class Transform {
  /** Returns the transformed image or batch; `x` is left untouched. */
  abstract apply(x: Tensor): Tensor;
  /** A short description, like torchvision's repr. */
  abstract toString(): string;
}

/** Runs a transform given as an object or a function. */
export function applyTransform(t: TransformLike, x: Tensor): Tensor {
  return typeof t === 'function' ? t(x) : t.apply(x);
}

/** Checks that `t` is a usable transform; `what` names the parameter in the error. */
export function checkTransform(t: unknown, what: string): TransformLike {
  if (typeof t === 'function' || t instanceof Transform) return t as TransformLike;
  throw new TypeError(`${what} must be a Transform or a function (x: Tensor) => Tensor, got ${describe(t)}`);
}

// ---- argument checks -------------------------------------------------------------------------------------------
function positiveInt(x: unknown, param: string, fn: string, allowZero = false): number {
  const v = checkInt(x, param, fn, false);
  if (v < 0 || (!allowZero && v === 0)) throw new RangeError(`${fn}: '${param}' must be ${allowZero ? 'non-negative' : 'positive'}, got ${v}`);
  return v;
}

function optGenerator(g: unknown, fn: string): Generator | undefined {
  if (g === undefined || g === null) return undefined;
  if (!(g instanceof torch.Generator)) throw new TypeError(`${fn}: 'generator' must be a torch.Generator, got ${describe(g)}`);
  return g;
}

/**
 * Random numbers drawn on the generator's device (the CPU unless a CUDA generator is given), moved to
 * `device`, so that a seed gives the same augmentations whatever device the images are on.
 */
function onDevice(t: Tensor, device: string): Tensor {
  return t.device === device ? t : t.to(device);
}
function genDevice(g: Generator | undefined): string {
  return g ? g.device : 'cpu';
}

/**
 * Views one image [C, H, W] as a batch of one, runs `f` on the batch and returns an image again;
 * batches [B, C, H, W] go straight through. Other shapes and non-float dtypes throw.
 */
function batched(x: Tensor, fn: string, f: (b: Tensor) => Tensor): Tensor {
  if (!(x instanceof torch.Tensor)) throw new TypeError(`${fn}: the input must be a Tensor, got ${describe(x)}`);
  const nd = x.dim();
  if (nd !== 3 && nd !== 4) throw new RangeError(`${fn}: expected an image [C, H, W] or a batch [B, C, H, W], got shape [${x.shape.join(', ')}]`);
  if (!x.isFloatingPoint()) throw new TypeError(`${fn}: expected a floating-point image tensor, got dtype ${x.dtype} (the datasets give float32 in [0, 1])`);
  return torch.tidy(() => (nd === 4 ? f(x) : f(x.unsqueeze(0)).squeeze(0)));
}

// ---- Compose ---------------------------------------------------------------------------------------------------
/** Applies transforms one after the other (torchvision.transforms.Compose). */
export class Compose extends Transform {
  readonly transforms: TransformLike[];
  constructor(transforms: TransformLike[]) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError(`Compose: 'transforms' must be an array of transforms, got ${describe(transforms)}`);
    this.transforms = transforms.map((t, i) => checkTransform(t, `Compose: transforms[${i}]`));
  }
  apply(x: Tensor): Tensor {
    if (this.transforms.length === 0) return x.clone();
    return torch.tidy(() => {
      let y = x;
      for (const t of this.transforms) y = applyTransform(t, y);
      return y;
    });
  }
  toString(): string {
    return `Compose(\n${this.transforms.map((t) => `    ${typeof t === 'function' ? t.name || 'function' : t.toString()}`).join('\n')}\n)`;
  }
}

// ---- RandomCrop ------------------------------------------------------------------------------------------------
export interface RandomCropOptions {
  /**
   * Zero padding added before cropping: n (all sides), [leftRight, topBottom] or [left, top, right, bottom],
   * as torchvision. Default 0.
   */
  padding?: number | readonly number[];
  /** The padding value. Default 0. */
  fill?: number;
  generator?: Generator;
}

/**
 * Crops each image at an independent uniformly random position (torchvision.transforms.RandomCrop
 * with padding_mode 'constant'): the batch is padded once, then every crop is gathered in one
 * index operation. size: n for n x n, or [height, width].
 */
export class RandomCrop extends Transform {
  readonly size: [number, number];
  /** [left, top, right, bottom] */
  readonly padding: [number, number, number, number];
  readonly fill: number;
  readonly generator: Generator | undefined;

  constructor(size: number | readonly [number, number], options?: RandomCropOptions) {
    super();
    const fn = 'RandomCrop';
    const o = checkOptions(options, fn, ['padding', 'fill', 'generator']);
    if (typeof size === 'number') this.size = [positiveInt(size, 'size', fn), positiveInt(size, 'size', fn)];
    else if (Array.isArray(size) && size.length === 2) this.size = [positiveInt(size[0], 'size', fn), positiveInt(size[1], 'size', fn)];
    else throw new TypeError(`${fn}: 'size' must be an integer or [height, width], got ${describe(size)}`);
    const p = o.padding ?? 0;
    if (typeof p === 'number') {
      const n = positiveInt(p, 'padding', fn, true);
      this.padding = [n, n, n, n];
    } else if (Array.isArray(p) && (p.length === 2 || p.length === 4)) {
      const q = p.map((v) => positiveInt(v, 'padding', fn, true));
      this.padding = q.length === 2 ? [q[0], q[1], q[0], q[1]] : [q[0], q[1], q[2], q[3]];
    } else {
      throw new TypeError(`${fn}: 'padding' must be an integer, [leftRight, topBottom] or [left, top, right, bottom], got ${describe(p)}`);
    }
    if (o.fill !== undefined && (typeof o.fill !== 'number' || !Number.isFinite(o.fill))) throw new TypeError(`${fn}: 'fill' must be a finite number, got ${describe(o.fill)}`);
    this.fill = (o.fill as number | undefined) ?? 0;
    this.generator = optGenerator(o.generator, fn);
  }

  /** The batch shape [B, C, h, w] this crop makes of a batch of shape [B, C, H, W] (throws when it does not fit). */
  outShape(shape: readonly number[]): number[] {
    const [B, C, H, W] = shape;
    const [left, top, right, bottom] = this.padding;
    const Hp = H + top + bottom, Wp = W + left + right;
    const [h, w] = this.size;
    if (h > Hp || w > Wp) {
      throw new RangeError(`RandomCrop: crop size [${h}, ${w}] is larger than the padded image [${Hp}, ${Wp}] (input [${H}, ${W}], padding [${this.padding.join(', ')}])`);
    }
    return [B, C, h, w];
  }

  /** The random offsets for a batch of `shape` [B, C, H, W]: int64 [B] rows i0 and columns j0, on the generator's device. */
  drawParams(shape: readonly number[]): { i0: Tensor; j0: Tensor } {
    this.outShape(shape);
    const [B, , H, W] = shape;
    const [left, top, right, bottom] = this.padding;
    const Hp = H + top + bottom, Wp = W + left + right;
    const [h, w] = this.size;
    const g = { generator: this.generator, device: genDevice(this.generator) };
    // offsets per sample, as torchvision's get_params: i in [0, Hp - h], j in [0, Wp - w]
    const i0 = torch.randint(0, Hp - h + 1, [B], g);
    const j0 = torch.randint(0, Wp - w + 1, [B], g);
    return { i0, j0 };
  }

  /** The crop of a batch [B, C, H, W] at offsets drawn by drawParams (apply() = applyParams(x, drawParams(x.shape))). */
  applyParams(b: Tensor, params: { i0: Tensor; j0: Tensor }): Tensor {
    return torch.tidy(() => {
      const [B, C, H, W] = b.shape;
      this.outShape(b.shape);
      const [left, top, right, bottom] = this.padding;
      const Hp = H + top + bottom, Wp = W + left + right;
      const [h, w] = this.size;
      const padded = left || top || right || bottom ? F.pad(b, [left, right, top, bottom], 'constant', this.fill) : b;
      const device = b.device;
      const i0 = onDevice(params.i0, device);
      const j0 = onDevice(params.j0, device);
      // flat index into each padded image of crop pixel (r, c): (i0 + r) * Wp + j0 + c, built from the
      // small [B, h, 1] row starts so that only the last op is full size
      const rowStart = i0.view(B, 1, 1).add(torch.arange(h, { device }).view(1, h, 1)).mul_(Wp).add_(j0.view(B, 1, 1));
      const index = rowStart.add(torch.arange(w, { device }).view(1, 1, w)).view(B, 1, h * w);
      return padded.reshape(B, C, Hp * Wp).gather(2, C === 1 ? index : index.expand(B, C, h * w)).view(B, C, h, w);
    });
  }

  apply(x: Tensor): Tensor {
    return batched(x, 'RandomCrop', (b) => this.applyParams(b, this.drawParams(b.shape)));
  }

  toString(): string {
    return `RandomCrop(size=(${this.size.join(', ')}), padding=(${this.padding.join(', ')}))`;
  }
}

// ---- RandomHorizontalFlip ----------------------------------------------------------------------------------------
/** Flips each image left-right with probability p (torchvision.transforms.RandomHorizontalFlip). */
export class RandomHorizontalFlip extends Transform {
  readonly p: number;
  readonly generator: Generator | undefined;

  constructor(p = 0.5, options?: { generator?: Generator }) {
    super();
    const fn = 'RandomHorizontalFlip';
    if (typeof p !== 'number') throw new TypeError(`${fn}: 'p' must be a number, got ${describe(p)}`);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${fn}: 'p' must be in [0, 1], got ${p}`);
    this.p = p;
    this.generator = optGenerator(checkOptions(options, fn, ['generator']).generator, fn);
  }

  /** The draws for a batch of `shape` [B, ...]: float32 [B] uniform numbers (a sample flips when its draw < p). */
  drawParams(shape: readonly number[]): { draw: Tensor } {
    // one draw per sample: flip when rand < p (torchvision: torch.rand(1) < p)
    return { draw: torch.rand(shape[0], { generator: this.generator, device: genDevice(this.generator) }) };
  }

  /** The flips of a batch [B, C, H, W] by draws made by drawParams. */
  applyParams(b: Tensor, params: { draw: Tensor }): Tensor {
    return torch.tidy(() => {
      const B = b.shape[0];
      const flip = onDevice(params.draw.lt(this.p), b.device).view(B, 1, 1, 1);
      return torch.where(flip, b.flip(3), b);
    });
  }

  apply(x: Tensor): Tensor {
    return batched(x, 'RandomHorizontalFlip', (b) => this.applyParams(b, this.drawParams(b.shape)));
  }

  toString(): string {
    return `RandomHorizontalFlip(p=${this.p})`;
  }
}

// ---- Normalize ---------------------------------------------------------------------------------------------------
/**
 * (x - mean[c]) / std[c] per channel, in the image's dtype (float32 for the datasets' images), as
 * torchvision.transforms.Normalize. A single mean and std value apply to every channel.
 */
export class Normalize extends Transform {
  readonly mean: readonly number[];
  readonly std: readonly number[];

  constructor(mean: readonly number[], std: readonly number[]) {
    super();
    const fn = 'Normalize';
    const nums = (a: unknown, param: string): number[] => {
      if (!Array.isArray(a) || a.length === 0) throw new TypeError(`${fn}: '${param}' must be a non-empty array of numbers, got ${describe(a)}`);
      return a.map((v, i) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${fn}: '${param}[${i}]' must be a finite number, got ${describe(v)}`);
        return v;
      });
    };
    this.mean = Object.freeze(nums(mean, 'mean'));
    this.std = Object.freeze(nums(std, 'std'));
    if (this.mean.length !== this.std.length) throw new RangeError(`${fn}: 'mean' has ${this.mean.length} values but 'std' has ${this.std.length}`);
    const zero = this.std.findIndex((s) => Math.fround(s) === 0);
    if (zero >= 0) throw new RangeError(`${fn}: 'std[${zero}]' is ${this.std[zero]}; std evaluated to zero, leading to division by zero`);
  }

  apply(x: Tensor): Tensor {
    return batched(x, 'Normalize', (b) => {
      const C = b.shape[1];
      const n = this.mean.length;
      if (n !== 1 && n !== C) throw new RangeError(`Normalize: ${n} mean/std values for an image with ${C} channels`);
      // mean and std in the image's dtype, as torchvision does (float32 for the datasets' images)
      const o = { dtype: b.dtype, device: b.device };
      const mean = torch.tensor(Float64Array.from(this.mean), o).view(1, n, 1, 1);
      const std = torch.tensor(Float64Array.from(this.std), o).view(1, n, 1, 1);
      return b.sub(mean).div_(std);
    });
  }

  toString(): string {
    return `Normalize(mean=[${this.mean.join(', ')}], std=[${this.std.join(', ')}])`;
  }
}

// ---- Cutout --------------------------------------------------------------------------------------------------------
/**
 * Cutout (DeVries & Taylor 2017), as the sigprop examples mean it: for each image, nPatches times,
 * picks a centre pixel (y, x) uniformly and zeroes rows [y - length/2, y + length/2) and columns
 * [x - length/2, x + length/2) (length/2 rounded down), clipped at the borders, in every channel.
 * The squares have side `length` when it is even (length - 1 when odd), smaller at the borders.
 */
export class Cutout extends Transform {
  readonly nPatches: number;
  readonly length: number;
  readonly generator: Generator | undefined;

  constructor(nPatches: number, length: number, options?: { generator?: Generator }) {
    super();
    const fn = 'Cutout';
    this.nPatches = positiveInt(nPatches, 'nPatches', fn, true);
    this.length = positiveInt(length, 'length', fn, true);
    this.generator = optGenerator(checkOptions(options, fn, ['generator']).generator, fn);
  }

  /** The patch centres for a batch of `shape` [B, C, H, W]: int64 [B, nPatches, 1, 1] rows cy and columns cx (null: nothing to cut). */
  drawParams(shape: readonly number[]): { cy: Tensor; cx: Tensor } | null {
    const [B, , H, W] = shape;
    const n = this.nPatches;
    const half = Math.floor(this.length / 2);
    if (n === 0 || half === 0) return null;
    const g = { generator: this.generator, device: genDevice(this.generator) };
    const cy = torch.randint(0, H, [B, n, 1, 1], g);
    const cx = torch.randint(0, W, [B, n, 1, 1], g);
    return { cy, cx };
  }

  /** The cutout of a batch [B, C, H, W] at centres drawn by drawParams. */
  applyParams(b: Tensor, params: { cy: Tensor; cx: Tensor } | null): Tensor {
    return torch.tidy(() => {
      const [, , H, W] = b.shape;
      const half = Math.floor(this.length / 2);
      if (params === null) return b.clone();
      const device = b.device;
      const cy = onDevice(params.cy, device);
      const cx = onDevice(params.cx, device);
      const rows = torch.arange(H, { device }).view(1, 1, H, 1);
      const cols = torch.arange(W, { device }).view(1, 1, 1, W);
      const inRows = rows.ge(cy.sub(half)).logicalAnd(rows.lt(cy.add(half))); // [B, n, H, 1]
      const inCols = cols.ge(cx.sub(half)).logicalAnd(cols.lt(cx.add(half))); // [B, n, 1, W]
      const cut = inRows.logicalAnd(inCols).any(1, true); // [B, 1, H, W]
      return b.maskedFill(cut, 0);
    });
  }

  apply(x: Tensor): Tensor {
    return batched(x, 'Cutout', (b) => this.applyParams(b, this.drawParams(b.shape)));
  }

  toString(): string {
    return `Cutout(nPatches=${this.nPatches}, length=${this.length})`;
  }
}
