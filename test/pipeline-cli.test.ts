// sigprop-examples --pipeline-stages N: the same run as without it (every step's loss and accuracy,
// the layers' monitors, the test, the checkpoint's weights and optimizer states, bitwise), --resume
// into a pipeline, Ctrl-C, bad uses. The stages run dist/ (npm run build:ts).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib/torch';
import { main, CHECKPOINT_FILE } from '../lib/examples/cli';
import { haveFashion } from './helpers/fashion';

const root = path.resolve(__dirname, '..');
const BIN = path.join(root, 'bin', 'sigprop-examples.js');

function sink() {
  const chunks: string[] = [];
  return { write: (s: string) => chunks.push(s), isTTY: false, get text() { return chunks.join(''); } };
}
async function runMain(argv: string[]) {
  const stdout = sink(), stderr = sink();
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
const events = (text: string): Record<string, any>[] => text.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
/** The events that carry numbers of the run, without times, the command line and the pipeline's note. */
function numbers(text: string): Record<string, any>[] {
  const drop = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(drop);
    if (typeof o !== 'object' || o === null) return o;
    return Object.fromEntries(Object.entries(o).filter(([k]) => !/seconds|elapsed|live_tensors|argv|^args$|^threads$|^path$|^checkpoint$|^curves$|^resumed_from$/.test(k)).map(([k, v]) => [k, drop(v)]));
  };
  return events(text).filter((e) => !['note', 'saved'].includes(e.event)).map((e) => drop(e) as Record<string, any>);
}
/** Every tensor of two checkpoints equal (weights, global and local optimizers), the rest of them too except the run's times and flags. */
function sameCheckpoints(a: string, b: string): void {
  torch.tidy(() => {
    const x = torch.load(a), y = torch.load(b);
    const walk = (u: unknown, v: unknown, where: string): void => {
      if (u instanceof torch.Tensor) {
        expect([where, torch.tidy(() => u.equal(v as torch.Tensor))]).toEqual([where, true]);
      } else if (typeof u === 'object' && u !== null) {
        expect([where, Object.keys(u).sort()]).toEqual([where, Object.keys(v as object).sort()]);
        for (const k of Object.keys(u)) walk((u as Record<string, unknown>)[k], (v as Record<string, unknown>)[k], `${where}.${k}`);
      } else {
        expect([where, u]).toEqual([where, v]);
      }
    };
    for (const k of ['epoch', 'state_dict', 'optimizer', 'local_optimizers', 'lr_schedulers', 'rng_state', 'data_rng_state', 'interrupted']) walk(x[k], y[k], k);
    const h = (c: Record<string, unknown>) => JSON.parse(c.history as string).map((r: Record<string, unknown>) => ({ ...r, trainSeconds: 0, testSeconds: 0 }));
    expect(h(x)).toEqual(h(y));
    torch.dispose([x, y]);
  });
}

const SMALL = ['--dataset', 'FashionMNIST', '--model', 'mlp', '--num-hidden', '32', '--signal-ch', '2', '--batch-size', '32', '--test-steps', '3', '--json'];
const describeData = haveFashion() ? describe : describe.skip;

