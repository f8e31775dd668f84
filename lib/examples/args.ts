/**
 * The command-line flags of `sigprop-examples`: the flags of the original examples.py (same names,
 * kebab-case, same defaults) plus a few extensions, marked `extension: true`. parseArgs() works like
 * Python's argparse for these flags: `--flag value` or `--flag=value`, `store_true` switches, and
 * `--lr-decay-milestones` takes one or more values. Errors are UsageError (the CLI exits with 2).
 */
import { DATASET_NAMES } from '../data/datasets';

export const PROG = 'sigprop-examples';

/** The two example scripts: ex2_input_target_max_rand.py (loss v14) and ex4_input_target_topk.py (loss v15, topk 6). */
export type ExampleName = 'ex2' | 'ex4';
export const EXAMPLES: Record<ExampleName, string> = {
  ex2: 'ex2_input_target_max_rand: sigprop with loss v14 (input-target, max)',
  ex4: 'ex4_input_target_topk: sigprop with loss v15 (input-target, top-6), per-layer monitors',
};

/** The parsed flags. Names are the camelCase of the flags; Python's `args.bias` is `!noBias`. */
export interface ExampleArgs {
  dataset: string;
  batchSize: number;
  model: string;
  numLayers: number;
  numHidden: number;
  featMult: number;
  nonlin: string;
  dropout: number;
  norm: string;
  preAct: boolean;
  lossVersion: string;
  noBias: boolean;
  epochs: number;
  lr: number;
  lrDecayMilestones: number[];
  lrDecayFact: number;
  optim: string;
  momentum: number;
  weightDecay: number;
  seed: number;
  noCuda: boolean;
  dataDir: string;
  saveDir: string;
  resume: string;
  evalFreq: number;
  saveFreq: number;
  cutout: boolean;
  nPatches: number;
  length: number;
  sigprop: boolean;
  spFine: boolean;
  // extensions (not in the original)
  device: string;
  threads: number;
  json: boolean;
  steps: number;
  testSteps: number;
  signalCh: number;
  progress: string;
  distributed: boolean;
  pipelineStages: number;
}

type Kind = 'str' | 'int' | 'float' | 'bool' | 'ints';

