#!/usr/bin/env node
'use strict';
// The sigprop training step, Node (this port, dist/) side by side with the ORIGINAL Python library
// (bench/sigprop.py on Debian's /usr/bin/python3, same libtorch 1.13), one thread each.
//
//   node bench/sigprop.js CASE N [--clock wall|cpu] [--warmup W]
//       time N steps after W warm-up steps (default 3), print [ms, ...]
//   node bench/sigprop.js --phases CASE N [--warmup W]
//       where a Node step's time goes (signal, layers, output, global); bench/sigprop.py --phases: Python's
//   node bench/sigprop.js --compare [case ...] [--rounds R] [--blas ref|openblas|mkl] [--steps N] [--warmup W] [--clock wall|cpu] [--grads default|zero|none] [--json]
//       interleave Node and Python processes for R rounds (default 5); report medians and Node/Python.
//       --blas openblas: both sides with Debian's OpenBLAS (fetched by bench/openblas.sh, not
//       installed) on LD_LIBRARY_PATH and OPENBLAS_NUM_THREADS=1; default ref: the system libblas.so.3.
//       --blas mkl: pip's libtorch 2.x, whose BLAS (MKL) is inside it: run with
//       SIGPROP_BENCH_PYTHON=<venv>/bin/python and SIGPROP_ADDON=<addon built against that torch>
//       (or SIGPROP_PYTHON=<venv>/bin/python and no local build/); both sides' torch versions are checked.
//       --steps N: steps per process for every case (default: mlp 30, conv 3).
//       --clock cpu: time steps by process CPU time (user + system) instead of wall time, for a busy machine.
//       --grads zero|none: every optimizer's zeroGrad() zeroes the gradients (PyTorch 1.13's default, the
//       original's) / sets them to null (PyTorch >= 2.0's, this port's) on both sides; default: each
//       side's own default.
//
// CASE: NET_LOSS[_mon], NET mlp|conv, LOSS v9|v14|v15, `_mon` with the LabelMetrics monitors.
// The networks are bench/sigprop-nets.js (= test/golden/make_sigprop.py's): seed 0, batch 128,
// Fashion-MNIST training batches 0..19 in file order, in a cycle, x = (u8/255 - 0.286) / 0.353.
// One step: torch.tidy(() => { out = model.forward([x, y]); g = F.crossEntropy(out, y);
// gopt.zeroGrad(); g.backward(); gopt.step(); }) (every local optimizer steps inside forward).
// Needs: npx tsc -p tsconfig.json; /usr/share/datasets/fashion-mnist; the original library at
// $SIGPROP_ORIG or /tmp/sigprop-orig; apt-get install python3-torch.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const PY = process.env.SIGPROP_BENCH_PYTHON || '/usr/bin/python3';
const DATA_DIR = '/usr/share/datasets/fashion-mnist';
const BATCH = 128;
const NBATCHES = 20;
let WARMUP = 3; // warm-up steps per process (--warmup W)
const DEFAULT_CASES = ['mlp_v14', 'conv_v9', 'mlp_v14_mon'];
const LABELS = {
  mlp_v14: 'MLP 784-256-256-256-10 (signal + 2 Loss layers + Identity output), loss v14, no monitors',
  conv_v9: 'conv net, ch 32 (README quick start, corrected), loss v9, no monitors',
  mlp_v14_mon: 'MLP as above, loss v14, with LabelMetrics monitors',
};
const TARGETS = { mlp_v14: 0.8, conv_v9: 1.0 };

function parseCase(c) {
  const m = /^(mlp|conv)_(v9|v14|v15)(_mon)?$/.exec(c || '');
  if (!m) throw new Error(`unknown case '${c}': expected NET_LOSS[_mon], NET mlp|conv, LOSS v9|v14|v15`);
  return { net: m[1], loss: m[2], monitors: !!m[3] };
}
const defaultSteps = (c) => (parseCase(c).net === 'conv' ? 3 : 30);

// ---------------------------------------------------------------- worker: one process, one case

