/** The pipeline on the main thread: starts the stage Workers, feeds them items in order, routes each stage's output to the next and gathers results and checkpoints. */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import * as torch from '../../torch';
import { Tensor } from '../../torch/tensor';
import { describe } from '../../torch/errors';
import { checkOptions } from '../../torch/args';
import type { SharedTensor } from '../../torch/threads';
import { partition } from './balance';
import type { InitMessage, ItemMessage, StageReply, MonitorState, ErrorData, StagePart, SharedState, UnitInfo, FactoryRef } from './protocol';

export type { MonitorState, UnitInfo } from './protocol';

/** Options of createPipeline (see docs/pipeline.md). */
export interface PipelineOptions {
  /** the factory module's path (absolute, or relative to the working directory); every stage Worker require()s it */
  module: string;
  /** the name of the factory's export (default 'default') */
  export?: string;
  /** passed to the factory (structured-cloned into each Worker) */
  options?: unknown;
  /** the number of stages (Workers), default 2 */
  stages?: number;
  /** the unit each stage after the first starts with (overrides balancing) */
  boundaries?: number[];
  /** a batch [x, labels] to time the units on for automatic balancing (in a throwaway Worker; the stages' models are untouched) */
  sample?: [Tensor, Tensor];
  /** timed training steps of the balancing probe (default 3; the first is not counted) */
  balanceSteps?: number;
  /** libtorch threads per stage (default 1) */
  threads?: number;
  /** the seed of the stages' own default generators (stage k: seed * 65536 + 1 + k; default 0) */
  seed?: number;
  /** a state to start from (from Pipeline.state(), or a sequential model's: resume) */
  state?: PipelineStateInput | null;
  /** fail the pipeline when nothing moves for this long while work is pending (ms, default 300000) */
  timeoutMs?: number;
  /** how many batches to keep in flight (Pipeline.depth; default 2 * stages) */
  depth?: number;
}

const OPTION_KEYS = ['module', 'export', 'options', 'stages', 'boundaries', 'sample', 'balanceSteps', 'threads', 'seed', 'state', 'timeoutMs', 'depth'] as const;

/** A state to load: a model state dict, and optionally optimizer states (by propagator module path) and per-stage generator states. */
export interface PipelineStateInput {
  model: Record<string, Tensor>;
  optimizers?: Record<string, unknown>;
  globalOptimizer?: unknown;
  rng?: Tensor[] | null;
}

/** Every stage's state after the same batch, assembled: model is the whole model's state dict, in its key order. */
export interface PipelineState {
  model: Record<string, Tensor>;
  /** the learning propagators' optimizers' state dicts, by module path ('signal', 'model.0', ...) */
  optimizers: Record<string, unknown>;
  globalOptimizer: unknown;
  /** each stage's default generator state */
  rng: Tensor[];
  boundaries: number[];
}

/** The result of one batch, in the order the batches were given. */
export interface StepResult {
  /** 0, 1, ... over the pipeline's lifetime (training and evaluation batches) */
  index: number;
  mode: 'train' | 'eval';
  /** the global loss (null without labels) */
  loss: number | null;
  /** outputs whose argmax equals the label (null without labels) */
  correct: number | null;
  count: number;
  /** the output (logits), detached, when asked for ({ output: true }); dispose it */
  output: Tensor | null;
  /** every monitor's numbers after this batch, by index in the factory's group */
  monitors: MonitorState[];
  /** each stage's stepInfo() after this batch (undefined without one) */
  info: unknown[];
  /** milliseconds each stage spent on this batch */
  busy: number[];
  /** each stage's live tensors after this batch (its model, optimizer states; flat from step to step) */
  live: number[];
}

/** The error a pipeline fails with: names the stage (and batch) and keeps the stage's error as cause. */
export class PipelineError extends Error {
  readonly stage: number | null;
  constructor(message: string, stage: number | null, cause?: ErrorData | Error) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'PipelineError';
    this.stage = stage;
  }
}

interface Item {
  seq: number;
  kind: ItemMessage['t'];
  index: number;
  mode: 'train' | 'eval';
  output: boolean;
  resolve(v: unknown): void;
  reject(e: Error): void;
  monitors: MonitorState[];
  info: unknown[];
  busy: number[];
  live: number[];
  parts: StagePart[];
  cpu: (number | null)[];
}