export interface FlagSpec {
  /** the flag without the leading dashes: 'batch-size' */
  flag: string;
  /** the key in ExampleArgs: 'batchSize' */
  key: keyof ExampleArgs;
  kind: Kind;
  default: unknown;
  help: string;
  choices?: readonly string[];
  /** not a flag of the original examples.py */
  extension?: boolean;
  metavar?: string;
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const f = (flag: string, kind: Kind, def: unknown, help: string, more: Partial<FlagSpec> = {}): FlagSpec =>
  ({ flag, key: camel(flag) as keyof ExampleArgs, kind, default: def, help, ...more });

/** Every flag, in the order of examples.py, then the extensions. */
export const FLAGS: readonly FlagSpec[] = [
  f('dataset', 'str', 'CIFAR10', 'MNIST, FashionMNIST, CIFAR10, CIFAR100, SVHN, STL10', { choices: DATASET_NAMES }),
  f('batch-size', 'int', 128, 'input batch size for training'),
  f('model', 'str', 'vgg8', 'mlp, vgg6, vgg8, vgg11', { choices: ['mlp', 'vgg6', 'vgg8', 'vgg11'] }),
  f('num-layers', 'int', 1, 'number of hidden fully-connected layers'),
  f('num-hidden', 'int', 1024, 'number of hidden units for fully-connected layers'),
  f('feat-mult', 'float', 1, 'number to multiply CNN features by'),
  f('nonlin', 'str', 'leakyrelu', 'relu or leakyrelu', { choices: ['relu', 'leakyrelu'] }),
  f('dropout', 'float', 0.0, 'dropout after each nonlinearity'),
  f('norm', 'str', 'batch_norm', 'none, batch_norm, instance_norm, instance_batch_norm', { choices: ['none', 'batch_norm', 'instance_norm', 'instance_batch_norm'] }),
  f('pre-act', 'bool', false, 'use activations (including norm) before layer (accepted; the models of the examples do not use it, as in the original)'),
  f('loss-version', 'str', 'ce', 'ce', { choices: ['ce'] }),
  f('no-bias', 'bool', false, 'remove biases'),
  f('epochs', 'int', 400, 'number of training epochs'),
  f('lr', 'float', 5e-4, 'learning rate'),
  f('lr-decay-milestones', 'ints', [200, 300, 350, 375], 'epoch milestones to decay learning rate at', { metavar: 'N [N ...]' }),
  f('lr-decay-fact', 'float', 0.25, 'decay learning rate by this factor at milestone epochs'),
  f('optim', 'str', 'adam', 'adam, amsgrad or sgd', { choices: ['adam', 'amsgrad', 'sgd'] }),
  f('momentum', 'float', 0.0, 'sgd momentum'),
  f('weight-decay', 'float', 0.0, 'weight decay'),
  f('seed', 'int', 1, 'set random seed'),
  f('no-cuda', 'bool', false, 'disable CUDA (same as --device cpu)'),
  f('data-dir', 'str', './data', 'the directory to load data from (<data-dir>/<dataset>; FashionMNIST also /usr/share/datasets/fashion-mnist)'),
  f('save-dir', 'str', '', 'the directory to save checkpoints and curves in (<save-dir>/<dataset>/<model>/)'),
  f('resume', 'str', '', 'the checkpoint file to resume from (model, optimizers, epoch; flags given on the command line win)'),
  f('eval-freq', 'int', 1, 'eval frequency (epochs)'),
  f('save-freq', 'int', -1, 'save frequency (epochs); -1: every epoch (with --save-dir)'),
  f('cutout', 'bool', false, 'enable cutout regularization'),
  f('n-patches', 'int', 1, 'number of patches to cutout from the input'),
  f('length', 'int', 16, 'the pixel length of the cutout patches'),
  f('sigprop', 'bool', false, 'enable sigprop (else: the same network trained end-to-end with backprop)'),
  f('sp-fine', 'bool', false, 'enable sigprop in blocks (every layer of a block learns on its own)'),
  // ---- extensions ----
  f('device', 'str', 'auto', 'cpu, cuda, or auto: cuda when available, else cpu', { extension: true, choices: ['auto', 'cpu', 'cuda'] }),
  f('threads', 'int', 0, 'torch.setNumThreads(N); 0: leave libtorch\'s default', { extension: true }),
  f('json', 'bool', false, 'machine-readable output: one JSON object per line on stdout', { extension: true }),
  f('steps', 'int', 0, 'stop each training epoch after N steps; 0: the whole epoch', { extension: true }),
  f('test-steps', 'int', 0, 'test on the first N test batches only; 0: the whole test set', { extension: true }),
  f('signal-ch', 'int', 128, 'channels of the sigprop signal and of the network input (ex2/ex4 hard-code 128)', { extension: true }),
  f('distributed', 'bool', false, 'data parallel over torch.distributed (start the ranks with sigprop-run; only rank 0 saves)', { extension: true }),
  f('pipeline-stages', 'int', 0, 'with --sigprop: train and test in N pipeline stages, one worker thread each (bit-identical to 0; docs/pipeline.md); 0: no pipeline', { extension: true }),
  f('progress', 'str', 'auto', 'progress display on stderr: auto (a bar on a terminal, else periodic lines), bar, lines, none', { extension: true, choices: ['auto', 'bar', 'lines', 'none'] }),
];

/** A command line as a shell would read it back. */
export function shellJoin(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'"'"'`)}'`)).join(' ');
}

/** A command-line error: the CLI prints the usage line and the message, and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function defaults(): ExampleArgs {
  const a: Record<string, unknown> = {};
  for (const s of FLAGS) a[s.key] = Array.isArray(s.default) ? [...s.default] : s.default;
  return a as unknown as ExampleArgs;
}

function parseInt10(v: string, flag: string): number {
  if (!/^[-+]?\d+$/.test(v.trim())) throw new UsageError(`argument --${flag}: invalid int value: '${v}'`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UsageError(`argument --${flag}: invalid int value: '${v}'`);
  return n;
}
function parseFloat10(v: string, flag: string): number {
  const t = v.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) throw new UsageError(`argument --${flag}: invalid float value: '${v}'`);
  return Number(t);
}

export interface Parsed {
  example: ExampleName | null;
  args: ExampleArgs;
  /** the keys given on the command line (they win over a resumed checkpoint's args) */
  given: Set<keyof ExampleArgs>;
  help: boolean;
}

/**
 * parseArgs(['ex4', '--dataset', 'FashionMNIST', ...]): the example name (first word) and the flags.
 * `-h` / `--help` anywhere sets help (the rest is not checked then, except the example name).
 */
