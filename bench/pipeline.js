#!/usr/bin/env node
'use strict';
// Layer-parallel sigprop (sigprop.pipeline, docs/pipeline.md) against sequential training and the
// ORIGINAL Python library, on the same libtorch, in one run with interleaved rounds:
//
//   node bench/pipeline.js [--rounds R] [--steps N] [--warmup W] [--cases conv_v9,mlp_v14] [--json]
//
// For each case (conv_v9: the README conv net with 32 channels, loss v9; mlp_v14: the MLP with 256
// hidden units, loss v14; batch 128, Fashion-MNIST batches 0..19 in a cycle; bench/sigprop-nets.js):
//   node seq 1T / 2T   one process, the model on the main thread, libtorch (and OpenBLAS) at 1 / 2 threads
//   node pipe 2S / 3S  sigprop.pipeline with 2 / 3 stages, one libtorch thread per stage, stages balanced
//                      automatically on a probe batch (the startup is not timed)
//   python 1T / 2T     bench/sigprop.py (the original library, Debian's /usr/bin/python3) at 1 / 2 threads
// Each configuration runs in its own process, R rounds (default 3) one after another in turn; the
// figure is the median over rounds of the mean step time of N timed steps (default conv 10, mlp 60)
// after W warm-up steps (default 3). Pipelined step time = wall time from the first timed batch given
// to the last result / N (batches kept pipe.depth in flight). Also printed: the stages' busy time per
// step (where the time goes) and their start units, and the figures from CPU time (the 1-thread
// configurations' process CPU time per step; a pipeline's: its slowest stage thread's CPU time per
// step, or all stages' CPU time divided by the cores if larger), i.e. what they would take on free
// cores: less disturbed by other load than wall time (it still includes cache and memory contention).
// Needs: npx tsc -p tsconfig.json; /usr/share/datasets/fashion-mnist; the original library at
// $SIGPROP_ORIG or /tmp/sigprop-orig for the Python rows. The machine may be shared: interleaved
// rounds spread other load over all configurations; rerun on a quiet machine for clean figures.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const PY = process.env.SIGPROP_BENCH_PYTHON || '/usr/bin/python3';
const DATA_DIR = '/usr/share/datasets/fashion-mnist';
const BATCH = 128;
const NBATCHES = 20;
const CASES = {
  conv_v9: { net: 'conv', loss: 'v9', ch: 32, steps: 10, label: 'conv net, 32 channels, loss v9' },
  mlp_v14: { net: 'mlp', loss: 'v14', hidden: 256, steps: 200, label: 'MLP 784-256-256-256-10, loss v14' },
};

function loadBatches(torch) {
  const readIdx = (file, count) => {
    const buf = zlib.gunzipSync(fs.readFileSync(path.join(DATA_DIR, file)));
    const ndim = buf.readUInt32BE(0) & 0xff;
    const dims = [];
    for (let i = 0; i < ndim; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
    dims[0] = Math.min(dims[0], count);
    const n = dims.reduce((a, b) => a * b, 1);
    return torch.tensor(new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * ndim, n)).view(dims);
  };
  return torch.tidy(() => {
    const x = readIdx('train-images-idx3-ubyte.gz', NBATCHES * BATCH).float().div(255).unsqueeze(1)
      .sub(torch.tensor([0.286]).view(1, 1, 1)).div(torch.tensor([0.353]).view(1, 1, 1)).contiguous();
    const y = readIdx('train-labels-idx1-ubyte.gz', NBATCHES * BATCH).long();
    const out = [];
    for (let i = 0; i < NBATCHES; i++) out.push([x.narrow(0, i * BATCH, BATCH).contiguous(), y.narrow(0, i * BATCH, BATCH).contiguous()]);
    return torch.keep(out);
  });
}

// ---------------------------------------------------------------- worker processes

