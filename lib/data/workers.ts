/** DataLoader workers: batches assembled in worker_threads Workers and handed back without a copy (torch.share). */
//
// How it stays bit-identical to numWorkers 0: the epoch's order and every random number of the
// transforms are drawn here, on the loader's thread, in the order numWorkers 0 draws them (the
// random transforms' drawParams); a Worker gets the indices of a batch and those draws (shared
// tensors) and runs the rest (indexSelect, float conversion, the transforms' tensor work) with
// applyParams. Batch k goes to Worker k % numWorkers; each Worker answers its batches in order, so
// batch k is the next message of Worker k % numWorkers.
//
// Messages come through one MessagePort per Worker, read with receiveMessageOnPort; a Worker bumps
// its slot of a shared Int32Array after each message, which `for...of` waits on with Atomics.wait
// and `for await` with Atomics.waitAsync (so a synchronous loop works, and an async one never blocks
// the event loop). A Worker that dies is seen by a liveness check between short waits.
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { Worker, MessageChannel, MessagePort, receiveMessageOnPort, isMainThread, workerData } from 'worker_threads';
import * as torch from '../torch';
import type { Tensor } from '../torch';
import { describe } from '../torch/errors';
import { Dataset, ImageDataset, TensorDataset, ConcatDataset, BatchDataset } from './datasets';
import { TransformLike, Compose, RandomCrop, RandomHorizontalFlip, Normalize, Cutout } from './transforms';

// ---- what a Worker is told about the dataset ---------------------------------------------------------------------------
type TransformSpec =
  | { t: 'compose'; list: TransformSpec[] }
  | { t: 'crop'; size: [number, number]; padding: [number, number, number, number]; fill: number }
  | { t: 'flip'; p: number }
  | { t: 'normalize'; mean: number[]; std: number[] }
  | { t: 'cutout'; nPatches: number; length: number };

type DatasetSpec<Tok> =
  | { kind: 'image'; images: Tok; targets: Tok; labels: Int32Array; numClasses: number | undefined; transform: TransformSpec | null }
  | { kind: 'tensors'; tensors: Tok[] }
  | { kind: 'concat'; parts: DatasetSpec<Tok>[] };

const SUPPORTED = 'ImageDataset and the named datasets (MNIST, FashionMNIST, CIFAR10, ...), TensorDataset, or a ConcatDataset of them, ' +
  'with transforms made of Compose, RandomCrop, RandomHorizontalFlip, Normalize and Cutout';

function transformSpec(t: TransformLike, fn: string): TransformSpec {
  const c = (t as object).constructor;
  if (c === Compose) return { t: 'compose', list: (t as Compose).transforms.map((u) => transformSpec(u, fn)) };
  if (c === RandomCrop) {
    const r = t as RandomCrop;
    return { t: 'crop', size: [...r.size], padding: [...r.padding], fill: r.fill };
  }
  if (c === RandomHorizontalFlip) return { t: 'flip', p: (t as RandomHorizontalFlip).p };
  if (c === Normalize) return { t: 'normalize', mean: [...(t as Normalize).mean], std: [...(t as Normalize).std] };
  if (c === Cutout) return { t: 'cutout', nPatches: (t as Cutout).nPatches, length: (t as Cutout).length };
  const what = typeof t === 'function' ? `a function transform (${t.name || 'anonymous'})` : `the transform ${describe(t)}`;
  throw new TypeError(`${fn}: numWorkers > 0 cannot run ${what} in a worker thread (a function cannot be sent to another thread); ` +
    `supported: ${SUPPORTED}. Use numWorkers: 0 for it`);
}

/** The dataset's description for the Workers; `tok` turns each of its tensors into what is sent (a token, or the tensor for a dry check). */
function datasetSpec<Tok>(ds: Dataset<unknown>, fn: string, tok: (t: Tensor) => Tok): DatasetSpec<Tok> {
  if (ds instanceof ImageDataset) {
    const transform = ds.transform ? transformSpec(ds.transform, fn) : null;
    return { kind: 'image', images: tok(ds.images), targets: tok(ds.targets), labels: ds.labels, numClasses: ds.numClasses, transform };
  }
  if (ds instanceof TensorDataset) return { kind: 'tensors', tensors: ds.tensors.map(tok) };
  if (ds instanceof ConcatDataset) return { kind: 'concat', parts: ds.datasets.map((d) => datasetSpec(d, fn, tok)) };
  throw new TypeError(`${fn}: numWorkers > 0 needs a dataset a worker thread can rebuild from its tensors (${SUPPORTED}); ` +
    `got ${describe(ds)}. Use numWorkers: 0 for it`);
}

