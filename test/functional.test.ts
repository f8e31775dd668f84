/**
 * sigprop/torch/nn/functional against torch.nn.functional (PyTorch 1.13, same libtorch), bit for bit.
 * Regenerate the goldens with:  /usr/bin/python3 test/golden/make_functional.py
 *
 * Each golden case is data (see make_functional.py): seeded inputs, a call of one function with
 * positional and keyword arguments, and PyTorch's outputs, output grad_fn, in-place updated inputs
 * and gradients of every differentiable input after backward of a seeded random-weighted sum of
 * output 0. This file rebuilds every case with sigprop's API and compares shapes, dtypes and values
 * exactly (1 thread: CPU kernels are then deterministic). Then the bad-argument table, and a final
 * leak check.
 */
import * as torch from '../lib/torch';
import * as F from '../lib/torch/nn/functional';
import type { Tensor } from '../lib/torch';
import { readGolden, TORCH_SERIES } from './helpers/golden';

// ---- the golden file --------------------------------------------------------------------------------------------
type JsonValue = number | string | boolean;
interface TensorSpec { dtype: torch.DType; shape: number[]; values: JsonValue[] }
interface InputSpec {
  name: string; gen: 'randn' | 'rand' | 'randint' | 'values'; shape: number[]; dtype: torch.DType; grad: boolean;
  low?: number; high?: number; values?: JsonValue | JsonValue[]; post?: [string, number?][];
}
interface Case {
  name: string; fn: string; seed: number; inputs: InputSpec[]; clone: string[]; callSeed: number | null;
  args: unknown[]; kwargs: Record<string, unknown> | null;
  out: TensorSpec[]; gradFn: string | null; same: boolean; after: Record<string, TensorSpec>;
  grads: Record<string, TensorSpec | null>; probe: Record<string, JsonValue | null>;
}
const golden: { torch: string; threads: number; gradSeed: number; cases: Case[] } = readGolden('functional.json');

function decodeFloat(v: JsonValue): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (typeof v !== 'number') throw new TypeError(`bad float in golden: ${String(v)}`);
  return v;
}

const FLOATS = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/** Expected float: float32 goldens are the shortest decimals of float32 values, exact after fround. */
function expectedFloat(v: JsonValue, dtype: string): number {
  const x = decodeFloat(v);
  return dtype === 'float32' ? Math.fround(x) : x;
}

function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

function show(v: number | bigint | boolean): string {
  return typeof v === 'number' && Object.is(v, -0) ? '-0' : String(v);
}

/** Differences between a tensor and its golden, as readable lines (empty when they match). */
function diff(actual: unknown, exp: TensorSpec, label: string): string[] {
  if (!(actual instanceof torch.Tensor)) return [`${label}: expected a tensor, got ${String(actual)}`];
  const shape = actual.shape;
  if (JSON.stringify(shape) !== JSON.stringify(exp.shape)) return [`${label}: shape [${shape}] != expected [${exp.shape}]`];
  if (actual.dtype !== exp.dtype) return [`${label}: dtype ${actual.dtype} != expected ${exp.dtype}`];
  const data = actual.toTypedArray();
  const n = exp.values.length;
  if (data.length !== n) return [`${label}: ${data.length} values != expected ${n}`];
  const out: string[] = [];
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const ev = exp.values[i];
    let ok: boolean;
    let a: number | bigint | boolean;
    if (FLOATS.has(exp.dtype)) {
      a = (data as Float32Array | Float64Array)[i];
      ok = sameNumber(a, expectedFloat(ev, exp.dtype));
    } else if (exp.dtype === 'int64') {
      a = (data as BigInt64Array)[i];
      ok = a === BigInt(ev as number);
    } else if (exp.dtype === 'bool') {
      a = (data as Uint8Array)[i] !== 0;
      ok = a === ev;
    } else {
      a = (data as Int32Array)[i];
      ok = a === ev;
    }
    if (!ok && bad++ < 5) out.push(`${label}[${i}]: ${show(a)} != expected ${typeof ev === 'number' ? show(ev) : String(ev)}`);
  }
  if (bad > 5) out.push(`${label}: ... ${bad} of ${n} values differ`);
  return out;
}

