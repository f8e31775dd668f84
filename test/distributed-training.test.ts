// Data-parallel training over torch.distributed (Gloo, 2 ranks on loopback), 20 steps each:
// nn.parallel.DistributedDataParallel (with noSync gradient accumulation, several buckets) and sigprop
// data parallel (sigprop.parallel.dataParallel on a Preset manager + the global optimizer). The
// weights must be bitwise identical across ranks and equal to one process whose two replicas (the
// main thread and a Worker) average the same per-replica gradients in plain JS (test/fixtures/dist-train.js).
// Also: data.DistributedSampler against PyTorch's (the same libtorch's randperm), and DataLoader's sampler.
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import * as torch from '../lib/torch';
import { DistributedSampler, DataLoader } from '../lib/data';
import { freePort } from './helpers/ports';

const TRAIN = path.join(__dirname, 'fixtures', 'dist-train.js');

interface Run { params: string[]; losses: number[] }

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [TRAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

function result<T>(r: { code: number | null; out: string; err: string }): T {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.err}`);
  const line = r.out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result: ${r.out} ${r.err}`);
  return JSON.parse(line.slice(7)) as T;
}

async function ranks(kind: string, extra: Record<string, string> = {}): Promise<Run[]> {
  const port = await freePort();
  const rs = await Promise.all([0, 1].map((r) => runNode([kind], { MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), RANK: String(r), WORLD_SIZE: '2', ...extra })));
  return rs.map((r) => result<Run>(r));
}

describe.each(['ddp', 'sigprop'])('%s: 20 steps on 2 ranks', (kind) => {
  test('weights bitwise identical across ranks and equal to one process averaging the same gradients', async () => {
    const [dist, ref] = await Promise.all([ranks(kind), runNode([kind, 'ref'], {}).then((r) => result<{ replicas: Run[] }>(r))]);
    expect(dist[0].params.length).toBeGreaterThan(2);
    expect(dist[1].params).toEqual(dist[0].params);
    expect(dist[0].params).toEqual(ref.replicas[0].params);
    expect(ref.replicas[1].params).toEqual(ref.replicas[0].params);
    // each rank trained on its own data
    expect(dist[0].losses).toEqual(ref.replicas[0].losses);
    expect(dist[1].losses).toEqual(ref.replicas[1].losses);
    expect(dist[0].losses).not.toEqual(dist[1].losses);
  }, 120000);
});

test('sigprop without data parallel: the ranks drift apart (the comparison above can fail)', async () => {
  const rs = await ranks('sigprop', { NO_DP: '1' });
  expect(rs[1].params).not.toEqual(rs[0].params);
}, 120000);

