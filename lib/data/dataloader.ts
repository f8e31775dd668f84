/**
 * DataLoader: batches of a dataset, optionally shuffled with a seeded generator, for `for...of` and
 * `for await...of` loops (torch.utils.data.DataLoader; num_workers as worker threads).
 *
 * Batches come from the dataset's getBatch(indices) when it has one (the image datasets: one
 * indexSelect and the transform on the whole batch), else from get(i) for every index and a
 * collate function. Every tensor of a batch is new and belongs to the caller, exactly as if the
 * caller had created it at the point where the loop asks for the batch: it is freed by the caller's
 * dispose() or by the torch.tidy / torch.scope the loop runs in. The loader frees everything else it
 * creates (the epoch's permutation, index tensors, a prefetched batch nobody took).
 *
 * With `numWorkers` > 0 the batches are assembled in worker_threads Workers (lib/data/workers.ts)
 * and handed over without a copy; the order and the random draws stay on this thread, so the batches
 * are bit for bit those of numWorkers 0. Assembling a batch costs about 1 ms (128 Fashion-MNIST images
 * with random crop, flip and normalization) against tens of milliseconds for a training step; see
 * bench/dataloader.js and docs/data.md. With `prefetch`, `for await` loops prepare the next batch in
 * a setImmediate callback, so it is built while the loop body awaits something else.
 */
import * as torch from '../torch';
import type { Tensor, Generator } from '../torch';
import { describe } from '../torch/errors';
import { checkInt, checkBool } from '../torch/args';
import { checkOptions } from './options';
import { Dataset, BatchDataset, isBatchDataset } from './datasets';
import { WorkerEpoch, checkWorkerDataset, abandonedEpochs } from './workers';

export interface DataLoaderOptions<S = unknown, B = unknown> {
  /** Samples per batch. Default 1. */
  batchSize?: number;
  /** A new random order every epoch (torch.randperm with `generator`). Default false. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** The random source of the shuffling (default: the default generator, torch.manualSeed). */
  generator?: Generator;
  /**
   * In `for await` loops, prepare the next batch in a setImmediate callback as soon as a batch is
   * handed out (it is ready if the loop body awaited something meanwhile, else it is prepared when
   * asked for). Synchronous `for...of` loops prepare each batch when asked for. Default true.
   */
  prefetch?: boolean;
  /** Assembles a batch from samples, for datasets without getBatch (default: defaultCollate). */
  collateFn?: (samples: S[]) => B;
  /**
   * The indices of each epoch, in order (a DistributedSampler, or any iterable of indices with a
   * length), instead of 0..n-1 or shuffle's permutation. Not with shuffle.
   */
  sampler?: Sampler;
  /**
   * Worker threads that assemble the batches (default 0: on the loop's thread). The batches are the
   * same, in the same order, as with 0 (the order and the transforms' random numbers are drawn on the
   * loop's thread, ahead by up to numWorkers * prefetchFactor batches). Needs a dataset the Workers
   * can rebuild: the image datasets, TensorDataset, ConcatDataset of them, with the transforms of
   * sigprop/data (docs/threads.md).
   */
  numWorkers?: number;
  /** With numWorkers > 0: batches under way per Worker (default 2). */
  prefetchFactor?: number;
  /** With numWorkers > 0: ms to wait for one batch before failing, counted once its Worker has started (default 0: no limit). */
  timeout?: number;
  /**
   * With numWorkers > 0, on Linux: added to the Workers' nice value, 0-19 (default 10), so that a
   * Worker woken with the next batch's task does not preempt the training thread (docs/threads.md).
   */
  workerNice?: number;
}

/** What DataLoader's `sampler` option takes (torch.utils.data.Sampler): an epoch's indices. */
export interface Sampler extends Iterable<number> {
  readonly length: number;
}

/** A number or a run of numbers: integers make int64, anything else float32. */
function numbersTensor(values: number[]): Tensor {
  if (values.every((v) => Number.isInteger(v))) return torch.tensor(Float64Array.from(values), { dtype: 'int64' });
  return torch.tensor(Float64Array.from(values), { dtype: 'float32' });
}

