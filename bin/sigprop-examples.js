#!/usr/bin/env node
'use strict';
// sigprop-examples: the original sigprop examples (ex2, ex4) as a command; see docs/examples.md.
//   npx sigprop-examples ex4 --dataset FashionMNIST --model vgg8 --norm instance_norm --dropout 0.2 --sigprop
let cli;
try {
  cli = require('../dist/examples/cli.js');
} catch (e) {
  console.error(`sigprop-examples: could not load dist/examples/cli.js (run \`npm run build:ts\` first?)\n${e.message}`);
  process.exit(1);
}
cli.run(process.argv.slice(2));
