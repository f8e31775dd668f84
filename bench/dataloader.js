#!/usr/bin/env node
'use strict';
// Does the DataLoader slow training down? Times a training step (a small CNN: 2 conv + pool, linear;
// forward, cross-entropy, backward, Adam; batch 128) on pre-made batches, against the same step fed
// by the DataLoader over Fashion-MNIST with the examples' training augmentation (RandomCrop(28,
// padding 2) + RandomHorizontalFlip + Normalize), shuffled; both with `for...of` and `for await`;
// and with numWorkers W (batches assembled in worker threads): the step time, and the main thread's
// wall time per batch in the loader's next() (the draws, posting the batch's task, fromShared, and
// waiting if a batch is late), timed from the second batch of each epoch (the Workers' start-up,
// once per epoch, is reported apart).
// Rounds alternate between the variants so that machine noise hits them alike.
//   node bench/dataloader.js [--rounds N] [--steps N] [--threads N] [--workers W] [--data DIR] [--json]
// Needs Fashion-MNIST in /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist)
// or in DIR/FashionMNIST. Build first: npx tsc -p tsconfig.json
const path = require('path');
const torch = require(path.join(__dirname, '..', 'dist', 'torch'));
const data = require(path.join(__dirname, '..', 'dist', 'data'));

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const ROUNDS = Number(opt('--rounds', 5));
const STEPS = Number(opt('--steps', 40));
const THREADS = Number(opt('--threads', 1));
const DATA_DIR = opt('--data', './data');
const WORKERS = Number(opt('--workers', 1));
const BATCH = 128;
torch.setNumThreads(THREADS);

const { nn, optim } = torch;
torch.manualSeed(0);
const model = require('./small-cnn')(torch);
const adam = new optim.Adam(model.parameters(), { lr: 1e-3 });
function step(x, y) {
  adam.zeroGrad();
  torch.tidy(() => nn.functional.crossEntropy(model.forward(x), y).backward());
  adam.step();
}

const generator = new torch.Generator().manualSeed(0);
const t0 = process.hrtime.bigint();
const { dataset } = data.buildDataset('FashionMNIST', { dataDir: DATA_DIR, train: true, generator });
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
const loader = new data.DataLoader(dataset, { batchSize: BATCH, shuffle: true, dropLast: true, generator });

// pre-made batches: made once by the same loader, then reused
const premade = [];
for (const b of loader) {
  premade.push(torch.keep(b));
  if (premade.length === 16) break;
}

const now = () => process.hrtime.bigint();
const ms = (t) => Number(now() - t) / 1e6;

const VARIANTS = {
  'pre-made tensors': () => {
    const t = now();
    for (let i = 0; i < STEPS; i++) {
      const [x, y] = premade[i % premade.length];
      step(x, y);
    }
    return ms(t) / STEPS;
  },
  'DataLoader, for...of': () => {
    const t = now();
    let i = 0;
    for (const [x, y] of loader) {
      step(x, y);
      x.dispose();
      y.dispose();
      if (++i === STEPS) break;
    }
    return ms(t) / STEPS;
  },
  'DataLoader, for await': async () => {
    const t = now();
    let i = 0;
    for await (const [x, y] of loader) {
      step(x, y);
      x.dispose();
      y.dispose();
      if (++i === STEPS) break;
    }
    return ms(t) / STEPS;
  },
  [`numWorkers ${WORKERS}, for...of`]: () => workerLoop(false),
  [`numWorkers ${WORKERS}, for await`]: () => workerLoop(true),
  'batch assembly alone (getBatch)': () => {
    const perm = torch.randperm(dataset.length, { generator });
    const t = now();
    for (let i = 0; i < STEPS; i++) {
      const idx = perm.narrow(0, i * BATCH, BATCH);
      torch.dispose(dataset.getBatch(idx));
      idx.dispose();
    }
    const r = ms(t) / STEPS;
    perm.dispose();
    return r;
  },
};

// the numWorkers loops: one epoch each; the first batch (the Workers' start-up) outside the timing
const wloader = new data.DataLoader(dataset, { batchSize: BATCH, shuffle: true, dropLast: true, generator, numWorkers: WORKERS });
const mainPerBatch = { 'for...of': [], 'for await': [] };
const startup = [];
async function workerLoop(isAsync) {
  const it = isAsync ? wloader[Symbol.asyncIterator]() : wloader[Symbol.iterator]();
  let t = now();
  let r = await it.next();
  startup.push(ms(t));
  step(r.value[0], r.value[1]);
  torch.dispose(r.value);
  let inNext = 0;
  const t0 = now();
  for (let i = 0; i < STEPS; i++) {
    t = now();
    r = await it.next();
    inNext += ms(t);
    step(r.value[0], r.value[1]);
    torch.dispose(r.value);
  }
  const perStep = ms(t0) / STEPS;
  await it.return();
  mainPerBatch[isAsync ? 'for await' : 'for...of'].push(inNext / STEPS);
  return perStep;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

(async () => {
  for (const f of Object.values(VARIANTS)) await f(); // warm-up
  const times = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) for (const [k, f] of Object.entries(VARIANTS)) times[k].push(await f());
  const base = median(times['pre-made tensors']);
  const rows = Object.entries(times).map(([k, v]) => ({ variant: k, medianMs: +median(v).toFixed(3), minMs: +Math.min(...v).toFixed(3), vsPremade: +(median(v) / base).toFixed(3) }));
  const memory = torch.memory();
  // (the warm-up round's figures left out)
  const mainThread = Object.fromEntries(Object.entries(mainPerBatch).map(([k, v]) => [k, +median(v.slice(1)).toFixed(3)]));
  const startupMs = +median(startup).toFixed(1);
  if (args.includes('--json')) {
    console.log(JSON.stringify({ threads: THREADS, workers: WORKERS, batch: BATCH, steps: STEPS, rounds: ROUNDS, loadMs, rows, mainThreadMsPerBatch: mainThread, workerStartupMs: startupMs, liveTensors: memory.numTensors, shared: torch.sharedCount() }));
  } else {
    console.log(`Fashion-MNIST train loaded in ${loadMs.toFixed(0)} ms; batch ${BATCH}, ${THREADS} thread(s), ${ROUNDS} rounds x ${STEPS} steps; per-step ms:`);
    for (const r of rows) console.log(`  ${r.variant.padEnd(34)} median ${r.medianMs.toFixed(3).padStart(8)}  min ${r.minMs.toFixed(3).padStart(8)}  x${r.vsPremade.toFixed(3)}`);
    console.log(`numWorkers ${WORKERS}: main-thread wall ms per batch in next(): for...of ${mainThread['for...of']}, for await ${mainThread['for await']}; ` +
      `first batch of an epoch (the Workers' start-up) ${startupMs} ms`);
  }
  torch.dispose(premade);
  adam.dispose();
  model.dispose();
  dataset.dispose();
})();
