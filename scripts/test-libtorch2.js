#!/usr/bin/env node
'use strict';
// The test suite again, against pip's PyTorch 2.14 (the virtual environment .venv-torch2 that
// scripts/setup.sh makes), with the addon built against it in build-torch2/ (rebuilt when native/
// changed). `npm test` runs this after the suite against the default libtorch (Debian's 1.13).
//   node scripts/test-libtorch2.js [jest arguments]
// Without the venv it says so and exits 0 (a machine without pip's torch tests 1.13 only).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { sourceHash } = require('./source-hash');

const root = path.join(__dirname, '..');
const venv = process.env.SIGPROP_TORCH2_VENV || path.join(root, '.venv-torch2');
const python = path.join(venv, 'bin', 'python');
if (!fs.existsSync(python)) {
  console.error(`test-libtorch2: no ${venv} (scripts/setup.sh makes it): the suite ran against the default libtorch only`);
  process.exit(0);
}
const addon = path.join(root, 'build-torch2', 'Release', 'sigprop.node');
const env = { ...process.env, SIGPROP_PYTHON: python, SIGPROP_TEST_PYTHON: python };
const built = () => {
  if (!fs.existsSync(addon)) return false;
  const r = spawnSync(process.execPath, ['-e', "console.log(require('./dist/torch').buildInfo().sourceHash)"], { cwd: root, encoding: 'utf8', env: { ...env, SIGPROP_ADDON: addon } });
  return r.status === 0 && r.stdout.trim() === sourceHash(root);
};
if (!built()) {
  console.error('test-libtorch2: building the addon against PyTorch 2.14 into build-torch2/');
  const b = spawnSync(process.execPath, [path.join(__dirname, 'build.js'), '--out', path.join(root, 'build-torch2')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
console.error(`test-libtorch2: the suite against ${addon}`);
const jest = require.resolve('jest/bin/jest');
const r = spawnSync(process.execPath, [jest, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: { ...env, SIGPROP_ADDON: addon } });
process.exit(r.status ?? 1);
