/**
 * The base of every sigprop module, the packet types that travel between layers, and the small
 * calling helpers the rest of the port shares.
 *
 * Python tuples become arrays: signals take and return `[h, t]`, generators return
 * `[h1, t1, h0, t0]`, hidden-layer propagators take and return `[h, t, context]`, and the signal
 * propagators take `[h, t, context]` and return `[h1, t1]`. `null` stands for Python's None
 * (no target / no context: inference).
 */
import { Module } from '../torch/nn/module';
import { Tensor } from '../torch/tensor';
import { describe } from '../torch/errors';
import { bindArgs, bindStyle, isKw, BindStyle } from '../torch/args';

const PY_NAMES = new WeakMap<object, string>();

/** Marks the library's own classes: their Python names carry the SP prefix (SPLoss, SPForward, ...). */
export function markBuiltin(...classes: { name: string }[]): void {
  for (const c of classes) PY_NAMES.set(c, c.name.startsWith('SP') ? c.name : `SP${c.name}`);
}

/** Python's `type(x).__name__`: the library's classes are SP-prefixed there; user subclasses and torch modules keep their names. */
export function pyClassName(x: object): string {
  return PY_NAMES.get(x.constructor) ?? x.constructor.name;
}

/** The marker class (Python's `sigprop.module.SPModule`): `models.Model.parameters()` collects the parameters of these. */
export class SPModule extends Module {
  /** Printed as Python prints it: `SPForward(...)`, `SPLoss(...)` for the library's classes. */
  override reprName(): string {
    return pyClassName(this);
  }
}
markBuiltin(SPModule);

/** `[h, t]`: what signals (formatters, generators) take, and what signal propagators return. */
export type SignalPair = [h: Tensor, t: Tensor | null];
/** `[h1, t1, h0, t0]`: what a signal generator returns (its input is kept for the loss). */
export type Generated = [h1: Tensor, t1: Tensor | null, h0: Tensor, t0: Tensor | null];
/** `[h, t, context]`: what hidden-layer propagators take and return. */
export type Packet = [h: Tensor, t: Tensor | null, context: Tensor | null];

/**
 * A local loss: `(spLearn, h1, t1, h0, t0, context) => scalar tensor`, where spLearn is the
 * propagator calling it. A loss is a function, or an object with such a `forward` method
 * (a `loss.Loss` subclass, a monitor, `loss.v15InputTargetTopk(k)`).
 */
export type LossFunction = (spLearn: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor) => Tensor;
export interface LossObject {
  forward(spLearn: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): Tensor;
}
export type LossLike = LossFunction | LossObject;

/** Calls a loss given as a function or as an object with forward (Python's `loss(...)`). */
export function callLoss(loss: LossLike, spLearn: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): Tensor {
  const l = typeof loss === 'function' ? loss(spLearn, h1, t1, h0, t0, context) : loss.forward(spLearn, h1, t1, h0, t0, context);
  if (!(l instanceof Tensor)) throw new TypeError(`${spLearn.constructor.name}: the loss returned ${describe(l)}; a loss must return a scalar Tensor`);
  return l;
}

export function checkLoss(loss: unknown, where: string): LossLike {
  if (typeof loss === 'function') return loss as LossFunction;
  if (typeof loss === 'object' && loss !== null && typeof (loss as LossObject).forward === 'function') return loss as LossObject;
  throw new TypeError(`${where}: 'loss' must be a function (spLearn, h1, t1, h0, t0, context) => Tensor or an object with such a forward method, got ${describe(loss)}`);
}

/** What the optimizer of a propagator must offer (any torch.optim optimizer). */
export interface OptimizerLike {
  zeroGrad(setToNone?: boolean): void;
  step(): unknown;
  /** Frees the optimizer's state tensors (called by the propagator's dispose()). */
  dispose?(): void;
}

export function checkOptimizer(opt: unknown, where: string): OptimizerLike | null {
  if (opt === null || opt === undefined) return null;
  const o = opt as OptimizerLike;
  if (typeof o === 'object' && typeof o.zeroGrad === 'function' && typeof o.step === 'function') return o;
  throw new TypeError(`${where}: 'optimizer' must be an optimizer (with zeroGrad() and step()) or null, got ${describe(opt)}`);
}

/** A function of one tensor: a Module (its forward is called) or a plain function. */
export type TensorFn = Module | ((x: Tensor) => Tensor);

