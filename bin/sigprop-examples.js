#!/usr/bin/env node
'use strict';
// sigprop-examples: the original sigprop examples (ex2, ex4) as a command; see docs/examples.md.
//   npx sigprop-examples ex4 --dataset FashionMNIST --model vgg8 --norm instance_norm --dropout 0.2 --sigprop
// The training service (`serve`) trains in a Worker while the main thread answers: OpenBLAS's own
// thread pool is process-wide and a call from one thread waits for another's, so the service uses
// one BLAS thread per calling thread (read by OpenBLAS when it loads, with the addon, below) unless
// told otherwise (docs/threads.md).
if (process.argv[2] === 'serve' && process.env.OPENBLAS_NUM_THREADS === undefined) process.env.OPENBLAS_NUM_THREADS = '1';
let cli;
try {
  cli = require('../dist/examples/cli.js');
} catch (e) {
  console.error(`sigprop-examples: could not load dist/examples/cli.js (run \`npm run build:ts\` first?)\n${e.message}`);
  process.exit(1);
}
cli.run(process.argv.slice(2));
