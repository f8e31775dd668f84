/**
 * Regression tests for what a hostile-input run found (about 56,000 generated calls): crashes,
 * a hang, silent wrong answers, leaks, memory that did not come back when idle, inputs accepted
 * silently and misleading messages. Each test failed before its fix. Errors are checked by `name`
 * (the addon's errors may come from another realm than jest's; see test/errors.test.ts).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as torch from '../lib/torch';
import { nn, optim } from '../lib/torch';
import * as sigprop from '../lib/sigprop';
import { collectGarbage } from './helpers/gc';

const live = (): number => torch.memory().numTensors;
const ROOT = path.join(__dirname, '..');

function thrown(fn: () => unknown): { name: string; message: string } {
  try {
    fn();
  } catch (e) {
    const err = e as { name?: unknown; message?: unknown };
    return { name: String(err.name), message: String(err.message) };
  }
  throw new Error('expected the call to throw, it returned normally');
}

function expectThrow(fn: () => unknown, name: string, re: RegExp): void {
  const e = thrown(fn);
  expect(`${e.name}: ${e.message}`).toMatch(new RegExp(`^${name}: `));
  expect(e.message).toMatch(re);
}

/** Runs a script with the built package in a child process: a crash there is a failed test, not a dead jest. */
function child(script: string, timeoutMs = 60_000): { status: number | null; signal: string | null; out: string } {
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  return { status: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}` };
}

describe('integer division that overflows is a RangeError, not SIGFPE', () => {
  test('int64 and int32 minimum divided by -1, every dividing op and form, in a child process', () => {
    const script = `
      const torch = require('./dist/torch');
      const out = [];
      const run = (label, f) => { try { f(); out.push(label + ': returned'); } catch (e) { out.push(label + ': ' + e.name + ': ' + e.message); } };
      for (const [dtype, min] of [['int64', -(2n ** 63n)], ['int32', -(2n ** 31n)]]) {
        const a = () => torch.tensor([5n, min, 7n].map((v) => (dtype === 'int32' ? Number(v) : v)), { dtype });
        const m1 = () => torch.tensor([1, -1, 2], { dtype });
        run(dtype + ' div trunc', () => a().div(-1, { roundingMode: 'trunc' }));
        run(dtype + ' div floor', () => a().div(m1(), { roundingMode: 'floor' }));
        run(dtype + ' div_ trunc', () => a().div_(-1, { roundingMode: 'trunc' }));
        run(dtype + ' remainder', () => a().remainder(-1));
        run(dtype + ' remainder tensor', () => a().remainder(m1()));
        run(dtype + ' remainder_', () => a().remainder_(-1));
        run(dtype + ' fmod', () => a().fmod(-1));
        run(dtype + ' fmod tensor', () => torch.fmod(a(), m1()));
        run(dtype + ' floorDivide', () => a().floorDivide(-1));
        run(dtype + ' floorDivide tensor', () => a().floorDivide(m1()));
      }
      // the ordinary cases still compute
      out.push('ok ' + JSON.stringify(torch.tensor([-7, 7], { dtype: 'int64' }).div(-2, { roundingMode: 'trunc' }).tolist()));
      out.push('ok ' + JSON.stringify(torch.tensor([-7, 7], { dtype: 'int32' }).remainder(-3).tolist()));
      out.push('ok ' + JSON.stringify(torch.tensor([-(2 ** 31), 5], { dtype: 'int32' }).remainder(2).tolist()));
      console.log(out.join('\\n'));
    `;
    const r = child(script);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    const lines = r.out.trim().split('\n');
    const bad = lines.filter((l) => !l.startsWith('ok ') && !/: RangeError: .*integer overflow: -(9223372036854775808|2147483648) \(the int(64|32) minimum\) divided by -1/.test(l));
    expect(bad).toEqual([]);
    expect(lines.filter((l) => l.includes('RangeError'))).toHaveLength(20);
    expect(lines).toContain('ok [3,-3]');
    expect(lines).toContain('ok [-1,-2]');
    expect(lines).toContain('ok [0,1]');
  });
  test('a wider result type does not overflow: int32 minimum / -1 as int64 is 2**31', () => {
    const a = torch.tensor([-(2 ** 31)], { dtype: 'int32' });
    const b = torch.tensor([-1], { dtype: 'int64' });
    expect(a.floorDivide(b).tolist()).toEqual([2 ** 31]);
    torch.dispose([a, b]);
  });
});

describe('setPrintOptions is range-checked (precision 1e9 printed for a minute)', () => {
  afterEach(() => torch.setPrintOptions({ profile: 'default' }));
  test('bad values are errors and leave the options unchanged', () => {
    const before = torch.getPrintOptions();
    expectThrow(() => torch.setPrintOptions({ precision: 1e9 }), 'RangeError', /'precision' must be at most 100, got 1000000000/);
    expectThrow(() => torch.setPrintOptions({ threshold: NaN }), 'RangeError', /'threshold' must be a non-negative integer or Infinity, got NaN/);
    expectThrow(() => torch.setPrintOptions({ linewidth: -1 }), 'RangeError', /'linewidth'/);
    expectThrow(() => torch.setPrintOptions({ linewidth: '80' as unknown as number }), 'TypeError', /'linewidth'/);
    expectThrow(() => torch.setPrintOptions({ edgeitems: 2.5 }), 'RangeError', /'edgeitems'/);
    expectThrow(() => torch.setPrintOptions({ sciMode: 'yes' as unknown as boolean }), 'TypeError', /'sciMode' must be a boolean or null/);
    expectThrow(() => torch.setPrintOptions({ profile: 'full', precision: -1 }), 'RangeError', /'precision'/);
    expect(torch.getPrintOptions()).toEqual(before);
  });
  test('the largest precision prints quickly', () => {
    torch.setPrintOptions({ precision: 100, threshold: Infinity, linewidth: 1e6 });
    const t = torch.tensor([1 / 3, 2]);
    const s = t.toString();
    expect(s).toContain('0.3333333');
    t.dispose();
  });
});

describe('silent wrong answers', () => {
  test('indexPut_ with accumulate adds values at repeated indices (PyTorch: [3, 0, 0])', () => {
    const t = torch.zeros(3);
    const i = torch.tensor([0, 0, 0], { dtype: 'int64' });
    const v = torch.tensor([1, 1, 1]);
    t.indexPut_([i], v, { accumulate: true });
    expect(t.tolist()).toEqual([3, 0, 0]);
    t.indexPut_([[1, 1]], 2, { accumulate: true });
    expect(t.tolist()).toEqual([3, 4, 0]);
    t.indexPut_([i], v, { accumulate: false });
    expect(t.tolist()).toEqual([1, 4, 0]);
    const m = torch.zeros(2, 3);
    m.indexPut_([':', [0, 0, 2]], torch.ones(3), { accumulate: true });
    expect(m.tolist()).toEqual([[2, 0, 1], [2, 0, 1]]);
    expectThrow(() => t.indexPut_([i], v, { acumulate: true } as never), 'TypeError', /indexPut_\(\).*'acumulate'/);
    expectThrow(() => t.indexPut_([i], v, { accumulate: 1 } as never), 'TypeError', /'accumulate' must be a boolean/);
    expectThrow(() => m.indexPut_(['0:1', [0]], 1, { accumulate: true }), 'TypeError', /with accumulate, every index item must be an index tensor/);
    torch.dispose([t, i, v, m]);
  });
  test('a gradient of the wrong shape is an error (PyTorch: Mismatch in shape)', () => {
    const x = torch.ones(3, { requiresGrad: true });
    const y = x.mul(2);
    expectThrow(() => y.backward(torch.ones(2)), 'TorchError', /^Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[2\]\) and output\[0\] has a shape of torch.Size\(\[3\]\)\.$/);
    expectThrow(() => torch.autograd.grad([y], [x], { gradOutputs: [torch.ones(3, 1)], retainGraph: true }), 'TorchError', /grad_output\[0\] has a shape of torch.Size\(\[3, 1\]\)/);
    const z = x.mul(3);
    expectThrow(() => torch.autograd.backward([y, z], { gradTensors: [torch.ones(3), torch.ones(4)] }), 'TorchError', /grad_output\[1\] has a shape of torch.Size\(\[4\]\) and output\[1\]/);
    expect(x.grad).toBeNull();
    y.backward(torch.ones(3));
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
    torch.dispose([x, y, z]);
  });
  test('a float index is an error, not truncated', () => {
    const t = torch.arange(4);
    expectThrow(() => t.index([1.7]), 'TypeError', /index array's elements must be integers or booleans, got number 1.7/);
    expectThrow(() => t.index([[0, 1.5]]), 'TypeError', /got number 1.5/);
    expectThrow(() => t.index([true, 1]), 'TypeError', /mixes booleans and integers/);
    expect(t.index([1, 3]).tolist()).toEqual([1, 3]);
    t.dispose();
  });
  test('arange(2**53, 2**53 + 4) is int64, like Python', () => {
    const t = torch.arange(2 ** 53, 2 ** 53 + 4);
    expect(t.dtype).toBe('int64');
    expect(t.numel()).toBe(4);
    expect(t.sub(2 ** 53).tolist()).toEqual([0, 1, 2, 3]);
    const f = torch.full([1], 2 ** 60, { dtype: 'int64' });
    expect(f.sub(2 ** 60).tolist()).toEqual([0]);
    expect(torch.arange(0.5, 2).dtype).toBe('float32');
    torch.dispose([t, f]);
  });
});

describe('leaks', () => {
  test('tensors made by a timer of an ended async scope, while another scope runs, are not lost', async () => {
    await collectGarbage();
    const before = live();
    let fire!: () => void;
    const fired = new Promise<void>((r) => { fire = r; });
    await torch.scope(async () => {
      setTimeout(() => {
        for (let i = 0; i < 200; i++) torch.zeros(10);
        fire();
      }, 20);
    });
    await torch.scope(async () => { await fired; });
    await collectGarbage();
    expect(live()).toBe(before);
  });
  test('torch.scope(async ...) started inside tidy resolves to a live tensor', async () => {
    const before = live();
    let p!: Promise<torch.Tensor>;
    torch.tidy(() => {
      p = torch.scope(async () => torch.ones(2).mul(3));
    });
    const t = await p;
    expect(t.isDisposed).toBe(false);
    expect(t.tolist()).toEqual([3, 3]);
    t.dispose();
    await collectGarbage();
    expect(live()).toBe(before);
  });
  test('a constructor that throws leaves nothing allocated', async () => {
    await collectGarbage();
    const before = live();
    expectThrow(() => new nn.Embedding(0, 1, { paddingIdx: 0 }), 'TorchError', /index 0 out of range/);
    expect(live()).toBe(before);
  });
});

describe('memory comes back without an explicit gc()', () => {
  test('an idle process frees unscoped tensors dropped by a synchronous loop', () => {
    const script = `
      const torch = require('./dist/torch');
      torch.zeros(1);
      const rss0 = process.memoryUsage().rss;
      for (let i = 0; i < 100000; i++) torch.zeros(4);
      for (let i = 0; i < 1000; i++) torch.zeros(262144);   // 1 MB each
      const peak = torch.memory().numTensors;
      setTimeout(() => {
        const m = torch.memory();
        console.log(JSON.stringify({ peak, after: m.numTensors, bytes: m.numBytes, rssGrowth: process.memoryUsage().rss - rss0 }));
      }, 3000);
    `;
    const r = child(script);
    expect(r.status).toBe(0);
    const res = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(res.after).toBeLessThan(100);
    expect(res.bytes).toBeLessThan(9 * 2 ** 20);
    expect(res.rssGrowth).toBeLessThan(160 * 2 ** 20); // the loop's peak is over 1 GB
  });
  test('a long synchronous loop without scopes stays bounded', () => {
    const script = `
      const torch = require('./dist/torch');
      let maxBytes = 0;
      for (let i = 0; i < 3000; i++) {          // 3 GB made in all, nothing disposed, no await
        torch.zeros(262144);
        if (i % 50 === 0) maxBytes = Math.max(maxBytes, torch.memory().numBytes);
      }
      console.log(JSON.stringify({ maxBytes }));
    `;
    const r = child(script);
    expect(r.status).toBe(0);
    const res = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(res.maxBytes).toBeLessThan(400 * 2 ** 20);
  });
});

describe('accepted silently before', () => {
  test('soft-target cross-entropy rejects a bogus reduction', () => {
    const x = torch.randn(2, 3);
    const t = torch.ones(2, 3);
    expectThrow(() => sigprop.loss.softTargetCrossEntropy(x, t, 'bogus' as never), 'RangeError', /'reduction' must be 'mean' or 'none', got string 'bogus'/);
    expectThrow(() => sigprop.loss.softTargetCrossEntropy(x, t, { reduction: 'mean', extra: 1 } as never), 'TypeError', /'extra'/);
    expect(sigprop.loss.softTargetCrossEntropy(x, t, { reduction: 'none' }).shape).toEqual([2]);
    torch.dispose([x, t]);
  });
  test('SGD with lr NaN and LinearLR with startFactor 0', () => {
    const p = torch.zeros(2, { requiresGrad: true });
    expectThrow(() => new optim.SGD([p], { lr: NaN }), 'RangeError', /Invalid learning rate: NaN/);
    expectThrow(() => new optim.SGD([p], { lr: 0.1, momentum: NaN }), 'RangeError', /Invalid momentum value: NaN/);
    const opt = new optim.SGD([p], { lr: 0.1 });
    expectThrow(() => new optim.lrScheduler.LinearLR(opt, { startFactor: 0 }), 'RangeError', /Starting multiplicative factor expected to be greater than 0/);
    expectThrow(() => new optim.lrScheduler.LinearLR(opt, { endFactor: NaN }), 'RangeError', /Ending multiplicative factor/);
    p.dispose();
  });
  test('a detached ArrayBuffer is an error, not an empty tensor', () => {
    const buf = new ArrayBuffer(16);
    structuredClone(buf, { transfer: [buf] });
    expectThrow(() => torch.frombuffer(buf, { dtype: 'float32' }), 'TypeError', /'buffer' is a detached ArrayBuffer/);
    const f = new Float32Array(4);
    structuredClone(f.buffer, { transfer: [f.buffer] });
    expectThrow(() => torch.tensor(f), 'TypeError', /'data' is a detached ArrayBuffer/);
    const empty = torch.frombuffer(new ArrayBuffer(0), { dtype: 'float32' });
    expect(empty.shape).toEqual([0]);
    empty.dispose();
  });
  test("index('...', '...') is an error", () => {
    const t = torch.zeros(2, 2);
    expectThrow(() => t.index('...', '...'), 'RangeError', /an index can only have a single ellipsis/);
    t.dispose();
  });
});

describe('messages that said the wrong thing', () => {
  test('OneCycleLR takes maxLr in the options object too', () => {
    const p = torch.zeros(2, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    const s = new optim.lrScheduler.OneCycleLR(opt, { maxLr: 0.5, totalSteps: 10 });
    expect(s.totalSteps).toBe(10);
    expectThrow(() => new optim.lrScheduler.OneCycleLR(opt, { totalSteps: 10 } as never), 'TypeError', /missing required argument 'maxLr'/);
    p.dispose();
  });
  test('a malformed optimizer state dict names what is missing', () => {
    const p = torch.zeros(2, { requiresGrad: true });
    const opt = new optim.Adam([p]);
    const sd = { state: { 0: { step: torch.tensor(1) } }, param_groups: opt.stateDict().param_groups };
    expectThrow(() => opt.loadStateDict(sd as never), 'TypeError', /Adam.loadStateDict\(\): state\['0'\].exp_avg must be a tensor of the parameter's shape \[2\], got undefined/);
    const sd2 = { state: { 0: { step: torch.tensor(1), exp_avg: torch.zeros(3), exp_avg_sq: torch.zeros(2) } }, param_groups: opt.stateDict().param_groups };
    expectThrow(() => opt.loadStateDict(sd2 as never), 'TypeError', /exp_avg must be a tensor of the parameter's shape \[2\], got shape \[3\]/);
    // the optimizer still works
    p.sum().backward();
    opt.step();
    torch.dispose([p, sd.state[0].step, sd2.state[0].step, sd2.state[0].exp_avg, sd2.state[0].exp_avg_sq]);
    opt.dispose();
  });
  test("libtorch's C++ type names are not in messages", () => {
    const a = torch.ones(2, 2, { dtype: 'bfloat16' });
    const b = torch.ones(2, 2);
    const e = thrown(() => a.mm(b));
    expect(e.message).not.toMatch(/c10::/);
    expect(e.message).toMatch(/BFloat16/);
    torch.dispose([a, b]);
  });
  test('expand to a size whose element count overflows says so', () => {
    const t = torch.zeros(1, 1);
    expectThrow(() => t.expand(2 ** 62, 4), 'RangeError', /expand\(\): 'size' \[4611686018427388000, 4\] has 1.845e\+19 elements, more than an int64 element count can hold/);
    expectThrow(() => t.expand(2 ** 60, 1), 'RangeError', /'size' 1152921504606847000 is larger than 2\*\*53 - 1/);
    t.dispose();
  });
});

describe('a sigprop model checks its input before any loss sees it', () => {
  const nets = require('../bench/sigprop-nets')(require('../lib'));
  test.each(['mlp', 'conv'])('%s: a batch of 0, labels of another batch, a 9x9 image', (net) => {
    const built = nets.buildModel(net, nets.lossByName('v14'), { monitors: false, ch: 4, hidden: 16 });
    const labels = (n: number): torch.Tensor => torch.arange(n).remainder(10);
    const bad = (x: () => torch.Tensor, y: () => torch.Tensor, name: string, re: RegExp): void => {
      const n0 = live();
      expectThrow(() => torch.tidy(() => built.model.forward([x(), y()])), name, re);
      expect(live()).toBe(n0);
    };
    bad(() => torch.zeros(0, 1, 28, 28), () => labels(0), 'RangeError', /Forward.forward\(\): x \(input\[0\]\) must be a batch of at least 1 sample, got shape \[0, 1, 28, 28\]/);
    bad(() => torch.zeros(4, 1, 28, 28), () => labels(3), 'RangeError', /one label per sample of x \(4\), got shape \[3\]/);
    if (net === 'conv') bad(() => torch.zeros(4, 1, 9, 9), () => labels(4), 'RangeError', /ProjectionContextInput.forward\(\): the input module made \[4, 4, 9, 9\] from x of shape \[4, 1, 9, 9\], but the signal's outputShape is \[4, 28, 28\]/);
    else bad(() => torch.zeros(4, 1, 9, 9), () => labels(4), 'TorchError', /mat1 and mat2 shapes cannot be multiplied \(4x81 and 784x16\)/);
    // and the model still trains
    const out = torch.tidy(() => built.model.forward([torch.randn(4, 1, 28, 28), labels(4)]));
    expect(out.shape).toEqual([4, 10]);
    out.dispose();
    built.model.dispose();
  });
});
