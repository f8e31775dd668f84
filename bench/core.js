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
  // Linear(784, 256) forward + sum + backward + Adam step, batch 128. Until sigprop/torch has
  // nn and optim, the layer and PyTorch 1.13's single-tensor Adam are written out with core ops.
  linear_adam: [(n) => {
    torch.manualSeed(0);
    const bound = 1 / Math.sqrt(784);
    const W = torch.empty(256, 784).uniform_(-bound, bound).requiresGrad_();
    const b = torch.empty(256).uniform_(-bound, bound).requiresGrad_();
    const params = [W, b];
    const state = params.map((p) => ({ m: torch.zerosLike(p), v: torch.zerosLike(p) }));
    const x = torch.randn(128, 784);
    const lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    let step = 0;
    for (let i = 0; i < n; i++) {
      for (const p of params) p.grad = null;
      torch.tidy(() => x.matmul(W.t()).add(b).sum().backward());
      step++;
      torch.noGrad(() => torch.tidy(() => {
        params.forEach((p, k) => {
          const g = p.grad, { m, v } = state[k];
          m.mul_(b1).add_(g, { alpha: 1 - b1 });
          v.mul_(b2).addcmul_(g, g, { value: 1 - b2 });
          const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
          const denom = v.sqrt().div_(Math.sqrt(bc2)).add_(eps);
          p.addcdiv_(m, denom, { value: -lr / bc1 });
        });
      }));
    }
  }, 300],
  // A small CNN (2 conv + pool, 1 linear) training step: forward, cross-entropy, backward, Adam; batch 128.
  cnn_adam: [(n) => {
    const { nn, optim } = torch;
    class SmallCNN extends nn.Module {
      conv1 = new nn.Conv2d(1, 16, 3, { padding: 1 });
      conv2 = new nn.Conv2d(16, 32, 3, { padding: 1 });
      pool = new nn.MaxPool2d(2);
      fc = new nn.Linear(32 * 7 * 7, 10);
      forward(x) {
        x = this.pool.forward(this.conv1.forward(x).relu());
        x = this.pool.forward(this.conv2.forward(x).relu());
        return this.fc.forward(x.flatten(1));
      }
    }
    torch.manualSeed(0);
    const model = new SmallCNN();
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
