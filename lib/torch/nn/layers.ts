/**
 * The layers of torch.nn, with PyTorch 1.13's constructor arguments, parameter creation order and
 * initialisation (same seed -> same weights), forward (through nn.functional) and repr.
 */
import { Tensor } from '../tensor';
import { bindArgs, bindStyle, byName, BindStyle, checkBool, checkKeys, checkNumber } from '../args';
import { torchAtLeast } from '../version';
import { describe } from '../errors';
import { DTypeLike, Device } from '../dtype';
import { empty, zeros, ones, tensor } from '../functions';
import { noGrad } from '../autograd';
import { Module, Parameter } from './module';
import * as init from './init';
import * as F from './functional';

export interface FactoryOptions {
  device?: Device;
  dtype?: DTypeLike;
}
type IntOrTuple = number | number[];

// ---- Python-style formatting for reprs ----
/** Python's repr of a float: 0.1, 1e-05, 1.0, inf. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(x);
}
const pyBool = (b: boolean) => (b ? 'True' : 'False');
/** A Python int or tuple of ints: 3, (3, 3), (3,). */
function pyTuple(v: IntOrTuple | string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
}
function ntuple(v: IntOrTuple, n: number, name: string, cls: string): number[] {
  const arr = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
  if (!Array.isArray(arr) || arr.length !== n || !arr.every((x) => Number.isInteger(x))) {
    throw new TypeError(`${cls}(): '${name}' must be an integer or an array of ${n} integers, got ${describe(v)}`);
  }
  return [...arr];
}
function checkPositiveInt(v: unknown, name: string, cls: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TypeError(`${cls}(): '${name}' must be a non-negative integer, got ${describe(v)}`);
  return v;
}
/** A size: an integer or an array of integers (normalizedShape, unflattenedSize). */
function checkSizes(v: unknown, name: string, cls: string, allowNegOne = false): number[] {
  const arr = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'number' && Number.isInteger(x) && (x >= 0 || (allowNegOne && x === -1)))) {
    throw new TypeError(`${cls}(): '${name}' must be ${allowNegOne ? 'an integer (-1: inferred)' : 'a non-negative integer'} or an array of them, got ${describe(v)}`);
  }
  return [...arr] as number[];
}
function emptyParam(size: number[], o?: FactoryOptions): Parameter {
  const t = empty(size, { dtype: o?.dtype, device: o?.device });
  const p = new Parameter(t);
  t.dispose();
  return p;
}

