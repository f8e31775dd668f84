/**
 * sigprop.managers: helpers that wrap the layers of an existing network. A manager holds the
 * classes to use (model, propagator, signal), builds an optimizer per layer (Preset), applies
 * stored default options, and wraps each loss in a monitor.
 *
 * Options are Python's keyword arguments as one object: `manager.addPropagator(layer, { loss })`.
 * addPropagator keeps only the options the propagator class accepts (its static `options`), so
 * `Identity` drops the optimizer and loss a Preset hands every layer.
 */
import { Module } from '../torch/nn/module';
import { describe } from '../torch/errors';
import { bind, isKw, checkOptions as checkOptionsObject, KEYWORD_OPTIONS, OptionsStyle } from '../torch/args';
import { LossLike, checkModule, pyClassName } from './module';
import type { PropagatorClass } from './propagator';
import type { ModelClass } from './models';
import type { MonitorLike } from './monitor';

type Options = Record<string, unknown>;

/** A signal propagator class (propagators.signals.Loss / Fixed / Learn). */
export type SignalClass = PropagatorClass;
/** A loss monitor class: `new Cls(name, loss)` (monitors.loss.LabelMetrics). */
export type MonitorClass = new (name: string, loss: LossLike) => MonitorLike & LossLike;
/** The group the monitors are added to (monitors.Group). */
export interface MonitorGroup {
  add(monitor: MonitorLike): void;
}
/** Preset's optimizer builder: called with each unwrapped layer; returns an optimizer or null. */
export type OptimizerBuilder = (module: Module) => unknown;

/** The managers' options objects: any keys (the classes they go to check them). */
const MANAGER_OPTIONS: OptionsStyle = { ...KEYWORD_OPTIONS, mustBe: "a plain object (Python's keyword arguments)" };

/** A copy of an options object (undefined and null give {}). */
function checkOptions(o: unknown, fn: string): Options {
  if (o === undefined || o === null) return {};
  return { ...checkOptionsObject(fn, o as Options, null, MANAGER_OPTIONS) };
}
function checkClass(c: unknown, param: string, fn: string): void {
  if (typeof c !== 'function') throw new TypeError(`${fn}(): '${param}' must be a class, got ${describe(c)}`);
}
function accepted(cls: { options?: readonly string[] }): readonly string[] {
  return Array.isArray(cls.options) ? cls.options : [];
}
function construct<T>(make: (kw?: Options) => T, kw: Options): T {
  return Object.keys(kw).length ? make(kw) : make();
}

/** The manager interface (Python's SPManager): set_signal, add_propagator, set_model do nothing here. */
export class Manager {
  model: Module | null = null;
  signal: Module | null = null;
  propagators: Module[] = [];
  setSignal(module: Module, options?: Options): Module | null {
    return null;
  }
  addPropagator(module: Module, propagatorCls?: PropagatorClass | Options | null, options?: Options): Module | null {
    return null;
  }
  setModel(module: Module, options?: Options, modelCls?: ModelClass): Module | null {
    return null;
  }
}

/**
 * Prepared(modelCls, propagatorCls, signalCls, monitorCls = null, monitorMain = null): builds the
 * signal, the propagators and the model with the given classes. With a monitor class, every
 * `loss` option becomes `new monitorCls(layerClassName, loss)`, added to monitorMain.
 */