function setup(caseName) {
  process.env.OMP_NUM_THREADS = '1'; // before the addon loads (same as the Python side)
  const lib = require(path.join(__dirname, '..', 'dist'));
  const { torch } = lib;
  torch.setNumThreads(1);
  const nets = require('./sigprop-nets')(lib);
  const { net, loss, monitors } = parseCase(caseName);

  const readIdx = (file, count) => {
    const buf = zlib.gunzipSync(fs.readFileSync(path.join(DATA_DIR, file)));
    const ndim = buf.readUInt32BE(0) & 0xff;
    const dims = [];
    for (let i = 0; i < ndim; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
    dims[0] = Math.min(dims[0], count);
    const n = dims.reduce((a, b) => a * b, 1);
    return torch.tensor(new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * ndim, n)).view(dims);
  };
  const batches = torch.tidy(() => {
    const imgs = readIdx('train-images-idx3-ubyte.gz', NBATCHES * BATCH);
    const labels = readIdx('train-labels-idx1-ubyte.gz', NBATCHES * BATCH);
    const x = imgs.float().div(255).unsqueeze(1).sub(torch.tensor([0.286]).view(1, 1, 1)).div(torch.tensor([0.353]).view(1, 1, 1)).contiguous();
    const y = labels.long();
    const out = [];
    for (let i = 0; i < NBATCHES; i++) out.push([x.narrow(0, i * BATCH, BATCH), y.narrow(0, i * BATCH, BATCH)]);
    return torch.keep(out);
  });
  gradsMode(torch.optim.Optimizer.prototype);
  const built = nets.buildModel(net, nets.lossByName(loss), { seed: 0, monitors, ch: 32, hidden: 256 });
  const { model, gopt } = built;
  model.train();
  const F = torch.nn.functional;
  const step = (i) => {
    const [x, y] = batches[i % NBATCHES];
    torch.tidy(() => {
      const out = model.forward([x, y]);
      const g = F.crossEntropy(out, y);
      gopt.zeroGrad();
      g.backward();
      gopt.step();
    });
  };
  return { torch, model, gopt, step };
}

// SIGPROP_BENCH_GRADS (set by --compare --grads): 'default' leaves zeroGrad() as the library has it
// (Node: set to null, PyTorch >= 2.0's default; the original on 1.13: zeroed); 'zero' / 'none' make
// every optimizer's zeroGrad() zero the gradients / set them to null, on both sides alike.
function gradsMode(proto) {
  const mode = process.env.SIGPROP_BENCH_GRADS || 'default';
  if (mode === 'default') return;
  if (mode !== 'zero' && mode !== 'none') throw new Error(`SIGPROP_BENCH_GRADS: default|zero|none, got '${mode}'`);
  const zeroGrad = proto.zeroGrad;
  proto.zeroGrad = function () { return zeroGrad.call(this, mode === 'none'); };
}

