/**
 * Loads the native addon: build/Release (a local build) or prebuilds/<platform>-<arch> (shipped),
 * through node-gyp-build. SIGPROP_ADDON=<path to a .node file> overrides the search.
 */
import * as path from 'path';
import * as fs from 'fs';
import { makeNativeError } from './errors';

// Node < 18.18 has no Symbol.dispose; define it (as TypeScript's downlevel `using` expects) so that
// Tensor[Symbol.dispose] is a real method there too.
if (typeof Symbol.dispose !== 'symbol') Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('Symbol.dispose') });

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface NativeAddon { [name: string]: (...args: any[]) => any }

export const packageRoot = path.resolve(__dirname, '..', '..');
export let addonPath = '';

function listPrebuilds(): string[] {
  const dir = path.join(packageRoot, 'prebuilds');
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const d of fs.readdirSync(dir)) {
    const sub = path.join(dir, d);
    if (fs.statSync(sub).isDirectory()) for (const f of fs.readdirSync(sub)) if (f.endsWith('.node')) out.push(path.join('prebuilds', d, f));
  }
  return out;
}

function load(): NativeAddon {
  let file = process.env.SIGPROP_ADDON;
  if (!file) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      file = require('node-gyp-build').resolve(packageRoot) as string;
    } catch (e) {
      throw new Error(
        `sigprop: no native addon for ${process.platform}-${process.arch} (N-API 8).\n` +
        `Looked for: ${path.join(packageRoot, 'build/Release/*.node')} (a local build) and ` +
        `${path.join(packageRoot, `prebuilds/${process.platform}-${process.arch}/*.node`)} (shipped: ${listPrebuilds().join(', ') || 'none'}).\n` +
        'Fix: build it from source against your libtorch:  apt-get install -y libtorch-dev cmake g++ && npm rebuild sigprop',
      );
    }
  }
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
