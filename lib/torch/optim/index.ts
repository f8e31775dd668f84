/**
 * sigprop/torch optim: torch.optim and torch.optim.lr_scheduler, numerically identical to the loaded
 * libtorch's PyTorch (1.13, or 2.14 with a 2.x libtorch; see optimizer.ts).
 *
 *   import * as torch from 'sigprop/torch';
 *   import { optim } from ...;             // lib/torch/optim
 *   const opt = new optim.Adam(params, { lr: 1e-3 });
 *   const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 100);
 *   torch.tidy(() => { opt.zeroGrad(); loss(params).backward(); opt.step(); });
 *   sched.step();
 *   ...
 *   opt.dispose(); // frees the optimizer state
 */
export { Optimizer, required } from './optimizer';
export type { ParamGroup, ResolvedParamGroup, ParamState, OptimizerStateDict } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
export { Adam } from './adam';
export type { AdamOptions } from './adam';
export { AdamW } from './adamw';
export type { AdamWOptions } from './adamw';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions } from './rmsprop';
export { Adagrad } from './adagrad';
export type { AdagradOptions } from './adagrad';
export * as lrScheduler from './lr_scheduler';
