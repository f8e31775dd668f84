/**
 * Training and evaluation of the examples: Python's Runner (ordinary backprop on the global loss:
 * the baseline without --sigprop) and RunnerSigprop (the same loop for a sigprop model: the layers
 * learn inside the forward pass, the global loss trains the output layer; the monitors are reset
 * before and printed after each training epoch and each test), checkpoints (SaveModel), resuming,
 * the training curves and Ctrl-C.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../torch';
import { Tensor } from '../torch/tensor';
import * as nn from '../torch/nn';
import * as optim from '../torch/optim';
import * as sigprop from '../sigprop';
import { buildDataset, DataLoader, DatasetName, ExampleDataset } from '../data';
import { joinGroup, trainSampler, makeDataParallel, syncBuffers, leaveGroup, type DistRun } from './distributed';
import { ExampleArgs, ExampleName, fromPythonArgs, shellJoin, toPythonArgs, validateArgs } from './args';
import { buildModel, buildOptimizer, buildSigprop, countAllParameters, countParameters, ModelWrapper } from './models';
import { LayerMetrics, Output, PhaseInfo } from './progress';
import { EpochRecord, TrainPoint, curvesSvg, writeFileAtomic } from './plot';
import { ExamplesPipeline } from '../sigprop/pipeline/examples';

type Module = nn.Module;
const F = nn.functional;

/** An error that ends the run with a message (no stack) and exit status 1. */
export class RunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}

export const CHECKPOINT_FILE = 'chkp_last_epoch.tar';
export const CURVES_FILE = 'curves.svg';
export const CHECKPOINT_FORMAT = 'sigprop-examples checkpoint 1';

export interface RunRequest {
  example: ExampleName;
  args: ExampleArgs;
  /** flags given on the command line (they override a resumed checkpoint's args) */
  given: Set<keyof ExampleArgs>;
  /** the command line, for the logs and the plot title */
  argv: string[];
  out: Output;
  /** registers the Ctrl-C handler; returns the function that removes it (tests pass their own) */
  onInterrupt?: (handler: () => void) => () => void;
}

/** A model of the examples with everything a run needs. */
export interface Built {
  wrapper: ModelWrapper;
  model: Module;
  monitorMain: sigprop.monitors.Group | null;
  globalOptimizer: optim.Optimizer | null;
  /** [module path, optimizer] of every layer that learns on its own (the signal first) */
  localOptimizers: [string, optim.Optimizer][];
}

/** ex2 / ex4's main() up to the model: the signal and manager (with --sigprop), the model, its wrapper and optimizers. */
export function buildAll(example: ExampleName, a: ExampleArgs, info: { inputDim: number; inputCh: number; numClasses: number }): Built {
  let model: Module;
  let monitorMain: sigprop.monitors.Group | null = null;
  if (a.sigprop) {
    const sp = buildSigprop(example, a, info);
    monitorMain = sp.monitorMain;
    model = buildModel(a, info, sp.manager, sp.inputCh);
  } else {
    model = buildModel(a, info, null, null);
  }
  const wrapper = new ModelWrapper(model, a.sigprop);
  const globalOptimizer = buildOptimizer(a, model);
  const localOptimizers: [string, optim.Optimizer][] = [];
  for (const [name, m] of wrapper.namedModules()) {
    if (m instanceof sigprop.propagators.Loss || m instanceof sigprop.propagators.signals.Loss) {
      if (m.optimizer instanceof optim.Optimizer) localOptimizers.push([name, m.optimizer]);
    }
  }
  return { wrapper, model, monitorMain, globalOptimizer, localOptimizers };
}

/** The monitors' numbers (LabelMetrics: lossSum, accSum, count). */
function monitorMetrics(group: sigprop.monitors.Group | null): LayerMetrics[] {
  if (group === null) return [];
  return group.monitors.map((m, index) => {
    const lm = m as sigprop.monitors.loss.LabelMetrics;
    const count = lm.count ?? 0;
    return { index, name: lm.name ?? m.constructor.name, loss: count > 0 ? lm.lossSum / count : null, acc: count > 0 ? lm.accSum / count : null, count };
  });
}