describe('DistributedSampler', () => {
  test('PyTorch semantics: seeded shuffle (seed + epoch), padding, dropLast, every index once per epoch', () => {
    const n = 10;
    const parts = [0, 1, 2].map((rank) => new DistributedSampler({ length: n }, { numReplicas: 3, rank, seed: 7 }));
    expect(parts.map((s) => s.length)).toEqual([4, 4, 4]);
    const all = parts.flatMap((s) => [...s]);
    expect(all.length).toBe(12);
    expect(new Set(all).size).toBe(10); // two padded repeats
    const before = [...parts[0]];
    expect([...parts[0]]).toEqual(before); // the same epoch, the same order
    parts[0].setEpoch(1);
    expect([...parts[0]]).not.toEqual(before);
    const dl = [0, 1, 2].map((rank) => new DistributedSampler({ length: n }, { numReplicas: 3, rank, shuffle: false, dropLast: true }));
    expect(dl.map((s) => [...s])).toEqual([[0, 3, 6], [1, 4, 7], [2, 5, 8]]);
    const padded = [0, 1, 2].map((rank) => [...new DistributedSampler({ length: 2 }, { numReplicas: 3, rank, shuffle: false })]);
    expect(padded).toEqual([[0], [1], [0]]);
    expect(() => new DistributedSampler({ length: 4 }, { numReplicas: 2, rank: 2 })).toThrow('Invalid rank 2, rank should be in the interval [0, 1]');
    expect(() => new DistributedSampler({ length: 4 }, { numReplicas: 2, rank: 0, bogus: 1 } as never)).toThrow("unknown option 'bogus'");
    expect(() => new DistributedSampler({ length: 4 })).toThrow(/torch.distributed is not initialized/);
  });

  const py = process.env.SIGPROP_TEST_PYTHON;
  (py ? test : test.skip)("the same indices as Python's torch.utils.data.DistributedSampler", () => {
    const code = 'import json, torch\nfrom torch.utils.data.distributed import DistributedSampler as D\n' +
      'out = []\nfor (n, r, k, sh, dl, seed, ep) in [(23, 4, 1, True, False, 0, 0), (23, 4, 3, True, True, 5, 2), (7, 3, 2, False, False, 0, 0), (100, 8, 5, True, False, 1, 9)]:\n' +
      '  s = D(range(n), num_replicas=r, rank=k, shuffle=sh, drop_last=dl, seed=seed)\n  s.set_epoch(ep)\n  out.append(list(s))\nprint(json.dumps(out))';
    const p = spawnSync(py as string, ['-c', code], { encoding: 'utf8', timeout: 60000 });
    expect(p.status).toBe(0);
    const want = JSON.parse(p.stdout);
    const cases: [number, number, number, boolean, boolean, number, number][] = [[23, 4, 1, true, false, 0, 0], [23, 4, 3, true, true, 5, 2], [7, 3, 2, false, false, 0, 0], [100, 8, 5, true, false, 1, 9]];
    const got = cases.map(([n, r, k, shuffle, dropLast, seed, ep]) => {
      const s = new DistributedSampler({ length: n }, { numReplicas: r, rank: k, shuffle, dropLast, seed });
      s.setEpoch(ep);
      return [...s];
    });
    expect(got).toEqual(want);
  });

  test("DataLoader's sampler: batches of the sampler's indices", () => {
    const ds = { length: 10, get: (i: number) => i };
    const s = new DistributedSampler(ds, { numReplicas: 2, rank: 1, shuffle: false });
    const loader = new DataLoader(ds, { batchSize: 2, sampler: s, collateFn: (xs: number[]) => xs });
    expect(loader.length).toBe(3);
    expect([...loader]).toEqual([[1, 3], [5, 7], [9]]);
    expect(() => new DataLoader(ds, { sampler: s, shuffle: true })).toThrow("'sampler' option is mutually exclusive with shuffle");
    const bad = new DataLoader(ds, { sampler: { length: 1, *[Symbol.iterator]() { yield 11; } } });
    expect(() => [...bad]).toThrow('the sampler gave index 11, outside the dataset (0..9)');
    torch.manualSeed(0);
  });
});

describe.each([['ddpKilled', 'DDP'], ['dpKilled', 'dataParallelOptimizer']])('%s: a rank killed mid-training', (scenario, what) => {
  test(`the other rank's step fails (${what}), without a crash or a hang`, async () => {
    const port = await freePort();
    const env = (r: number) => ({ ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), RANK: String(r), WORLD_SIZE: '2', TEST_TIMEOUT: '30000' });
    const victim = spawn(process.execPath, [TRAIN, scenario], { env: env(1), stdio: ['ignore', 'pipe', 'pipe'] });
    victim.stdout.on('data', (d) => { if (String(d).includes('READY')) victim.kill('SIGKILL'); });
    const survivor = runNode([scenario], env(0) as Record<string, string>);
    const r = result<{ error: { name: string; torchKind: string; message: string } | null; ms: number; steps: number }>(await survivor);
    expect(r.error).not.toBeNull();
    expect(r.error!.message).toMatch(/Connection (reset|closed) by peer|peer process has exited/);
    if (what === 'DDP') {
      // from inside backward(): the reducer's error
      expect([r.error!.name, r.error!.torchKind]).toEqual(['TorchError', 'DistBackendError']);
      expect(r.error!.message).toMatch(/^DistributedDataParallel: (all-reducing the gradients|starting a bucket's all-reduce) failed: /);
    } else {
      expect(r.error!.name).toBe('DistBackendError');
    }
    expect(r.steps).toBeGreaterThanOrEqual(20);
    expect(r.ms).toBeLessThan(30000);
  }, 90000);
});
