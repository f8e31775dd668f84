/** torch.cuda: device queries and memory statistics. On machines without CUDA, isAvailable() is false and the rest throws CudaError. */
import { N } from './native';
import { checkSeed } from './random';

type DeviceArg = number | string | undefined;
export function isAvailable(): boolean { return N.cudaIsAvailable(); }
export function deviceCount(): number { return N.cudaDeviceCount(); }
/** Why CUDA is not available (no driver, no device, a CPU-only build), or null when it is. */
export function unavailableReason(): string | null { return N.cudaStatus()[1]; }
export function getDeviceName(device?: DeviceArg): string { return N.cudaDeviceName(device); }
export function synchronize(device?: DeviceArg): void { N.cudaSynchronize(device); }
/** Bytes currently allocated by tensors on the device. */
export function memoryAllocated(device?: DeviceArg): number { return N.cudaMemory(device)[0]; }
export function maxMemoryAllocated(device?: DeviceArg): number { return N.cudaMemory(device)[1]; }
export function memoryReserved(device?: DeviceArg): number { return N.cudaMemory(device)[2]; }
export function maxMemoryReserved(device?: DeviceArg): number { return N.cudaMemory(device)[3]; }
export function resetPeakMemoryStats(device?: DeviceArg): void { N.cudaResetPeak(device); }
/** Releases cached, unused GPU memory back to the driver. */
export function emptyCache(): void { N.cudaEmptyCache(); }
/** Seeds every CUDA device (torch.manual_seed seeds them too). */
export function manualSeedAll(seed: number | bigint): void {
  checkSeed(seed, 'cuda.manualSeed');
  // at::manual_seed seeds the CPU generator as well; restore it so that only CUDA changes.
  const cpuState = N.generatorGetState(N.generatorDefault());
  try {
    N.manualSeed(seed);
    N.generatorSetState(N.generatorDefault(), cpuState);
  } finally {
    N.free(cpuState);
  }
}
export const manualSeed = manualSeedAll;
