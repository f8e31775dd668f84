#!/usr/bin/env node
'use strict';
// Loading a large checkpoint written by Python: torch.load in Python vs load() and loadAsync() here,
// on the same libtorch (the Python whose torch matches the addon: SIGPROP_BENCH_PYTHON, else
// Debian's /usr/bin/python3 for 1.13), the file in the page cache, interleaved rounds, medians.
//   node bench/checkpoint.js [--mb 384] [--rounds 5] [--json]
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const torch = require('../dist/torch');

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const mb = opt('--mb', 384);
const rounds = opt('--rounds', 5);
const PY = process.env.SIGPROP_BENCH_PYTHON || '/usr/bin/python3';
const file = path.join(os.tmpdir(), `sigprop-bench-${process.pid}.pt`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const pyCode = `
import sys, time, torch
torch.set_num_threads(1)
f, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if mode == 'save':
    torch.save({'w': torch.arange(n, dtype=torch.float32)}, f)
else:
    t = time.perf_counter(); d = torch.load(f); dt = time.perf_counter() - t
    assert d['w'].numel() == n
    print(dt)
`;
const n = Math.floor(mb * 2 ** 20 / 4);
execFileSync(PY, ['-c', pyCode, file, String(n), 'save']);
try {
  const py = [], sync = [], async_ = [];
  const runAsync = async () => { const t = process.hrtime.bigint(); const d = await torch.loadAsync(file); const dt = Number(process.hrtime.bigint() - t) / 1e9; torch.dispose(d); return dt; };
  (async () => {
    for (let r = 0; r < rounds; r++) {
      py.push(Number(execFileSync(PY, ['-c', pyCode, file, String(n), 'load'], { encoding: 'utf8' })));
      const t = process.hrtime.bigint();
      const d = torch.load(file);
      sync.push(Number(process.hrtime.bigint() - t) / 1e9);
      if (d.w.numel() !== n) throw new Error('bad load');
      torch.dispose(d);
      async_.push(await runAsync());
    }
    const res = { mb, libtorch: torch.buildInfo().torchVersion, python: median(py), load: median(sync), loadAsync: median(async_), ratio: median(sync) / median(py), ratioAsync: median(async_) / median(py), rounds };
    if (args.includes('--json')) console.log(JSON.stringify(res));
    else console.log(`${mb} MB float32 tensor saved by Python torch.save (libtorch ${res.libtorch}):\n  Python torch.load ${res.python.toFixed(3)} s, load() ${res.load.toFixed(3)} s (${res.ratio.toFixed(2)}x), loadAsync() ${res.loadAsync.toFixed(3)} s (${res.ratioAsync.toFixed(2)}x)  (medians of ${rounds})`);
    fs.rmSync(file, { force: true });
  })();
} catch (e) {
  fs.rmSync(file, { force: true });
  throw e;
}