async function worker(mode, caseName, n, warmup, k) {
  const lib = require(path.join(__dirname, '..', 'dist'));
  const { torch } = lib;
  const c = CASES[caseName];
  const batches = loadBatches(torch);
  const options = { net: c.net, loss: c.loss, ch: c.ch, hidden: c.hidden };
  if (mode === 'seq') {
    torch.setNumThreads(k);
    const { parityNet } = require('./pipeline-factory');
    const b = parityNet(options);
    b.model.train();
    const step = (i) => torch.tidy(() => {
      const [x, y] = batches[i % NBATCHES];
      const out = b.model.forward([x, y]);
      const g = lib.torch.nn.functional.crossEntropy(out, y);
      b.optimizer.zeroGrad();
      g.backward();
      b.optimizer.step();
      return g.item();
    });
    for (let i = 0; i < warmup; i++) step(i);
    const t = performance.now();
    const c = process.cpuUsage();
    for (let i = warmup; i < warmup + n; i++) step(i);
    const cu = process.cpuUsage(c);
    return { ms: (performance.now() - t) / n, cpuMs: (cu.user + cu.system) / 1000 / n };
  }
  torch.setNumThreads(1);
  const pipe = await lib.pipeline.createPipeline({ module: path.join(__dirname, 'pipeline-factory.js'), export: 'parityNet', options, stages: k, sample: batches[NBATCHES - 1] });
  try {
    const run = async (from, to) => {
      const inFlight = [];
      for (let i = from; i < to; i++) {
        inFlight.push(pipe.train(...batches[i % NBATCHES]));
        if (inFlight.length >= pipe.depth) await inFlight.shift();
      }
      await Promise.all(inFlight);
    };
    await run(0, warmup);
    const cpu0 = (await pipe.flush()).cpu;
    const busy0 = pipe.busy();
    const t = performance.now();
    await run(warmup, warmup + n);
    const ms = (performance.now() - t) / n;
    const busy = pipe.busy().map((b, s) => (b - busy0[s]) / n);
    const stageCpu = (await pipe.flush()).cpu.map((c, s) => (c === null || cpu0[s] === null ? NaN : (c - cpu0[s]) / n));
    // on free cores the pipeline's step is its slowest stage, or the stages' total CPU shared by the cores
    const cpuMs = Math.max(...stageCpu, stageCpu.reduce((a, b) => a + b, 0) / require('os').cpus().length);
    return { ms, cpuMs, stageCpu, busy, starts: [0, ...pipe.boundaries].map((i) => pipe.units[i].name), probe: pipe.probeTimes };
  } finally {
    await pipe.close();
  }
}

// ---------------------------------------------------------------- the comparison

function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

