/**
 * sigprop/torch: a PyTorch-like tensor library for Node.js over libtorch.
 *
 *   import * as torch from 'sigprop/torch';
 *   const x = torch.randn(2, 3, { requiresGrad: true });
 *   x.mul(2).sum().backward();
 */
export * from './functions';
export { Tensor, Slice, slice } from './tensor';
export type { Scalar, Dims, TensorOrScalar, TypedArray, NestedArray, ValuesIndices, IndexItem } from './tensor';
export { DTYPES } from './dtype';
export type { DType, DTypeLike, Device } from './dtype';
export { TorchError, OutOfMemoryError, CudaError, DisposedTensorError } from './errors';
export { tidy, scope, keep, dispose, memory, emptyCpuCache } from './memory';
export type { MemoryInfo } from './memory';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from './autograd';
export { Generator, defaultGenerator, manualSeed, initialSeed, seed, getRngState, setRngState } from './random';
export { setPrintOptions, getPrintOptions } from './format';
export type { PrintOptions } from './format';
export * as autograd from './autograd';
export * as cuda from './cuda';
export * as nn from './nn';
export * as optim from './optim';
export * as distributed from './distributed';
export { save, load, loadAsync, saveSafetensors, loadSafetensors, safetensorsMetadata, CheckpointError } from './serialization';
export type { LoadOptions, MapLocation } from './serialization';
export { version, buildInfo, blasLibrary } from './info';
export { share, fromShared, unshare, unshareFrom, sharedCount, isSharedTensor } from './threads';
export type { SharedTensor, Shared, Received, ShareOptions } from './threads';

// dtype constants, as torch.float32 etc.
export const float32 = 'float32', float = 'float32', float64 = 'float64', double = 'float64', float16 = 'float16', half = 'float16';
export const bfloat16 = 'bfloat16', int64 = 'int64', long = 'int64', int32 = 'int32', int = 'int32', int16 = 'int16', short = 'int16';
export const int8 = 'int8', uint8 = 'uint8', bool = 'bool';
/** Python's None in an index (a new axis): `t.index(torch.newaxis)`. */
export const newaxis = null;
