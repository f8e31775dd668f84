#!/usr/bin/env node
'use strict';
// npm install hook: keeps a shipped or local binary when it loads; otherwise builds from source
// when a libtorch and a compiler are there; otherwise explains what is missing (without failing
// the install, so that the error at require() time can say it again).
const { spawnSync } = require('child_process');
const path = require('path');
const root = path.join(__dirname, '..');

// Loads the package the way users will (lib/torch/native.ts: a local build, or the shipped binary
// that fits this machine's libtorch) in a child process.
function loads() {
  const entry = path.join(root, 'dist/torch/index.js');
  if (!require('fs').existsSync(entry)) return { ok: false, out: '', err: 'dist/ is not built (a git checkout: run npm run build)' };
  const code = 'console.log(require(process.argv[1]).buildInfo().addonPath)';
  const env = { ...process.env };
  delete env.SIGPROP_ADDON;
  const r = spawnSync(process.execPath, ['-e', code, entry], { encoding: 'utf8', env });
  return { ok: r.status === 0, out: (r.stdout || '').trim(), err: (r.stderr || '').trim() };
}

if (process.env.SIGPROP_SKIP_INSTALL === '1') process.exit(0);
const first = loads();
if (first.ok) {
  console.error(`sigprop: using native addon ${path.relative(root, first.out)}`);
  process.exit(0);
}
const { findLibtorch, searched } = require('./libtorch');
let lt = null;
try { lt = findLibtorch(); } catch (e) { console.error('sigprop: ' + e.message); }
const hasCmake = spawnSync('cmake', ['--version']).status === 0;
const hasCxx = spawnSync('c++', ['--version']).status === 0;
if (lt && hasCmake && hasCxx) {
  console.error('sigprop: no shipped binary fits this machine; building from source');
  const r = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit' });
  process.exit(r.status === null ? 1 : r.status);
}
console.error(
  'sigprop: WARNING: no native addon loads on this machine and it cannot be built here.\n' +
  `  loading failed with: ${first.err.split('\n').filter((l) => /Error|error/.test(l))[0] || first.err.slice(0, 300)}\n` +
  `  libtorch looked for in: ${searched().join('; ')} -> ${lt ? lt.cmakeDir : 'none found'}\n` +
  `  compiler: cmake ${hasCmake ? 'found' : 'missing'}, c++ ${hasCxx ? 'found' : 'missing'}\n` +
  '  fix (Debian 12): apt-get install -y libtorch-dev cmake g++ && npm rebuild sigprop',
);
