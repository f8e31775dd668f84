// torch.distributed on libtorch's c10d (Gloo), loopback only: 2- and 4-rank jobs of child processes
// (test/fixtures/dist-worker.js against dist/) check every collective against hand-computed values;
// a rank killed mid-collective, or one that never joins, makes the others fail within the timeout;
// rendezvous errors (port in use, no server, world size mismatch) are clear; a Node rank and a
// Python torch.distributed rank (the same libtorch) all-reduce in one group.
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import * as torch from '../lib/torch';
import { freePort } from './helpers/ports';

const dist = torch.distributed;
const WORKER = path.join(__dirname, 'fixtures', 'dist-worker.js');
const PY_RANK = path.join(__dirname, 'fixtures', 'dist_rank.py');

interface RankResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  results: Record<string, unknown>;
  error?: { name: string; message: string; ms: number };
  stdout: string;
  stderr: string;
}

function collect(p: ChildProcess, onLine?: (line: string) => void): Promise<RankResult> {
  return new Promise((resolve) => {
    let stdout = '', stderr = '', buf = '';
    p.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        onLine?.(line);
      }
    });
    p.stderr!.on('data', (d: Buffer) => { stderr += d; });
    p.on('exit', (code, signal) => {
      const results: Record<string, unknown> = {};
      let error;
      for (const line of stdout.split('\n')) {
        if (line.startsWith('RESULT ')) {
          const r = JSON.parse(line.slice(7));
          results[r.key] = r.value;
        } else if (line.startsWith('ERROR ')) {
          error = JSON.parse(line.slice(6));
        }
      }
      resolve({ code, signal, results, error, stdout, stderr });
    });
  });
}

function env(rank: number, worldSize: number, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), RANK: String(rank), WORLD_SIZE: String(worldSize), ...extra };
}

