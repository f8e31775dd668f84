/** A pipeline stage inside its Worker: builds the model from the factory, keeps its units, runs the items it is sent in order. */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type { MessagePort } from 'worker_threads';
import * as torch from '../../torch';
import { Tensor } from '../../torch/tensor';
import { Module } from '../../torch/nn/module';
import { crossEntropy } from '../../torch/nn/functional';
import { describe } from '../../torch/errors';
import * as propagators from '../propagators';
import * as signals from '../propagators-signals';
import { Group } from '../monitor';
import type { Packet } from '../module';
import { chainOf, stageStarts, checkBoundary, Unit } from './chain';
import type { InitMessage, ItemMessage, StageReply, MonitorState, ErrorData, StagePart, SharedState, FactoryRef } from './protocol';

/** What a factory returns (see docs/pipeline.md). */
export interface PipelineModel {
  /** a sigprop.models.Forward */
  model: Module;
  /** the global optimizer (over model.parameters()), stepped by the last stage; null: none */
  optimizer?: OptimizerWithState | null;
  /** the monitors.Group the manager added the layers' monitors to */
  monitors?: Group | null;
  /** the global loss of the output and the labels (default: crossEntropy) */
  loss?: (output: Tensor, labels: Tensor) => Tensor;
  /** called after each batch in each stage: plain data returned with the step's result (per stage) */
  stepInfo?: () => unknown;
}
interface OptimizerWithState {
  zeroGrad(setToNone?: boolean): void;
  step(): unknown;
  stateDict?(): unknown;
  loadStateDict?(sd: unknown): void;
  dispose?(): void;
}

export function errorData(e: unknown): ErrorData {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: `a non-Error value was thrown: ${describe(e)}` };
}

/** Deep copy of a structure with every tensor cloned (optimizer state: the live tensors keep changing). */
function cloneTensors(x: unknown): unknown {
  if (x instanceof Tensor) return x.detach().clone();
  if (Array.isArray(x)) return x.map(cloneTensors);
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, cloneTensors(v)]));
  if (typeof x === 'object' && x !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) out[k] = cloneTensors((x as Record<string, unknown>)[k]);
    return out;
  }
  return x;
}

/** This thread's CPU time in ms (Linux: /proc/thread-self/stat, read on this thread), or null elsewhere. */
function threadCpuMs(): number | null {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return null;
  }
}

