/**
 * sigprop.signals: what the signal (the network's first layer) is made of. Formatters reshape the
 * target (`[h, t] -> [h, t']`); generators produce the first layer's input and target
 * (`[h0, t0] -> [h1, t1, h0, t0]`). A Sequential(formatter, generator) is a signal.
 */
import { Module } from '../torch/nn/module';
import { Tensor } from '../torch/tensor';
import { tidy, dispose } from '../torch/memory';
import { tensor, zeros, cat } from '../torch/functions';
import { adaptiveAvgPool2d } from '../torch/nn/functional';
import { describe } from '../torch/errors';
import { slice } from '../torch/tensor';
import { checkKeys } from '../torch/args';
import { SPModule, SignalPair, Generated, checkPair, checkModule, applyFn, markBuiltin } from './module';
import { labelNumberToOnehot, distinctBatchLabelsOnehot, distinctBatchLabels, labelVectorToNumber } from './signals-functional';
import type { Manager } from './managers';

/** Base of signals (Python's SPSignal). */
export class Signal extends SPModule {
  /**
   * `Cls.manage(manager, module, options)` = `manager.setSignal(module, options)`: the manager wraps
   * the module in its signal propagator. (The original passes the class as an extra argument,
   * which its managers reject.)
   */
  static manage(manager: Manager, module: Module, options: Record<string, unknown> = {}): Module | null {
    return manager.setSignal(module, options);
  }
}

// ---- formatters ----

/** Base of formatters: `forward([h0, t0])` returns `[h0, t1]`. */
export class Formatter extends Signal {}

/** One-hot of the class numbers: LabelNumberToOnehot(numClasses) (null: max label + 1). */
export class LabelNumberToOnehot extends Formatter {
  declare numClasses: number | null;
  constructor(numClasses: number | null | { numClasses: number | null }) {
    super();
    if (numClasses !== null && typeof numClasses === 'object') numClasses = checkKeys('LabelNumberToOnehot', numClasses, ['numClasses']).numClasses;
    if (numClasses === undefined) throw new TypeError('LabelNumberToOnehot() missing required argument \'numClasses\' (a number, or null to use max label + 1)');
    if (numClasses !== null && (!Number.isInteger(numClasses) || numClasses < 1)) throw new RangeError(`LabelNumberToOnehot(): 'numClasses' must be a positive integer or null, got ${describe(numClasses)}`);
    this.numClasses = numClasses;
  }
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): SignalPair {
    const [h0, t0] = checkPair(input, 'LabelNumberToOnehot.forward()', extra.length);
    return [h0, labelNumberToOnehot(t0, this.numClasses)];
  }
  override extraRepr(): string {
    return '';
  }
}

/** The target batch becomes the [C, C] identity (one row per class). */
export class DistinctBatchLabelsOnehot extends Formatter {
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): SignalPair {
    const [h0, t0] = checkPair(input, 'DistinctBatchLabelsOnehot.forward()', extra.length);
    return [h0, distinctBatchLabelsOnehot(t0)];
  }
}

/** The target batch becomes arange(C) as float. */
export class DistinctBatchLabels extends Formatter {
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): SignalPair {
    const [h0, t0] = checkPair(input, 'DistinctBatchLabels.forward()', extra.length);
    return [h0, distinctBatchLabels(t0)];
  }
}

/** A vector target becomes class numbers (argmax, as float [B, 1]). */
export class LabelVectorToNumber extends Formatter {
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): SignalPair {
    const [h0, t0] = checkPair(input, 'LabelVectorToNumber.forward()', extra.length);
    return [h0, labelVectorToNumber(t0)];
  }
}

// ---- generators ----

/** Base of generators: `forward([h0, t0])` returns `[h1, t1, h0, t0]`. */
export class Generator extends Signal {
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): Generated {
    throw new Error(`${this.constructor.name}.forward() is not implemented (a Generator subclass returns [h1, t1, h0, t0])`);
  }
}

function checkShape(s: unknown, param: string, cls: string): number[] {
  if (!Array.isArray(s) || s.some((d) => !Number.isInteger(d) || d < 0)) throw new TypeError(`${cls}(): '${param}' must be an array of non-negative integers (Python's shape tuple), got ${describe(s)}`);
  return [...s];
}

