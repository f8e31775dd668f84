/** Autograd controls: grad mode, torch.autograd.grad / backward. */
import { N } from './native';
import { describe, TorchError, checkGradShape } from './errors';
import { torchAtLeast } from './version';
import { Tensor, TT, tid } from './tensor';
import { bind, optBool, checkBool } from './args';

function runWithGradMode<T>(mode: boolean, fn: () => T, name: string): T {
  if (typeof fn !== 'function') throw new TypeError(`${name}(fn): 'fn' must be a function, got ${describe(fn)}`);
  const prev: boolean = N.isGradEnabled();
  N.setGradEnabled(mode);
  try {
    const r = fn();
    if (r && typeof (r as { then?: unknown }).then === 'function') {
      throw new TypeError(`${name}(fn): fn returned a Promise; grad mode is not carried across await, so use setGradEnabled() around async code`);
    }
    return r;
  } finally {
    N.setGradEnabled(prev);
  }
}

/** Runs fn with gradient recording off (torch.no_grad()). */
export function noGrad<T>(fn: () => T): T { return runWithGradMode(false, fn, 'noGrad'); }
/** Runs fn with gradient recording on (torch.enable_grad()). */
export function enableGrad<T>(fn: () => T): T { return runWithGradMode(true, fn, 'enableGrad'); }
export function setGradEnabled(mode: boolean): void {
  checkBool(mode, 'mode', 'setGradEnabled');
  N.setGradEnabled(mode);
}
export function isGradEnabled(): boolean { return N.isGradEnabled(); }

const asList = (x: unknown, param: string, fn: string): number[] =>
  (Array.isArray(x) ? x : [x]).map((t) => tid(t, param, fn));

/**
 * torch.autograd.grad(outputs, inputs, { gradOutputs, retainGraph, createGraph, allowUnused }):
 * the gradients of outputs with respect to inputs (null for unused inputs when allowUnused).
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], ...args: unknown[]): (Tensor | null)[] {
  const [gradOutputs, retainGraph, createGraph, allowUnused] = bind('grad', args, ['gradOutputs', 'retainGraph', 'createGraph', 'allowUnused']);
  const outs = asList(outputs, 'outputs', 'grad');
  const ins = asList(inputs, 'inputs', 'grad');
  // PyTorch 2.x checks this in Python (1.13's C++ check says 'grad requires non-empty inputs.'; 2.x's C++ one is an internal assert)
  if (ins.length === 0 && torchAtLeast(2)) throw new TorchError('`inputs` argument to `grad()` cannot be empty.', 'RuntimeError');
  const gos = gradOutputs === undefined || gradOutputs === null ? null
    : (Array.isArray(gradOutputs) ? gradOutputs : [gradOutputs]).map((g, i) => {
      if (g === null) return null;
      const h = tid(g, 'gradOutputs', 'grad');
      const o = Array.isArray(outputs) ? outputs[i] : i === 0 ? outputs : undefined;
      if (o instanceof Tensor) checkGradShape(o.shape, (g as Tensor).shape, i);
      return h;
    });
  const retain = retainGraph === undefined || retainGraph === null ? undefined : optBool(retainGraph, 'retainGraph', 'grad', false);
  const res = N.autogradGrad(outs, ins, gos, retain, optBool(createGraph, 'createGraph', 'grad', false), optBool(allowUnused, 'allowUnused', 'grad', false));
  return res.map((h) => (h === null ? null : TT([h])[0]));
}

/** torch.autograd.backward(tensors, { gradTensors, retainGraph, createGraph, inputs }) */
export function backward(tensors: Tensor | Tensor[], ...args: unknown[]): void {
  const [gradTensors, retainGraph, createGraph, inputs] = bind('backward', args, ['gradTensors', 'retainGraph', 'createGraph', 'inputs']);
  const ts = Array.isArray(tensors) ? tensors : [tensors];
  const gs = gradTensors === undefined || gradTensors === null ? [] : Array.isArray(gradTensors) ? gradTensors : [gradTensors];
  ts.forEach((t, i) => {
    tid(t, 'tensors', 'backward');
    const g = gs[i];
    if (g instanceof Tensor) checkGradShape(t.shape, g.shape, i);
  });
  ts.forEach((t, i) => {
    const last = i === ts.length - 1;
    t.backward(gs[i] ?? null, { retainGraph: last ? retainGraph ?? undefined : true, createGraph: !!createGraph, inputs: inputs ?? undefined });
  });
}
