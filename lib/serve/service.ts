/** The training service: a node:http server on the main thread that answers while a sigprop model trains in a Worker (lib/serve/trainer.ts). */
//
//   GET  /          a page with live training curves (polls /status)
//   GET  /status    epoch, step, losses, accuracies, steps/s, the trainer's state, the weights' step, the last snapshot
//   POST /predict   a 28 x 28 image (JSON or 784 raw bytes) -> class probabilities, from the latest weights published by the trainer
//                   (the requests of one event-loop turn run as one batch)
//   POST /pause, /resume, /snapshot, /restart
//
// The trainer publishes a copy of its weights every publishMs (torch.share: the main thread gets
// the same storage, no copy in transit) and loads it into its own copy of the model, which only
// /predict uses. A Worker that fails (an error, an exit) is reported in /status with its error;
// POST /restart starts a new one from the last snapshot (or from scratch when there is none).
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { Worker } from 'worker_threads';
import * as torch from '../torch';
import type { Tensor } from '../torch';
import { functional as F } from '../torch/nn';
import { describe } from '../torch/errors';
import { checkOptions, DATA_OPTIONS } from '../torch/args';
import { buildTransform, FashionMNIST, type DatasetName } from '../data/datasets';
import type { Compose } from '../data/transforms';
import { defaults, validateArgs, UsageError, type ExampleArgs, type ExampleName } from '../examples/args';
import { buildAll } from '../examples/runner';
import { HttpError, sendJson, sendError, readBody, parseImage, IMAGE_SIDE } from './http';
import { train, datasetInfo, type TrainerConfig, type FromTrainer, type ToTrainer, type ProgressPoint, type TestPoint, type Channel } from './trainer';
import { PAGE } from './page';

export type TrainerState = 'starting' | 'running' | 'paused' | 'failed' | 'finished' | 'stopped';

export interface ServiceOptions {
  /** The examples' loss: ex4 (v15 top-6, default) or ex2 (v14). */
  example?: ExampleName;
  /**
   * The examples' flags (sigprop-examples --help), over the service's defaults: FashionMNIST, mlp,
   * 256 hidden, a 2-channel signal, batch 64, lr 2e-3, sigprop, 20 epochs, norm instance_norm. The
   * dataset must be FashionMNIST or MNIST (28 x 28 images); norm batch_norm (batch statistics in
   * eval mode too, as in the examples) cannot predict one image and is refused.
   */
  args?: Partial<ExampleArgs>;
  /** Where the trainer runs: 'worker' (default) or 'main' (the event loop waits for every step: for comparison). */
  trainOn?: 'worker' | 'main';
  /** The snapshot file of POST /snapshot, and what POST /restart resumes from (default sigprop-serve/snapshot.pt). */
  snapshotPath?: string;
  /** Start from the snapshot at snapshotPath when there is one (default false: from scratch). */
  resume?: boolean;
  /** Largest request body in bytes (default 65536); larger ones get 413. */
  maxBodyBytes?: number;
  /** Minimum ms between two weight publications of the trainer (default 250). */
  publishMs?: number;
  /** Minimum ms between two progress messages of the trainer (default 200). */
  progressMs?: number;
  /** numWorkers of the trainer's DataLoader (default 0). */
  loaderWorkers?: number;
  /** Enables POST /debug/fail (the trainer throws at its next step), for tests. Default false. */
  testHooks?: boolean;
  /** ms a POST /snapshot waits for the trainer (default 60000). */
  snapshotTimeoutMs?: number;
}

const OPTION_KEYS = ['example', 'args', 'trainOn', 'snapshotPath', 'resume', 'maxBodyBytes', 'publishMs', 'progressMs', 'loaderWorkers', 'testHooks', 'snapshotTimeoutMs'];

/** The service's training defaults: the quick Fashion-MNIST configuration of docs/examples.md. */
export function serviceArgs(given: Partial<ExampleArgs> = {}): ExampleArgs {
  const a = defaults();
  Object.assign(a, { dataset: 'FashionMNIST', model: 'mlp', numHidden: 256, signalCh: 2, batchSize: 64, lr: 2e-3, sigprop: true, epochs: 20, norm: 'instance_norm' });
  const known = new Set(Object.keys(a));
  for (const k of Object.keys(given)) if (!known.has(k)) throw new TypeError(`startService: unknown training flag '${k}' in 'args' (see sigprop-examples --help; names in camelCase)`);
  Object.assign(a, given);
  return a;
}