// ---- Linear ----
export class Linear extends Module {
  declare inFeatures: number;
  declare outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;
  /** Linear(inFeatures, outFeatures, bias = true, { device, dtype }); or Linear(in, out, { bias, device, dtype }) */
  constructor(inFeatures: number, outFeatures: number, bias?: boolean | (FactoryOptions & { bias?: boolean }), options?: FactoryOptions) {
    super();
    const a = layerArgs('Linear', [bias, options], ['bias']);
    bias = checkBool(a.v.bias ?? true, 'bias', 'Linear', false);
    options = a.options;
    this.inFeatures = checkPositiveInt(inFeatures, 'inFeatures', 'Linear');
    this.outFeatures = checkPositiveInt(outFeatures, 'outFeatures', 'Linear');
    // allocation and initialization: if either throws (out of memory), nothing stays allocated
    this._initOrDispose(() => {
      this.weight = emptyParam([outFeatures, inFeatures], options);
      if (bias) this.bias = emptyParam([outFeatures], options);
      else this.registerParameter('bias', null);
      this.resetParameters();
    });
  }
  resetParameters(): void {
    init.kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }
  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

// ---- convolutions ----
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export interface ConvOptions extends FactoryOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple | 'same' | 'valid';
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}
abstract class ConvNd extends Module {
  declare inChannels: number;
  declare outChannels: number;
  declare kernelSize: number[];
  declare stride: number[];
  declare padding: number[] | 'same' | 'valid';
  declare dilation: number[];
  declare transposed: boolean;
  declare outputPadding: number[];
  declare groups: number;
  declare paddingMode: PaddingMode;
  declare reversedPaddingRepeatedTwice: number[];
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(n: number, cls: string, inChannels: number, outChannels: number, kernelSize: IntOrTuple, stride: IntOrTuple, padding: IntOrTuple | 'same' | 'valid',
    dilation: IntOrTuple, transposed: boolean, outputPadding: IntOrTuple, groups: number, bias: boolean, paddingMode: PaddingMode, options?: FactoryOptions) {
    super();
    checkPositiveInt(inChannels, 'inChannels', cls);
    checkPositiveInt(outChannels, 'outChannels', cls);
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError(`${cls}(): groups must be a positive integer, got ${describe(groups)}`);
    if (inChannels % groups !== 0) throw new RangeError(`${cls}(): in_channels must be divisible by groups`);
    if (outChannels % groups !== 0) throw new RangeError(`${cls}(): out_channels must be divisible by groups`);
    const stride_ = ntuple(stride, n, 'stride', cls);
    const dilation_ = ntuple(dilation, n, 'dilation', cls);
    const kernel_ = ntuple(kernelSize, n, 'kernelSize', cls);
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') throw new RangeError(`${cls}(): invalid padding string '${padding}', should be one of 'valid', 'same'`);
      if (padding === 'same' && stride_.some((s) => s !== 1)) throw new RangeError(`${cls}(): padding='same' is not supported for strided convolutions`);
    }
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(paddingMode)) {
      throw new RangeError(`${cls}(): padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got '${paddingMode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernel_;
    this.stride = stride_;
    this.padding = typeof padding === 'string' ? padding : ntuple(padding, n, 'padding', cls);
    this.dilation = dilation_;
    this.transposed = transposed;
    this.outputPadding = ntuple(outputPadding, n, 'outputPadding', cls);
    this.groups = groups;
    this.paddingMode = paddingMode;
    const rp: number[] = [];
    if (typeof this.padding === 'string') {
      if (this.padding === 'same') {
        for (let i = n - 1; i >= 0; i--) {
          const total = dilation_[i] * (kernel_[i] - 1);
          const left = Math.floor(total / 2);
          rp.push(left, total - left);
        }
      } else for (let i = 0; i < n; i++) rp.push(0, 0);
    } else {
      for (let i = n - 1; i >= 0; i--) rp.push(this.padding[i], this.padding[i]);
    }
    this.reversedPaddingRepeatedTwice = rp;
    // allocation and initialization: if either throws (out of memory), nothing stays allocated
    this._initOrDispose(() => {
      this.weight = transposed
        ? emptyParam([inChannels, outChannels / groups, ...kernel_], options)
        : emptyParam([outChannels, inChannels / groups, ...kernel_], options);
      if (bias) this.bias = emptyParam([outChannels], options);
      else this.registerParameter('bias', null);
      this.resetParameters();
    });
  }
  resetParameters(): void {
    init.kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }
  /** PyTorch's _conv_forward: explicit padding first for the non-zero padding modes. */
  protected convForward(input: Tensor, conv: (input: Tensor, weight: Tensor, bias: Tensor | null, stride: number[], padding: number | number[] | 'same' | 'valid', dilation: number[], groups: number) => Tensor): Tensor {
    if (this.paddingMode !== 'zeros') {
      return conv(F.pad(input, this.reversedPaddingRepeatedTwice, this.paddingMode), this.weight, this.bias, this.stride, 0, this.dilation, this.groups);
    }
    return conv(input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string' || this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** Conv1d(inChannels, outChannels, kernelSize, stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = 'zeros', { device, dtype }); the options object may come after any positional (Python keywords). */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, stride?: IntOrTuple | ConvOptions, padding?: IntOrTuple | 'same' | 'valid' | ConvOptions,
    dilation?: IntOrTuple | ConvOptions, groups?: number | ConvOptions, bias?: boolean | ConvOptions, paddingMode?: PaddingMode | ConvOptions, options?: FactoryOptions) {
    const o = convArgs(stride, padding, dilation, groups, bias, paddingMode, options);
    super(1, 'Conv1d', inChannels, outChannels, kernelSize, o.stride, o.padding, o.dilation, false, 0, o.groups, o.bias, o.paddingMode, o.options);
  }
  override forward(input: Tensor): Tensor {
    return this.convForward(input, F.conv1d);
  }
}

/** Conv2d(inChannels, outChannels, kernelSize, stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = 'zeros', { device, dtype }); or Conv2d(in, out, k, { stride, padding, ... }); the options object may come after any positional, as Conv2d(1, 8, 3, 1, 1, { bias: false }). */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, stride?: IntOrTuple | ConvOptions, padding?: IntOrTuple | 'same' | 'valid' | ConvOptions,
    dilation?: IntOrTuple | ConvOptions, groups?: number | ConvOptions, bias?: boolean | ConvOptions, paddingMode?: PaddingMode | ConvOptions, options?: FactoryOptions) {
    const o = convArgs(stride, padding, dilation, groups, bias, paddingMode, options);
    super(2, 'Conv2d', inChannels, outChannels, kernelSize, o.stride, o.padding, o.dilation, false, 0, o.groups, o.bias, o.paddingMode, o.options);
  }
  override forward(input: Tensor): Tensor {
    return this.convForward(input, F.conv2d);
  }
}

export interface ConvTransposeOptions extends FactoryOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  outputPadding?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  dilation?: IntOrTuple;
  paddingMode?: 'zeros';
}
/** ConvTranspose2d(inChannels, outChannels, kernelSize, stride = 1, padding = 0, outputPadding = 0, groups = 1, bias = true, dilation = 1, paddingMode = 'zeros', { device, dtype }) */
export class ConvTranspose2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, stride: IntOrTuple | ConvTransposeOptions = 1, padding: IntOrTuple = 0,
    outputPadding: IntOrTuple = 0, groups = 1, bias = true, dilation: IntOrTuple = 1, paddingMode: 'zeros' = 'zeros', options?: FactoryOptions) {
    let o: ConvTransposeOptions = { stride: stride as IntOrTuple, padding, outputPadding, groups, bias, dilation, paddingMode, ...options };
    if (typeof stride === 'object' && !Array.isArray(stride)) o = { stride: 1, padding: 0, outputPadding: 0, groups: 1, bias: true, dilation: 1, paddingMode: 'zeros', ...stride };
    if (o.paddingMode !== 'zeros') throw new RangeError(`Only "zeros" padding mode is supported for ConvTranspose2d`);
    super(2, 'ConvTranspose2d', inChannels, outChannels, kernelSize, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, true, o.outputPadding ?? 0, o.groups ?? 1, o.bias ?? true, 'zeros',
      { device: o.device, dtype: o.dtype });
  }
  override forward(input: Tensor, outputSize?: number[]): Tensor {
    let op = this.outputPadding;
    if (outputSize !== undefined) op = this.outputPaddingFor(input, outputSize);
    return F.convTranspose2d(input, this.weight, this.bias, this.stride, this.padding as number[], op, this.groups, this.dilation);
  }
  /** PyTorch's _output_padding for an explicit output size. */
  private outputPaddingFor(input: Tensor, outputSize: number[]): number[] {
    const k = 2;
    const size = outputSize.length === k + 2 ? outputSize.slice(2) : outputSize;
    if (size.length !== k) throw new RangeError(`ConvTranspose2d: output_size must have ${k} or ${k + 2} elements (got ${outputSize.length})`);
    const shape = input.shape;
    const pad = this.padding as number[];
    return size.map((s, d) => {
      const minSize = (shape[shape.length - k + d] - 1) * this.stride[d] - 2 * pad[d] + this.dilation[d] * (this.kernelSize[d] - 1) + 1;
      const maxSize = minSize + this.stride[d] - 1;
      if (s < minSize || s > maxSize) throw new RangeError(`requested an output size of [${size}], but valid sizes range from ${minSize} to ${maxSize} (for an input of [${shape.slice(2)}])`);
      return s - minSize;
    });
  }
}

/** Layers' constructors: messages name the class ('Linear got ...'), the options object may follow any positional, and it takes device and dtype too. */
const LAYER: BindStyle = bindStyle({ call: false, optionsAnywhere: true, extra: ['device', 'dtype'] });
/** Layers without parameters (activations, pooling, shape): their arguments, positional or in one options object. */
const PLAIN_LAYER: BindStyle = bindStyle({ call: false, optionsAnywhere: true, extra: [] });

/** Binds a parameterless layer's constructor arguments by name (undefined where not given). */
function plainArgs(cls: string, a: unknown[], names: readonly string[]): Record<string, unknown> {
  return byName(names, bindArgs(cls, a, names, 0, names.length, PLAIN_LAYER));
}
function boolArg(v: unknown, dflt: boolean, name: string, cls: string): boolean {
  return v === undefined ? dflt : checkBool(v, name, cls, false);
}
function numArg(v: unknown, dflt: number, name: string, cls: string): number {
  return v === undefined ? dflt : checkNumber(v, name, cls);
}
function intOrNull(v: unknown, name: string, cls: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${cls}(): '${name}' must be an integer or null, got ${describe(v)}`);
  return v;
}
/** An int or a tuple of positive ints (pooling sizes); null only where allowed. */
function sizeArg(v: unknown, name: string, cls: string, min: number): IntOrTuple {
  const ok = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= min;
  if (ok(v) || (Array.isArray(v) && v.length > 0 && v.every(ok))) return (Array.isArray(v) ? [...v] : v) as IntOrTuple;
  throw new TypeError(`${cls}(): '${name}' must be an integer >= ${min} or an array of them, got ${describe(v)}`);
}

