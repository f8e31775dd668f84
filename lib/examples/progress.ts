/**
 * What sigprop-examples prints: the original's log lines on stdout (HumanOutput) with a progress
 * display on stderr (a bar on a terminal, periodic lines otherwise), or one JSON object per line on
 * stdout (JsonOutput, --json).
 */
import { pyFormatFixed } from '../torch/format';
import { shellJoin } from './args';

export interface LayerMetrics {
  /** position in the monitor group (the signal is 0) */
  index: number;
  /** the monitored module's class name, as the original's monitors name it */
  name: string;
  /** mean local loss over the epoch (null before any step) */
  loss: number | null;
  /** mean local accuracy over the epoch (null before any step) */
  acc: number | null;
  count: number;
}

export interface StartInfo {
  example: string;
  argv: string[];
  args: Record<string, unknown>;
  device: string;
  threads: number;
  datasetInfo: { inputDim: number; inputCh: number; numClasses: number };
  trainSize: number;
  testSize: number;
  stepsPerEpoch: number;
  testSteps: number;
  modelName: string;
  modelRepr: string;
  globalParameters: number;
  allParameters: number;
  resumedFrom: string | null;
  startEpoch: number;
}
export interface StepInfo {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  acc: number;
  batchLoss: number;
  batchAcc: number;
  lr: number;
  elapsed: number;
  liveTensors: number;
}
export interface PhaseInfo {
  epoch: number;
  epochs: number;
  loss: number;
  acc: number;
  count: number;
  steps: number;
  stepsTotal: number;
  seconds: number;
  monitors: LayerMetrics[];
  /** the monitors' own text (monitorMain.metrics()), empty without sigprop */
  monitorText: string;
}
export interface Summary {
  epochsRun: number;
  lastEpoch: number | null;
  bestTestAcc: number | null;
  bestEpoch: number | null;
  lastTestAcc: number | null;
  secondsPerEpoch: number | null;
  testSecondsPerEpoch: number | null;
  totalSeconds: number;
  interrupted: boolean;
  checkpoint: string | null;
  curves: string | null;
}

/** The events of a run. */
export interface Output {
  start(s: StartInfo): void;
  resumed(path: string, epoch: number): void;
  epochStart(epoch: number, epochs: number, steps: number): void;
  step(s: StepInfo): void;
  train(p: PhaseInfo): void;
  testStart(epoch: number, epochs: number, steps: number): void;
  testStep(step: number, steps: number, loss: number, acc: number): void;
  test(p: PhaseInfo): void;
  epochEnd(epoch: number, epochs: number, trainSeconds: number, testSeconds: number | null, lrs: number[]): void;
  saved(kind: 'checkpoint' | 'curves', path: string, epoch: number): void;
  interrupt(epoch: number, step: number, phase: 'train' | 'test'): void;
  note(message: string): void;
  summary(s: Summary): void;
  /** stop timers, clear the progress line */
  close(): void;
}

const f4 = (x: number): string => pyFormatFixed(x, 4);

/** 83 -> '1:23', 3725 -> '1:02:05' */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

type Writable = { write(s: string): unknown; isTTY?: boolean; columns?: number };

/**
 * The progress of one phase (training or test epoch) on stderr. 'bar': one line redrawn at most
 * every 100 ms; 'lines': a line at every tenth of the phase (and at most every 30 s otherwise);
 * 'none': nothing.
 */