/** Throws the error numWorkers > 0 would give for this dataset, without sharing anything. */
export function checkWorkerDataset(ds: Dataset<unknown>, fn: string): void {
  datasetSpec(ds, fn, () => 0);
}

// ---- the random draws, made on the loader's thread in numWorkers 0's order ----------------------------------------------
type Params = Tensor | null | Params[] | { [k: string]: Tensor };

/** The draws of transform t on a batch of `shape`, and the shape it makes. */
function drawTransform(t: TransformLike, shape: number[]): { params: Params; shape: number[] } {
  if (t instanceof Compose) {
    const list: Params[] = [];
    let s = shape;
    for (const u of t.transforms) {
      const r = drawTransform(u, s);
      list.push(r.params);
      s = r.shape;
    }
    return { params: list, shape: s };
  }
  if (t instanceof RandomCrop) return { params: t.drawParams(shape), shape: t.outShape(shape) };
  if (t instanceof RandomHorizontalFlip || t instanceof Cutout) return { params: t.drawParams(shape), shape };
  return { params: null, shape };
}

/** Every transform call's draws that getBatch(indices) makes, in its order (one per image dataset part it touches). */
function drawBatch(ds: Dataset<unknown>, indices: Int32Array): Params[] {
  if (ds instanceof ImageDataset) return ds.transform ? [drawTransform(ds.transform, [indices.length, ...ds.imageShape]).params] : [];
  if (ds instanceof ConcatDataset) {
    // the parts in the order getBatch visits them (first appearance), each with its own indices
    const cum = ds.cumulativeSizes;
    const order: number[] = [];
    const local = new Map<number, number[]>();
    for (const i of indices) {
      let k = 0;
      while (i >= cum[k]) k++;
      let l = local.get(k);
      if (!l) {
        l = [];
        local.set(k, l);
        order.push(k);
      }
      l.push(k === 0 ? i : i - cum[k - 1]);
    }
    return order.flatMap((k) => drawBatch(ds.datasets[k], Int32Array.from(local.get(k) as number[])));
  }
  return [];
}

// ---- the loader's side ---------------------------------------------------------------------------------------------------
export interface WorkerLoaderConfig {
  dataset: Dataset<unknown>;
  batchSize: number;
  shuffle: boolean;
  dropLast: boolean;
  generator: torch.Generator | undefined;
  numWorkers: number;
  prefetchFactor: number;
  /** ms to wait for one batch (0: no limit). */
  timeout: number;
  /** Added to the Workers' nice value (Linux: per thread), so that waking one does not preempt the training thread. */
  workerNice: number;
}

/** A batch the Workers failed to make, or a Worker that died. */
export class DataLoaderWorkerError extends Error {
  readonly worker: number;
  readonly batch: number;
  constructor(message: string, worker: number, batch: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DataLoaderWorkerError';
    this.worker = worker;
    this.batch = batch;
  }
}

interface FromWorker {
  type: 'ready' | 'batch' | 'error' | 'stopped';
  k: number;
  batch?: unknown;
  error?: { name: string; message: string; stack?: string };
}

/** The compiled worker script (this file in dist/, also when this module runs from lib/ under ts-node / ts-jest). */
function workerScript(): string {
  if (__filename.endsWith('.js')) return __filename;
  const dist = path.join(__dirname, '..', '..', 'dist', 'data', 'workers.js');
  if (!fs.existsSync(dist)) throw new Error(`DataLoader: numWorkers > 0 runs ${dist} in its worker threads; build it first (npm run build:ts)`);
  return dist;
}

