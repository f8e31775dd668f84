/**
 * torch.optim.lr_scheduler (PyTorch 1.13, or 2.14 with a 2.x libtorch): the chainable get_lr()
 * formulas, evaluated with Python's float arithmetic (libm's pow and cos, see pymath.ts), so that the
 * learning-rate sequences are PyTorch's bit for bit.
 *
 * What 2.14 changed: no `verbose` argument (passing one is an error, as in Python); state dicts
 * without `verbose`, with `_is_initial` (true during the constructor's initial step, where
 * ExponentialLR, CosineAnnealingLR and LinearLR leave the lr as it is, so that resuming with
 * lastEpoch >= 0 does not step it once more); LinearLR's startFactor must be > 0; OneCycleLR's
 * `_anneal_func_type`; ReduceLROnPlateau's state (default_min_lr, _last_lr from the start, no verbose).
 *
 *   const sched = new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 });
 *   for (...) { ...; opt.step(); sched.step(); }
 *
 * Keys the schedulers add to the optimizer's param groups are camelCase there (`initialLr`, `maxLr`,
 * `minLr`, `maxMomentum`, `baseMomentum`) and snake_case in its state dict, as PyTorch's.
 * Scheduler state dicts use PyTorch's attribute names (`last_epoch`, `base_lrs`, `_step_count`, ...).
 */
import { Tensor } from '../tensor';
import { isKw, checkNumber, checkInt, checkBool } from '../args';
import { describe } from '../errors';
import { Optimizer, PT2, bindOptions } from './optimizer';
import { pyPow, pyCos } from './pymath';

/** A scheduler's state dict: Python's dict of mixed values, read without casts (public: stateDict() returns it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type SD = Record<string, any>;

/** The trailing arguments every epoch scheduler takes: 1.13's (last_epoch, verbose), 2.14's (last_epoch). */
const TAIL: readonly string[] = PT2 ? ['lastEpoch'] : ['lastEpoch', 'verbose'];

