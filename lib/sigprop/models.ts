/**
 * sigprop.models: a signal plus a network of propagators, as one module. Models take ONE array
 * `[x, context]` (Python's tuple): `model.forward([x, labels])` trains, `model.forward([x, null])`
 * infers; they return the network's output h.
 */
import { Module } from '../torch/nn/module';
import { Tensor } from '../torch/tensor';
import { tidy } from '../torch/memory';
import { noGrad } from '../torch/autograd';
import { describe } from '../torch/errors';
import { SPModule, SignalPair, Packet, checkModule, spArgs, markBuiltin } from './module';
import type { Manager } from './managers';

/** What a model's signal returns ([h, t]) and what its network returns ([h, t, context]), checked. */
function runSignal(signal: Module, x: Tensor, t: Tensor | null, context: Tensor | null, where: string): SignalPair {
  const out = signal.forward([x, t, context]);
  if (!Array.isArray(out) || out.length !== 2 || !(out[0] instanceof Tensor)) {
    throw new TypeError(`${where}: the signal must return [h, t] (a propagators.signals propagator), got ${describe(out)}`);
  }
  return out as SignalPair;
}
function runNetwork(model: Module, packet: Packet, where: string): Packet {
  const out = model.forward(packet);
  if (!Array.isArray(out) || out.length !== 3 || !(out[0] instanceof Tensor)) {
    throw new TypeError(`${where}: the network must return [h, t, context] (a Sequential of propagators), got ${describe(out)}`);
  }
  return out as Packet;
}

function checkInput(input: unknown, where: string, extra: number): [Tensor, Tensor | null] {
  if (extra > 0) throw new TypeError(`${where}: takes one array [x, context] (Python's tuple), got ${extra + 1} arguments; call forward([x, labels]) to train, forward([x, null]) to infer`);
  if (!Array.isArray(input) || input.length !== 2) throw new TypeError(`${where}: expected an array [x, context] (Python's tuple), got ${describe(input)}; call forward([x, labels]) to train, forward([x, null]) to infer`);
  const [x, c] = input;
  if (!(x instanceof Tensor)) throw new TypeError(`${where}: x (input[0]) must be a Tensor, got ${describe(x)}`);
  if (c !== null && c !== undefined && !(c instanceof Tensor)) throw new TypeError(`${where}: context (input[1]) must be a Tensor of labels or null, got ${describe(c)}`);
  if (c instanceof Tensor) {
    // training compares the samples of a batch with each other: it needs samples, and a label for each
    const n = x.dim() > 0 ? x.shape[0] : -1;
    if (n <= 0) throw new RangeError(`${where}: x (input[0]) must be a batch of at least 1 sample, got shape [${x.shape.join(', ')}]`);
    const m = c.dim() > 0 ? c.shape[0] : -1;
    if (m !== n) throw new RangeError(`${where}: context (input[1]) must hold one label per sample of x (${n}), got shape [${c.shape.join(', ')}]`);
  }
  return [x, c ?? null];
}

/** A model class as managers use it. */
export interface ModelClass<T extends Module = Module> {
  new (model: Module, signal: Module, options?: Record<string, unknown>): T;
  readonly options: readonly string[];
  readonly name: string;
}

/**
 * Model(model, signal): stores the signal and the network (in that order). parameters() is the
 * list of the parameters of the sigprop modules inside the network (Identity-wrapped layers; the
 * learning propagators hide theirs), i.e. what the global optimizer trains.
 */
export class Model extends SPModule {
  /** The constructor options after (model, signal) that this class accepts (see Propagator.options). */
  static options: readonly string[] = [];
  declare signal: Module;
  declare model: Module;
  constructor(model: Module, signal: Module) {
    super();
    if (arguments.length > 2 && (this.constructor as ModelClass).options.length === 0) throw new TypeError(`${this.constructor.name}() takes (model, signal) only, got ${arguments.length} arguments`);
    this.signal = checkModule(signal, 'signal', this.constructor.name);
    this.model = checkModule(model, 'model', this.constructor.name);
  }
  override parameters(): Tensor[] {
    const params: Tensor[] = [];
    for (const m of this.model.modules()) if (m instanceof SPModule) params.push(...m.parameters());
    return params;
  }
  /** `Cls.manage(manager, module, options)` = `manager.setModel(module, options, Cls)`. */
  static manage<T extends Module>(this: ModelClass<T>, manager: Manager, module: Module, options: Record<string, unknown> = {}): T {
    return manager.setModel(module, options, this) as T;
  }
}

