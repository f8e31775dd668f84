// DataLoader with numWorkers > 0: batches made in worker threads (run from dist/, built by `npm test`) are bit for
// bit those of numWorkers 0, in order; loops that end early, errors in a Worker and bad options end cleanly.
import * as torch from '../lib/torch';
import { collectGarbage } from './helpers/gc';
import { DataLoader, ImageDataset, TensorDataset, ConcatDataset, Compose, RandomCrop, RandomHorizontalFlip, Normalize, Cutout } from '../lib/data';

beforeAll(() => torch.setNumThreads(1));

function images(n: number, seed: number, c = 1): ImageDataset {
  const g = new torch.Generator().manualSeed(seed);
  const x = torch.randint(0, 256, [n, c, 28, 28], { generator: g, dtype: 'uint8' });
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10);
  return new ImageDataset(x, labels, { numClasses: 10 });
}

function augment(g: torch.Generator | undefined, c = 1): Compose {
  const o = g ? { generator: g } : {};
  return new Compose([new RandomCrop(28, { padding: 2, ...o }), new RandomHorizontalFlip(0.5, o), new Normalize(Array(c).fill(0.286), Array(c).fill(0.353)), new Cutout(1, 8, o)]);
}

/** Every batch of one epoch as bytes (and the tensors freed). */
async function epochBytes(loader: DataLoader<unknown, torch.Tensor[]>, mode: 'sync' | 'async', limit = Infinity): Promise<string[][]> {
  const out: string[][] = [];
  const take = (b: torch.Tensor[]): void => {
    out.push(b.map((t) => `${t.dtype}[${t.shape.join(',')}]` + Buffer.from((t.toTypedArray() as Float32Array).buffer).toString('base64')));
    torch.dispose(b);
  };
  if (mode === 'sync') {
    for (const b of loader) {
      take(b);
      if (out.length >= limit) break;
    }
  } else {
    for await (const b of loader) {
      take(b);
      if (out.length >= limit) break;
    }
  }
  return out;
}

test('numWorkers 1-3: the same batches, bit for bit and in order, as numWorkers 0 (shuffle, augmentation, a partial last batch)', async () => {
  const ds = images(250, 1);
  await collectGarbage(); // garbage from before would be collected (by the GC backstop) during the test
  const live = torch.memory().numTensors;
  const run = async (numWorkers: number, mode: 'sync' | 'async'): Promise<string[][]> => {
    const g = new torch.Generator().manualSeed(42);
    ds.transform = augment(g);
    return epochBytes(new DataLoader(ds, { batchSize: 32, shuffle: true, generator: g, numWorkers }) as never, mode);
  };
  const ref = await run(0, 'sync');
  expect(ref.length).toBe(8);
  for (const nw of [1, 3]) {
    expect(await run(nw, 'sync')).toEqual(ref);
    expect(await run(nw, 'async')).toEqual(ref);
  }
  expect(torch.memory().numTensors).toBe(live);
  expect(torch.sharedCount()).toBe(0);
  ds.dispose();
}, 60000);

test('the default generator (torch.manualSeed) gives the same batches too, and the next epoch continues its sequence alike', async () => {
  const ds = images(96, 2, 3);
  ds.transform = augment(undefined, 3);
  const two = async (numWorkers: number): Promise<string[][]> => {
    torch.manualSeed(7);
    const loader = new DataLoader(ds, { batchSize: 20, shuffle: true, numWorkers });
    return [...(await epochBytes(loader as never, 'sync')), ...(await epochBytes(loader as never, 'async'))];
  };
  expect(await two(2)).toEqual(await two(0));
  ds.dispose();
}, 60000);

test('TensorDataset and ConcatDataset (parts with their own transforms) through workers', async () => {
  const a = images(40, 3), b = images(30, 4);
  const run = async (numWorkers: number): Promise<string[][]> => {
    const g = new torch.Generator().manualSeed(5);
    a.transform = augment(g);
    b.transform = new Compose([new RandomHorizontalFlip(0.5, { generator: g })]);
    const cat = new ConcatDataset<[torch.Tensor, number], [torch.Tensor, torch.Tensor]>([a, b]);
    return epochBytes(new DataLoader(cat, { batchSize: 16, shuffle: true, generator: g, numWorkers, dropLast: true }) as never, 'sync');
  };
  expect(await run(2)).toEqual(await run(0));
  const x = torch.randn(50, 3), y = torch.arange(50);
  const td = new TensorDataset(x, y);
  const tRun = (numWorkers: number): Promise<string[][]> => epochBytes(new DataLoader(td, { batchSize: 8, shuffle: true, generator: new torch.Generator().manualSeed(1), numWorkers }) as never, 'async');
  expect(await tRun(2)).toEqual(await tRun(0));
  torch.dispose([x, y]);
  a.dispose();
  b.dispose();
}, 60000);