// clock 'wall' (default): elapsed time; 'cpu': the process's user + system CPU time (all threads;
// one compute thread here), which a busy machine disturbs less than wall time
function worker(caseName, n, clock = 'wall') {
  const { step } = setup(caseName);
  for (let i = 0; i < WARMUP; i++) step(i);
  const out = [];
  for (let i = WARMUP; i < WARMUP + n; i++) {
    if (clock === 'cpu') {
      const c = process.cpuUsage();
      step(i);
      const d = process.cpuUsage(c);
      out.push((d.user + d.system) / 1e3);
    } else {
      const t = process.hrtime.bigint();
      step(i);
      out.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  console.log(JSON.stringify(out));
}

// ---------------------------------------------------------------- --phases: where a Node step's time goes

function phases(caseName, n) {
  const { torch, model, gopt, step } = setup(caseName);
  const acc = new Map(); // label -> total ns (inclusive)
  const stack = ['global'];
  const now = () => process.hrtime.bigint();
  const add = (label, ns) => acc.set(label, (acc.get(label) || 0n) + ns);
  // wrap a method on one object (instance), timing it under `<scope>.<what>`
  const wrap = (obj, method, scope, what, push) => {
    const orig = obj[method];
    obj[method] = function (...a) {
      const t = now();
      if (push) stack.push(scope);
      try { return orig.apply(this, a); } finally { if (push) stack.pop(); add(`${scope}.${what}`, now() - t); }
    };
  };
  const props = [['signal', model.signal], ...[...model.model.children()].map((p, i, all) => [i === all.length - 1 ? 'output' : `layer_${i + 1}`, p])];
  for (const [name, p] of props) {
    wrap(p, 'forward', name, 'total', true);
    if (p.module) wrap(p.module, 'forward', name, 'module forward', false);
    if (typeof p.loss === 'function') wrap(p, 'loss', name, 'loss forward', false);
    else if (p.loss && typeof p.loss.forward === 'function') wrap(p.loss, 'forward', name, 'loss forward', false); // a monitor wrapping the loss
    if (p.optimizer) {
      wrap(p.optimizer, 'zeroGrad', name, 'zeroGrad', false);
      wrap(p.optimizer, 'step', name, 'optimizer step', false);
    }
  }
  wrap(gopt, 'zeroGrad', 'global', 'zeroGrad', false);
  wrap(gopt, 'step', 'global', 'optimizer step', false);
  // the local losses call the same crossEntropy: count it only at the global level
  // (torch.nn.functional re-exports it read-only: patch the module that defines it, which every import reads through)
  const F = require(path.join(__dirname, '..', 'dist', 'torch', 'nn', 'functional', 'loss'));
  const ce = F.crossEntropy;
  F.crossEntropy = function (...a) {
    const t = now();
    try { return ce.apply(this, a); } finally { if (stack[stack.length - 1] === 'global') add('global.crossEntropy', now() - t); }
  };
  const T = torch.Tensor.prototype;
  const backward = T.backward;
  T.backward = function (...a) {
    const t = now();
    try { return backward.apply(this, a); } finally { add(`${stack[stack.length - 1]}.backward`, now() - t); }
  };
  for (let i = 0; i < WARMUP; i++) step(i);
  // per step: every label's time; the table shows medians over the steps (robust to a busy machine)
  const series = new Map();
  for (let i = WARMUP; i < WARMUP + n; i++) {
    acc.clear();
    const t = now();
    step(i);
    acc.set('step', now() - t);
    for (const [k, v] of acc) (series.get(k) || series.set(k, []).get(k)).push(Number(v) / 1e6);
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const ms = (label) => (series.has(label) ? median(series.get(label)) : 0);
  const total = ms('step');
  const order = ['module forward', 'loss forward', 'crossEntropy', 'zeroGrad', 'backward', 'optimizer step'];
  const rows = [];
  for (const scope of [...props.map(([name]) => name), 'global']) {
    const parts = order.map((w) => `${scope}.${w}`).filter((k) => series.has(k));
    const sum = parts.reduce((s, k) => s + ms(k), 0);
    rows.push(scope === 'global' ? ['global (cross-entropy, zeroGrad, backward, step)', sum] : [scope, ms(`${scope}.total`)]);
    for (const k of parts) rows.push([`  ${k.slice(scope.length + 1)}`, ms(k)]);
    if (scope !== 'global') rows.push(['  other (JS, detach, item, tidy)', ms(`${scope}.total`) - sum]);
  }
  const inProps = props.reduce((s, [name]) => s + ms(`${name}.total`), 0);
  const globalParts = [...series.keys()].filter((k) => k.startsWith('global.')).reduce((s, k) => s + ms(k), 0);
  rows.push(['rest of the step (model.forward glue, tidy)', total - inProps - globalParts]);
  console.log(`${caseName}: ${total.toFixed(3)} ms per step (Node, this port; medians over ${n} steps of each phase, inclusive, ms per step)`);
  for (const [k, v] of rows) console.log(`${k.padEnd(52)} ${v.toFixed(3).padStart(10)}  ${(100 * v / total).toFixed(1).padStart(5)}%`);
}

// ---------------------------------------------------------------- --compare: the driver

function compare(args) {
  const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
  const rounds = Number(opt('--rounds', 5));
  const blas = opt('--blas', 'ref');
  const stepsArg = opt('--steps', null);
  const clock = opt('--clock', 'wall');
  const warmup = Number(opt('--warmup', WARMUP));
  const grads = opt('--grads', 'default');
  if (!['default', 'zero', 'none'].includes(grads)) throw new Error(`--grads default|zero|none, got '${grads}'`);
  if (clock !== 'wall' && clock !== 'cpu') throw new Error(`--clock wall|cpu, got '${clock}'`);
  const json = args.includes('--json');
  const withValue = new Set(['--rounds', '--blas', '--steps', '--clock', '--warmup', '--grads']);
  const cases = args.filter((a, i) => !a.startsWith('--') && !withValue.has(args[i - 1]));
  for (const c of cases) parseCase(c);
  if (!['ref', 'openblas', 'mkl'].includes(blas)) throw new Error(`--blas ref|openblas|mkl, got '${blas}'`);

  const env = { ...process.env, OMP_NUM_THREADS: '1', SIGPROP_BENCH_GRADS: grads };
  if (blas === 'openblas') {
    const dir = execFileSync('sh', [path.join(__dirname, 'openblas.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    env.LD_LIBRARY_PATH = env.LD_LIBRARY_PATH ? `${dir}:${env.LD_LIBRARY_PATH}` : dir;
    env.OPENBLAS_NUM_THREADS = '1';
  }
  // which BLAS each side really loads: the BLAS libraries mapped into the process once torch is loaded
  const blasOf = (cmd, argv) => execFileSync(cmd, argv, { encoding: 'utf8', env }).trim();
  const nodeBlas = blasOf(process.execPath, ['-e', `require(${JSON.stringify(path.join(__dirname, '..', 'dist'))});` +
    "const s=new Set(require('fs').readFileSync('/proc/self/maps','utf8').split('\\n').map((l)=>l.split(/\\s+/)[5]).filter((p)=>p&&/\\/lib(open)?blas[^/]*$/.test(p)));" +
    "console.log([...s].sort().join(' '))"]);
  const pyBlas = blasOf(PY, ['-c', 'import re, torch\n' +
    's = set(f[5] for f in (l.split() for l in open("/proc/self/maps")) if len(f) > 5 and re.search(r"/lib(open)?blas[^/]*$", f[5]))\n' +
    'print(" ".join(sorted(s)))']);
  const isOpen = (s) => /libopenblas/.test(s);
  // mkl: pip's libtorch carries its own BLAS (MKL) inside, so neither side maps a system BLAS
  const fits = (s) => (blas === 'mkl' ? s === '' : s !== '' && isOpen(s) === (blas === 'openblas'));
  if (!fits(nodeBlas) || !fits(pyBlas)) {
    throw new Error(`--blas ${blas}: unexpected BLAS loaded: node [${nodeBlas}], python [${pyBlas}]`);
  }
  // both sides must run the same libtorch: SIGPROP_BENCH_PYTHON picks the Python, SIGPROP_ADDON (or the loader) the addon's
  const nodeTorch = blasOf(process.execPath, ['-e', `console.log(require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'torch'))}).buildInfo().torchVersion)`]);
  const pyTorch = blasOf(PY, ['-c', 'import torch; print(torch.__version__.split("+")[0])']);
  if (nodeTorch.split('.').slice(0, 2).join('.') !== pyTorch.split('.').slice(0, 2).join('.')) {
    throw new Error(`node runs libtorch ${nodeTorch} but ${PY} has torch ${pyTorch}: set SIGPROP_ADDON (or SIGPROP_PYTHON) and SIGPROP_BENCH_PYTHON to the same torch`);
  }
  if (!json) console.log(`libtorch: node ${nodeTorch}, python ${pyTorch}`);
  if (!json) console.log(nodeBlas === pyBlas ? `BLAS (${blas}), node and python: ${nodeBlas}` : `BLAS (${blas}): node ${nodeBlas}; python ${pyBlas}`);

  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const run = (cmd, argv) => JSON.parse(execFileSync(cmd, argv, { cwd: __dirname, encoding: 'utf8', env, maxBuffer: 1 << 24 }));
  const results = [];
  for (const c of cases.length ? cases : DEFAULT_CASES) {
    const steps = stepsArg ? Number(stepsArg) : defaultSteps(c);
    const nodeT = [], pyT = [], roundRatios = [];
    for (let r = 0; r < rounds; r++) {
      // alternate which side goes first, so that drift in machine load hits both alike
      let nr, pr;
      const node = () => { nr = run(process.execPath, [__filename, c, String(steps), '--clock', clock, '--warmup', String(warmup)]); nodeT.push(...nr); };
      const py = () => { pr = run(PY, [path.join(__dirname, 'sigprop.py'), c, String(steps), '--clock', clock, '--warmup', String(warmup)]); pyT.push(...pr); };
      if (r % 2 === 0) { node(); py(); } else { py(); node(); }
      roundRatios.push(median(nr) / median(pr));
    }
    const n = median(nodeT), p = median(pyT);
    // the spread of the per-round ratios (each: Node's process median / Python's) shows how far
    // process-to-process noise moves a ratio
    const q = (xs, f) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))];
    const spread = { q25: q(roundRatios, 0.25), median: median(roundRatios), q75: q(roundRatios, 0.75) };
    const res = { case: c, label: LABELS[c] || c, blas, clock, warmup, grads, nodeMs: n, pythonMs: p, ratio: n / p, roundRatios, roundRatioQuartiles: spread, target: TARGETS[c] ?? null, rounds, stepsPerProcess: steps, samples: nodeT.length, nodeSamples: nodeT, pythonSamples: pyT };
    results.push(res);
    if (!json) console.log(`${res.label} [${c}, BLAS ${blas}${clock === 'cpu' ? ', CPU time' : ''}${grads !== 'default' ? `, zeroGrad: ${grads} on both sides` : ''}]\n  node ${n.toFixed(2)} ms  python ${p.toFixed(2)} ms  ratio ${(n / p).toFixed(2)}x` +
      `${res.target !== null ? `  (target <= ${res.target.toFixed(1)}x)` : ''}  (${nodeT.length} steps each, ${rounds} rounds, ${warmup} warm-up steps per process)\n` +
      `  per-round ratios: median ${spread.median.toFixed(2)}x, quartiles ${spread.q25.toFixed(2)}-${spread.q75.toFixed(2)}x`);
  }
  if (json) console.log(JSON.stringify({ blas, clock, grads, node: nodeBlas, python: pyBlas, nodeTorch, pyTorch, results }, null, 2));
}

// ----------------------------------------------------------------

const USAGE = 'usage: node bench/sigprop.js CASE N [--clock wall|cpu] [--warmup W] | --phases CASE N [--warmup W]\n' +
  '       node bench/sigprop.js --compare [case ...] [--rounds R] [--blas ref|openblas|mkl] [--steps N] [--warmup W] [--clock wall|cpu] [--grads default|zero|none] [--json]';
const argv = process.argv.slice(2);
if (argv[0] === '--compare') {
  try {
    compare(argv.slice(1));
  } catch (e) {
    console.error(`bench/sigprop.js --compare: ${e.message}`);
    process.exit(1);
  }
} else {
  const flags = {};
  const pos = [];
  let bad = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--phases') flags.phases = true;
    else if (argv[i] === '--clock' || argv[i] === '--warmup') flags[argv[i].slice(2)] = argv[++i];
    else if (argv[i].startsWith('--')) bad = true;
    else pos.push(argv[i]);
  }
  if (bad || pos.length !== 2 || !(Number(pos[1]) >= 1) || (flags.clock && !['wall', 'cpu'].includes(flags.clock)) ||
      (flags.warmup !== undefined && !(Number(flags.warmup) >= 0))) {
    console.error(USAGE);
    process.exit(2);
  }
  if (flags.warmup !== undefined) WARMUP = Number(flags.warmup);
  if (flags.phases) phases(pos[0], Number(pos[1]));
  else worker(pos[0], Number(pos[1]), flags.clock || 'wall');
}
