/**
 * The native addon's interface: every entry point of native/*.cpp with its parameter and result
 * types. Handles are plain numbers: a tensor handle is a slot of the calling thread's tensor table,
 * an object handle a slot of its object table (generators), an op handle an entry of its operator
 * table. Codes (op codes, dtype codes, error kinds, flags) are those of lib/torch/codes.ts.
 */

/** A tensor handle (a slot of this thread's tensor table). */
export type Handle = number;
/** A number or boolean operand, as Python passes a scalar. */
export type NativeScalar = number | boolean | bigint;
/** What a boxed dispatcher call returns: tensor handles (null for an undefined tensor), numbers, booleans, strings, lists. */
export type NativeValue = number | boolean | string | null | NativeValue[];
/** A device argument: 'cuda:1', 'cuda', a device index, or nothing (the current device). */
export type NativeDeviceArg = string | number | null | undefined;

export interface NativeBuildInfo {
  torchVersion: string;
  cuda: boolean;
  /** The CUDA runtime version a CUDA build was compiled with ('13.0'), or null. */
  cudaVersion: string | null;
  /** Whether libtorch has MKL / oneDNN (MKL-DNN). */
  mkl: boolean;
  mkldnn: boolean;
  libtorchPath?: string;
  addonPath?: string;
  parallelInfo: string;
  sourceHash: string;
}

export interface NativeAddon {
  // ---- environment (env.cpp) ----
  setErrorFactory(factory: (kind: number, message: string, torchKind: string) => Error): void;
  /** The buffer the hot paths (fbin, fun, ...) read their arguments from: [0] code, [1] self, [2] other. */
  setArgBuffer(buffer: Float64Array): void;
  /** codes.def as the binary was built with it: { group: { name: value } }. */
  codes(): Record<string, Record<string, number>>;
  objectKind(object: number): number;
  objectFree(object: number): void;
  liveObjects(): number;

  // ---- tensor table (table.cpp) ----
  free(h: Handle): void;
  freeMany(slots: Int32Array, count: number): void;
  liveCount(): number;
  liveBytes(): number;
  /** The GC backstop's weak reference to a tensor's JS object (memory.ts). */
  watch(slot: number, tensor: object): void;
  /** Frees the tensors of watched objects that have been collected; returns how many. */
  sweep(): number;
  watchedBytes(): number;
  setStatsBuffer(buffer: Float64Array): void;

  // ---- tensors (tensor.cpp) ----
  fromBuffer(data: ArrayBufferView, shape: number[], srcDtype: number, dtype: number, device: string | null, requiresGrad: boolean): Handle;
  /** The contiguous CPU data; float16/bfloat16 widen to float32 unless raw. */
  toBuffer(h: Handle, raw?: boolean): ArrayBuffer;
  item(h: Handle): number | boolean;
  shape(h: Handle): number[];
  stride(h: Handle): number[];
  dim(h: Handle): number;
  numel(h: Handle): number;
  dtype(h: Handle): number;
  device(h: Handle): string;
  requiresGrad(h: Handle): boolean;
  isLeaf(h: Handle): boolean;
  isContiguous(h: Handle): boolean;
  storageOffset(h: Handle): number;
  sameTensor(a: Handle, b: Handle): boolean;
  sameStorage(a: Handle, b: Handle): boolean;
  gradFn(h: Handle): string | null;
  to(h: Handle, device: string | null, dtype: number | null, nonBlocking: boolean, copy: boolean): Handle;
  requiresGrad_(h: Handle, requiresGrad: boolean): void;
  setData(h: Handle, data: Handle): void;
  /** kinds are IndexKind codes; vals the matching values (integers, [start, stop, step], booleans, handles). */
  index(h: Handle, kinds: number[], vals: unknown[]): Handle;
  indexPut(h: Handle, kinds: number[], vals: unknown[], value: Handle | null, scalar: NativeScalar | null, accumulate: boolean): void;
  // hot paths: arguments in the buffer of setArgBuffer
  fbin(): Handle;
  fbinS(): Handle;
  fun(): Handle;
  fbinI(): void;
  fbinSI(): void;
  funI(): void;
  wrapScalar(value: NativeScalar): Handle;
  binS(code: number, self: Handle, other: NativeScalar): Handle;
  binI(code: number, self: Handle, other: Handle): void;
  binSI(code: number, self: Handle, other: NativeScalar): void;
  backward(h: Handle, gradient: Handle | null, retainGraph: boolean | undefined, createGraph: boolean, inputs: Handle[] | undefined): void;
  /** -1 when `cached` still is the gradient, null when there is none, else a new handle. */
  grad(h: Handle, cached: Handle | null): Handle | null;
  setGrad(h: Handle, grad: Handle | null): void;
  retainGrad(h: Handle): void;
  retainsGrad(h: Handle): boolean;
  setGradEnabled(enabled: boolean): void;
  isGradEnabled(): boolean;
  autogradGrad(outputs: Handle[], inputs: Handle[], gradOutputs: (Handle | null)[] | null, retainGraph: boolean | undefined,
    createGraph: boolean, allowUnused: boolean): (Handle | null)[];