test('breaking out of the loop ends the Workers and frees every batch made ahead (sync and async)', async () => {
  const ds = images(400, 5);
  ds.transform = augment(new torch.Generator().manualSeed(0));
  await collectGarbage(); // garbage from before would be collected (by the GC backstop) during the test
  const live = torch.memory().numTensors;
  const large = torch.memory().cpuLargeBytesInUse;
  const loader = new DataLoader(ds, { batchSize: 16, shuffle: true, numWorkers: 3, prefetchFactor: 4 });
  for (const mode of ['sync', 'async'] as const) {
    const got = await epochBytes(loader as never, mode, 2);
    expect(got.length).toBe(2);
    expect(torch.sharedCount()).toBe(0);
    expect(torch.memory().numTensors).toBe(live);
  }
  // the Workers' tensors are freed when they exit (terminate is asynchronous)
  for (let i = 0; i < 100 && torch.memory().cpuLargeBytesInUse > large; i++) await new Promise((r) => setTimeout(r, 50));
  expect(torch.memory().cpuLargeBytesInUse).toBeLessThanOrEqual(large);
  ds.dispose();
}, 60000);

test('an empty epoch starts no Worker; an iterator dropped mid-epoch is ended by the GC backstop', async () => {
  const empty = new TensorDataset(torch.zeros(0, 3));
  expect([...new DataLoader(empty, { batchSize: 4, numWorkers: 2 })]).toEqual([]);
  const ds = images(64, 8);
  const loader = new DataLoader(ds, { batchSize: 8, numWorkers: 2 });
  (() => {
    const it = loader[Symbol.iterator]();
    torch.dispose(it.next().value as torch.Tensor[]);
  })(); // dropped without return(): its Workers still hold tokens of batches made ahead
  // (on a loaded machine the Workers may not have shared a batch ahead yet: wait for one, bounded)
  for (let i = 0; i < 200 && torch.sharedCount() === 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(torch.sharedCount()).toBeGreaterThan(0);
  for (let i = 0; i < 50 && torch.sharedCount() > 0; i++) await collectGarbage();
  expect(torch.sharedCount()).toBe(0);
  ds.dispose();
}, 60000);

test('an error in a Worker is a clear error in the loop, not a hang; nothing is left behind', async () => {
  const ds = images(64, 6);
  ds.transform = new Compose([new Normalize([0.5, 0.5, 0.5], [0.2, 0.2, 0.2])]); // 3 values for 1 channel
  const zero = new DataLoader(ds, { batchSize: 16 });
  expect(() => [...zero]).toThrow(/Normalize: 3 mean\/std values for an image with 1 channels/);
  await collectGarbage(); // garbage from before would be collected (by the GC backstop) during the test
  const live = torch.memory().numTensors;
  const loader = new DataLoader(ds, { batchSize: 16, numWorkers: 2 });
  let err: (Error & { worker?: number; batch?: number }) | undefined;
  try {
    for (const b of loader) torch.dispose(b);
  } catch (e) {
    err = e as Error;
  }
  expect(err?.name).toBe('DataLoaderWorkerError');
  expect(err?.message).toMatch(/DataLoader worker 0 failed on batch 0: RangeError: Normalize: 3 mean\/std values/);
  expect(err?.batch).toBe(0);
  await expect((async () => {
    for await (const b of loader) torch.dispose(b);
  })()).rejects.toThrow(/worker 0 failed on batch 0/);
  expect(torch.sharedCount()).toBe(0);
  expect(torch.memory().numTensors).toBe(live);
  ds.dispose();
}, 60000);

test('a Worker that dies mid-epoch is a clear error in the loop, not a hang (sync and async)', async () => {
  const ds = images(96, 9);
  ds.transform = augment(new torch.Generator().manualSeed(0));
  await collectGarbage(); // garbage from before would be collected (by the GC backstop) during the test
  const live = torch.memory().numTensors;
  process.env.SIGPROP_TEST_LOADER_WORKER_EXIT_AT = '3'; // read by the Workers when they start
  try {
    for (const mode of ['sync', 'async'] as const) {
      const loader = new DataLoader(ds, { batchSize: 8, numWorkers: 2 });
      const got: number[] = [];
      const t0 = Date.now();
      let err: (Error & { worker?: number; batch?: number }) | undefined;
      try {
        if (mode === 'sync') for (const b of loader) { got.push(b[0].shape[0]); torch.dispose(b); }
        else for await (const b of loader) { got.push(b[0].shape[0]); torch.dispose(b); }
      } catch (e) {
        err = e as Error;
      }
      expect(got).toEqual([8, 8, 8]); // batches 0-2 came; Worker 1 exited when asked for batch 3
      expect(err?.name).toBe('DataLoaderWorkerError');
      expect(err?.message).toMatch(/DataLoader worker 1 died before sending batch 3: .*exit/);
      expect(err?.batch).toBe(3);
      expect(Date.now() - t0).toBeLessThan(20000);
      expect(torch.sharedCount()).toBe(0);
      expect(torch.memory().numTensors).toBe(live);
    }
  } finally {
    delete process.env.SIGPROP_TEST_LOADER_WORKER_EXIT_AT;
  }
  ds.dispose();
}, 60000);

test("a Worker that hangs: 'timeout' ends the wait with a clear error, and the Workers are terminated", async () => {
  const ds = images(64, 10);
  await collectGarbage(); // garbage from before would be collected (by the GC backstop) during the test
  const live = torch.memory().numTensors;
  process.env.SIGPROP_TEST_LOADER_WORKER_STALL_AT = '2';
  try {
    const loader = new DataLoader(ds, { batchSize: 8, numWorkers: 2, timeout: 500 });
    let n = 0;
    const t0 = Date.now();
    expect(() => {
      for (const b of loader) {
        n++;
        torch.dispose(b);
      }
    }).toThrow(/DataLoader worker 0 timed out: batch 2 took longer than 500 ms \(the 'timeout' option\)/);
    expect(n).toBe(2);
    expect(Date.now() - t0).toBeLessThan(10000);
    expect(torch.sharedCount()).toBe(0);
    expect(torch.memory().numTensors).toBe(live);
  } finally {
    delete process.env.SIGPROP_TEST_LOADER_WORKER_STALL_AT;
  }
  ds.dispose();
}, 60000);

test('bad numWorkers options and what cannot go to a worker thread are clear errors at construction', () => {
  const ds = images(10, 7);
  expect(() => new DataLoader(ds, { numWorkers: -1 })).toThrow(/'numWorkers' must be non-negative, got -1/);
  expect(() => new DataLoader(ds, { numWorkers: 1.5 })).toThrow(/numWorkers/);
  expect(() => new DataLoader(ds, { numWorkers: 1, prefetchFactor: 0 })).toThrow(/'prefetchFactor' must be at least 1/);
  expect(() => new DataLoader(ds, { numWorkers: 1, workerNice: 20 })).toThrow(/'workerNice' must be in \[0, 19\], got 20/);
  expect(() => new DataLoader(ds, { numWorkers: 1, timeout: -5 })).toThrow(/'timeout' must be non-negative/);
  expect(() => new DataLoader(ds, { numWorkers: 1, workers: 2 } as never)).toThrow(/unexpected keyword argument 'workers'|workers/);
  expect(() => new DataLoader(ds, { numWorkers: 1, collateFn: (s) => s as never })).toThrow(/'collateFn' cannot run in worker threads/);
  ds.transform = (x: torch.Tensor) => x.mul(2);
  expect(() => new DataLoader(ds, { numWorkers: 1 })).toThrow(/cannot run a function transform .* in a worker thread/);
  const custom = { length: 3, get: (i: number) => i };
  expect(() => new DataLoader(custom, { numWorkers: 2 })).toThrow(/numWorkers > 0 needs a dataset a worker thread can rebuild/);
  ds.dispose();
});
