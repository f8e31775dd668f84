#!/usr/bin/env node
'use strict';
// Builds the native addon with cmake-js against the libtorch that scripts/libtorch.js finds.
//   node scripts/build.js            -> build/Release/sigprop.node
// Extra arguments are passed to cmake-js.
const { spawnSync } = require('child_process');
const path = require('path');
const os = require('os');
const fs = require('fs');
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
if (r.status !== 0) process.exit(r.status === null ? 1 : r.status);

// The binary must use exactly the libtorch it was built against, whatever else is installed.
const outIdx = process.argv.indexOf('--out');
const out = path.join(outIdx >= 0 ? path.resolve(process.argv[outIdx + 1]) : path.join(__dirname, '..', 'build'), 'Release', 'sigprop.node');
// (A shipped binary has no RUNPATH: resolve it as the loader will, with that libtorch's folder first.)
const lddEnv = { ...process.env, LD_LIBRARY_PATH: [lt.libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
const ldd = spawnSync('ldd', [out], { encoding: 'utf8', env: lddEnv });
if (ldd.status === 0 && lt.libDir) {
  const want = fs.realpathSync(lt.libDir);
  const inside = (p) => fs.existsSync(p) && fs.realpathSync(path.dirname(p)) === want;
  const wrong = ldd.stdout.split('\n').map((l) => /^\s*(lib(?:torch|c10)[^ ]*) => (.+?)(?: \(0x[0-9a-f]+\))?$/.exec(l)).filter(Boolean)
    .filter((m) => !inside(m[2]));
  if (wrong.length) {
    console.error(`sigprop: the build links libtorch libraries from outside ${lt.libDir}:\n  ${wrong.map((m) => `${m[1]} => ${m[2]}`).join('\n  ')}` +
      '\nIt would mix two libtorch versions at run time. Fix CMakeLists.txt\'s library search, or build with LIBTORCH set.');
    process.exit(1);
  }
}
console.error(`sigprop: built ${out} against libtorch ${lt.version || '?'} (${lt.libDir})`);
