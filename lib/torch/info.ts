/** Build and runtime information (what `npx sigprop doctor` prints). */
import * as fs from 'fs';
import * as path from 'path';
import { N, addonPath, packageRoot } from './native';

export interface BuildInfo {
  /** libtorch version the addon was compiled against. */
  torchVersion: string;
  /** Whether the addon was built with CUDA support. */
  cuda: boolean;
  /** The CUDA version of a CUDA build ('13.0'), else null. */
  cudaVersion: string | null;
  /** Whether libtorch has MKL / oneDNN. */
  mkl: boolean;
  mkldnn: boolean;
  /** Path of the loaded libtorch_cpu shared library. */
  libtorchPath?: string;
  /** Path of the loaded native addon. */
  addonPath: string;
  /** libtorch's at::get_parallel_info(). */
  parallelInfo: string;
  /** Hash of the native sources the addon was built from (scripts/source-hash.js). */
  sourceHash: string;
}

export function buildInfo(): BuildInfo {
  const b = N.buildInfo();
  return { ...b, addonPath: b.addonPath ?? addonPath };
}

/**
 * The BLAS library this process loaded for libtorch's CPU matrix products ('MKL (in libtorch)',
 * 'OpenBLAS (/usr/lib/.../libopenblas.so.0)', 'reference BLAS (...)'), read from /proc/self/maps.
 */
export function blasLibrary(): string {
  if (N.buildInfo().mkl) return 'MKL (in libtorch)';
  let maps: string;
  try {
    maps = fs.readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return 'unknown';
  }
  const libs = [...new Set(maps.split('\n').map((l) => l.split(/\s+/)[5]).filter((p): p is string => !!p && p.startsWith('/')))];
  const open = libs.find((p) => /libopenblas/.test(path.basename(p)));
  if (open) return `OpenBLAS (${open})`;
  const blas = libs.find((p) => /^libblas\.so/.test(path.basename(p)) || /\/blas\//.test(p));
  if (blas) return `reference BLAS (${blas}; apt-get install libopenblas0-pthread for fast kernels)`;
  return 'none found';
}

/** Package version (from package.json). */
export const version: string = (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