function node(scenario: string, e: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [WORKER, scenario], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function job(n: number, scenario: string, extra: Record<string, string> = {}): Promise<RankResult[]> {
  const port = await freePort();
  return Promise.all(Array.from({ length: n }, (_, r) => collect(node(scenario, env(r, n, port, extra)))));
}

function ok(rs: RankResult[]): void {
  for (const [r, x] of rs.entries()) {
    if (x.code !== 0) throw new Error(`rank ${r} exited with ${x.code} ${x.signal ?? ''}: ${JSON.stringify(x.error)}\n${x.stderr}`);
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const prod = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

describe.each([2, 4])('every collective on %i ranks (Gloo, loopback)', (n) => {
  let rs: RankResult[];
  beforeAll(async () => {
    rs = await job(n, 'collectives');
    ok(rs);
  }, 120000);

  test('allReduce: SUM, AVG, PRODUCT, MIN, MAX, int64', () => {
    const R = range(n);
    const a = R.map((r) => r + 1), b = R.map((r) => 2 * (r + 1)), c = R.map((r) => -r);
    const expect3 = {
      SUM: [sum(a), sum(b), sum(c)],
      AVG: [sum(a) / n, sum(b) / n, sum(c) / n],
      PRODUCT: [prod(a), prod(b), prod(c)],
      MIN: [Math.min(...a), Math.min(...b), Math.min(...c)],
      MAX: [Math.max(...a), Math.max(...b), Math.max(...c)],
    };
    for (const [r, x] of rs.entries()) {
      expect(x.results.rank).toEqual([r, n, true, 'gloo']);
      for (const [op, v] of Object.entries(expect3)) expect(x.results[`allReduce.${op}`]).toEqual(v.map((y) => y + 0));
      expect(x.results['allReduce.int64']).toEqual([sum(R), n * (1 << 20)]);
      expect(x.results.avgInt).toMatch(/ReduceOp.AVG needs floating-point tensors, got int32/);
    }
  });

  test('broadcast, allGather, reduceScatter, reduce, gather, scatter', () => {
    for (const [r, x] of rs.entries()) {
      expect(x.results.broadcast).toEqual([(n - 1) * 7 + 1, n - 1]);
      expect(x.results.allGather).toEqual(range(n).map((i) => [i, i * i]));
      expect(x.results.reduceScatter).toEqual([sum(range(n).map((q) => q * 10 + r)), n]);
      const [rank, red] = x.results.reduce as [number, number[]];
      expect(rank).toBe(r);
      if (r === 1) expect(red).toEqual([n - 1 + 1.5]);
      if (r === 0) expect(x.results.gather).toEqual(range(n).map((i) => [i * 3]));
      expect(x.results.scatter).toEqual([r * 100, -r + 0]);
    }
  });

  test('send/recv in a ring, recv from any source, tags', () => {
    for (const [r, x] of rs.entries()) {
      const prev = (r + n - 1) % n;
      expect(x.results.ring).toEqual([prev, [prev, 42]]);
    }
    expect(rs[0].results.anySource).toEqual(range(n).slice(1).map((q) => [q, q * 11]));
  });

  test('asyncOp: a Work whose wait() is a Promise, the event loop turning meanwhile', () => {
    for (const x of rs) {
      expect(x.results.async).toEqual([[sum(range(n).map((r) => r + 1)) / n], true, true]);
      expect(x.results.manyAsync).toEqual(range(8).map((i) => sum(range(n).map((r) => r + i))));
    }
  });

  test('newGroup: members reduce among themselves, others are not members', () => {
    for (const [r, x] of rs.entries()) {
      const member = r === 0 || r === n - 1;
      const [m, grank, gsize, v] = x.results.newGroup as [boolean, number, number, number[]];
      expect(m).toBe(member);
      if (member) {
        expect([grank, gsize, v]).toEqual([r === 0 ? 0 : 1, 2, [1 + n]]);
        expect(x.results['newGroup.broadcast']).toEqual([n - 1]);
      } else {
        expect([grank, gsize, v]).toEqual([-1, -1, [r + 1]]);
      }
      expect(x.results.unknownKey).toEqual(['TypeError', expect.stringMatching(/allReduce\(\) got an unexpected keyword argument 'bogus'/)]);
      expect(x.results.destroyed).toBe(false);
    }
  });
});

describe('failures end within the timeout', () => {
  test.each([2, 4])('a rank killed mid-collective: the other %i-1 fail with a DistBackendError', async (n) => {
    const port = await freePort();
    const timeout = 30000;
    const procs = range(n).map((r) => node('hang', env(r, n, port, { TEST_TIMEOUT: String(timeout), HANG_ASYNC: r % 2 ? '1' : '' })));
    const last = procs[n - 1];
    const done = procs.map((p, r) => collect(p, r === n - 1 ? (line) => { if (line === 'READY') setTimeout(() => last.kill('SIGKILL'), 500); } : undefined));
    const t0 = Date.now();
    const rs = await Promise.all(done);
    expect(rs[n - 1].signal).toBe('SIGKILL');
    for (const x of rs.slice(0, n - 1)) {
      expect(x.code).toBe(0);
      const h = x.results.hang as { name: string; message: string; ms: number };
      expect(h.name).toBe('DistBackendError');
      expect(h.message).toMatch(/^allReduce \(rank \d of \d\) failed: /);
      expect(h.ms).toBeLessThan(timeout);
    }
    expect(Date.now() - t0).toBeLessThan(timeout + 15000);
  }, 90000);

  test('a rank that never joins: the others fail when the group timeout passes', async () => {
    const port = await freePort();
    const timeout = 3000;
    const procs = range(2).map((r) => node('hang', env(r, 2, port, { TEST_TIMEOUT: String(timeout) })));
    const rs = await Promise.all([collect(procs[0]), collect(procs[1], (l) => { if (l === 'READY') setTimeout(() => procs[1].kill('SIGKILL'), 8000); })]);
    const h = rs[0].results.hang as { name: string; message: string; ms: number };
    expect(h.name).toBe('DistBackendError');
    expect(h.message).toMatch(/timeout|Timed out/i);
    expect(h.ms).toBeGreaterThanOrEqual(timeout - 200);
    expect(h.ms).toBeLessThan(timeout + 4000);
  }, 60000);

  test('port in use: a DistStoreError that says so', async () => {
    const server = net.createServer();
    const port = await new Promise<number>((res) => server.listen(0, '127.0.0.1', () => res((server.address() as net.AddressInfo).port)));
    try {
      const [x] = await Promise.all([collect(node('initOnly', env(0, 1, port, { INIT_OPTS: JSON.stringify({ timeout: 5000 }) })))]);
      expect(x.code).toBe(3);
      expect(x.error!.name).toBe('DistStoreError');
      expect(x.error!.message).toMatch(new RegExp(`port ${port} is in use`));
    } finally {
      server.close();
    }
  }, 30000);

  test('no rank 0: the store connection fails after the timeout', async () => {
    const port = await freePort();
    const [x] = await Promise.all([collect(node('initOnly', env(1, 2, port, { INIT_OPTS: JSON.stringify({ timeout: 2000 }) })))]);
    expect(x.code).toBe(3);
    expect(x.error!.name).toBe('DistStoreError');
    expect(x.error!.message).toMatch(/is rank 0 running/);
    expect(x.error!.ms).toBeLessThan(2000 + 10000);
  }, 30000);

  test('world size mismatch: the rank told another world size fails saying so', async () => {
    const port = await freePort();
    const opts = { INIT_OPTS: JSON.stringify({ timeout: 4000 }) };
    const rs = await Promise.all([
      collect(node('initOnly', env(0, 2, port, opts))),
      collect(node('initOnly', env(1, 3, port, opts))),
    ]);
    expect(rs[1].code).toBe(3);
    expect(rs[1].error!.message).toMatch(/world size mismatch: this rank \(1\) was given world size 3, rank 0 was given 2/);
    expect(rs[0].code).toBe(3); // rank 0 waits for a peer that has gone, up to the timeout
    expect(rs[0].error!.ms).toBeLessThan(4000 + 8000);
  }, 60000);
});

describe('setup errors in this process', () => {
  test('collectives before initProcessGroup, bad options, env:// without its variables', () => {
    expect(dist.isInitialized()).toBe(false);
    expect(() => dist.allReduce(torch.zeros([1]))).toThrow(/the default process group has not been initialized/);
    expect(() => dist.getRank()).toThrow(/has not been initialized/);
    expect(() => dist.initProcessGroup({ backend: 'gloo', bogus: 1 } as never)).toThrow(/unexpected keyword argument 'bogus'/);
    expect(() => dist.initProcessGroup({ backend: 'mpi' as never })).toThrow(/backend must be 'gloo' or 'nccl'/);
    expect(() => dist.initProcessGroup({ initMethod: 'udp://x:1', rank: 0, worldSize: 1 })).toThrow(/initMethod must be 'env:\/\/' or 'tcp:\/\/host:port'/);
    expect(() => dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1234' })).toThrow(/'rank' and 'worldSize' are required/);
    expect(() => dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1234', rank: 2, worldSize: 2 })).toThrow(/rank 2 is outside 0..1/);
    const saved = process.env.MASTER_ADDR;
    delete process.env.MASTER_ADDR;
    try {
      expect(() => dist.initProcessGroup({ rank: 0, worldSize: 1 })).toThrow(/environment variable MASTER_ADDR expected, but not set/);
    } finally {
      if (saved !== undefined) process.env.MASTER_ADDR = saved;
    }
  });

  test("backend 'nccl' on a machine without one: a clear error, no crash", async () => {
    const port = await freePort();
    let err: Error | undefined;
    try {
      dist.initProcessGroup({ backend: 'nccl', initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 5000 });
      dist.destroyProcessGroup();
    } catch (e) { err = e as Error; }
    if (torch.cuda.isAvailable() && dist.isNcclAvailable()) return; // a GPU machine: nccl works
    expect(err?.name).toBe('DistError');
    expect(err?.message).toMatch(/backend 'nccl' (is not in this build|needs a CUDA device)/);
    expect(dist.isInitialized()).toBe(false);
  });

  test('a one-rank group over tcp:// in this process: collectives are identities, a gloo group rejects nothing else', async () => {
    const port = await freePort();
    dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 10000 });
    try {
      const t = torch.tensor([1.5, -2]);
      dist.allReduce(t, { op: 'AVG' });
      expect(Array.from(t.toTypedArray())).toEqual([1.5, -2]);
      const w = dist.broadcast(t, 0, { asyncOp: true });
      await w.wait();
      expect(w.isCompleted()).toBe(true);
      expect(() => dist.broadcast(t, 1)).toThrow(/'src' rank 1 is not in the group/);
      expect(() => dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1 })).toThrow(/twice/);
      const store = dist.getDefaultStore();
      store.set('k', 'v');
      expect(store.get('k')).toBe('v');
      expect(store.add('n', 2)).toBe(2);
    } finally {
      dist.destroyProcessGroup();
    }
    expect(dist.isInitialized()).toBe(false);
    // the store server is gone with the group: the same port serves a new one; so after a failed init
    dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 10000 });
    dist.destroyProcessGroup();
    const t0 = Date.now();
    expect(() => dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 2, timeout: 1500 })).toThrow(/could not create the gloo process group \(rank 0 of 2\)|timed out/);
    expect(Date.now() - t0).toBeLessThan(1500 + 5000);
    expect(dist.isInitialized()).toBe(false);
    dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 10000 });
    dist.destroyProcessGroup();
  });
});