const SLICE_MS = 50;
/** Atomics.waitAsync (V8 >= 8.7, Node >= 16), which the es2022 lib does not declare. */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string } }).waitAsync;
/** How long close() waits for the Workers to skip what is left and say so, before terminating them. */
const STOP_WAIT_MS = 2000;
/** With a 'timeout': the longest a Worker's start-up may take. */
const STARTUP_MS = 60000;

/** The Workers of one epoch: scheduling, receiving, ending. */
export class WorkerEpoch<B> {
  private readonly cfg: WorkerLoaderConfig;
  private readonly n: number;
  private readonly numBatches: number;
  private readonly order: Int32Array | null;
  private readonly workers: Worker[] = [];
  /** the Workers' threadIds (a Worker's reads -1 once it has ended) */
  private readonly threadIds: number[] = [];
  private readonly ports: MessagePort[] = [];
  /** [w]: messages posted by Worker w; [numWorkers]: the stop flag; [numWorkers + 1 + w]: 1 once Worker w is exiting. */
  private readonly signal: Int32Array;
  private readonly seen: number[];
  private readonly died: (Error | null)[];
  /** When each Worker said it was ready (0: not yet). */
  private readonly readyAt: number[];
  private readonly specTokens: unknown;
  /** The draws sent with each batch not received yet (unshared if it never comes back). */
  private readonly pendingParams = new Map<number, unknown>();
  private scheduled = 0;
  private yielded = 0;
  private closed = false;

  constructor(cfg: WorkerLoaderConfig) {
    this.cfg = cfg;
    const fn = 'DataLoader';
    const ds = cfg.dataset;
    this.n = ds.length;
    this.numBatches = cfg.dropLast ? Math.floor(this.n / cfg.batchSize) : Math.ceil(this.n / cfg.batchSize);
    // the epoch's order, drawn now as numWorkers 0 does
    if (cfg.shuffle && this.numBatches > 0) {
      const perm = torch.randperm(this.n, { generator: cfg.generator });
      try {
        this.order = Int32Array.from(perm.toTypedArray() as BigInt64Array, Number);
      } finally {
        perm.dispose();
      }
    } else {
      this.order = null;
    }
    const nw = this.numBatches > 0 ? cfg.numWorkers : 0; // an empty epoch starts no Worker
    this.signal = new Int32Array(new SharedArrayBuffer(4 * (2 * cfg.numWorkers + 1)));
    this.seen = new Array<number>(nw).fill(0);
    this.died = new Array<Error | null>(nw).fill(null);
    this.readyAt = new Array<number>(nw).fill(0);
    this.specTokens = nw > 0 ? datasetSpec(ds, fn, (t) => torch.share(t, { receivers: nw })) : null;
    const script = workerScript();
    try {
      for (let w = 0; w < nw; w++) {
        const { port1, port2 } = new MessageChannel();
        const worker = new Worker(script, {
          workerData: { __sigpropDataLoaderWorker: 1, w, numWorkers: cfg.numWorkers, port: port2, signal: this.signal, spec: this.specTokens, nice: cfg.workerNice },
          transferList: [port2],
          env: process.env, // this realm's (under jest, the test file's copy)
        });
        worker.on('error', (e) => {
          this.died[w] = e;
        });
        worker.on('exit', (code) => {
          if (!this.died[w] && !this.closed) this.died[w] = new Error(`exited with code ${code}`);
        });
        worker.unref();
        port1.unref();
        this.workers.push(worker);
        this.threadIds.push(worker.threadId);
        this.ports.push(port1);
      }
    } catch (e) {
      this.close();
      throw e;
    }
    this.fill();
  }

  get length(): number {
    return this.numBatches;
  }

  private indicesOf(k: number): Int32Array {
    const start = k * this.cfg.batchSize;
    const len = Math.min(this.cfg.batchSize, this.n - start);
    if (this.order) return this.order.slice(start, start + len);
    const a = new Int32Array(len);
    for (let j = 0; j < len; j++) a[j] = start + j;
    return a;
  }

  /** Sends batches until prefetchFactor per Worker are under way. */
  private fill(): void {
    const limit = Math.min(this.numBatches, this.yielded + this.cfg.numWorkers * this.cfg.prefetchFactor);
    while (this.scheduled < limit) {
      const k = this.scheduled;
      const indices = this.indicesOf(k);
      const params = torch.tidy(() => torch.share(drawBatch(this.cfg.dataset, indices) as unknown));
      this.pendingParams.set(k, params);
      this.ports[k % this.cfg.numWorkers].postMessage({ type: 'batch', k, indices, params });
      this.scheduled++;
    }
  }