const MAX_POINTS = 600;
/** The most /predict images run in one forward pass. */
const MAX_BATCH = 64;

interface TrainerHandle {
  generation: number;
  post(m: ToTrainer): void;
  /** Ends it: asks it to stop, then terminates (a Worker) after the grace period. */
  end(graceMs: number): Promise<void>;
  threadId: number;
}

function positiveInt(v: unknown, name: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new TypeError(`startService: '${name}' must be an integer >= ${min}, got ${describe(v)}`);
  return v;
}

/** The training service. startService() makes one and listens. */
export class TrainingService {
  readonly example: ExampleName;
  readonly args: ExampleArgs;
  readonly trainOn: 'worker' | 'main';
  readonly snapshotPath: string;
  readonly maxBodyBytes: number;
  readonly testHooks: boolean;
  private readonly publishMs: number;
  private readonly progressMs: number;
  private readonly loaderWorkers: number;
  private readonly snapshotTimeoutMs: number;
  readonly server: http.Server;

  private trainer: TrainerHandle | null = null;
  private generation = 0;
  private state: TrainerState = 'starting';
  private error: { message: string; stack?: string; at: string } | null = null;
  private restarts = 0;
  private progress: Omit<Extract<FromTrainer, { type: 'progress' }>, 'type' | 'points' | 'tests'> | null = null;
  private points: ProgressPoint[] = [];
  private tests: TestPoint[] = [];
  private ready: Extract<FromTrainer, { type: 'ready' }> | null = null;
  private lastSnapshot: { path: string; step: number; bytes: number; at: string } | null = null;
  private snapshotId = 0;
  private readonly pendingSnapshots = new Map<number, { resolve: (m: Extract<FromTrainer, { type: 'snapshot' }>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** The model /predict runs (built here like the trainer's, weights from its publications). */
  private readonly predictor: ReturnType<typeof buildAll>;
  private readonly normalize: Compose;
  private readonly classes: readonly string[];
  private weights: { step: number; epoch: number; at: string } | null = null;
  private readonly startedAt = Date.now();
  private closed = false;

  constructor(options: ServiceOptions = {}) {
    const fn = 'startService';
    const o = checkOptions(fn, options as Record<string, unknown>, OPTION_KEYS, DATA_OPTIONS) as ServiceOptions;
    const example = o.example ?? 'ex4';
    if (example !== 'ex2' && example !== 'ex4') throw new TypeError(`${fn}: 'example' must be 'ex2' or 'ex4', got ${describe(example)}`);
    if (o.args !== undefined && (typeof o.args !== 'object' || o.args === null)) throw new TypeError(`${fn}: 'args' must be an object of the examples' flags, got ${describe(o.args)}`);
    const a = serviceArgs(o.args);
    try {
      validateArgs(a, example);
    } catch (e) {
      if (e instanceof UsageError) throw new TypeError(`${fn}: ${e.message}`, { cause: e });
      throw e;
    }
    if (a.dataset !== 'FashionMNIST' && a.dataset !== 'MNIST') throw new TypeError(`${fn}: the service predicts 28 x 28 images: the dataset must be FashionMNIST or MNIST, got '${a.dataset}'`);
    if (a.norm === 'batch_norm') throw new TypeError(`${fn}: norm 'batch_norm' normalizes with the batch's statistics in eval mode too (as the examples do), so /predict could not classify one image; use norm 'instance_norm' (the service's default), 'instance_batch_norm' or 'none'`);
    if (a.device !== 'cpu' && a.device !== 'auto') throw new TypeError(`${fn}: the service trains on the CPU, got device '${a.device}'`);
    const trainOn = o.trainOn ?? 'worker';
    if (trainOn !== 'worker' && trainOn !== 'main') throw new TypeError(`${fn}: 'trainOn' must be 'worker' or 'main', got ${describe(trainOn)}`);
    if (o.snapshotPath !== undefined && (typeof o.snapshotPath !== 'string' || o.snapshotPath === '')) throw new TypeError(`${fn}: 'snapshotPath' must be a file path, got ${describe(o.snapshotPath)}`);
    for (const k of ['resume', 'testHooks'] as const) if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new TypeError(`${fn}: '${k}' must be a boolean, got ${describe(o[k])}`);
    this.example = example;
    this.args = a;
    this.trainOn = trainOn;
    this.snapshotPath = path.resolve(o.snapshotPath ?? path.join('sigprop-serve', 'snapshot.pt'));
    this.maxBodyBytes = positiveInt(o.maxBodyBytes, 'maxBodyBytes', 65536);
    this.publishMs = positiveInt(o.publishMs, 'publishMs', 250, 0);
    this.progressMs = positiveInt(o.progressMs, 'progressMs', 200, 0);
    this.loaderWorkers = positiveInt(o.loaderWorkers, 'loaderWorkers', 0, 0);
    this.snapshotTimeoutMs = positiveInt(o.snapshotTimeoutMs, 'snapshotTimeoutMs', 60000);
    this.testHooks = o.testHooks ?? false;
    const name = a.dataset as DatasetName;
    this.classes = name === 'FashionMNIST' ? FashionMNIST.classes : Array.from({ length: 10 }, (_, i) => String(i));
    this.normalize = buildTransform(name, { augment: false });
    // the libtorch thread pool is process-wide: --threads sets it for the trainer's Worker and this thread alike
    if (a.threads > 0) torch.setNumThreads(a.threads);
    this.predictor = torch.tidy(() => buildAll(example, a, datasetInfo(a)));
    this.predictor.wrapper.eval();
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('clientError', (err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n' + JSON.stringify({ error: `bad request: ${err.message}`, status: 400 }));
      else socket.destroy();
    });
    this.startTrainer(o.resume && fs.existsSync(this.snapshotPath) ? this.snapshotPath : null);
  }

  /** Listens on port (0: one the OS picks) and host (default 127.0.0.1); resolves to the URL. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address() as AddressInfo;
        resolve(`http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`);
      });
    });
  }

  // ---- the trainer ------------------------------------------------------------------------------------------------------
  private config(resume: string | null): TrainerConfig {
    return { example: this.example, args: this.args, publishMs: this.publishMs, progressMs: this.progressMs, resume, loaderWorkers: this.loaderWorkers };
  }

  private startTrainer(resume: string | null): void {
    const generation = ++this.generation;
    this.state = 'starting';
    this.error = null;
    this.ready = null;
    const onMessage = (m: FromTrainer): void => {
      if (generation !== this.generation || this.closed) {
        // an old trainer's weights: drop them (token by token: the object may be of another realm, under jest)
        if (m.type === 'weights' && this.trainOn === 'worker') for (const v of Object.values(m.sd as Record<string, unknown>)) torch.unshare(v);
        else if (m.type === 'weights') torch.dispose(m.sd as Record<string, Tensor>);
        return;
      }
      try {
        this.onTrainerMessage(m);
      } catch (e) {
        // never an uncaught exception in the server's thread: the error is reported in /status
        this.error = { message: `the service could not handle the trainer's '${m.type}' message: ${(e as Error).message}`, stack: (e as Error).stack, at: new Date().toISOString() };
      }
    };
    const fail = (e: unknown): void => {
      if (generation !== this.generation || this.closed) return;
      // (duck-typed: a Worker's error may belong to another realm, under jest)
      const err = typeof e === 'object' && e !== null && typeof (e as Error).message === 'string' ? (e as Error) : new Error(String(e));
      this.state = 'failed';
      this.error = { message: err.message, stack: err.stack, at: new Date().toISOString() };
      this.trainer = null;
      for (const [id, p] of this.pendingSnapshots) {
        clearTimeout(p.timer);
        p.reject(new HttpError(409, `the training worker failed before writing the snapshot: ${err.message}`));
        this.pendingSnapshots.delete(id);
      }
    };
    if (this.trainOn === 'worker') this.trainer = this.startWorker(generation, resume, onMessage, fail);
    else this.trainer = this.startHere(generation, resume, onMessage, fail);
  }

  private startWorker(generation: number, resume: string | null, onMessage: (m: FromTrainer) => void, fail: (e: unknown) => void): TrainerHandle {
    const worker = new Worker(scriptOf('trainer'), { workerData: { __sigpropServeTrainer: 1, cfg: this.config(resume) } });
    let exited = false;
    const threadId = worker.threadId;
    const exit = new Promise<void>((resolve) => worker.once('exit', () => {
      exited = true;
      // weights it shared and never posted (terminated after the grace period, mid-publish); what it
      // posted was handled as it arrived
      torch.unshareFrom(threadId);
      resolve();
    }));
    worker.on('message', onMessage);
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (generation !== this.generation) return;
      if (this.state !== 'failed' && this.state !== 'finished' && this.state !== 'stopped') fail(new Error(`the training worker exited with code ${code}`));
    });
    return {
      generation,
      threadId,
      post: (m) => worker.postMessage(m),
      end: async (graceMs) => {
        if (exited) return;
        worker.postMessage({ type: 'stop' });
        const timer = setTimeout(() => void worker.terminate(), graceMs);
        await exit;
        clearTimeout(timer);
      },
    };
  }

  private startHere(generation: number, resume: string | null, onMessage: (m: FromTrainer) => void, fail: (e: unknown) => void): TrainerHandle {
    let deliver: ((m: ToTrainer) => void) | null = null;
    const ch: Channel = {
      send: (m) => setImmediate(() => onMessage(m)),
      onMessage: (f) => (deliver = f),
      shareWeights: (sd) => sd,
    };
    let done = false;
    const run = train(this.config(resume), ch).then(() => {
      done = true;
    }, (e: unknown) => {
      done = true;
      fail(e);
    });
    return {
      generation,
      threadId: 0,
      post: (m) => setImmediate(() => deliver?.(m)),
      end: async () => {
        if (done) return;
        deliver?.({ type: 'stop' });
        await run;
      },
    };
  }

  private onTrainerMessage(m: FromTrainer): void {
    switch (m.type) {
      case 'ready':
        this.ready = m;
        this.state = 'running';
        if (m.resumedFrom === null) {
          this.points = [];
          this.tests = [];
        } else {
          // keep the curves up to the snapshot's step
          this.points = this.points.filter((p) => p.step <= m.step);
          this.tests = this.tests.filter((p) => p.step <= m.step);
        }
        break;
      case 'progress': {
        const { points, tests, type: _t, ...rest } = m;
        this.progress = rest;
        this.points.push(...points);
        if (this.points.length > MAX_POINTS) this.points = this.points.filter((_, i) => i % 2 === 1 || i === this.points.length - 1);
        this.tests.push(...tests);
        break;
      }
      case 'weights': {
        // token by token: the posted object may come from another realm (under jest), which fromShared's structure walk skips
        const sd = (this.trainOn === 'worker' ? Object.fromEntries(Object.entries(m.sd as Record<string, unknown>).map(([k, v]) => [k, torch.fromShared(v)])) : m.sd) as Record<string, Tensor>;
        try {
          torch.noGrad(() => this.predictor.wrapper.loadStateDict(sd));
          this.weights = { step: m.step, epoch: m.epoch, at: new Date().toISOString() };
        } finally {
          torch.dispose(sd);
        }
        break;
      }
      case 'snapshot': {
        const p = this.pendingSnapshots.get(m.id);
        if (p) {
          clearTimeout(p.timer);
          this.pendingSnapshots.delete(m.id);
          p.resolve(m);
        }
        if (m.ok) this.lastSnapshot = { path: m.path as string, step: m.step as number, bytes: m.bytes as number, at: new Date().toISOString() };
        break;
      }
      case 'paused': this.state = 'paused'; break;
      case 'resumed': this.state = 'running'; break;
      case 'finished': this.state = 'finished'; break;
      case 'stopped': this.state = 'stopped'; break;
    }
  }

  // ---- the endpoints --------------------------------------------------------------------------------------------------------
  /** What GET /status answers. */
  status(): Record<string, unknown> {
    const p = this.progress;
    return {
      state: this.state,
      trainOn: this.trainOn,
      threadId: this.trainer?.threadId ?? null,
      error: this.error,
      restarts: this.restarts,
      epoch: p?.epoch ?? this.ready?.epoch ?? 0,
      epochs: this.args.epochs,
      step: p?.step ?? this.ready?.step ?? 0,
      stepInEpoch: p?.stepInEpoch ?? 0,
      stepsPerEpoch: p?.stepsPerEpoch ?? this.ready?.stepsPerEpoch ?? null,
      loss: p && Number.isFinite(p.loss) ? p.loss : null,
      acc: p && Number.isFinite(p.acc) ? p.acc : null,
      stepsPerSecond: p?.stepsPerSecond ?? 0,
      layers: p?.layers ?? [],
      testAcc: this.tests.length ? this.tests[this.tests.length - 1].acc : null,
      history: { train: this.points, test: this.tests },
      weights: this.weights,
      snapshot: this.lastSnapshot,
      snapshotPath: this.snapshotPath,
      model: { example: this.example, dataset: this.args.dataset, model: this.args.model, numHidden: this.args.numHidden, signalCh: this.args.signalCh, batchSize: this.args.batchSize, lr: this.args.lr, sigprop: this.args.sigprop },
      uptimeSeconds: (Date.now() - this.startedAt) / 1000,
    };
  }

  /** Class probabilities of images (784 numbers in [0, 255] each) from the latest published weights, in one forward pass. */
  predictMany(images: readonly Float64Array[]): Record<string, unknown>[] {
    const w = this.weights;
    if (w === null) throw new HttpError(503, 'no weights yet: the trainer has not published its first weights (see GET /status)', { 'retry-after': '1' });
    const n = images.length;
    const flat = new Float32Array(n * IMAGE_SIDE * IMAGE_SIDE);
    images.forEach((im, i) => flat.set(im, i * IMAGE_SIDE * IMAGE_SIDE));
    const probs = torch.tidy(() => torch.noGrad(() => {
      const x = this.normalize.apply(torch.tensor(flat).view(n, 1, IMAGE_SIDE, IMAGE_SIDE).div_(255));
      const out = this.predictor.wrapper.forward(x, null);
      return F.softmax(out, 1).contiguous().toTypedArray() as Float32Array;
    }));
    const k = probs.length / n;
    return images.map((_, i) => {
      const p = Array.from(probs.subarray(i * k, (i + 1) * k));
      let best = 0;
      for (let j = 1; j < k; j++) if (p[j] > p[best]) best = j;
      return { probabilities: p, class: best, label: this.classes[best] ?? String(best), weightsStep: w.step, weightsEpoch: w.epoch };
    });
  }

  /** Class probabilities of one image (784 numbers in [0, 255]) from the latest published weights. */
  predict(pixels: Float64Array): Record<string, unknown> {
    return this.predictMany([pixels])[0];
  }

  /** The images of /predict requests that arrived in one event-loop turn, run as one batch (at most MAX_BATCH). */
  private batch: { pixels: Float64Array; resolve: (r: Record<string, unknown>) => void; reject: (e: unknown) => void }[] = [];
  private batchPending = false;

  private predictLater(pixels: Float64Array): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.batch.push({ pixels, resolve, reject });
      if (this.batchPending) return;
      this.batchPending = true;
      setImmediate(() => {
        this.batchPending = false;
        while (this.batch.length > 0) {
          const part = this.batch.splice(0, MAX_BATCH);
          try {
            const out = this.predictMany(part.map((r) => r.pixels));
            part.forEach((r, i) => r.resolve(out[i]));
          } catch (e) {
            for (const r of part) r.reject(e);
          }
        }
      });
    });
  }

