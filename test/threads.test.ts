// worker_threads: the addon in several threads at once, tensors shared between them, Workers that end
// mid-step. Workers run test/fixtures/thread-worker.js against dist/ (built by `npm test`).
import * as path from 'path';
import { Worker, threadId } from 'worker_threads';
import * as torch from '../lib/torch';

const FIXTURE = path.join(__dirname, 'fixtures', 'thread-worker.js');

function start(workerData: Record<string, unknown>): Worker {
  return new Worker(FIXTURE, { workerData });
}

/** The first message of a Worker (and its exit), or its error. */
function result<T = unknown>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    let got: T | undefined;
    w.once('message', (m) => { got = m; });
    w.once('error', reject);
    w.once('exit', (code) => (got !== undefined ? resolve(got) : reject(new Error(`worker exited with ${code} before posting`))));
  });
}

function exited(w: Worker): Promise<number> {
  return new Promise((resolve) => w.once('exit', resolve));
}

/** The same training as the fixture's, here on the main thread. */
function trainHere(seed: number, steps: number): { losses: number[]; sums: number[] } {
  const { nn, optim } = torch;
  torch.manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(16, 32), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(32, 4));
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const x = torch.randn(64, 16);
  const y = torch.randint(0, 4, [64]);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    torch.tidy(() => {
      const loss = nn.functional.crossEntropy(model.forward(x) as torch.Tensor, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      losses.push(loss.item() as number);
    });
  }
  const sums = torch.tidy(() => model.parameters().map((p) => p.sum().item() as number));
  torch.dispose([x, y]);
  model.dispose();
  return { losses, sums };
}

beforeAll(() => torch.setNumThreads(1));

test('a Worker and the main thread train at the same time, each with the results of training alone', async () => {
  const alone = trainHere(7, 200);
  const w = start({ task: 'train', seed: 3, steps: 200 });
  const here = trainHere(7, 200); // runs while the Worker trains its own model (its own default generator)
  const there = await result<{ losses: number[]; sums: number[] }>(w);
  expect(here).toEqual(alone);
  // the Worker's run equals the same run done here, alone
  expect(there).toEqual(trainHere(3, 200));
});

test('manualSeed in a Worker seeds that Worker only; a fresh Worker starts with the default seed', async () => {
  torch.manualSeed(123);
  const w = new Worker("const t = require(process.argv[2] || './dist/torch'); t.manualSeed(5); " +
    "require('worker_threads').parentPort.postMessage([t.initialSeed(), t.randn(2).tolist()])", { eval: true, argv: [path.join(__dirname, '..', 'dist', 'torch')] });
  const [seed, values] = await result<[number, number[]]>(w);
  expect(seed).toBe(5);
  expect(torch.initialSeed()).toBe(123);
  torch.manualSeed(5);
  expect(torch.randn(2).tolist()).toEqual(values);
  const fresh = new Worker("require('worker_threads').parentPort.postMessage(require(process.argv[2]).initialSeed())", { eval: true, argv: [path.join(__dirname, '..', 'dist', 'torch')] });
  expect(await result(fresh)).toBe(67280421310721);
});

test('100 Workers terminated mid-step leave no tensor behind and bounded memory', async () => {
  const before = torch.memory();
  const rss0 = process.memoryUsage().rss;
  for (let round = 0; round < 10; round++) {
    const ws = Array.from({ length: 10 }, () => start({ task: 'loop' }));
    await Promise.all(ws.map((w) => new Promise((r) => w.once('message', r))));
    await new Promise((r) => setTimeout(r, 5 + round * 3));
    await Promise.all(ws.map((w) => w.terminate()));
  }
  const after = torch.memory();
  // (this thread's own count only falls, as the GC backstop frees earlier tests' tensors during the awaits)
  expect(after.numTensors).toBeLessThanOrEqual(before.numTensors);
  // every large CPU block the Workers held is back (the pool counts all threads')
  expect(after.cpuLargeBytesInUse).toBe(before.cpuLargeBytesInUse);
  expect(process.memoryUsage().rss - rss0).toBeLessThan(400 * 2 ** 20);
}, 240000);

test('a Worker that throws mid-step frees what it held; the process goes on', async () => {
  const before = torch.memory().cpuLargeBytesInUse;
  const w = start({ task: 'throw' });
  const err = await new Promise<Error>((resolve) => w.once('error', resolve));
  await exited(w);
  expect(err.message).toMatch(/boom mid-step/);
  expect(torch.memory().cpuLargeBytesInUse).toBe(before);
  expect(torch.ones(2).sum().item()).toBe(2);
});

