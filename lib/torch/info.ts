/** Build and runtime information (what `npx sigprop doctor` prints). */
import * as fs from 'fs';
import * as path from 'path';
import { N, addonPath, packageRoot } from './native';

export interface BuildInfo {
  /** libtorch version the addon was compiled against. */
  torchVersion: string;
  /** Whether the addon was built with CUDA support. */
  cuda: boolean;
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

/** Package version (from package.json). */
export const version: string = (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