/**
 * Trailing constructor arguments, Python-style: positionals, then one options object in any position
 * holding the remaining names and { device, dtype } (`Linear(3, 2, { bias: false })`).
 */
function layerArgs(cls: string, a: unknown[], names: readonly string[], npos = names.length): { v: Record<string, unknown>; options: FactoryOptions } {
  const out = bindArgs(cls, a, names, 0, npos, LAYER);
  return { v: byName(names, out), options: { device: out[names.length], dtype: out[names.length + 1] } as FactoryOptions };
}

/**
 * Conv1d/Conv2d arguments after kernelSize, Python-style: positionals, then one options object in
 * any position (`Conv2d(1, 8, 3, 1, 1, { bias: false })` as in Python's `bias=False`).
 */
function convArgs(...a: unknown[]) {
  const { v, options } = layerArgs('Conv', a, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']);
  return {
    stride: (v.stride ?? 1) as IntOrTuple, padding: (v.padding ?? 0) as IntOrTuple | 'same' | 'valid', dilation: (v.dilation ?? 1) as IntOrTuple,
    groups: (v.groups ?? 1) as number, bias: (v.bias ?? true) as boolean, paddingMode: (v.paddingMode ?? 'zeros') as PaddingMode, options,
  };
}

// ---- normalization ----
export interface NormOptions extends FactoryOptions {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  /** PyTorch >= 2.1 (keyword-only there): learn the additive bias (with affine). Not on libtorch 1.13. */
  bias?: boolean;
}
/** PyTorch 2.x's norm layers have a `bias` option (keyword-only) and print it; 1.13's have neither. */
const NORM_BIAS = torchAtLeast(2);
const NORM_NAMES = NORM_BIAS ? ['eps', 'momentum', 'affine', 'trackRunningStats', 'bias'] : ['eps', 'momentum', 'affine', 'trackRunningStats'];

/** A batch / instance norm's arguments: positionals, or an options object in any position (unknown keys are errors). */
function normOptions(cls: string, o: NormOptions | number | undefined, momentum: number | null | undefined, affine: boolean | undefined, track: boolean | undefined, options?: FactoryOptions): NormOptions {
  const { v, options: f } = layerArgs(cls, [o, momentum, affine, track, options], NORM_NAMES, 4);
  return { ...(v as NormOptions), device: f.device, dtype: f.dtype };
}

abstract class NormBase extends Module {
  declare numFeatures: number;
  declare eps: number;
  declare momentum: number | null;
  declare affine: boolean;
  declare trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  // Buffers keep PyTorch's names (they are state dict keys); camelCase getters below.
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(cls: string, numFeatures: number, eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean, options?: FactoryOptions, bias = true) {
    super();
    this.numFeatures = checkPositiveInt(numFeatures, 'numFeatures', cls);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    // allocation and initialization: if either throws (out of memory), nothing stays allocated
    this._initOrDispose(() => {
      if (affine) {
        this.weight = emptyParam([numFeatures], options);
        if (bias) this.bias = emptyParam([numFeatures], options);
        else this.registerParameter('bias', null);
      } else {
        this.registerParameter('weight', null);
        this.registerParameter('bias', null);
      }
      const fo = { device: options?.device, dtype: options?.dtype };
      if (trackRunningStats) {
        this.registerBuffer('running_mean', zeros(numFeatures, fo));
        this.registerBuffer('running_var', ones(numFeatures, fo));
        this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int64', device: options?.device }));
      } else {
        this.registerBuffer('running_mean', null);
        this.registerBuffer('running_var', null);
        this.registerBuffer('num_batches_tracked', null);
      }
      this.resetParameters();
    });
  }
  get runningMean(): Tensor | null { return this.running_mean; }
  get runningVar(): Tensor | null { return this.running_var; }
  get numBatchesTracked(): Tensor | null { return this.num_batches_tracked; }
  resetRunningStats(): void {
    if (this.trackRunningStats) {
      noGrad(() => {
        this.runningMean!.zero_();
        this.runningVar!.fill_(1);
        this.numBatchesTracked!.zero_();
      });
    }
  }
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      init.ones_(this.weight!);
      if (this.bias !== null) init.zeros_(this.bias);
    }
  }
  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    const bias = NORM_BIAS ? `bias=${pyBool(this.bias !== null)}, ` : '';
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, ${bias}track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

