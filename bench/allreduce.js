#!/usr/bin/env node
'use strict';
// All-reduce (SUM) of 1 MB and 64 MB float32 tensors over Gloo on loopback, 2 ranks: torch.distributed
// here vs Python's torch.distributed on the same libtorch (SIGPROP_BENCH_PYTHON, else Debian's
// /usr/bin/python3 for 1.13), each job timed inside its ranks (a barrier, then N all-reduces),
// Node and Python jobs interleaved, medians over rounds.
//   node bench/allreduce.js [--rounds 5] [--iters-1mb 200] [--iters-64mb 10] [--json]
const { spawn } = require('child_process');
const net = require('net');
const path = require('path');

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const rounds = opt('--rounds', 5);
const SIZES = [[1, opt('--iters-1mb', 200)], [64, opt('--iters-64mb', 10)]];
const PY = process.env.SIGPROP_BENCH_PYTHON || '/usr/bin/python3';
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const nodeRank = `
const torch = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'torch'))});
torch.setNumThreads(1);
const dist = torch.distributed;
dist.initProcessGroup({ backend: 'gloo' });
const [mb, iters] = process.argv.slice(1).map(Number);
const t = torch.ones([mb * 262144]);
dist.allReduce(t); dist.allReduce(t); // warm-up (connections, buffers)
dist.barrier();
const t0 = process.hrtime.bigint();
for (let i = 0; i < iters; i++) dist.allReduce(t);
const dt = Number(process.hrtime.bigint() - t0) / 1e9 / iters;
if (dist.getRank() === 0) console.log(dt);
dist.destroyProcessGroup();
`;
const pyRank = `
import sys, time, torch
import torch.distributed as dist
torch.set_num_threads(1)
dist.init_process_group('gloo')
mb, iters = int(sys.argv[1]), int(sys.argv[2])
t = torch.ones(mb * 262144)
dist.all_reduce(t); dist.all_reduce(t)
dist.barrier()
t0 = time.perf_counter()
for _ in range(iters):
    dist.all_reduce(t)
dt = (time.perf_counter() - t0) / iters
if dist.get_rank() == 0:
    print(dt)
dist.destroy_process_group()
`;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function job(kind, mb, iters) {
  const port = await freePort();
  const outs = await Promise.all([0, 1].map((rank) => new Promise((resolve, reject) => {
    const env = { ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), RANK: String(rank), WORLD_SIZE: '2', OMP_NUM_THREADS: '1' };
    const p = kind === 'node' ? spawn(process.execPath, ['-e', nodeRank, String(mb), String(iters)], { env })
      : spawn(PY, ['-c', pyRank, String(mb), String(iters)], { env });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${kind} rank ${rank} exited ${code}: ${err}`))));
  })));
  return Number(outs[0].trim());
}

(async () => {
  const libtorch = require('../dist/torch').buildInfo().torchVersion;
  const results = [];
  for (const [mb, iters] of SIZES) {
    const node = [], py = [];
    for (let r = 0; r < rounds; r++) {
      node.push(await job('node', mb, iters));
      py.push(await job('python', mb, iters));
    }
    const res = { mb, iters, node: median(node), python: median(py), ratio: median(node) / median(py), rounds };
    results.push(res);
    if (!args.includes('--json')) {
      const gbs = (s) => (mb / 1024 / s).toFixed(2);
      console.log(`${String(mb).padStart(2)} MB float32 all-reduce, Gloo, 2 ranks on loopback (libtorch ${libtorch}): ` +
        `Python ${(res.python * 1e3).toFixed(3)} ms, Node ${(res.node * 1e3).toFixed(3)} ms -> ${res.ratio.toFixed(3)}x  ` +
        `(${gbs(res.python)} / ${gbs(res.node)} GB/s (size / time); medians of ${rounds} jobs x ${iters})`);
    }
  }
  if (args.includes('--json')) console.log(JSON.stringify({ libtorch, results }));
})().catch((e) => { console.error(e); process.exit(1); });
