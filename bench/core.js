'use strict';
// Node side of bench/run.js: times a case with sigprop/torch.
// usage: node core.js CASE REPS  -> prints a JSON list of per-iteration times in microseconds.
const torch = require('sigprop/torch');

torch.setNumThreads(1);

function time(fn, n) {
  const t = process.hrtime.bigint();
  fn(n);
  return Number(process.hrtime.bigint() - t) / 1000 / n;
}

const CASES = {
  // 200k adds inside scopes of 100 (the idiomatic way to run a loop)
  add8x8: [(n) => {
    const a = torch.ones(8, 8), b = torch.ones(8, 8);
    for (let i = 0; i < n; i += 100) torch.tidy(() => { for (let j = 0; j < 100; j++) a.add(b); });
  }, 200000],
  // the same with an explicit dispose() per result
  add8x8_dispose: [(n) => {
    const a = torch.ones(8, 8), b = torch.ones(8, 8);
    for (let i = 0; i < n; i++) a.add(b).dispose();
  }, 200000],
  // Linear(784, 256) forward + sum + backward + Adam step, batch 128 (nn.Linear and optim.Adam).
  linear_adam: [(n) => {
    torch.manualSeed(0);
    const lin = new torch.nn.Linear(784, 256);
    const opt = new torch.optim.Adam(lin.parameters(), { lr: 1e-3 });
    const x = torch.randn(128, 784);
    for (let i = 0; i < n; i++) {
      opt.zeroGrad();
      torch.tidy(() => lin.forward(x).sum().backward());
      opt.step();
    }
    opt.dispose();
    lin.dispose();
  }, 300],
  // A small CNN (2 conv + pool, 1 linear) training step: forward, cross-entropy, backward, Adam; batch 128.
  cnn_adam: [(n) => {
    const { nn, optim } = torch;
    torch.manualSeed(0);
    const model = require('./small-cnn')(torch);
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = torch.randn(128, 1, 28, 28);
    const y = torch.randint(10, [128]);
    for (let i = 0; i < n; i++) {
      opt.zeroGrad();
      torch.tidy(() => nn.functional.crossEntropy(model.forward(x), y).backward());
      opt.step();
    }
    opt.dispose();
    model.dispose();
  }, 20],
};

const [name, reps] = [process.argv[2], Number(process.argv[3])];
const [fn, n] = CASES[name];
time(fn, Math.max(1, Math.floor(n / 10))); // warm-up
const out = [];
for (let r = 0; r < reps; r++) out.push(time(fn, n));
console.log(JSON.stringify(out));