abstract class BatchNormBase extends NormBase {
  constructor(cls: string, numFeatures: number, o: NormOptions | number | undefined, momentum: number | null | undefined, affine: boolean | undefined, track: boolean | undefined, options?: FactoryOptions) {
    const opts = normOptions(cls, o, momentum, affine, track, options);
    super(cls, numFeatures, opts.eps ?? 1e-5, opts.momentum === undefined ? 0.1 : opts.momentum, opts.affine ?? true, opts.trackRunningStats ?? true, { device: opts.device, dtype: opts.dtype },
      checkBool(opts.bias ?? true, 'bias', cls, false));
  }
  protected abstract checkInputDim(input: Tensor): void;
  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum === null ? 0.0 : this.momentum;
    if (this.training && this.trackRunningStats) {
      const nbt = this.numBatchesTracked;
      if (nbt !== null) {
        noGrad(() => nbt.add_(1));
        factor = this.momentum === null ? 1.0 / (nbt.item() as number) : this.momentum;
      }
    }
    const bnTraining = this.training ? true : this.runningMean === null && this.runningVar === null;
    const useStats = !this.training || this.trackRunningStats;
    return F.batchNorm(input, useStats ? this.runningMean : null, useStats ? this.runningVar : null, this.weight, this.bias, bnTraining, factor, this.eps);
  }
}

/** BatchNorm1d(numFeatures, eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, { device, dtype }) or BatchNorm1d(n, { eps, ... }) */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, eps?: number | NormOptions, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean, options?: FactoryOptions) {
    super('BatchNorm1d', numFeatures, eps, momentum, affine, trackRunningStats, options);
  }
  protected checkInputDim(input: Tensor): void {
    const d = input.dim();
    if (d !== 2 && d !== 3) throw new RangeError(`BatchNorm1d: expected 2D or 3D input (got ${d}D input)`);
  }
}
/** BatchNorm2d(numFeatures, eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, { device, dtype }) or BatchNorm2d(n, { eps, ... }) */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, eps?: number | NormOptions, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean, options?: FactoryOptions) {
    super('BatchNorm2d', numFeatures, eps, momentum, affine, trackRunningStats, options);
  }
  protected checkInputDim(input: Tensor): void {
    const d = input.dim();
    if (d !== 4) throw new RangeError(`BatchNorm2d: expected 4D input (got ${d}D input)`);
  }
}

