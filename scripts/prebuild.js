#!/usr/bin/env node
'use strict';
// Builds the shipped binary for this machine's libtorch and records it in the manifest the loader
// reads (lib/torch/loader.ts):
//   prebuilds/<platform>-<arch>/sigprop-torch-<major.minor>-<cpu|cuXYZ>.node
//   prebuilds/<platform>-<arch>/manifest.json  (file, torch, cuda, libs it links by name, builtWith)
// Other entries of the manifest (binaries built elsewhere, e.g. CUDA on the GPU machine) are kept.
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { findLibtorch } = require('./libtorch');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const lt = findLibtorch();
if (!lt) {
  console.error('prebuild: no libtorch found (see scripts/libtorch.js)');
  process.exit(1);
}
const r = spawnSync(process.execPath, [require.resolve('prebuildify/bin.js'), '--napi', '--strip', '--node-gyp', path.join(__dirname, 'prebuildify-cmake.js')],
  { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status === null ? 1 : r.status);

const built = path.join(dir, 'sigprop.node');
const [maj, min] = String(lt.version || '0.0').split('.');
const flavour = lt.cuda ? `cu${String(lt.cudaVersion || '').replace('.', '') || 'da'}` : 'cpu';
const file = `sigprop-torch-${maj}.${min}-${flavour}.node`;
fs.renameSync(built, path.join(dir, file));

const needed = execFileSync('readelf', ['-d', path.join(dir, file)], { encoding: 'utf8' })
  .split('\n').map((l) => /\(NEEDED\).*\[(.+)\]/.exec(l)).filter(Boolean).map((m) => m[1])
  .filter((n) => /^lib(torch|c10)/.test(n));
const manifestFile = path.join(dir, 'manifest.json');
const manifest = fs.existsSync(manifestFile) ? JSON.parse(fs.readFileSync(manifestFile, 'utf8')) : [];
const builtWith = lt.pytorchVersion ? `PyTorch ${lt.pytorchVersion} (pip wheel), libtorch ${lt.version}` : `${lt.source}, libtorch ${lt.version}`;
const entry = { file, torch: `${maj}.${min}`, cuda: lt.cuda ? lt.cudaVersion || 'unknown' : null, libs: needed, builtWith };
const out = manifest.filter((e) => e.file !== file).concat([entry]);
fs.writeFileSync(manifestFile, JSON.stringify(out, null, 2) + '\n');
console.error(`prebuild: ${path.relative(root, path.join(dir, file))} (links ${needed.join(', ')})`);