  /** The next message of Worker w if there is one (skipping its 'ready'). */
  private poll(w: number): FromWorker | null {
    for (;;) {
      const m = receiveMessageOnPort(this.ports[w]);
      if (m === undefined) return null;
      this.seen[w]++;
      const msg = m.message as FromWorker;
      if (msg.type !== 'ready') return msg;
      this.readyAt[w] = Date.now();
    }
  }

  /**
   * Whether Worker w is gone, checked synchronously (a waiting for...of loop gets no 'exit' event):
   * the Worker's exit flag (set by its process 'exit' handler, and notified), else a stopped Worker's
   * empty resourceLimits.
   */
  private gone(w: number): boolean {
    if (this.died[w]) return true;
    if (Atomics.load(this.signal, this.cfg.numWorkers + 1 + w) !== 0) {
      this.died[w] = new Error('it exited (process.exit, or an error outside a batch)');
      return true;
    }
    const rl = this.workers[w].resourceLimits;
    if (rl === undefined || Object.keys(rl).length === 0) {
      this.died[w] = new Error('it stopped');
      return true;
    }
    return false;
  }

  private deathError(w: number, k: number): DataLoaderWorkerError {
    const why = this.died[w];
    return new DataLoaderWorkerError(`DataLoader worker ${w} died before sending batch ${k}: ${why ? why.message : 'unknown reason'}`, w, k, why ?? undefined);
  }

  /**
   * Whether the wait for Worker w's batch (asked for at `asked`) is past the 'timeout': counted from
   * when the Worker was ready (its start-up, loading the addon, is not a batch), the start-up itself
   * bounded by STARTUP_MS.
   */
  private timedOut(w: number, asked: number): boolean {
    if (this.cfg.timeout <= 0) return false;
    const now = Date.now();
    const ready = this.readyAt[w];
    if (ready === 0) return now - asked > Math.max(STARTUP_MS, this.cfg.timeout);
    return now - Math.max(asked, ready) > this.cfg.timeout;
  }

  private timeoutError(w: number, k: number): DataLoaderWorkerError {
    return new DataLoaderWorkerError(`DataLoader worker ${w} timed out: batch ${k} took longer than ${this.cfg.timeout} ms (the 'timeout' option)`, w, k);
  }

  /** Turns a Worker's answer for batch k into the batch (tensors owned by the current scope), or throws its error. */
  private accept(msg: FromWorker, w: number, k: number): B {
    this.pendingParams.delete(k);
    if (msg.type === 'error' || msg.k !== k) {
      const e = msg.error;
      const cause = Object.assign(new Error(e ? e.message : 'unknown'), { name: e?.name ?? 'Error', stack: e?.stack });
      const where = msg.k < 0 ? 'could not start' : `failed on batch ${msg.k}`;
      throw new DataLoaderWorkerError(`DataLoader worker ${w} ${where}: ${e ? `${e.name}: ${e.message}` : `answered batch ${msg.k} for batch ${k}`}`, w, k, cause);
    }
    this.yielded++;
    return torch.fromShared(msg.batch) as B;
  }

