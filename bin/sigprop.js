#!/usr/bin/env node
'use strict';
// sigprop command line: `sigprop doctor` reports what this installation uses.
const path = require('path');

function doctor(json) {
  const info = { package: require('../package.json').version, node: process.version };
  let torch;
  try {
    torch = require('../dist/torch');
  } catch (e) {
    console.error(`sigprop ${info.package}: the native addon did not load.\n${e.message}`);
    process.exit(1);
  }
  const b = torch.buildInfo();
  Object.assign(info, {
    addon: b.addonPath,
    libtorchVersion: b.torchVersion,
    libtorchPath: b.libtorchPath,
    cudaBuild: b.cuda,
    cudaAvailable: torch.cuda.isAvailable(),
    cudaDevices: [],
    threads: torch.getNumThreads(),
    interopThreads: torch.getNumInteropThreads(),
  });
  if (info.cudaAvailable) for (let i = 0; i < torch.cuda.deviceCount(); i++) info.cudaDevices.push(torch.cuda.getDeviceName(i));
  if (json) return console.log(JSON.stringify(info));
  const rows = [
    ['sigprop', info.package],
    ['node', info.node],
    ['addon', path.relative(process.cwd(), info.addon) || info.addon],
    ['libtorch', `${info.libtorchVersion} (${info.libtorchPath})`],
    ['CUDA', info.cudaAvailable
      ? `available, ${info.cudaDevices.length} device(s): ${info.cudaDevices.map((n, i) => `cuda:${i} ${n}`).join(', ')}`
      : `not available (${info.cudaBuild ? 'CUDA build, no device found' : 'CPU-only build'})`],
    ['threads', `${info.threads} intra-op, ${info.interopThreads} inter-op`],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(10)} ${v}`);
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'doctor') doctor(rest.includes('--json'));
else {
  console.log('usage: sigprop doctor [--json]   report the package version, native addon, libtorch, CUDA and threads');
  process.exit(cmd === undefined || cmd === '--help' || cmd === '-h' ? 0 : 1);
}
