// The training service (lib/serve): every endpoint, bad requests, a failing training Worker restarted from its
// snapshot, the main-thread mode, and the page in headless Chromium (skipped when `chromium` is not installed).
// The Worker runs dist/serve/trainer.js (built by `npm test`); Fashion-MNIST from Debian's dataset-fashion-mnist.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync, execFile } from 'child_process';
import * as torch from '../lib/torch';
import { startService, TrainingService, serviceArgs, SNAPSHOT_FORMAT } from '../lib/serve';
import { buildAll } from '../lib/examples/runner';
import { buildTransform } from '../lib/data';
import { parseServeArgs } from '../lib/serve/cli';
import { haveFashion } from './helpers/fashion';

const TINY = { numHidden: 32, signalCh: 1, batchSize: 16, steps: 25, testSteps: 2, epochs: 10000, threads: 1 };
const maybe = haveFashion() ? describe : describe.skip;
if (!haveFashion()) console.warn('test/serve.test.ts skipped: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)');

type Reply = { status: number; headers: Headers; text: string; json: () => Record<string, unknown> };
async function call(url: string, p: string, init?: RequestInit): Promise<Reply> {
  const r = await fetch(url + p, init);
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}
const post = (url: string, p: string, body?: BodyInit, type?: string): Promise<Reply> =>
  call(url, p, { method: 'POST', body, headers: type ? { 'content-type': type } : {} });
const status = async (url: string): Promise<Record<string, unknown>> => (await call(url, '/status')).json();