// ---- rebuilding a case ----------------------------------------------------------------------------------------------
function makeInput(d: InputSpec): Tensor {
  let t: Tensor;
  switch (d.gen) {
    case 'randn': t = torch.randn(d.shape, { dtype: d.dtype }); break;
    case 'rand': t = torch.rand(d.shape, { dtype: d.dtype }); break;
    case 'randint': t = torch.randint(d.low!, d.high!, d.shape, { dtype: d.dtype }); break;
    case 'values': {
      const v = d.values!;
      const base = Array.isArray(v) ? torch.tensor(Float64Array.from(v, decodeFloat)) : torch.tensor(decodeFloat(v), { dtype: 'float64' });
      t = base.to(d.dtype).reshape(d.shape);
      break;
    }
    default: throw new Error(`unknown generator ${String(d.gen)}`);
  }
  for (const [o, a] of d.post ?? []) {
    switch (o) {
      case 'abs': t = t.abs(); break;
      case 'mul': t = t.mul(a!); break;
      case 'add': t = t.add(a!); break;
      case 'softmax': t = t.softmax(a!); break;
      case 'log_softmax': t = t.logSoftmax(a!); break;
      case 'sigmoid': t = t.sigmoid(); break;
      default: throw new Error(`unknown post op ${o}`);
    }
  }
  return d.grad ? t.requiresGrad_() : t;
}

function decodeArg(v: unknown, ins: Record<string, Tensor>): unknown {
  if (Array.isArray(v)) return v.map((x) => decodeArg(x, ins));
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('$' in o) return ins[o.$ as string];
    if ('dtype' in o) return o.dtype;
    throw new Error(`bad golden argument ${JSON.stringify(v)}`);
  }
  return v;
}

const FN = F as unknown as Record<string, (...a: unknown[]) => Tensor | Tensor[]>;

/** Runs one case and returns its differences from PyTorch (empty when it matches bit for bit). */
function runCase(c: Case): string[] {
  const d: string[] = [];
  torch.manualSeed(c.seed);
  const ins: Record<string, Tensor> = {};
  for (const s of c.inputs) ins[s.name] = makeInput(s);
  for (const [k, p] of Object.entries(c.probe)) {
    if (p === null) continue;
    const first = ins[k].reshape(-1).index(0).item();
    const dt = ins[k].dtype;
    const ok = typeof first === 'number' ? sameNumber(first, FLOATS.has(dt) ? expectedFloat(p, dt) : (p as number)) : first === p;
    if (!ok) d.push(`input ${k}: first value ${String(first)} != PyTorch's ${String(p)} (the inputs differ, not the function)`);
  }
  const callIns: Record<string, Tensor> = { ...ins };
  for (const k of c.clone) callIns[k] = ins[k].clone();
  if (c.callSeed !== null) torch.manualSeed(c.callSeed);
  const args = c.args.map((a) => decodeArg(a, callIns));
  if (c.kwargs) {
    const kw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.kwargs)) kw[k] = decodeArg(v, callIns);
    args.push(kw);
  }
  const f = FN[c.fn];
  if (typeof f !== 'function') return [`F.${c.fn} is not a function`];
  const r = f(...args);
  const outs = Array.isArray(r) ? r : [r];
  if (outs.length !== c.out.length) d.push(`${outs.length} outputs != expected ${c.out.length}`);
  c.out.forEach((e, i) => d.push(...diff(outs[i], e, `out[${i}]`)));
  const o = outs[0];
  if (!(o instanceof torch.Tensor)) return d;
  if (o.gradFn !== c.gradFn) d.push(`out[0].gradFn ${o.gradFn} != expected ${c.gradFn}`);
  const first = c.args[0] as { $?: string };
  const same = first !== null && typeof first === 'object' && first.$ !== undefined && o === callIns[first.$];
  if (same !== c.same) d.push(`output is the input object: ${same} != expected ${c.same}`);
  for (const [k, e] of Object.entries(c.after)) d.push(...diff(ins[k], e, `after: ${k}`));
  const gradNames = Object.keys(c.grads);
  if (gradNames.length) {
    if (!o.requiresGrad) return [...d, 'out[0] does not require grad'];
    torch.manualSeed(golden.gradSeed);
    const w = torch.randn(o.shape, { dtype: o.dtype });
    o.mul(w).sum().backward();
    for (const k of gradNames) {
      const g = ins[k].grad;
      const e = c.grads[k];
      if (e === null) {
        if (g !== null) d.push(`grad ${k}: expected None, got a tensor`);
      } else {
        d.push(...diff(g, e, `grad ${k}`));
      }
    }
  }
  return d;
}

