/** The training service's trainer: an examples sigprop model trained on Fashion-MNIST step by step, in a Worker (or the main thread), driven by messages. */
//
// The trainer talks to the service only through messages (Channel), the same in a Worker
// (parentPort) and on the main thread (a pair of in-process queues), so both modes run this code:
//   from the service: pause, resume, snapshot {id, path}, fail {message} (test hook), stop
//   to the service:   ready, progress {...}, weights {step, epoch, sd (torch.share tokens)},
//                     snapshot {id, ok, path | error}, paused / resumed, finished, stopped
// Between two steps the trainer yields to its event loop (setImmediate), so messages are handled
// within one step. Weights are published as a clone of the state dict (consistent between steps),
// shared without a copy; a snapshot is a torch.save checkpoint written to a temporary file and
// renamed over the target (atomic on POSIX filesystems).
import * as fs from 'fs';
import * as path from 'path';
import { isMainThread, parentPort, workerData, threadId } from 'worker_threads';
import * as torch from '../torch';
import type { Tensor } from '../torch';
import { functional as F } from '../torch/nn';
import { buildDataset, DATASET_INFO, type DatasetName, type ExampleDataset } from '../data/datasets';
import { DataLoader } from '../data/dataloader';
import type { ExampleArgs, ExampleName } from '../examples/args';
import { toPythonArgs } from '../examples/args';
import { buildAll } from '../examples/runner';

export const SNAPSHOT_FORMAT = 'sigprop-serve snapshot 1';

export interface TrainerConfig {
  example: ExampleName;
  /** The examples' flags (dataset MNIST or FashionMNIST: /predict takes 28 x 28 images). */
  args: ExampleArgs;
  /** Minimum ms between two weight publications (the first one comes after the first step). */
  publishMs: number;
  /** Minimum ms between two progress messages. */
  progressMs: number;
  /** A snapshot to continue from, or null. */
  resume: string | null;
  /** numWorkers of the training DataLoader. */
  loaderWorkers: number;
}

export type ToTrainer =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'snapshot'; id: number; path: string }
  | { type: 'fail'; message: string }
  | { type: 'stop' };

export interface ProgressPoint {
  /** the global step at the end of the stretch */
  step: number;
  /** epoch + fraction */
  x: number;
  loss: number;
  acc: number;
}

export interface TestPoint {
  epoch: number;
  step: number;
  loss: number;
  acc: number;
}

export type FromTrainer =
  | { type: 'ready'; epoch: number; step: number; stepsPerEpoch: number; epochs: number; resumedFrom: string | null; threadId: number }
  | { type: 'progress'; epoch: number; step: number; stepInEpoch: number; stepsPerEpoch: number; loss: number; acc: number; stepsPerSecond: number; points: ProgressPoint[]; tests: TestPoint[]; layers: { name: string; loss: number | null; acc: number | null }[] }
  | { type: 'weights'; step: number; epoch: number; sd: unknown }
  | { type: 'snapshot'; id: number; ok: boolean; path?: string; step?: number; bytes?: number; error?: string }
  | { type: 'paused' | 'resumed' | 'finished' | 'stopped'; step: number };

/** Both ends of the trainer's messages. */
export interface Channel {
  send(m: FromTrainer): void;
  /** Registers the handler of the service's messages. */
  onMessage(f: (m: ToTrainer) => void): void;
  /** Hands weights over: the tokens of torch.share in a Worker, the cloned tensors themselves on the main thread. */
  shareWeights(sd: Record<string, Tensor>): unknown;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The dataset's info, for the service's model (the same one the trainer builds). */
export function datasetInfo(a: ExampleArgs): { numClasses: number; inputCh: number; inputDim: number } {
  return DATASET_INFO[a.dataset as DatasetName];
}

/** Writes a snapshot atomically: torch.save to path.tmp-<pid>-<time>, fsync, then rename over path. Returns its size. */
function saveAtomic(obj: unknown, file: string): number {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    torch.save(obj, tmp);
    // on disk before the rename (a crash then leaves the old snapshot or the new one, never a torn one)
    const fd = fs.openSync(tmp, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    const size = fs.statSync(tmp).size;
    fs.renameSync(tmp, file);
    return size;
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // not written
    }
    throw e;
  }
}

