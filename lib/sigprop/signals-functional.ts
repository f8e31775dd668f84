/**
 * sigprop.signals.functional (also sigprop.functional.signals): the formatters as functions of the
 * target t0. Each returns null for a null target (inference).
 */
import { Tensor } from '../torch/tensor';
import { arange } from '../torch/functions';
import { oneHot } from '../torch/nn/functional';
import { describe } from '../torch/errors';

function checkTarget(t0: unknown, fn: string): Tensor | null {
  if (t0 === null || t0 === undefined) return null;
  if (!(t0 instanceof Tensor)) throw new TypeError(`${fn}(): 't0' must be a Tensor or null, got ${describe(t0)}`);
  return t0;
}

/**
 * Class numbers (int64, shape [B]) to a float32 one-hot [B, numClasses]. With numClasses null the
 * width is max(label) + 1 (the original uses max(label), one too few: its highest class throws).
 */
export function labelNumberToOnehot(t0: Tensor | null, numClasses: number | null = null): Tensor | null {
  const t = checkTarget(t0, 'labelNumberToOnehot');
  if (t === null) return null;
  if (t.dtype !== 'int64') throw new TypeError(`labelNumberToOnehot(): labels must be an int64 tensor of class numbers, got a ${t.dtype} tensor of shape [${t.shape.join(', ')}]`);
  if (numClasses !== null && (!Number.isInteger(numClasses) || numClasses < 1)) throw new RangeError(`labelNumberToOnehot(): 'numClasses' must be a positive integer or null, got ${describe(numClasses)}`);
  let n = numClasses;
  if (n === null) {
    const m = t.max();
    n = (m.item() as number) + 1;
    m.dispose();
  }
  const oh = oneHot(t, n);
  const f = oh.float();
  oh.dispose();
  return f;
}

/** The target batch becomes one row per class: the [C, C] float identity (C = t0.shape[1]). */
export function distinctBatchLabelsOnehot(t0: Tensor | null): Tensor | null {
  const t = checkTarget(t0, 'distinctBatchLabelsOnehot');
  if (t === null) return null;
  if (t.dim() < 2) throw new RangeError(`distinctBatchLabelsOnehot(): t0 must be a [B, C] one-hot, got shape [${t.shape.join(', ')}]`);
  const c = t.shape[1];
  const r = arange(c, { device: t.device });
  const oh = oneHot(r, c);
  const f = oh.float();
  r.dispose();
  oh.dispose();
  return f;
}

/** The target batch becomes arange(C) as float (C = t0.shape[1]). */
export function distinctBatchLabels(t0: Tensor | null): Tensor | null {
  const t = checkTarget(t0, 'distinctBatchLabels');
  if (t === null) return null;
  if (t.dim() < 2) throw new RangeError(`distinctBatchLabels(): t0 must be a [B, C] one-hot, got shape [${t.shape.join(', ')}]`);
  const r = arange(t.shape[1], { device: t.device });
  const f = r.float();
  r.dispose();
  return f;
}

/** A [B, C] vector target to class numbers: argmax(t0, 1, keepdim) as float, shape [B, 1]. */
export function labelVectorToNumber(t0: Tensor | null): Tensor | null {
  const t = checkTarget(t0, 'labelVectorToNumber');
  if (t === null) return null;
  const a = t.argmax(1, true);
  const f = a.float();
  a.dispose();
  return f;
}
