/**
 * sigprop.propagators: wrappers that train a layer on its own (Learn, Loss) or route the packet
 * through it without local learning (Identity, Fixed, Forward). Hidden-layer propagators take and
 * return `[h, t, context]`. The signal propagators are in `propagators.signals`.
 */
import { Module } from '../torch/nn/module';
import { Tensor } from '../torch/tensor';
import { tidy } from '../torch/memory';
import { Packet, LossLike, OptimizerLike, checkLoss, checkOptimizer, checkModule, applyFn, checkPacket, needContext, spArgs, markBuiltin } from './module';
import { Propagator, LearnResult, trainStep, evalStep } from './propagator';
import { identity, fixed, forward } from './propagators-functional';

/**
 * Learn(module): a layer that learns from its own loss. forward([h0, t0, context]):
 * h1 = module(h0.detach()); when t0 is present, t1 = module(t0.detach()) (a second call), then
 * train_ (training mode) or eval_ (eval mode) with (h1, t1, h0, t0, context), and t1 is detached;
 * returns [h1.detach(), t1, context]. Subclasses implement train_ and eval_.
 */
export class Learn extends Propagator {
  declare module: Module;
  constructor(module: Module) {
    super();
    this.module = checkModule(module, 'module', this.constructor.name);
  }
  /** Learn-type propagators hide their layer's parameters from optimizers of the whole model. */
  override parameters(): Tensor[] {
    return [];
  }
  train_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): LearnResult {
    throw new Error(`${this.constructor.name}.train_() is not implemented (a Learn subclass must define train_ and eval_)`);
  }
  eval_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): LearnResult {
    throw new Error(`${this.constructor.name}.eval_() is not implemented (a Learn subclass must define train_ and eval_)`);
  }
  override forward(input: Packet, ...extra: unknown[]): Packet {
    const where = `${this.constructor.name}.forward()`;
    const [hIn, tIn, cIn] = checkPacket(input, where, extra.length);
    return tidy((): Packet => {
      const h0 = hIn.detach();
      let h1 = applyFn(this.module, h0, where);
      let t1: Tensor | null = null;
      let context = cIn;
      if (tIn !== null) {
        const t0 = tIn.detach();
        t1 = applyFn(this.module, t0, where);
        context = needContext(context, where).detach();
        if (this.training) this.train_(h1, t1, h0, t0, context);
        else this.eval_(h1, t1, h0, t0, context);
        t1 = t1.detach();
      }
      h1 = h1.detach();
      return [h1, t1, context];
    });
  }
}

/**
 * Loss(module, optimizer, loss) or Loss(module, { optimizer, loss }): Learn with a loss function
 * and an optimizer (or null). In training mode the optimizer steps inside forward (zeroGrad,
 * backward, step); in eval mode the loss is only computed.
 */
export class Loss extends Learn {
  static override options: readonly string[] = ['optimizer', 'loss'];
  declare optimizer: OptimizerLike | null;
  declare loss: LossLike;
  constructor(...args: [module: Module, optimizer?: OptimizerLike | null | { optimizer?: OptimizerLike | null; loss?: LossLike }, loss?: LossLike]) {
    super(args[0]);
    const [opt, l] = spArgs(this.constructor.name, args.slice(1), ['optimizer', 'loss']);
    this.optimizer = checkOptimizer(opt, this.constructor.name);
    this.loss = checkLoss(l, this.constructor.name);
  }
  /** dispose() also frees the optimizer's state (the propagator owns its optimizer). */
  protected override disposeOwned(): void {
    super.disposeOwned();
    this.optimizer?.dispose?.();
  }
  override train_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): LearnResult {
    return trainStep(this, this.loss, this.optimizer, h1, t1, h0, t0, context);
  }
  override eval_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): LearnResult {
    return evalStep(this, this.loss, h1, t1, h0, t0, context);
  }
}

function moduleOnly(cls: string, args: ArrayLike<unknown>): void {
  if (args.length > 1) {
    const kw = args[args.length - 1];
    const keys = typeof kw === 'object' && kw !== null && !(kw instanceof Module) ? Object.keys(kw) : [];
    throw new TypeError(`${cls}() takes only a module${keys.length ? `; got options ${keys.map((k) => `'${k}'`).join(', ')}` : `, got ${args.length} arguments`}` +
      (cls === 'Identity' ? ' (Identity does not train its layer locally: the optimizer over model.parameters() does; the Python README passes optimizer=/loss= here by mistake)' : ''));
  }
}

/** Identity(module): [module(h), t, context] with gradients flowing; its parameters are the module's (the global optimizer trains them). */
export class Identity extends Propagator {
  declare module: Module;
  constructor(...args: [module: Module]) {
    super();
    moduleOnly('Identity', args);
    this.module = checkModule(args[0], 'module', 'Identity');
  }
  override forward(input: Packet, ...extra: unknown[]): Packet {
    return identity(checkPacket(input, 'Identity.forward()', extra.length), this.module);
  }
}

/** Fixed(module): the module applied to h and t without learning (inputs and outputs detached); no parameters. */
export class Fixed extends Propagator {
  declare module: Module;
  constructor(...args: [module: Module]) {
    super();
    moduleOnly('Fixed', args);
    this.module = checkModule(args[0], 'module', 'Fixed');
  }
  override parameters(): Tensor[] {
    return [];
  }
  override forward(input: Packet, ...extra: unknown[]): Packet {
    return fixed(checkPacket(input, 'Fixed.forward()', extra.length), this.module);
  }
}

/** Forward(module): [module(h), module(t), context] with nothing detached (reshapes and the like); no parameters. */
export class Forward extends Propagator {
  declare module: Module;
  constructor(...args: [module: Module]) {
    super();
    moduleOnly('Forward', args);
    this.module = checkModule(args[0], 'module', 'Forward');
  }
  override parameters(): Tensor[] {
    return [];
  }
  override forward(input: Packet, ...extra: unknown[]): Packet {
    return forward(checkPacket(input, 'Forward.forward()', extra.length), this.module);
  }
}

markBuiltin(Learn, Loss, Identity, Fixed, Forward);

export { Propagator } from './propagator';
export type { LearnResult, PropagatorClass } from './propagator';
export * as signals from './propagators-signals';
export * as functional from './propagators-functional';