  // ---- the boxed dispatcher (dispatch.cpp) ----
  /**
   * An operator by name ('aten::sum') and overload ('dim_IntList'). With argNames (the schema
   * argument names the call site passes, in its order), calls bind by name to the loaded schema.
   */
  opHandle(name: string, overload: string, argNames?: readonly string[] | null): number;
  /** The loaded libtorch's schema of an operator: [name, type, hasDefault, kwargOnly] per argument. */
  opSchema(name: string, overload: string): [string, string, boolean, boolean][];
  /** Calls an operator with positional arguments converted by its schema; discard drops the result. */
  call(op: number, args: readonly unknown[], discard?: boolean): NativeValue;

  // ---- generators, seeds, threads, CUDA, build (runtime.cpp) ----
  generatorNew(device: string): number;
  generatorDefault(device?: string): number;
  generatorManualSeed(generator: number, seed: number | bigint): void;
  generatorInitialSeed(generator: number): number | bigint;
  generatorSeed(generator: number): number | bigint;
  generatorGetState(generator: number): Handle;
  generatorSetState(generator: number, state: Handle): void;
  generatorDevice(generator: number): string;
  /** Gives this environment (a Worker) its own default CPU generator. */
  useOwnGenerator(): void;
  manualSeed(seed: number | bigint): void;
  initialSeed(): number | bigint;
  seed(): number | bigint;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  getNumInteropThreads(): number;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  /** [device count, why there are none (null when there are)]. */
  cudaStatus(): [number, string | null];
  cudaSynchronize(device?: NativeDeviceArg): void;
  cudaDeviceName(device?: NativeDeviceArg): string;
  /** [allocated, maxAllocated, reserved, maxReserved] bytes. */
  cudaMemory(device?: NativeDeviceArg): [number, number, number, number];
  cudaResetPeak(device?: NativeDeviceArg): void;
  cudaEmptyCache(): void;
  buildInfo(): NativeBuildInfo;

  // ---- CPU allocator (alloc.cpp) ----
  /** [cached, inUse, cap] bytes of the large-block pools. */
  cpuCacheInfo(): [number, number, number];
  cpuEmptyCache(): void;

  // ---- tensors across threads (share.cpp) ----
  /** Registers a tensor for `receivers` receptions by any thread; owner: the calling thread's threadId. Returns its process-wide id. */
  share(h: Handle, receivers: number, owner: number): number;
  /** A tensor on the shared storage, in this thread's table. */
  fromShared(id: number): Handle;
  /** Drops a share entry; false when it was already gone. */
  unshare(id: number): boolean;
  /** Drops every entry made by those threads (threadIds); returns how many there were. */
  unshareFrom(threadIds: number[]): number;
  sharedCount(): number;
  /** A CPU tensor on the memory of a typed array over a SharedArrayBuffer (no copy). */
  fromSharedBuffer(view: ArrayBufferView, shape: number[], dtype: number): Handle;

  // ---- checkpoint I/O (io.cpp) ----
  /** A stored record read into a new 1-d CPU tensor (CRC-32 checked when crc is given, byte-swapped when swap). */
  readStorage(fd: number, offset: number, numel: number, dtype: number, recordSize: number, crc: number | null, swap: boolean): Handle;
  /** The same on libuv's thread pool. */
  readStorageAsync(fd: number, offset: number, numel: number, dtype: number, recordSize: number, crc: number | null, swap: boolean): Promise<Handle>;

  // ---- optimizers (optim.cpp) ----
  /** flags: AdamFlag bits. grads null: each parameter's own .grad. */
  adamStep(params: Handle[], grads: Handle[] | null, expAvgs: Handle[], expAvgSqs: Handle[], maxExpAvgSqs: Handle[], steps: Handle[],
    beta1: number, beta2: number, lr: number, weightDecay: number, eps: number, flags: number): void;
  adamFusedAvailable(): boolean;
  /** foreach: a Foreach code. */
  zeroGrads(params: Handle[], foreach: number, setToNone: boolean): void;
  hasGrads(params: Handle[]): boolean[];