function freeze(m: Module): void {
  for (const p of m.parameters()) p.requiresGrad_(false);
}

/** t1 = module(t0.flatten(1)).view([B, ...outputShape]) (null stays null). */
function project(module: Module, t0: Tensor | null, outputShape: number[], where: string): Tensor | null {
  if (t0 === null) return null;
  return tidy(() => applyFn(module, t0.flatten(1), where).view([t0.shape[0], ...outputShape]));
}

/**
 * ProjectionContext(module, inputShape, outputShape, fixed = false): the target is projected by
 * module to outputShape; h passes unchanged. A null target gives a null t1 (the original crashes).
 */
export class ProjectionContext extends Generator {
  declare inputShape: number[];
  declare outputShape: number[];
  declare module: Module;
  constructor(module: Module, inputShape: number[], outputShape: number[], fixed: boolean | { fixed?: boolean } = false) {
    super();
    this.inputShape = checkShape(inputShape, 'inputShape', 'ProjectionContext');
    this.outputShape = checkShape(outputShape, 'outputShape', 'ProjectionContext');
    this.module = checkModule(module, 'module', 'ProjectionContext');
    if (typeof fixed === 'object' ? fixed.fixed : fixed) freeze(this.module);
  }
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): Generated {
    const [h0, t0] = checkPair(input, 'ProjectionContext.forward()', extra.length);
    return [h0, project(this.module, t0, this.outputShape, 'ProjectionContext.forward()'), h0, t0];
  }
}

/**
 * ProjectionContextInput(moduleContext, moduleInput, inputShape, outputShape, fixed = false):
 * t1 = moduleContext(t0.flatten(1)).view([B, ...outputShape]) (when t0 is present), then
 * h1 = moduleInput(h0). With fixed, both modules are frozen.
 */
export class ProjectionContextInput extends Generator {
  declare inputShape: number[];
  declare outputShape: number[];
  /** Registered under Python's attribute names, so state-dict keys match the original's (`module_context.0.weight`). */
  declare module_context: Module;
  declare module_input: Module;
  constructor(moduleContext: Module, moduleInput: Module, inputShape: number[], outputShape: number[], fixed: boolean | { fixed?: boolean } = false) {
    super();
    this.inputShape = checkShape(inputShape, 'inputShape', 'ProjectionContextInput');
    this.outputShape = checkShape(outputShape, 'outputShape', 'ProjectionContextInput');
    this.module_context = checkModule(moduleContext, 'moduleContext', 'ProjectionContextInput');
    this.module_input = checkModule(moduleInput, 'moduleInput', 'ProjectionContextInput');
    if (typeof fixed === 'object' ? fixed.fixed : fixed) {
      freeze(this.moduleContext);
      freeze(this.moduleInput);
    }
  }
  /** The target projection (Python's `module_context`). */
  get moduleContext(): Module {
    return this.module_context;
  }
  /** The input projection (Python's `module_input`). */
  get moduleInput(): Module {
    return this.module_input;
  }
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): Generated {
    const where = 'ProjectionContextInput.forward()';
    const [h0, t0] = checkPair(input, where, extra.length);
    const t1 = project(this.moduleContext, t0, this.outputShape, where);
    const h1 = tidy(() => applyFn(this.moduleInput, h0, where));
    if (t1 !== null) {
      // the losses compare h1 with t1 feature by feature: an input of another size fails here, not deep in a loss
      const hs = h1.shape.slice(1);
      const per = hs.reduce((a, b) => a * b, 1);
      const want = this.outputShape.reduce((a, b) => a * b, 1);
      if (per !== want || (hs.length > 1 && (hs.length !== this.outputShape.length || hs.some((d, i) => d !== this.outputShape[i])))) {
        const got = h1.shape;
        dispose([h1, t1]);
        throw new RangeError(`${where}: the input module made [${got.join(', ')}] from x of shape [${h0.shape.join(', ')}], but the signal's outputShape is [${this.outputShape.join(', ')}]: is x the size the network was built for?`);
      }
    }
    return [h1, t1, h0, t0];
  }
}