function checkOptimizer(fn: string, optimizer: unknown): Optimizer {
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`${fn}(): ${describe(optimizer)} is not an Optimizer`);
  return optimizer;
}
/** Python's '{:.4e}'. */
function fmtE(x: number): string {
  return x.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Base class of the epoch-based (chainable) schedulers (PyTorch's _LRScheduler). */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  baseLrs: number[] = [];
  lastEpoch = -1;
  /** PyTorch 1.13 only (2.14's schedulers take no verbose argument). */
  verbose = false;
  /** Internal (PyTorch's _step_count, _is_initial (2.x), _get_lr_called_within_step, _last_lr). */
  _stepCount = 0;
  _isInitial = false;
  _getLrCalledWithinStep = false;
  _lastLr: number[] = [];

  constructor(optimizer: Optimizer) {
    this.optimizer = checkOptimizer(this.constructor.name, optimizer);
  }

  /** The end of PyTorch's _LRScheduler.__init__: initial_lr, base_lrs, and the initial step. */
  protected _attach(lastEpoch: number, verbose: boolean): void {
    const fn = this.constructor.name;
    checkInt(lastEpoch, 'lastEpoch', fn);
    checkBool(verbose, 'verbose', fn);
    if (lastEpoch === -1) {
      for (const g of this.optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      this.optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new RangeError(`param 'initialLr' (initial_lr) is not specified in paramGroups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.verbose = verbose;
    this._initialStep();
  }

  protected _initialStep(): void {
    this._stepCount = 0;
    if (!PT2) {
      this.optimizer._stepCount = 0; // 1.13
      this.step();
      return;
    }
    // 2.14: `with _initial_mode(self): self.step()`
    this._isInitial = true;
    try {
      this.step();
    } finally {
      this._isInitial = false;
    }
  }

  /** The learning rates computed by the last step(). */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** The chainable form: the next learning rates from the current ones. */
  abstract getLr(): number[];

  /** Advances one epoch and sets every group's lr. */
  step(...args: []): void {
    if (args.length > 0 && (args as unknown[])[0] !== undefined) {
      throw new TypeError(`${this.constructor.name}.step(): the epoch argument (deprecated in PyTorch) is not supported; call step() once per epoch`);
    }
    this._stepCount += 1;
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      this.lastEpoch += 1;
      values = this.getLr();
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      if (i >= values.length) return;
      g.lr = values[i];
      this.printLr(this.verbose, i, values[i]);
    });
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Prints PyTorch's message when verbose. */
  printLr(isVerbose: boolean, group: number, lr: number): void {
    if (isVerbose) console.log(`Adjusting learning rate of group ${group} to ${fmtE(lr)}.`);
  }

  /** The scheduler's own attributes, in PyTorch's names and order (before the base ones). */
  protected _ownState(): SD {
    return {};
  }
  protected _loadOwnState(_sd: SD): void {}

  /** The state in PyTorch's layout (its attribute names); plain data (numbers, arrays, objects). */
  stateDict(): SD {
    const sd: SD = { ...this._ownState(), base_lrs: [...this.baseLrs], last_epoch: this.lastEpoch };
    if (PT2) {
      sd._step_count = this._stepCount;
      sd._is_initial = this._isInitial;
    } else {
      sd.verbose = this.verbose;
      sd._step_count = this._stepCount;
    }
    sd._get_lr_called_within_step = this._getLrCalledWithinStep;
    sd._last_lr = [...this._lastLr];
    return sd;
  }

  /** Loads what stateDict() (or PyTorch's state_dict()) returned. */
  loadStateDict(stateDict: SD): void {
    if (!isKw(stateDict)) throw new TypeError(`${this.constructor.name}.loadStateDict(): expected an object, got ${describe(stateDict)}`);
    const sd = stateDict as SD;
    if (sd.base_lrs !== undefined) this.baseLrs = [...sd.base_lrs];
    if (sd.last_epoch !== undefined) this.lastEpoch = sd.last_epoch;
    if (sd.verbose !== undefined) this.verbose = sd.verbose;
    if (sd._step_count !== undefined) this._stepCount = sd._step_count;
    if (sd._is_initial !== undefined) this._isInitial = sd._is_initial;
    if (sd._get_lr_called_within_step !== undefined) this._getLrCalledWithinStep = sd._get_lr_called_within_step;
    if (sd._last_lr !== undefined) this._lastLr = [...sd._last_lr];
    this._loadOwnState(sd);
  }
}

type LrLambda = (epoch: number) => number;

/** lr = initial lr * lrLambda(epoch): `new LambdaLR(opt, (e) => 1 / (1 + e))` (one function, or one per group). */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];
  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], lastEpoch?: number | { lastEpoch?: number; verbose?: boolean }, verbose?: boolean | { verbose?: boolean });
  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], ...args: unknown[]) {
    super(optimizer);
    const o = bindOptions('LambdaLR', args, TAIL, []);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new RangeError(`LambdaLR(): Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else {
      this.lrLambdas = new Array(n).fill(lrLambda);
    }
    for (const f of this.lrLambdas) if (typeof f !== 'function') throw new TypeError(`LambdaLR(): 'lrLambda' must be a function or an array of functions, got ${describe(f)}`);
    this._attach((o.lastEpoch ?? -1) as number, (o.verbose ?? false) as boolean);
  }
  getLr(): number[] {
    return this.lrLambdas.map((f, i) => this.baseLrs[i] * f(this.lastEpoch));
  }
  override stateDict(): SD {
    // functions are not saved (PyTorch saves only callable objects' attributes)
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** Multiplies the lr by gamma every stepSize epochs: `new StepLR(opt, 30, { gamma: 0.1 })`. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: Optimizer, stepSize: number, gamma?: number | { gamma?: number; lastEpoch?: number; verbose?: boolean }, lastEpoch?: number | { lastEpoch?: number; verbose?: boolean }, verbose?: boolean | { verbose?: boolean });
  constructor(optimizer: Optimizer, stepSize: number, ...args: unknown[]) {
    super(optimizer);
    const o = bindOptions('StepLR', args, ['gamma', ...TAIL], []);
    this.stepSize = checkInt(stepSize, 'stepSize', 'StepLR');
    if (stepSize <= 0) throw new RangeError(`StepLR(): 'stepSize' must be positive, got ${stepSize}`);
    this.gamma = checkNumber(o.gamma ?? 0.1, 'gamma', 'StepLR');
    this._attach((o.lastEpoch ?? -1) as number, (o.verbose ?? false) as boolean);
  }
  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
  protected override _ownState(): SD {
    return { step_size: this.stepSize, gamma: this.gamma };
  }
  protected override _loadOwnState(sd: SD): void {
    if (sd.step_size !== undefined) this.stepSize = sd.step_size;
    if (sd.gamma !== undefined) this.gamma = sd.gamma;
  }
}

/** Multiplies the lr by gamma at each milestone: `new MultiStepLR(opt, [30, 80], { gamma: 0.1 })`. */
export class MultiStepLR extends LRScheduler {
  /** milestone -> count (PyTorch's Counter). */
  milestones: Map<number, number>;
  gamma: number;
  constructor(optimizer: Optimizer, milestones: number[], gamma?: number | { gamma?: number; lastEpoch?: number; verbose?: boolean }, lastEpoch?: number | { lastEpoch?: number; verbose?: boolean }, verbose?: boolean | { verbose?: boolean });
  constructor(optimizer: Optimizer, milestones: number[], ...args: unknown[]) {
    super(optimizer);
    const o = bindOptions('MultiStepLR', args, ['gamma', ...TAIL], []);
    if (!Array.isArray(milestones)) throw new TypeError(`MultiStepLR(): 'milestones' must be an array of integers, got ${describe(milestones)}`);
    this.milestones = new Map();
    for (const m of milestones) {
      checkInt(m, 'milestones', 'MultiStepLR');
      this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    }
    this.gamma = checkNumber(o.gamma ?? 0.1, 'gamma', 'MultiStepLR');
    this._attach((o.lastEpoch ?? -1) as number, (o.verbose ?? false) as boolean);
  }
  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const c = this.milestones.get(this.lastEpoch);
    if (c === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * pyPow(this.gamma, c));
  }
  protected override _ownState(): SD {
    const m: Record<string, number> = {};
    for (const [k, v] of this.milestones) m[String(k)] = v;
    return { milestones: m, gamma: this.gamma };
  }
  protected override _loadOwnState(sd: SD): void {
    if (sd.milestones !== undefined) {
      const entries: [unknown, unknown][] = sd.milestones instanceof Map ? [...sd.milestones.entries()] : Object.entries(sd.milestones);
      this.milestones = new Map(entries.map(([k, v]) => [Number(k), Number(v)]));
    }
    if (sd.gamma !== undefined) this.gamma = sd.gamma;
  }
}

/** Multiplies the lr by gamma every epoch: `new ExponentialLR(opt, 0.9)`. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: Optimizer, gamma: number, lastEpoch?: number | { lastEpoch?: number; verbose?: boolean }, verbose?: boolean | { verbose?: boolean });
  constructor(optimizer: Optimizer, gamma: number, ...args: unknown[]) {
    super(optimizer);
    const o = bindOptions('ExponentialLR', args, TAIL, []);
    this.gamma = checkNumber(gamma, 'gamma', 'ExponentialLR');
    this._attach((o.lastEpoch ?? -1) as number, (o.verbose ?? false) as boolean);
  }
  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    // 1.13: last_epoch == 0; 2.14: _is_initial
    if (PT2 ? this._isInitial : this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
  protected override _ownState(): SD {
    return { gamma: this.gamma };
  }
  protected override _loadOwnState(sd: SD): void {
    if (sd.gamma !== undefined) this.gamma = sd.gamma;
  }
}

/**
 * Cosine annealing from the initial lr to etaMin over TMax epochs (PyTorch's recursive form):
 * `new CosineAnnealingLR(opt, 100, { etaMin: 1e-5 })`.
 */
export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;
  constructor(optimizer: Optimizer, TMax: number, etaMin?: number | { etaMin?: number; lastEpoch?: number; verbose?: boolean }, lastEpoch?: number | { lastEpoch?: number; verbose?: boolean }, verbose?: boolean | { verbose?: boolean });
  constructor(optimizer: Optimizer, TMax: number, ...args: unknown[]) {
    super(optimizer);
    const o = bindOptions('CosineAnnealingLR', args, ['etaMin', ...TAIL], []);
    this.TMax = checkNumber(TMax, 'TMax', 'CosineAnnealingLR');
    if (!(TMax > 0)) throw new RangeError(`CosineAnnealingLR(): 'TMax' must be positive, got ${TMax}`);
    this.etaMin = checkNumber(o.etaMin ?? 0, 'etaMin', 'CosineAnnealingLR');
    this._attach((o.lastEpoch ?? -1) as number, (o.verbose ?? false) as boolean);
  }
  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const e = this.lastEpoch;
    const T = this.TMax;
    const etaMin = this.etaMin;
    if (PT2 ? this._isInitial : e === 0) return groups.map((g) => g.lr); // 1.13: last_epoch == 0; 2.14: _is_initial
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((baseLr) => etaMin + ((baseLr - etaMin) * (1 + pyCos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - pyCos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + pyCos((Math.PI * e) / T)) / (1 + pyCos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }
  protected override _ownState(): SD {
    return { T_max: this.TMax, eta_min: this.etaMin };
  }
  protected override _loadOwnState(sd: SD): void {
    if (sd.T_max !== undefined) this.TMax = sd.T_max;
    if (sd.eta_min !== undefined) this.etaMin = sd.eta_min;
  }
}

/**
 * Multiplies the lr by a factor going linearly from startFactor to endFactor over totalIters epochs:
 * `new LinearLR(opt, { startFactor: 0.1, totalIters: 10 })`.
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, startFactor?: number | LinearLROptions, endFactor?: number | LinearLROptions, totalIters?: number | LinearLROptions, lastEpoch?: number | LinearLROptions, verbose?: boolean | LinearLROptions);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    super(optimizer);
    const o = bindOptions('LinearLR', args, ['startFactor', 'endFactor', 'totalIters', ...TAIL], []);
    const startFactor = checkNumber(o.startFactor ?? 1.0 / 3, 'startFactor', 'LinearLR');
    const endFactor = checkNumber(o.endFactor ?? 1.0, 'endFactor', 'LinearLR');
    if (PT2 && !(startFactor <= 1.0 && startFactor > 0)) throw new RangeError('LinearLR(): Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    // 1.13 accepts 0, and its first step then divides by zero (an infinite or NaN learning rate): rejected here as in 2.x
    if (!PT2 && !(startFactor <= 1.0 && startFactor > 0)) throw new RangeError('LinearLR(): Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    if (!(endFactor <= 1.0 && endFactor >= 0)) throw new RangeError('LinearLR(): Ending multiplicative factor expected to be between 0 and 1.');
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = checkInt(o.totalIters ?? 5, 'totalIters', 'LinearLR');
    this._attach((o.lastEpoch ?? -1) as number, (o.verbose ?? false) as boolean);
  }
  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const e = this.lastEpoch;
    if (e === 0) return groups.map((g) => g.lr * this.startFactor);
    if ((PT2 && this._isInitial) || e > this.totalIters) return groups.map((g) => g.lr); // 2.14 adds _is_initial
    const s = this.startFactor;
    const d = this.endFactor - this.startFactor;
    return groups.map((g) => g.lr * (1 + d / (this.totalIters * s + (e - 1) * d)));
  }
  protected override _ownState(): SD {
    return { start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }
  protected override _loadOwnState(sd: SD): void {
    if (sd.start_factor !== undefined) this.startFactor = sd.start_factor;
    if (sd.end_factor !== undefined) this.endFactor = sd.end_factor;
    if (sd.total_iters !== undefined) this.totalIters = sd.total_iters;
  }
}
export interface LinearLROptions { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number; verbose?: boolean }

export interface OneCycleLROptions {
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
  verbose?: boolean;
}

interface Phase { end_step: number; start_lr: string; end_lr: string; start_momentum: string; end_momentum: string }

// the group keys PyTorch names in _schedule_phases, as they are in our param groups
const GROUP_KEY: Record<string, string> = { initial_lr: 'initialLr', max_lr: 'maxLr', min_lr: 'minLr', max_momentum: 'maxMomentum', base_momentum: 'baseMomentum' };

/**
 * The 1cycle policy (per batch): `new OneCycleLR(opt, 0.1, { totalSteps: 1000 })`; cycles SGD's or
 * RMSprop's momentum, or Adam's beta1, inversely to the lr.
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;
  _schedulePhases: Phase[];
  constructor(optimizer: Optimizer, maxLr: number | number[], totalSteps?: number | null | OneCycleLROptions, options?: OneCycleLROptions);
  constructor(optimizer: Optimizer, options: OneCycleLROptions & { maxLr: number | number[] });
  constructor(optimizer: Optimizer, maxLrOrOptions: unknown, ...rest: unknown[]) {
    super(optimizer);
    const fn = 'OneCycleLR';
    // Python's OneCycleLR(opt, max_lr=0.1, total_steps=100): maxLr may come in the options object too
    let maxLr = maxLrOrOptions as number | number[];
    let args = rest;
    if (isKw(maxLrOrOptions)) {
      const { maxLr: m, ...others } = maxLrOrOptions as Record<string, unknown>;
      if (m === undefined) throw new TypeError(`${fn}(): missing required argument 'maxLr'`);
      if (rest.length) throw new TypeError(`${fn}(): positional arguments after the options object`);
      maxLr = m as number | number[];
      args = [others];
    }
    const o = bindOptions(fn, args, ['totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', ...TAIL], []);
    const totalSteps = o.totalSteps ?? null;
    const epochs = o.epochs ?? null;
    const stepsPerEpoch = o.stepsPerEpoch ?? null;
    if (totalSteps === null && epochs === null && stepsPerEpoch === null) throw new RangeError('OneCycleLR(): You must define either totalSteps OR (epochs AND stepsPerEpoch)');
    const posInt = (name: string, v: unknown): number => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`OneCycleLR(): Expected positive integer ${name}, but got ${describe(v)}`);
      return v;
    };
    if (totalSteps !== null) this.totalSteps = posInt('totalSteps', totalSteps);
    else this.totalSteps = posInt('epochs', epochs) * posInt('stepsPerEpoch', stepsPerEpoch);
    const pctStart = checkNumber(o.pctStart ?? 0.3, 'pctStart', fn);
    const threePhase = checkBool(o.threePhase ?? false, 'threePhase', fn);
    const N = this.totalSteps;
    if (threePhase) {
      this._schedulePhases = [
        { end_step: pctStart * N - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
        { end_step: 2 * pctStart * N - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
        { end_step: N - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
      ];
    } else {
      this._schedulePhases = [
        { end_step: pctStart * N - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
        { end_step: N - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
      ];
    }
    if (pctStart < 0 || pctStart > 1 || Number.isNaN(pctStart)) throw new RangeError(`OneCycleLR(): Expected float between 0 and 1 pctStart, but got ${pctStart}`);
    const anneal = o.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear') throw new RangeError(`OneCycleLR(): annealStrategy must by one of 'cos' or 'linear', instead got ${describe(anneal)}`);
    this.annealStrategy = anneal;
    const divFactor = checkNumber(o.divFactor ?? 25, 'divFactor', fn);
    const finalDivFactor = checkNumber(o.finalDivFactor ?? 1e4, 'finalDivFactor', fn);
    const lastEpoch = (o.lastEpoch ?? -1) as number;
    const maxLrs = this._formatParam('maxLr', maxLr);
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    this.cycleMomentum = checkBool(o.cycleMomentum ?? true, 'cycleMomentum', fn);
    if (this.cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) throw new RangeError('OneCycleLR(): optimizer must support momentum with `cycleMomentum` option enabled');
      this.useBeta1 = 'betas' in optimizer.defaults;
      const maxMomentums = this._formatParam('maxMomentum', o.maxMomentum ?? 0.95);
      const baseMomentums = this._formatParam('baseMomentum', o.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [maxMomentums[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = maxMomentums[i];
          g.maxMomentum = maxMomentums[i];
          g.baseMomentum = baseMomentums[i];
        });
      }
    }
    this._attach(lastEpoch, (o.verbose ?? false) as boolean);
  }

  private _formatParam(name: string, param: unknown): number[] {
    const n = this.optimizer.paramGroups.length;
    if (Array.isArray(param)) {
      if (param.length !== n) throw new RangeError(`OneCycleLR(): expected ${n} values for ${name}, got ${param.length}`);
      return param.map((v) => checkNumber(v, name, 'OneCycleLR'));
    }
    return new Array(n).fill(checkNumber(param, name, 'OneCycleLR'));
  }

  private _anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') {
      const cosOut = pyCos(Math.PI * pct) + 1;
      return end + ((start - end) / 2.0) * cosOut;
    }
    return (end - start) * pct + start;
  }

  getLr(): number[] {
    const lrs: number[] = [];
    const stepNum = this.lastEpoch;
    // (2.14's message counts one step less than 1.13's)
    if (stepNum > this.totalSteps) throw new RangeError(`OneCycleLR: Tried to step ${PT2 ? stepNum : stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    const phases = this._schedulePhases;
    for (const group of this.optimizer.paramGroups) {
      let startStep = 0;
      let computedLr = 0;
      let computedMomentum = 0;
      for (let i = 0; i < phases.length; i++) {
        const endStep = phases[i].end_step;
        if (stepNum <= endStep || i === phases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          computedLr = this._anneal(group[GROUP_KEY[phases[i].start_lr]], group[GROUP_KEY[phases[i].end_lr]], pct);
          if (this.cycleMomentum) computedMomentum = this._anneal(group[GROUP_KEY[phases[i].start_momentum]], group[GROUP_KEY[phases[i].end_momentum]], pct);
          break;
        }
        startStep = phases[i].end_step;
      }
      lrs.push(computedLr);
      if (this.cycleMomentum) {
        if (this.useBeta1) group.betas = [computedMomentum, ...(group.betas as number[]).slice(1)];
        else group.momentum = computedMomentum;
      }
    }
    return lrs;
  }

  protected override _ownState(): SD {
    // 2.14 keeps the strategy's name as _anneal_func_type; 1.13 a bound method (anneal_func), which
    // this port saves as anneal_strategy
    const s: SD = { total_steps: this.totalSteps, _schedule_phases: this._schedulePhases.map((p) => ({ ...p })) };
    s[PT2 ? '_anneal_func_type' : 'anneal_strategy'] = this.annealStrategy;
    s.cycle_momentum = this.cycleMomentum;
    if (this.cycleMomentum) s.use_beta1 = this.useBeta1;
    return s;
  }
  protected override _loadOwnState(sd: SD): void {
    if (sd.total_steps !== undefined) this.totalSteps = sd.total_steps;
    if (sd._schedule_phases !== undefined) this._schedulePhases = sd._schedule_phases.map((p: Phase) => ({ ...p }));
    for (const k of ['anneal_strategy', '_anneal_func_type']) if (sd[k] === 'cos' || sd[k] === 'linear') this.annealStrategy = sd[k];
    if (sd.cycle_momentum !== undefined) this.cycleMomentum = sd.cycle_momentum;
    if (sd.use_beta1 !== undefined) this.useBeta1 = sd.use_beta1;
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
  verbose?: boolean;
}

/**
 * Reduces the lr by `factor` when a metric has stopped improving for `patience` epochs:
 * `const s = new ReduceLROnPlateau(opt, { mode: 'min', patience: 5 }); ... s.step(valLoss)`.
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  factor: number;
  minLrs: number[];
  /** 2.x: the number minLr was given as (null for an array), used when groups are added. */
  defaultMinLr: number | null = null;
  patience: number;
  /** PyTorch 1.13 only. */
  verbose: boolean;
  cooldown: number;
  cooldownCounter = 0;
  mode: 'min' | 'max';
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  best = Infinity;
  numBadEpochs = 0;
  modeWorse = Infinity;
  eps: number;
  lastEpoch = 0;
  _lastLr: number[] | undefined;

  constructor(optimizer: Optimizer, mode?: 'min' | 'max' | ReduceLROnPlateauOptions, factor?: number | ReduceLROnPlateauOptions, patience?: number | ReduceLROnPlateauOptions, threshold?: number | ReduceLROnPlateauOptions, thresholdMode?: 'rel' | 'abs' | ReduceLROnPlateauOptions, cooldown?: number | ReduceLROnPlateauOptions, minLr?: number | number[] | ReduceLROnPlateauOptions, eps?: number | ReduceLROnPlateauOptions, verbose?: boolean | ReduceLROnPlateauOptions);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const fn = 'ReduceLROnPlateau';
    const names = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];
    const o = bindOptions(fn, args, PT2 ? names : [...names, 'verbose'], []); // 2.14: no verbose
    const factor = checkNumber(o.factor ?? 0.1, 'factor', fn);
    if (factor >= 1.0) throw new RangeError('ReduceLROnPlateau(): Factor should be < 1.0.');
    this.factor = factor;
    this.optimizer = checkOptimizer(fn, optimizer);
    const minLr = o.minLr ?? 0;
    const n = optimizer.paramGroups.length;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw new RangeError(`ReduceLROnPlateau(): expected ${n} min_lrs, got ${minLr.length}`);
      this.minLrs = minLr.map((v) => checkNumber(v, 'minLr', fn));
    } else {
      this.defaultMinLr = checkNumber(minLr, 'minLr', fn);
      this.minLrs = new Array(n).fill(this.defaultMinLr);
    }
    this.patience = checkNumber(o.patience ?? 10, 'patience', fn);
    this.verbose = checkBool(o.verbose ?? false, 'verbose', fn);
    this.cooldown = checkNumber(o.cooldown ?? 0, 'cooldown', fn);
    this.mode = (o.mode ?? 'min') as 'min' | 'max';
    this.threshold = checkNumber(o.threshold ?? 1e-4, 'threshold', fn);
    this.thresholdMode = (o.thresholdMode ?? 'rel') as 'rel' | 'abs';
    this.eps = checkNumber(o.eps ?? 1e-8, 'eps', fn);
    if (PT2) this._lastLr = optimizer.paramGroups.map((g) => g.lr); // 2.14 sets it in __init__
    this._initIsBetter(this.mode, this.threshold, this.thresholdMode);
    this._reset();
  }

  private _reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  /** One epoch with the monitored metric (a number or a one-element tensor). */
  step(...args: [metrics: number | Tensor]): void {
    const metrics = args[0];
    if (args.length > 1 && (args as unknown[])[1] !== undefined) throw new TypeError('ReduceLROnPlateau.step(): the epoch argument (deprecated in PyTorch) is not supported');
    let current: number;
    if (metrics instanceof Tensor) current = Number(metrics.item());
    else if (typeof metrics === 'number') current = metrics;
    else throw new TypeError(`ReduceLROnPlateau.step(): 'metrics' must be a number or a one-element Tensor, got ${describe(metrics)}`);
    const epoch = this.lastEpoch + 1;
    this.lastEpoch = epoch;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this._reduceLr(epoch);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private _reduceLr(epoch: number): void {
    const n = this.optimizer.paramGroups.length;
    if (PT2 && n !== this.minLrs.length) {
      // 2.14: a group was added since the constructor
      if (this.defaultMinLr === null) {
        throw new RangeError(`ReduceLROnPlateau: The number of param groups in the \`optimizer\` (${n}) differs from when \`ReduceLROnPlateau\` was initialized (${this.minLrs.length}), usually due to a new param group being added to the optimizer. Please modify the \`min_lrs\` field to match the length of the \`optimizer\` param groups.`);
      }
      this.minLrs = new Array(n).fill(this.defaultMinLr);
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      const oldLr = Number(g.lr);
      const a = oldLr * this.factor;
      const b = this.minLrs[i];
      const newLr = b > a ? b : a; // Python's max(a, b)
      if (oldLr - newLr > this.eps) {
        g.lr = newLr;
        if (this.verbose) console.log(`Epoch ${String(epoch).padStart(5, '0')}: reducing learning rate of group ${i} to ${fmtE(newLr)}.`);
      }
    });
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min' && this.thresholdMode === 'abs') return a < best - this.threshold;
    if (this.mode === 'max' && this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  private _initIsBetter(mode: unknown, threshold: number, thresholdMode: unknown): void {
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`ReduceLROnPlateau(): mode ${describe(mode)} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new RangeError(`ReduceLROnPlateau(): threshold mode ${describe(thresholdMode)} is unknown!`);
    this.modeWorse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  /** The learning rates after the last step(). */
  getLastLr(): number[] {
    if (this._lastLr === undefined) throw new RangeError('ReduceLROnPlateau.getLastLr(): step() has not been called yet');
    return [...this._lastLr];
  }

  /** The state in PyTorch's layout (attribute names; best / mode_worse may be +-Infinity). */
  stateDict(): SD {
    if (PT2) {
      // 2.14: its __dict__ in the order __init__ sets it
      return {
        factor: this.factor, default_min_lr: this.defaultMinLr, min_lrs: [...this.minLrs], patience: this.patience, cooldown: this.cooldown,
        eps: this.eps, last_epoch: this.lastEpoch, _last_lr: [...(this._lastLr ?? [])], mode_worse: this.modeWorse, mode: this.mode,
        threshold: this.threshold, threshold_mode: this.thresholdMode, best: this.best, cooldown_counter: this.cooldownCounter, num_bad_epochs: this.numBadEpochs,
      };
    }
    const sd: SD = {
      factor: this.factor, min_lrs: [...this.minLrs], patience: this.patience, verbose: this.verbose, cooldown: this.cooldown,
      cooldown_counter: this.cooldownCounter, mode: this.mode, threshold: this.threshold, threshold_mode: this.thresholdMode,
      best: this.best, num_bad_epochs: this.numBadEpochs, mode_worse: this.modeWorse, eps: this.eps, last_epoch: this.lastEpoch,
    };
    if (this._lastLr !== undefined) sd._last_lr = [...this._lastLr];
    return sd;
  }

  loadStateDict(stateDict: SD): void {
    if (!isKw(stateDict)) throw new TypeError(`ReduceLROnPlateau.loadStateDict(): expected an object, got ${describe(stateDict)}`);
    const sd = stateDict as SD;
    const map: [string, string][] = [
      ['factor', 'factor'], ['patience', 'patience'], ['verbose', 'verbose'], ['cooldown', 'cooldown'], ['cooldown_counter', 'cooldownCounter'],
      ['mode', 'mode'], ['threshold', 'threshold'], ['threshold_mode', 'thresholdMode'], ['best', 'best'], ['num_bad_epochs', 'numBadEpochs'],
      ['mode_worse', 'modeWorse'], ['eps', 'eps'], ['last_epoch', 'lastEpoch'],
    ];
    const self = this as unknown as Record<string, unknown>;
    for (const [k, prop] of map) if (sd[k] !== undefined) self[prop] = sd[k];
    if (sd.min_lrs !== undefined) this.minLrs = [...sd.min_lrs];
    if (sd.default_min_lr !== undefined) this.defaultMinLr = sd.default_min_lr;
    if (sd._last_lr !== undefined) this._lastLr = [...sd._last_lr];
    this._initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}
