// The golden files of the libtorch under test: test/golden/torch-<major>.<minor>/, made by
// test/golden/make_all.sh with the Python torch of the same version (goldens are per version).
import * as fs from 'fs';
import * as path from 'path';
import { buildInfo } from '../../lib/torch';

/** 'major.minor' of the libtorch the addon was built against. */
export const TORCH_SERIES = buildInfo().torchVersion.split('.').slice(0, 2).join('.');
export const GOLDEN_DIR = path.join(__dirname, '..', 'golden', `torch-${TORCH_SERIES}`);

/** A golden file (or folder) of this libtorch version; a missing one says how to make it. */
export function goldenPath(...parts: string[]): string {
  const f = path.join(GOLDEN_DIR, ...parts);
  if (!fs.existsSync(f)) {
    throw new Error(`no golden ${path.relative(path.join(__dirname, '..', '..'), f)} for libtorch ${TORCH_SERIES}: ` +
      `make them with  bash test/golden/make_all.sh <a python whose torch is ${TORCH_SERIES}>`);
  }
  return f;
}

export function readGolden<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(goldenPath(name), 'utf8')) as T;
}

/**
 * The Python whose torch matches the loaded libtorch (test/global-setup.js finds it: Debian's
 * /usr/bin/python3 for 1.13, the venv of scripts/setup.sh for 2.x); tests that run Python need it.
 */
export function matchingPython(): string {
  const py = process.env.SIGPROP_TEST_PYTHON;
  if (!py) throw new Error(`no Python with torch ${TORCH_SERIES} was found for the tests that run Python (set SIGPROP_TEST_PYTHON, or run scripts/setup.sh)`);
  return py;
}