// ---- golden tests ---------------------------------------------------------------------------------------------
let baseline = 0;
beforeAll(() => {
  torch.setNumThreads(1);
  baseline = torch.memory().numTensors;
});

describe(`torch.nn.functional goldens (bitwise vs PyTorch ${TORCH_SERIES})`, () => {
  test('golden file sanity', () => {
    expect(golden.threads).toBe(1);
    expect(golden.cases.length).toBeGreaterThan(200);
    const names = golden.cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
  test.each(golden.cases.map((c) => [c.name, c] as [string, Case]))('%s', (_name, c) => {
    const diffs = torch.tidy(() => runCase(c));
    expect(diffs).toEqual([]);
  });
  test('every exported function has a golden case', () => {
    const covered = new Set(golden.cases.map((c) => c.fn));
    const missing = Object.keys(F).filter((k) => typeof (F as any)[k] === 'function' && !covered.has(k));
    expect(missing).toEqual([]);
  });
});

// ---- typing and return shapes -----------------------------------------------------------------------------------
describe('returns', () => {
  test('in-place forms return the input object; returnIndices gives [values, indices]', () => {
    torch.tidy(() => {
      const x = torch.randn(2, 3, 4, 4);
      expect(F.relu(x, true)).toBe(x);
      expect(F.dropout(x, 0.5, true, true)).toBe(x);
      expect(F.leakyRelu(x, { inplace: true })).toBe(x);
      const [v, i] = F.maxPool2d(x, 2, { returnIndices: true });
      expect(v.shape).toEqual([2, 3, 2, 2]);
      expect(i.dtype).toBe('int64');
      const [v2, i2] = F.adaptiveMaxPool2d(x, [1, null], true);
      expect(v2.shape).toEqual([2, 3, 1, 4]);
      expect(i2.shape).toEqual([2, 3, 1, 4]);
      expect(F.maxPool2d(x, 2) instanceof torch.Tensor).toBe(true);
    });
  });
  test('functions free their intermediates', () => {
    torch.tidy(() => {
      const x = torch.randn(3, 4, { requiresGrad: true });
      const y = torch.randn(3, 4);
      const v = y.abs();
      const x3 = x.view(1, 3, 4);
      const n0 = torch.memory().numTensors;
      const outs = [F.normalize(x), F.mseLoss(x, y), F.softmin(x, 1), F.softsign(x), F.tanhshrink(x), F.klDiv(x, y, { reduction: 'batchmean' }),
        F.multilabelSoftMarginLoss(x, y), F.gaussianNllLoss(x, y, v), F.localResponseNorm(x3, 2), F.smoothL1Loss(x, y),
        F.binaryCrossEntropy(x.sigmoid(), y.sigmoid(), y.abs()), F.embedding(torch.tensor([1n]), x, { maxNorm: 1 }), F.dropout1d(x), F.dropout(x, { training: false })];
      // x.sigmoid(), y.sigmoid(), y.abs(), torch.tensor([1n]) are 4 more; dropout(x, training false) is x itself
      expect(outs[outs.length - 1]).toBe(x);
      expect(torch.memory().numTensors - n0).toBe(outs.length - 1 + 4);
    });
  });
});

// ---- bad arguments ------------------------------------------------------------------------------------------------
/** `want` is an error name, or alternatives separated by '|'. Checked by name: errors may come from another realm. */
function expectError(fn: () => unknown, want: string, re: RegExp): void {
  let caught: unknown;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    caught = e;
  }
  if (!threw) throw new Error(`expected ${want} matching ${re}, but the call returned normally`);
  const e = caught as { name?: unknown; message?: unknown };
  const name = String(e?.name);
  if (!want.split('|').includes(name)) throw new Error(`expected ${want} matching ${re}, got ${name}: ${String(e?.message)}`);
  const msg = String(e.message);
  if (!re.test(msg)) throw new Error(`expected ${want} matching ${re}, got ${name} with message: ${msg}`);
  expect(msg).not.toMatch(/Exception raised from|frame #\d/);
}

const A = F as any;
const x = (...s: number[]): Tensor => torch.randn(...s);
const long = (v: number[]): Tensor => torch.tensor(v, { dtype: 'int64' });

const BAD: [string, () => unknown, string, RegExp][] = [
  ['relu(string)', () => A.relu('x'), 'TypeError', /^relu\(\): 'input' must be a Tensor, got string 'x'$/],
  ['relu(x, inplace=1)', () => A.relu(x(2), 1), 'TypeError', /relu\(\): 'inplace' must be a boolean, got number 1/],
  ['relu(x, {inPlace})', () => A.relu(x(2), { inPlace: true }), 'TypeError', /relu\(\) got an unexpected keyword argument 'inPlace' \(accepted: inplace\)/],
  ['relu_ on a leaf that requires grad', () => F.relu(torch.randn(2, { requiresGrad: true }), true), 'TorchError', /leaf Variable that requires grad is being used in an in-place operation/],
  ['relu(disposed)', () => { const t = x(2); t.dispose(); return F.relu(t); }, 'DisposedTensorError', /relu\(\): 'input' is a disposed tensor/],
  ['conv2d stride 1.5', () => A.conv2d(x(1, 2, 4, 4), x(1, 2, 3, 3), null, 1.5), 'TypeError', /conv2d\(\): 'stride' must be an integer or an array of integers, got number 1.5/],
  ['conv2d stride [1, "a"]', () => A.conv2d(x(1, 2, 4, 4), x(1, 2, 3, 3), null, [1, 'a']), 'TypeError', /'stride' must be an integer or an array of integers, got array of length 2 with a non-integer element/],
  ['conv2d unknown keyword', () => A.conv2d(x(1, 2, 4, 4), x(1, 2, 3, 3), { strides: 2 }), 'TypeError', /conv2d\(\) got an unexpected keyword argument 'strides' \(accepted: bias, stride, padding, dilation, groups\)/],
  ['conv2d padding "full"', () => A.conv2d(x(1, 2, 4, 4), x(1, 2, 3, 3), null, 1, 'full'), 'RangeError', /conv2d\(\): 'padding' must be one of 'same', 'valid', got 'full'/],
  ['conv2d too many positionals', () => A.conv2d(x(1, 2, 4, 4), x(1, 2, 3, 3), null, 1, 0, 1, 1, 9), 'TypeError', /conv2d\(\) takes at most 7 positional arguments \(8 given\)/],
  ['conv2d bias twice', () => A.conv2d(x(1, 2, 4, 4), x(1, 2, 3, 3), x(1), { bias: x(1) }), 'TypeError', /conv2d\(\) got multiple values for argument 'bias'/],
  ['conv2d bias string', () => A.conv2d(x(1, 2, 4, 4), x(1, 2, 3, 3), 'b'), 'TypeError', /conv2d\(\): 'bias' must be a Tensor, got string 'b'/],
  ['conv2d channel mismatch (libtorch)', () => F.conv2d(x(1, 3, 4, 4), x(1, 2, 3, 3)), 'TorchError', /expected input\[1, 3, 4, 4\] to have 2 channels, but got 3 channels/],
  ['linear weight string', () => A.linear(x(2, 3), 'w'), 'TypeError', /linear\(\): 'weight' must be a Tensor, got string 'w'/],
  ['linear shape mismatch (libtorch)', () => F.linear(x(2, 3), x(4, 5)), 'TorchError', /mat1 and mat2 shapes cannot be multiplied \(2x3 and 5x4\)/],
  ['crossEntropy reduction "avg"', () => A.crossEntropy(x(2, 3), long([0, 1]), { reduction: 'avg' }), 'RangeError', /crossEntropy\(\): avg is not a valid value for reduction \(expected 'none', 'mean' or 'sum'\)/],
  ['crossEntropy labelSmoothing string', () => A.crossEntropy(x(2, 3), long([0, 1]), { labelSmoothing: '0.1' }), 'TypeError', /'labelSmoothing' must be a number, got string '0.1'/],
  ['crossEntropy ignoreIndex positional', () => A.crossEntropy(x(2, 3), long([0, 1]), null, -100), 'TypeError', /crossEntropy\(\) takes at most 3 positional arguments \(4 given\)/],
  ['crossEntropy float target of the wrong shape (libtorch)', () => F.crossEntropy(x(2, 3), x(2)), 'TorchError', /expected scalar type Long but found Float|1D target tensor expected|Expected target size|expected target dtype to be Long or Byte, but got Float/],
  ['mseLoss reduction 1', () => A.mseLoss(x(2), x(2), { reduction: 1 }), 'TypeError', /mseLoss\(\): 'reduction' must be 'none', 'mean' or 'sum', got number 1/],
  ['mseLoss positional reduction', () => A.mseLoss(x(2), x(2), 'sum'), 'TypeError', /mseLoss\(\) takes at most 2 positional arguments \(3 given\)/],
  ['huberLoss reduction "median"', () => A.huberLoss(x(2), x(2), 'median'), 'RangeError', /huberLoss\(\): median is not a valid value for reduction/],
  ['klDiv reduction "batch"', () => A.klDiv(x(2, 2), x(2, 2), { reduction: 'batch' }), 'RangeError', /klDiv\(\): batch is not a valid value for reduction/],
  ['nllLoss target string', () => A.nllLoss(x(2, 3), 'target'), 'TypeError', /nllLoss\(\): 'target' must be a Tensor, got string 'target'/],
  ['binaryCrossEntropy size mismatch', () => F.binaryCrossEntropy(torch.rand(3, 4), torch.rand(4, 3)), 'RangeError', /using a target size \(\[4, 3\]\) that is different to the input size \(\[3, 4\]\)/],
  ['binaryCrossEntropy weight does not broadcast', () => F.binaryCrossEntropy(torch.rand(3, 4), torch.rand(3, 4), torch.rand(5)), 'TorchError', /The size of tensor a \(4\) must match the size of tensor b \(5\) at non-singleton dimension 1/],
  ['bceWithLogits weight requires grad (libtorch)', () => F.binaryCrossEntropyWithLogits(x(2, 2), torch.rand(2, 2), torch.rand(2, { requiresGrad: true })), 'TorchError', /not differentiable with respect to argument 'weight'/],
  ['pad mode "zeros"', () => A.pad(x(2, 3), [1, 1], 'zeros'), 'RangeError', /pad\(\): 'mode' must be one of 'constant', 'reflect', 'replicate', 'circular', got 'zeros'/],
  ['pad mode 3', () => A.pad(x(2, 3), [1, 1], 3), 'TypeError', /pad\(\): 'mode' must be a string \(one of 'constant', 'reflect', 'replicate', 'circular'\), got number 3/],
  ['pad number', () => A.pad(x(2, 3), 1), 'TypeError', /pad\(\): 'pad' must be an array of integers, got number 1/],
  ['pad fractional', () => A.pad(x(2, 3), [1, 1.5]), 'TypeError', /'pad' must be an array of integers, got array of length 2 with a non-integer element/],
  ['pad reflect with a value (libtorch)', () => F.pad(x(1, 2, 3), [1, 1], 'reflect', 1), 'TorchError', /Padding mode "reflect" doesn't take in value argument/],
  ['dropout p 1.5', () => F.dropout(x(3), 1.5), 'RangeError', /dropout\(\): dropout probability has to be between 0 and 1, but got 1.5/],
  ['dropout p -0.1', () => F.dropout2d(x(1, 2, 2, 2), { p: -0.1 }), 'RangeError', /dropout2d\(\): dropout probability has to be between 0 and 1, but got -0.1/],
  ['dropout training "yes"', () => A.dropout(x(3), 0.5, 'yes'), 'TypeError', /dropout\(\): 'training' must be a boolean, got string 'yes'/],
  ['dropout1d 4-d input', () => F.dropout1d(x(1, 2, 3, 4)), 'RangeError', /dropout1d\(\): expected 2D or 3D input, but received a 4D input/],
  ['softmax dim 1.5', () => A.softmax(x(2, 3), 1.5), 'TypeError', /softmax\(\): 'dim' must be an integer, got number 1.5/],
  ['softmax dtype "float99"', () => A.softmax(x(2, 3), 1, { dtype: 'float99' }), 'TypeError', /softmax\(\): 'dtype' must be a dtype \(.*\), got string 'float99'/],
  ['softmax positional dtype', () => A.softmax(x(2, 3), 1, 'float64'), 'TypeError', /softmax\(\) takes at most 2 positional arguments \(3 given\)/],
  ['softmax dim out of range (libtorch)', () => F.softmax(x(2, 3), 2), 'TorchError', /Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/],
  ['gelu approximate "fast" (libtorch)', () => A.gelu(x(2), { approximate: 'fast' }), 'TorchError', /approximate argument must be either none or tanh/],
  ['gelu positional approximate', () => A.gelu(x(2), 'tanh'), 'TypeError', /gelu\(\) takes at most 1 positional arguments \(2 given\)/],
  ['leakyRelu slope string', () => A.leakyRelu(x(2), '0.1'), 'TypeError', /leakyRelu\(\): 'negativeSlope' must be a number, got string '0.1'/],
  ['interpolate size and scale', () => F.interpolate(x(1, 1, 2, 2), { size: 4, scaleFactor: 2 }), 'RangeError', /interpolate\(\): only one of size or scale_factor should be defined/],
  ['interpolate neither', () => F.interpolate(x(1, 1, 2, 2)), 'RangeError', /interpolate\(\): either size or scale_factor should be defined/],
  ['interpolate mode "cubic"', () => A.interpolate(x(1, 1, 2, 2), { size: 4, mode: 'cubic' }), 'RangeError', /interpolate\(\): 'mode' must be one of 'nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact', got 'cubic'/],
  ['interpolate alignCorners with nearest', () => F.interpolate(x(1, 1, 2, 2), { size: 4, alignCorners: true }), 'RangeError', /align_corners option can only be set with the interpolating modes/],
  ['interpolate linear on 4-d', () => F.interpolate(x(1, 1, 2, 2), { size: 4, mode: 'linear' }), 'RangeError', /got 4D input, but linear mode needs 3D input/],
  ['interpolate size length', () => F.interpolate(x(1, 1, 2, 2), [3, 3, 3]), 'RangeError', /input and output must have the same number of spatial dimensions/],
  ['interpolate antialias nearest', () => F.interpolate(x(1, 1, 2, 2), { size: 3, antialias: true }), 'RangeError', /anti-alias option is only supported for bilinear and bicubic modes/],
  ['maxPool2d returnIndices "yes"', () => A.maxPool2d(x(1, 1, 4, 4), 2, { returnIndices: 'yes' }), 'TypeError', /maxPool2d\(\): 'returnIndices' must be a boolean, got string 'yes'/],
  ['maxPool2d no kernel size', () => A.maxPool2d(x(1, 1, 4, 4)), 'TypeError', /maxPool2d\(\): 'kernelSize' must be an integer or an array of integers, got undefined/],
  ['maxPool2d kernel too large (libtorch)', () => F.maxPool2d(x(1, 1, 2, 2), 3), 'TorchError', /Output size is too small/],
  ['adaptiveAvgPool2d bad size', () => A.adaptiveAvgPool2d(x(1, 1, 4, 4), [2, 'a']), 'TypeError', /adaptiveAvgPool2d\(\): 'outputSize' must be an integer or an array of integers \(or nulls\)/],
  ['batchNorm one value per channel', () => F.batchNorm(x(1, 3), null, null, null, null, true), 'RangeError', /batchNorm\(\): expected more than 1 value per channel when training, got input size \[1, 3\]/],
  ['batchNorm runningMean string', () => A.batchNorm(x(2, 3), 'rm', null), 'TypeError', /batchNorm\(\): 'runningMean' must be a Tensor, got string 'rm'/],
  ['instanceNorm one spatial element', () => F.instanceNorm(x(2, 3, 1)), 'RangeError', /instanceNorm\(\): expected more than 1 spatial element when training, got input size \[2, 3, 1\]/],
  ['layerNorm shape string', () => A.layerNorm(x(2, 3), 'a'), 'TypeError', /layerNorm\(\): 'normalizedShape' must be an integer or an array of integers, got string 'a'/],
  ['layerNorm shape mismatch (libtorch)', () => F.layerNorm(x(2, 3), [4]), 'TorchError', /Given normalized_shape=\[4\], expected input with shape \[\*, 4\]/],
  ['groupNorm groups 1.5', () => A.groupNorm(x(2, 4), 1.5), 'TypeError', /groupNorm\(\): 'numGroups' must be an integer, got number 1.5/],
  ['normalize p "fro"', () => A.normalize(x(2, 3), { p: 'fro' }), 'TypeError', /normalize\(\): 'p' must be a number, got string 'fro'/],
  ['embedding paddingIdx out of range', () => F.embedding(long([0, 1]), x(3, 2), 3), 'RangeError', /embedding\(\): paddingIdx must be within num_embeddings \(3\), got 3/],
  ['embedding float indices (libtorch)', () => F.embedding(x(2), x(3, 2)), 'TorchError', /Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int/],
  ['oneHot float input (libtorch)', () => F.oneHot(x(3)), 'TorchError', /one_hot is only applicable to index tensor/],
  ['oneHot numClasses string', () => A.oneHot(long([1]), '3'), 'TypeError', /oneHot\(\): 'numClasses' must be an integer, got string '3'/],
  ['gaussianNllLoss negative var', () => F.gaussianNllLoss(x(2, 3), x(2, 3), torch.full([2, 3], -1)), 'RangeError', /gaussianNllLoss\(\): var has negative entry\/entries/],
  ['gaussianNllLoss var size', () => F.gaussianNllLoss(x(2, 3), x(2, 3), torch.ones(3, 2)), 'RangeError', /gaussianNllLoss\(\): var is of incorrect size/],
  ['multiMarginLoss p 3', () => A.multiMarginLoss(x(2, 3), long([0, 1]), 3), 'RangeError', /multiMarginLoss\(\): only p == 1 and p == 2 supported, got 3/],
  ['cosineSimilarity unknown keyword', () => A.cosineSimilarity(x(2, 3), x(2, 3), { dimension: 1 }), 'TypeError', /cosineSimilarity\(\) got an unexpected keyword argument 'dimension' \(accepted: dim, eps\)/],
  ['marginRankingLoss dims differ', () => F.marginRankingLoss(x(3), x(3), x(3, 1)), 'RangeError', /marginRankingLoss\(\): all input tensors should have same dimension but got sizes: input1: \[3\], input2: \[3\], target: \[3, 1\]/],
  ['glu on a scalar', () => F.glu(torch.tensor(1)), 'RangeError', /glu\(\): glu does not support scalars because halving size must be even/],
  ['glu odd size (libtorch)', () => F.glu(x(3)), 'TorchError', /Halving dimension must be even, but dimension 0 is size 3/],
];

describe('bad arguments', () => {
  test.each(BAD)('%s', (_label, fn, want, re) => {
    const n0 = torch.memory().numTensors;
    torch.tidy(() => expectError(fn, want, re));
    expect(torch.memory().numTensors).toBe(n0);
    expect(torch.isGradEnabled()).toBe(true);
  });
});

describe('no leaks', () => {
  test('all tensors made by the cases were freed', () => {
    expect(torch.memory().numTensors).toBe(baseline);
  });
});