abstract class InstanceNormBase extends NormBase {
  constructor(cls: string, numFeatures: number, o: NormOptions | number | undefined, momentum: number | null | undefined, affine: boolean | undefined, track: boolean | undefined, options?: FactoryOptions) {
    const opts = normOptions(cls, o, momentum, affine, track, options);
    super(cls, numFeatures, opts.eps ?? 1e-5, opts.momentum === undefined ? 0.1 : opts.momentum, opts.affine ?? false, opts.trackRunningStats ?? false, { device: opts.device, dtype: opts.dtype },
      checkBool(opts.bias ?? true, 'bias', cls, false));
  }
  protected abstract noBatchDim(): number;
  override forward(input: Tensor): Tensor {
    const nb = this.noBatchDim();
    const d = input.dim();
    if (d !== nb && d !== nb + 1) throw new RangeError(`${this.constructor.name}: expected ${nb}D or ${nb + 1}D input (got ${d}D input)`);
    const featureDim = d - nb;
    if (input.size(featureDim) !== this.numFeatures && this.affine) {
      throw new RangeError(`expected input's size at dim=${featureDim} to match num_features (${this.numFeatures}), but got: ${input.size(featureDim)}.`);
    }
    const apply = (x: Tensor) => F.instanceNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, this.training || !this.trackRunningStats, this.momentum ?? 0.1, this.eps);
    if (d === nb) {
      const u = input.unsqueeze(0);
      const y = apply(u);
      const r = y.squeeze(0);
      u.dispose();
      y.dispose();
      return r;
    }
    return apply(input);
  }
}
/** InstanceNorm1d(numFeatures, eps = 1e-5, momentum = 0.1, affine = false, trackRunningStats = false, { device, dtype }) */
export class InstanceNorm1d extends InstanceNormBase {
  constructor(numFeatures: number, eps?: number | NormOptions, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean, options?: FactoryOptions) {
    super('InstanceNorm1d', numFeatures, eps, momentum, affine, trackRunningStats, options);
  }
  protected noBatchDim(): number { return 2; }
}
/** InstanceNorm2d(numFeatures, eps = 1e-5, momentum = 0.1, affine = false, trackRunningStats = false, { device, dtype }) */
export class InstanceNorm2d extends InstanceNormBase {
  constructor(numFeatures: number, eps?: number | NormOptions, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean, options?: FactoryOptions) {
    super('InstanceNorm2d', numFeatures, eps, momentum, affine, trackRunningStats, options);
  }
  protected noBatchDim(): number { return 3; }
}

/** LayerNorm(normalizedShape, eps = 1e-5, elementwiseAffine = true, bias = true (PyTorch >= 2.1), { device, dtype }) */
export class LayerNorm extends Module {
  declare normalizedShape: number[];
  declare eps: number;
  declare elementwiseAffine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  constructor(normalizedShape: IntOrTuple, eps?: number | (FactoryOptions & { eps?: number; elementwiseAffine?: boolean; bias?: boolean }),
    elementwiseAffine?: boolean | FactoryOptions, ...rest: (boolean | FactoryOptions | undefined)[]) {
    super();
    const a = layerArgs('LayerNorm', [eps, elementwiseAffine, ...rest], NORM_BIAS ? ['eps', 'elementwiseAffine', 'bias'] : ['eps', 'elementwiseAffine']);
    eps = (a.v.eps ?? 1e-5) as number;
    elementwiseAffine = checkBool(a.v.elementwiseAffine ?? true, 'elementwiseAffine', 'LayerNorm', false);
    const bias = checkBool(a.v.bias ?? true, 'bias', 'LayerNorm', false);
    const options = a.options;
    this.normalizedShape = checkSizes(normalizedShape, 'normalizedShape', 'LayerNorm');
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    // allocation and initialization: if either throws (out of memory), nothing stays allocated
    this._initOrDispose(() => {
      if (elementwiseAffine) {
        this.weight = emptyParam(this.normalizedShape, options);
        if (bias) this.bias = emptyParam(this.normalizedShape, options);
        else this.registerParameter('bias', null);
      } else {
        this.registerParameter('weight', null);
        this.registerParameter('bias', null);
      }
      this.resetParameters();
    });
  }
  resetParameters(): void {
    if (this.elementwiseAffine) {
      init.ones_(this.weight!);
      if (this.bias !== null) init.zeros_(this.bias);
    }
  }
  override forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    const bias = NORM_BIAS ? `, bias=${pyBool(this.bias !== null)}` : '';
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}${bias}`;
  }
}

/** GroupNorm(numGroups, numChannels, eps = 1e-5, affine = true, { device, dtype, bias (PyTorch >= 2.1) }) */
export class GroupNorm extends Module {
  declare numGroups: number;
  declare numChannels: number;
  declare eps: number;
  declare affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  constructor(numGroups: number, numChannels: number, eps?: number | (FactoryOptions & { eps?: number; affine?: boolean; bias?: boolean }),
    affine?: boolean | (FactoryOptions & { bias?: boolean }), options?: FactoryOptions & { bias?: boolean }) {
    super();
    // (bias is keyword-only in PyTorch: only the options object may hold it)
    const a = layerArgs('GroupNorm', [eps, affine, options], NORM_BIAS ? ['eps', 'affine', 'bias'] : ['eps', 'affine'], 2);
    eps = (a.v.eps ?? 1e-5) as number;
    affine = checkBool(a.v.affine ?? true, 'affine', 'GroupNorm', false);
    const bias = checkBool(a.v.bias ?? true, 'bias', 'GroupNorm', false);
    options = a.options;
    checkPositiveInt(numGroups, 'numGroups', 'GroupNorm');
    checkPositiveInt(numChannels, 'numChannels', 'GroupNorm');
    if (numGroups === 0) throw new RangeError("GroupNorm(): 'numGroups' must be positive, got 0");
    if (numChannels % numGroups !== 0) throw new RangeError('num_channels must be divisible by num_groups');
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    this.affine = affine;
    // allocation and initialization: if either throws (out of memory), nothing stays allocated
    this._initOrDispose(() => {
      if (affine) {
        this.weight = emptyParam([numChannels], options);
        if (bias) this.bias = emptyParam([numChannels], options);
        else this.registerParameter('bias', null);
      } else {
        this.registerParameter('weight', null);
        this.registerParameter('bias', null);
      }
      if (affine) {
        init.ones_(this.weight!);
        if (this.bias !== null) init.zeros_(this.bias);
      }
    });
  }
  override forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    const bias = NORM_BIAS ? `, bias=${pyBool(this.bias !== null)}` : '';
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}${bias}`;
  }
}