/** The 7x7 glyphs of the digits 0-9 used by FixedDrawContext. */
const GLYPHS: number[][][] = [
  ['1111111', '1000001', '1000001', '1000001', '1000001', '1000001', '1111111'],
  ['0001000', '0001000', '0001000', '0001000', '0001000', '0001000', '0001000'],
  ['1111000', '0001000', '0001000', '0001000', '0001000', '0001000', '0001111'],
  ['1111111', '0000001', '0000001', '1111111', '0000001', '0000001', '1111111'],
  ['1000001', '1000001', '1000001', '1111111', '0000001', '0000001', '0000001'],
  ['1111111', '1000000', '1000000', '1111111', '0000001', '0000001', '1111111'],
  ['1000000', '1000000', '1000000', '1111111', '1000001', '1000001', '1111111'],
  ['1111111', '0000001', '0000001', '0000001', '0000001', '0000001', '0000001'],
  ['1111111', '1000001', '1000001', '1111111', '1000001', '1000001', '1111111'],
  ['1111111', '1000001', '1000001', '1111111', '0000001', '0000001', '0000001'],
].map((rows) => rows.map((r) => [...r].map(Number)));

/**
 * FixedDrawContext(places): draws each label's decimal digits as ±1 glyphs, average-pooled to
 * m x m tiles (m = floor(sqrt(W*H / places))), into a target image shaped like h0 [B, C, W, H].
 * Same placement as the original, including its quirk: a digit that would overflow the row is
 * dropped while the next row starts.
 */
export class FixedDrawContext extends Generator {
  declare places: number;
  /** The 7x7 0/1 glyphs of the digits 0-9 (Python's `numbers`). */
  declare numbers: number[][][];
  constructor(places: number | { places: number }) {
    super();
    if (places !== null && typeof places === 'object') places = checkKeys('FixedDrawContext', places, ['places']).places;
    this.numbers = GLYPHS.map((g) => g.map((r) => [...r]));
    if (!Number.isInteger(places) || places < 1) throw new RangeError(`FixedDrawContext(): 'places' must be a positive integer, got ${describe(places)}`);
    this.places = places;
  }
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): Generated {
    const [h0, t0] = checkPair(input, 'FixedDrawContext.forward()', extra.length);
    if (t0 === null) throw new TypeError('FixedDrawContext.forward(): needs the labels as target (t0 is null)');
    if (h0.dim() !== 4) throw new RangeError(`FixedDrawContext.forward(): h0 must be [B, C, W, H], got shape [${h0.shape.join(', ')}]`);
    const t1 = tidy(() => {
      const numbers = tensor(this.numbers, { dtype: 'int64', device: h0.device }).unsqueeze(1).unsqueeze(1).mul(2).sub(1);
      const [, c, w, h] = h0.shape;
      const m = Math.floor(Math.sqrt(Math.floor((w * h) / this.places)));
      const tiles = this.numbers.map((_, d) => adaptiveAvgPool2d(numbers.select(0, d).float(), [m, m]).view([1, m, m]));
      const vizs: Tensor[] = [];
      for (const label of t0.tolist() as number[]) {
        const viz = zeros([c, w, h], { device: h0.device });
        let x = 0, y = 0;
        for (const digit of String(Math.trunc(label))) {
          if (digit === '-') throw new RangeError('FixedDrawContext.forward(): labels must be non-negative');
          if (x + m < w) {
            viz.indexPut_([slice(), slice(x, x + m), slice(y, y + m)], tiles[Number(digit)]);
            x += m;
          } else {
            x = 0;
            y += m;
          }
        }
        vizs.push(viz.unsqueeze(0));
      }
      return cat(vizs, 0);
    });
    return [h0, t1, h0, t0];
  }
}

markBuiltin(Signal, Formatter, LabelNumberToOnehot, DistinctBatchLabelsOnehot, DistinctBatchLabels, LabelVectorToNumber, Generator, ProjectionContext, ProjectionContextInput, FixedDrawContext);

export * as functional from './signals-functional';