  // ---- torch.distributed (c10d.cpp); objects: Store, ProcessGroup, Work, Reducer handles ----
  /** Whether this build has c10d, and which backends. */
  distInfo(): { available: boolean; gloo: boolean; nccl: boolean };
  /** A TCPStore (the server when isServer; numWorkers -1: unknown). Blocks until connected (or all workers joined). */
  storeTcp(host: string, port: number, isServer: boolean, numWorkers: number, timeoutMs: number, waitWorkers: boolean, multiTenant: boolean): number;
  storePort(store: number): number;
  storePrefix(prefix: string, store: number): number;
  storeSet(store: number, key: string, value: string): void;
  storeGet(store: number, key: string): string;
  storeAdd(store: number, key: string, value: number): number;
  storeCheck(store: number, keys: string[]): boolean;
  storeWait(store: number, keys: string[], timeoutMs: number): void;
  storeSetTimeout(store: number, timeoutMs: number): void;
  /** A process group of backend 'gloo' or 'nccl' over a store (connects to every peer). */
  pgNew(backend: string, store: number, rank: number, size: number, timeoutMs: number): number;
  pgSetSequenceNumber(pg: number): void;
  /** Collectives: each returns a Work handle. op: 0 SUM, 1 AVG, 2 PRODUCT, 3 MIN, 4 MAX. */
  pgAllReduce(pg: number, tensors: Handle[], op: number): number;
  pgBroadcast(pg: number, tensors: Handle[], src: number): number;
  pgReduce(pg: number, tensor: Handle, dst: number, op: number): number;
  pgAllGather(pg: number, outputs: Handle[], input: Handle): number;
  pgGather(pg: number, outputs: Handle[], input: Handle, dst: number): number;
  pgScatter(pg: number, output: Handle, inputs: Handle[], src: number): number;
  pgReduceScatter(pg: number, output: Handle, inputs: Handle[], op: number): number;
  pgBarrier(pg: number): number;
  pgSend(pg: number, tensor: Handle, dst: number, tag: number): number;
  /** src -1: from any rank. */
  pgRecv(pg: number, tensor: Handle, src: number, tag: number): number;
  /** Broadcasts tensors from src in buffers of at most bufferBytes (waits). */
  pgBroadcastCoalesced(pg: number, tensors: Handle[], bufferBytes: number, src: number): void;
  workWait(work: number): void;
  workIsCompleted(work: number): boolean;
  workSourceRank(work: number): number;
  /** Waits on libuv's thread pool. */
  workWaitAsync(work: number): Promise<void>;
  /** DDP's reducer: autograd hooks all-reduce the parameters' gradients (averaged over worldSize) in these buckets during backward. */
  reducerNew(pg: number, params: Handle[], buckets: number[][], worldSize: number): number;
  /** With expect, the next backward's gradients are all-reduced (the forward's call); without, they stay local (noSync). */
  reducerPrepare(reducer: number, expect: boolean): void;
}

/**
 * Every entry point's name, once: the compiler checks this list against NativeAddon (a missing or
 * extra name does not compile) and test/native-boundary.test.ts checks it against the loaded binary.
 */
export const NATIVE_ENTRY_POINTS: Record<keyof NativeAddon, true> = {
  setErrorFactory: true, setArgBuffer: true, codes: true, objectKind: true, objectFree: true, liveObjects: true,
  free: true, freeMany: true, liveCount: true, liveBytes: true, watch: true, sweep: true, watchedBytes: true, setStatsBuffer: true,
  fromBuffer: true, toBuffer: true, item: true, shape: true, stride: true, dim: true, numel: true, dtype: true, device: true,
  requiresGrad: true, isLeaf: true, isContiguous: true, storageOffset: true, sameTensor: true, sameStorage: true, gradFn: true,
  to: true, requiresGrad_: true, setData: true, index: true, indexPut: true,
  fbin: true, fbinS: true, fun: true, fbinI: true, fbinSI: true, funI: true, wrapScalar: true, binS: true, binI: true, binSI: true,
  backward: true, grad: true, setGrad: true, retainGrad: true, retainsGrad: true, setGradEnabled: true, isGradEnabled: true, autogradGrad: true,
  opHandle: true, opSchema: true, call: true,
  generatorNew: true, generatorDefault: true, generatorManualSeed: true, generatorInitialSeed: true, generatorSeed: true,
  generatorGetState: true, generatorSetState: true, generatorDevice: true, useOwnGenerator: true, manualSeed: true, initialSeed: true, seed: true,
  setNumThreads: true, getNumThreads: true, getNumInteropThreads: true,
  cudaIsAvailable: true, cudaDeviceCount: true, cudaStatus: true, cudaSynchronize: true, cudaDeviceName: true, cudaMemory: true, cudaResetPeak: true,
  cudaEmptyCache: true, buildInfo: true,
  cpuCacheInfo: true, cpuEmptyCache: true,
  share: true, fromShared: true, unshare: true, unshareFrom: true, sharedCount: true, fromSharedBuffer: true,
  readStorage: true, readStorageAsync: true,
  adamStep: true, adamFusedAvailable: true, zeroGrads: true, hasGrads: true,
  distInfo: true, storeTcp: true, storePort: true, storePrefix: true, storeSet: true, storeGet: true, storeAdd: true, storeCheck: true,
  storeWait: true, storeSetTimeout: true, pgNew: true, pgSetSequenceNumber: true, pgAllReduce: true, pgBroadcast: true, pgReduce: true,
  pgAllGather: true, pgGather: true, pgScatter: true, pgReduceScatter: true, pgBarrier: true, pgSend: true, pgRecv: true,
  pgBroadcastCoalesced: true, workWait: true, workIsCompleted: true, workSourceRank: true, workWaitAsync: true,
  reducerNew: true, reducerPrepare: true,
};