/**
 * The default collate function (torch.utils.data.default_collate, for the cases datasets give):
 * samples that are tensors are stacked; samples that are numbers make a 1-d tensor (int64 when all
 * are integers, else float32); samples that are arrays (tuples) are collated position by position.
 * The sample tensors themselves are left alone.
 */
export function defaultCollate(samples: unknown[]): unknown {
  if (!Array.isArray(samples) || samples.length === 0) throw new TypeError(`defaultCollate: 'samples' must be a non-empty array, got ${describe(samples)}`);
  const first = samples[0];
  if (first instanceof torch.Tensor) {
    if (!samples.every((s) => s instanceof torch.Tensor)) throw new TypeError('defaultCollate: samples mix tensors and other values');
    return torch.stack(samples as Tensor[]);
  }
  if (typeof first === 'number') {
    if (!samples.every((s) => typeof s === 'number')) throw new TypeError('defaultCollate: samples mix numbers and other values');
    return numbersTensor(samples as number[]);
  }
  if (Array.isArray(first)) {
    const n = first.length;
    if (!samples.every((s) => Array.isArray(s) && s.length === n)) throw new TypeError(`defaultCollate: every sample must be an array of ${n} elements, like the first`);
    return first.map((_, k) => defaultCollate(samples.map((s) => (s as unknown[])[k])));
  }
  throw new TypeError(`defaultCollate: cannot collate ${describe(first)} samples (tensors, numbers or arrays of them); pass a collateFn`);
}

/**
 * The same batch with every tensor replaced by a new handle on the same data, created now (so the
 * current torch.tidy / torch.scope owns it, as if the batch had been made here); the old handles are
 * freed. No data is copied.
 */
function adopt<B>(batch: B): B {
  const map = (x: unknown): unknown => {
    if (x instanceof torch.Tensor) {
      const y = x.detach();
      x.dispose();
      return y;
    }
    if (Array.isArray(x)) return x.map(map);
    if (typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype) {
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, map(v)]));
    }
    return x;
  };
  return map(batch) as B;
}

/**
 * Batches of `dataset`. Iterate it with `for (const [x, y] of loader)` or `for await (...)`; each
 * iteration is one epoch (shuffled anew when `shuffle`). `length` is the number of batches.
 */
