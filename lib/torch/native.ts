/**
 * Loads the native addon: SIGPROP_ADDON=<path to a .node file> if set; else a local build
 * (build/Release, found through node-gyp-build); else the shipped binary in
 * prebuilds/<platform>-<arch> that fits the libtorch on this machine (loader.ts).
 */
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { spawnSync } from 'child_process';
import { makeNativeError } from './errors';
import { ManifestEntry, LibtorchCandidate, selectBinary, systemCandidate, envCandidate, noFitMessage } from './loader';

// Node < 18.18 has no Symbol.dispose; define it (as TypeScript's downlevel `using` expects) so that
// Tensor[Symbol.dispose] is a real method there too.
if (typeof Symbol.dispose !== 'symbol') Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('Symbol.dispose') });

import type { NativeAddon } from './native-api';
export type { NativeAddon } from './native-api';

export const packageRoot = path.resolve(__dirname, '..', '..');
export let addonPath = '';

const platformDir = `${process.platform}-${process.arch}`;

function readManifest(): ManifestEntry[] {
  const f = path.join(packageRoot, 'prebuilds', platformDir, 'manifest.json');
  if (!fs.existsSync(f)) return [];
  return JSON.parse(fs.readFileSync(f, 'utf8')) as ManifestEntry[];
}

/** A PyTorch installation's torch/lib, through python3 (slow: only asked for when needed). */
function pytorchCandidate(explicit: boolean): LibtorchCandidate | null {
  const py = process.env.SIGPROP_PYTHON || 'python3';
  const r = spawnSync(py, ['-c', 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib")); print(torch.__version__); print(torch.version.cuda or "")'],
    { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) {
    if (explicit) throw new Error(`sigprop: SIGPROP_LIBTORCH_USE_PYTORCH=1 but \`${py} -c 'import torch'\` failed: install PyTorch for ${py}, or set SIGPROP_PYTHON`);
    return null;
  }
  const [libDir, version, cuda] = r.stdout.trim().split('\n');
  return { source: `PyTorch ${version} (${py})`, libDirs: [libDir], onLinkerPath: false, version, cuda: cuda || null };
}

// RTLD_NODELETE (glibc): Node dlcloses a library that registers no addon; keep preloaded libtorch resident.
const RTLD_NODELETE = 0x1000;

function preload(libs: string[]): void {
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | (process.platform === 'linux' ? RTLD_NODELETE : 0);
  for (const lib of libs) {
    try {
      process.dlopen({ exports: {} } as NodeJS.Module, lib, flags);
    } catch (e) {
      // A plain shared library is not an addon: loading it is all we wanted.
      if (!/did not self-register/.test((e as Error).message)) throw new Error(`sigprop: could not load ${lib}: ${(e as Error).message}`);
    }
  }
}

/** The addon file: SIGPROP_ADDON, a local build, or the shipped binary that fits this machine's libtorch. */
function resolveAddon(): string {
  if (process.env.SIGPROP_ADDON) return process.env.SIGPROP_ADDON;
  if (fs.existsSync(path.join(packageRoot, 'build'))) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const local = require('node-gyp-build').resolve(packageRoot) as string;
      if (local.startsWith(path.join(packageRoot, 'build'))) return local;
    } catch {
      // no local build: fall through to the shipped binaries
    }
  }
  const manifest = readManifest();
  const view = { exists: (p: string) => fs.existsSync(p) };
  const explicitPy = process.env.SIGPROP_LIBTORCH_USE_PYTORCH === '1';
  const candidates: LibtorchCandidate[] = [];
  const env = envCandidate(process.env);
  if (env) candidates.push(env);
  if (explicitPy) candidates.push(pytorchCandidate(true)!);
  candidates.push(systemCandidate(process.env));
  let sel = selectBinary(manifest, candidates, view);
  if (!sel && !explicitPy) {
    const py = pytorchCandidate(false);
    if (py) {
      candidates.push(py);
      sel = selectBinary(manifest, [py], view);
    }
  }
  if (!sel) {
    throw new Error(`sigprop: no native addon for ${platformDir} (N-API 8): no local build in ${path.join(packageRoot, 'build/Release')}, and:\n` +
      noFitMessage(path.join(packageRoot, 'prebuilds', platformDir), manifest, candidates, view));
  }
  preload(sel.preload);
  return path.join(packageRoot, 'prebuilds', platformDir, sel.entry.file);
}

/** Loads the addon into this JavaScript environment (the main thread or a Worker: each has its own tables). */
function load(): NativeAddon {
  const file = resolveAddon();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(file) as NativeAddon;
    addonPath = file;
    return m;
  } catch (e) {
    const msg = (e as Error).message;
    const missing = /lib(torch|c10)[^:]*\.so[^:]*: cannot open shared object file/.exec(msg);
    throw new Error(
      `sigprop: the native addon ${file} could not be loaded: ${msg}\n` +
      (missing
        ? 'It needs the libtorch it was built against and that library was not found. ' +
          'Fix: apt-get install -y libtorch1.13   (Debian 12), or point LD_LIBRARY_PATH at the lib/ folder of your libtorch, ' +
          'or rebuild against the libtorch you have: apt-get install -y libtorch-dev cmake g++ && npm rebuild sigprop'
        : 'Fix: rebuild it against your libtorch: apt-get install -y libtorch-dev cmake g++ && npm rebuild sigprop'),
    );
  }
}

export const N: NativeAddon = load();
N.setErrorFactory(makeNativeError);

/** Argument buffer shared with the native hot paths: [0] op code, [1] self slot, [2] other slot or scalar. */
export const A = new Float64Array(16);
N.setArgBuffer(A);
