/**
 * Loads the native addon: SIGPROP_ADDON=<path to a .node file> if set; else a local build
 * (build/Release, found through node-gyp-build); else the shipped binary in
 * prebuilds/<platform>-<arch> that fits the libtorch on this machine (loader.ts).
 */
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { makeNativeError } from './errors';
import { ManifestEntry, LibtorchCandidate, Selection, selectBinary, systemCandidate, candidateOf, noFitMessage } from './loader';
import type { NativeAddon } from './native-api';
export type { NativeAddon } from './native-api';

// Node < 18.18 has no Symbol.dispose; define it (as TypeScript's downlevel `using` expects) so that
// Tensor[Symbol.dispose] is a real method there too.
if (typeof Symbol.dispose !== 'symbol') Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('Symbol.dispose') });

export const packageRoot = path.resolve(__dirname, '..', '..');
export let addonPath = '';

const platformDir = `${process.platform}-${process.arch}`;

function readManifest(): ManifestEntry[] {
  const f = path.join(packageRoot, 'prebuilds', platformDir, 'manifest.json');
  if (!fs.existsSync(f)) return [];
  return JSON.parse(fs.readFileSync(f, 'utf8')) as ManifestEntry[];
}

/** The libtorch finder shared with the build scripts (plain JS, so it runs before anything is compiled). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a .js file outside lib/, shipped in scripts/
const finder = require(path.join(packageRoot, 'scripts', 'libtorch.js')) as typeof import('../../scripts/libtorch');

// RTLD_NODELETE (glibc): Node dlcloses a library that registers no addon; keep preloaded libtorch resident.
const RTLD_NODELETE = 0x1000;

function preload(libs: string[]): void {
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | (process.platform === 'linux' ? RTLD_NODELETE : 0);
  for (const lib of libs) {
    try {
      process.dlopen({ exports: {} } as NodeJS.Module, lib, flags);
    } catch (e) {
      // A plain shared library is not an addon: loading it is all we wanted.
      if (!/did not self-register/.test((e as Error).message)) throw new Error(`sigprop: could not load ${lib}: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** The addon file: SIGPROP_ADDON, a local build, or the shipped binary that fits this machine's libtorch. */
function resolveAddon(): string {
  if (process.env.SIGPROP_ADDON) return process.env.SIGPROP_ADDON;
  if (fs.existsSync(path.join(packageRoot, 'build'))) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- node-gyp-build has no types and is CommonJS
      const local = require('node-gyp-build').resolve(packageRoot) as string;
      if (local.startsWith(path.join(packageRoot, 'build'))) return local;
    } catch {
      // no local build: fall through to the shipped binaries
    }
  }
  const manifest = readManifest();
  const view = { exists: (p: string) => fs.existsSync(p) };
  // The places scripts/libtorch.js knows, in its order (LIBTORCH, SIGPROP_PYTHON, a venv, python3,
  // the linker path); each is asked only if the ones before it have no fitting binary.
  const candidates: LibtorchCandidate[] = [];
  let sel: Selection | null = null;
  for (const place of finder.places(process.env)) {
    let inst;
    try {
      inst = place.find();
    } catch (e) {
      throw new Error(`sigprop: ${(e as Error).message}`, { cause: e });
    }
    if (!inst) continue;
    const cand = candidateOf(inst);
    candidates.push(cand);
    sel = selectBinary(manifest, [cand], view);
    if (sel) break;
  }
  if (!candidates.some((c) => c.onLinkerPath)) candidates.push(systemCandidate(process.env));
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
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a .node addon loads only through require()
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
      { cause: e },
    );
  }
}

export const N: NativeAddon = load();
N.setErrorFactory(makeNativeError);

/** Argument buffer shared with the native hot paths: [0] op code, [1] self slot, [2] other slot or scalar. */
export const A = new Float64Array(16);
N.setArgBuffer(A);
