/** The messages between the pipeline (main thread) and its stage Workers, and the shapes of what they report. */
import type { SharedTensor } from '../../torch/threads';

/** A monitor's numbers after a step (a LabelMetrics; other monitors give their metrics() text only). */
export interface MonitorState {
  /** its index in the factory's monitors.Group */
  index: number;
  name: string;
  lossLast: number | null;
  accLast: number | null;
  lossSum: number | null;
  accSum: number | null;
  count: number | null;
  text: string;
}

/** What the factory is: a module path (require()d in every stage Worker) and the name of its export. */
export interface FactoryRef {
  module: string;
  export: string;
  options: unknown;
}

export interface InitMessage {
  t: 'init';
  factory: FactoryRef;
  stage: number;
  stages: number;
  /** [first unit, end unit) of this stage; for the probe, the whole chain */
  range: [number, number] | null;
  threads: number;
  /** the seed of this stage's own default generator (after the model is built) */
  generatorSeed: number;
  /** a state to load before training (resume): tokens for every stage */
  state: SharedState | null;
  /** probe: time `steps` training steps on the sample and report per-unit times */
  probe: { steps: number; sample: [SharedTensor, SharedTensor] } | null;
}

/** An error as data (postMessage keeps name, message and stack explicitly). */
export interface ErrorData {
  name: string;
  message: string;
  stack?: string;
}

/** Items flow through the stages in order: stage k gets item n after stage k-1 has handled it. */
export type ItemMessage =
  | { t: 'batch'; seq: number; mode: 'train' | 'eval'; packet: (SharedTensor | null)[]; output: boolean }
  | { t: 'reset'; seq: number }
  | { t: 'flush'; seq: number }
  | { t: 'state'; seq: number }
  | { t: 'close'; seq: number };

export interface UnitInfo {
  name: string;
  detached: boolean;
  learns: boolean;
}

export type StageReply =
  | { t: 'ready'; stage: number; units: UnitInfo[]; keys: string[]; owned: string[]; starts: number[] }
  | { t: 'probe'; times: number[]; headTime: number; units: UnitInfo[]; starts: number[] }
  | { t: 'done'; seq: number; stage: number; busy: number; live?: number; cpu?: number | null; packet?: (SharedTensor | null)[]; monitors?: MonitorState[]; info?: unknown;
    result?: { loss: number | null; correct: number | null; count: number; output: SharedTensor | null };
    state?: StagePart }
  | { t: 'error'; seq: number | null; stage: number; error: ErrorData };

/** One stage's part of a checkpoint (tokens). */
export interface StagePart {
  model: Record<string, SharedTensor>;
  /** the local optimizers of its learning propagators, by module path */
  optimizers: Record<string, unknown>;
  /** the global optimizer's state (last stage only) */
  globalOptimizer: unknown;
  rng: SharedTensor;
}

/** A whole pipeline's state as the stages receive it at init (tokens). */
export interface SharedState {
  model: Record<string, SharedTensor>;
  optimizers: Record<string, unknown>;
  globalOptimizer: unknown;
  /** per-stage generator states (used when the stage count matches) */
  rng: SharedTensor[] | null;
}