/** Polls /status until `ok` holds (or fails after timeoutMs, showing the last status). */
async function until(url: string, ok: (s: Record<string, unknown>) => boolean, timeoutMs = 30000): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  let s = await status(url);
  while (!ok(s)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting; last status: ${JSON.stringify({ ...s, history: undefined })}`);
    await new Promise((r) => setTimeout(r, 50));
    s = await status(url);
  }
  return s;
}

/** A 28 x 28 test image as bytes (a deterministic pattern). */
const IMAGE = Buffer.from(Array.from({ length: 784 }, (_, i) => (i * 37 + (i >> 5) * 11) % 256));

maybe('the training service (trainer in a Worker)', () => {
  let service: TrainingService;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    torch.setNumThreads(1);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-serve-'));
    ({ service, url } = await startService({ args: TINY, snapshotPath: path.join(dir, 'snap.pt'), testHooks: true, publishMs: 50, progressMs: 50, maxBodyBytes: 16384 }));
    await until(url, (s) => s.weights !== null && (s.step as number) >= 5);
  }, 60000);

  afterAll(async () => {
    await service?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    // every weight publication was received or dropped (none left in the process-wide registry)
    expect(torch.sharedCount()).toBe(0);
  });

  test('GET / is the page; GET /status reports the training', async () => {
    const page = await call(url, '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<svg id="loss-chart"/);
    const s = await until(url, (x) => (x.history as { train: unknown[] }).train.length >= 2);
    expect(s.state).toBe('running');
    expect(s.trainOn).toBe('worker');
    expect(s.threadId).toBeGreaterThan(0);
    expect(s.error).toBeNull();
    expect(s.stepsPerEpoch).toBe(25);
    expect(s.stepsPerSecond).toBeGreaterThan(0);
    expect(typeof s.loss).toBe('number');
    expect(s.acc).toBeGreaterThanOrEqual(0);
    const p = (s.history as { train: { step: number; loss: number; acc: number }[] }).train;
    expect(p[1].step).toBeGreaterThan(p[0].step);
    expect(s.model).toMatchObject({ dataset: 'FashionMNIST', model: 'mlp', numHidden: 32, sigprop: true });
    // an epoch ends with a test pass
    const t = await until(url, (x) => x.testAcc !== null);
    expect((t.history as { test: { epoch: number; acc: number }[] }).test[0]).toMatchObject({ epoch: 0 });
  }, 60000);

  test('pause, snapshot, predict: JSON and raw bytes give the probabilities of the snapshot\'s weights', async () => {
    expect((await post(url, '/pause')).status).toBe(202);
    const paused = await until(url, (s) => s.state === 'paused');
    await new Promise((r) => setTimeout(r, 200));
    const still = await status(url);
    expect(still.step).toBe(paused.step); // no step while paused
    const snap = await post(url, '/snapshot');
    expect(snap.status).toBe(200);
    const sj = snap.json();
    expect(sj.step).toBe(paused.step);
    expect(sj.path).toBe(path.join(dir, 'snap.pt'));
    expect(fs.readdirSync(dir)).toEqual(['snap.pt']); // written to a temporary file, renamed
    expect((await status(url)).weights).toMatchObject({ step: paused.step }); // pausing published the weights

    const raw = await post(url, '/predict', IMAGE, 'application/octet-stream');
    expect(raw.status).toBe(200);
    const r = raw.json() as { probabilities: number[]; class: number; label: string; weightsStep: number };
    expect(r.probabilities).toHaveLength(10);
    expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(r.class).toBe(r.probabilities.indexOf(Math.max(...r.probabilities)));
    expect(typeof r.label).toBe('string');
    expect(r.weightsStep).toBe(paused.step);
    const flat = (await post(url, '/predict', JSON.stringify(Array.from(IMAGE)), 'application/json')).json();
    const rows = Array.from({ length: 28 }, (_, i) => Array.from(IMAGE.subarray(i * 28, i * 28 + 28)));
    const nested = (await post(url, '/predict', JSON.stringify({ image: rows }), 'application/json')).json();
    const unit = (await post(url, '/predict', JSON.stringify({ image: Array.from(IMAGE, (v) => v / 255), scale: 1 }))).json();
    expect(flat.probabilities).toEqual(r.probabilities);
    expect(nested.probabilities).toEqual(r.probabilities);
    (unit.probabilities as number[]).forEach((v, i) => expect(v).toBeCloseTo(r.probabilities[i], 5));

    // the same model loaded from the snapshot here gives the same probabilities
    const ck = torch.load(sj.path as string) as Record<string, unknown>;
    expect(ck.format).toBe(SNAPSHOT_FORMAT);
    expect(ck.step).toBe(paused.step);
    const b = buildAll('ex4', serviceArgs(TINY), { numClasses: 10, inputCh: 1, inputDim: 28 });
    b.wrapper.loadStateDict(ck.state_dict as Record<string, unknown>);
    b.wrapper.eval();
    const here = torch.tidy(() => torch.noGrad(() => {
      const x = buildTransform('FashionMNIST').apply(torch.tensor(new Uint8Array(IMAGE)).float().div(255).view(1, 1, 28, 28));
      return Array.from(torch.nn.functional.softmax(b.wrapper.forward(x, null), 1).view(-1).toTypedArray() as Float32Array);
    }));
    expect(here).toEqual(r.probabilities);
    torch.dispose(ck);
    b.wrapper.dispose();
    b.globalOptimizer?.dispose();

    expect((await post(url, '/resume')).status).toBe(202);
    await until(url, (s) => s.state === 'running' && (s.step as number) > (paused.step as number));
  }, 60000);

  test('bad requests get a 4xx JSON error with a message, and the service goes on', async () => {
    const bad: [Promise<Reply>, number, RegExp][] = [
      [post(url, '/predict', JSON.stringify(Array(783).fill(0)), 'application/json'), 400, /784 pixels \(28 x 28\), got 783/],
      [post(url, '/predict', JSON.stringify({ image: Array(27).fill(Array(28).fill(0)) }), 'application/json'), 400, /784 pixels/],
      [post(url, '/predict', JSON.stringify(Array(28).fill(Array(27).fill(0))), 'application/json'), 400, /row 0 of the image has 27 values/],
      [post(url, '/predict', Buffer.alloc(100), 'application/octet-stream'), 400, /784 bytes .* got 100 bytes/],
      [post(url, '/predict', '{"image": [1, 2', 'application/json'), 400, /not valid JSON/],
      [post(url, '/predict', 'hello'), 400, /not valid JSON/],
      [post(url, '/predict', ''), 400, /body is empty/],
      [post(url, '/predict', JSON.stringify(Array(784).fill(300)), 'application/json'), 400, /pixel 0 is 300, outside \[0, 255\]/],
      [post(url, '/predict', JSON.stringify(Array(784).fill('a')), 'application/json'), 400, /pixel 0 is not a finite number/],
      [post(url, '/predict', JSON.stringify({ image: Array(784).fill(0), colour: 1 }), 'application/json'), 400, /unexpected key 'colour'/],
      [post(url, '/predict', JSON.stringify('x'), 'application/json'), 400, /must be a JSON array/],
      [post(url, '/predict', Buffer.alloc(100000, 1), 'application/octet-stream'), 413, /limit is 16384 bytes/],
      [call(url, '/predict'), 405, /\/predict takes POST, not GET/],
      [call(url, '/status', { method: 'DELETE' }), 405, /takes GET/],
      [call(url, '/nothing'), 404, /no such endpoint: GET \/nothing/],
      [post(url, '/restart'), 409, /the trainer is running/],
    ];
    for (const [p, code, message] of bad) {
      const r = await p;
      expect({ code: r.status, type: r.headers.get('content-type') }).toEqual({ code, type: 'application/json; charset=utf-8' });
      expect(r.json().error).toMatch(message);
    }
    expect((await call(url, '/predict', { method: 'GET' })).headers.get('allow')).toBe('POST');
    // a body streamed in chunks past the limit (no content-length)
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(4096));
        c.close();
      },
    });
    const chunked = await fetch(url + '/predict', { method: 'POST', body: stream, duplex: 'half' } as RequestInit).then((r) => r.status, () => 413);
    expect(chunked).toBe(413);
    expect((await status(url)).state).toBe('running');
    expect((await post(url, '/predict', IMAGE, 'application/octet-stream')).status).toBe(200);
  }, 60000);

  test('a failing training Worker is reported; /predict goes on; /restart resumes from the snapshot', async () => {
    const snapStep = (await status(url)).snapshot as { step: number };
    expect(snapStep.step).toBeGreaterThan(0);
    expect((await post(url, '/debug/fail', 'boom from the test')).status).toBe(202);
    const failed = await until(url, (s) => s.state === 'failed');
    expect((failed.error as { message: string }).message).toBe('boom from the test');
    expect(failed.threadId).toBeNull();
    // the last weights still answer
    expect((await post(url, '/predict', IMAGE, 'application/octet-stream')).status).toBe(200);
    for (const p of ['/pause', '/resume', '/snapshot', '/debug/fail']) {
      const r = await post(url, p);
      expect(r.status).toBe(409);
      expect(r.json().error).toMatch(/the trainer is failed \(POST \/restart/);
    }
    const rs = await post(url, '/restart');
    expect(rs.status).toBe(202);
    expect(rs.json()).toMatchObject({ resumeFrom: path.join(dir, 'snap.pt'), restarts: 1 });
    const back = await until(url, (s) => s.state === 'running' && (s.step as number) > snapStep.step);
    expect(back.error).toBeNull();
    expect(back.restarts).toBe(1);
    expect(back.threadId).toBeGreaterThan(0);
    // the curves were cut back to the snapshot's step and go on from there
    const steps = (back.history as { train: { step: number }[] }).train.map((p) => p.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  }, 60000);

  test('the page in headless Chromium shows the live curves', async () => {
    let chromium: string;
    try {
      chromium = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
    } catch {
      console.warn('skipped: chromium is not installed (apt-get install -y chromium)');
      return;
    }
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-chromium-'));
    const dom = await new Promise<string>((resolve, reject) => {
      execFile(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--user-data-dir=${profile}`, '--virtual-time-budget=3000', '--dump-dom', url + '/'],
        { timeout: 90000, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    fs.rmSync(profile, { recursive: true, force: true });
    expect(dom).toMatch(/<span id="state" class="state-running">running<\/span>/);
    expect(dom).toMatch(/<td id="updates">[1-9]\d*<\/td>/);
    const d = /<path id="loss-path" class="train" d="(M[^"]+)"/.exec(dom);
    expect(d).not.toBeNull();
    expect((d as RegExpExecArray)[1].split('L').length).toBeGreaterThan(2); // a curve of several points
    expect(dom).toMatch(/<path id="acc-path" class="train" d="M/);
    expect(dom).toMatch(/<td id="weights">step \d+<\/td>/);
  }, 120000);
});