export function parseArgs(argv: readonly string[]): Parsed {
  const args = defaults() as unknown as Record<string, unknown>;
  const given = new Set<keyof ExampleArgs>();
  let example: ExampleName | null = null;
  if (argv.includes('-h') || argv.includes('--help')) {
    const first = argv[0];
    return { example: first === 'ex2' || first === 'ex4' ? first : null, args: args as unknown as ExampleArgs, given, help: true };
  }
  const byFlag = new Map(FLAGS.map((s) => [s.flag, s]));
  let i = 0;
  if (argv.length > 0 && !argv[0].startsWith('-')) {
    const name = argv[0];
    if (name !== 'ex2' && name !== 'ex4') throw new UsageError(`argument example: invalid choice: '${name}' (choose from 'ex2', 'ex4')`);
    example = name;
    i = 1;
  }
  for (; i < argv.length; i++) {
    const tok = argv[i];
    if (!tok.startsWith('--') || tok === '--') {
      throw new UsageError(example === null && (tok === 'ex2' || tok === 'ex4') ? `the example (${tok}) must come first, before the flags` : `unrecognized arguments: ${tok}`);
    }
    const eq = tok.indexOf('=');
    const name = tok.slice(2, eq < 0 ? undefined : eq);
    const spec = byFlag.get(name);
    if (spec === undefined) {
      const near = FLAGS.filter((s) => s.flag.startsWith(name) || name.startsWith(s.flag)).map((s) => `--${s.flag}`);
      throw new UsageError(`unrecognized arguments: ${tok}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
    }
    const inline = eq < 0 ? null : tok.slice(eq + 1);
    const takeOne = (): string => {
      if (inline !== null) return inline;
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`argument --${spec.flag}: expected one argument`);
      i++;
      return v;
    };
    let value: unknown;
    switch (spec.kind) {
      case 'bool':
        if (inline !== null) throw new UsageError(`argument --${spec.flag}: ignored explicit argument '${inline}'`);
        value = true;
        break;
      case 'str':
        value = takeOne();
        break;
      case 'int':
        value = parseInt10(takeOne(), spec.flag);
        break;
      case 'float':
        value = parseFloat10(takeOne(), spec.flag);
        break;
      case 'ints': {
        const vals: string[] = [];
        if (inline !== null) vals.push(inline);
        else {
          while (i + 1 < argv.length && !(argv[i + 1].startsWith('--') && argv[i + 1].length > 2)) vals.push(argv[++i]);
        }
        if (vals.length === 0) throw new UsageError(`argument --${spec.flag}: expected at least one argument`);
        value = vals.map((v) => parseInt10(v, spec.flag));
        break;
      }
    }
    if (spec.choices && !spec.choices.includes(value as string)) {
      throw new UsageError(`argument --${spec.flag}: invalid choice: '${value}' (choose from ${spec.choices.map((c) => `'${c}'`).join(', ')})`);
    }
    args[spec.key] = value;
    given.add(spec.key);
  }
  return { example, args: args as unknown as ExampleArgs, given, help: false };
}

/** Checks the values together (what would make the original fail later, or makes no sense). */
export function validateArgs(a: ExampleArgs, example: ExampleName | null = null): void {
  const need = (ok: boolean, msg: string): void => {
    if (!ok) throw new UsageError(msg);
  };
  need(a.batchSize >= 1, `argument --batch-size: must be at least 1, got ${a.batchSize}`);
  need(a.epochs >= 0, `argument --epochs: must be 0 or more, got ${a.epochs}`);
  need(a.numLayers >= 0, `argument --num-layers: must be 0 or more, got ${a.numLayers}`);
  need(a.numHidden >= 1, `argument --num-hidden: must be at least 1, got ${a.numHidden}`);
  need(a.featMult > 0 && Number.isFinite(a.featMult), `argument --feat-mult: must be a positive number, got ${a.featMult}`);
  need(a.dropout >= 0 && a.dropout < 1, `argument --dropout: must be in [0, 1), got ${a.dropout}`);
  need(a.lr > 0 && Number.isFinite(a.lr), `argument --lr: must be a positive number, got ${a.lr}`);
  need(a.lrDecayFact > 0 && Number.isFinite(a.lrDecayFact), `argument --lr-decay-fact: must be a positive number, got ${a.lrDecayFact}`);
  need(a.momentum >= 0, `argument --momentum: must be 0 or more, got ${a.momentum}`);
  need(a.weightDecay >= 0, `argument --weight-decay: must be 0 or more, got ${a.weightDecay}`);
  need(a.evalFreq >= 1, `argument --eval-freq: must be at least 1, got ${a.evalFreq}`);
  need(a.saveFreq === -1 || a.saveFreq >= 1, `argument --save-freq: must be -1 or at least 1, got ${a.saveFreq}`);
  need(a.nPatches >= 0, `argument --n-patches: must be 0 or more, got ${a.nPatches}`);
  need(a.length >= 0, `argument --length: must be 0 or more, got ${a.length}`);
  need(a.seed >= 0, `argument --seed: must be 0 or more, got ${a.seed}`);
  need(a.threads >= 0, `argument --threads: must be 0 or more, got ${a.threads}`);
  need(a.steps >= 0, `argument --steps: must be 0 or more, got ${a.steps}`);
  need(a.testSteps >= 0, `argument --test-steps: must be 0 or more, got ${a.testSteps}`);
  need(!(a.noCuda && a.device === 'cuda'), 'argument --device: cuda contradicts --no-cuda');
  need(!(example === 'ex4' && a.sigprop && a.batchSize < 6), `argument --batch-size: ex4's loss (v15, top-6) needs batches of at least 6 samples, got ${a.batchSize}`);
  need(a.pipelineStages >= 0, `argument --pipeline-stages: must be 0 or more, got ${a.pipelineStages}`);
  need(a.pipelineStages === 0 || a.sigprop, 'argument --pipeline-stages: needs --sigprop (without it the network trains end to end with backprop: no stage boundaries)');
  need(a.pipelineStages === 0 || a.device !== 'cuda', 'argument --pipeline-stages: CPU only (the stages run on the CPU; use --device cpu)');
  need(a.pipelineStages === 0 || !a.distributed, 'argument --pipeline-stages: not with --distributed (each rank would need its own stage threads; run one or the other)');
  need(a.signalCh >= 1, `argument --signal-ch: must be at least 1, got ${a.signalCh}`);
  if (a.model.startsWith('vgg')) {
    const first = Math.trunc(128 * a.featMult);
    need(first >= 1, `argument --feat-mult: ${a.featMult} leaves the first conv layer of ${a.model} with ${first} channels`);
  }
  const hasLinearBlocks = a.model === 'mlp' || a.numLayers > 0;
  need(!(a.norm === 'instance_batch_norm' && hasLinearBlocks),
    `argument --norm: instance_batch_norm puts InstanceNorm1d(num_hidden, affine=True) in the fully-connected blocks, which fails on [batch, features] input ` +
    `(the original fails the same way at the first step); use it with a vgg model and --num-layers 0`);
}

/** The usage text (--help). */
export function usage(example: ExampleName | null = null): string {
  const lines: string[] = [];
  lines.push(`usage: ${PROG} {ex2,ex4} [--flag value ...]`);
  lines.push('');
  lines.push('Trains the networks of the sigprop examples (examples/examples.py of amassivek/signalpropagation) on one dataset:');
  lines.push('with --sigprop, forward learning with signal propagation; without it, the same network with ordinary backprop.');
  lines.push('');
  lines.push('examples:');
  for (const [k, v] of Object.entries(EXAMPLES)) lines.push(`  ${k.padEnd(5)} ${v}${example === k ? '   <-' : ''}`);
  lines.push('');
  const row = (s: FlagSpec): string => {
    const meta = s.kind === 'bool' ? '' : ` ${s.metavar ?? s.flag.toUpperCase().replace(/-/g, '_')}`;
    const left = `  --${s.flag}${meta}`;
    const def = s.kind === 'bool' ? '' : ` (default: ${Array.isArray(s.default) ? s.default.join(' ') : s.default === '' ? "''" : s.default})`;
    return `${left.padEnd(34)} ${s.help}${def}`;
  };
  lines.push('flags of the original examples.py:');
  for (const s of FLAGS) if (!s.extension) lines.push(row(s));
  lines.push('');
  lines.push('extensions (not in the original):');
  for (const s of FLAGS) if (s.extension) lines.push(row(s));
  lines.push('  -h, --help                       show this help and exit');
  lines.push('');
  lines.push('example:');
  lines.push(`  ${PROG} ex4 --dataset FashionMNIST --model vgg8 --norm instance_norm --dropout 0.2 --sigprop`);
  lines.push('See docs/examples.md.');
  return lines.join('\n');
}

/** Python's snake_case names of the flags (a checkpoint's 'args', as examples.py stores them). */
export function toPythonArgs(a: ExampleArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of FLAGS) {
    const v = (a as unknown as Record<string, unknown>)[s.key];
    out[s.flag.replace(/-/g, '_')] = Array.isArray(v) ? [...v] : v;
  }
  out.bias = !a.noBias;
  return out;
}

/** The inverse of toPythonArgs (unknown keys are ignored; missing keys keep the defaults). */
export function fromPythonArgs(o: Record<string, unknown>): ExampleArgs {
  const a = defaults() as unknown as Record<string, unknown>;
  const get = (k: string): unknown => (o instanceof Map ? (o as Map<string, unknown>).get(k) : o[k]);
  for (const s of FLAGS) {
    const v = get(s.flag.replace(/-/g, '_'));
    if (v === undefined || v === null) continue;
    if (s.kind === 'bool' && typeof v === 'boolean') a[s.key] = v;
    else if ((s.kind === 'int' || s.kind === 'float') && typeof v === 'number') a[s.key] = v;
    else if ((s.kind === 'int' || s.kind === 'float') && typeof v === 'bigint') a[s.key] = Number(v);
    else if (s.kind === 'str' && typeof v === 'string') a[s.key] = v;
    else if (s.kind === 'ints' && Array.isArray(v)) a[s.key] = v.map(Number);
  }
  return a as unknown as ExampleArgs;
}
