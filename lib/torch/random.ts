/** Random number generation: seeds and Generator objects, identical to PyTorch on the same libtorch. */
import { isMainThread } from 'worker_threads';
import { N } from './native';
import { toDevice } from './dtype';
import { checkInt } from './args';
import { T, Tensor, tid } from './tensor';

const registry = new FinalizationRegistry<number>((h) => N.objectFree(h));

/** torch.Generator: an independent random stream (`new Generator()`, `new Generator('cuda')`). */
export class Generator {
  /** Internal native handle. */
  readonly _handle: number;
  constructor(device: string = 'cpu', handle?: number) {
    if (handle !== undefined) {
      this._handle = handle;
    } else {
      this._handle = N.generatorNew(toDevice(device));
      registry.register(this, this._handle);
    }
  }
  get device(): string { return N.generatorDevice(this._handle); }
  /** Sets the seed and returns this generator. */
  manualSeed(seed: number | bigint): this {
    checkSeed(seed, 'Generator.manualSeed');
    N.generatorManualSeed(this._handle, seed);
    return this;
  }
  initialSeed(): number | bigint { return N.generatorInitialSeed(this._handle); }
  /** Seeds from a non-deterministic source and returns the seed. */
  seed(): number | bigint { return N.generatorSeed(this._handle); }
  /** The generator state as a uint8 tensor. */
  getState(): Tensor { return T(N.generatorGetState(this._handle)); }
  setState(state: Tensor): this {
    N.generatorSetState(this._handle, tid(state, 'state', 'setState'));
    return this;
  }
}

/** Seeds are integers in [-2^63, 2^64 - 1] (negative ones wrap, as in Python). */
export function checkSeed(seed: unknown, fn = 'manualSeed'): void {
  if (typeof seed === 'bigint') {
    if (seed < -(2n ** 63n) || seed >= 2n ** 64n) throw new RangeError(`${fn}(): 'seed' must be in [-2**63, 2**64 - 1], got ${seed}n`);
    return;
  }
  checkInt(seed, 'seed', fn);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${fn}(): 'seed' ${seed} is not exactly representable as a JS number; pass a bigint`);
}

// A Worker has its own default CPU generator, seeded as a fresh process's is: manualSeed and random
// ops without a generator there do not draw from (or reseed) other threads' (docs/threads.md).
if (!isMainThread) N.useOwnGenerator();

/** The default CPU generator (torch.default_generator): in a Worker, that Worker's own. */
export const defaultGenerator = new Generator('cpu', N.generatorDefault());

/** Seeds the default CPU generator and every CUDA device's (torch.manual_seed). Returns the default generator. */
export function manualSeed(seed: number | bigint): Generator {
  checkSeed(seed);
  N.manualSeed(seed);
  return defaultGenerator;
}
export function initialSeed(): number | bigint { return N.initialSeed(); }
/** Seeds from a non-deterministic source; returns the seed. */
export function seed(): number | bigint { return N.seed(); }
export function getRngState(): Tensor { return defaultGenerator.getState(); }
export function setRngState(state: Tensor): void { defaultGenerator.setState(state); }
