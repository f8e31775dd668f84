/** The base of the propagators (Python's sigprop/propagators/propagator.py) and the shared Loss step. */
import { Module } from '../torch/nn/module';
import { Tensor } from '../torch/tensor';
import { SPModule, LossLike, OptimizerLike, callLoss, markBuiltin } from './module';
import type { Manager } from './managers';

/** What `train_` / `eval_` return (Python's `(loss.item(), None, None)`); the propagator discards it. */
export type LearnResult = [loss: number, correct: number | null, total: number | null];

/** Base of all propagators (Python's SPPropagator). */
export class Propagator extends SPModule {
  /**
   * The constructor options after `module` that this class accepts, by name: what a manager keeps
   * of its keyword options (Python reads them off `__init__`). Subclasses taking more declare them.
   */
  static options: readonly string[] = [];
  /** `Cls.manage(manager, module, options)` = `manager.addPropagator(module, Cls, options)`. */
  static manage<T extends Module>(this: PropagatorClass<T>, manager: Manager, module: Module, options: Record<string, unknown> = {}): T {
    return manager.addPropagator(module, this, options) as T;
  }
}

/** A propagator class as managers use it: `new Cls(module, options)` plus the option names it takes. */
export interface PropagatorClass<T extends Module = Module> {
  new (module: Module, options?: Record<string, unknown>): T;
  readonly options: readonly string[];
  readonly name: string;
}

/** The shared body of Loss.train_ (hidden and signal): loss, then zeroGrad / backward / step. */
export function trainStep(self: Module, loss: LossLike, optimizer: OptimizerLike | null, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): LearnResult {
  const l = callLoss(loss, self, h1, t1, h0, t0, context);
  if (optimizer !== null) {
    optimizer.zeroGrad();
    l.backward();
    optimizer.step();
  }
  return [l.item() as number, null, null];
}

export function evalStep(self: Module, loss: LossLike, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): LearnResult {
  return [callLoss(loss, self, h1, t1, h0, t0, context).item() as number, null, null];
}

markBuiltin(Propagator);