describeData('sigprop-examples --pipeline-stages', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-pipeline-cli-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test.each([
    ['ex4 mlp, 2 stages', 'ex4', ['--epochs', '2', '--steps', '6'], 2],
    ['ex2 mlp with 2 hidden layers, 3 stages', 'ex2', ['--num-layers', '2', '--epochs', '1', '--steps', '5'], 3],
    ['ex4 vgg6 (BatchNorm), 2 stages', 'ex4', ['--model', 'vgg6', '--feat-mult', '0.0625', '--num-layers', '0', '--batch-size', '16', '--epochs', '1', '--steps', '4'], 2],
  ] as [string, string, string[], number][])('%s: the run without a pipeline, step by step, and its checkpoint', async (_, example, flags, stages) => {
    const dir = path.join(tmp, `${example}-${stages}-${flags.length}`);
    const plain = await runMain([example, '--sigprop', ...SMALL, ...flags, '--save-dir', path.join(dir, 'plain')]);
    const piped = await runMain([example, '--sigprop', ...SMALL, ...flags, '--save-dir', path.join(dir, 'piped'), '--pipeline-stages', String(stages)]);
    expect(plain.stderr).toBe('');
    expect(piped.stderr).toBe('');
    expect([plain.code, piped.code]).toEqual([0, 0]);
    const note = events(piped.stdout).find((e) => e.event === 'note');
    expect(note?.message).toMatch(new RegExp(`^pipeline: ${stages} stage\\(s\\), starting at units 0 \\(signal\\), `));
    expect(numbers(piped.stdout)).toEqual(numbers(plain.stdout));
    const model = flags.includes('vgg6') ? 'vgg6' : 'mlp';
    sameCheckpoints(path.join(dir, 'piped', 'FashionMNIST', model, CHECKPOINT_FILE), path.join(dir, 'plain', 'FashionMNIST', model, CHECKPOINT_FILE));

    if (example === 'ex4' && model === 'mlp') {
      // --resume into a pipeline (and into none): the same continuation
      const r1 = await runMain(['ex4', '--resume', path.join(dir, 'plain', 'FashionMNIST', 'mlp', CHECKPOINT_FILE), '--epochs', '3', '--json']);
      const r2 = await runMain(['ex4', '--resume', path.join(dir, 'piped', 'FashionMNIST', 'mlp', CHECKPOINT_FILE), '--epochs', '3', '--json', '--pipeline-stages', '2']);
      expect([r1.code, r2.code, r2.stderr]).toEqual([0, 0, '']);
      expect(numbers(r2.stdout).filter((e) => e.event !== 'resumed')).toEqual(numbers(r1.stdout).filter((e) => e.event !== 'resumed'));
      sameCheckpoints(path.join(dir, 'piped', 'FashionMNIST', 'mlp', CHECKPOINT_FILE), path.join(dir, 'plain', 'FashionMNIST', 'mlp', CHECKPOINT_FILE));
    }
  }, 180000);

  test('dropout: a pipelined run draws from each stage\'s own generator, reproducibly', async () => {
    const flags = ['ex4', '--sigprop', ...SMALL, '--dropout', '0.2', '--num-layers', '2', '--epochs', '1', '--steps', '4', '--pipeline-stages', '3'];
    const a = await runMain(flags);
    const b = await runMain(flags);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(numbers(a.stdout)).toEqual(numbers(b.stdout));
  }, 120000);

  test('Ctrl-C: the batches in flight finish, the checkpoint holds every stage after the same batch, exit 130', async () => {
    const saveDir = path.join(tmp, 'sigint');
    const child = spawn(process.execPath, [BIN, 'ex4', '--sigprop', ...SMALL, '--epochs', '2', '--steps', '400', '--save-dir', saveDir, '--pipeline-stages', '2'], { cwd: root });
    let out = '', err = '', sent = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!sent && /"event":"step","epoch":0,"step":3,/.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(err).toBe('');
    expect(code).toBe(130);
    const ev = events(out);
    const steps = ev.filter((e) => e.event === 'step').length;
    expect(ev.find((e) => e.event === 'interrupt')).toMatchObject({ epoch: 0, phase: 'train', step: steps });
    torch.tidy(() => {
      const c = torch.load(path.join(saveDir, 'FashionMNIST', 'mlp', CHECKPOINT_FILE));
      expect(c.interrupted).toEqual({ epoch: 0, step: steps, phase: 'train' });
      // every local optimizer and the global one took as many steps as were reported
      expect(Number(c.optimizer.state['0'].step.item())).toBe(steps);
      for (const o of Object.values(c.local_optimizers) as { state: Record<string, { step: torch.Tensor }> }[]) expect(Number(o.state['0'].step.item())).toBe(steps);
      torch.dispose(c);
    });
  }, 120000);

  test('bad uses: a clear error', async () => {
    const noSp = await runMain(['ex4', ...SMALL, '--pipeline-stages', '2']);
    expect(noSp.code).toBe(2);
    expect(noSp.stderr).toMatch(/--pipeline-stages: needs --sigprop/);
    const neg = await runMain(['ex4', '--sigprop', ...SMALL, '--pipeline-stages', '-1']);
    expect(neg.code).toBe(2);
    expect(neg.stderr).toMatch(/--pipeline-stages: must be 0 or more/);
    const many = await runMain(['ex4', '--sigprop', ...SMALL, '--steps', '1', '--pipeline-stages', '3']);
    expect(many.code).toBe(1);
    expect(many.stderr).toMatch(/at most 2 stage\(s\), not 3/);
  }, 60000);
});