  /** The next batch, waiting synchronously (for...of), or null at the end. */
  nextSync(): B | null {
    if (this.closed) return null;
    if (this.yielded >= this.numBatches) {
      this.close();
      return null;
    }
    const k = this.yielded;
    const w = k % this.cfg.numWorkers;
    const asked = Date.now();
    try {
      for (;;) {
        const dead = this.gone(w); // checked before polling: a message posted before dying is still taken
        const msg = this.poll(w);
        if (msg) {
          const b = this.accept(msg, w, k);
          this.fill();
          return b;
        }
        if (dead) throw this.deathError(w, k);
        if (this.timedOut(w, asked)) throw this.timeoutError(w, k);
        Atomics.wait(this.signal, w, this.seen[w], SLICE_MS);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** The next batch, waiting without blocking the event loop (for await), or null at the end. */
  async next(): Promise<B | null> {
    if (this.closed) return null;
    if (this.yielded >= this.numBatches) {
      this.close();
      return null;
    }
    const k = this.yielded;
    const w = k % this.cfg.numWorkers;
    const asked = Date.now();
    try {
      for (;;) {
        const dead = this.gone(w); // checked before polling: a message posted before dying is still taken
        const msg = this.poll(w);
        if (msg) {
          const b = this.accept(msg, w, k);
          this.fill();
          return b;
        }
        if (dead) throw this.deathError(w, k);
        if (this.timedOut(w, asked)) throw this.timeoutError(w, k);
        const r = waitAsync(this.signal, w, this.seen[w], SLICE_MS);
        if (r.async) {
          // the timer keeps the process alive while waiting (the Workers and ports are unref'd)
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([r.value, new Promise((resolve) => (timer = setTimeout(resolve, SLICE_MS)))]);
          clearTimeout(timer);
        }
        if (this.closed) return null;
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * Ends the epoch: the Workers skip what is left, say so and exit; batches made but not taken are
   * freed, and every token made for them (and the dataset's) is dropped. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.signal, this.cfg.numWorkers, 1);
    for (const p of this.ports) {
      try {
        p.postMessage({ type: 'stop' });
      } catch {
        // a closed port: the Worker is gone
      }
    }
    const deadline = Date.now() + STOP_WAIT_MS;
    for (let w = 0; w < this.workers.length; w++) {
      for (;;) {
        const msg = this.poll(w);
        if (msg) {
          if (msg.type === 'stopped') break;
          this.pendingParams.delete(msg.k);
          if (msg.type === 'batch') torch.unshare(msg.batch);
          continue;
        }
        if (this.gone(w) || Date.now() > deadline) break;
        Atomics.wait(this.signal, w, this.seen[w], SLICE_MS);
      }
    }
    for (const params of this.pendingParams.values()) torch.unshare(params);
    this.pendingParams.clear();
    if (this.specTokens !== null) torch.unshare(this.specTokens);
    // then what a Worker shared and never posted, or posted past the stop wait (unread when the ports close)
    const ids = [...this.threadIds];
    void Promise.all(this.workers.map((w) => w.terminate())).then(() => torch.unshareFrom(ids));
    for (const p of this.ports) p.close();
  }
}

/** Ends the Workers of an epoch whose iterator was dropped without finishing or return() (a backstop). */
export const abandonedEpochs = new FinalizationRegistry<WorkerEpoch<unknown>>((e) => e.close());

// ---- the Worker's side ---------------------------------------------------------------------------------------------------
function buildTransform(s: TransformSpec): TransformLike {
  switch (s.t) {
    case 'compose': return new Compose(s.list.map(buildTransform));
    case 'crop': return new RandomCrop(s.size, { padding: s.padding, fill: s.fill });
    case 'flip': return new RandomHorizontalFlip(s.p);
    case 'normalize': return new Normalize(s.mean, s.std);
    case 'cutout': return new Cutout(s.nPatches, s.length);
  }
}

/** t applied to x with the draws made on the loader's thread. */
function applyDrawn(t: TransformLike, x: Tensor, p: Params): Tensor {
  if (t instanceof Compose) {
    if (t.transforms.length === 0) return x.clone();
    const list = p as Params[];
    return torch.tidy(() => {
      let y = x;
      t.transforms.forEach((u, i) => {
        y = applyDrawn(u, y, list[i]);
      });
      return y;
    });
  }
  if (t instanceof RandomCrop) return t.applyParams(x, p as { i0: Tensor; j0: Tensor });
  if (t instanceof RandomHorizontalFlip) return t.applyParams(x, p as { draw: Tensor });
  if (t instanceof Cutout) return t.applyParams(x, p as { cy: Tensor; cx: Tensor } | null);
  return (t as Normalize).apply(x);
}

/** The dataset rebuilt on the shared tensors; its transforms take their draws from `queue`. */
function buildDataset(s: DatasetSpec<Tensor>, queue: Params[]): BatchDataset<unknown, unknown> {
  switch (s.kind) {
    case 'image': {
      const ds = new ImageDataset(s.images, s.labels, { numClasses: s.numClasses });
      s.targets.dispose(); // ImageDataset makes its own from the labels (the same values)
      if (s.transform) {
        const t = buildTransform(s.transform);
        ds.transform = (x: Tensor): Tensor => {
          if (queue.length === 0) throw new Error('internal: a transform ran without its draws');
          return applyDrawn(t, x, queue.shift() as Params);
        };
      }
      return ds as BatchDataset<unknown, unknown>;
    }
    case 'tensors': return new TensorDataset(...s.tensors) as BatchDataset<unknown, unknown>;
    case 'concat': return new ConcatDataset(s.parts.map((p) => buildDataset(p, queue))) as BatchDataset<unknown, unknown>;
  }
}

function errorData(e: unknown): { name: string; message: string; stack?: string } {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

function workerMain(): void {
  const { w, numWorkers, port, signal, spec, nice } = workerData as { w: number; numWorkers: number; port: MessagePort; signal: Int32Array; spec: DatasetSpec<unknown>; nice: number };
  // tells a loop waiting on this Worker's slot that it is gone
  process.on('exit', () => {
    Atomics.store(signal, numWorkers + 1 + w, 1);
    Atomics.add(signal, w, 1);
    Atomics.notify(signal, w);
  });
  // A lower priority for this thread only (Linux's setpriority on thread id 0 is per thread; elsewhere it
  // would renice the whole process, so it is not done): otherwise the kernel often runs this Worker,
  // woken by the loop's next task, in place of the training thread, which then waits ~1 ms a batch.
  if (nice > 0 && process.platform === 'linux') {
    try {
      os.setPriority(0, Math.min(19, os.getPriority(0) + nice));
    } catch {
      // not permitted: run at the same priority
    }
  }
  const stopAt = numWorkers;
  const post = (m: FromWorker): void => {
    port.postMessage(m);
    Atomics.add(signal, w, 1);
    Atomics.notify(signal, w);
  };
  const queue: Params[] = [];
  let ds: BatchDataset<unknown, unknown>;
  try {
    ds = buildDataset(torch.fromShared(spec) as DatasetSpec<Tensor>, queue);
  } catch (e) {
    post({ type: 'error', k: -1, error: errorData(e) });
    port.on('message', (m: { type: string; k: number; params?: unknown }) => {
      if (m.params !== undefined) torch.unshare(m.params);
      if (m.type === 'stop') {
        post({ type: 'stopped', k: -1 });
        port.close();
      }
    });
    return;
  }
  post({ type: 'ready', k: -1 });
  // test hooks (test/dataloader-workers.test.ts): this Worker exits abruptly, or hangs, when asked for batch k
  const exitAt = Number(process.env.SIGPROP_TEST_LOADER_WORKER_EXIT_AT ?? -1);
  const stallAt = Number(process.env.SIGPROP_TEST_LOADER_WORKER_STALL_AT ?? -1);
  port.on('message', (m: { type: string; k: number; indices: Int32Array; params: unknown }) => {
    if (m.k === exitAt && exitAt >= 0) process.exit(3);
    if (m.k === stallAt && stallAt >= 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    if (m.type === 'stop') {
      post({ type: 'stopped', k: -1 });
      port.close();
      return;
    }
    if (Atomics.load(signal, stopAt) !== 0) {
      torch.unshare(m.params);
      post({ type: 'error', k: m.k, error: { name: 'Error', message: 'stopped' } });
      return;
    }
    try {
      const batch = torch.tidy(() => {
        queue.length = 0;
        queue.push(...(torch.fromShared(m.params) as Params[]));
        try {
          return ds.getBatch(m.indices);
        } finally {
          queue.length = 0;
        }
      });
      let tokens: unknown;
      try {
        tokens = torch.share(batch);
      } finally {
        torch.dispose(batch);
      }
      post({ type: 'batch', k: m.k, batch: tokens });
    } catch (e) {
      post({ type: 'error', k: m.k, error: errorData(e) });
    }
  });
}

if (!isMainThread && (workerData as { __sigpropDataLoaderWorker?: number } | null)?.__sigpropDataLoaderWorker === 1) workerMain();