/** Runs the training until its epochs are done or it is stopped; throws what the training throws. */
export async function train(cfg: TrainerConfig, ch: Channel): Promise<void> {
  const a = cfg.args;
  const example = cfg.example;
  const queue: ToTrainer[] = [];
  let wake: (() => void) | null = null;
  ch.onMessage((m) => {
    queue.push(m);
    if (wake) wake();
  });

  torch.manualSeed(a.seed);
  const dataGen = new torch.Generator().manualSeed(a.seed);
  const name = a.dataset as DatasetName;
  const cutout = a.cutout ? { nPatches: a.nPatches, length: a.length } : null;
  let trainSet: ExampleDataset | null = null, testSet: ExampleDataset | null = null;
  let built: ReturnType<typeof buildAll> | null = null;
  let ck: Record<string, unknown> | null = null;
  try {
    trainSet = buildDataset(name, { dataDir: a.dataDir, train: true, cutout, generator: dataGen }).dataset;
    testSet = buildDataset(name, { dataDir: a.dataDir, train: false }).dataset;
    const info = DATASET_INFO[name];
    const b = buildAll(example, a, info);
    built = b;
    // ex4's top-6 loss needs batches of 6 or more
    const minBatch = a.sigprop && example === 'ex4' ? 6 : 1;
    const rest = (n: number): boolean => n % a.batchSize !== 0 && n % a.batchSize < minBatch;
    const loader = new DataLoader(trainSet, { batchSize: a.batchSize, shuffle: true, generator: dataGen, dropLast: rest(trainSet.length), numWorkers: cfg.loaderWorkers });
    const testLoader = new DataLoader(testSet, { batchSize: a.batchSize, dropLast: rest(testSet.length) });
    const stepsPerEpoch = a.steps > 0 ? Math.min(a.steps, loader.length) : loader.length;
    const testSteps = a.testSteps > 0 ? Math.min(a.testSteps, testLoader.length) : testLoader.length;

    let epoch = 0, stepInEpoch = 0, globalStep = 0;
    let tests: TestPoint[] = [];
    let epochDataState: Tensor | null = null;
    if (cfg.resume !== null) {
      ck = torch.load(cfg.resume, { mapLocation: 'cpu' }) as Record<string, unknown>;
      if (ck.format !== SNAPSHOT_FORMAT) throw new Error(`${cfg.resume} is not a snapshot of the training service (format ${JSON.stringify(ck.format)})`);
      b.wrapper.loadStateDict(ck.state_dict as Record<string, unknown>);
      if (b.globalOptimizer && ck.optimizer) b.globalOptimizer.loadStateDict(ck.optimizer as never);
      const locals = ck.local_optimizers as Record<string, unknown>;
      for (const [n, o] of b.localOptimizers) if (locals && locals[n]) o.loadStateDict(locals[n] as never);
      torch.setRngState(ck.rng_state as Tensor);
      dataGen.setState(ck.data_rng_state as Tensor); // as at the start of the snapshot's epoch
      epoch = ck.epoch as number;
      stepInEpoch = ck.step_in_epoch as number;
      globalStep = ck.step as number;
      tests = JSON.parse(ck.tests as string) as TestPoint[];
      torch.dispose(ck);
      ck = null;
    }
    ch.send({ type: 'ready', epoch, step: globalStep, stepsPerEpoch, epochs: a.epochs, resumedFrom: cfg.resume, threadId });

    let paused = false;
    let failWith: string | null = null;
    let stop = false;
    let lastPublish = 0;
    const publish = (): void => {
      const sd = torch.tidy(() => {
        const own = b.wrapper.stateDict();
        const copy: Record<string, Tensor> = {};
        for (const [k, v] of Object.entries(own)) copy[k] = (v as Tensor).detach().clone();
        return torch.keep(copy);
      });
      let shared: unknown;
      try {
        shared = ch.shareWeights(sd);
      } catch (e) {
        torch.dispose(sd);
        throw e;
      }
      if (shared !== sd) torch.dispose(sd);
      ch.send({ type: 'weights', step: globalStep, epoch, sd: shared });
      lastPublish = Date.now();
    };
    const snapshot = (m: { id: number; path: string }): void => {
      try {
        const bytes = torch.tidy(() => saveAtomic({
          format: SNAPSHOT_FORMAT,
          example,
          args: toPythonArgs(a),
          epoch,
          step_in_epoch: stepInEpoch,
          step: globalStep,
          state_dict: b.wrapper.stateDict(),
          optimizer: b.globalOptimizer ? b.globalOptimizer.stateDict() : null,
          local_optimizers: Object.fromEntries(b.localOptimizers.map(([n, o]) => [n, o.stateDict()])),
          rng_state: torch.getRngState(),
          data_rng_state: epochDataState ?? dataGen.getState(),
          tests: JSON.stringify(tests),
        }, m.path));
        ch.send({ type: 'snapshot', id: m.id, ok: true, path: path.resolve(m.path), step: globalStep, bytes });
      } catch (e) {
        ch.send({ type: 'snapshot', id: m.id, ok: false, error: (e as Error).message });
      }
    };
    /** Handles the queued messages; while paused, waits for more. */
    const control = async (): Promise<void> => {
      for (;;) {
        while (queue.length > 0) {
          const m = queue.shift() as ToTrainer;
          if (m.type === 'pause' && !paused) {
            paused = true;
            if (globalStep > 0) publish(); // /predict answers with the weights training stopped at
            sendProgress(true); // and /status with its step
            ch.send({ type: 'paused', step: globalStep });
          } else if (m.type === 'resume' && paused) {
            paused = false;
            ch.send({ type: 'resumed', step: globalStep });
          } else if (m.type === 'snapshot') snapshot(m);
          else if (m.type === 'fail') failWith = m.message;
          else if (m.type === 'stop') stop = true;
        }
        if (failWith !== null) throw new Error(failWith);
        if (!paused || stop) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    };

    // progress: running means over stretches of steps, sent every progressMs
    let lossSum = 0, hitSum = 0, count = 0;
    let pending: ProgressPoint[] = [];
    let pendingTests: TestPoint[] = [];
    let lastProgress = 0;
    let rateSteps = 0, rateT0 = Date.now(), rate = 0;
    const stretch = Math.max(1, Math.ceil(stepsPerEpoch / 50));
    const sendProgress = (force: boolean): void => {
      const now = Date.now();
      if (!force && now - lastProgress < cfg.progressMs) return;
      if (now - rateT0 >= 250 || force || (rate === 0 && rateSteps > 0 && now > rateT0)) {
        rate = (rateSteps * 1000) / Math.max(1, now - rateT0);
        rateSteps = 0;
        rateT0 = now;
      }
      const layers = (b.monitorMain?.monitors ?? []).map((m) => {
        const lm = m as unknown as { name?: string; lossSum?: number; accSum?: number; count?: number };
        const c = lm.count ?? 0;
        return { name: lm.name ?? m.constructor.name, loss: c > 0 ? (lm.lossSum as number) / c : null, acc: c > 0 ? (lm.accSum as number) / c : null };
      });
      const last = pending.length ? pending[pending.length - 1] : null;
      ch.send({ type: 'progress', epoch, step: globalStep, stepInEpoch, stepsPerEpoch, loss: last ? last.loss : NaN, acc: last ? last.acc : NaN, stepsPerSecond: rate, points: pending, tests: pendingTests, layers });
      pending = [];
      pendingTests = [];
      lastProgress = now;
    };

    for (; epoch < a.epochs && !stop; epoch++) {
      if (epochDataState) epochDataState.dispose();
      epochDataState = torch.keep(dataGen.getState());
      b.monitorMain?.reset();
      let k = 0;
      for await (const [xb, yb] of loader) {
        if (k < stepInEpoch) {
          // resumed mid-epoch: the batches before the snapshot's step (the same order: the epoch's data state)
          torch.dispose([xb, yb]);
          if (++k >= stepsPerEpoch) break;
          continue;
        }
        let r: [number, number, number];
        try {
          r = torch.tidy(() => {
            b.wrapper.train();
            const output = b.wrapper.forward(xb, yb);
            const hits = torch.noGrad(() => output.argmax(1).eq(yb).sum().item() as number);
            const loss = F.crossEntropy(output, yb);
            if (b.globalOptimizer) {
              b.globalOptimizer.zeroGrad();
              loss.backward();
              b.globalOptimizer.step();
            }
            return [loss.item() as number, hits, xb.shape[0]];
          });
        } finally {
          torch.dispose([xb, yb]);
        }
        k++;
        stepInEpoch = k;
        globalStep++;
        rateSteps++;
        lossSum += r[0] * r[2];
        hitSum += r[1];
        count += r[2];
        if (globalStep % stretch === 0 || k >= stepsPerEpoch) {
          pending.push({ step: globalStep, x: epoch + k / stepsPerEpoch, loss: lossSum / count, acc: hitSum / count });
          lossSum = hitSum = count = 0;
        }
        if (lastPublish === 0 || Date.now() - lastPublish >= cfg.publishMs) publish();
        sendProgress(false);
        await yieldToEventLoop();
        await control();
        if (stop || k >= stepsPerEpoch) break;
      }
      if (stop) break;
      // the test pass at the end of each epoch (testSteps batches)
      b.wrapper.eval();
      let tl = 0, th = 0, tn = 0, ts = 0;
      for await (const [xb, yb] of testLoader) {
        const [l, h] = torch.tidy(() => torch.noGrad(() => {
          const out = b.wrapper.forward(xb, yb);
          return [F.crossEntropy(out, yb).item() as number, out.argmax(1).eq(yb).sum().item() as number];
        }));
        tl += l * xb.shape[0];
        th += h;
        tn += xb.shape[0];
        torch.dispose([xb, yb]);
        await yieldToEventLoop();
        await control();
        if (stop || ++ts >= testSteps) break;
      }
      if (stop) break;
      const tp = { epoch, step: globalStep, loss: tl / tn, acc: th / tn };
      tests.push(tp);
      pendingTests.push(tp);
      stepInEpoch = 0;
      publish();
      sendProgress(true);
    }
    sendProgress(true);
    ch.send({ type: stop ? 'stopped' : 'finished', step: globalStep });
    if (epochDataState) epochDataState.dispose();
  } finally {
    if (ck) torch.dispose(ck);
    built?.wrapper.dispose();
    built?.globalOptimizer?.dispose();
    trainSet?.dispose();
    testSet?.dispose();
  }
}

/** The Worker's entry: runs train() with parentPort; a training error ends the Worker with that error. */
function workerMain(): void {
  const port = parentPort;
  if (port === null) return;
  const cfg = (workerData as { cfg: TrainerConfig }).cfg;
  const ch: Channel = {
    send: (m) => port.postMessage(m),
    onMessage: (f) => port.on('message', f),
    shareWeights: (sd) => torch.share(sd),
  };
  train(cfg, ch).then(
    () => port.close(),
    (e: unknown) => {
      // an uncaught error: the service sees it as the Worker's 'error' event
      setImmediate(() => {
        throw e;
      });
    },
  );
}

if (!isMainThread && (workerData as { __sigpropServeTrainer?: number } | null)?.__sigpropServeTrainer === 1) workerMain();