export class DataLoader<S = [Tensor, number], B = [Tensor, Tensor]> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: Dataset<S>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | undefined;
  readonly prefetch: boolean;
  readonly collateFn: (samples: S[]) => B;
  readonly sampler: Sampler | undefined;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly timeout: number;
  readonly workerNice: number;

  constructor(dataset: Dataset<S> | BatchDataset<S, B>, options?: DataLoaderOptions<S, B>) {
    const fn = 'DataLoader';
    if (typeof dataset !== 'object' || dataset === null || typeof dataset.get !== 'function' || typeof dataset.length !== 'number' || !Number.isInteger(dataset.length) || dataset.length < 0) {
      throw new TypeError(`${fn}: 'dataset' must be a dataset (an integer length and get(i)), got ${describe(dataset)}`);
    }
    const o = checkOptions(options, fn, ['batchSize', 'shuffle', 'dropLast', 'generator', 'prefetch', 'collateFn', 'sampler', 'numWorkers', 'prefetchFactor', 'timeout', 'workerNice']);
    const bs = checkInt(o.batchSize ?? 1, 'batchSize', fn, false);
    if (bs < 1) throw new RangeError(`${fn}: 'batchSize' must be positive, got ${bs}`);
    const bool = (k: string, d: boolean): boolean => {
      const v = o[k];
      return v === undefined ? d : checkBool(v, k, fn, false);
    };
    if (o.generator !== undefined && !(o.generator instanceof torch.Generator)) throw new TypeError(`${fn}: 'generator' must be a torch.Generator, got ${describe(o.generator)}`);
    if (o.collateFn !== undefined && typeof o.collateFn !== 'function') throw new TypeError(`${fn}: 'collateFn' must be a function, got ${describe(o.collateFn)}`);
    const sampler = o.sampler as Sampler | undefined;
    if (sampler !== undefined) {
      if (typeof sampler !== 'object' || sampler === null || typeof (sampler as Partial<Sampler>)[Symbol.iterator] !== 'function' || !Number.isInteger(sampler.length)) {
        throw new TypeError(`${fn}: 'sampler' must be iterable over indices and have an integer length, got ${describe(sampler)}`);
      }
      if (o.shuffle) throw new TypeError(`${fn}: 'sampler' option is mutually exclusive with shuffle`);
    }
    this.sampler = sampler;
    this.dataset = dataset;
    this.batchSize = bs;
    this.shuffle = bool('shuffle', false);
    this.dropLast = bool('dropLast', false);
    this.prefetch = bool('prefetch', true);
    this.generator = o.generator as Generator | undefined;
    this.collateFn = (o.collateFn as ((samples: S[]) => B) | undefined) ?? (defaultCollate as (samples: S[]) => B);
    const nonNeg = (k: string, d: number, min: number): number => {
      const v = o[k] === undefined ? d : checkInt(o[k], k, fn, false);
      if (v < min) throw new RangeError(`${fn}: '${k}' must be ${min === 0 ? 'non-negative' : `at least ${min}`}, got ${v}`);
      return v;
    };
    this.numWorkers = nonNeg('numWorkers', 0, 0);
    this.prefetchFactor = nonNeg('prefetchFactor', 2, 1);
    this.timeout = nonNeg('timeout', 0, 0);
    this.workerNice = nonNeg('workerNice', 10, 0);
    if (this.workerNice > 19) throw new RangeError(`${fn}: 'workerNice' must be in [0, 19], got ${this.workerNice}`);
    if (this.numWorkers > 0) {
      if (sampler !== undefined) throw new TypeError(`${fn}: 'sampler' is not supported with numWorkers > 0 yet (the Workers draw the epoch's order from shuffle); use numWorkers: 0 with a sampler`);
      if (o.collateFn !== undefined) throw new TypeError(`${fn}: 'collateFn' cannot run in worker threads (a function cannot be sent to another thread); use numWorkers: 0 with it`);
      checkWorkerDataset(dataset, fn);
    }
  }

  private workerEpoch(): WorkerEpoch<B> {
    return new WorkerEpoch<B>({ dataset: this.dataset, batchSize: this.batchSize, shuffle: this.shuffle, dropLast: this.dropLast, generator: this.generator,
      numWorkers: this.numWorkers, prefetchFactor: this.prefetchFactor, timeout: this.timeout, workerNice: this.workerNice });
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.sampler ? this.sampler.length : this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch, synchronously: `for (const [x, y] of loader)`. */
  [Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0) {
      const we = this.workerEpoch();
      const it = {
        next: (): IteratorResult<B> => {
          const b = we.nextSync();
          return b === null ? { value: undefined, done: true } : { value: b, done: false };
        },
        return: (): IteratorResult<B> => {
          we.close();
          return { value: undefined, done: true };
        },
      };
      abandonedEpochs.register(it, we as WorkerEpoch<unknown>);
      return it;
    }
    const epoch = new Epoch(this);
    return {
      next: (): IteratorResult<B> => {
        const b = epoch.next();
        return b === null ? { value: undefined, done: true } : { value: b, done: false };
      },
      return: (): IteratorResult<B> => {
        epoch.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** One epoch, for async code: `for await (const [x, y] of loader)`, with prefetching (see `prefetch`). */
  [Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.numWorkers > 0) {
      const we = this.workerEpoch();
      const it = {
        next: async (): Promise<IteratorResult<B>> => {
          const b = await we.next();
          return b === null ? { value: undefined, done: true } : { value: b, done: false };
        },
        return: async (): Promise<IteratorResult<B>> => {
          we.close();
          return { value: undefined, done: true };
        },
      };
      abandonedEpochs.register(it, we as WorkerEpoch<unknown>);
      return it;
    }
    const epoch = new Epoch(this);
    let ready: B | null = null;
    let pending: NodeJS.Immediate | null = null;
    let failure: unknown = null;
    const cancel = (): void => {
      if (pending !== null) clearImmediate(pending);
      pending = null;
    };
    const prepare = (): void => {
      pending = null;
      try {
        // made unscoped (whatever async scope this callback runs in), adopted by the consumer in next()
        const b = torch.tidy(() => torch.keep(epoch.next()));
        if (b === null) epoch.close();
        else ready = b;
      } catch (e) {
        failure = e;
      }
    };
    return {
      next: async (): Promise<IteratorResult<B>> => {
        cancel();
        if (failure !== null) {
          const e = failure;
          failure = null;
          epoch.close();
          throw e;
        }
        let b: B | null;
        if (ready !== null) {
          b = adopt(ready);
          ready = null;
        } else {
          b = epoch.next();
        }
        if (b === null) return { value: undefined, done: true };
        if (this.prefetch && !epoch.done) pending = setImmediate(prepare);
        return { value: b, done: false };
      },
      return: async (): Promise<IteratorResult<B>> => {
        cancel();
        if (ready !== null) torch.dispose(ready);
        ready = null;
        epoch.close();
        return { value: undefined, done: true };
      },
    };
  }

  toString(): string {
    return `DataLoader(${this.dataset.constructor?.name ?? 'dataset'} of ${this.dataset.length}, batchSize=${this.batchSize}, shuffle=${this.shuffle}, dropLast=${this.dropLast}, batches=${this.length}${this.numWorkers ? `, numWorkers=${this.numWorkers}` : ''})`;
  }
}

/** One pass over the data: the order, the position, and the batch assembly. */
class Epoch<S, B> {
  private readonly loader: DataLoader<S, B>;
  private readonly n: number;
  private readonly numBatches: number;
  /** The shuffled order (int64, kept until the epoch ends), or null for 0..n-1. */
  private perm: Tensor | null;
  private order: Int32Array | null = null;
  private k = 0;
  private closed = false;

  constructor(loader: DataLoader<S, B>) {
    this.loader = loader;
    if (loader.sampler) {
      const ds = loader.dataset.length;
      this.order = Int32Array.from(loader.sampler, (i) => {
        if (!Number.isInteger(i) || i < 0 || i >= ds) throw new RangeError(`DataLoader: the sampler gave index ${i}, outside the dataset (0..${ds - 1})`);
        return i;
      });
    }
    this.n = this.order ? this.order.length : loader.dataset.length;
    this.numBatches = loader.dropLast ? Math.floor(this.n / loader.batchSize) : Math.ceil(this.n / loader.batchSize);
    this.perm = loader.shuffle && this.numBatches > 0 ? torch.keep(torch.randperm(this.n, { generator: loader.generator }))
      : this.order && this.numBatches > 0 ? torch.keep(torch.tensor(Float64Array.from(this.order), { dtype: 'int64' })) : null;
  }

  get done(): boolean {
    return this.closed || this.k >= this.numBatches;
  }

  /** The next batch, or null (and the epoch closed) at the end. */
  next(): B | null {
    if (this.done) {
      this.close();
      return null;
    }
    const start = this.k * this.loader.batchSize;
    const len = Math.min(this.loader.batchSize, this.n - start);
    this.k++;
    const ds = this.loader.dataset;
    if (isBatchDataset(ds)) {
      const index = this.perm ? this.perm.narrow(0, start, len) : torch.arange(start, start + len);
      try {
        return (ds as BatchDataset<S, B>).getBatch(index);
      } finally {
        index.dispose();
      }
    }
    if (this.perm && this.order === null) this.order = Int32Array.from(this.perm.toTypedArray() as BigInt64Array, Number);
    return torch.tidy(() => {
      const samples: S[] = [];
      for (let j = start; j < start + len; j++) samples.push(ds.get(this.order ? this.order[j] : j));
      return this.loader.collateFn(samples);
    });
  }

  close(): void {
    this.closed = true;
    if (this.perm) this.perm.dispose();
    this.perm = null;
  }
}
