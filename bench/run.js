#!/usr/bin/env node
'use strict';
// Runs each benchmark case side by side with Python on the same libtorch (Debian's python3-torch),
// interleaving Node and Python processes, and prints medians and the Node/Python ratio.
//   node bench/run.js [case ...] [--rounds N] [--json]
const { execFileSync } = require('child_process');
const path = require('path');

const PY = process.env.SIGPROP_BENCH_PYTHON || '/usr/bin/python3';
const PAIRS = [
  // [label, node case, python case]
  ['add 8x8 float32, 200k ops, 1 thread (Node in torch.tidy)', 'add8x8', 'add8x8'],
  ['add 8x8 float32, 200k ops, 1 thread (Node with dispose() per op)', 'add8x8_dispose', 'add8x8'],
  ['Linear(784,256) fwd + sum + backward + Adam step, batch 128, 1 thread', 'linear_adam', 'linear_adam'],
  ['small CNN (2 conv+pool, linear) fwd + cross-entropy + backward + Adam, batch 128, 1 thread', 'cnn_adam', 'cnn_adam'],
];

const args = process.argv.slice(2);
const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 5;
const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--rounds');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const run = (cmd, argv) => JSON.parse(execFileSync(cmd, argv, { cwd: __dirname, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } }));

const results = [];
for (const [label, nodeCase, pyCase] of PAIRS) {
  if (only.length && !only.includes(nodeCase)) continue;
  const nodeT = [], pyT = [];
  for (let r = 0; r < rounds; r++) {
    nodeT.push(...run(process.execPath, [path.join(__dirname, 'core.js'), nodeCase, '3']));
    pyT.push(...run(PY, [path.join(__dirname, 'core.py'), pyCase, '3']));
  }
  const n = median(nodeT), p = median(pyT);
  results.push({ case: nodeCase, label, nodeUs: n, pythonUs: p, ratio: n / p, samples: nodeT.length });
  if (!args.includes('--json')) console.log(`${label}\n  node ${n.toFixed(3)} us  python ${p.toFixed(3)} us  ratio ${(n / p).toFixed(2)}x  (${nodeT.length} samples each)`);
}
if (args.includes('--json')) console.log(JSON.stringify(results, null, 2));
