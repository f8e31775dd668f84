#!/usr/bin/env node
'use strict';
// Sigprop data parallel: an MLP (784-256-256-10, v9 loss, Adam) trained with sigprop on 2 processes x 1
// thread (sigprop.parallel.dataParallel over Gloo on loopback, batch 128 per rank) vs 1 process x 1
// thread (batch 128): samples/s, and where a data-parallel step's time goes (the gradient averaging
// of every layer's optimizer step vs the rest).
//   node bench/sigprop-dp.js [--steps 40] [--warmup 5] [--json]
const { spawn } = require('child_process');
const net = require('net');
const path = require('path');

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const steps = opt('--steps', 40), warmup = opt('--warmup', 5);

const rank = `
const lib = ${JSON.stringify(path.join(__dirname, '..', 'dist'))};
const sigprop = require(lib), torch = require(lib + '/torch');
const { nn, optim } = torch;
torch.setNumThreads(1);
const [steps, warmup, dp] = process.argv.slice(1).map(Number);
if (dp) torch.distributed.initProcessGroup({ backend: 'gloo' });
torch.manualSeed(1);
let avgNs = 0n;
const timed = (o) => new Proxy(o, { get(t, p) {
  if (p === 'step') return () => { const t0 = process.hrtime.bigint(); const r = t.step(); avgNs -= process.hrtime.bigint() - t0; return r; };
  const v = Reflect.get(t, p); return typeof v === 'function' ? v.bind(t) : v; } });
const outer = (o) => new Proxy(o, { get(t, p) {
  if (p === 'step') return () => { const t0 = process.hrtime.bigint(); const r = t.step(); avgNs += process.hrtime.bigint() - t0; return r; };
  const v = Reflect.get(t, p); return typeof v === 'function' ? v.bind(t) : v; } });
const builder = (m) => (m.parameters().length ? timed(new optim.Adam(m.parameters(), { lr: 1e-3 })) : null);
let mgr = new sigprop.managers.Preset(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, builder);
if (dp) mgr = sigprop.parallel.dataParallel(mgr);
const L = sigprop.loss.v9InputTargetMaxAll;
mgr.configPropagator({ loss: L });
mgr.setSignal(new nn.Sequential(new sigprop.signals.LabelNumberToOnehot(10),
  new sigprop.signals.ProjectionContextInput(new nn.Linear(10, 784, false), new nn.Linear(784, 784, false), [10], [784])), { loss: L });
const model = mgr.setModel(new nn.Sequential(mgr.addPropagator(new nn.Linear(784, 256)), mgr.addPropagator(new nn.ReLU()),
  mgr.addPropagator(new nn.Linear(256, 256)), mgr.addPropagator(new nn.ReLU()), mgr.addPropagator(new nn.Linear(256, 10), sigprop.propagators.Identity)));
// every optimizer step timed from outside (averaging + step) and inside (step): the difference is the averaging
for (const m of model.modules()) if (m.optimizer) m.optimizer = outer(m.optimizer);
let gopt = timed(new optim.Adam(model.parameters(), { lr: 1e-3 }));
gopt = outer(dp ? sigprop.parallel.dataParallelOptimizer(gopt) : gopt);
const x = torch.randn(128, 784), y = torch.randint(0, 10, [128]);
let t0 = 0n;
for (let s = 0; s < warmup + steps; s++) {
  if (s === warmup) { if (dp) torch.distributed.barrier(); avgNs = 0n; t0 = process.hrtime.bigint(); }
  torch.tidy(() => {
    gopt.zeroGrad();
    const loss = torch.nn.functional.crossEntropy(model.forward([x, y]), y);
    loss.backward();
    gopt.step();
  });
}
const dt = Number(process.hrtime.bigint() - t0) / 1e9 / steps;
const r = dp ? torch.distributed.getRank() : 0;
if (r === 0) console.log(JSON.stringify({ step: dt, averaging: Number(avgNs) / 1e9 / steps }));
if (dp) torch.distributed.destroyProcessGroup();
`;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function run(n, port) {
  return Promise.all(Array.from({ length: n }, (_, r) => new Promise((resolve, reject) => {
    const env = { ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), RANK: String(r), WORLD_SIZE: String(n), OMP_NUM_THREADS: '1' };
    const p = spawn(process.execPath, ['-e', rank, String(steps), String(warmup), n > 1 ? '1' : '0'], { env });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`rank ${r} exited ${code}: ${err}`))));
  }))).then((outs) => JSON.parse(outs[0].trim()));
}

(async () => {
  const one = await run(1, 0);
  const two = await run(2, await freePort());
  const res = {
    libtorch: require('../dist/torch').buildInfo().torchVersion, steps,
    oneProcess: { stepMs: one.step * 1e3, samplesPerS: 128 / one.step },
    twoProcesses: { stepMs: two.step * 1e3, samplesPerS: 256 / two.step, averagingMs: two.averaging * 1e3 },
  };
  res.speedup = res.twoProcesses.samplesPerS / res.oneProcess.samplesPerS;
  if (args.includes('--json')) console.log(JSON.stringify(res));
  else {
    console.log(`sigprop MLP 784-256-256-10 (v9, Adam), batch 128 per process, 1 thread each (libtorch ${res.libtorch}, ${steps} steps):`);
    console.log(`  1 process:   ${res.oneProcess.stepMs.toFixed(1)} ms/step, ${res.oneProcess.samplesPerS.toFixed(0)} samples/s`);
    console.log(`  2 processes: ${res.twoProcesses.stepMs.toFixed(1)} ms/step, ${res.twoProcesses.samplesPerS.toFixed(0)} samples/s (${res.speedup.toFixed(2)}x); ` +
      `gradient averaging ${res.twoProcesses.averagingMs.toFixed(1)} ms/step (${(100 * res.twoProcesses.averagingMs / res.twoProcesses.stepMs).toFixed(0)}%)`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