/** A compiled file of this folder, for Workers (plain Node): next to this file, or in dist/ when this runs from lib/*.ts (jest). */
export function compiledFile(name: string): string {
  const here = path.join(__dirname, name);
  if (fs.existsSync(here)) return here;
  const dist = path.join(__dirname, '..', '..', '..', 'dist', 'sigprop', 'pipeline', name);
  if (fs.existsSync(dist)) return dist;
  throw new Error(`pipeline: ${name} is missing (looked for ${here} and ${dist}; run npm run build:ts)`);
}
const workerFile = (): string => compiledFile('worker.js');

let blasWarned = false;
/** OpenBLAS's own threads (OPENBLAS_NUM_THREADS, read when it loads) would compete with the stages: a one-time warning. */
function warnBlasThreads(): void {
  if (blasWarned) return;
  blasWarned = true;
  const n = process.env.OPENBLAS_NUM_THREADS ?? process.env.OMP_NUM_THREADS;
  if (/OpenBLAS/.test(torch.blasLibrary()) && n !== '1') {
    process.emitWarning(`sigprop pipeline: OpenBLAS runs its own threads in every stage (OPENBLAS_NUM_THREADS is ${n === undefined ? 'unset' : n}); ` +
      'set OPENBLAS_NUM_THREADS=1 in the environment before starting Node, or the stages slow each other down', 'SigpropPipelineWarning');
  }
}

function checkInt(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`createPipeline(): '${name}' must be an integer, got ${describe(v)}`);
  if (v < min) throw new RangeError(`createPipeline(): '${name}' must be at least ${min}, got ${v}`);
  return v;
}

function tokensIn(x: unknown, out: SharedTensor[] = []): SharedTensor[] {
  if (torch.isSharedTensor(x)) out.push(x);
  else if (Array.isArray(x)) for (const v of x) tokensIn(v, out);
  else if (x instanceof Map) for (const v of x.values()) tokensIn(v, out);
  else if (typeof x === 'object' && x !== null) for (const v of Object.values(x)) tokensIn(v, out);
  return out;
}

/**
 * A copy of a message in this realm's objects: postMessage builds them in Node's main context, and
 * under a vm context (jest) their prototypes are not this realm's, which torch.fromShared's plain-object
 * walk does not descend into.
 */
function localize(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(localize);
  if (typeof x === 'object' && x !== null && Object.prototype.toString.call(x) === '[object Object]') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) out[k] = localize((x as Record<string, unknown>)[k]);
    return out;
  }
  return x;
}

