#!/usr/bin/env node
'use strict';
// Trains a small MLP (784-256-10) on Fashion-MNIST with sigprop/torch's core API only: tensors,
// autograd and a hand-written SGD step. It becomes the sigprop example once the sigprop API lands.
//   node examples/core-demo.js [--epochs N] [--data-dir DIR]
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const torch = require('sigprop/torch');

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const epochs = Number(opt('--epochs', 1));
const dataDir = opt('--data-dir', '/usr/share/datasets/fashion-mnist');

function readIdx(file) {
  const full = path.join(dataDir, file);
  if (!fs.existsSync(full)) throw new Error(`${full} not found: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass --data-dir`);
  let buf = fs.readFileSync(full);
  if (file.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  const magic = buf.readUInt32BE(0), dims = magic & 0xff;
  const shape = [];
  for (let i = 0; i < dims; i++) shape.push(buf.readUInt32BE(4 + 4 * i));
  const data = new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * dims, shape.reduce((a, b) => a * b, 1));
  return torch.tensor(data).view(shape);
}

function load(prefix) {
  const x = torch.tidy(() => readIdx(`${prefix}-images-idx3-ubyte.gz`).float().div(255).sub(0.2860).div(0.3530).flatten(1));
  const y = torch.tidy(() => readIdx(`${prefix}-labels-idx1-ubyte.gz`).long());
  return { x, y, n: y.shape[0] };
}

torch.manualSeed(0);
const train = load('train'), test = load('t10k');
const linear = (i, o) => {
  const bound = 1 / Math.sqrt(i);
  return { w: torch.empty(o, i).uniform_(-bound, bound).requiresGrad_(), b: torch.empty(o).uniform_(-bound, bound).requiresGrad_() };
};
const l1 = linear(784, 256), l2 = linear(256, 10);
const params = [l1.w, l1.b, l2.w, l2.b];
const forward = (x) => x.matmul(l1.w.t()).add(l1.b).relu().matmul(l2.w.t()).add(l2.b);
const crossEntropy = (logits, y) => logits.logSoftmax(1).gather(1, y.unsqueeze(1)).mean().neg();

const batch = 128, lr = 0.1;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const t0 = Date.now();
  const perm = torch.randperm(train.n);
  let lossSum = 0, steps = 0;
  for (let i = 0; i + batch <= train.n; i += batch) {
    lossSum += torch.tidy(() => {
      const idx = perm.narrow(0, i, batch);
      const loss = crossEntropy(forward(train.x.indexSelect(0, idx)), train.y.indexSelect(0, idx));
      loss.backward();
      torch.noGrad(() => { for (const p of params) { p.sub_(p.grad.mul(lr)); p.grad.zero_(); } });
      return loss.item();
    });
    steps++;
  }
  perm.dispose();
  const acc = torch.tidy(() => torch.noGrad(() => forward(test.x).argmax(1).eq(test.y).float().mean().item()));
  console.log(`epoch ${epoch}: train loss ${(lossSum / steps).toFixed(4)}  test accuracy ${(acc * 100).toFixed(2)}%  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
