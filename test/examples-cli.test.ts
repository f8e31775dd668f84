// sigprop-examples (lib/examples, bin/sigprop-examples.js): flags and their defaults (the original
// examples.py's), --help, bad flags, the models' parameter counts against the Python classes, short
// runs on Fashion-MNIST (sigprop and plain backprop, --json), checkpoints and curves in --save-dir,
// --resume, and Ctrl-C. The runs spawn or call the CLI with a few steps; the whole file takes well
// under a minute.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib/torch';
import { DATASET_INFO } from '../lib/data';
import { main, parseArgs, defaults, usage, FLAGS, buildAll, countParameters, countAllParameters, CHECKPOINT_FILE, CURVES_FILE } from '../lib/examples/cli';
import type { ExampleArgs } from '../lib/examples/cli';
import { haveFashion } from './helpers/fashion';
import { TORCH_SERIES } from './helpers/golden';

/** PyTorch 2.x's norm layers print bias=... */
const v2 = TORCH_SERIES !== '1.13';

const root = path.resolve(__dirname, '..');
const BIN = path.join(root, 'bin', 'sigprop-examples.js');

/** A stream that keeps what is written. */
function sink(isTTY = false) {
  const chunks: string[] = [];
  return { write: (s: string) => chunks.push(s), isTTY, get text() { return chunks.join(''); } };
}
async function runMain(argv: string[]) {
  const stdout = sink(), stderr = sink();
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
const events = (text: string): Record<string, any>[] => text.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

// A small configuration for the runs: an mlp with 32 hidden units on a 2-channel signal, batch 32.
const SMALL = ['--dataset', 'FashionMNIST', '--model', 'mlp', '--num-hidden', '32', '--signal-ch', '2', '--batch-size', '32', '--test-steps', '2'];

describe('flags', () => {
  test('the defaults are those of examples.py', () => {
    // argparse defaults of the original (examples.py, lines 32-100)
    const py: Record<string, unknown> = {
      dataset: 'CIFAR10', batch_size: 128, model: 'vgg8', num_layers: 1, num_hidden: 1024, feat_mult: 1, nonlin: 'leakyrelu', dropout: 0,
      norm: 'batch_norm', pre_act: false, loss_version: 'ce', no_bias: false, epochs: 400, lr: 5e-4, lr_decay_milestones: [200, 300, 350, 375],
      lr_decay_fact: 0.25, optim: 'adam', momentum: 0, weight_decay: 0, seed: 1, no_cuda: false, data_dir: './data', save_dir: '', resume: '',
      eval_freq: 1, save_freq: -1, cutout: false, n_patches: 1, length: 16, sigprop: false, sp_fine: false,
    };
    const d = defaults() as unknown as Record<string, unknown>;
    for (const s of FLAGS.filter((f) => !f.extension)) expect([s.flag, d[s.key]]).toEqual([s.flag, py[s.flag.replace(/-/g, '_')]]);
    expect(FLAGS.filter((f) => !f.extension).map((f) => f.flag.replace(/-/g, '_')).sort()).toEqual(Object.keys(py).sort());
    expect(FLAGS.filter((f) => f.extension).map((f) => f.flag).sort()).toEqual(['device', 'distributed', 'json', 'pipeline-stages', 'progress', 'signal-ch', 'steps', 'test-steps', 'threads']);
  });

  test('parsing: values, --flag=value, switches, lists', () => {
    const p = parseArgs(['ex4', '--dataset', 'FashionMNIST', '--model=vgg6', '--norm', 'instance_norm', '--dropout', '0.2', '--sigprop',
      '--lr-decay-milestones', '10', '20', '--lr', '1e-3', '--batch-size', '64', '--no-bias']);
    expect(p.example).toBe('ex4');
    const a: ExampleArgs = p.args;
    expect([a.dataset, a.model, a.norm, a.dropout, a.sigprop, a.lrDecayMilestones, a.lr, a.batchSize, a.noBias, a.spFine])
      .toEqual(['FashionMNIST', 'vgg6', 'instance_norm', 0.2, true, [10, 20], 1e-3, 64, true, false]);
    expect([...p.given].sort()).toEqual(['batchSize', 'dataset', 'dropout', 'lr', 'lrDecayMilestones', 'model', 'noBias', 'norm', 'sigprop']);
  });

  test('--help lists every flag and marks the extensions; exit 0', async () => {
    const r = await runMain(['--help']);
    expect(r.code).toBe(0);
    for (const s of FLAGS) expect(r.stdout).toContain(`--${s.flag}`);
    expect(r.stdout).toMatch(/extensions \(not in the original\):[\s\S]*--signal-ch/);
    expect(usage()).toContain('ex4');
  });

  test.each([
    [['ex4', '--bogus'], /unrecognized arguments: --bogus/],
    [['ex4', '--batch-size', 'x'], /argument --batch-size: invalid int value: 'x'/],
    [['ex4', '--lr', 'fast'], /argument --lr: invalid float value: 'fast'/],
    [['ex4', '--model', 'resnet'], /argument --model: invalid choice: 'resnet'/],
    [['ex4', '--dataset'], /argument --dataset: expected one argument/],
    [['ex9'], /invalid choice: 'ex9'/],
    [['--sigprop'], /the example is missing: ex2 or ex4/],
    [['--sigprop', 'ex4'], /the example \(ex4\) must come first/],
    [['ex4', 'FashionMNIST'], /unrecognized arguments: FashionMNIST/],
    [[], /the example is missing/],
    [['ex2', '--dropout', '1.5'], /--dropout: must be in \[0, 1\)/],
    [['ex2', '--model', 'mlp', '--norm', 'instance_batch_norm'], /instance_batch_norm/],
    [['ex2', '--sigprop=yes'], /ignored explicit argument 'yes'/],
    [['ex4', '--sigprop', '--batch-size', '4'], /needs batches of at least 6 samples/],
  ])('bad flags %j: a clear error, exit 2', async (argv, message) => {
    const r = await runMain(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^usage: sigprop-examples/);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe('');
  });

  test('--device cuda without CUDA, a missing dataset: a clear error, exit 1', async () => {
    if (!torch.cuda.isAvailable()) {
      const r = await runMain(['ex4', '--device', 'cuda']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^sigprop-examples: error: --device cuda: CUDA is not available/);
    }
    const r = await runMain(['ex4', '--dataset', 'CIFAR10', '--data-dir', path.join(os.tmpdir(), 'no-such-data-dir'), '--device', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sigprop-examples: error: .*CIFAR10/);
    expect(r.stderr).toContain('no-such-data-dir');
  });

  test('the launcher: --help exits 0, a bad flag exits 2', () => {
    const ok = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('--sp-fine');
    const bad = spawnSync(process.execPath, [BIN, 'ex4', '--epochz', '3'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('sigprop-examples: error: unrecognized arguments: --epochz');
  });
});

describe('models: the parameter counts of the Python classes', () => {
  // Obtained with the original examples.py (Debian's /usr/bin/python3, torch 1.13): a script set
  // sys.argv, imported examples, set examples.args.* to each configuration, seeded 1 and built the
  // model as ex4's main() does (Preset manager, LabelMetrics monitors, signal_modules_lpi with
  // `signal_ch` channels, v15 loss), then wrapped it in ModelWrapper. global = count_parameters
  // (what the original prints as "[Global Loss] Model X has N parameters"); all = every parameter
  // (named_parameters, the signal and the locally trained layers included); monitors = the size of
  // the monitor group; abssum = sum of |initial weights| (seed 1), which also checks the creation
  // order. For 1-channel datasets the Python signal was built with Conv2d(1, ...) instead of the
  // original's hard-coded Conv2d(3, ...) (which fails on such input): the original's 'all' is
  // 128 * 2 * 9 = 2304 larger there (e.g. 8682506 for vgg8 on FashionMNIST).
  const cases: [string, string, boolean, Record<string, unknown>, number, number, number, number][] = [
    ['FashionMNIST', 'mlp', false, {}, 816138, 816138, 0, 15513.1906],
    ['CIFAR10', 'mlp', false, { no_bias: true, nonlin: 'relu', norm: 'none' }, 3155968, 3155968, 0, 28517.4934],
    ['CIFAR10', 'mlp', false, { num_layers: 3, num_hidden: 64, dropout: 0.1 }, 206026, 206026, 0, 2515.7236],
    ['FashionMNIST', 'mlp', true, { signal_ch: 16 }, 10250, 13009082, 2, 90890.8781],
    ['CIFAR10', 'mlp', true, { signal_ch: 16, num_layers: 3, num_hidden: 64, dropout: 0.1, sp_fine: true }, 650, 1255066, 7, 47141.5366],
    ['FashionMNIST', 'vgg6', false, {}, 4376842, 4376842, 0, 48424.4793],
    ['CIFAR10', 'vgg6', true, { feat_mult: 0.25, num_layers: 0 }, 5130, 1859242, 5, 343716.9297],
    ['CIFAR100', 'vgg6', true, { norm: 'instance_batch_norm', num_layers: 0, feat_mult: 0.125, sp_fine: true }, 25700, 13477620, 9, 789570.731],
    ['FashionMNIST', 'vgg8', false, { norm: 'instance_norm', dropout: 0.2 }, 7328266, 7328266, 0, 72702.1283],
    ['FashionMNIST', 'vgg8', true, { norm: 'instance_norm', dropout: 0.2 }, 10250, 8680202, 8, 333759.4229],
    ['CIFAR10', 'vgg8', true, { no_bias: true, nonlin: 'relu', norm: 'none', sp_fine: true }, 10240, 10614400, 8, 421482.6448],
    ['FashionMNIST', 'vgg8', true, { feat_mult: 0.5, num_layers: 2, num_hidden: 256, pre_act: true }, 2570, 3113546, 9, 286297.9466],
    ['CIFAR10', 'vgg11', false, { feat_mult: 0.25, num_layers: 0 }, 598026, 598026, 0, 10838.3848],
    ['FashionMNIST', 'vgg11', true, { sp_fine: true }, 10250, 11336714, 21, 356254.2658],
    ['STL10', 'vgg8', false, { feat_mult: 0.25 }, 1623242, 1623242, 0, 26486.9861],
    ['STL10', 'vgg11', true, { feat_mult: 0.125, signal_ch: 8 }, 10250, 1642946, 11, 207659.5312],
  ];
  const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  test.each(cases)('%s %s sigprop=%s %j', (dataset, model, sp, flags, global, all, monitors, abssum) => {
    const a = defaults() as unknown as Record<string, unknown>;
    Object.assign(a, { dataset, model, sigprop: sp });
    for (const [k, v] of Object.entries(flags)) a[camel(k)] = v;
    torch.manualSeed(1);
    const b = buildAll('ex4', a as unknown as ExampleArgs, DATASET_INFO[dataset as keyof typeof DATASET_INFO]);
    try {
      expect(countParameters(b.wrapper)).toBe(global);
      expect(countAllParameters(b.wrapper)).toBe(all);
      expect(b.monitorMain ? b.monitorMain.monitors.length : 0).toBe(monitors);
      let s = 0;
      for (const [, p] of b.wrapper.namedParameters()) s += torch.tidy(() => p.double().abs().sum().item() as number);
      expect(s).toBeCloseTo(abssum, 2);
      // one local optimizer per monitored layer (the signal included)
      expect(b.localOptimizers.length).toBe(monitors);
    } finally {
      b.wrapper.dispose();
      b.globalOptimizer?.dispose();
    }
  });

  test('the structure printed for ex4 vgg8 (--norm instance_norm --dropout 0.2 --sigprop)', () => {
    const a = { ...defaults(), dataset: 'FashionMNIST', model: 'vgg8', norm: 'instance_norm', dropout: 0.2, sigprop: true };
    torch.manualSeed(1);
    const b = buildAll('ex4', a, DATASET_INFO.FashionMNIST);
    try {
      const text = b.wrapper.toString();
      expect(text).toContain('(0): Conv2d(1, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)');
      expect(text).toContain('(encoder): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))');
      expect(text).toContain(`(bn): InstanceNorm2d(512, eps=1e-05, momentum=0.1, affine=True, ${v2 ? 'bias=True, ' : ''}track_running_stats=False)`);
      expect(text).toContain('(dropout): Dropout2d(p=0.2, inplace=False)');
      expect(text).toContain(`(bn): LayerNorm((1024,), eps=1e-05, elementwise_affine=True${v2 ? ', bias=True' : ''})`);
      expect(text).toContain('(encoder): Linear(in_features=512, out_features=1024, bias=True)');
      expect(b.monitorMain!.monitors.map((m) => (m as unknown as { name: string }).name))
        .toEqual(['Sequential', 'BlockConv', 'BlockConv', 'BlockConv', 'BlockConv', 'BlockConv', 'BlockConv', 'BlockLinear']);
    } finally {
      b.wrapper.dispose();
      b.globalOptimizer?.dispose();
    }
  });
});

const describeData = haveFashion() ? describe : describe.skip;

describeData('runs on Fashion-MNIST (skipped without /usr/share/datasets/fashion-mnist)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-examples-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test.each([
    ['ex4 --sigprop', ['ex4', '--sigprop']],
    ['ex2 --sigprop', ['ex2', '--sigprop']],
    ['ex4 plain backprop', ['ex4']],
  ])('%s: 3 steps, --json events, no tensor growth', async (_name, head) => {
    const r = await runMain([...(head as string[]), ...SMALL, '--epochs', '1', '--steps', '3', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    expect(ev.map((e) => e.event)).toEqual(['start', 'epoch_start', 'step', 'step', 'step', 'train', 'test', 'epoch', 'summary']);
    const sp = (head as string[]).includes('--sigprop');
    const start = ev[0];
    expect(start.args.sigprop).toBe(sp);
    expect(start.dataset_info).toEqual({ input_dim: 28, input_ch: 1, num_classes: 10 });
    expect(start.steps_per_epoch).toBe(3);
    expect(start.parameters.global).toBe(sp ? 330 : 25514);
    const steps = ev.filter((e) => e.event === 'step');
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3]);
    for (const s of steps) {
      expect(Number.isFinite(s.loss) && s.acc >= 0 && s.acc <= 1).toBe(true);
      expect(s.lr).toBe(5e-4);
    }
    // every step runs in torch.tidy: after the first step (which creates the optimizers' state) the live tensors do not grow
    // (they may fall: this jest worker process ran other test files before, whose forgotten tensors the GC backstop frees at any time)
    expect(steps[2].live_tensors).toBeLessThanOrEqual(steps[1].live_tensors);
    const train = ev.find((e) => e.event === 'train')!;
    expect(train.count).toBe(96);
    expect(train.monitors.map((m: { name: string }) => m.name)).toEqual(sp ? ['Sequential', 'BlockLinear'] : []);
    const test = ev.find((e) => e.event === 'test')!;
    expect(test.count).toBe(64);
    const summary = ev[ev.length - 1];
    expect(summary.interrupted).toBe(false);
    expect(summary.best_test_acc).toBe(test.acc);
  });

  test('human output: the original\'s lines, the monitors, a summary', async () => {
    const r = await runMain(['ex4', '--sigprop', ...SMALL, '--epochs', '1', '--steps', '2', '--progress', 'lines']);
    expect(r.code).toBe(0);
    // progress on stderr: lines when not on a terminal
    expect(r.stderr).toMatch(/^train 0\/1 step 2\/2 \(100%\)  loss \d+\.\d{4}  acc \d\.\d{4} .*ETA/m);
    expect(r.stderr).toMatch(/^test  0\/1 step 2\/2 \(100%\)/m);
    expect(r.stdout).toMatch(/^\[Global Loss\] Model mlp has 330 parameters$/m);
    expect(r.stdout).toMatch(/^Epoch Start: 0$/m);
    expect(r.stdout).toMatch(/^\[Info\]\[Train {2}Epoch 0\/1\]\[Batch 1\/1875\]\t\[loss \d+\.\d{4}\]\t\[acc \d\.\d{4}\]$/m);
    expect(r.stdout).toMatch(/^\[BlockLinear\] Acc: /m);
    expect(r.stdout).toMatch(/^\[Info\]\[Test {3}Epoch 0\/1\]\t\t\t\[loss /m);
    expect(r.stdout).toMatch(/^\[Summary\] test accuracy: best \d\.\d{4} \(epoch 0\), last /m);
  });

  test('--progress bar: one line redrawn on stderr, cleared at the end of the phase', async () => {
    const stdout = sink(), stderr = sink(true);
    const code = await main(['ex4', ...SMALL, '--epochs', '1', '--steps', '3', '--progress', 'bar'], { stdout, stderr });
    expect(code).toBe(0);
    expect(stderr.text).toMatch(/\r\x1b\[Ktrain 0\/1 \[#{24}\] 3\/3 100% \d+:\d\d<0:00 .* loss \d+\.\d{4}  acc \d\.\d{4}/);
    expect(stderr.text.endsWith('\r\x1b[K')).toBe(true);
    expect(stderr.text).not.toContain('\n');
  });

  test('--save-dir writes the checkpoint and the curves; --resume continues', async () => {
    const saveDir = path.join(tmp, 'save');
    const r1 = await runMain(['ex4', '--sigprop', ...SMALL, '--epochs', '1', '--steps', '2', '--save-dir', saveDir, '--json']);
    expect(r1.code).toBe(0);
    const dir = path.join(saveDir, 'FashionMNIST', 'mlp');
    const ckpt = path.join(dir, CHECKPOINT_FILE);
    const svg = fs.readFileSync(path.join(dir, CURVES_FILE), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('TEST accuracy');
    expect(svg).toContain('1 BlockLinear');
    torch.tidy(() => {
      const c = torch.load(ckpt);
      expect(c.epoch).toBe(0);
      expect(c.args.model).toBe('mlp');
      expect(c.args.num_hidden).toBe(32);
      expect(c.state_dict['model.model.layer_out.module.weight'].shape).toEqual([10, 32]);
      expect(Object.keys(c.optimizer)).toEqual(['state', 'param_groups']);
      expect(Object.keys(c.local_optimizers)).toEqual(['model.signal', 'model.model.layers.0']);
      expect(JSON.parse(c.history)).toHaveLength(1);
      expect(c.interrupted).toBeNull();
      torch.dispose(c);
    });
    // --resume: the flags come from the checkpoint; --epochs given now wins
    const r2 = await runMain(['ex4', '--resume', ckpt, '--epochs', '2', '--json']);
    expect(r2.stderr).toBe('');
    expect(r2.code).toBe(0);
    const ev = events(r2.stdout);
    expect(ev[0]).toMatchObject({ event: 'resumed', epoch: 0 });
    expect(ev[1]).toMatchObject({ event: 'start', start_epoch: 1 });
    expect(ev[1].args).toMatchObject({ model: 'mlp', num_hidden: 32, signal_ch: 2, steps: 2, epochs: 2, sigprop: true });
    expect(ev.filter((e) => e.event === 'train').map((e) => e.epoch)).toEqual([1]);
    expect(ev[ev.length - 1]).toMatchObject({ event: 'summary', epochs_run: 1, last_epoch: 1 });
    torch.tidy(() => {
      const c = torch.load(ckpt);
      expect(c.epoch).toBe(1);
      expect(JSON.parse(c.history).map((h: { epoch: number }) => h.epoch)).toEqual([0, 1]);
      // Adam's step count continued from the first run (2 + 2 steps)
      expect(Number(c.optimizer.state['0'].step.item())).toBe(4);
      torch.dispose(c);
    });
    // a checkpoint that does not fit the flags: a clear error
    const r3 = await runMain(['ex4', '--resume', ckpt, '--num-hidden', '16', '--json']);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toMatch(/--resume: the checkpoint does not fit the model/);
  });

  test('Ctrl-C: stops after the step, saves a checkpoint that loads and resumes, exit 130', async () => {
    const saveDir = path.join(tmp, 'sigint');
    const child = spawn(process.execPath, [BIN, 'ex4', '--sigprop', ...SMALL, '--epochs', '2', '--steps', '400', '--save-dir', saveDir, '--json'], { cwd: root });
    let out = '', err = '', sent = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!sent && /"event":"step","epoch":0,"step":2,/.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(err).toBe('');
    expect(code).toBe(130);
    const ev = events(out);
    const steps = ev.filter((e) => e.event === 'step');
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps.length).toBeLessThan(20);
    const interrupt = ev.find((e) => e.event === 'interrupt')!;
    expect(interrupt).toMatchObject({ epoch: 0, phase: 'train', step: steps.length });
    expect(ev[ev.length - 1]).toMatchObject({ event: 'summary', interrupted: true, epochs_run: 0 });
    const ckpt = path.join(saveDir, 'FashionMNIST', 'mlp', CHECKPOINT_FILE);
    expect(fs.existsSync(path.join(saveDir, 'FashionMNIST', 'mlp', CURVES_FILE))).toBe(true);
    torch.tidy(() => {
      const c = torch.load(ckpt);
      expect(c.epoch).toBe(-1); // no epoch completed
      expect(c.interrupted).toEqual({ epoch: 0, step: steps.length, phase: 'train' });
      expect(Number(c.optimizer.state['0'].step.item())).toBe(steps.length);
      torch.dispose(c);
    });
    // resume: the interrupted epoch runs again, from the saved weights and optimizer state; --json
    // is not taken from the checkpoint (it describes the output, not the run)
    const r = await runMain(['ex4', '--resume', ckpt, '--steps', '2', '--epochs', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`[Info][Checkpoint Loaded "${ckpt}"]\t[epoch -1]`);
    expect(r.stdout).toMatch(/^Epoch Start: 0$/m);
    expect(r.stdout).toMatch(/^\[Summary\] 1 epoch\(s\) run in /m);
  });

  test('vgg with --sp-fine, instance_norm, dropout: 2 steps', async () => {
    const r = await runMain(['ex4', '--sigprop', '--sp-fine', '--dataset', 'FashionMNIST', '--model', 'vgg6', '--feat-mult', '0.0625', '--num-layers', '0',
      '--norm', 'instance_norm', '--dropout', '0.2', '--signal-ch', '4', '--batch-size', '16', '--epochs', '1', '--steps', '2', '--test-steps', '1', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const train = events(r.stdout).find((e) => e.event === 'train')!;
    // the signal, then per conv block the conv and the norm
    expect(train.monitors.map((m: { name: string }) => m.name)).toEqual(['Sequential', ...Array(4).fill(['Conv2d', 'InstanceNorm2d']).flat()]);
  });
});