/** Starts a Worker with an init message; resolves with its first reply of kind `want`. */
function startWorker(init: InitMessage, timeoutMs: number, want: 'ready' | 'probe'): { worker: Worker; threadId: number; first: Promise<StageReply> } {
  const worker = new Worker(workerFile());
  const first = new Promise<StageReply>((resolve, reject) => {
    const timer = setTimeout(() => reject(new PipelineError(`pipeline: stage ${init.stage} did not start within ${timeoutMs} ms`, init.stage)), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (r: StageReply): void => {
      if (r.t === want) {
        done();
        resolve(r);
      } else if (r.t === 'error') {
        done();
        reject(new PipelineError(`pipeline: stage ${init.stage} failed to start: ${r.error.message}`, init.stage, r.error));
      }
    };
    const onError = (e: Error): void => {
      done();
      reject(new PipelineError(`pipeline: stage ${init.stage} failed to start: ${e.message}`, init.stage, e));
    };
    const onExit = (code: number): void => {
      done();
      reject(new PipelineError(`pipeline: stage ${init.stage} exited with code ${code} while starting`, init.stage));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  worker.postMessage(init);
  return { worker, threadId: worker.threadId, first };
}

/**
 * createPipeline(options): S stage Workers, each building the model from the factory and keeping
 * its own units. Resolves once every stage is built (and, with a sample, the stages balanced).
 */
export async function createPipeline(options: PipelineOptions): Promise<Pipeline> {
  checkOptions('createPipeline', options, OPTION_KEYS);
  if (typeof options.module !== 'string' || options.module === '') throw new TypeError(`createPipeline(): 'module' must be the path of the factory module, got ${describe(options.module)}`);
  const exportName = options.export ?? 'default';
  if (typeof exportName !== 'string') throw new TypeError(`createPipeline(): 'export' must be a string, got ${describe(exportName)}`);
  const stages = checkInt(options.stages ?? 2, 'stages', 1);
  const threads = checkInt(options.threads ?? 1, 'threads', 1);
  const seed = checkInt(options.seed ?? 0, 'seed', 0);
  const balanceSteps = checkInt(options.balanceSteps ?? 3, 'balanceSteps', 1);
  const timeoutMs = checkInt(options.timeoutMs ?? 300000, 'timeoutMs', 1);
  const depth = checkInt(options.depth ?? 2 * stages, 'depth', 1);
  warnBlasThreads();
  const factory: FactoryRef = { module: path.resolve(options.module), export: exportName, options: options.options ?? {} };
  let boundaries: number[];
  let probeTimes: number[] | null = null;
  let units: UnitInfo[] | null = null;
  if (options.boundaries !== undefined) {
    const b = options.boundaries;
    if (!Array.isArray(b) || b.some((v) => typeof v !== 'number' || !Number.isInteger(v))) throw new TypeError(`createPipeline(): 'boundaries' must be an array of unit indices, got ${describe(b)}`);
    if (b.length !== stages - 1) throw new RangeError(`createPipeline(): ${stages} stages need ${stages - 1} boundaries (the unit each stage after the first starts with), got ${b.length}`);
    for (let i = 1; i < b.length; i++) if (b[i] <= b[i - 1]) throw new RangeError(`createPipeline(): 'boundaries' must increase, got [${b.join(', ')}]`);
    if (b.length && b[0] <= 0) throw new RangeError(`createPipeline(): the first boundary must be after unit 0, got ${b[0]}`);
    boundaries = [...b];
  } else if (stages === 1) {
    boundaries = [];
  } else {
    const sample = options.sample;
    if (!Array.isArray(sample) || sample.length !== 2 || !(sample[0] instanceof Tensor) || !(sample[1] instanceof Tensor)) {
      throw new TypeError(`createPipeline(): ${stages} stages need either 'boundaries' or a 'sample' batch [x, labels] to balance the stages on, got sample ${describe(sample)}`);
    }
    const tokens = torch.share([sample[0], sample[1]]) as [SharedTensor, SharedTensor];
    const init: InitMessage = { t: 'init', factory, stage: 0, stages: 1, range: null, threads, generatorSeed: seed * 65536, state: null, probe: { steps: balanceSteps + 1, sample: tokens } };
    const { worker, threadId, first } = startWorker(init, timeoutMs, 'probe');
    try {
      const r = localize(await first) as Extract<StageReply, { t: 'probe' }>;
      const times = r.times.map((t, i) => (i === r.times.length - 1 ? t + r.headTime : t));
      probeTimes = times;
      units = r.units;
      boundaries = partition(times, r.starts, stages).boundaries;
    } finally {
      torch.unshare(tokens);
      await worker.terminate();
      torch.unshareFrom(threadId); // what it shared and never posted (terminated mid-reply)
    }
  }
  const stateTokens = options.state ? shareState(options.state, stages) : null;
  const started: ReturnType<typeof startWorker>[] = [];
  try {
    const edges = [0, ...boundaries];
    for (let k = 0; k < stages; k++) {
      const end = k + 1 < stages ? edges[k + 1] : -1;
      const init: InitMessage = { t: 'init', factory, stage: k, stages, range: [edges[k], end], threads, generatorSeed: seed * 65536 + 1 + k, state: stateTokens, probe: null };
      started.push(startWorker(init, timeoutMs, 'ready'));
    }
    // the last stage's range ends at the chain's end: learned from its reply (-1 until then)
    const ready = localize(await Promise.all(started.map((s) => s.first))) as Extract<StageReply, { t: 'ready' }>[];
    return new Pipeline(started.map((s) => s.worker), ready, boundaries, probeTimes ?? null, units ?? ready[0].units, timeoutMs, depth);
  } catch (e) {
    await Promise.all(started.map((s) => s.worker.terminate()));
    torch.unshareFrom(started.map((s) => s.threadId));
    throw e;
  } finally {
    if (stateTokens) torch.unshare(stateTokens);
  }
}

function shareState(s: PipelineStateInput, receivers: number): SharedState {
  if (typeof s !== 'object' || s === null || typeof s.model !== 'object' || s.model === null) throw new TypeError(`createPipeline(): 'state' must be { model: stateDict, optimizers?, globalOptimizer?, rng? }, got ${describe(s)}`);
  checkOptions('createPipeline: state', s, ['model', 'optimizers', 'globalOptimizer', 'rng', 'boundaries']);
  return torch.share({ model: s.model, optimizers: s.optimizers ?? {}, globalOptimizer: s.globalOptimizer ?? null, rng: s.rng ?? null }, { receivers }) as unknown as SharedState;
}

/** S stages on S Workers (made by createPipeline). */
export class Pipeline {
  /** how many batches to keep in flight for every stage to be busy */
  readonly depth: number;
  /** the model's chain: its units in order */
  readonly units: UnitInfo[];
  /** the unit each stage after the first starts with */
  readonly boundaries: number[];
  /** the balancing probe's time per unit (ms; the global loss added to the last), or null when boundaries were given */
  readonly probeTimes: number[] | null;
  /** the model's state-dict keys, in order */
  readonly keys: string[];
  /** the latest monitor numbers (after the last result), by index */
  monitors: MonitorState[] = [];
  private readonly workers: Worker[];
  /** the stages' threadIds (a Worker's reads -1 once it has ended) */
  private readonly threadIds: number[];
  private readonly items = new Map<number, Item>();
  /** tokens posted to each stage and not yet answered: freed if the pipeline fails */
  private readonly sent: Map<number, SharedTensor[]>[];
  private seq = 0;
  private index = 0;
  private failure: Error | null = null;
  private closing = false;
  /** stages that have handled the close item (their Worker ends next) */
  private readonly closedStages = new Set<number>();
  private closed = false;
  private lastProgress = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private readonly busyTotal: number[];
  private readonly exits: Promise<void>[];

  constructor(workers: Worker[], ready: Extract<StageReply, { t: 'ready' }>[], boundaries: number[], probeTimes: number[] | null, units: UnitInfo[], private readonly timeoutMs: number, depth: number) {
    this.workers = workers;
    this.threadIds = workers.map((w) => w.threadId);
    this.boundaries = boundaries;
    this.probeTimes = probeTimes;
    this.units = units;
    this.keys = ready[0].keys;
    this.depth = depth;
    this.sent = workers.map(() => new Map());
    this.busyTotal = workers.map(() => 0);
    this.exits = workers.map((w, k) => new Promise<void>((resolve) => {
      w.on('exit', (code) => {
        if (!this.closedStages.has(k) && this.failure === null) this.fail(new PipelineError(`pipeline: stage ${k} exited unexpectedly (code ${code})`, k));
        resolve();
      });
    }));
    workers.forEach((w, k) => {
      w.on('message', (r: StageReply) => this.onReply(k, r));
      w.on('error', (e: Error) => this.fail(new PipelineError(`pipeline: stage ${k} failed: ${e.message}`, k, e)));
    });
    this.watchdog = setInterval(() => {
      if (this.items.size > 0 && Date.now() - this.lastProgress > this.timeoutMs) {
        this.fail(new PipelineError(`pipeline: no stage has answered for ${this.timeoutMs} ms with ${this.items.size} item(s) pending (timeoutMs)`, null));
      }
    }, Math.min(1000, Math.max(10, Math.floor(timeoutMs / 4))));
    this.watchdog.unref();
  }

  get stages(): number {
    return this.workers.length;
  }
  /** Batches (and other items) given and not yet finished. */
  get pending(): number {
    return this.items.size;
  }
  /** The error the pipeline failed with, or null. */
  get error(): Error | null {
    return this.failure;
  }

  private check(fn: string): void {
    if (this.failure !== null) throw this.failure;
    if (this.closing || this.closed) throw new Error(`Pipeline.${fn}(): the pipeline is closed`);
  }

  private post(k: number, m: ItemMessage, tokens: SharedTensor[]): void {
    if (tokens.length) this.sent[k].set(m.seq, tokens);
    this.workers[k].postMessage(m);
  }

  private enqueue<T>(kind: ItemMessage['t'], make: (seq: number) => ItemMessage, tokens: SharedTensor[], extra: Partial<Item> = {}): Promise<T> {
    const seq = this.seq++;
    return new Promise<T>((resolve, reject) => {
      const item: Item = { seq, kind, index: -1, mode: 'train', output: false, resolve: resolve as (v: unknown) => void, reject, monitors: [], info: [], busy: [], live: [], parts: [], cpu: [], ...extra };
      if (this.items.size === 0) this.lastProgress = Date.now();
      this.items.set(seq, item);
      this.post(0, make(seq), tokens);
    });
  }

  private batch(mode: 'train' | 'eval', fn: string, x: Tensor, labels: Tensor | null, opts: { output?: boolean } | undefined): Promise<StepResult> {
    this.check(fn);
    if (!(x instanceof Tensor)) throw new TypeError(`Pipeline.${fn}(): x must be a Tensor, got ${describe(x)}`);
    if (labels !== null && !(labels instanceof Tensor)) throw new TypeError(`Pipeline.${fn}(): labels must be a Tensor${mode === 'eval' ? ' or null' : ''}, got ${describe(labels)}`);
    for (const [t, what] of [[x, 'x'], [labels, 'labels']] as const) {
      if (t !== null && t.device !== 'cpu') throw new TypeError(`Pipeline.${fn}(): ${what} is on ${t.device}; the stages run on the CPU (CUDA stages are not supported yet)`);
    }
    if (opts !== undefined) checkOptions(`Pipeline.${fn}`, opts, ['output']);
    const output = opts?.output === true;
    const packet = torch.share([x, labels, null]) as (SharedTensor | null)[];
    const index = this.index++;
    return this.enqueue<StepResult>('batch', (seq) => ({ t: 'batch', seq, mode, packet, output }), tokensIn(packet), { index, mode, output });
  }

  /**
   * One training batch: resolves with its result once the last stage has trained on it. Keep up to
   * `depth` batches in flight (await the oldest before giving more) so that all stages work at once.
   * x and labels may be disposed right after the call (the stages hold their storage).
   */
  train(x: Tensor, labels: Tensor, options?: { output?: boolean }): Promise<StepResult> {
    if (labels === null || labels === undefined) throw new TypeError('Pipeline.train(): labels are required (the signal and every layer learn from them)');
    return this.batch('train', 'train', x, labels, options);
  }

  /** One evaluation batch (eval mode, no grad): with labels the layers compute their losses (monitors) and the result has the global loss. */
  evaluate(x: Tensor, labels: Tensor | null = null, options?: { output?: boolean }): Promise<StepResult> {
    return this.batch('eval', 'evaluate', x, labels, options);
  }

  /** Resets every stage's monitors after the batches given so far (an epoch start). */
  resetMonitors(): Promise<void> {
    this.check('resetMonitors');
    return this.enqueue<void>('reset', (seq) => ({ t: 'reset', seq }), []);
  }

  /**
   * Resolves when every batch given so far is done (an epoch end), with each stage thread's CPU time
   * so far in ms (Linux, 10 ms resolution; null elsewhere): what the stages would take on free cores.
   */
  flush(): Promise<{ cpu: (number | null)[] }> {
    this.check('flush');
    return this.enqueue<{ cpu: (number | null)[] }>('flush', (seq) => ({ t: 'flush', seq }), [], { cpu: [] });
  }

  /**
   * A checkpoint: every stage's weights, optimizer states and generator after the batches given so
   * far (the same batch for all), assembled (model: the whole model's state dict, in its key order).
   */
  state(): Promise<PipelineState> {
    this.check('state');
    return this.enqueue<PipelineState>('state', (seq) => ({ t: 'state', seq }), []);
  }

  /** Monitor numbers into a monitors.Group of LabelMetrics (the main thread's copy of the model's monitors). */
  applyMonitors(group: { monitors: unknown[] } | null, states: MonitorState[] = this.monitors): void {
    if (group === null) return;
    for (const s of states) {
      const m = group.monitors[s.index] as Record<string, unknown> | undefined;
      if (m === undefined) continue;
      for (const k of ['lossLast', 'accLast', 'lossSum', 'accSum', 'count'] as const) if (s[k] !== null && typeof m[k] === 'number') m[k] = s[k];
    }
  }

  /** Busy milliseconds of each stage so far. */
  busy(): number[] {
    return [...this.busyTotal];
  }

  private onReply(k: number, reply: StageReply): void {
    const r = localize(reply) as StageReply;
    if (this.failure !== null || this.closed) {
      torch.unshare(r);
      return;
    }
    this.lastProgress = Date.now();
    if (r.t === 'error') {
      const item = r.seq === null ? undefined : this.items.get(r.seq);
      const at = item?.kind === 'batch' ? ` at batch ${item.index} (${item.mode})` : item ? ` at ${item.kind}` : '';
      this.fail(new PipelineError(`pipeline: stage ${k}${at} failed: ${r.error.name}: ${r.error.message}`, k, r.error));
      return;
    }
    if (r.t !== 'done') return;
    this.sent[k].delete(r.seq);
    const item = this.items.get(r.seq);
    if (item === undefined) {
      torch.unshare(r);
      return;
    }
    if (item.kind === 'close') this.closedStages.add(k);
    item.busy[k] = r.busy;
    if (r.live !== undefined) item.live[k] = r.live;
    if (r.cpu !== undefined) item.cpu[k] = r.cpu;
    this.busyTotal[k] += r.busy;
    if (r.monitors) item.monitors.push(...r.monitors);
    item.info[k] = r.info;
    if (r.state) item.parts[k] = r.state;
    if (k + 1 < this.workers.length) {
      let m: ItemMessage;
      if (item.kind === 'batch') m = { t: 'batch', seq: item.seq, mode: item.mode, packet: r.packet ?? [], output: item.output };
      else m = { t: item.kind, seq: item.seq } as ItemMessage;
      this.post(k + 1, m, tokensIn(m));
      return;
    }
    this.items.delete(item.seq);
    if (item.kind === 'batch') {
      const res = r.result!;
      const monitors = item.monitors.sort((a, b) => a.index - b.index);
      this.monitors = monitors;
      const output = res.output ? (torch.keep(torch.fromShared(res.output)) as Tensor) : null;
      item.resolve({ index: item.index, mode: item.mode, loss: res.loss, correct: res.correct, count: res.count, output, monitors, info: item.info, busy: item.busy, live: item.live } satisfies StepResult);
    } else if (item.kind === 'state') {
      item.resolve(this.assemble(item.parts));
    } else if (item.kind === 'flush') {
      item.resolve({ cpu: item.cpu });
    } else {
      item.resolve(undefined);
    }
  }

  private assemble(parts: StagePart[]): PipelineState {
    const got = torch.keep(torch.fromShared(parts)) as unknown as { model: Record<string, Tensor>; optimizers: Record<string, unknown>; globalOptimizer: unknown; rng: Tensor }[];
    const model: Record<string, Tensor> = {};
    for (const k of this.keys) {
      const p = got.find((g) => k in g.model);
      if (p !== undefined) model[k] = p.model[k];
    }
    const optimizers: Record<string, unknown> = {};
    for (const g of got) Object.assign(optimizers, g.optimizers);
    return { model, optimizers, globalOptimizer: got[got.length - 1].globalOptimizer, rng: got.map((g) => g.rng), boundaries: [...this.boundaries] };
  }

  /** Stops the pipeline with an error: every pending and later call rejects with it; the Workers are terminated. */
  private fail(e: Error): void {
    if (this.failure !== null || this.closed) return;
    this.failure = e;
    clearInterval(this.watchdog);
    const items = [...this.items.values()];
    this.items.clear();
    for (const it of items) it.reject(e);
    void this.terminateAll();
  }

  private async terminateAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    // what was posted to a stage and never answered (a terminated Worker's tensors are freed with it)
    for (const m of this.sent) {
      for (const tokens of m.values()) torch.unshare(tokens);
      m.clear();
    }
    // what a stage shared and never posted (terminated between its share() and its reply): with every
    // stage gone nobody can receive those, and the main thread took what reached it as it arrived
    torch.unshareFrom(this.threadIds);
  }

  /**
   * Finishes the batches given so far, then stops the stages (each frees its model) and waits for
   * the Workers to end. After a failure, waits for the Workers to be gone and rethrows nothing.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === null && !this.closing) {
      this.closing = true;
      try {
        await this.enqueue<void>('close', (seq) => ({ t: 'close', seq }), []);
      } catch {
        // the failure is kept in .error; the Workers are terminated below
      }
    }
    clearInterval(this.watchdog);
    const exited = Promise.all(this.exits);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), this.timeoutMs).unref());
    if ((await Promise.race([exited, timer])) === 'timeout') await this.terminateAll();
    this.closed = true;
    await this.terminateAll();
  }

  /** Stops at once: pending calls reject, the Workers are terminated (Ctrl-C twice). */
  async terminate(): Promise<void> {
    if (!this.closed) this.fail(new PipelineError('pipeline: terminated', null));
    await this.terminateAll();
    await Promise.all(this.exits);
    this.closed = true;
  }
}