  private requireTrainer(what: string): TrainerHandle {
    if (this.trainer === null || this.state === 'failed' || this.state === 'finished' || this.state === 'stopped') {
      throw new HttpError(409, `cannot ${what}: the trainer is ${this.state}${this.state === 'failed' ? ' (POST /restart starts it again from the last snapshot)' : ''}`);
    }
    return this.trainer;
  }

  private snapshot(): Promise<Extract<FromTrainer, { type: 'snapshot' }>> {
    const t = this.requireTrainer('write a snapshot');
    const id = ++this.snapshotId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingSnapshots.delete(id);
        reject(new HttpError(504, `the trainer did not write the snapshot within ${this.snapshotTimeoutMs} ms`));
      }, this.snapshotTimeoutMs);
      this.pendingSnapshots.set(id, { resolve, reject, timer });
      t.post({ type: 'snapshot', id, path: this.snapshotPath });
    });
  }

  private async restart(): Promise<Record<string, unknown>> {
    if (this.state !== 'failed' && this.state !== 'finished' && this.state !== 'stopped') {
      throw new HttpError(409, `the trainer is ${this.state}; POST /restart starts a failed, finished or stopped trainer again`);
    }
    const old = this.trainer;
    this.trainer = null;
    if (old) await old.end(2000);
    const from = fs.existsSync(this.snapshotPath) ? this.snapshotPath : null;
    this.restarts++;
    this.startTrainer(from);
    return { state: this.state, resumeFrom: from, restarts: this.restarts };
  }

  private routes(): Record<string, Partial<Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void>>> {
    const ok = (res: http.ServerResponse, body: unknown, status = 200): void => sendJson(res, status, body);
    const r: Record<string, Partial<Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void>>> = {
      '/': {
        GET: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(PAGE), 'cache-control': 'no-store' });
          res.end(PAGE);
        },
      },
      '/status': { GET: (_req, res) => ok(res, this.status()) },
      '/predict': {
        POST: async (req, res) => {
          const body = await readBody(req, this.maxBodyBytes);
          ok(res, await this.predictLater(parseImage(body, req.headers['content-type'])));
        },
      },
      '/pause': {
        POST: async (req, res) => {
          await readBody(req, this.maxBodyBytes);
          this.requireTrainer('pause').post({ type: 'pause' });
          ok(res, { state: this.state, requested: 'pause' }, 202);
        },
      },
      '/resume': {
        POST: async (req, res) => {
          await readBody(req, this.maxBodyBytes);
          this.requireTrainer('resume').post({ type: 'resume' });
          ok(res, { state: this.state, requested: 'resume' }, 202);
        },
      },
      '/snapshot': {
        POST: async (req, res) => {
          await readBody(req, this.maxBodyBytes);
          const m = await this.snapshot();
          if (!m.ok) throw new HttpError(500, `the snapshot could not be written: ${m.error}`);
          ok(res, { path: m.path, step: m.step, bytes: m.bytes });
        },
      },
      '/restart': {
        POST: async (req, res) => {
          await readBody(req, this.maxBodyBytes);
          ok(res, await this.restart(), 202);
        },
      },
    };
    if (this.testHooks) {
      r['/debug/fail'] = {
        POST: async (req, res) => {
          const body = (await readBody(req, this.maxBodyBytes)).toString('utf8');
          this.requireTrainer('fail').post({ type: 'fail', message: body || 'test hook: the trainer was told to fail' });
          ok(res, { requested: 'fail' }, 202);
        },
      };
    }
    return r;
  }

  private routeTable: ReturnType<TrainingService['routes']> | null = null;

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const table = (this.routeTable ??= this.routes());
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      sendError(res, new HttpError(400, `bad request target ${JSON.stringify(req.url)}`));
      return;
    }
    const route = table[pathname];
    const reply = (e: unknown): void => {
      if (e instanceof HttpError) sendError(res, e);
      else sendJson(res, 500, { error: `internal error: ${(e as Error)?.message ?? String(e)}`, status: 500 });
      if (e instanceof HttpError && e.headers.connection === 'close') res.once('finish', () => req.socket.destroy());
    };
    if (!route) {
      req.resume();
      reply(new HttpError(404, `no such endpoint: ${req.method} ${pathname} (endpoints: ${Object.entries(table).map(([p, m]) => `${Object.keys(m).join('/')} ${p}`).join(', ')})`));
      return;
    }
    const h = route[req.method ?? ''];
    if (!h) {
      req.resume();
      const allow = Object.keys(route).join(', ');
      reply(new HttpError(405, `${pathname} takes ${allow}, not ${req.method}`, { allow }));
      return;
    }
    try {
      const p = h(req, res);
      if (p) p.catch(reply);
    } catch (e) {
      reply(e);
    }
  }

  /** Stops the trainer (a stop message, then terminate after graceMs), closes the server and frees the model. */
  async close(graceMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const t = this.trainer;
    this.trainer = null;
    for (const [, p] of this.pendingSnapshots) {
      clearTimeout(p.timer);
      p.reject(new HttpError(503, 'the service is closing'));
    }
    this.pendingSnapshots.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    if (t) await t.end(graceMs);
    await closing;
    this.predictor.wrapper.dispose();
    this.predictor.globalOptimizer?.dispose();
  }
}

/** The compiled script of lib/serve/<name>.ts (dist/serve/<name>.js, also when this module runs from lib/ under ts-jest). */
function scriptOf(name: string): string {
  if (__filename.endsWith('.js')) return path.join(__dirname, `${name}.js`);
  const dist = path.join(__dirname, '..', '..', 'dist', 'serve', `${name}.js`);
  if (!fs.existsSync(dist)) throw new Error(`the training service runs ${dist} in its Worker; build it first (npm run build:ts)`);
  return dist;
}

/** Makes the service and listens: `const s = await startService({ ... }, 8080)`; `s.url`, then `await s.service.close()`. */
export async function startService(options: ServiceOptions = {}, port = 0, host = '127.0.0.1'): Promise<{ service: TrainingService; url: string }> {
  const service = new TrainingService(options);
  try {
    const url = await service.listen(port, host);
    return { service, url };
  } catch (e) {
    await service.close();
    throw e;
  }
}
