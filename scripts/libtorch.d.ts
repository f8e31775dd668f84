// Types of scripts/libtorch.js, the libtorch finder shared by the build scripts and lib/torch/native.ts.
export interface Installation {
  /** Where it came from, for messages: 'env LIBTORCH (/opt/libtorch)', 'system (Debian libtorch-dev)', ... */
  source: string;
  root: string;
  /** The folder with libtorch_cpu.so (null when a linker-path search found nothing). */
  libDir: string | null;
  /** For the linker-path search: every folder the dynamic linker looks in. */
  libDirs?: string[];
  includeDir: string;
  /** share/cmake/Torch, when it can be built against. */
  cmakeDir: string | null;
  /** libtorch version, '2.14.1' (null when unknown). */
  version: string | null;
  /** PyTorch's own version string, '2.14.1+cu130'. */
  pytorchVersion?: string | null;
  /** Whether it has libtorch_cuda.so. */
  cuda: boolean;
  /** The CUDA version a PyTorch build names ('13.0'), or null. */
  cudaVersion: string | null;
  /** Whether the dynamic linker finds its libraries by itself (else they are preloaded). */
  onLinkerPath: boolean;
  /** The Python interpreter it belongs to, for a PyTorch installation. */
  python?: string;
}
export interface Place {
  where: string;
  explicit?: boolean;
  find(): Installation | null;
}
export function places(env?: Record<string, string | undefined>): Place[];
export function searched(env?: Record<string, string | undefined>): string[];
export function findLibtorch(env?: Record<string, string | undefined>): Installation | null;
export function readVersion(includeDir: string): string | null;
export function readTorchPy(torchDir: string): { version: string | null; cuda: string | null };
export const SYSTEM_LIB_DIRS: string[];
