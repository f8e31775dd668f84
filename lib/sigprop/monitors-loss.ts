/**
 * sigprop.monitors.loss: monitors that wrap a loss. A monitor is itself a loss (an object with
 * forward(spLearn, h1, t1, h0, t0, context)), so propagators call it in place of the loss.
 */
import { Module } from '../torch/nn/module';
import { Tensor } from '../torch/tensor';
import { tidy } from '../torch/memory';
import { noGrad } from '../torch/autograd';
import { oneHot } from '../torch/nn/functional';
import { pyFormatFixed } from '../torch/format';
import { describe } from '../torch/errors';
import { LossLike, callLoss, checkLoss } from './module';
import { Monitor } from './monitor';

/** Base of loss monitors: Loss(loss). Subclasses define reset, metrics and forward. */
export class Loss extends Monitor {
  loss: LossLike;
  constructor(loss: LossLike) {
    super();
    this.loss = checkLoss(loss, this.constructor.name);
  }
  reset(): void {
    throw new Error(`${this.constructor.name}.reset() is not implemented`);
  }
  metrics(): string {
    throw new Error(`${this.constructor.name}.metrics() is not implemented`);
  }
  forward(spLearn: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): Tensor {
    throw new Error(`${this.constructor.name}.forward() is not implemented`);
  }
}

/** Python's int(): truncation toward zero. */
const pyInt = (x: number): number => Math.trunc(x);

/**
 * LabelMetrics(name, loss): records the loss and an accuracy per call. The prediction for sample i
 * is argmax_j of h1[i] . t1[j] (flattened); it is right when t1 has one row per class and
 * j == label, or when sample j has the same label as sample i.
 */
export class LabelMetrics extends Loss {
  name: string;
  lossSum = 0;
  accSum = 0;
  count = 0;
  accLast = 0;
  lossLast = 0;
  constructor(name: string, loss: LossLike) {
    super(loss);
    if (typeof name !== 'string') throw new TypeError(`LabelMetrics(): 'name' must be a string, got ${describe(name)}`);
    this.name = name;
    this.reset();
  }
  override reset(): void {
    this.lossSum = 0;
    this.accSum = 0;
    this.count = 0;
    this.accLast = 0;
    this.lossLast = 0;
  }
  /** `[name] Acc: last (mean, correct/count) \t Loss: last (mean)`, numbers as Python prints them. */
  override metrics(): string {
    const f = (x: number): string => pyFormatFixed(x, 4);
    return `[${this.name}] Acc: ${f(this.accLast)} (${f(this.accSum / (this.count + 1e-6))}, ${pyInt(this.accSum)}/${pyInt(this.count)}) \t Loss: ${f(this.lossLast)} (${f(this.lossSum / (this.count + 1e-6))})`;
  }
  override forward(spLearn: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): Tensor {
    const loss = callLoss(this.loss, spLearn, h1, t1, h0, t0, context);
    noGrad(() => tidy(() => {
      const b = h1.shape[0];
      const lossValue = loss.item() as number;
      this.lossSum += lossValue * b;
      let accMask = h1.flatten(1).matmul(t1.flatten(1).t()).argmax(1);
      if (b !== t1.shape[0]) {
        accMask = accMask.eq(context);
      } else {
        const yy = context.unsqueeze(1).eq(context.unsqueeze(0)).float().mul(2).sub(1);
        accMask = oneHot(accMask, t1.shape[0]).float().eq(yy).any(1);
      }
      const correct = accMask.sum().item() as number;
      this.accSum += correct;
      this.count += b;
      this.lossLast = lossValue;
      this.accLast = correct / b;
    }));
    return loss;
  }
}
