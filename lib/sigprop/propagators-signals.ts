/**
 * sigprop.propagators.signals: propagators for the signal (the first layer). They take
 * `[h0, t0, context]`, give the wrapped signal the pair `[h0, t0]` (it returns
 * `[h1, t1, h0', t0']`), and return the pair `[h1, t1]`.
 */
import { Module } from '../torch/nn/module';
import { Tensor } from '../torch/tensor';
import { tidy } from '../torch/memory';
import { SignalPair, LossLike, OptimizerLike, checkLoss, checkOptimizer, checkModule, checkPacket, checkGenerated, needContext, spArgs, markBuiltin } from './module';
import { Propagator, LearnResult, trainStep, evalStep } from './propagator';

function runSignal(module: Module, h0: Tensor, t0: Tensor | null, where: string) {
  return checkGenerated(module.forward([h0, t0]), where);
}

/**
 * signals.Learn(module): h0 is detached; with a target, [h1, t1, h0', t0'] = module([h0, t0.detach()]),
 * then train_ / eval_ get (h1, t1, h0', t0', context) (t0' is the formatted target, e.g. the
 * one-hot) and t1 is detached; without one, module([h0, null]). Returns [h1.detach(), t1].
 */
export class Learn extends Propagator {
  declare module: Module;
  constructor(module: Module) {
    super();
    this.module = checkModule(module, 'module', `signals.${this.constructor.name}`);
  }
  override parameters(): Tensor[] {
    return [];
  }
  train_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): LearnResult {
    throw new Error(`${this.constructor.name}.train_() is not implemented (a signals.Learn subclass must define train_ and eval_)`);
  }
  eval_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): LearnResult {
    throw new Error(`${this.constructor.name}.eval_() is not implemented (a signals.Learn subclass must define train_ and eval_)`);
  }
  override forward(input: [Tensor, Tensor | null, Tensor | null], ...extra: unknown[]): SignalPair {
    const where = `signals.${this.constructor.name}.forward()`;
    const [hIn, tIn, cIn] = checkPacket(input, where, extra.length);
    return tidy((): SignalPair => {
      const h0 = hIn.detach();
      let h1: Tensor, t1: Tensor | null;
      if (tIn !== null) {
        const t0 = tIn.detach();
        let hg: Tensor, tg: Tensor | null;
        [h1, t1, hg, tg] = runSignal(this.module, h0, t0, where);
        const context = needContext(cIn, where).detach();
        if (t1 === null || tg === null) throw new TypeError(`${where}: the signal returned a null target for a non-null input target`);
        if (this.training) this.train_(h1, t1, hg, tg, context);
        else this.eval_(h1, t1, hg, tg, context);
        t1 = t1.detach();
      } else {
        [h1, t1] = runSignal(this.module, h0, null, where);
      }
      return [h1.detach(), t1];
    });
  }
}

/** signals.Loss(module, optimizer, loss) or (module, { optimizer, loss }): the signal learns from its loss; the optimizer steps inside forward in training mode. */
export class Loss extends Learn {
  static override options: readonly string[] = ['optimizer', 'loss'];
  declare optimizer: OptimizerLike | null;
  declare loss: LossLike;
  constructor(...args: [module: Module, optimizer?: OptimizerLike | null | { optimizer?: OptimizerLike | null; loss?: LossLike }, loss?: LossLike]) {
    super(args[0]);
    const [opt, l] = spArgs(`signals.${this.constructor.name}`, args.slice(1), ['optimizer', 'loss']);
    this.optimizer = checkOptimizer(opt, `signals.${this.constructor.name}`);
    this.loss = checkLoss(l, `signals.${this.constructor.name}`);
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

/**
 * signals.Fixed(module): the signal's routing without a loss (a constructed, not learned, signal).
 * Like the original, its parameters() are the module's (not hidden).
 */
export class Fixed extends Propagator {
  declare module: Module;
  constructor(module: Module) {
    super();
    if (arguments.length > 1) throw new TypeError('signals.Fixed() takes only a module (it has no loss and no optimizer)');
    this.module = checkModule(module, 'module', 'signals.Fixed');
  }
  override forward(input: [Tensor, Tensor | null, Tensor | null], ...extra: unknown[]): SignalPair {
    const where = 'signals.Fixed.forward()';
    const [hIn, tIn] = checkPacket(input, where, extra.length);
    return tidy((): SignalPair => {
      const h0 = hIn.detach();
      let h1: Tensor, t1: Tensor | null;
      if (tIn !== null) {
        [h1, t1] = runSignal(this.module, h0, tIn.detach(), where);
        if (t1 !== null) t1 = t1.detach();
      } else {
        [h1, t1] = runSignal(this.module, h0, null, where);
      }
      return [h1.detach(), t1];
    });
  }
}

markBuiltin(Learn, Loss, Fixed);