describe('interop: a Node rank and a Python torch.distributed rank in one Gloo group', () => {
  const py = process.env.SIGPROP_TEST_PYTHON;
  const pyOk = py ? spawnSync(py, ['-c', 'import torch.distributed as d; assert d.is_available() and d.is_gloo_available()'], { timeout: 60000 }).status === 0 : false;
  // (SIGPROP_TEST_PYTHON's torch has the loaded libtorch's version: global-setup.js)
  const maybe = py && pyOk ? test : test.skip;

  maybe.each([[['Python', 'Node']], [['Node', 'Python']], [['Node', 'Python', 'Python', 'Node']]])('ranks %j: allReduce, broadcast, barrier', async (who) => {
    const port = await freePort();
    const n = who.length;
    const start = (kind: string, r: number): ChildProcess => (kind === 'Python'
      ? spawn(py as string, [PY_RANK], { env: env(r, n, port), stdio: ['ignore', 'pipe', 'pipe'] })
      : node('interop', env(r, n, port)));
    const rs = await Promise.all(who.map((kind, r) => collect(start(kind, r))));
    ok(rs);
    const total = (n * (n + 1)) / 2;
    for (const x of rs) {
      expect(x.results.sum).toEqual([total, 10 * total]);
      expect(x.results.broadcast).toEqual([7, 8, 9]);
    }
  }, 120000);
});