export class Prepared extends Manager {
  propagatorCls: PropagatorClass;
  modelCls: ModelClass;
  signalCls: SignalClass;
  monitorCls: MonitorClass | null;
  monitorMain: MonitorGroup | null;
  constructor(...args: [modelCls: ModelClass, propagatorCls: PropagatorClass, signalCls: SignalClass, monitorCls?: MonitorClass | null | Options, monitorMain?: MonitorGroup | null]) {
    super();
    const a = bind(this.constructor.name, args, ['modelCls', 'propagatorCls', 'signalCls', 'monitorCls', 'monitorMain']);
    for (const [i, n] of (['modelCls', 'propagatorCls', 'signalCls'] as const).entries()) checkClass(a[i], n, this.constructor.name);
    this.modelCls = a[0] as ModelClass;
    this.propagatorCls = a[1] as PropagatorClass;
    this.signalCls = a[2] as SignalClass;
    this.monitorCls = null;
    this.monitorMain = null;
    this.setMonitorNow((a[3] ?? null) as MonitorClass | null, (a[4] ?? null) as MonitorGroup | null);
  }
  protected setMonitorNow(monitorCls: MonitorClass | null, monitorMain: MonitorGroup | null): void {
    if (monitorCls !== null) {
      checkClass(monitorCls, 'monitorCls', this.constructor.name);
      if (monitorMain === null || typeof monitorMain.add !== 'function') throw new TypeError(`${this.constructor.name}: a monitor class needs 'monitorMain' (a monitors.Group to add the monitors to), got ${describe(monitorMain)}`);
    }
    this.monitorCls = monitorCls;
    this.monitorMain = monitorMain;
  }
  /** Replaces options.loss by its monitor (when a monitor class is set). */
  protected monitorLoss(module: Module, kw: Options): void {
    if (this.monitorCls !== null && 'loss' in kw) {
      const monitor = new this.monitorCls(pyClassName(module), kw.loss as LossLike);
      (this.monitorMain as MonitorGroup).add(monitor);
      kw.loss = monitor;
    }
  }
  /** Wraps the signal module in the signal propagator class; throws if a signal is already set. */
  override setSignal(module: Module, options?: Options): Module {
    checkModule(module, 'module', 'setSignal');
    const kw = checkOptions(options, 'setSignal');
    if (this.signal !== null) throw new Error('Signal already set.');
    this.monitorLoss(module, kw);
    const cls = this.signalCls;
    this.signal = construct((o) => (o ? new cls(module, o) : new cls(module)), kw);
    return this.signal;
  }
  /**
   * addPropagator(module, propagatorCls?, options?) or addPropagator(module, options): wraps the
   * layer in the propagator class (default: the manager's), keeping only the options it accepts.
   */
  override addPropagator(module: Module, propagatorCls?: PropagatorClass | Options | null, options?: Options): Module {
    checkModule(module, 'module', 'addPropagator');
    if (isKw(propagatorCls) && options === undefined) {
      options = propagatorCls as Options;
      propagatorCls = null;
    }
    const cls = (propagatorCls ?? this.propagatorCls) as PropagatorClass;
    checkClass(cls, 'propagatorCls', 'addPropagator');
    const kw = checkOptions(options, 'addPropagator');
    const names = accepted(cls);
    for (const k of Object.keys(kw)) if (!names.includes(k)) delete kw[k];
    this.monitorLoss(module, kw);
    const propagator = construct((o) => (o ? new cls(module, o) : new cls(module)), kw);
    this.propagators.push(propagator);
    return propagator;
  }
  /** Wraps the network in the model class with the signal; throws if a model is set or no signal is. */
  override setModel(module: Module, options?: Options, modelCls?: ModelClass): Module {
    checkModule(module, 'module', 'setModel');
    const kw = checkOptions(options, 'setModel');
    if (this.model !== null) throw new Error('Model already set.');
    if (this.signal === null) throw new Error('setSignal() before setModel().');
    const cls = modelCls ?? this.modelCls;
    const signal = this.signal;
    this.model = construct((o) => (o ? new cls(module, signal, o) : new cls(module, signal)), kw);
    return this.model;
  }
}

/**
 * Preset(modelCls, propagatorCls, signalCls, optimizerBuilder, monitorCls = null, monitorMain = null,
 * modelKwargs = null, propagatorKwargs = null, signalKwargs = null): Prepared plus an optimizer per
 * layer (optimizerBuilder(layer), unless an optimizer option is given) and stored default options
 * (configSignal / configPropagator / configModel; the call's own options win).
 */
