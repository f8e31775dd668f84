#!/usr/bin/env node
'use strict';
// Builds the native addon with cmake-js against the libtorch that scripts/libtorch.js finds.
//   node scripts/build.js            -> build/Release/sigprop.node
// Extra arguments are passed to cmake-js.
const { spawnSync } = require('child_process');
const path = require('path');
const os = require('os');
const { findLibtorch, searched } = require('./libtorch');

const lt = findLibtorch();
if (!lt) {
  console.error('sigprop: no libtorch found to build against. Looked for:\n  - ' + searched().join('\n  - ') +
    '\nFix: apt-get install libtorch-dev   (or set LIBTORCH to an unpacked libtorch folder)');
  process.exit(1);
}
console.error(`sigprop: building against libtorch ${lt.version || '?'} (${lt.source}) at ${lt.cmakeDir}`);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const args = [cmakeJs, 'rebuild', '--directory', path.join(__dirname, '..'), `--CDTorch_DIR=${lt.cmakeDir}`, ...process.argv.slice(2)];
const env = { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: process.env.CMAKE_BUILD_PARALLEL_LEVEL || String(Math.min(os.cpus().length, 4)) };
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
process.exit(r.status === null ? 1 : r.status);