function compare(args) {
  const get = (flag, d) => {
    const i = args.indexOf(flag);
    return i < 0 ? d : args[i + 1];
  };
  const rounds = Number(get('--rounds', 3));
  const warmup = Number(get('--warmup', 3));
  const cases = get('--cases', 'conv_v9,mlp_v14').split(',');
  const stepsFlag = get('--steps', null);
  const json = args.includes('--json');
  const orig = process.env.SIGPROP_ORIG || '/tmp/sigprop-orig';
  const haveOrig = fs.existsSync(path.join(orig, 'sigprop'));
  const lib = require(path.join(__dirname, '..', 'dist'));
  const configs = [
    { id: 'node seq 1T', mode: 'seq', k: 1, blas: 1 },
    { id: 'node seq 2T', mode: 'seq', k: 2, blas: 2 },
    { id: 'node pipe 2S', mode: 'pipe', k: 2, blas: 1 },
    { id: 'node pipe 3S', mode: 'pipe', k: 3, blas: 1 },
    ...(haveOrig ? [{ id: 'python 1T', mode: 'py', k: 1, blas: 1 }, { id: 'python 2T', mode: 'py', k: 2, blas: 2 }] : []),
  ];
  const results = {};
  for (const c of cases) {
    if (!CASES[c]) throw new Error(`unknown case '${c}' (${Object.keys(CASES).join(', ')})`);
    results[c] = Object.fromEntries(configs.map((g) => [g.id, []]));
  }
  const extra = {};
  const cpuResults = Object.fromEntries(cases.map((c) => [c, {}]));
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const nCase = Number(stepsFlag ?? CASES[c].steps);
      for (const g of configs) {
        const n = g.k > 1 && g.mode !== 'pipe' ? Math.min(nCase, 30) : nCase; // 2 threads are slow on a loaded machine
        const env = { ...process.env, OPENBLAS_NUM_THREADS: String(g.blas), OMP_NUM_THREADS: String(g.blas), SIGPROP_BENCH_THREADS: String(g.k) };
        let ms, cpuMs = null;
        const py = (clock) => {
          const times = JSON.parse(execFileSync(PY, [path.join(__dirname, 'sigprop.py'), c, String(n), '--warmup', String(warmup), '--clock', clock], { encoding: 'utf8', env, maxBuffer: 1 << 24 }));
          return times.reduce((a, b) => a + b, 0) / times.length;
        };
        if (g.mode === 'py') {
          ms = py('wall');
          if (g.k === 1) cpuMs = py('cpu');
        } else {
          const out = JSON.parse(execFileSync(process.execPath, [__filename, '--worker', g.mode, c, String(n), String(warmup), String(g.k)], { encoding: 'utf8', env, maxBuffer: 1 << 24 }));
          ms = out.ms;
          if (g.k === 1 || g.mode === 'pipe') cpuMs = out.cpuMs;
          if (out.busy) (extra[`${c} ${g.id}`] ??= []).push(out);
        }
        results[c][g.id].push(ms);
        if (cpuMs !== null) (cpuResults[c][g.id] ??= []).push(cpuMs);
        if (!json) process.stderr.write(`round ${r + 1}/${rounds} ${c} ${g.id}: ${ms.toFixed(1)} ms/step\n`);
      }
    }
  }
  const report = { rounds, warmup, blas: lib.torch.blasLibrary(), torch: lib.torch.buildInfo().torchVersion, cores: require('os').cpus().length, cases: {} };
  for (const c of cases) {
    const med = Object.fromEntries(Object.entries(results[c]).map(([k, v]) => [k, median(v)]));
    const pyBest = haveOrig ? Math.min(med['python 1T'], med['python 2T']) : null;
    const rows = Object.entries(med).map(([id, ms]) => ({
      id, ms, stepsPerSecond: 1000 / ms, vsSeq1T: med['node seq 1T'] / ms, vsPythonBest: pyBest ? ms / pyBest : null, all: results[c][id],
    }));
    // the same from CPU time: what each configuration would take on free cores (1-thread configurations and pipelines)
    const cpu = Object.fromEntries(Object.entries(cpuResults[c]).map(([k, v]) => [k, median(v)]));
    const cpuRows = Object.entries(cpu).map(([id, ms]) => ({
      id, ms, vsSeq1T: cpu['node seq 1T'] / ms, vsPython1T: cpu['python 1T'] ? ms / cpu['python 1T'] : null, all: cpuResults[c][id],
    }));
    const stages = {};
    for (const id of ['node pipe 2S', 'node pipe 3S']) {
      const xs = extra[`${c} ${id}`];
      if (!xs) continue;
      stages[id] = { starts: xs[0].starts, probeMs: xs[0].probe, busyMsPerStep: xs[0].busy.map((_, s) => median(xs.map((x) => x.busy[s]))), cpuMsPerStep: xs[0].stageCpu.map((_, s) => median(xs.map((x) => x.stageCpu[s]))) };
    }
    report.cases[c] = { label: CASES[c].label, steps: Number(stepsFlag ?? CASES[c].steps), rows, pythonBest: pyBest, cpuRows, stages };
  }
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`sigprop.pipeline benchmark: ${report.cores} cores, libtorch ${report.torch}, ${report.blas}; medians of ${rounds} interleaved rounds`);
  for (const [c, r] of Object.entries(report.cases)) {
    console.log(`\n${c} (${r.label}), batch ${BATCH}, ${r.steps} timed steps per process`);
    console.log('configuration      ms/step  steps/s  x seq 1T  / python best');
    for (const row of r.rows) console.log(`${row.id.padEnd(17)} ${row.ms.toFixed(1).padStart(8)} ${row.stepsPerSecond.toFixed(2).padStart(8)} ${row.vsSeq1T.toFixed(2).padStart(9)} ${row.vsPythonBest === null ? '' : row.vsPythonBest.toFixed(2).padStart(12)}`);
    console.log('from CPU time (free cores): configuration  ms/step  x seq 1T  / python 1T');
    for (const row of r.cpuRows) console.log(`  ${row.id.padEnd(17)} ${row.ms.toFixed(1).padStart(8)} ${row.vsSeq1T.toFixed(2).padStart(9)} ${row.vsPython1T === null ? '' : row.vsPython1T.toFixed(2).padStart(10)}`);
    for (const [id, s] of Object.entries(r.stages)) {
      console.log(`  ${id}: stages start at ${s.starts.join(' | ')}; busy ms/step per stage ${s.busyMsPerStep.map((b) => b.toFixed(1)).join(' / ')}; CPU ms/step per stage ${s.cpuMsPerStep.map((b) => b.toFixed(1)).join(' / ')}; probe ms per unit ${s.probeMs.map((b) => b.toFixed(1)).join(', ')}`);
    }
  }
}

if (process.argv[2] === '--worker') {
  const [, , , mode, c, n, warmup, k] = process.argv;
  worker(mode, c, Number(n), Number(warmup), Number(k)).then((r) => process.stdout.write(JSON.stringify(r) + '\n'), (e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  compare(process.argv.slice(2));
}