export class Preset extends Prepared {
  optimizerBuilder: OptimizerBuilder;
  modelKwords: Options;
  propagatorKwords: Options;
  signalKwords: Options;
  constructor(...args: [modelCls: ModelClass, propagatorCls: PropagatorClass, signalCls: SignalClass, optimizerBuilder: OptimizerBuilder,
    monitorCls?: MonitorClass | null | Options, monitorMain?: MonitorGroup | null, modelKwargs?: Options | null, propagatorKwargs?: Options | null, signalKwargs?: Options | null]) {
    const a = bind('Preset', args, ['modelCls', 'propagatorCls', 'signalCls', 'optimizerBuilder', 'monitorCls', 'monitorMain', 'modelKwargs', 'propagatorKwargs', 'signalKwargs']);
    super(a[0] as ModelClass, a[1] as PropagatorClass, a[2] as SignalClass, (a[4] ?? null) as MonitorClass | null, (a[5] ?? null) as MonitorGroup | null);
    if (typeof a[3] !== 'function') throw new TypeError(`Preset(): 'optimizerBuilder' must be a function (module) => optimizer | null, got ${describe(a[3])}`);
    this.optimizerBuilder = a[3] as OptimizerBuilder;
    this.modelKwords = checkOptions(a[6], 'Preset: modelKwargs');
    this.propagatorKwords = checkOptions(a[7], 'Preset: propagatorKwargs');
    this.signalKwords = checkOptions(a[8], 'Preset: signalKwargs');
  }
  /** Sets the monitor class and group; throws if a monitor class is already set. */
  setMonitor(monitorCls: MonitorClass, monitorMain: MonitorGroup): void {
    if (this.monitorCls !== null) throw new Error('Monitor already set.');
    this.setMonitorNow(monitorCls, monitorMain);
  }
  configSignal(options: Options): void {
    const kw = checkOptions(options, 'configSignal');
    if (this.signal !== null) throw new Error('configSignal() before setSignal(); signal already set.');
    Object.assign(this.signalKwords, kw);
  }
  configPropagator(options: Options): void {
    const kw = checkOptions(options, 'configPropagator');
    if (this.propagators.length > 0) throw new Error('configPropagator() before first call to addPropagator(); at least one propagator already added.');
    Object.assign(this.propagatorKwords, kw);
  }
  configModel(options: Options): void {
    const kw = checkOptions(options, 'configModel');
    if (this.model !== null) throw new Error('configModel() before setModel(); model already set.');
    Object.assign(this.modelKwords, kw);
  }
  /** Builds the optimizer (when not given) and merges the stored signal options. An optimizer goes only to a signal class that takes one (signals.Fixed does not). */
  override setSignal(module: Module, options?: Options): Module {
    checkModule(module, 'module', 'setSignal');
    const kw = checkOptions(options, 'setSignal');
    if (!('optimizer' in kw)) {
      const opt = this.optimizerBuilder(module);
      if (accepted(this.signalCls).includes('optimizer')) kw.optimizer = opt;
    }
    return super.setSignal(module, { ...this.signalKwords, ...kw });
  }
  override addPropagator(module: Module, propagatorCls?: PropagatorClass | Options | null, options?: Options): Module {
    checkModule(module, 'module', 'addPropagator');
    if (isKw(propagatorCls) && options === undefined) {
      options = propagatorCls as Options;
      propagatorCls = null;
    }
    const kw = checkOptions(options, 'addPropagator');
    if (!('optimizer' in kw)) kw.optimizer = this.optimizerBuilder(module);
    return super.addPropagator(module, propagatorCls as PropagatorClass | null, { ...this.propagatorKwords, ...kw });
  }
  override setModel(module: Module, options?: Options, modelCls?: ModelClass): Module {
    const kw = checkOptions(options, 'setModel');
    return super.setModel(module, { ...this.modelKwords, ...kw }, modelCls);
  }
}
