/**
 * sigprop: Signal Propagation (forward learning, arXiv 2204.01723), ported from the Python library
 * amassivek/signalpropagation with the same module structure and semantics.
 *
 *   import * as sigprop from 'sigprop';
 *   const { torch } = sigprop;
 *
 * See docs/porting.md for the Python -> TypeScript table.
 */
export * as signals from './signals';
export * as propagators from './propagators';
export * as models from './models';
export * as managers from './managers';
export * as loss from './loss';
export * as monitors from './monitors';
export * as functional from './functional';
export * as utils from './utils';
export * as parallel from './parallel';
export * as pipeline from './pipeline';
export { SPModule } from './module';
import { SPModule } from './module';
/** Python's `sigprop.module` (the SPModule marker class). */
const spModule = { SPModule };
export { spModule as module };
export type { Packet, SignalPair, Generated, LossFunction, LossObject, LossLike, OptimizerLike, TensorFn } from './module';
