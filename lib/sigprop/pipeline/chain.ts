/** A sigprop model as a chain of units (signal, then each layer) that a pipeline can cut where outputs are detached. */
import { Module } from '../../torch/nn/module';
import { Sequential } from '../../torch/nn/containers';
import { Tensor } from '../../torch/tensor';
import { describe } from '../../torch/errors';
import * as models from '../models';
import * as propagators from '../propagators';
import * as signals from '../propagators-signals';
import type { Packet, SignalPair } from '../module';

/**
 * One unit of the chain: a function of the packet ([h, t, context]; the first unit gets [x, labels]),
 * the modules it runs (for state-dict ownership), and whether a stage may end after it.
 */
export interface Unit {
  /** where it sits: 'signal', 'model.0', 'model.layers.1', ... (module paths relative to the model) */
  name: string;
  modules: Module[];
  run(packet: Packet): Packet;
  /** its outputs are detached (a learning propagator, signals.*, Fixed): a stage may end after it */
  detached: boolean;
  /** it learns from a local loss (a Learn / signals.Learn propagator inside) */
  learns: boolean;
}

/** What a model class's chain provider returns for a network (everything after the signal). */
export type ChainProvider = (network: Module, path: string) => Unit[];

const providers: [abstract new (...a: never[]) => Module, ChainProvider][] = [];

/**
 * Registers how the network of a model (or a part of it) of class `cls` splits into units, for
 * networks whose forward is not a plain Sequential (the examples' Net and VGGn register theirs).
 */
export function registerChain(cls: abstract new (...a: never[]) => Module, provider: ChainProvider): void {
  providers.unshift([cls, provider]);
}

function isLearning(m: Module): boolean {
  return m instanceof propagators.Learn || m instanceof signals.Learn;
}
function isDetaching(m: Module): boolean {
  return isLearning(m) || m instanceof propagators.Fixed || m instanceof signals.Fixed;
}
function containsLearning(m: Module): boolean {
  for (const c of m.modules()) if (isLearning(c)) return true;
  return false;
}

/** A unit that calls `module.forward(packet)`. */
export function moduleUnit(module: Module, name: string): Unit {
  return {
    name, modules: [module], detached: isDetaching(module), learns: containsLearning(module),
    run: (p) => module.forward(p) as Packet,
  };
}

/** A unit that is a function of the packet (a reshape between layers): no modules, never a stage end. */
export function functionUnit(name: string, f: (p: Packet) => Packet): Unit {
  return { name, modules: [], detached: false, learns: false, run: f };
}

/** The units of a network: a provider's, a Sequential's children, or the network as one unit. */
export function networkUnits(network: Module, path: string): Unit[] {
  for (const [cls, provider] of providers) if (network instanceof cls) return provider(network, path);
  if (network instanceof Sequential) {
    const out: Unit[] = [];
    for (const [k, child] of network.namedChildren()) out.push(...(child instanceof Sequential ? networkUnits(child, `${path}.${k}`) : [moduleUnit(child, `${path}.${k}`)]));
    return out;
  }
  return [moduleUnit(network, path)];
}

/**
 * The chain of a models.Forward: the signal (run on [x, labels, labels] as Forward does), then the
 * network's units. Other model classes (LoopBack, ForwardLoopBack: two passes) cannot be pipelined.
 */
export function chainOf(model: unknown): Unit[] {
  if (!(model instanceof models.Forward) || Object.getPrototypeOf(model) !== models.Forward.prototype) {
    throw new TypeError(`pipeline: the model must be a sigprop.models.Forward (one pass: signal, then the layers), got ${describe(model)}` +
      (model instanceof models.Model ? ' (LoopBack / ForwardLoopBack run the network twice per step and cannot be split into stages)' : ''));
  }
  const signal = model.signal;
  const first: Unit = {
    name: 'signal', modules: [signal], detached: isDetaching(signal), learns: containsLearning(signal),
    run: (p) => {
      const [x, c] = p;
      const out = signal.forward([x, c, c]) as SignalPair;
      if (!Array.isArray(out) || out.length !== 2 || !(out[0] instanceof Tensor)) throw new TypeError(`pipeline: the signal must return [h, t] (a propagators.signals propagator), got ${describe(out)}`);
      return [out[0], out[1], c];
    },
  };
  return [first, ...networkUnits(model.model, 'model')];
}

/**
 * Where a stage may end: after a detached unit, but not after the last learning unit (the
 * Identity / Fixed chain after it and the global optimizer stay with the last stage).
 * Returned as the indices of the units a stage may start with.
 */
export function stageStarts(units: readonly Unit[]): number[] {
  let lastLearning = -1;
  units.forEach((u, i) => {
    if (u.learns) lastLearning = i;
  });
  const out: number[] = [];
  for (let i = 0; i < lastLearning; i++) if (units[i].detached) out.push(i + 1);
  return out;
}

/** Packet tensors that require grad at a stage boundary: an error naming the unit (the cut would not be exact). */
export function checkBoundary(p: Packet, unit: Unit): void {
  const bad = (['h', 't', 'context'] as const).filter((_, i) => p[i] instanceof Tensor && (p[i] as Tensor).requiresGrad);
  if (bad.length) throw new Error(`pipeline: the stage ends after unit '${unit.name}', but its output ${bad.join(', ')} requires grad (not detached): a stage may end only where outputs are detached`);
}