// ---- dropout ----
abstract class DropoutBase extends Module {
  declare p: number;
  declare inplace: boolean;
  constructor(args: unknown[]) {
    super();
    const cls = this.constructor.name;
    const v = plainArgs(cls, args, ['p', 'inplace']);
    const p = v.p === undefined ? 0.5 : v.p;
    const inplace = v.inplace === undefined ? false : v.inplace;
    if (typeof p !== 'number') throw new TypeError(`${cls}(): 'p' must be a number, got ${describe(p)}`);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = checkBool(inplace, 'inplace', cls, false);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
/** Dropout(p = 0.5, inplace = false) */
export class Dropout extends DropoutBase {
  constructor(...args: [p?: number | { p?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }]) { super(args); }
  override forward(input: Tensor): Tensor { return F.dropout(input, this.p, this.training, this.inplace); }
}
/** Dropout2d(p = 0.5, inplace = false) */
export class Dropout2d extends DropoutBase {
  constructor(...args: [p?: number | { p?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }]) { super(args); }
  override forward(input: Tensor): Tensor { return F.dropout2d(input, this.p, this.training, this.inplace); }
}

// ---- activations ----
/** ReLU(inplace = false) */
export class ReLU extends Module {
  declare inplace: boolean;
  constructor(...args: [inplace?: boolean | { inplace?: boolean }]) {
    super();
    this.inplace = boolArg(plainArgs('ReLU', args, ['inplace']).inplace, false, 'inplace', 'ReLU');
  }
  override forward(input: Tensor): Tensor { return F.relu(input, this.inplace); }
  override extraRepr(): string { return this.inplace ? 'inplace=True' : ''; }
}
/** LeakyReLU(negativeSlope = 0.01, inplace = false) */
export class LeakyReLU extends Module {
  declare negativeSlope: number;
  declare inplace: boolean;
  constructor(...args: [negativeSlope?: number | { negativeSlope?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }]) {
    super();
    const v = plainArgs('LeakyReLU', args, ['negativeSlope', 'inplace']);
    this.negativeSlope = numArg(v.negativeSlope, 1e-2, 'negativeSlope', 'LeakyReLU');
    this.inplace = boolArg(v.inplace, false, 'inplace', 'LeakyReLU');
  }
  override forward(input: Tensor): Tensor { return F.leakyRelu(input, this.negativeSlope, this.inplace); }
  override extraRepr(): string { return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`; }
}
/** ELU(alpha = 1.0, inplace = false) */
export class ELU extends Module {
  declare alpha: number;
  declare inplace: boolean;
  constructor(...args: [alpha?: number | { alpha?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }]) {
    super();
    const v = plainArgs('ELU', args, ['alpha', 'inplace']);
    this.alpha = numArg(v.alpha, 1.0, 'alpha', 'ELU');
    this.inplace = boolArg(v.inplace, false, 'inplace', 'ELU');
  }
  override forward(input: Tensor): Tensor { return F.elu(input, this.alpha, this.inplace); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`; }
}
/** GELU(approximate = 'none') */
export class GELU extends Module {
  declare approximate: 'none' | 'tanh';
  constructor(approximate: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none') {
    super();
    const a = approximate !== null && typeof approximate === 'object' ? checkKeys('GELU', approximate, ['approximate']).approximate ?? 'none' : approximate;
    if (a !== 'none' && a !== 'tanh') throw new TypeError(`GELU(): 'approximate' must be 'none' or 'tanh', got ${describe(a)}`);
    this.approximate = a;
  }
  override forward(input: Tensor): Tensor { return F.gelu(input, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}
/** SiLU(inplace = false) */
export class SiLU extends Module {
  declare inplace: boolean;
  constructor(...args: [inplace?: boolean | { inplace?: boolean }]) {
    super();
    this.inplace = boolArg(plainArgs('SiLU', args, ['inplace']).inplace, false, 'inplace', 'SiLU');
  }
  override forward(input: Tensor): Tensor { return F.silu(input, this.inplace); }
  override extraRepr(): string { return this.inplace ? 'inplace=True' : ''; }
}
export class Tanh extends Module {
  constructor(...args: []) {
    super();
    plainArgs('Tanh', args, []);
  }
  override forward(input: Tensor): Tensor { return input.tanh(); }
}
export class Sigmoid extends Module {
  constructor(...args: []) {
    super();
    plainArgs('Sigmoid', args, []);
  }
  override forward(input: Tensor): Tensor { return input.sigmoid(); }
}
/** Softmax(dim) */
export class Softmax extends Module {
  declare dim: number | null;
  constructor(...args: [dim?: number | null | { dim?: number | null }]) {
    super();
    this.dim = intOrNull(plainArgs('Softmax', args, ['dim']).dim, 'dim', 'Softmax');
  }
  override forward(input: Tensor): Tensor { return F.softmax(input, this.dim ?? implicitDim(input)); }
  override extraRepr(): string { return `dim=${this.dim ?? 'None'}`; }
}
/** LogSoftmax(dim) */
export class LogSoftmax extends Module {
  declare dim: number | null;
  constructor(...args: [dim?: number | null | { dim?: number | null }]) {
    super();
    this.dim = intOrNull(plainArgs('LogSoftmax', args, ['dim']).dim, 'dim', 'LogSoftmax');
  }
  override forward(input: Tensor): Tensor { return F.logSoftmax(input, this.dim ?? implicitDim(input)); }
  override extraRepr(): string { return `dim=${this.dim ?? 'None'}`; }
}
/** PyTorch's _get_softmax_dim for dim=None (deprecated there too). */
function implicitDim(input: Tensor): number {
  const n = input.dim();
  return n === 0 || n === 1 || n === 3 ? 0 : 1;
}

// ---- pooling ----
export interface MaxPoolOptions { kernelSize?: IntOrTuple; stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; returnIndices?: boolean; ceilMode?: boolean }
export interface AvgPoolOptions { kernelSize?: IntOrTuple; stride?: IntOrTuple | null; padding?: IntOrTuple; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }
/** MaxPool2d(kernelSize, stride = kernelSize, padding = 0, dilation = 1, returnIndices = false, ceilMode = false) */
export class MaxPool2d extends Module {
  declare kernelSize: IntOrTuple;
  declare stride: IntOrTuple;
  declare padding: IntOrTuple;
  declare dilation: IntOrTuple;
  declare returnIndices: boolean;
  declare ceilMode: boolean;
  constructor(kernelSize: IntOrTuple | MaxPoolOptions, ...args: (IntOrTuple | null | boolean | MaxPoolOptions | undefined)[]) {
    super();
    const c = 'MaxPool2d';
    const v = plainArgs(c, [kernelSize, ...args], ['kernelSize', 'stride', 'padding', 'dilation', 'returnIndices', 'ceilMode']);
    if (v.kernelSize === undefined) throw new TypeError(`${c}(): missing required argument 'kernelSize'`);
    this.kernelSize = sizeArg(v.kernelSize, 'kernelSize', c, 1);
    this.stride = v.stride === undefined || v.stride === null ? this.kernelSize : sizeArg(v.stride, 'stride', c, 1);
    this.padding = v.padding === undefined ? 0 : sizeArg(v.padding, 'padding', c, 0);
    this.dilation = v.dilation === undefined ? 1 : sizeArg(v.dilation, 'dilation', c, 1);
    this.returnIndices = boolArg(v.returnIndices, false, 'returnIndices', c);
    this.ceilMode = boolArg(v.ceilMode, false, 'ceilMode', c);
  }
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return F.maxPool2d(input, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, this.returnIndices);
  }
  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}, dilation=${pyTuple(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}
/** AvgPool2d(kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null) */
export class AvgPool2d extends Module {
  declare kernelSize: IntOrTuple;
  declare stride: IntOrTuple;
  declare padding: IntOrTuple;
  declare ceilMode: boolean;
  declare countIncludePad: boolean;
  declare divisorOverride: number | null;
  constructor(kernelSize: IntOrTuple | AvgPoolOptions, ...args: (IntOrTuple | null | boolean | number | AvgPoolOptions | undefined)[]) {
    super();
    const c = 'AvgPool2d';
    const v = plainArgs(c, [kernelSize, ...args], ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
    if (v.kernelSize === undefined) throw new TypeError(`${c}(): missing required argument 'kernelSize'`);
    this.kernelSize = sizeArg(v.kernelSize, 'kernelSize', c, 1);
    this.stride = v.stride === undefined || v.stride === null ? this.kernelSize : sizeArg(v.stride, 'stride', c, 1);
    this.padding = v.padding === undefined ? 0 : sizeArg(v.padding, 'padding', c, 0);
    this.ceilMode = boolArg(v.ceilMode, false, 'ceilMode', c);
    this.countIncludePad = boolArg(v.countIncludePad, true, 'countIncludePad', c);
    this.divisorOverride = intOrNull(v.divisorOverride, 'divisorOverride', c);
  }
  override forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}
/** AdaptiveAvgPool2d(outputSize) */
export class AdaptiveAvgPool2d extends Module {
  declare outputSize: IntOrTuple | (number | null)[];
  constructor(...args: [outputSize: IntOrTuple | (number | null)[] | { outputSize: IntOrTuple | (number | null)[] }]) {
    super();
    const o = plainArgs('AdaptiveAvgPool2d', args, ['outputSize']).outputSize;
    const ok = (x: unknown): boolean => x === null || (typeof x === 'number' && Number.isInteger(x) && x >= 0);
    if (!((typeof o === 'number' && ok(o)) || (Array.isArray(o) && o.length > 0 && o.every(ok)))) {
      throw new TypeError(`AdaptiveAvgPool2d(): 'outputSize' must be a non-negative integer or an array of them (null: the input's size), got ${describe(o)}`);
    }
    this.outputSize = (Array.isArray(o) ? [...o] : o) as IntOrTuple | (number | null)[];
  }
  override forward(input: Tensor): Tensor { return F.adaptiveAvgPool2d(input, this.outputSize); }
  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${Array.isArray(o) ? (o.length === 1 ? `(${o[0] ?? 'None'},)` : `(${o.map((x) => x ?? 'None').join(', ')})`) : o}`;
  }
}

// ---- shape ----
/** Flatten(startDim = 1, endDim = -1) */
export class Flatten extends Module {
  declare startDim: number;
  declare endDim: number;
  constructor(...args: [startDim?: number | { startDim?: number; endDim?: number }, endDim?: number | { endDim?: number }]) {
    super();
    const v = plainArgs('Flatten', args, ['startDim', 'endDim']);
    const dim = (x: unknown, d: number, name: string): number => {
      if (x === undefined) return d;
      if (typeof x !== 'number' || !Number.isInteger(x)) throw new TypeError(`Flatten(): '${name}' must be an integer, got ${describe(x)}`);
      return x;
    };
    this.startDim = dim(v.startDim, 1, 'startDim');
    this.endDim = dim(v.endDim, -1, 'endDim');
  }
  override forward(input: Tensor): Tensor { return input.flatten(this.startDim, this.endDim); }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}
/** Unflatten(dim, unflattenedSize) */
export class Unflatten extends Module {
  declare dim: number;
  declare unflattenedSize: number[];
  constructor(dim: number, unflattenedSize: number[]) {
    super();
    if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`Unflatten(): 'dim' must be an integer, got ${describe(dim)}`);
    this.dim = dim;
    this.unflattenedSize = checkSizes(unflattenedSize, 'unflattenedSize', 'Unflatten', true);
  }
  override forward(input: Tensor): Tensor { return input.unflatten(this.dim, this.unflattenedSize); }
  override extraRepr(): string { return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`; }
}
/** Identity(): returns its input (constructor arguments are accepted and ignored, as in PyTorch). */
export class Identity extends Module {
  constructor(...args: unknown[]) { super(); void args; }
  override forward<T>(input: T): T { return input; }
}

// ---- embedding ----
export interface EmbeddingOptions extends FactoryOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
  weight?: Tensor;
}
/** Embedding(numEmbeddings, embeddingDim, { paddingIdx, maxNorm, normType, scaleGradByFreq, sparse, device, dtype }) */
export class Embedding extends Module {
  declare numEmbeddings: number;
  declare embeddingDim: number;
  declare paddingIdx: number | null;
  declare maxNorm: number | null;
  declare normType: number;
  declare scaleGradByFreq: boolean;
  declare sparse: boolean;
  declare weight: Parameter;
  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = checkPositiveInt(numEmbeddings, 'numEmbeddings', 'Embedding');
    this.embeddingDim = checkPositiveInt(embeddingDim, 'embeddingDim', 'Embedding');
    let pi = options.paddingIdx ?? null;
    if (pi !== null) {
      if (pi > 0 && pi >= numEmbeddings) throw new RangeError('Padding_idx must be within num_embeddings');
      if (pi < 0) {
        if (pi < -numEmbeddings) throw new RangeError('Padding_idx must be within num_embeddings');
        pi = numEmbeddings + pi;
      }
    }
    this.paddingIdx = pi;
    this.maxNorm = options.maxNorm ?? null;
    this.normType = options.normType ?? 2.0;
    this.scaleGradByFreq = options.scaleGradByFreq ?? false;
    this.sparse = options.sparse ?? false;
    if (options.weight !== undefined) {
      this.weight = new Parameter(options.weight);
    } else {
      this._initOrDispose(() => {
        this.weight = emptyParam([numEmbeddings, embeddingDim], options);
        this.resetParameters();
      });
    }
  }
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const pi = this.paddingIdx;
      noGrad(() => {
        const row = this.weight.select(0, pi);
        row.fill_(0);
        row.dispose();
      });
    }
  }
  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.paddingIdx, this.maxNorm, this.normType, this.scaleGradByFreq, this.sparse);
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    if (this.sparse) s += ', sparse=True';
    return s;
  }
}