test('a tensor shared with 4 Workers, disposed in random order on every side, never crashes and is one storage', async () => {
  for (let trial = 0; trial < 5; trial++) {
    const t = torch.zeros(1000);
    const token = torch.share(t, { receivers: 4 });
    const ws = Array.from({ length: 4 }, () => start({ task: 'receive' }));
    const order = [0, 1, 2, 3].sort(() => Math.random() - 0.5);
    const done = ws.map((w) => new Promise<{ sum: number; live: number }>((r) => w.once('message', r)));
    ws.forEach((w, i) => w.postMessage({ token, index: i, delay: order[i] * 5 }));
    if (trial % 2 === 0) t.dispose(); // the sender may go first
    const results = await Promise.all(done);
    for (const r of results) expect(r.live).toBe(0);
    if (trial % 2 === 1) {
      // every Worker's add_ landed in this tensor's storage
      expect(t.index(torch.slice(0, 4)).tolist()).toEqual([1, 1, 1, 1]);
      t.dispose();
    }
    await Promise.all(ws.map((w) => w.terminate()));
    expect(torch.sharedCount()).toBe(0);
  }
}, 60000);

test('a tensor on a SharedArrayBuffer is written by a Worker and read here, no copy', async () => {
  const sab = new SharedArrayBuffer(4 * 6);
  const here = torch.frombuffer(sab, { dtype: 'float32' });
  here.copy_(torch.arange(6, { dtype: 'float32' }));
  const r = await result<{ device: string; n: number }>(start({ task: 'sab', sab }));
  expect(r).toEqual({ device: 'cpu', n: 6 });
  expect(here.tolist()).toEqual([1, 3, 5, 7, 9, 11]);
  expect(Array.from(new Float32Array(sab))).toEqual([1, 3, 5, 7, 9, 11]);
  // a plain ArrayBuffer is copied (it could be detached under the tensor)
  const ab = new Float32Array([1, 2]).buffer;
  const c = torch.frombuffer(ab, { dtype: 'float32' });
  c.mul_(10);
  expect(Array.from(new Float32Array(ab))).toEqual([1, 2]);
});

test('share(): a state dict round-trips, the tokens are plain data, bad uses are clear errors', () => {
  const { nn } = torch;
  const m = new nn.Linear(3, 2);
  const sd = m.stateDict();
  const tokens = torch.share(sd);
  expect(JSON.parse(JSON.stringify(tokens))).toEqual(tokens);
  expect(tokens.weight).toMatchObject({ __sigpropShared: 1, shape: [2, 3], dtype: 'float32', device: 'cpu' });
  const back = torch.fromShared(tokens);
  expect(back.weight.equal(m.weight)).toBe(true);
  back.weight.add_(1); // the same storage
  expect(back.weight.equal(m.weight)).toBe(true);
  // received once (receivers: 1): a second reception is an error naming the rule
  expect(() => torch.fromShared(tokens)).toThrow(/not \(or no longer\) available.*receivers/);
  // a non-leaf that requires grad keeps its graph here
  const p = torch.ones(2, { requiresGrad: true });
  expect(() => torch.share(p.mul(2))).toThrow(/requires grad and is not a leaf/);
  const leaf = torch.fromShared(torch.share(p));
  expect(leaf.requiresGrad).toBe(true);
  expect(leaf.isLeaf).toBe(true);
  // a tensor on a SharedArrayBuffer: post the buffer instead
  expect(() => torch.share(torch.frombuffer(new SharedArrayBuffer(8), { dtype: 'float32' }))).toThrow(/SharedArrayBuffer/);
  expect(() => torch.share(m.weight, { receivers: 0 })).toThrow(RangeError);
  expect(() => torch.share(m.weight, { receivers: 1, copies: 2 } as never)).toThrow(/unexpected keyword argument 'copies'/);
  const pending = torch.share([m.bias, m.weight]);
  expect(torch.unshare(pending)).toBe(2);
  expect(torch.sharedCount()).toBe(0);
  expect(() => torch.ones(2).add(tokens.weight as never)).toThrow(/shared-tensor token.*fromShared/);
  m.dispose();
});

test('unshareFrom(): the tokens a terminated Worker made and nobody received are dropped, others stay', async () => {
  torch.share(torch.ones(2));
  const w = start({ task: 'share-and-hang' });
  const id = w.threadId;
  const m = await new Promise<{ token: torch.SharedTensor; unposted: number }>((r) => w.once('message', r));
  expect(torch.sharedCount()).toBe(3);
  await w.terminate();
  expect(w.threadId).toBe(-1);
  expect(() => torch.unshareFrom(w)).toThrow(/threadId -1 once it has ended/);
  expect(torch.unshareFrom([id])).toBe(2); // the posted token not received yet, and the unposted one
  expect(() => torch.fromShared(m.token)).toThrow(/not \(or no longer\) available/);
  expect(torch.unshareFrom(id)).toBe(0);
  expect(torch.sharedCount()).toBe(1); // the main thread's token is not the Worker's
  expect(torch.unshareFrom(threadId)).toBe(1);
  expect(torch.sharedCount()).toBe(0);
  expect(() => torch.unshareFrom('1' as never)).toThrow(/expected Workers or threadIds \(integers >= 0\), got string/);
  expect(() => torch.unshareFrom([0, 1.5])).toThrow(/at index 1/);
});

test('a Tensor object posted to a Worker is a clear error there, not a crash', async () => {
  const t = torch.ones(2);
  const r = await result<{ name: string; message: string }>(start({ task: 'post-tensor', fake: t }));
  expect(r.name).toBe('TypeError');
  expect(r.message).toMatch(/copied from a Tensor of another thread.*torch\.share/);
});