/** Runs the factory named by ref; its result checked. */
export async function build(ref: FactoryRef): Promise<PipelineModel> {
  let mod: Record<string, unknown>;
  const file = path.resolve(ref.module);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the factory is a CommonJS module named at run time
    mod = require(file) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`pipeline: could not load the factory module '${ref.module}' (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  const f = mod[ref.export];
  if (typeof f !== 'function') throw new TypeError(`pipeline: '${ref.module}' has no function export '${ref.export}' (got ${describe(f)})`);
  const r = (await (f as (o: unknown) => unknown)(ref.options)) as PipelineModel;
  if (typeof r !== 'object' || r === null || !(r.model instanceof Module)) {
    throw new TypeError(`pipeline: the factory '${ref.export}' must return { model, optimizer?, monitors?, loss?, stepInfo? } with model a sigprop.models.Forward, got ${describe(r)}`);
  }
  for (const k of Object.keys(r)) if (!['model', 'optimizer', 'monitors', 'loss', 'stepInfo'].includes(k)) throw new TypeError(`pipeline: the factory '${ref.export}' returned an unknown key '${k}' (accepted: model, optimizer, monitors, loss, stepInfo)`);
  return r;
}

interface LearnLike extends Module {
  optimizer?: OptimizerWithState | null;
  loss?: unknown;
}

function monitorState(m: unknown, index: number): MonitorState {
  const o = m as Record<string, unknown>;
  const num = (k: string): number | null => (typeof o[k] === 'number' ? (o[k] as number) : null);
  return {
    index, name: typeof o.name === 'string' ? o.name : (m as object).constructor.name,
    lossLast: num('lossLast'), accLast: num('accLast'), lossSum: num('lossSum'), accSum: num('accSum'), count: num('count'),
    text: typeof o.metrics === 'function' ? (o.metrics as () => string)() : '',
  };
}

/** The stage's side of the protocol on `port` (a Worker's parentPort). */
export class Stage {
  private built: PipelineModel | null = null;
  private units: Unit[] = [];
  private mine: Unit[] = [];
  private first = true;
  private last = true;
  private stage = 0;
  private modulePath = new Map<Module, string>();
  private ownedMonitors: number[] = [];
  private mode: 'train' | 'eval' | null = null;
  private failed = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly port: MessagePort) {
    port.on('message', (m: InitMessage | ItemMessage) => {
      // one message at a time, in order (init is async: the factory may be)
      this.queue = this.queue.then(() => this.handle(m));
    });
  }

  private post(r: StageReply): void {
    this.port.postMessage(r);
  }

  private async handle(m: InitMessage | ItemMessage): Promise<void> {
    if (this.failed) {
      if (m.t === 'batch') torch.unshare(m.packet);
      return;
    }
    const seq = m.t === 'init' ? null : m.seq;
    try {
      if (m.t === 'init') await this.init(m);
      else this.item(m);
    } catch (e) {
      this.failed = true;
      if (m.t === 'batch') torch.unshare(m.packet);
      this.post({ t: 'error', seq, stage: this.stage, error: errorData(e) });
    }
  }

  private async init(m: InitMessage): Promise<void> {
    this.stage = m.stage;
    torch.setNumThreads(m.threads);
    const built = await build(m.factory);
    this.built = built;
    const model = built.model;
    this.units = chainOf(model);
    const starts = stageStarts(this.units);
    const [a, end] = m.range ?? [0, this.units.length];
    const b = end < 0 ? this.units.length : end;
    if (!(a >= 0 && a < b && b <= this.units.length)) throw new RangeError(`pipeline: stage ${m.stage} would run units [${a}, ${b}) of a chain of ${this.units.length}`);
    if (a > 0 && !starts.includes(a)) {
      throw new RangeError(`pipeline: a stage cannot start at unit ${a} ('${this.units[a].name}'): stages may start only after a unit whose outputs are detached and before the last learning unit ` +
        `(possible starts: ${starts.map((s) => `${s} '${this.units[s].name}'`).join(', ') || 'none'})`);
    }
    this.first = a === 0;
    this.last = b === this.units.length;
    this.mine = this.units.slice(a, b);
    for (const [p, mod] of model.namedModules()) if (!this.modulePath.has(mod)) this.modulePath.set(mod, p);
    const keys = torch.tidy(() => Object.keys(model.stateDict({ keepVars: true })));
    const owned = new Set<string>();
    const ownerOf = (k: string): number => this.units.findIndex((u) => u.modules.some((mod) => k.startsWith(`${this.modulePath.get(mod)}.`)));
    const orphans = keys.filter((k) => ownerOf(k) < 0);
    if (orphans.length) throw new Error(`pipeline: state-dict entries outside every unit of the chain (${orphans.slice(0, 5).join(', ')}): the pipeline could not say which stage owns them`);
    for (const k of keys) {
      const i = ownerOf(k);
      if (i >= a && i < b) owned.add(k);
    }
    const group = built.monitors ?? null;
    if (group !== null) {
      group.monitors.forEach((mon, i) => {
        for (const u of this.mine) for (const mod of u.modules) for (const sub of mod.modules()) if ((sub as LearnLike).loss === mon) this.ownedMonitors.push(i);
      });
    }
    if (m.state !== null) this.load(m.state, m.stages);
    else torch.manualSeed(m.generatorSeed);
    if (m.probe !== null) {
      const times = this.probe(m.probe.steps, torch.fromShared(m.probe.sample));
      this.dispose();
      this.post({ t: 'probe', ...times, units: this.units.map((u) => ({ name: u.name, detached: u.detached, learns: u.learns })), starts });
      return;
    }
    // keep only this stage's layers
    for (const u of this.units) if (!this.mine.includes(u)) for (const mod of u.modules) mod.dispose();
    if (!this.last) built.optimizer?.dispose?.();
    this.post({ t: 'ready', stage: m.stage, units: this.units.map((u) => ({ name: u.name, detached: u.detached, learns: u.learns })), keys, owned: keys.filter((k) => owned.has(k)), starts });
  }

  /** The learning propagators of the given units: [module path, propagator]. */
  private learners(units: readonly Unit[]): [string, LearnLike][] {
    const out: [string, LearnLike][] = [];
    for (const u of units) {
      for (const mod of u.modules) {
        for (const sub of mod.modules()) {
          if ((sub instanceof propagators.Learn || sub instanceof signals.Learn) && !out.some(([, s]) => s === sub)) out.push([this.modulePath.get(sub) ?? '?', sub as LearnLike]);
        }
      }
    }
    return out;
  }

  private load(shared: SharedState, stages: number): void {
    const built = this.built as PipelineModel;
    const st = torch.fromShared(shared) as unknown as { model: Record<string, Tensor>; optimizers: Record<string, unknown>; globalOptimizer: unknown; rng: Tensor[] | null };
    try {
      built.model.loadStateDict(st.model);
      for (const [p, l] of this.learners(this.mine)) {
        const sd = st.optimizers[p];
        if (sd !== undefined && l.optimizer?.loadStateDict) l.optimizer.loadStateDict(sd);
      }
      if (this.last && st.globalOptimizer !== null && st.globalOptimizer !== undefined && built.optimizer?.loadStateDict) built.optimizer.loadStateDict(st.globalOptimizer);
      if (st.rng !== null && st.rng.length === stages) torch.setRngState(st.rng[this.stage]);
    } finally {
      torch.dispose(st);
    }
  }

  private setMode(mode: 'train' | 'eval'): void {
    if (this.mode === mode) return;
    (this.built as PipelineModel).model.train(mode === 'train');
    this.mode = mode;
  }

  /** The stage's units on a packet; at the last stage also the global loss (and its optimizer step in training). */
  private runBatch(p: Packet, mode: 'train' | 'eval', wantOutput: boolean): { packet?: Packet; result?: { loss: number | null; correct: number | null; count: number; output: Tensor | null } } {
    const built = this.built as PipelineModel;
    this.setMode(mode);
    for (const u of this.mine) p = u.run(p);
    if (!this.last) {
      checkBoundary(p, this.mine[this.mine.length - 1]);
      return { packet: p };
    }
    const out = p[0];
    const y = p[2];
    let loss: number | null = null, correct: number | null = null;
    if (y !== null) {
      const lossFn = built.loss ?? ((o: Tensor, t: Tensor) => crossEntropy(o, t));
      correct = torch.noGrad(() => out.argmax(1).eq(y).sum().item() as number);
      const l = lossFn(out, y);
      if (!(l instanceof Tensor)) throw new TypeError(`pipeline: the factory's loss returned ${describe(l)}, expected a scalar Tensor`);
      if (mode === 'train' && built.optimizer) {
        built.optimizer.zeroGrad();
        l.backward();
        built.optimizer.step();
      }
      loss = l.item() as number;
    }
    return { result: { loss, correct, count: out.shape[0], output: wantOutput ? out.detach() : null } };
  }

  private item(m: ItemMessage): void {
    const built = this.built;
    if (built === null) throw new Error('pipeline: an item arrived before the stage was built');
    const t0 = performance.now();
    if (m.t === 'batch') {
      const got = torch.fromShared(m.packet) as (Tensor | null)[];
      try {
        const reply = torch.tidy(() => {
          const packet: Packet = [got[0] as Tensor, got[1], got[2]];
          const r = m.mode === 'eval' ? torch.noGrad(() => this.runBatch(packet, 'eval', m.output)) : this.runBatch(packet, 'train', m.output);
          return {
            packet: r.packet ? torch.share([...r.packet]) : undefined,
            result: r.result ? { ...r.result, output: r.result.output ? torch.share(r.result.output) : null } : undefined,
          };
        });
        const monitors = this.ownedMonitors.map((i) => monitorState((built.monitors as Group).monitors[i], i));
        const info = built.stepInfo ? built.stepInfo() : undefined;
        this.post({ t: 'done', seq: m.seq, stage: this.stage, busy: performance.now() - t0, live: torch.memory().numTensors - got.filter((t) => t !== null).length, ...reply, monitors, info });
      } finally {
        torch.dispose(got);
      }
      return;
    }
    if (m.t === 'reset' || m.t === 'flush') {
      if (m.t === 'reset') built.monitors?.reset();
      this.post({ t: 'done', seq: m.seq, stage: this.stage, busy: 0, cpu: m.t === 'flush' ? threadCpuMs() : null });
    } else if (m.t === 'state') {
      this.post({ t: 'done', seq: m.seq, stage: this.stage, busy: performance.now() - t0, state: this.snapshot() });
    } else if (m.t === 'close') {
      this.dispose();
      this.post({ t: 'done', seq: m.seq, stage: this.stage, busy: 0 });
      this.port.close();
    }
  }

  /** This stage's weights, its local optimizers' state and its generator, copied (tokens). */
  private snapshot(): StagePart {
    const built = this.built as PipelineModel;
    return torch.tidy(() => {
      const model: Record<string, Tensor> = {};
      for (const u of this.mine) {
        for (const mod of u.modules) {
          const sd = mod.stateDict({ keepVars: true, prefix: `${this.modulePath.get(mod)}.` });
          for (const [k, v] of Object.entries(sd)) model[k] = v.detach().clone();
        }
      }
      const optimizers: Record<string, unknown> = {};
      for (const [p, l] of this.learners(this.mine)) if (l.optimizer?.stateDict) optimizers[p] = cloneTensors(l.optimizer.stateDict());
      const globalOptimizer = this.last && built.optimizer?.stateDict ? cloneTensors(built.optimizer.stateDict()) : null;
      return torch.share({ model, optimizers, globalOptimizer, rng: torch.getRngState() }) as unknown as StagePart;
    });
  }

  /** Probe: `steps` training steps on the sample with every unit timed; medians of the steps after the first. */
  private probe(steps: number, sample: Tensor[]): { times: number[]; headTime: number } {
    const per: number[][] = this.units.map(() => []);
    const head: number[] = [];
    this.mine = this.units;
    try {
      for (let s = 0; s < steps; s++) {
        torch.tidy(() => {
          this.setMode('train');
          let p: Packet = [sample[0], sample[1], null];
          this.units.forEach((u, i) => {
            const t = performance.now();
            p = u.run(p);
            per[i].push(performance.now() - t);
          });
          const t = performance.now();
          const built = this.built as PipelineModel;
          const l = (built.loss ?? ((o: Tensor, y: Tensor) => crossEntropy(o, y)))(p[0], sample[1]);
          if (built.optimizer) {
            built.optimizer.zeroGrad();
            l.backward();
            built.optimizer.step();
          }
          l.item();
          head.push(performance.now() - t);
        });
      }
    } finally {
      torch.dispose(sample);
    }
    const median = (xs: number[]): number => {
      const v = (xs.length > 1 ? xs.slice(1) : xs).sort((x, y) => x - y);
      return v[Math.floor(v.length / 2)];
    };
    return { times: per.map(median), headTime: median(head) };
  }

  private dispose(): void {
    const built = this.built;
    if (built === null) return;
    built.model.dispose();
    built.optimizer?.dispose?.();
    this.built = null;
  }
}