/** The monitors' running sums, to take means over a stretch of steps. */
function monitorSums(group: sigprop.monitors.Group | null): { name: string; lossSum: number; accSum: number; count: number }[] {
  if (group === null) return [];
  return group.monitors.map((m) => {
    const lm = m as sigprop.monitors.loss.LabelMetrics;
    return { name: lm.name ?? m.constructor.name, lossSum: lm.lossSum ?? 0, accSum: lm.accSum ?? 0, count: lm.count ?? 0 };
  });
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function resolveDevice(a: ExampleArgs): string {
  const available = torch.cuda.isAvailable();
  if (a.device === 'cuda') {
    if (!available) {
      throw new RunError(`--device cuda: CUDA is not available (${torch.buildInfo().cuda ? 'this libtorch has CUDA, but no device was found' : 'this libtorch is a CPU-only build'}); run \`npx sigprop doctor\`, or use --device cpu`);
    }
    return 'cuda';
  }
  if (a.device === 'cpu' || a.noCuda) return 'cpu';
  return available ? 'cuda' : 'cpu';
}

/** Flags that --resume does not restore from the checkpoint: they describe the machine and the output, not the run. */
export const NOT_RESUMED: readonly (keyof ExampleArgs)[] = ['device', 'noCuda', 'threads', 'json', 'progress', 'distributed', 'pipelineStages'];

/** The checkpoint's content as loaded (torch.load of a file written by saveCheckpoint). */
interface LoadedCheckpoint {
  epoch: number;
  args: Record<string, unknown>;
  state_dict: Record<string, Tensor>;
  optimizer: optim.OptimizerStateDict | null;
  local_optimizers?: Record<string, optim.OptimizerStateDict>;
  lr_schedulers?: Record<string, unknown>[];
  rng_state?: Tensor;
  data_rng_state?: Tensor;
  history?: string;
  example?: string;
  format?: string;
  interrupted?: { epoch: number; step: number; phase: string } | null;
}

function get(o: unknown, k: string): unknown {
  if (o instanceof Map) return o.get(k);
  if (typeof o === 'object' && o !== null) return (o as Record<string, unknown>)[k];
  return undefined;
}

function readCheckpoint(file: string): LoadedCheckpoint {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new RunError(`--resume: no checkpoint file at '${file}'`);
  let ck: unknown;
  try {
    ck = torch.load(file, { mapLocation: 'cpu' });
  } catch (e) {
    throw new RunError(`--resume: ${(e as Error).message}`);
  }
  const fail = (why: string): never => {
    torch.dispose(ck);
    throw new RunError(`--resume: '${file}' is not a checkpoint of sigprop-examples (${why})`);
  };
  if (typeof ck !== 'object' || ck === null) fail('not a dictionary');
  if (typeof get(ck, 'epoch') !== 'number') fail("no 'epoch'");
  if (typeof get(ck, 'state_dict') !== 'object') fail("no 'state_dict'");
  if (typeof get(ck, 'args') !== 'object') fail("no 'args'");
  return ck as LoadedCheckpoint;
}

type DatasetInfo = { inputDim: number; inputCh: number; numClasses: number };
type Interrupted = { epoch: number; step: number; phase: string };
type TrainResult = PhaseInfo & { interrupted: boolean; points: TrainPoint[] };
type TestResult = PhaseInfo & { interrupted: boolean };

/** What a run owns and frees at its end (whatever was made before an error). */
interface Resources {
  ck: LoadedCheckpoint | null;
  train: ExampleDataset | null;
  test: ExampleDataset | null;
  built: Built | null;
  removeInterrupt: (() => void) | null;
}

/** A run in progress: the flags, the model, the loaders and what the epochs share. */
interface Run {
  example: ExampleName;
  a: ExampleArgs;
  out: Output;
  device: string;
  b: Built;
  trainLoader: DataLoader;
  testLoader: DataLoader;
  stepsPerEpoch: number;
  testSteps: number;
  schedulers: optim.lrScheduler.MultiStepLR[];
  dataGen: torch.Generator;
  history: EpochRecord[];
  /** the first epoch to run (after a resumed checkpoint's last) */
  startEpoch: number;
  /** set by the Ctrl-C handler: stop after the current step */
  stop: { requested: boolean };
  /** with --distributed: this rank and its share of the training set */
  dist: DistRun | null;
  /** --pipeline-stages: the stages that train and test (the model here gets their state at epoch ends) */
  pipe: ExamplesPipeline | null;
  info: DatasetInfo;
}

/**
 * Runs one example: returns the exit status (0, or 130 after Ctrl-C). Throws UsageError for bad
 * flag values (exit 2; after --resume merged the checkpoint's flags) and RunError / other errors (exit 1).
 */
export async function runExample(req: RunRequest): Promise<number> {
  const tStart = Date.now();
  const res: Resources = { ck: null, train: null, test: null, built: null, removeInterrupt: null };
  const { a, device } = setUp(req, res);
  const dataGen = new torch.Generator().manualSeed(a.seed);
  let pipe: ExamplesPipeline | null = null;
  try {
    const run = prepare(req, a, device, dataGen, res);
    if (a.pipelineStages > 0) pipe = run.pipe = await startPipeline(run);
    const saver = new Saver(run, req.argv);
    const { epochsRun, interruptedAt, trainSeconds, testSeconds } = await runEpochs(run, saver);
    summarize(run, saver, epochsRun, interruptedAt, trainSeconds, testSeconds, tStart);
    return interruptedAt !== null ? 130 : 0;
  } finally {
    await pipe?.close();
    res.removeInterrupt?.();
    req.out.close();
    if (res.ck !== null) torch.dispose(res.ck);
    res.built?.wrapper.dispose();
    res.built?.globalOptimizer?.dispose();
    res.train?.dispose();
    res.test?.dispose();
    if (req.args.distributed) leaveGroup();
  }
}

// ---- setup ----------------------------------------------------------------------------------------------------------

/** The flags (with --resume: the checkpoint's, then the flags given now, as SaveModel.load), checked; the device; threads and seed. */
function setUp(req: RunRequest, res: Resources): { a: ExampleArgs; device: string } {
  const { example, out } = req;
  let a = req.args;
  if (a.resume !== '') {
    const ck = readCheckpoint(a.resume);
    res.ck = ck;
    const saved = fromPythonArgs(ck.args as Record<string, unknown>);
    // the flags about this machine and this invocation's output are not taken from the checkpoint
    for (const k of NOT_RESUMED) (saved as unknown as Record<string, unknown>)[k] = (a as unknown as Record<string, unknown>)[k];
    for (const k of req.given) (saved as unknown as Record<string, unknown>)[k] = (a as unknown as Record<string, unknown>)[k];
    saved.resume = a.resume;
    a = saved;
    if (ck.example !== undefined && ck.example !== example) out.note(`note: the checkpoint was written by ${ck.example}; continuing with ${example}`);
  }
  let device: string;
  try {
    validateArgs(a, example);
    device = resolveDevice(a);
  } catch (e) {
    if (res.ck) torch.dispose(res.ck);
    res.ck = null;
    throw e;
  }
  if (a.threads > 0) torch.setNumThreads(a.threads);
  torch.manualSeed(a.seed);
  return { a, device };
}

/** The datasets and loaders (build_dataset, build_dataloader), the model, the resumed state, the start event and the Ctrl-C handler. */
function prepare(req: RunRequest, a: ExampleArgs, device: string, dataGen: torch.Generator, res: Resources): Run {
  const { example, out } = req;
  const cutout = a.cutout ? { nPatches: a.nPatches, length: a.length } : null;
  const name = a.dataset as DatasetName;
  let info: DatasetInfo;
  try {
    const tr = buildDataset(name, { dataDir: a.dataDir, train: true, cutout, generator: dataGen });
    res.train = tr.dataset;
    info = tr.info;
    res.test = buildDataset(name, { dataDir: a.dataDir, train: false }).dataset;
  } catch (e) {
    if ((e as Error).name === 'DatasetNotFoundError' || (e as Error).name === 'DatasetFormatError') throw new RunError((e as Error).message);
    throw e;
  }
  const train = res.train, test = res.test;
  // ex4's loss takes the 6 most similar samples of the batch: a last batch of fewer samples would
  // fail (in the original too), so such a batch is dropped
  const minBatch = a.sigprop && example === 'ex4' ? 6 : 1;
  const dropLast = (n: number, what: string): boolean => {
    const rest = n % a.batchSize;
    if (rest === 0 || rest >= minBatch) return false;
    out.note(`note: the last ${what} batch would have ${rest} sample(s), fewer than the 6 that ex4's loss (v15, top-6) needs: it is left out`);
    return true;
  };
  let dist: DistRun | null = null;
  if (a.distributed) {
    const g = joinGroup(device);
    dist = { ...g, sampler: trainSampler(train, a.seed) };
  }
  const trainLoader = dist
    ? new DataLoader(train, { batchSize: a.batchSize, sampler: dist.sampler, dropLast: dropLast(dist.sampler.length, 'training') })
    : new DataLoader(train, { batchSize: a.batchSize, shuffle: true, generator: dataGen, dropLast: dropLast(train.length, 'training') });
  const testLoader = new DataLoader(test, { batchSize: a.batchSize, shuffle: false, dropLast: dropLast(test.length, 'test') });

  const b = buildAll(example, a, info);
  res.built = b;
  if (device !== 'cpu') b.wrapper.to(device);
  if (dist) makeDataParallel(b);
  const optimizers: optim.Optimizer[] = [...(b.globalOptimizer ? [b.globalOptimizer] : []), ...b.localOptimizers.map(([, o]) => o)];
  const schedulers = optimizers.map((o) => new optim.lrScheduler.MultiStepLR(o, a.lrDecayMilestones, { gamma: a.lrDecayFact }));

  let history: EpochRecord[] = [];
  let startEpoch = 0;
  if (res.ck !== null) {
    const c = res.ck;
    history = restoreCheckpoint(c, b, schedulers, dataGen);
    startEpoch = c.epoch + 1;
    out.resumed(a.resume, c.epoch);
    torch.dispose(c);
    res.ck = null;
  }

  const testSteps = a.testSteps > 0 ? Math.min(a.testSteps, testLoader.length) : testLoader.length;
  const stepsPerEpoch = a.steps > 0 ? Math.min(a.steps, trainLoader.length) : trainLoader.length;
  out.start({
    example, argv: req.argv, args: toPythonArgs(a), device, threads: torch.getNumThreads(), datasetInfo: info,
    trainSize: train.length, testSize: test.length, stepsPerEpoch, testSteps,
    modelName: a.model, modelRepr: b.wrapper.toString(), globalParameters: countParameters(b.wrapper), allParameters: countAllParameters(b.wrapper),
    resumedFrom: a.resume || null, startEpoch,
  });

  const run: Run = { example, a, out, device, b, trainLoader, testLoader, stepsPerEpoch, testSteps, schedulers, dataGen, history, startEpoch, stop: { requested: false }, dist, pipe: null, info };
  res.removeInterrupt = onCtrlC(req, run);
  return run;
}

/** --pipeline-stages: the stages, started from the model built here (balanced on the first test batch). */
async function startPipeline(run: Run): Promise<ExamplesPipeline> {
  if (run.device !== 'cpu') throw new RunError(`--pipeline-stages: the stages run on the CPU, but the device is ${run.device}; add --device cpu`);
  const it = run.testLoader[Symbol.iterator]();
  const first = it.next();
  it.return?.();
  const sample = first.done ? null : first.value;
  try {
    const pipe = await ExamplesPipeline.start(run.example, toPythonArgs(run.a), run.info, run.b, run.a.pipelineStages, sample, run.a.threads > 0 ? run.a.threads : 1);
    run.out.note(`pipeline: ${run.a.pipelineStages} stage(s), starting at units ${[0, ...pipe.pipe.boundaries].map((i) => `${i} (${pipe.pipe.units[i].name})`).join(', ')}`);
    return pipe;
  } finally {
    if (sample) torch.dispose(sample);
  }
}

/** The model's, optimizers', schedulers' and random generators' state from a checkpoint; returns its history. */
function restoreCheckpoint(c: LoadedCheckpoint, b: Built, schedulers: optim.lrScheduler.MultiStepLR[], dataGen: torch.Generator): EpochRecord[] {
  try {
    b.wrapper.loadStateDict(c.state_dict as unknown as Record<string, unknown>);
  } catch (e) {
    throw new RunError(`--resume: the checkpoint does not fit the model built from the flags (${(e as Error).message.split('\n')[0]} ...); resume with the flags of the run that wrote it`);
  }
  if (b.globalOptimizer && c.optimizer) b.globalOptimizer.loadStateDict(c.optimizer);
  const locals = c.local_optimizers;
  for (const [n, o] of b.localOptimizers) {
    const sd = get(locals, n) as optim.OptimizerStateDict | undefined;
    if (sd) o.loadStateDict(sd);
  }
  if (Array.isArray(c.lr_schedulers) && c.lr_schedulers.length === schedulers.length) schedulers.forEach((s, i) => s.loadStateDict((c.lr_schedulers as Record<string, unknown>[])[i]));
  if (c.rng_state instanceof Tensor) torch.setRngState(c.rng_state);
  if (c.data_rng_state instanceof Tensor) dataGen.setState(c.data_rng_state);
  return typeof c.history === 'string' ? (JSON.parse(c.history) as EpochRecord[]) : [];
}

/** Ctrl-C: stop after the current step (a second one exits at once); returns the function that removes the handler. */
function onCtrlC(req: RunRequest, run: Run): () => void {
  const onInterrupt = (): void => {
    if (run.stop.requested) {
      run.out.note('second interrupt: exiting now, without saving');
      process.exit(130);
    }
    run.stop.requested = true;
    run.out.note('interrupt: stopping after the current step (Ctrl-C again to exit at once)');
  };
  const register = req.onInterrupt ?? ((h: () => void) => {
    process.on('SIGINT', h);
    return () => process.removeListener('SIGINT', h);
  });
  return register(onInterrupt);
}

// ---- checkpointing --------------------------------------------------------------------------------------------------

/** SaveModel: the checkpoint and the training curves in --save-dir/<dataset>/<model> (nothing without --save-dir). */
class Saver {
  private readonly ckptPath: string | null;
  private readonly curvesPath: string | null;
  private readonly title: string;
  private readonly command: string;
  lastSaved: string | null = null;
  lastCurves: string | null = null;

  constructor(private readonly run: Run, argv: string[]) {
    const { a, example } = run;
    // (with --distributed only rank 0 saves: every rank holds the same weights)
    const saveDir = a.saveDir !== '' && (run.dist === null || run.dist.rank === 0) ? path.join(a.saveDir, a.dataset, a.model) : null;
    if (saveDir !== null) fs.mkdirSync(saveDir, { recursive: true });
    this.ckptPath = saveDir !== null ? path.join(saveDir, CHECKPOINT_FILE) : null;
    this.curvesPath = saveDir !== null ? path.join(saveDir, CURVES_FILE) : null;
    this.title = `${example}: ${a.model} on ${a.dataset}, ${a.sigprop ? `sigprop${a.spFine ? ' (--sp-fine)' : ''}, loss ${example === 'ex2' ? 'v14' : 'v15 top-6'}` : 'backprop (no --sigprop)'}`;
    this.command = shellJoin(argv);
  }

  saveCheckpoint(lastEpoch: number, interrupted: Interrupted | null): void {
    const ckptPath = this.ckptPath;
    if (ckptPath === null) return;
    const { a, b, example, history, schedulers, dataGen } = this.run;
    torch.tidy(() => {
      const best = bestOf(history);
      torch.save({
        epoch: lastEpoch,
        args: toPythonArgs(a),
        state_dict: b.wrapper.stateDict(),
        optimizer: b.globalOptimizer ? b.globalOptimizer.stateDict() : null,
        info: { best_test_acc: best?.testAcc ?? null, best_epoch: best?.epoch ?? null, last_test_acc: history.length ? history[history.length - 1].testAcc : null },
        // not in the original's checkpoints:
        example,
        format: CHECKPOINT_FORMAT,
        local_optimizers: Object.fromEntries(b.localOptimizers.map(([n, o]) => [n, o.stateDict()])),
        lr_schedulers: schedulers.map((s) => s.stateDict()),
        rng_state: torch.getRngState(),
        data_rng_state: dataGen.getState(),
        history: JSON.stringify(history),
        interrupted,
      }, ckptPath);
    });
    this.lastSaved = ckptPath;
    this.run.out.saved('checkpoint', ckptPath, lastEpoch);
  }

  writeCurves(): void {
    if (this.curvesPath === null) return;
    const history = this.run.history;
    writeFileAtomic(this.curvesPath, curvesSvg(history, this.title, this.command));
    this.lastCurves = this.curvesPath;
    this.run.out.saved('curves', this.curvesPath, history.length ? history[history.length - 1].epoch : -1);
  }
}

// ---- the epochs -----------------------------------------------------------------------------------------------------

/** The epochs (Runner.train): train, test every --eval-freq epochs, step the schedulers, save; Ctrl-C saves and stops. */
async function runEpochs(run: Run, saver: Saver): Promise<{ epochsRun: number; interruptedAt: Interrupted | null; trainSeconds: number[]; testSeconds: number[] }> {
  const { a, b, out, history, schedulers, startEpoch } = run;
  let time = 0; // epochs run by this invocation, as the original's `time`
  let interruptedAt: { epoch: number; step: number; phase: 'train' | 'test' } | null = null;
  let lastCompleted = startEpoch - 1;
  const trainSeconds: number[] = [];
  const testSeconds: number[] = [];
  for (let epoch = startEpoch; epoch < a.epochs; epoch++) {
    const tr = await trainEpoch(run, epoch);
    if (tr.interrupted) {
      interruptedAt = { epoch, step: tr.steps, phase: 'train' };
      out.interrupt(epoch, tr.steps, 'train');
      break;
    }
    out.train(tr);
    trainSeconds.push(tr.seconds);
    let te: TestResult | null = null;
    if (time % a.evalFreq === 0) {
      if (run.dist) syncBuffers(b);
      te = await testEpoch(run, epoch);
      if (te.interrupted) {
        interruptedAt = { epoch, step: te.steps, phase: 'test' };
        out.interrupt(epoch, te.steps, 'test');
        te = null;
      } else {
        out.test(te);
        testSeconds.push(te.seconds);
      }
    }
    const lrUsed = b.globalOptimizer ? b.globalOptimizer.paramGroups[0].lr : null;
    history.push({
      epoch, points: tr.points, trainLoss: tr.loss, trainAcc: tr.acc, trainSeconds: tr.seconds, trainSteps: tr.steps,
      testLoss: te ? te.loss : null, testAcc: te ? te.acc : null, testSeconds: te ? te.seconds : null,
      layers: tr.monitors.map(({ index, name, loss, acc }) => ({ index, name, loss, acc })),
      testLayers: te ? te.monitors.map(({ index, name, loss, acc }) => ({ index, name, loss, acc })) : [],
      lr: lrUsed,
    });
    lastCompleted = epoch;
    for (const s of schedulers) s.step();
    out.epochEnd(epoch, a.epochs, tr.seconds, te ? te.seconds : null, lrUsed === null ? [] : [lrUsed]);
    time += 1;
    if (interruptedAt !== null) break;
    const last = epoch === a.epochs - 1;
    if (a.saveFreq === -1 || last || (time - 1) % a.saveFreq === 0) saver.saveCheckpoint(epoch, null);
    saver.writeCurves();
  }
  if (interruptedAt !== null) {
    saver.saveCheckpoint(lastCompleted, interruptedAt);
    saver.writeCurves();
  }
  return { epochsRun: time, interruptedAt, trainSeconds, testSeconds };
}

/** One training epoch (Runner.train_epoch, RunnerSigprop.train_epoch). */
async function trainEpoch(run: Run, epoch: number): Promise<TrainResult> {
  const { a, b, out, device, trainLoader, stepsPerEpoch } = run;
  run.dist?.sampler.setEpoch(epoch);
  b.monitorMain?.reset();
  out.epochStart(epoch, a.epochs, stepsPerEpoch);
  let lossSum = 0, correct = 0, count = 0, steps = 0, interrupted = false;
  // the curves' points: means over stretches of about a tenth of the epoch
  const points: TrainPoint[] = [];
  const every = Math.max(1, Math.ceil(stepsPerEpoch / 10));
  let mark = { lossSum: 0, correct: 0, count: 0, mons: monitorSums(b.monitorMain) };
  const addPoint = (): void => {
    const mons = monitorSums(b.monitorMain);
    const n = count - mark.count;
    if (n <= 0) return;
    points.push({
      x: epoch + steps / stepsPerEpoch, trainLoss: (lossSum - mark.lossSum) / n, trainAcc: (correct - mark.correct) / n,
      layers: mons.map((m, index) => {
        const c = m.count - (mark.mons[index]?.count ?? 0);
        return { index, name: m.name, loss: c > 0 ? (m.lossSum - (mark.mons[index]?.lossSum ?? 0)) / c : null, acc: c > 0 ? (m.accSum - (mark.mons[index]?.accSum ?? 0)) / c : null };
      }),
    });
    mark = { lossSum, correct, count, mons };
  };
  const t0 = Date.now();
  const lr = (): number => (b.globalOptimizer ? b.globalOptimizer.paramGroups[0].lr : a.lr);
  const record = (r: [number, number, number]): void => {
    const [l, hits, n] = r;
    lossSum += l * n;
    correct += hits;
    count += n;
    steps += 1;
    if (steps % every === 0 || steps >= stepsPerEpoch) addPoint();
    out.step({
      epoch, epochs: a.epochs, step: steps, steps: stepsPerEpoch, loss: lossSum / count, acc: correct / count, batchLoss: l, batchAcc: hits / n,
      lr: lr(), elapsed: (Date.now() - t0) / 1000, liveTensors: torch.memory().numTensors,
    });
  };
  const pipe = run.pipe;
  const inFlight: Promise<sigprop.pipeline.StepResult>[] = [];
  if (pipe) await pipe.resetMonitors();
  let given = 0;
  for await (const [xb, yb] of trainLoader) {
    given += 1;
    if (pipe) {
      // pipelined: keep pipe.depth batches in flight, take the results in order
      inFlight.push(pipe.train(xb, yb));
      while (inFlight.length >= pipe.depth) record(ExamplesPipeline.record(await inFlight.shift()!, b.monitorMain, pipe));
    } else {
      let r: [number, number, number];
      try {
        r = torch.tidy(() => {
          const x = device === 'cpu' ? xb : xb.to(device);
          const y = device === 'cpu' ? yb : yb.to(device);
          b.wrapper.train();
          const output = b.wrapper.forward(x, y);
          const hits = torch.noGrad(() => output.argmax(1).eq(y).sum().item() as number);
          const loss = F.crossEntropy(output, y);
          if (b.globalOptimizer) {
            b.globalOptimizer.zeroGrad();
            loss.backward();
            b.globalOptimizer.step();
          }
          return [loss.item() as number, hits, x.shape[0]];
        });
      } finally {
        xb.dispose();
        yb.dispose();
      }
      record(r);
    }
    await yieldToEventLoop();
    if (run.stop.requested) {
      interrupted = true;
      break;
    }
    if (given >= stepsPerEpoch) break;
  }
  if (pipe) {
    while (inFlight.length) record(ExamplesPipeline.record(await inFlight.shift()!, b.monitorMain, pipe));
    await pipe.syncTo(b); // the checkpoint is saved from the model here
  }
  return {
    epoch, epochs: a.epochs, loss: count ? lossSum / count : NaN, acc: count ? correct / count : NaN, count, steps, stepsTotal: trainLoader.length,
    seconds: (Date.now() - t0) / 1000, monitors: monitorMetrics(b.monitorMain), monitorText: b.monitorMain ? b.monitorMain.metrics() : '', interrupted, points,
  };
}

// ---- test -----------------------------------------------------------------------------------------------------------

/** The test (Runner.test, RunnerSigprop.test): the labels go in too, for the monitors. */
async function testEpoch(run: Run, epoch: number): Promise<TestResult> {
  const { a, b, out, device, testLoader, testSteps } = run;
  b.monitorMain?.reset();
  out.testStart(epoch, a.epochs, testSteps);
  b.wrapper.eval();
  let lossSum = 0, correct = 0, count = 0, steps = 0, interrupted = false;
  const t0 = Date.now();
  const record = (r: [number, number, number]): void => {
    lossSum += r[0] * r[2];
    correct += r[1];
    count += r[2];
    steps += 1;
    out.testStep(steps, testSteps, lossSum / count, correct / count);
  };
  const pipe = run.pipe;
  const inFlight: Promise<sigprop.pipeline.StepResult>[] = [];
  if (pipe) await pipe.resetMonitors();
  let given = 0;
  for await (const [xb, yb] of testLoader) {
    given += 1;
    if (pipe) {
      inFlight.push(pipe.test(xb, yb));
      while (inFlight.length >= pipe.depth) record(ExamplesPipeline.record(await inFlight.shift()!, b.monitorMain, pipe));
    } else {
      let r: [number, number, number];
      try {
        r = torch.tidy(() => torch.noGrad(() => {
          const x = device === 'cpu' ? xb : xb.to(device);
          const y = device === 'cpu' ? yb : yb.to(device);
          const output = b.wrapper.forward(x, y);
          const hits = output.argmax(1).eq(y).sum().item() as number;
          const loss = F.crossEntropy(output, y).item() as number;
          return [loss, hits, x.shape[0]] as [number, number, number];
        }));
      } finally {
        xb.dispose();
        yb.dispose();
      }
      record(r);
    }
    await yieldToEventLoop();
    if (run.stop.requested) {
      interrupted = true;
      break;
    }
    if (given >= testSteps) break;
  }
  if (pipe) while (inFlight.length) record(ExamplesPipeline.record(await inFlight.shift()!, b.monitorMain, pipe));
  return {
    epoch, epochs: a.epochs, loss: count ? lossSum / count : NaN, acc: count ? correct / count : NaN, count, steps, stepsTotal: testLoader.length,
    seconds: (Date.now() - t0) / 1000, monitors: monitorMetrics(b.monitorMain), monitorText: b.monitorMain ? b.monitorMain.metrics() : '', interrupted,
  };
}

/** The summary event: best and last test accuracy, times, what was saved. */
function summarize(run: Run, saver: Saver, epochsRun: number, interruptedAt: Interrupted | null, trainSeconds: number[], testSeconds: number[], tStart: number): void {
  const history = run.history;
  const best = bestOf(history);
  const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  const lastTest = [...history].reverse().find((r) => r.testAcc !== null) ?? null;
  run.out.summary({
    epochsRun, lastEpoch: history.length ? history[history.length - 1].epoch : null,
    bestTestAcc: best ? best.testAcc : null, bestEpoch: best ? best.epoch : null, lastTestAcc: lastTest ? lastTest.testAcc : null,
    secondsPerEpoch: mean(trainSeconds), testSecondsPerEpoch: mean(testSeconds), totalSeconds: (Date.now() - tStart) / 1000,
    interrupted: interruptedAt !== null, checkpoint: saver.lastSaved, curves: saver.lastCurves,
  });
}

function bestOf(history: readonly EpochRecord[]): EpochRecord | null {
  let best: EpochRecord | null = null;
  for (const r of history) if (r.testAcc !== null && (best === null || r.testAcc > (best.testAcc as number))) best = r;
  return best;
}

