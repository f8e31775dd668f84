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
  const [deviceCount, cudaWhy] = b.cuda ? [torch.cuda.deviceCount(), torch.cuda.unavailableReason()] : [0, null];
  Object.assign(info, {
    addon: b.addonPath,
    libtorchVersion: b.torchVersion,
    libtorchPath: b.libtorchPath,
    cudaBuild: b.cuda,
    cudaVersion: b.cudaVersion,
    cudaAvailable: torch.cuda.isAvailable(),
    cudaDeviceCount: deviceCount,
    cudaUnavailableReason: torch.cuda.isAvailable() ? null : cudaWhy ?? (b.cuda ? 'no device' : 'CPU-only build'),
    cudaDevices: [],
    mkl: b.mkl,
    mkldnn: b.mkldnn,
    blas: torch.blasLibrary(),
    threads: torch.getNumThreads(),
    interopThreads: torch.getNumInteropThreads(),
  });
  if (info.cudaAvailable) for (let i = 0; i < deviceCount; i++) info.cudaDevices.push(torch.cuda.getDeviceName(i));
  if (json) return console.log(JSON.stringify(info));
  const build = info.cudaBuild ? `CUDA build, CUDA ${info.cudaVersion}` : 'CPU-only build';
  const rows = [
    ['sigprop', info.package],
    ['node', info.node],
    ['addon', path.relative(process.cwd(), info.addon) || info.addon],
    ['libtorch', `${info.libtorchVersion} (${info.libtorchPath})`],
    ['CUDA', info.cudaAvailable
      ? `${build}: ${deviceCount} device(s): ${info.cudaDevices.map((n, i) => `cuda:${i} ${n}`).join(', ')}`
      : `${build}: not available, device count ${deviceCount} (${info.cudaUnavailableReason})`],
    ['CPU', `BLAS ${info.blas}; MKL ${info.mkl ? 'yes' : 'no'}; oneDNN ${info.mkldnn ? 'yes' : 'no'}`],
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