maybe('the training service, other setups', () => {
  test('trainOn main: the same endpoints, no test hook unless asked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-serve-'));
    const { service, url } = await startService({ trainOn: 'main', args: TINY, snapshotPath: path.join(dir, 's.pt'), publishMs: 50 });
    try {
      const s = await until(url, (x) => x.weights !== null);
      expect(s.trainOn).toBe('main');
      expect((await post(url, '/predict', IMAGE, 'application/octet-stream')).status).toBe(200);
      expect((await post(url, '/debug/fail')).status).toBe(404);
      expect((await post(url, '/snapshot')).json()).toMatchObject({ path: path.join(dir, 's.pt') });
    } finally {
      await service.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  test('bad options are clear errors', async () => {
    expect(() => new TrainingService({ port: 1 } as never)).toThrow(/unexpected keyword argument 'port'|port/);
    expect(() => new TrainingService({ args: { norm: 'batch_norm' } })).toThrow(/norm 'batch_norm' normalizes with the batch's statistics/);
    expect(() => new TrainingService({ args: { dataset: 'CIFAR10' } })).toThrow(/dataset must be FashionMNIST or MNIST, got 'CIFAR10'/);
    expect(() => new TrainingService({ args: { numHiden: 3 } as never })).toThrow(/unknown training flag 'numHiden'/);
    expect(() => new TrainingService({ args: { lr: -1 } })).toThrow(/--lr: must be a positive number/);
    expect(() => new TrainingService({ trainOn: 'gpu' as never })).toThrow(/'trainOn' must be 'worker' or 'main'/);
    expect(() => new TrainingService({ maxBodyBytes: 0 })).toThrow(/'maxBodyBytes' must be an integer >= 1/);
  });

  test('sigprop-examples serve: the service\'s flags, then the examples\' flags over the service\'s defaults', () => {
    const p = parseServeArgs(['ex2', '--port', '0', '--snapshot=/tmp/x.pt', '--train-on', 'main', '--num-hidden', '64', '--lr', '0.01', '--max-body', '1000']);
    expect(p).toMatchObject({ port: 0, host: '127.0.0.1', help: false, options: { example: 'ex2', snapshotPath: '/tmp/x.pt', trainOn: 'main', maxBodyBytes: 1000, args: { numHidden: 64, lr: 0.01 } } });
    expect(Object.keys(p.options.args ?? {}).sort()).toEqual(['lr', 'numHidden']);
    expect(parseServeArgs([]).options).toMatchObject({ example: 'ex4', args: {} });
    expect(() => parseServeArgs(['--port', '70000'])).toThrow(/expected a port number/);
    expect(() => parseServeArgs(['--train-on', 'gpu'])).toThrow(/expected worker or main, got 'gpu'/);
    expect(() => parseServeArgs(['--bogus'])).toThrow(/unrecognized arguments: --bogus/);
  });
});