export function checkModule(m: unknown, param: string, where: string): Module {
  if (m instanceof Module) return m;
  throw new TypeError(`${where}: '${param}' must be a torch.nn.Module, got ${describe(m)}`);
}

/** Applies a module or a function to a tensor and checks that a tensor came back. */
export function applyFn(f: TensorFn, x: Tensor, where: string): Tensor {
  const y = typeof f === 'function' ? f(x) : f.forward(x);
  if (!(y instanceof Tensor)) throw new TypeError(`${where}: the wrapped ${typeof f === 'function' ? 'function' : `module ${f.constructor.name}`} returned ${describe(y)}, expected a Tensor`);
  return y;
}

function checkTensorOrNull(x: unknown, what: string, where: string): Tensor | null {
  if (x === null || x === undefined) return null;
  if (x instanceof Tensor) return x;
  throw new TypeError(`${where}: ${what} must be a Tensor or null, got ${describe(x)}`);
}

function checkArray(input: unknown, n: number, names: string, where: string, extra: number): unknown[] {
  if (extra > 0) throw new TypeError(`${where}: takes one array ${names} (Python's tuple), got ${extra + 1} arguments; call forward(${names})`);
  if (!Array.isArray(input) || input.length !== n) throw new TypeError(`${where}: expected an array ${names} (Python's tuple), got ${describe(input)}`);
  return input;
}

/** Validates a `[h, t, context]` packet (the argument count guards against `forward(h, t, context)`). */
export function checkPacket(input: unknown, where: string, extra = 0): Packet {
  const [h, t, c] = checkArray(input, 3, '[h, t, context]', where, extra);
  if (!(h instanceof Tensor)) throw new TypeError(`${where}: h (packet[0]) must be a Tensor, got ${describe(h)}`);
  return [h, checkTensorOrNull(t, 't (packet[1])', where), checkTensorOrNull(c, 'context (packet[2])', where)];
}

/** Validates a `[h, t]` pair. */
export function checkPair(input: unknown, where: string, extra = 0): SignalPair {
  const [h, t] = checkArray(input, 2, '[h, t]', where, extra);
  if (!(h instanceof Tensor)) throw new TypeError(`${where}: h (input[0]) must be a Tensor, got ${describe(h)}`);
  return [h, checkTensorOrNull(t, 't (input[1])', where)];
}

/** Validates what a signal (a generator, possibly behind formatters) returned: `[h1, t1, h0, t0]`. */
export function checkGenerated(out: unknown, where: string): Generated {
  if (!Array.isArray(out) || out.length !== 4) throw new TypeError(`${where}: the wrapped signal must return [h1, t1, h0, t0] (a generator, e.g. signals.ProjectionContextInput, last in the Sequential), got ${describe(out)}`);
  const [h1, t1, h0, t0] = out;
  if (!(h1 instanceof Tensor) || !(h0 instanceof Tensor)) throw new TypeError(`${where}: the wrapped signal returned [${out.map(describe).join(', ')}]; h1 and h0 must be Tensors`);
  return [h1, checkTensorOrNull(t1, 't1', where), h0, checkTensorOrNull(t0, 't0', where)];
}

/** A context tensor is needed whenever a target is: a clear error instead of Python's AttributeError. */
export function needContext(context: Tensor | null, where: string): Tensor {
  if (context === null) throw new TypeError(`${where}: the packet has a target t but context is null; pass the labels as context ([h, t, context])`);
  return context;
}

/** Python's binding, except that a plain object with a forward method is a loss given positionally, not an options object. */
const SIGPROP: BindStyle = bindStyle({ isOptions: (x) => isKw(x) && typeof (x as { forward?: unknown }).forward !== 'function' });

/**
 * Python-style arguments for sigprop constructors: positional values, then a trailing options
 * object. `names` are the parameters after the first (usually `module`); `required` must be given.
 */
export function spArgs(cls: string, args: ArrayLike<unknown>, names: readonly string[], required: readonly string[] = names): unknown[] {
  const out = bindArgs(cls, args, names, 0, names.length, SIGPROP);
  for (const r of required) {
    const j = names.indexOf(r);
    if (out[j] === undefined) throw new TypeError(`${cls}() missing required argument '${r}' (pass it positionally or as { ${r}: ... })`);
  }
  return out;
}
