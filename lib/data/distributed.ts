/**
 * DistributedSampler (torch.utils.data.distributed.DistributedSampler): each rank's share of a
 * dataset's indices, the same seeded permutation on every rank (torch.randperm with a generator
 * seeded seed + epoch), padded by repeating indices so that every rank gets as many (or cut, with
 * dropLast). Pass it as DataLoader's `sampler`, and call setEpoch(epoch) before each epoch.
 */
import * as torch from '../torch';
import { checkInt, checkBool } from '../torch/args';
import { describe } from '../torch/errors';
import { checkOptions } from './options';
import type { Sampler } from './dataloader';

export interface DistributedSamplerOptions {
  /** Number of ranks (default: torch.distributed.getWorldSize()). */
  numReplicas?: number;
  /** This rank (default: torch.distributed.getRank()). */
  rank?: number;
  /** Default true. */
  shuffle?: boolean;
  /** Default 0; the same on every rank. */
  seed?: number;
  /** Drop the tail so that it divides evenly, instead of padding. Default false. */
  dropLast?: boolean;
}

export class DistributedSampler implements Sampler {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Samples per rank and epoch (PyTorch's num_samples). */
  readonly numSamples: number;
  readonly totalSize: number;
  readonly datasetLength: number;
  epoch = 0;

  constructor(dataset: { length: number }, options?: DistributedSamplerOptions) {
    const fn = 'DistributedSampler';
    if (typeof dataset !== 'object' || dataset === null || !Number.isInteger(dataset.length) || dataset.length < 0) {
      throw new TypeError(`${fn}: 'dataset' must have an integer length, got ${describe(dataset)}`);
    }
    const o = checkOptions(options, fn, ['numReplicas', 'rank', 'shuffle', 'seed', 'dropLast']);
    const dist = torch.distributed;
    const needGroup = (what: string): void => {
      if (!dist.isInitialized()) throw new Error(`${fn}: ${what} not given and torch.distributed is not initialized (call initProcessGroup first, or pass numReplicas and rank)`);
    };
    if (o.numReplicas === undefined) needGroup('numReplicas');
    if (o.rank === undefined) needGroup('rank');
    const numReplicas = o.numReplicas === undefined ? dist.getWorldSize() : checkInt(o.numReplicas, 'numReplicas', fn, false);
    const rank = o.rank === undefined ? dist.getRank() : checkInt(o.rank, 'rank', fn, false);
    if (numReplicas < 1) throw new RangeError(`${fn}: 'numReplicas' must be positive, got ${numReplicas}`);
    if (rank >= numReplicas || rank < 0) throw new RangeError(`Invalid rank ${rank}, rank should be in the interval [0, ${numReplicas - 1}]`);
    this.numReplicas = numReplicas;
    this.rank = rank;
    this.shuffle = o.shuffle === undefined ? true : checkBool(o.shuffle, 'shuffle', fn, false);
    this.seed = o.seed === undefined ? 0 : checkInt(o.seed, 'seed', fn, false);
    this.dropLast = o.dropLast === undefined ? false : checkBool(o.dropLast, 'dropLast', fn, false);
    const n = dataset.length;
    this.datasetLength = n;
    this.numSamples = this.dropLast && n % numReplicas !== 0 ? Math.ceil((n - numReplicas) / numReplicas) : Math.ceil(n / numReplicas);
    this.totalSize = this.numSamples * numReplicas;
  }

  get length(): number { return this.numSamples; }

  /** The epoch seeds the shuffle (seed + epoch): call it before each epoch, with the same value on every rank. */
  setEpoch(epoch: number): void { this.epoch = checkInt(epoch, 'epoch', 'DistributedSampler.setEpoch', false); }

  /** This rank's indices for the current epoch. */
  indices(): number[] {
    const n = this.datasetLength;
    let idx: number[];
    if (this.shuffle) {
      const g = new torch.Generator();
      g.manualSeed(this.seed + this.epoch);
      const p = torch.randperm(n, { generator: g });
      idx = Array.from(p.toTypedArray() as BigInt64Array, Number);
      p.dispose();
    } else {
      idx = Array.from({ length: n }, (_, i) => i);
    }
    if (!this.dropLast) {
      const pad = this.totalSize - idx.length;
      if (pad <= idx.length) idx = idx.concat(idx.slice(0, pad));
      else {
        const reps: number[] = [];
        for (let k = 0; k < Math.ceil(pad / idx.length); k++) reps.push(...idx);
        idx = idx.concat(reps.slice(0, pad));
      }
    } else {
      idx = idx.slice(0, this.totalSize);
    }
    const mine: number[] = [];
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) mine.push(idx[i]);
    return mine;
  }

  [Symbol.iterator](): Iterator<number> { return this.indices()[Symbol.iterator](); }
}
