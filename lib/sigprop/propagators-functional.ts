/**
 * sigprop.propagators.functional (also sigprop.functional.propagators): the three routings of a
 * `[h, t, context]` packet through a function, as plain functions. `f` is a Module or a function.
 * Each frees the intermediates it creates (it runs in a torch.tidy scope).
 */
import { Tensor } from '../torch/tensor';
import { tidy } from '../torch/memory';
import { Packet, TensorFn, applyFn, checkPacket } from './module';

function checkFn(f: unknown, where: string): TensorFn {
  if (typeof f === 'function' || (typeof f === 'object' && f !== null && typeof (f as { forward?: unknown }).forward === 'function')) return f as TensorFn;
  throw new TypeError(`${where}: 'f' must be a Module or a function of a Tensor`);
}

/** `[f(h), t, context]`: gradients flow through f; t and context pass unchanged. */
export function identity(input: Packet, f: TensorFn): Packet {
  const [h0, t0, context] = checkPacket(input, 'identity()');
  const fn = checkFn(f, 'identity()');
  const h1 = tidy(() => applyFn(fn, h0, 'identity()'));
  return [h1, t0, context];
}

/** `[f(h.detach()).detach(), f(t.detach()).detach(), context]`: f applied without learning (t only when present). */
export function fixed(input: Packet, f: TensorFn): Packet {
  const [h0, t0, context] = checkPacket(input, 'fixed()');
  const fn = checkFn(f, 'fixed()');
  return tidy((): Packet => {
    const h1 = applyFn(fn, h0.detach(), 'fixed()');
    let t1: Tensor | null = t0;
    if (t0 !== null) t1 = applyFn(fn, t0.detach(), 'fixed()').detach();
    return [h1.detach(), t1, context];
  });
}

/** `[f(h), f(t), context]` with nothing detached (f(t) only when t is present): for reshapes and the like. */
export function forward(input: Packet, f: TensorFn): Packet {
  const [h0, t0, context] = checkPacket(input, 'forward()');
  const fn = checkFn(f, 'forward()');
  return tidy((): Packet => [applyFn(fn, h0, 'forward()'), t0 !== null ? applyFn(fn, t0, 'forward()') : null, context]);
}