export class Progress {
  private t0 = 0;
  private lastDraw = 0;
  private lastTenth = -1;
  private drawn = false;
  private label = '';
  private total = 0;
  constructor(private readonly stream: Writable, private readonly mode: 'bar' | 'lines' | 'none') {}
  begin(label: string, total: number): void {
    this.label = label;
    this.total = total;
    this.t0 = Date.now();
    this.lastDraw = 0;
    this.lastTenth = 0;
    this.drawn = false;
  }
  update(step: number, loss: number, acc: number): void {
    if (this.mode === 'none') return;
    const now = Date.now();
    const elapsed = (now - this.t0) / 1000;
    const perStep = step > 0 ? elapsed / step : NaN;
    const eta = (this.total - step) * perStep;
    const rate = perStep >= 1 ? `${perStep.toFixed(2)} s/step` : `${(1 / perStep).toFixed(1)} steps/s`;
    const pct = this.total > 0 ? Math.floor((100 * step) / this.total) : 100;
    if (this.mode === 'bar') {
      if (step < this.total && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 24;
      const filled = this.total > 0 ? Math.round((width * step) / this.total) : width;
      const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
      let line = `${this.label} [${bar}] ${step}/${this.total} ${String(pct).padStart(3)}% ${formatDuration(elapsed)}<${formatDuration(eta)} ${rate}  loss ${f4(loss)}  acc ${f4(acc)}`;
      const cols = this.stream.columns ?? 0;
      if (cols > 10 && line.length > cols - 1) line = line.slice(0, cols - 1);
      this.stream.write(`\r\x1b[K${line}`);
      this.drawn = true;
    } else {
      const tenth = this.total > 0 ? Math.floor((10 * step) / this.total) : 10;
      if (tenth <= this.lastTenth && step < this.total && now - this.lastDraw < 30000) return;
      if (step === this.total && tenth <= this.lastTenth && this.lastDraw !== 0 && now - this.lastDraw < 1000 && this.total > 1) return;
      this.lastTenth = tenth;
      this.lastDraw = now;
      this.stream.write(`${this.label} step ${step}/${this.total} (${pct}%)  loss ${f4(loss)}  acc ${f4(acc)}  ${rate}  elapsed ${formatDuration(elapsed)}  ETA ${formatDuration(eta)}\n`);
    }
  }
  /** Clears the bar line (the phase's result is printed as a log line). */
  end(): void {
    if (this.mode === 'bar' && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** The original's output on stdout, plus a progress display and a summary. */
export class HumanOutput implements Output {
  private readonly progress: Progress;
  constructor(private readonly out: Writable, private readonly err: Writable, progressMode: string) {
    const mode = progressMode === 'auto' ? (err.isTTY ? 'bar' : 'lines') : (progressMode as 'bar' | 'lines' | 'none');
    this.progress = new Progress(err, mode);
  }
  private line(s = ''): void {
    this.out.write(s + '\n');
  }
  start(s: StartInfo): void {
    this.line(shellJoin(s.argv));
    this.line(`dataset_info Namespace(input_dim=${s.datasetInfo.inputDim}, input_ch=${s.datasetInfo.inputCh}, num_classes=${s.datasetInfo.numClasses})`);
    this.line(pyDict(s.args));
    this.line(s.modelRepr);
    this.line(`[Global Loss] Model ${s.modelName} has ${s.globalParameters} parameters`);
    if (s.allParameters !== s.globalParameters) this.line(`[Info] ${s.allParameters} parameters in all (the signal and the layers that learn locally included)`);
    this.line(`cuda ${s.device.startsWith('cuda') ? 'True' : 'False'}`);
    this.line(`[Info] device ${s.device}, ${s.threads} thread(s); ${s.trainSize} training samples, ${s.stepsPerEpoch} steps per epoch; ${s.testSize} test samples`);
  }
  resumed(path: string, epoch: number): void {
    this.line(`[Info][Checkpoint Loaded "${path}"]\t[epoch ${epoch}]`);
  }
  epochStart(epoch: number, epochs: number, steps: number): void {
    this.line(`\n\n\n\nEpoch Start: ${epoch}`);
    this.progress.begin(`train ${epoch}/${epochs}`, steps);
  }
  step(s: StepInfo): void {
    this.progress.update(s.step, s.loss, s.acc);
  }
  train(p: PhaseInfo): void {
    this.progress.end();
    this.line(`[Info][Train  Epoch ${p.epoch}/${p.epochs}][Batch ${p.steps - 1}/${p.stepsTotal}]\t[loss ${f4(p.loss)}]\t[acc ${f4(p.acc)}]`);
    if (p.monitorText) this.line(p.monitorText);
  }
  testStart(epoch: number, epochs: number, steps: number): void {
    this.progress.begin(`test  ${epoch}/${epochs}`, steps);
  }
  testStep(step: number, steps: number, loss: number, acc: number): void {
    void steps;
    this.progress.update(step, loss, acc);
  }
  test(p: PhaseInfo): void {
    this.progress.end();
    this.line(`[Info][Test   Epoch ${p.epoch}/${p.epochs}]\t\t\t[loss ${f4(p.loss)}]\t[acc ${f4(p.acc)}]`);
    if (p.monitorText) this.line(p.monitorText);
  }
  epochEnd(epoch: number, epochs: number, trainSeconds: number, testSeconds: number | null, lrs: number[]): void {
    const lr = lrs.length ? `\t[lr ${lrs[0].toExponential(3)}]` : '';
    this.line(`[Info][Time   Epoch ${epoch}/${epochs}]\t[train ${trainSeconds.toFixed(1)} s]${testSeconds === null ? '' : `\t[test ${testSeconds.toFixed(1)} s]`}${lr}`);
  }
  saved(kind: 'checkpoint' | 'curves', path: string, epoch: number): void {
    if (kind === 'checkpoint') this.line(`[Info][Checkpoint Saved "${path}"]\t[epoch ${epoch}]`);
  }
  interrupt(epoch: number, step: number, phase: 'train' | 'test'): void {
    this.progress.end();
    this.line(`[Info][Interrupted]\t[epoch ${epoch}, ${phase} step ${step}]`);
  }
  note(message: string): void {
    this.progress.end();
    this.err.write(`${message}\n`);
  }
  summary(s: Summary): void {
    this.progress.end();
    this.line('');
    const per = s.secondsPerEpoch === null ? '' : `; train ${s.secondsPerEpoch.toFixed(1)} s per epoch${s.testSecondsPerEpoch === null ? '' : `, test ${s.testSecondsPerEpoch.toFixed(1)} s`}`;
    this.line(`[Summary] ${s.epochsRun} epoch(s) run in ${formatDuration(s.totalSeconds)}${per}${s.interrupted ? ' (interrupted)' : ''}`);
    if (s.bestTestAcc !== null) this.line(`[Summary] test accuracy: best ${f4(s.bestTestAcc)} (epoch ${s.bestEpoch}), last ${f4(s.lastTestAcc as number)}`);
    else this.line('[Summary] test accuracy: not measured');
    if (s.checkpoint) this.line(`[Summary] checkpoint: ${s.checkpoint}`);
    if (s.curves) this.line(`[Summary] training curves: ${s.curves}`);
  }
  close(): void {
    this.progress.end();
  }
}

const round = (x: number | null, d = 6): number | null => (x === null || !Number.isFinite(x) ? x : Number(x.toPrecision(d)));

/** --json: one object per line on stdout, `event` first. */
export class JsonOutput implements Output {
  constructor(private readonly out: Writable) {}
  private emit(event: string, o: Record<string, unknown>): void {
    this.out.write(JSON.stringify({ event, ...o }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n');
  }
  private monitors(m: LayerMetrics[]): Record<string, unknown>[] {
    return m.map((x) => ({ index: x.index, name: x.name, loss: round(x.loss), acc: round(x.acc), count: x.count }));
  }
  start(s: StartInfo): void {
    this.emit('start', {
      example: s.example, argv: s.argv, args: s.args, device: s.device, threads: s.threads,
      dataset_info: { input_dim: s.datasetInfo.inputDim, input_ch: s.datasetInfo.inputCh, num_classes: s.datasetInfo.numClasses },
      train_size: s.trainSize, test_size: s.testSize, steps_per_epoch: s.stepsPerEpoch, test_steps: s.testSteps,
      model: s.modelName, parameters: { global: s.globalParameters, all: s.allParameters },
      resumed_from: s.resumedFrom, start_epoch: s.startEpoch,
    });
  }
  resumed(path: string, epoch: number): void {
    this.emit('resumed', { path, epoch });
  }
  epochStart(epoch: number, epochs: number, steps: number): void {
    this.emit('epoch_start', { epoch, epochs, steps });
  }
  step(s: StepInfo): void {
    this.emit('step', {
      epoch: s.epoch, step: s.step, steps: s.steps, loss: round(s.loss), acc: round(s.acc), batch_loss: round(s.batchLoss), batch_acc: round(s.batchAcc),
      lr: s.lr, elapsed_s: round(s.elapsed, 4), live_tensors: s.liveTensors,
    });
  }
  train(p: PhaseInfo): void {
    this.emit('train', { epoch: p.epoch, loss: round(p.loss), acc: round(p.acc), count: p.count, steps: p.steps, seconds: round(p.seconds, 4), monitors: this.monitors(p.monitors) });
  }
  testStart(): void {}
  testStep(): void {}
  test(p: PhaseInfo): void {
    this.emit('test', { epoch: p.epoch, loss: round(p.loss), acc: round(p.acc), count: p.count, steps: p.steps, seconds: round(p.seconds, 4), monitors: this.monitors(p.monitors) });
  }
  epochEnd(epoch: number, epochs: number, trainSeconds: number, testSeconds: number | null, lrs: number[]): void {
    this.emit('epoch', { epoch, epochs, train_seconds: round(trainSeconds, 4), test_seconds: testSeconds === null ? null : round(testSeconds, 4), lr: lrs });
  }
  saved(kind: 'checkpoint' | 'curves', path: string, epoch: number): void {
    this.emit(kind, { path, epoch });
  }
  interrupt(epoch: number, step: number, phase: 'train' | 'test'): void {
    this.emit('interrupt', { epoch, step, phase });
  }
  note(message: string): void {
    this.emit('note', { message });
  }
  summary(s: Summary): void {
    this.emit('summary', {
      epochs_run: s.epochsRun, last_epoch: s.lastEpoch, best_test_acc: round(s.bestTestAcc), best_epoch: s.bestEpoch, last_test_acc: round(s.lastTestAcc),
      seconds_per_epoch: round(s.secondsPerEpoch, 4), test_seconds_per_epoch: round(s.testSecondsPerEpoch, 4), total_seconds: round(s.totalSeconds, 4),
      interrupted: s.interrupted, checkpoint: s.checkpoint, curves: s.curves,
    });
  }
  close(): void {}
}

/** Python's repr of a dict of flags (pprint(vars(args)) on one line per key, sorted, as pprint does for long dicts). */
function pyDict(o: Record<string, unknown>): string {
  const keys = Object.keys(o).sort();
  const v = (x: unknown): string => {
    if (typeof x === 'boolean') return x ? 'True' : 'False';
    if (typeof x === 'string') return `'${x}'`;
    if (Array.isArray(x)) return `[${x.map(v).join(', ')}]`;
    if (x === null || x === undefined) return 'None';
    return String(x);
  };
  return '{' + keys.map((k, i) => `${i ? ' ' : ''}'${k}': ${v(o[k])}`).join(',\n') + '}';
}