/**
 * Forward(model, signal): forward([x, context]) runs the signal on [x, context, context] (the labels
 * are both target and context), then the network, and returns its output h.
 */
export class Forward extends Model {
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): Tensor {
    const where = `${this.constructor.name}.forward()`;
    const [x, context] = checkInput(input, where, extra.length);
    return tidy(() => {
      const [h0, t0] = runSignal(this.signal, x, context, context, where);
      return runNetwork(this.model, [h0, t0, context], where)[0];
    });
  }
}

/** The error function of the loop-back models: (output h, labels) => the target of the second pass. */
export type ErrorFn = (h: Tensor, context: Tensor) => Tensor;

function checkError(error: unknown, cls: string): ErrorFn | Module {
  if (typeof error === 'function' || error instanceof Module) return error as ErrorFn | Module;
  throw new TypeError(`${cls}(): 'error' must be a function (h, context) => Tensor or a Module, got ${describe(error)}`);
}
function callError(error: ErrorFn | Module, h: Tensor, context: Tensor, where: string): Tensor {
  const e = typeof error === 'function' ? error(h, context) : error.forward(h, context);
  if (!(e instanceof Tensor)) throw new TypeError(`${where}: the error function returned ${describe(e)}, expected a Tensor`);
  return e;
}

/** The constructor shared by LoopBack and ForwardLoopBack: (model, signal, error). */
abstract class ErrorModel extends Model {
  static override options: readonly string[] = ['error'];
  declare error: ErrorFn | Module;
  constructor(...args: [model: Module, signal: Module, error?: ErrorFn | Module | { error?: ErrorFn | Module }]) {
    super(args[0], args[1]);
    const [err] = spArgs(this.constructor.name, args.slice(2), ['error']);
    this.error = checkError(err, this.constructor.name);
  }
}

/**
 * LoopBack(model, signal, error): an inference pass without targets (no grad), then, with labels,
 * e = error(h, context) (no grad) and a learning pass with e as the target. Returns the last h.
 */
export class LoopBack extends ErrorModel {
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): Tensor {
    const where = `${this.constructor.name}.forward()`;
    const [x, context] = checkInput(input, where, extra.length);
    return tidy(() => {
      let h1 = noGrad(() => {
        const [h0] = runSignal(this.signal, x, null, null, where);
        return runNetwork(this.model, [h0, null, null], where)[0];
      });
      if (context !== null) {
        const e = noGrad(() => callError(this.error, h1, context, where));
        const [h0, t0] = runSignal(this.signal, x, e, context, where);
        h1 = runNetwork(this.model, [h0, t0, context], where)[0];
      }
      return h1;
    });
  }
}

/**
 * ForwardLoopBack(model, signal, error): a learning pass with the labels as target, then, with
 * labels, a second learning pass with e = error(h, context) as the target.
 */
export class ForwardLoopBack extends ErrorModel {
  override forward(input: [Tensor, Tensor | null], ...extra: unknown[]): Tensor {
    const where = `${this.constructor.name}.forward()`;
    const [x, context] = checkInput(input, where, extra.length);
    return tidy(() => {
      const [h0, t0] = runSignal(this.signal, x, context, context, where);
      let h1 = runNetwork(this.model, [h0, t0, context], where)[0];
      if (context !== null) {
        const e = noGrad(() => callError(this.error, h1, context, where));
        const [h0b, t0b] = runSignal(this.signal, x, e, context, where);
        h1 = runNetwork(this.model, [h0b, t0b, context], where)[0];
      }
      return h1;
    });
  }
}

markBuiltin(Model, Forward, LoopBack, ForwardLoopBack);
